"""Bytes that Mamba-2's built-in chunked scan (`ssd_chunked`) writes and reads (`bitbyte.experiments.bench.TrafficCount`), for one
forward and one backward under bf16 autocast on the CPU. The scan is memory-bound on a GPU, so these totals bound its
time there: divide by the GPU's memory bandwidth. Figures are scaled from `--batch` to `--scale_to` sequences (the
counts are linear in the batch).
usage: python tools/ssd_traffic.py [--seq_len 4096] [--heads 24] [--d_head 64] [--d_state 128] [--chunk 64]"""
import argparse
import torch
from bitbyte.experiments.bench import TrafficCount
from bitbyte.models.mamba2 import ssd_chunked

def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    for k, v in dict(seq_len=4096, heads=24, d_head=64, d_state=128, groups=1, chunk=64, batch=1, scale_to=16).items():
        p.add_argument(f'--{k}', type=int, default=v)
    a = p.parse_args()
    g = torch.Generator().manual_seed(0)
    r = lambda *s: torch.randn(*s, generator=g).bfloat16().requires_grad_()
    b, l = a.batch, a.seq_len
    inp = dict(x=r(b, l, a.heads, a.d_head), dt=r(b, l, a.heads), A=-torch.rand(a.heads, generator=g) * 4,
               B=r(b, l, a.groups, a.d_state), C=r(b, l, a.groups, a.d_state), D=torch.ones(a.heads), dt_bias=torch.zeros(a.heads))
    with torch.autocast('cpu', dtype=torch.bfloat16), TrafficCount() as fwd: y = ssd_chunked(**inp, chunk_size=a.chunk)
    with TrafficCount() as bwd: y.float().square().sum().backward()
    s = a.scale_to / b / 1e9
    print(f"ssd_chunked, {a.scale_to} x {l} steps, {a.heads} heads of {a.d_head}, d_state {a.d_state}, chunk {a.chunk}:")
    for name, t in (('forward', fwd), ('backward', bwd)):
        top = ', '.join(f"{k} {v * s:.2f}" for k, v in sorted(t.by_op.items(), key=lambda kv: -kv[1])[:4])
        print(f"  {name}: writes {t.written * s:.1f} GB, reads {t.read * s:.1f} GB (largest writers, GB: {top})")

if __name__ == '__main__': main()
