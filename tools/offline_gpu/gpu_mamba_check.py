#!/usr/bin/env python
"""Check MambaLM's three scan backends on a CUDA GPU and time them; writes JSON.

Builds one MambaLM per backend with the same weights: backend='torch' (the built-in chunked PyTorch scan),
backend='triton' (the built-in Triton scan, when triton imports) and backend='mamba_ssm' (the mamba_ssm CUDA
kernels, when they import), and reports
  * agreement of logits, loss and fp32 gradients with the reference backend (mamba_ssm if present, else torch),
    in fp32 and under bf16 autocast (max abs / max rel diff),
  * the time of a forward+backward+AdamW training step (bf16 autocast, median of --iters after --warmup) at each
    --seq_lens, with batch = --bytes_per_step // seq_len so every step sees the same number of bytes, the peak GPU
    memory of each run, and the step-time ratios torch/mamba_ssm and triton/mamba_ssm,
  * the scan alone (forward+backward, bf16 inputs, at the model's d_inner and d_state, the training runs' batch):
    Triton at each --triton_block_ds on (b, l, d) tensors as the mixer gives them, mamba_ssm's selective_scan_fn
    and the chunked scan on (b, d, l) tensors, time and the peak memory above the inputs,
  * the device name and versions.
A backend that fails (a Triton compile error, out of memory) gets its traceback in the JSON; the others go on.
The JSON is rewritten after every measurement, so a run cut short still leaves what it measured.

Run from the repository root without installing the package:
    PYTHONPATH=. python tools/offline_gpu/gpu_mamba_check.py --out results.json
    PYTHONPATH=. python tools/offline_gpu/gpu_mamba_check.py --gpt2_small --out results.json   # the benchmark's matched size
"""
import argparse, json, statistics, sys, time, traceback
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import torch
from bitbyte.models.mamba import MambaLM, MambaConfig
from bitbyte.kernels.backends import mamba_kernels
from bitbyte.kernels.scan_triton import triton_available, selective_scan_triton
from bitbyte.kernels.scan_ref import selective_scan_chunked


def diffs(a, b):
    a, b = a.float(), b.float()
    d = (a - b).abs()
    return dict(max_abs=d.max().item(), max_rel=(d.max() / b.abs().max().clamp(min=1e-12)).item(),
                mean_abs=d.mean().item())


def err(e=None):
    "A failure as JSON: out of memory in one line, anything else with its traceback."
    if isinstance(e, torch.OutOfMemoryError): return dict(error=f"out of memory: {str(e).splitlines()[0]}")
    return dict(error=traceback.format_exc())


def agreement(models, ref, seq_len, batch, seed):
    "Logits, losses and fp32 gradients of every backend against `ref`'s, on one batch."
    g = torch.Generator(device='cuda').manual_seed(seed)
    x = torch.randint(0, 256, (batch, seq_len + 1), device='cuda', generator=g)
    out = {}
    for name, ac in (('fp32', False), ('bf16_autocast', True)):
        res = {}
        for k, m in models.items():
            try:
                with torch.no_grad(), torch.autocast('cuda', torch.bfloat16, enabled=ac):
                    res[k] = (m(x[:, :-1]).float(), m.loss(x)[0].item())
            except Exception as e: out.setdefault(name, {})[k] = err(e)
        for k in res:
            if k != ref and ref in res:
                out.setdefault(name, {})[k] = dict(logits=diffs(res[k][0], res[ref][0]), loss=res[k][1], loss_ref=res[ref][1])
        del res
    grads = {}
    for k, m in models.items():
        try:
            m.zero_grad(set_to_none=True); m.loss(x)[0].backward()
            grads[k] = torch.cat([p.grad.flatten() for p in m.parameters() if p.grad is not None])
        except Exception as e: out.setdefault('fp32_grads', {})[k] = err(e)
        m.zero_grad(set_to_none=True)
    for k in grads:
        if k != ref and ref in grads: out.setdefault('fp32_grads', {})[k] = diffs(grads[k], grads[ref])
    out['reference'] = ref
    return out


def time_training(model, seq_len, batch, warmup, iters, seed):
    torch.cuda.empty_cache(); torch.cuda.reset_peak_memory_stats()
    opt = torch.optim.AdamW(model.parameters(), lr=1e-4)
    g = torch.Generator(device='cuda').manual_seed(seed)
    x = torch.randint(0, 256, (batch, seq_len + 1), device='cuda', generator=g)
    model.train()
    times = []
    try:
        for i in range(warmup + iters):
            torch.cuda.synchronize(); t0 = time.perf_counter()
            with torch.autocast('cuda', torch.bfloat16):
                loss = model.loss(x)[0]
            opt.zero_grad(set_to_none=True); loss.backward(); opt.step()
            torch.cuda.synchronize()
            if i >= warmup: times.append(time.perf_counter() - t0)
    except torch.OutOfMemoryError as e:
        del opt; model.zero_grad(set_to_none=True); torch.cuda.empty_cache()
        return dict(error=f"out of memory: {str(e).splitlines()[0]}", peak_mem_gib=torch.cuda.max_memory_allocated() / 2**30)
    med = statistics.median(times)
    res = dict(step_s_median=med, step_s_all=times, bytes_per_s=batch * seq_len / med, final_loss=loss.item(),
               peak_mem_gib=torch.cuda.max_memory_allocated() / 2**30)
    del opt; model.zero_grad(set_to_none=True); torch.cuda.empty_cache()
    return res


def time_scan(fn, batch, d, n, seq_len, layout='bdl', warmup=2, iters=5, seed=0):
    """Forward+backward of one selective scan `fn(u, delta, A, B, C, D, z)`, bf16 inputs, contiguous in `layout`:
    'bdl' `(b, d, l)` as mamba_ssm takes them, 'bld' `(b, l, d)` as the mixer hands them to the Triton scan."""
    torch.cuda.empty_cache(); torch.cuda.reset_peak_memory_stats()
    g = torch.Generator(device='cuda').manual_seed(seed)
    r = lambda *s: torch.randn(*s, device='cuda', generator=g)
    bf = lambda t: t.bfloat16().requires_grad_(True)
    shape = (lambda k: (batch, k, seq_len)) if layout == 'bdl' else (lambda k: (batch, seq_len, k))
    u, delta, z = bf(r(*shape(d))), bf(r(*shape(d)) * 0.5 - 3), bf(r(*shape(d)))
    B, C = bf(r(*shape(n))), bf(r(*shape(n)))
    A = (-torch.arange(1, n + 1, device='cuda', dtype=torch.float32).repeat(d, 1)).requires_grad_(True)
    D = torch.ones(d, device='cuda', requires_grad=True)
    base = torch.cuda.max_memory_allocated()
    times = []
    for i in range(warmup + iters):
        torch.cuda.synchronize(); t0 = time.perf_counter()
        y = fn(u, delta, A, B, C, D, z)
        y.backward(torch.ones_like(y))
        torch.cuda.synchronize()
        if i >= warmup: times.append(time.perf_counter() - t0)
        for t in (u, delta, z, B, C, A, D): t.grad = None
        del y
    return dict(fwd_bwd_s_median=statistics.median(times), fwd_bwd_s_all=times,
                peak_mem_gib_above_inputs=(torch.cuda.max_memory_allocated() - base) / 2**30)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--out', required=True, help='path of the JSON report')
    ap.add_argument('--d_model', type=int, default=256)
    ap.add_argument('--n_layer', type=int, default=4)
    ap.add_argument('--d_state', type=int, default=16)
    ap.add_argument('--gpt2_small', action='store_true',
                    help="the MambaLM `bitbyte bench` matches to GPT-2 small's parameters (overrides --d_model/--n_layer, no BitLinear)")
    ap.add_argument('--no_quant', action='store_true', help='plain nn.Linear projections instead of BitLinear')
    ap.add_argument('--backends', nargs='+', default=['torch', 'triton', 'mamba_ssm'], choices=['torch', 'triton', 'mamba_ssm'])
    ap.add_argument('--seq_lens', type=int, nargs='+', default=[2048, 8192])
    ap.add_argument('--bytes_per_step', type=int, default=32768)
    ap.add_argument('--warmup', type=int, default=3)
    ap.add_argument('--iters', type=int, default=10)
    ap.add_argument('--check_len', type=int, default=2048, help='sequence length of the agreement check')
    ap.add_argument('--triton_block_ds', type=int, nargs='*', default=[16, 32, 64],
                    help='BLOCK_D values of the scan-only benchmark (none: skip it)')
    ap.add_argument('--seed', type=int, default=0)
    ap.add_argument('--triton_split', default='1', help="segments the Triton scan splits the sequence into, or 'auto' (MambaConfig.triton_split)")
    args = ap.parse_args()
    split = int(args.triton_split) if args.triton_split.isdigit() else args.triton_split

    rep = dict(args=vars(args), triton_split=split, torch=torch.__version__, cuda=torch.version.cuda,
               cuda_available=torch.cuda.is_available())
    def write():
        Path(args.out).parent.mkdir(parents=True, exist_ok=True)
        Path(args.out).write_text(json.dumps(rep, indent=2, default=str))
    if not torch.cuda.is_available():
        rep['error'] = 'CUDA is not available'; write(); print(json.dumps(rep, indent=2)); return 1
    rep['device'] = torch.cuda.get_device_name()
    try:
        import mamba_ssm; rep['mamba_ssm'] = getattr(mamba_ssm, '__version__', '?')
    except Exception as e: rep['mamba_ssm_import_error'] = f"{type(e).__name__}: {e}"
    try:
        import causal_conv1d; rep['causal_conv1d'] = getattr(causal_conv1d, '__version__', '?')
    except Exception as e: rep['causal_conv1d'] = None
    try:
        import triton; rep['triton'] = triton.__version__
    except Exception as e: rep['triton_import_error'] = f"{type(e).__name__}: {e}"
    k = mamba_kernels()
    rep['kernels'] = dict(selective_scan_fn=k is not None, causal_conv1d_fn=bool(k and k[1] is not None),
                          triton=triton_available())

    torch.manual_seed(args.seed)
    if args.gpt2_small:
        from bitbyte.models.base import build_model, match_config
        from bitbyte.experiments.bench import GPT2_SMALL
        tf = GPT2_SMALL
        m = match_config('mamba', build_model('bitbyte', dict(tf, quant=False)), base=dict(quant=False),
                         n_layers=[tf['n_layer'] * 2], width_step=32)
        cfg = MambaConfig(**{**m.to_dict(), 'backend': 'torch'})
    else:
        cfg = MambaConfig(d_model=args.d_model, n_layer=args.n_layer, d_state=args.d_state, quant=not args.no_quant)
    cfg = cfg.replace(triton_split=split)
    available = dict(torch=True, triton=triton_available(), mamba_ssm=k is not None)
    models = {}
    for name in args.backends:
        if not available[name]: rep.setdefault('skipped_backends', {})[name] = 'does not import'; continue
        try:
            models[name] = MambaLM(cfg.replace(backend=name)).cuda()
            if models and name != next(iter(models)): models[name].load_state_dict(next(iter(models.values())).state_dict())
        except Exception as e: rep.setdefault('build_errors', {})[name] = err(e)
    first = next(iter(models.values()))
    rep['config'] = cfg.to_dict(); rep['params'] = first.num_params()
    rep['flops_per_byte'] = first.flops_per_byte(max(args.seq_lens))
    probe = first.emb(torch.zeros(1, 1, dtype=torch.long, device='cuda'))
    rep['scan_backend'] = {n: m.layers[0].mixer.scan_backend(probe) for n, m in models.items()}
    assert all(rep['scan_backend'][n] == n for n in models), rep['scan_backend']
    ref = 'mamba_ssm' if 'mamba_ssm' in models else 'torch'
    if len(models) > 1:
        try: rep['agreement'] = agreement(models, ref, args.check_len, 2, args.seed)
        except Exception: rep['agreement_error'] = traceback.format_exc()
        write()

    rep['timing'] = {}
    for L in args.seq_lens:
        batch = max(1, args.bytes_per_step // L)
        row = dict(batch=batch, bytes_per_step=batch * L)
        rep['timing'][str(L)] = row
        for name, m in models.items():
            try: row[name] = time_training(m, L, batch, args.warmup, args.iters, args.seed)
            except Exception as e: row[name] = err(e); torch.cuda.empty_cache()
            print(f"seq {L} batch {batch} {name}: {row[name].get('step_s_median', row[name].get('error'))}", flush=True)
            write()
        s = row.get('mamba_ssm', {})
        for name in ('torch', 'triton'):
            t = row.get(name, {})
            if 'step_s_median' in t and 'step_s_median' in s:
                row[f'step_time_ratio_{name}_over_mamba_ssm'] = t['step_s_median'] / s['step_s_median']
        if 'step_time_ratio_torch_over_mamba_ssm' in row:   # the name earlier reports used
            row['speedup_mamba_ssm_over_torch'] = row['step_time_ratio_torch_over_mamba_ssm']
        write()

    # the scan alone, at the model's width
    E, N = cfg.d_inner, cfg.d_state
    scans = {}
    if 'triton' in models:
        for bd in args.triton_block_ds:
            scans[f'triton_block_d{bd}'] = ('bld', lambda u, dl, A, B, C, D, z, bd=bd:
                                            selective_scan_triton(u, dl, A, B, C, D, z, layout='bld', block_d=bd, split=split))
    if 'mamba_ssm' in models: scans['mamba_ssm'] = ('bdl', lambda u, dl, A, B, C, D, z: k[0].apply(u, dl, A, B, C, D, z, None, True, False))   # SelectiveScanFn: arguments by position
    if 'torch' in models: scans['torch_chunked'] = ('bdl', lambda u, dl, A, B, C, D, z: selective_scan_chunked(u, dl, A, B, C, D, z))
    rep['scan_only'] = {}
    for L in (args.seq_lens if args.triton_block_ds else ()):
        batch = max(1, args.bytes_per_step // L)
        row = dict(batch=batch, d_inner=E, d_state=N)
        rep['scan_only'][str(L)] = row
        for name, (layout, fn) in scans.items():
            try: row[name] = dict(layout=layout, **time_scan(fn, batch, E, N, L, layout=layout, seed=args.seed))
            except Exception as e: row[name] = err(e); torch.cuda.empty_cache()
            print(f"scan only, seq {L} batch {batch} {name}: {row[name].get('fwd_bwd_s_median', row[name].get('error'))}", flush=True)
            write()
    print(json.dumps({k_: v for k_, v in rep.items() if k_ != 'args'}, indent=2, default=str))
    return 0


if __name__ == '__main__':
    sys.exit(main())
