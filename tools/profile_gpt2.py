#!/usr/bin/env python
"""Where a GPT-2-small training step spends its time: the project's BitByteLM against nanoGPT's GPT, in one process.

The speed issue asks for the MFU of both at GPT-2-small scale (12 layers, 768 wide, sequence 1024, 12 sequences) with
one FLOP formula (nanoGPT's `estimate_mfu`: 6 per weight per token plus 12·L·d·T for attention). The formula counts
each model's output layer, and that layer differs: nanoGPT's is 768 x 50,304 (a quarter of its counted FLOPs, one
large matmul), the byte model's 768 x 256. This script tests whether that is what separates the two MFUs: it
profiles a compiled bf16 AdamW step of each (nanoGPT's model imported from a checkout given by path, never copied)
and splits the device time into kernel classes (`bitbyte.experiments.peer.kernel_class`), then times
every matmul by its shape: FLOPs per step from the shapes, achieved TFLOP/s, and which layer it is (the output layer
is the matmul with the vocabulary in its shape).

    python tools/profile_gpt2.py --peer .peer/nanoGPT --device cuda --out gpt2_profile.csv

Rows: one per (model, kernel class), per (model, matmul shape) and per (model, kernel) for the largest kernels; `kind`
says which. A CPU smoke run:
`python tools/profile_gpt2.py --peer PATH --device cpu --tiny --no_compile`.
"""
import argparse, sys, time
from pathlib import Path
import pandas as pd, torch
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bitbyte.core import device_name, sync
from bitbyte.experiments.bench import GPT2_SMALL, _train_setup, matmul_peak_flops
from bitbyte.experiments.peer import kernel_class, mm_flops, timed_events, event_us

def nanogpt_setup(checkout, cfg:dict, seq_len:int, batch:int, device, compile:bool, vocab:int=50304):
    "(model, step): nanoGPT's GPT at `cfg`, its own optimizer groups (fused AdamW), bf16 autocast, random tokens (its bench.py)."
    sys.path.insert(0, str(Path(checkout).resolve()))
    from model import GPT, GPTConfig
    m = GPT(GPTConfig(block_size=seq_len, n_layer=cfg['n_layer'], n_head=cfg['n_head'], n_embd=cfg['d_model'], dropout=0.0,
                      bias=False, vocab_size=vocab)).to(device)
    opt = m.configure_optimizers(weight_decay=1e-2, learning_rate=1e-4, betas=(0.9, 0.95), device_type=device.type)
    fwd = torch.compile(m) if compile else m
    x, y = (torch.randint(vocab, (batch, seq_len), device=device) for _ in range(2))
    def step():
        with torch.autocast(device.type, dtype=torch.bfloat16, enabled=device.type == 'cuda'):
            _, loss = fwd(x, y)
        loss.backward(); opt.step(); opt.zero_grad(set_to_none=True)
    return m, step

def profile_step(step, device, steps:int=5, warmup:int=3):
    "Wall ms per step, and the profiler's key averages (by input shape) over `steps` steps."
    from torch.profiler import profile, ProfilerActivity
    for _ in range(warmup): step()
    sync(device); t0 = time.perf_counter()
    for _ in range(steps): step()
    sync(device); wall = (time.perf_counter() - t0) / steps
    acts = [ProfilerActivity.CPU] + ([ProfilerActivity.CUDA] if device.type == 'cuda' else [])
    with profile(activities=acts, record_shapes=True) as prof:
        for _ in range(steps): step()
        sync(device)
    return wall * 1e3, prof

def summarize(model_name:str, prof, wall_ms:float, steps:int, flops_step:float, peak:float, vocab:int, device, top:int=15) -> list[dict]:
    cuda = device.type == 'cuda'
    rows, base = [], dict(model=model_name, step_ms_wall=wall_ms, formula_tflops_per_step=flops_step / 1e12,
                          mfu=flops_step / (wall_ms / 1e3) / peak, device=device_name(device))
    ev, _ = timed_events(prof, cuda)   # the kernels on a GPU, not the annotations that span them; the operators elsewhere
    by = {}
    for e in ev: by[kernel_class(e.key)] = by.get(kernel_class(e.key), 0.0) + event_us(e, cuda)
    busy = sum(by.values())
    for e in ev[:top]:   # the largest by name, so a class can be checked
        rows.append(dict(base, kind='kernel', what=e.key[:160], layer=kernel_class(e.key), calls_per_step=e.count / steps,
                         ms_per_step=event_us(e, cuda) / 1e3 / steps))
    for c, us in sorted(by.items(), key=lambda kv: -kv[1]):
        rows.append(dict(base, kind='class', what=c, ms_per_step=us / 1e3 / steps, share=us / busy if busy else None))
    # matmuls by shape: FLOPs from the recorded shapes, time of their kernels
    for e in prof.key_averages(group_by_input_shape=True):
        if e.key not in ('aten::mm', 'aten::addmm', 'aten::bmm'): continue
        us = event_us(e, cuda, self_=False)   # the operator with the kernels it launched
        if not us: continue
        f = mm_flops(e.key, e.input_shapes) * e.count / steps
        shapes = [tuple(s) for s in e.input_shapes if s]
        layer = 'output layer' if any(vocab in s for s in shapes) else 'attention' if e.key == 'aten::bmm' else 'blocks'
        rows.append(dict(base, kind='matmul', what=f"{e.key} {shapes}", layer=layer, calls_per_step=e.count / steps,
                         ms_per_step=us / 1e3 / steps, share=us / busy if busy else None, gflops_per_step=f / 1e9,
                         tflops=f / (us / 1e6 / steps) / 1e12 if f else None))
    return rows

def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--peer', required=True, help='a nanoGPT checkout (its model.py is imported from there)')
    p.add_argument('--device', default='cuda'); p.add_argument('--steps', type=int, default=5)
    p.add_argument('--tiny', action='store_true', help='a 2-layer, 48-wide model at sequence 64 (a CPU smoke run)')
    p.add_argument('--no_compile', action='store_true'); p.add_argument('--out', default=None)
    a = p.parse_args()
    dev = torch.device(a.device)
    cfg, T, B, vocab = (dict(d_model=48, n_layer=2, n_head=2), 64, 2, 512) if a.tiny else (GPT2_SMALL, 1024, 12, 50304)
    peak = matmul_peak_flops(dev, n=1024 if a.tiny else 8192)
    print(f"matmul peak {peak/1e12:.1f} TFLOP/s on {device_name(dev)}", flush=True)
    rows = []
    ours, _, ostep = _train_setup('bitbyte', dict(cfg, quant=False, act_quant=False, max_seq_len=T), T, B * T, dev, not a.no_compile)
    fl = ours.flops_per_byte(T) * B * T
    wall, prof = profile_step(ostep, dev, a.steps); rows += summarize('bitbyte', prof, wall, a.steps, fl, peak, 256, dev)
    del ours, ostep, prof
    m, nstep = nanogpt_setup(a.peer, cfg, T, B, dev, not a.no_compile, vocab)
    # nanoGPT's estimate_mfu: 6N + 12·L·H·Q·T per token, N without the position embeddings (the tied output layer counted once)
    fl = (6 * m.get_num_params() + 12 * cfg['n_layer'] * cfg['d_model'] * T) * B * T
    wall, prof = profile_step(nstep, dev, a.steps); rows += summarize('nanogpt', prof, wall, a.steps, fl, peak, vocab, dev)
    df = pd.DataFrame(rows)
    for name, g in df.groupby('model', sort=False):
        w = g.step_ms_wall.iloc[0]
        print(f"\n{name}: {w:.2f} ms/step, MFU {g.mfu.iloc[0]:.1%} of the measured peak ({g.formula_tflops_per_step.iloc[0]:.3f} TFLOP per step by the formula)")
        for r in g[g.kind == 'class'].itertuples(): print(f"  {r.what:18s} {r.ms_per_step:8.2f} ms  {r.share:6.1%}")
        mm = g[g.kind == 'matmul']
        for layer, h in mm.groupby('layer'):
            ms, gf = h.ms_per_step.sum(), h.gflops_per_step.sum()
            print(f"  matmuls, {layer:12s} {ms:8.2f} ms  {gf:9.1f} GFLOP  {gf / ms:6.1f} TFLOP/s ({gf / ms * 1e12 / peak:.0%} of peak)")
    if a.out: df.to_csv(a.out, index=False)

if __name__ == '__main__': main()
