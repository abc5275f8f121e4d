# Source this on the GPU machine (from the repo root): installs the carried wheels (.whl/) into /tmp/site and,
# with BUILD_MAMBA=1, builds mamba-ssm from its sdist for sm_90 in the background (about 3 minutes).
# A prebuilt mamba_ssm wheel in .whl/ is installed instead when present.
export PYTHONUNBUFFERED=1 PYTHONPATH="$PWD:/tmp/site" NCCL_NVLS_ENABLE=0
python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --target /tmp/site .whl/*.whl 2>&1 | grep -v WARNING || true
python3 -m ipykernel install --prefix /tmp/site >/dev/null 2>&1 || true
export JUPYTER_PATH=/tmp/site/share/jupyter
if [ "${BUILD_MAMBA:-0}" = 1 ] && ! ls .whl/mamba_ssm-*.whl >/dev/null 2>&1; then
  repo=$PWD
  ( mkdir -p /tmp/mb && cd /tmp/mb && tar xzf "$repo"/.whl/mamba_ssm-*.tar.gz && cd mamba_ssm-*/ \
    && python3 "$repo/tools/gpu/mamba_sm90_only.py" setup.py \
    && MAMBA_FORCE_BUILD=TRUE MAX_JOBS=${MAMBA_JOBS:-14} python3 -m pip wheel -q --no-index --no-deps --no-build-isolation -w /tmp/mbw . \
    && python3 -m pip install -q --no-index --no-deps --target /tmp/site /tmp/mbw/*.whl && echo MAMBA_BUILD_OK ) > /tmp/mamba_build.log 2>&1 &
  MAMBA_BUILD_PID=$!
fi
wait_mamba() { if [ -n "${MAMBA_BUILD_PID:-}" ]; then wait $MAMBA_BUILD_PID; tail -3 /tmp/mamba_build.log; fi; }
