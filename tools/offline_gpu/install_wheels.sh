#!/usr/bin/env bash
# install_wheels.sh SITE DIR...: the wheels in each DIR into SITE (pip --target, offline, no dependencies), skipping any
# that SITE holds already: a warm machine keeps SITE between calls, and setup.sh and protocol_call.sh both call this, so
# a wheel (mamba_ssm's is 40 MB) installs once. One pip per folder: a wheel pip refuses stops only its own folder's.
site=${1:?site folder}; shift
for d in "$@"; do
  todo=()
  for w in "$d"/*.whl; do
    [ -e "$w" ] || continue   # the folder is not carried in this call
    [ -d "$site/$(basename "$w" | cut -d- -f1-2).dist-info" ] || todo+=("$w")   # name-version, as its .dist-info is named
  done
  [ ${#todo[@]} -eq 0 ] || python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --target "$site" "${todo[@]}" 2>&1 | grep -v WARNING
done
true
