#!/usr/bin/env python
"""Check MambaLM's two backends on a CUDA GPU and time them; writes JSON.

Builds one MambaLM with backend='torch' (the built-in chunked scan) and one with backend='mamba_ssm' (the
mamba_ssm CUDA kernels), gives both the same weights, and reports
  * agreement of logits and loss (max abs / max rel diff) in fp32 and under bf16 autocast,
  * the time of a forward+backward+AdamW training step (bf16 autocast, median of --iters after --warmup) at each
    --seq_lens, with batch = --bytes_per_step // seq_len so every step sees the same number of bytes,
  * peak GPU memory per run, the speed ratio torch/mamba_ssm, the device name and versions.

Run from the repository root without installing the package:
    PYTHONPATH=. python tools/gpu_mamba_check.py --out results.json
"""
import argparse, json, os, statistics, sys, time, traceback
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import torch
from bitbyte.mamba import MambaLM, MambaConfig, mamba_kernels


def diffs(a, b):
    a, b = a.float(), b.float()
    d = (a - b).abs()
    return dict(max_abs=d.max().item(), max_rel=(d.max() / a.abs().max().clamp(min=1e-12)).item(),
                mean_abs=d.mean().item())


def agreement(mt, mk, seq_len, batch, seed):
    g = torch.Generator(device='cuda').manual_seed(seed)
    x = torch.randint(0, 256, (batch, seq_len + 1), device='cuda', generator=g)
    out = {}
    for name, ac in (('fp32', False), ('bf16_autocast', True)):
        with torch.no_grad(), torch.autocast('cuda', torch.bfloat16, enabled=ac):
            la, lb = mt(x[:, :-1]), mk(x[:, :-1])
            lossa, lossb = mt.loss(x)[0], mk.loss(x)[0]
        out[name] = dict(logits=diffs(la, lb), loss_torch=lossa.item(), loss_mamba_ssm=lossb.item())
    # gradients (fp32): same weights, same batch
    grads = []
    for m in (mt, mk):
        m.zero_grad(set_to_none=True); m.loss(x)[0].backward()
        grads.append(torch.cat([p.grad.flatten() for p in m.parameters() if p.grad is not None]))
    out['fp32_grads'] = diffs(grads[0], grads[1])
    for m in (mt, mk): m.zero_grad(set_to_none=True)
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
        del opt; torch.cuda.empty_cache()
        return dict(error=f"out of memory: {str(e).splitlines()[0]}", peak_mem_gib=torch.cuda.max_memory_allocated() / 2**30)
    med = statistics.median(times)
    res = dict(step_s_median=med, step_s_all=times, bytes_per_s=batch * seq_len / med, final_loss=loss.item(),
               peak_mem_gib=torch.cuda.max_memory_allocated() / 2**30)
    del opt; torch.cuda.empty_cache()
    return res


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--out', required=True, help='path of the JSON report')
    ap.add_argument('--d_model', type=int, default=256)
    ap.add_argument('--n_layer', type=int, default=4)
    ap.add_argument('--d_state', type=int, default=16)
    ap.add_argument('--no_quant', action='store_true', help='plain nn.Linear projections instead of BitLinear')
    ap.add_argument('--seq_lens', type=int, nargs='+', default=[2048, 8192])
    ap.add_argument('--bytes_per_step', type=int, default=32768)
    ap.add_argument('--warmup', type=int, default=3)
    ap.add_argument('--iters', type=int, default=10)
    ap.add_argument('--check_len', type=int, default=2048, help='sequence length of the agreement check')
    ap.add_argument('--seed', type=int, default=0)
    args = ap.parse_args()

    rep = dict(args=vars(args), torch=torch.__version__, cuda=torch.version.cuda,
               cuda_available=torch.cuda.is_available())
    def write():
        Path(args.out).parent.mkdir(parents=True, exist_ok=True)
        Path(args.out).write_text(json.dumps(rep, indent=2))
    if not torch.cuda.is_available():
        rep['error'] = 'CUDA is not available'; write(); print(json.dumps(rep, indent=2)); return 1
    rep['device'] = torch.cuda.get_device_name()
    try:
        import mamba_ssm; rep['mamba_ssm'] = getattr(mamba_ssm, '__version__', '?')
    except Exception as e: rep['mamba_ssm_import_error'] = f"{type(e).__name__}: {e}"
    try:
        import causal_conv1d; rep['causal_conv1d'] = getattr(causal_conv1d, '__version__', '?')
    except Exception as e: rep['causal_conv1d'] = None
    k = mamba_kernels()
    rep['kernels'] = dict(selective_scan_fn=k is not None, causal_conv1d_fn=bool(k and k[1] is not None))

    torch.manual_seed(args.seed)
    cfg = MambaConfig(d_model=args.d_model, n_layer=args.n_layer, d_state=args.d_state, quant=not args.no_quant)
    mt = MambaLM(cfg.replace(backend='torch')).cuda()
    rep['config'] = cfg.to_dict(); rep['params'] = mt.num_params()
    rep['flops_per_byte'] = mt.flops_per_byte(max(args.seq_lens))
    mk = None
    if k is not None:
        mk = MambaLM(cfg.replace(backend='mamba_ssm')).cuda()
        mk.load_state_dict(mt.state_dict())
        probe = mk.emb(torch.zeros(1, 1, dtype=torch.long, device='cuda'))
        assert mk.layers[0].mixer.uses_kernels(probe) and not mt.layers[0].mixer.uses_kernels(probe)
        try: rep['agreement'] = agreement(mt, mk, args.check_len, 2, args.seed)
        except Exception: rep['agreement_error'] = traceback.format_exc()
        write()

    rep['timing'] = {}
    for L in args.seq_lens:
        batch = max(1, args.bytes_per_step // L)
        row = dict(batch=batch, bytes_per_step=batch * L)
        for name, m in (('torch', mt), ('mamba_ssm', mk)):
            if m is None: continue
            try: row[name] = time_training(m, L, batch, args.warmup, args.iters, args.seed)
            except Exception: row[name] = dict(error=traceback.format_exc())
            print(f"seq {L} batch {batch} {name}: {row[name].get('step_s_median', row[name].get('error'))}", flush=True)
            write()
        t, s = row.get('torch', {}), row.get('mamba_ssm', {})
        if 'step_s_median' in t and 'step_s_median' in s:
            row['speedup_mamba_ssm_over_torch'] = t['step_s_median'] / s['step_s_median']
        rep['timing'][str(L)] = row
        write()
    print(json.dumps({k_: v for k_, v in rep.items() if k_ != 'args'}, indent=2, default=str))
    return 0


if __name__ == '__main__':
    sys.exit(main())
