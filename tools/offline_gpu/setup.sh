# Source this on the GPU machine (from the repo root): installs the carried wheels (.whl/) into $SITE and,
# with BUILD_MAMBA=1, builds from their sdists (for one GPU architecture, $CUDA_ARCH, in the background) what has no wheel in .whl/:
# mamba-ssm (about 3 minutes) and causal-conv1d (the convolution kernels of Mamba-2's fused path; 7 minutes when
# it shared the CPUs with a Triton autotuning run). Built wheels go to $OUT/wheels in parts of 15 MiB (the job
# runner returns files of 16 MiB at most); here, `cat X.whl.part-* > .whl/X.whl` puts one back together, so it can
# travel as a wheel next time. `wait_mamba` waits for the builds.
# Paths on the machine, each overridable before sourcing (see README.md):
#   SITE     where the wheels are installed and put on PYTHONPATH (default /tmp/site)
#   SCRATCH  where builds, their logs and Triton's cache go (default /tmp)
#   CUDA_ARCH the one GPU architecture the builds compile for (default 90: H100/H200)
#   OUT      the folder whose files come back from the machine (set by whatever runs the job; optional)
SITE=${SITE:-/tmp/site} SCRATCH=${SCRATCH:-/tmp}
export PYTHONUNBUFFERED=1 PYTHONPATH="$PWD:$SITE" NCCL_NVLS_ENABLE=0
# Triton's autotuning results on disk (mamba_ssm's kernels take about two minutes per new shape): every process of the
# call after the first reuses them, and `save_autotune` returns them in $OUT/triton_autotune.tgz; kept here as
# .triton_autotune/autotune.tgz and carried, they are unpacked below, so a later session skips the benchmarking too.
# (Triton does not cache kernels whose configs carry pre-hooks; those tune again.)
export TRITON_CACHE_AUTOTUNING=1 TRITON_CACHE_DIR="$SCRATCH/triton_cache"
mkdir -p "$TRITON_CACHE_DIR"
[ -f .triton_autotune/autotune.tgz ] && tar xzf .triton_autotune/autotune.tgz -C "$TRITON_CACHE_DIR" && echo "autotune cache: $(tar tzf .triton_autotune/autotune.tgz | grep -c autotune.json) results unpacked"
save_autotune() { [ -n "${OUT:-}" ] && ( cd "$TRITON_CACHE_DIR" && find . -name '*.autotune.json' | tar czf "$OUT/triton_autotune.tgz" -T - ) && echo "autotune cache: $(tar tzf "$OUT/triton_autotune.tgz" | wc -l) results in \$OUT/triton_autotune.tgz"; true; }
bash tools/offline_gpu/install_wheels.sh "$SITE" .whl .whl_m1 .whl_m2   # whichever of them this call carries
python3 -m ipykernel install --prefix "$SITE" >/dev/null 2>&1 || true
export JUPYTER_PATH="$SITE/share/jupyter"
build_sm90() {   # build_sm90 NAME: its sdist in .whl/ → a wheel for sm_90, installed into $SITE
  local name=$1 repo=$PWD
  ( mkdir -p "$SCRATCH/build_$name" && cd "$SCRATCH/build_$name" && tar xzf "$repo"/.whl/$name-*.tar.gz && cd $name-*/ \
    && python3 "$repo/tools/offline_gpu/mamba_sm90_only.py" setup.py "${CUDA_ARCH:-90}" \
    && MAMBA_FORCE_BUILD=TRUE CAUSAL_CONV1D_FORCE_BUILD=TRUE MAX_JOBS=${MAMBA_JOBS:-12} \
       python3 -m pip wheel -q --no-index --no-deps --no-build-isolation -w "$SCRATCH/wheels_$name" . \
    && python3 -m pip install -q --no-index --no-deps --target "$SITE" "$SCRATCH"/wheels_$name/*.whl \
    && { [ -z "${OUT:-}" ] || { mkdir -p "$OUT/wheels" && for w in "$SCRATCH"/wheels_$name/*.whl; do split -b 15M "$w" "$OUT/wheels/$(basename "$w").part-"; done; }; } \
    && echo "${name}_BUILD_OK" ) > "$SCRATCH/${name}_build.log" 2>&1
}
BUILD_PIDS=""
if [ "${BUILD_MAMBA:-0}" = 1 ]; then
  for name in mamba_ssm causal_conv1d; do
    if ! ls .whl/$name-*.whl >/dev/null 2>&1 && ls .whl/$name-*.tar.gz >/dev/null 2>&1; then
      build_sm90 $name & BUILD_PIDS="$BUILD_PIDS $!"
    fi
  done
fi
wait_mamba() { for p in $BUILD_PIDS; do wait $p; done; for f in "$SCRATCH"/*_build.log; do [ -e "$f" ] && tail -3 "$f"; done; true; }
