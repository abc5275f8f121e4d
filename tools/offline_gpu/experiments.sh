# Run named experiment notebooks at report size through papermill on the GPU machine, into $REPORTS
# (default $SCRATCH/reports, $SCRATCH defaulting to /tmp), then pack what matters (no checkpoints) into $OUT/reports.tgz.
# usage (repo root, after `source tools/offline_gpu/setup.sh`): bash tools/offline_gpu/experiments.sh SECONDS NAME [NAME ...]
set -uo pipefail
budget=$1; shift
SCRATCH=${SCRATCH:-/tmp}; R=${REPORTS:-$SCRATCH/reports}; mkdir -p "$R"
: "${OUT:?set OUT to the folder whose files come back from the machine}"
start=$(date +%s)
for name in "$@"; do
  left=$(( budget - ($(date +%s) - start) ))
  [ "$left" -lt 30 ] && { echo "skipping $name: ${left}s left"; continue; }
  echo "=== $name (${left}s left)"
  timeout "$left" python3 -m bitbyte.cli experiment "$name" -p size report -p device cuda --out_dir "$R" --allow_overwrite > "$SCRATCH/$name.log" 2>&1
  echo "exit $?"; grep -E "Error|error" "$SCRATCH/$name.log" | tail -3
done
tar czf "$OUT/reports.tgz" -C "$R" --exclude='*.safetensors' --exclude='state.pt' --exclude='shakespeare*' --exclude='*.bin' .
ls -la "$OUT"
