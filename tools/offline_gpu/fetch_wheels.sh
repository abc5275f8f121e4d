# Fill .whl/ (git-ignored; named in the device tool's `carry`) with what the GPU machine lacks: papermill and
# ipykernel (minus what its image already has), bitsandbytes, and the mamba-ssm and causal-conv1d sdists that setup.sh builds there.
# usage (repo root, on a machine with PyPI): bash tools/offline_gpu/fetch_wheels.sh [--no-bnb]
# The carry limit is 64 MiB: bitsandbytes (43 MB) and a prebuilt mamba_ssm wheel (40 MB) do not fit together.
set -euo pipefail
mkdir -p .whl
grep -qx '/.whl/' .git/info/exclude 2>/dev/null || echo '/.whl/' >> .git/info/exclude
py="--python-version 3.12 --implementation cp --only-binary=:all: --platform manylinux2014_x86_64 --platform manylinux_2_17_x86_64 --platform manylinux_2_24_x86_64 --platform manylinux_2_28_x86_64"
python3 -m pip download -q $py -d .whl papermill ipykernel
# the GPU image has these already (or they are optional there); dropping them keeps the carry small
rm -f .whl/debugpy-* .whl/jedi-* .whl/parso-* .whl/tqdm-* .whl/typing_extensions-* .whl/packaging-* .whl/pyyaml-* \
      .whl/requests-* .whl/urllib3-* .whl/idna-* .whl/certifi-* .whl/charset_normalizer-* .whl/click-*
[ "${1:-}" = "--no-bnb" ] || python3 -m pip download -q --no-deps $py -d .whl bitsandbytes==0.50.2
MAMBA_SKIP_CUDA_BUILD=TRUE python3 -m pip download -q --no-deps --no-binary=:all: --no-build-isolation -d .whl mamba-ssm==2.3.2.post1
CAUSAL_CONV1D_SKIP_CUDA_BUILD=TRUE python3 -m pip download -q --no-deps --no-binary=:all: --no-build-isolation -d .whl causal-conv1d==1.7.0
du -sh .whl
