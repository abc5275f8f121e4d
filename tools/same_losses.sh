#!/usr/bin/env bash
# Do two checkouts of BitByte train to the same numbers? Trains a tiny model of each family (BitByteLM ternary,
# Mamba-1, Mamba-2, the diffusion denoiser) for 12 steps on the CPU with each checkout, on the same data and seed,
# and compares the logged losses and the final val metric exactly. For refactors that must change no number:
#     bash tools/same_losses.sh OLD_CHECKOUT NEW_CHECKOUT [DATASET]
# (a checkout: e.g. `git worktree add /tmp/before COMMIT`; DATASET defaults to artifacts/datasets/shakespeare,
# which `bitbyte prepare shakespeare` writes). Prints one line per family; exits 1 if any differs.
set -euo pipefail
old=$(realpath "$1"); new=$(realpath "$2"); data=$(realpath "${3:-artifacts/datasets/shakespeare}")
[ -d "$data/train" ] || { echo "error: no dataset at $data; run \`bitbyte prepare shakespeare\` or pass one" >&2; exit 2; }
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
fams=("bitbyte --quant --act_quant" "mamba --version 1" "mamba --version 2" "diffusion")
for side in old new; do
  root=${!side}; mkdir -p "$work/$side"
  for i in "${!fams[@]}"; do
    (cd "$root" && PYTHONPATH="$root" OMP_NUM_THREADS=2 python -m bitbyte.cli train --family ${fams[$i]} --d_model 32 --n_layer 2 \
       --data "$data" --steps 12 --seq_len 64 --batch_bytes 1024 --micro_bytes 512 --device cpu --out "$work/$side/$i" --seed 0 \
       --log_every 1 --eval_every 6 --eval_bytes 4096 --no-progress > "$work/$side/$i.log" 2>&1) \
      || { echo "error: ${fams[$i]} failed in $root; see its log:" >&2; tail -3 "$work/$side/$i.log" >&2; exit 2; }
  done
done
rc=0
for i in "${!fams[@]}"; do
  python3 - "$work/old/$i" "$work/new/$i" "${fams[$i]}" <<'PY' || rc=1
import json, sys
a, b, name = sys.argv[1:]
def losses(d): return [(r['step'], r['loss']) for r in map(json.loads, open(f"{d}/metrics.jsonl")) if r.get('kind') == 'train']
def final(d): return json.load(open(f"{d}/run.json")).get('val_value')
same = losses(a) == losses(b) and final(a) == final(b)
print(f"{name:28s} {'same' if same else 'DIFFERENT'}: final loss {losses(a)[-1][1]:.6f} vs {losses(b)[-1][1]:.6f}, val {final(a)} vs {final(b)}")
sys.exit(0 if same else 1)
PY
done
exit $rc
