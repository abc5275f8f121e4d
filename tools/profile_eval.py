#!/usr/bin/env python
"""What bounds evaluation: the small model's evaluation bytes/s against its training bytes/s, in one process.

Trains BitByteLM at nanoGPT's shakespeare_char size through the trainer (the speed issue's configuration), then scores
16 MiB of the train split the way `evaluate_model` does (compiled scoring, bf16 autocast, sums kept on the device),
varying what crosses to the device (int64 windows as today, or uint8 windows from pinned memory widened on the
device) and the batch size. Prints one line per variant and the ratio to training; `--out` writes them as CSV.

    python tools/profile_eval.py --device cuda --out eval_profile.csv
"""
import argparse, sys, time
from pathlib import Path
import numpy as np, pandas as pd, torch
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bitbyte.core import device_name, sync
from bitbyte.experiments.bench import NANOGPT_CHAR, NANOGPT_CHAR_TRAIN
from bitbyte.experiments.runner import ensure_data
from bitbyte.training.data import _eval_spans
from bitbyte.training.trainer import TrainConfig, Trainer

def windows(data, seq_len, batch, max_bytes, dtype):
    ar = np.arange(seq_len + 1, dtype=np.int64)
    for mm, n in _eval_spans(data, 'train', max_bytes):
        k = (n - 1) // seq_len
        for i in range(0, k - batch + 1, batch):   # full batches only: the steady state
            yield torch.from_numpy(mm[(np.arange(i, i + batch, dtype=np.int64) * seq_len)[:, None] + ar].astype(dtype))

def score_pass(model, score, data, seq_len, batch, max_bytes, mode, dev):
    tot, n = torch.zeros((), device=dev), 0
    sync(dev); t0 = time.perf_counter()
    for b in windows(data, seq_len, batch, max_bytes, np.int64 if mode == 'int64' else np.uint8):
        if mode == 'uint8_pinned': b = b.pin_memory()
        b = b.to(dev, non_blocking=True).long()
        with torch.autocast(dev.type, dtype=torch.bfloat16):
            tot += score(b)['bpb'][0]
        n += b.size(0) * seq_len
    float(tot); sync(dev)
    return n / (time.perf_counter() - t0)

def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--device', default='cuda'); p.add_argument('--steps', type=int, default=500)
    p.add_argument('--eval_mib', type=float, default=16, help='MiB of the train split per timed pass')
    p.add_argument('--batches_kib', type=int, nargs='+', default=[256, 1024, 4096])
    p.add_argument('--out', default=None); p.add_argument('--work', default='profile_eval', help='the run folder (overwritten)')
    a = p.parse_args()
    data = ensure_data(None, size='report')   # the embedded Shakespeare corpus, prepared if missing
    cfg = TrainConfig(family='bitbyte', model=dict(NANOGPT_CHAR, quant=False, act_quant=False), data=str(data), out=a.work,
                      steps=a.steps, device=a.device, compile=True, log_every=100, progress=False, allow_overwrite=True,
                      **NANOGPT_CHAR_TRAIN)
    t = Trainer(cfg); r = t.fit(); model = t.model.eval(); dev = model.device
    rows = []
    for kb in a.batches_kib:
        batch = (kb << 10) // cfg.seq_len
        score = torch.compile(model.eval_nats, dynamic=False)
        for mode in ('int64', 'uint8', 'uint8_pinned'):
            with torch.no_grad():
                score_pass(model, score, data, cfg.seq_len, batch, 2 * (kb << 10), mode, dev)   # compile and warm
                bps = score_pass(model, score, data, cfg.seq_len, batch, int(a.eval_mib * (1 << 20)), mode, dev)
            rows.append(dict(batch_kib=kb, transfer=mode, eval_bytes_per_s=bps, train_bytes_per_s=r['train_bytes_per_s'],
                             ratio=bps / r['train_bytes_per_s'], device=device_name(dev)))
            print(f"eval batch {kb:5d} KiB, {mode:12s}: {bps:,.0f} B/s = {rows[-1]['ratio']:.2f}x training ({r['train_bytes_per_s']:,.0f} B/s)", flush=True)
    if a.out: pd.DataFrame(rows).to_csv(a.out, index=False)

if __name__ == '__main__': main()
