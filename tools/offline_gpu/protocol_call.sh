#!/usr/bin/env bash
# One call of protocol v2 at report size on an offline GPU machine (README.md), through the protocol's own code
# (`ProtocolV2`; the report notebook needs papermill, which this carry leaves out):
#
#   BITBYTE_COMMIT=<commit> bash tools/offline_gpu/protocol_call.sh SECONDS [WORK] [JSON]
#
# SECONDS: start no new arm after this many seconds (an arm takes about 90 s more: keep the call within its limit).
# WORK: the results folder under $OUT (default reports): artifacts/reports/results.csv and the Optuna journal are
#   copied in first, so no arm in the table runs again; after the call, here:
#   python tools/offline_gpu/merge_protocol.py <files_at>/reports.tgz
# JSON: ProtocolV2's keyword arguments, e.g. '{"corpora": ["linux"], "backbones": ["bitbyte-fp"], "gpus": [0, 1]}'
#   and "phases" (default all three).
# REQUIRE="mamba_ssm causal_conv1d": stop before any arm unless these import (a Mamba arm would otherwise train on the
# built-in scan; each row's `kernels` says which ran). Wheels in .whl/ are installed too when carried; on a warm
# machine the site folder keeps what an earlier call installed, so the Mamba wheels (53 MB) and the Linux archive
# (34 MiB), which do not fit one carry together, can travel in two calls.
# Carry .whl_exp (optuna, colorlog) and artifacts/carry (the Linux archive: `bitbyte prepare linux --subset carry
# --archive artifacts/carry/linux-carry.tar.xz`). The folder comes back as $OUT/WORK.tgz (table, journal,
# every arm's log in logs/, its run record and metrics in runs/protocol_v2/: unpack that into artifacts/reports): the job runner returns only a few files per call.
set -uo pipefail
SECS=${1:?seconds}; WORK="$OUT/${2:-reports}"; KW=${3:-'{}'}
SITE=${SITE:-/tmp/site}
for d in .whl_exp .whl; do   # one install per folder: a wheel pip refuses stops only its own folder's
  ls $d/*.whl 2>/dev/null | xargs -r python3 -m pip install -q --no-index --no-deps --target "$SITE" 2>&1 | grep -v WARNING
done
export PYTHONPATH="$PWD:$SITE" PYTHONUNBUFFERED=1 NCCL_NVLS_ENABLE=0
if [ -n "${REQUIRE:-}" ] && ! python3 -c "import importlib; [importlib.import_module(m) for m in '$REQUIRE'.split()]"; then
  echo "protocol_call: cannot import one of '$REQUIRE': carry their wheels in .whl (or install them earlier on this machine)"; exit 1
fi
if [ ! -f artifacts/datasets/linux-carry/val/manifest.json ]; then
  mkdir -p artifacts/datasets && tar -xJf artifacts/carry/linux-carry.tar.xz -C artifacts/datasets || exit 1
fi
mkdir -p "$WORK/logs" && cp artifacts/reports/results.csv artifacts/reports/protocol_v2.optuna.jsonl "$WORK/"
python3 - "$WORK" "$SECS" "$KW" <<'EOF'
import json, sys
from bitbyte.experiments.protocol import ProtocolV2
work, secs, kw = sys.argv[1], float(sys.argv[2]), json.loads(sys.argv[3])
phases = tuple(kw.pop('phases', ('sweep', 'final', 'longctx')))
p = ProtocolV2('report', work=work, timeout=secs, **kw)
print(f"{p.run(phases)} arms in this call"); print(p.summary().to_string())
EOF
rc=$?
for d in artifacts/runs/protocol_v2/*/; do   # each arm's log, and its run record and metrics (the report's curves), not its weights
  n=$(basename "$d"); cp "$d/cli.log" "$WORK/logs/$n.log" 2>/dev/null
  mkdir -p "$WORK/runs/protocol_v2/$n" && cp "$d"/{run.json,metrics.jsonl,train_config.json} "$WORK/runs/protocol_v2/$n/" 2>/dev/null
done
# one archive: the job runner returns only a few files per call
tar czf "$WORK.tgz" -C "$(dirname "$WORK")" "$(basename "$WORK")" && rm -rf "$WORK"
exit $rc
