# The speed measurements issue 6 still waits for, in the order they matter, each under its own time limit,
# all rows into $OUT/bench.csv (and $OUT/profile.csv), each command's whole output into $OUT/logs/.
# usage (repo root, after `source tools/gpu/setup.sh` and `export BITBYTE_COMMIT=<commit>`; end the call with `save_autotune`):
#   bash tools/gpu/speed_pending.sh SECONDS [STEP ...]
# SECONDS bounds the whole call (a device call may run 10 minutes at most); naming STEPs runs only those, so the
# list can be spread over several calls: bash tools/gpu/speed_pending.sh 570 agreement_scan agreement_model m2_fused_long,
# then bash tools/gpu/speed_pending.sh 570 generate m2_builtin, and so on. Steps, in the order they run:
#   agreement_scan     the scan kernels and Mamba-1's Triton scan agree with their references (needs no causal-conv1d,
#                      so it can run while setup.sh builds it; last run at d225eca, kernels unchanged since)
#   agreement_model    the matched Mamba-2 model on the built-in, split-kernel and fused paths on the same weights (887cddb)
#   m2_fused_long      Mamba-2 (22 x 768) fused and split, compiled, against the compiled Transformer at 16k and 32k (887cddb)
#   m2_profile         what bounds the compiled step at 16k: the Transformer, Mamba-2 fused and split (887cddb)
#   m2_fused_short     the same sweep at 1k-8k, fused only (887cddb)
# done at ba1608f (logs/bench_builtin_ba1608f.log): the built-in scan at 4k eager and compiled beside the fused and split
# paths, and its compiled profile; at 2860936 (carry_bmm) the compiled built-in at 4k beside the Transformer only.
# still owed:
#   generate           Mamba-1's and Mamba-2's generation latency against context on the eager, CUDA-graph and compiled-graph
#                      paths, on an idle machine (not while setup.sh builds: decoding is launch-bound, and a build's
#                      compile jobs slow it; the Transformer's rows exist)
#   agreement_scan2    the scan part again after ssd_chunked's re-layout (the built-in scan against mamba_ssm's)
#   m2_builtin_fused   the built-in scan at 4k and 16k, compiled, against the fused and the split path in one call (needs
#                      causal-conv1d: carry .whl_bench, tools/gpu/bench_wheels.py)
#   m2_builtin_profile what bounds the built-in Mamba-2 step at 4k, compiled, beside the fused path
#   m2_builtin         the built-in scan at 4k eager and compiled (MambaConfig.fused=False: against the split kernels)
#   m2_eager_long      eager Transformer and eager Mamba-2 (fused, split) at 16k and 32k: the eager/eager ratios
#   triton_split_check Mamba-1's Triton scan split along the sequence (--triton_split auto, MambaConfig.triton_split) on the small model
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
CHECK=(python3 tools/gpu_mamba2_check.py --out "$OUT/mamba2_check.json")
run_step agreement_scan 200 "${CHECK[@]}" --parts scan mamba1_triton
run_step agreement_model 200 "${CHECK[@]}" --parts model
run_step m2_fused_long 330 "${BENCH[@]}" --parts sweep --seq_lens 16384 32768 --mamba_versions 2 --mamba_backends mamba_ssm --compile_mamba --mamba2_split --no_eager
run_step m2_profile 240 "${BENCH[@]}" --parts profile --profile_seq_lens 16384 --mamba_versions 2 --mamba_backends mamba_ssm --compile_mamba --mamba2_split --no_eager
run_step m2_fused_short 260 "${BENCH[@]}" --parts sweep --seq_lens 1024 2048 4096 8192 --mamba_versions 2 --mamba_backends mamba_ssm --compile_mamba --no_eager
run_step generate 360 "${BENCH[@]}" --parts generate --contexts 256 1024 4096 16384 --mamba_versions 2 1 --generate_families mamba
run_step agreement_scan2 150 "${CHECK[@]}" --parts scan
run_step m2_builtin_fused 360 "${BENCH[@]}" --parts sweep --seq_lens 4096 16384 --mamba_versions 2 --mamba_backends torch mamba_ssm --compile_mamba --mamba2_split --no_eager
run_step m2_builtin_profile 200 "${BENCH[@]}" --parts profile --profile_seq_lens 4096 --mamba_versions 2 --mamba_backends torch mamba_ssm --compile_mamba --no_eager
run_step m2_builtin 300 "${BENCH[@]}" --parts sweep --seq_lens 4096 --mamba_versions 2 --mamba_backends torch mamba_ssm --compile_mamba --sweep_compile 4096
run_step m2_eager_long 200 "${BENCH[@]}" --parts sweep --seq_lens 16384 32768 --mamba_versions 2 --mamba_backends mamba_ssm --mamba2_split --sweep_compile
run_step triton_split_check 240 python3 tools/gpu_mamba_check.py --triton_split auto --out "$OUT/mamba_check_split.json"
run_step m1_split 240 "${BENCH[@]}" --triton_split auto --parts sweep --seq_lens 8192 16384 --mamba_versions 1 --mamba_backends triton mamba_ssm --sweep_compile
run_step m1_32k 240 "${BENCH[@]}" --parts sweep --seq_lens 32768 --mamba_versions 1 --mamba_backends mamba_ssm triton --compile_mamba
ls -la "$OUT"
