# The speed measurements issue 6 still waits for, in the order they matter, each under its own time limit,
# all rows into $OUT/bench.csv (and $OUT/profile.csv), each command's whole output into $OUT/logs/.
# usage (repo root, after `source tools/gpu/setup.sh` and `export BITBYTE_COMMIT=<commit>`):
#   bash tools/gpu/speed_pending.sh SECONDS
# Then, on any machine: append the rows to artifacts/reports/bench.csv and profile.csv, and run
#   bitbyte experiment speed -p results_dir artifacts/reports --out_dir artifacts/reports --allow_overwrite
set -uo pipefail
budget=$1
mkdir -p "$OUT/logs"
start=$(date +%s)
step() {   # step NAME SECONDS ARGS...: one `bitbyte bench` call, skipped when the budget is spent
  local name=$1 limit=$2; shift 2
  local left=$(( budget - ($(date +%s) - start) ))
  [ "$left" -lt 45 ] && { echo "skipping $name: ${left}s left"; return; }
  [ "$limit" -gt "$left" ] && limit=$left
  echo "=== $name (limit ${limit}s)"
  timeout "$limit" python3 -m bitbyte.cli bench --device cuda --out "$OUT/bench.csv" "$@" > "$OUT/logs/$name.log" 2>&1
  echo "exit $?"; grep -E "^T=|^profile|^generate|failed|OOM" "$OUT/logs/$name.log" | cut -c1-300
}
# 0. first, that the kernels changed since their last GPU run still compile and agree (Mamba-1's Triton scan against
#    mamba_ssm, Mamba-2's built-in scan against mamba_ssm's kernels at the aligned size)
echo "=== agreement check (limit 200s)"
timeout 200 env PYTHONPATH=. python3 tools/gpu_mamba2_check.py --out "$OUT/mamba2_check.json" > "$OUT/logs/agreement.log" 2>&1
echo "exit $?"; cut -c1-400 "$OUT/logs/agreement.log" | grep -v "^W1" | tail -4
# 1. Mamba-2 at aligned widths (22 x 768) against the Transformer where the crossover is decided, eager and compiled
step m2_aligned_long 330 --parts sweep --seq_lens 16384 32768 --mamba_versions 2 --mamba_backends mamba_ssm --compile_mamba
# 2. the built-in Mamba-2 scan (recomputed in the backward now) against mamba_ssm's, eager and compiled
step m2_builtin 240 --parts sweep --seq_lens 4096 16384 --mamba_versions 2 --mamba_backends torch mamba_ssm --compile_mamba --sweep_compile 16384
# 3. what bounds the compiled Mamba-2 step
step m2_profile 200 --parts profile --profile_seq_lens 16384 --mamba_versions 2 --mamba_backends mamba_ssm --compile_mamba
# 4. the rest of the aligned sweep, and Mamba-2's generation latency against context
step m2_aligned_short 330 --parts sweep --seq_lens 1024 2048 4096 8192 --mamba_versions 2 --mamba_backends mamba_ssm --compile_mamba
step generate 300 --parts generate --contexts 256 1024 4096 16384 --mamba_versions 2
# 5. Mamba-1's Triton scan split along the sequence (BITBYTE_TRITON_SPLIT=auto): correct on the GPU, and faster where
#    batch x channel blocks is small (the small model at 8k was 3.97x mamba_ssm without it)
left=$(( budget - ($(date +%s) - start) ))
if [ "$left" -ge 120 ]; then
  echo "=== triton_split check (limit 240s)"
  ( export BITBYTE_TRITON_SPLIT=auto; timeout $(( left < 240 ? left : 240 )) env PYTHONPATH=. python3 tools/gpu_mamba_check.py --out "$OUT/mamba_check_split.json" > "$OUT/logs/triton_split_check.log" 2>&1 )
  echo "exit $?"; tail -5 "$OUT/logs/triton_split_check.log" | cut -c1-300
fi
( export BITBYTE_TRITON_SPLIT=auto; step m1_split 240 --parts sweep --seq_lens 8192 16384 --mamba_versions 1 --mamba_backends triton mamba_ssm --sweep_compile )
# 6. Mamba-1 at 32k (the earlier sweep stopped there), eager and compiled
step m1_32k 240 --parts sweep --seq_lens 32768 --mamba_versions 1 --mamba_backends mamba_ssm triton --compile_mamba
ls -la "$OUT"
