# Source this on the GPU machine (from the repo root): installs the carried wheels (.whl/) into /tmp/site and,
# with BUILD_MAMBA=1, builds from their sdists (for sm_90 only, in the background) what has no wheel in .whl/:
# mamba-ssm (about 3 minutes) and causal-conv1d (the convolution kernels of Mamba-2's fused path; 7 minutes when
# it shared the CPUs with a Triton autotuning run). Built wheels go to $OUT/wheels in parts of 15 MiB (the device
# tool returns files of 16 MiB at most); here, `cat X.whl.part-* > .whl/X.whl` puts one back together, so it can
# travel as a wheel next time. `wait_mamba` waits for the builds.
export PYTHONUNBUFFERED=1 PYTHONPATH="$PWD:/tmp/site" NCCL_NVLS_ENABLE=0
python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --target /tmp/site .whl/*.whl 2>&1 | grep -v WARNING || true
python3 -m ipykernel install --prefix /tmp/site >/dev/null 2>&1 || true
export JUPYTER_PATH=/tmp/site/share/jupyter
build_sm90() {   # build_sm90 NAME: its sdist in .whl/ → a wheel for sm_90, installed into /tmp/site
  local name=$1 repo=$PWD
  ( mkdir -p /tmp/build_$name && cd /tmp/build_$name && tar xzf "$repo"/.whl/$name-*.tar.gz && cd $name-*/ \
    && python3 "$repo/tools/gpu/mamba_sm90_only.py" setup.py \
    && MAMBA_FORCE_BUILD=TRUE CAUSAL_CONV1D_FORCE_BUILD=TRUE MAX_JOBS=${MAMBA_JOBS:-12} \
       python3 -m pip wheel -q --no-index --no-deps --no-build-isolation -w /tmp/wheels_$name . \
    && python3 -m pip install -q --no-index --no-deps --target /tmp/site /tmp/wheels_$name/*.whl \
    && { [ -z "${OUT:-}" ] || { mkdir -p "$OUT/wheels" && for w in /tmp/wheels_$name/*.whl; do split -b 15M "$w" "$OUT/wheels/$(basename "$w").part-"; done; }; } \
    && echo "${name}_BUILD_OK" ) > /tmp/${name}_build.log 2>&1
}
BUILD_PIDS=""
if [ "${BUILD_MAMBA:-0}" = 1 ]; then
  for name in mamba_ssm causal_conv1d; do
    if ! ls .whl/$name-*.whl >/dev/null 2>&1 && ls .whl/$name-*.tar.gz >/dev/null 2>&1; then
      build_sm90 $name & BUILD_PIDS="$BUILD_PIDS $!"
    fi
  done
fi
wait_mamba() { for p in $BUILD_PIDS; do wait $p; done; for f in /tmp/*_build.log; do [ -e "$f" ] && tail -3 "$f"; done; true; }
