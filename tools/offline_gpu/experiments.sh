# Run named experiment notebooks at report size through papermill on the GPU machine, into $REPORTS
# (default /tmp/reports), then pack what matters (no checkpoints) into $OUT/reports.tgz.
# usage (repo root, after `source tools/gpu/setup.sh`): bash tools/gpu/experiments.sh SECONDS NAME [NAME ...]
set -uo pipefail
budget=$1; shift
R=${REPORTS:-/tmp/reports}; mkdir -p "$R"
start=$(date +%s)
for name in "$@"; do
  left=$(( budget - ($(date +%s) - start) ))
  [ "$left" -lt 30 ] && { echo "skipping $name: ${left}s left"; continue; }
  echo "=== $name (${left}s left)"
  timeout "$left" python3 -m bitbyte.cli experiment "$name" -p size report -p device cuda --out_dir "$R" --allow_overwrite > "/tmp/$name.log" 2>&1
  echo "exit $?"; grep -E "Error|error" "/tmp/$name.log" | tail -3
done
tar czf "$OUT/reports.tgz" -C "$R" --exclude='*.safetensors' --exclude='state.pt' --exclude='shakespeare*' --exclude='*.bin' .
ls -la "$OUT"
