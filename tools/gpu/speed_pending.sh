# The speed measurements issue 6 still waits for, in the order they matter, each under its own time limit,
# all rows into $OUT/bench.csv (and $OUT/profile.csv), each command's whole output into $OUT/logs/.
# usage (repo root, after `source tools/gpu/setup.sh` and `export BITBYTE_COMMIT=<commit>`):
#   bash tools/gpu/speed_pending.sh SECONDS [STEP ...]
# SECONDS bounds the whole call (a device call may run 10 minutes at most); naming STEPs runs only those, so the
# list can be spread over several calls: bash tools/gpu/speed_pending.sh 570 agreement m2_aligned_long, then
# bash tools/gpu/speed_pending.sh 570 m2_builtin m2_profile, and so on. Steps, in order:
#   agreement          the kernels changed since their last GPU run still compile and agree (tools/gpu_mamba2_check.py)
#   m2_aligned_long    Mamba-2 at aligned widths (22 x 768) against the Transformer at 16k and 32k, eager and compiled
#   m2_builtin         the built-in Mamba-2 scan (now recomputed in the backward) against mamba_ssm's, eager and compiled
#   m2_profile         what bounds the Mamba-2 step, eager and compiled
#   m2_aligned_short   the rest of the aligned sweep (1k-8k)
#   generate           generation latency against context, Mamba-2 included
#   triton_split_check Mamba-1's Triton scan split along the sequence (BITBYTE_TRITON_SPLIT=auto) on the small model
#   m1_split           the same in the GPT-2-matched sweep beside mamba_ssm
#   m1_32k             Mamba-1 at 32k (the earlier sweep stopped there), eager and compiled
# Then, on any machine: append the rows to artifacts/reports/bench.csv and profile.csv, and run
#   bitbyte experiment speed -p results_dir artifacts/reports --out_dir artifacts/reports --allow_overwrite
set -uo pipefail
budget=$1; shift
only=" $* "
mkdir -p "$OUT/logs"
start=$(date +%s)
run_step() {   # run_step NAME SECONDS COMMAND...: skipped when not asked for or when the budget is spent
  local name=$1 limit=$2; shift 2
  [ "$only" != "  " ] && [[ "$only" != *" $name "* ]] && return
  local left=$(( budget - ($(date +%s) - start) ))
  [ "$left" -lt 45 ] && { echo "skipping $name: ${left}s left"; return; }
  [ "$limit" -gt "$left" ] && limit=$left
  echo "=== $name (limit ${limit}s)"
  timeout "$limit" "$@" > "$OUT/logs/$name.log" 2>&1
  echo "exit $?"; grep -E "^T=|^profile|^generate|failed|OOM|^scan|^model|^mamba1|Error" "$OUT/logs/$name.log" | cut -c1-400
}
BENCH=(python3 -m bitbyte.cli bench --device cuda --out "$OUT/bench.csv")
export PYTHONPATH="$PWD:${PYTHONPATH:-}"
run_step agreement 200 python3 tools/gpu_mamba2_check.py --out "$OUT/mamba2_check.json"
run_step m2_aligned_long 330 "${BENCH[@]}" --parts sweep --seq_lens 16384 32768 --mamba_versions 2 --mamba_backends mamba_ssm --compile_mamba
run_step m2_builtin 240 "${BENCH[@]}" --parts sweep --seq_lens 4096 16384 --mamba_versions 2 --mamba_backends torch mamba_ssm --compile_mamba --sweep_compile 16384
run_step m2_profile 200 "${BENCH[@]}" --parts profile --profile_seq_lens 16384 --mamba_versions 2 --mamba_backends mamba_ssm --compile_mamba
run_step m2_aligned_short 330 "${BENCH[@]}" --parts sweep --seq_lens 1024 2048 4096 8192 --mamba_versions 2 --mamba_backends mamba_ssm --compile_mamba
run_step generate 300 "${BENCH[@]}" --parts generate --contexts 256 1024 4096 16384 --mamba_versions 2
run_step triton_split_check 240 env BITBYTE_TRITON_SPLIT=auto python3 tools/gpu_mamba_check.py --out "$OUT/mamba_check_split.json"
run_step m1_split 240 env BITBYTE_TRITON_SPLIT=auto "${BENCH[@]}" --parts sweep --seq_lens 8192 16384 --mamba_versions 1 --mamba_backends triton mamba_ssm --sweep_compile
run_step m1_32k 240 "${BENCH[@]}" --parts sweep --seq_lens 32768 --mamba_versions 1 --mamba_backends mamba_ssm triton --compile_mamba
ls -la "$OUT"
