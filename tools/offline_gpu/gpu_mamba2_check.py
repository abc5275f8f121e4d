#!/usr/bin/env python
"""Check the Mamba-2 (SSD) scan's two backends on a CUDA GPU, and Mamba-1's Triton scan against mamba_ssm; writes JSON.

  * the scan alone: `ssd_chunked` (built in) against `mamba_ssm`'s `mamba_chunk_scan_combined` on the same fp32
    inputs: outputs, final states and input gradients (max abs / max rel diff), and both against `ssd_ref` on a
    short sequence;
  * a MambaLM with `version=2` at the size the benchmark matches to GPT-2 small, backend 'torch', 'mamba_ssm'
    (split kernels) and, with causal-conv1d installed, `mamba_ssm`'s fused path, on the same weights: logits, loss
    and fp32 gradients, and greedy generation's bytes;
  * Mamba-1's Triton scan (`backend='triton'`) against `mamba_ssm` on a small model, after the kernel's
    CPU-only edits: loss and gradients, without and with the sequence split into 4 segments;
  * the device name and versions.
A part that fails gets its traceback in the JSON and the others go on; the JSON is rewritten after each part.

    PYTHONPATH=. python tools/offline_gpu/gpu_mamba2_check.py --out mamba2_check.json
"""
import argparse, json, sys, traceback
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))
import torch
from bitbyte.core import seed_everything
from bitbyte.models.mamba import MambaLM, MambaConfig
from bitbyte.kernels.backends import SSD_KERNEL_CHUNK, mamba_kernels, ssd_kernels, ssd_fused_function
from bitbyte.kernels.scan_triton import triton_available
from bitbyte.kernels.ssd import ssd_chunked, ssd_ref
from bitbyte.experiments.bench import GPT2_SMALL, mamba_matched
from gpu_mamba_check import diffs   # the Mamba-1 check beside this file: max abs, max rel and mean abs differences


def scan_inputs(b, l, h, p, g, n, seed=0):
    gen = torch.Generator(device='cuda').manual_seed(seed)
    r = lambda *s: torch.randn(*s, device='cuda', generator=gen)
    return dict(x=r(b, l, h, p), dt=r(b, l, h) - 1, A=-torch.rand(h, device='cuda', generator=gen) * 8 - 1,
                B=r(b, l, g, n), C=r(b, l, g, n), D=r(h), dt_bias=r(h) * 0.5)


def scan_part():
    ker = ssd_kernels()[0]
    run = {'torch': lambda i, **kw: ssd_chunked(**i, return_final_state=True, **kw),
           'mamba_ssm': lambda i, **kw: ker(i['x'], i['dt'], i['A'], i['B'], i['C'], SSD_KERNEL_CHUNK, D=i['D'], dt_bias=i['dt_bias'],
                                            dt_softplus=True, return_final_states=True)}
    out = {}
    short = scan_inputs(1, 300, 4, 16, 1, 16, seed=1)
    yr, Hr = ssd_ref(**short, return_final_state=True)
    for k, f in run.items():
        y, H = f(short); out[f'{k}_vs_ref_l300'] = dict(y=diffs(y, yr), state=diffs(H, Hr))
    inp = {k: v.requires_grad_() for k, v in scan_inputs(2, 4096, 24, 64, 1, 128).items()}
    res = {}
    for k, f in run.items():
        y, H = f(inp)
        gw = torch.Generator(device='cuda').manual_seed(7)   # a fixed linear loss: gradient errors are the backward's own
        wy, wH = (torch.randn(t.shape, device='cuda', generator=gw) for t in (y, H))
        ((y.float() * wy).sum() + (H.float() * wH).sum()).backward()
        res[k] = (y.detach(), H.detach(), {n: v.grad.clone() for n, v in inp.items()})
        for v in inp.values(): v.grad = None
    out['mamba_ssm_vs_torch_l4096'] = dict(y=diffs(res['mamba_ssm'][0], res['torch'][0]), state=diffs(res['mamba_ssm'][1], res['torch'][1]),
                                           grads={n: diffs(res['mamba_ssm'][2][n], res['torch'][2][n]) for n in inp})
    return out


def model_part():
    """The matched model on the built-in path ('torch'), `mamba_ssm`'s split kernels ('mamba_ssm', built with
    fused=False) and, where causal-conv1d imports, its fused path ('fused'), on the same weights.
    The top-level figures compare 'mamba_ssm' with 'torch' (as before); `fused` compares the fused path with both."""
    cfg = mamba_matched(GPT2_SMALL, 2)
    seed_everything(0)
    models = {be: MambaLM(cfg.replace(backend=be, fused=False)).cuda() for be in ('torch', 'mamba_ssm')}
    if ssd_fused_function() is not None: models['fused'] = MambaLM(cfg.replace(backend='mamba_ssm')).cuda()
    for m in list(models.values())[1:]: m.load_state_dict(models['torch'].state_dict())
    x = torch.randint(0, 256, (2, 2049), device='cuda', generator=torch.Generator(device='cuda').manual_seed(0))
    out = dict(config=cfg.to_dict(), params=models['torch'].num_params(),
               paths={k: m.layers[0].mixer.path(m.emb(x)) for k, m in models.items()})
    with torch.no_grad():
        lg = {k: m(x[:, :-1]).float() for k, m in models.items()}
        loss = {k: m.loss(x)[0].item() for k, m in models.items()}
        with torch.autocast('cuda', torch.bfloat16): lb = {k: m(x[:, :-1]).float() for k, m in models.items()}
    grads = {}
    for k, m in models.items():
        m.zero_grad(set_to_none=True); m.loss(x)[0].backward()
        grads[k] = torch.cat([p.grad.flatten() for p in m.parameters()]); m.zero_grad(set_to_none=True)
    with torch.autocast('cuda', torch.bfloat16): gen = {k: m.generate(x[:1, :500], 64, temperature=0)[:, 500:] for k, m in models.items()}
    def compare(a, b): return dict(logits_fp32=diffs(lg[a], lg[b]), logits_bf16=diffs(lb[a], lb[b]), grads_fp32=diffs(grads[a], grads[b]),
                                   greedy_same_bytes=float((gen[a] == gen[b]).float().mean()))
    out.update(compare('mamba_ssm', 'torch'), loss_fp32=loss)
    if 'fused' in models: out['fused'] = dict(vs_torch=compare('fused', 'torch'), vs_split=compare('fused', 'mamba_ssm'))
    return out


def triton_part():
    seed_everything(0)
    cfg = MambaConfig(d_model=256, n_layer=4, quant=False)
    models = {be: MambaLM(cfg.replace(backend=be)).cuda() for be in ('mamba_ssm', 'triton')}
    models['triton'].load_state_dict(models['mamba_ssm'].state_dict())
    x = torch.randint(0, 256, (4, 2049), device='cuda', generator=torch.Generator(device='cuda').manual_seed(0))
    out = dict(scan_backends={k: m.layers[0].mixer.scan_backend(m.emb(x)) for k, m in models.items()})
    grads, loss = {}, {}
    for k, m in models.items():
        l = m.loss(x)[0]; l.backward(); loss[k] = l.item()
        grads[k] = torch.cat([p.grad.flatten() for p in m.parameters()]); m.zero_grad(set_to_none=True)
    out.update(loss_fp32=loss, grads_fp32=diffs(grads['triton'], grads['mamba_ssm']))
    m = MambaLM(cfg.replace(backend='triton', triton_split=4)).cuda()   # the same with the sequence split into 4 segments per row
    m.load_state_dict(models['mamba_ssm'].state_dict()); l = m.loss(x)[0]; l.backward()
    g4 = torch.cat([p.grad.flatten() for p in m.parameters()]); m.zero_grad(set_to_none=True)
    out['split4'] = dict(loss_fp32=l.item(), grads_fp32=diffs(g4, grads['mamba_ssm']))
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--out', required=True)
    ap.add_argument('--parts', nargs='+', default=['scan', 'model', 'mamba1_triton'], choices=['scan', 'model', 'mamba1_triton'],
                    help='the parts to run; those of an existing --out file that are not run are kept')
    a = ap.parse_args()
    assert torch.cuda.is_available(), "needs a CUDA GPU"
    res = json.loads(Path(a.out).read_text()) if Path(a.out).exists() else {}
    res.update(device=torch.cuda.get_device_name(), torch=torch.__version__, ssd_kernels=ssd_kernels() is not None, ssd_fused=ssd_fused_function() is not None,
               mamba_kernels=mamba_kernels() is not None, triton=triton_available())
    try: import triton; res['triton_version'] = triton.__version__
    except Exception: pass
    for name, fn in (('scan', scan_part), ('model', model_part), ('mamba1_triton', triton_part)):
        if name not in a.parts: continue
        try: res[name] = fn()
        except Exception: res[name] = dict(error=traceback.format_exc())
        Path(a.out).write_text(json.dumps(res, indent=1))
        print(name, json.dumps(res[name])[:1500], flush=True)


if __name__ == '__main__': main()
