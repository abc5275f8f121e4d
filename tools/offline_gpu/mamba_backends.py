"""How should protocol v2's Mamba arms run? An arm has a fixed time budget, so it must run on the fastest kernels and
compile mode there are, and its budget's timing must hold. For each variant (a scan backend and a `torch.compile`
mode) and each of the protocol's shapes, this trains a Mamba backbone exactly as an arm does (the protocol's own
arguments: compiled, on Shakespeare, steps fixed from a timing after compilation) at a short budget, and reads the run
record: training bytes a second (compilation and evaluation apart), the step time of the budget's timing, how far the
training time missed the budget, the kernels that ran. `--check_steps N` also trains each variant N steps from the same
seed at the first shape and reports its last logged loss: variants that run the same math agree there (a capture
that replayed stale buffers would not). One CSV row per run; the last lines name the faster variant per shape.
`--adopt BACKEND:MODE` makes the exit status the decision: 1 unless that variant is the fastest at every shape, its
training time is within 3% of the budget at each (a time-budgeted arm's promise), and its check loss is within
`--loss_tol` of every other variant's; so a call can go on to train arms only on a variant that passed.

Variants are BACKEND:MODE, e.g. `mamba_ssm:default mamba_ssm:reduce-overhead` (Mamba-2: `mamba_ssm` runs the fused
op; reduce-overhead replays the compiled step as CUDA graphs) or `mamba_ssm:default triton:default` (Mamba-1's scans).
`MambaConfig(backend='auto')` tries `mamba_ssm` first (`AUTO` in `bitbyte.kernels.backends`), and `MambaLM.train_graphs`
says whether a compiled step replays as CUDA graphs: change either only on this measurement.

usage (repo root, on a CUDA machine with `mamba_ssm` and `causal_conv1d` installed; on the offline GPU machine after
`source tools/offline_gpu/setup.sh`, which puts the repo and the installed wheels on PYTHONPATH, so do not set it again):
    python3 tools/offline_gpu/mamba_backends.py --out "$OUT/mamba_backends.csv" \\
        [--backbone mamba2-fp] [--variants mamba_ssm:default mamba_ssm:reduce-overhead] [--budget 15] [--check_steps 60] [--gpus 0 1] \\
        [--adopt mamba_ssm:reduce-overhead]
"""
import argparse, json, sys, tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
import pandas as pd
from bitbyte.experiments.protocol import BUDGET_TOL, V2_SIZES, ProtocolV2, train_argv
from bitbyte.experiments.runner import run_cli
from bitbyte.kernels.backends import SCAN_BACKENDS, SSD_BACKENDS
from bitbyte.training.tracking import load_metrics

MODES = ('default', 'reduce-overhead', 'max-autotune-no-cudagraphs')

def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('--out', required=True, help="CSV to write (refused if it exists)")
    ap.add_argument('--budget', type=float, default=15.0, help="training seconds of each run (after compilation)")
    ap.add_argument('--backbone', default='mamba1-fp', help="a Mamba backbone of protocol v2 (mamba1-fp, mamba2-ternary, ...)")
    ap.add_argument('--variants', nargs='+', default=['mamba_ssm:default', 'triton:default'], help="BACKEND:MODE each")
    ap.add_argument('--check_steps', type=int, default=0, help="also train each variant this many steps at the first shape and compare losses")
    ap.add_argument('--size', default='report', choices=list(V2_SIZES), help="the protocol size whose model and shapes run (toy: a CPU check)")
    ap.add_argument('--device', default='cuda')
    ap.add_argument('--gpus', type=int, nargs='*', default=[], help="one GPU per variant: the variants run at once (nvidia-h200-x2)")
    ap.add_argument('--adopt', help=f"BACKEND:MODE, one of --variants: exit 1 unless it is the fastest at every shape, within {BUDGET_TOL:.0%}% of the budget, and agrees on the check loss")
    ap.add_argument('--loss_tol', type=float, default=0.02, help="largest difference of check losses (nats) that --adopt accepts")
    a = ap.parse_args(argv)
    out = Path(a.out)
    if out.exists(): sys.exit(f"mamba_backends: {out} exists; give another --out or remove it")
    if a.budget <= 0: sys.exit(f"mamba_backends: --budget must be positive seconds, got {a.budget}")
    if a.check_steps < 0: sys.exit(f"mamba_backends: --check_steps must be 0 or more, got {a.check_steps}")
    if not a.backbone.startswith('mamba'): sys.exit(f"mamba_backends: --backbone must be a Mamba backbone, got {a.backbone}")
    registry = SSD_BACKENDS if a.backbone.startswith('mamba2') else SCAN_BACKENDS
    variant = lambda v: tuple(v.split(':', 1)) if ':' in v else (v, 'default')   # BACKEND[:MODE]
    variants = [variant(v) for v in a.variants]
    if bad := [f"{b}:{m}" for b, m in variants if b not in registry or m not in MODES]:
        sys.exit(f"mamba_backends: {bad} are not BACKEND:MODE with BACKEND in {list(registry)} and MODE in {list(MODES)}")
    if missing := sorted({b for b, _ in variants if not registry[b].available()}):
        sys.exit(f"mamba_backends: {missing} do not import here; install mamba_ssm and causal_conv1d (and triton) on a CUDA machine")
    if a.gpus and len(a.gpus) != len(variants): sys.exit(f"mamba_backends: give one GPU per variant ({len(variants)}), or none")
    adopt = variant(a.adopt) if a.adopt else None
    if adopt and adopt not in variants: sys.exit(f"mamba_backends: --adopt {a.adopt} is not one of --variants")
    if adopt and len(variants) < 2: sys.exit("mamba_backends: --adopt compares variants: give at least two")
    if a.loss_tol <= 0: sys.exit(f"mamba_backends: --loss_tol must be positive, got {a.loss_tol}")
    tmp = tempfile.TemporaryDirectory()
    p = ProtocolV2(a.size, work=tmp.name, corpora=['shakespeare'], backbones=[a.backbone], device=a.device)   # an arm's own model and options
    family, model = p.model_for('shakespeare', a.backbone)
    shapes = list(p.shapes.values())
    def train(be, mode, shape, gpu, budget=None, steps=None) -> dict:
        "One run of the variant at `shape` (a time budget or a number of steps): its CSV row."
        run = Path(tmp.name)/f"{be}_{mode}_T{shape['seq_len']}_{'tb' if budget else 'steps'}"
        kw = dict(p.train_kw, final_eval=False, eval_every=10**9, compile_mode=mode)
        run_cli(train_argv(family, dict(model, backend=be), p.data['shakespeare'], run, 1e-3, shape, 0, budget, steps, p.device, **kw),
                run/'cli.log', gpu)
        r = json.loads((run/'run.json').read_text())
        row = dict(backbone=a.backbone, backend=be, compile_mode=mode, kernels=r.get('kernels'), seq_len=shape['seq_len'],
                   batch_bytes=shape['batch_bytes'], steps=r['steps'], device=r.get('device'), commit=(r.get('commit') or '')[:10])
        if budget: return row | dict(train_s=r['train_s'], compile_s=r['compile_s'], budget_miss=r['train_s'] / budget - 1,
                                     step_ms=1e3 * r['budget_timing']['step_s'], train_bytes_per_s=r['train_bytes_per_s'],
                                     peak_mem_bytes=r.get('peak_mem_bytes'), check_loss=None)
        m = load_metrics(run)
        return row | dict(check_loss=float(m[m.kind == 'train'].loss.dropna().iloc[-1]))   # its last logged training loss
    def measure(variant, gpu):   # every shape on one variant, in turn, then its fixed-step check
        rows = [train(*variant, shape, gpu, budget=a.budget) for shape in shapes]
        return rows + ([train(*variant, shapes[0], gpu, steps=a.check_steps)] if a.check_steps else [])
    with tmp, ThreadPoolExecutor(max(1, len(a.gpus))) as pool:
        df = pd.DataFrame([r for rows in pool.map(measure, variants, a.gpus or [None] * len(variants)) for r in rows])
    print(df.to_string(index=False)); out.parent.mkdir(parents=True, exist_ok=True); df.to_csv(out, index=False)
    print('faster per shape: ' + ', '.join(f"T{r.seq_len}: {r.backend}:{r.compile_mode}" for r in fastest(df).itertuples()))
    if a.check_steps:
        c = df.dropna(subset=['check_loss'])
        print(f"loss after {a.check_steps} steps (same seed): " + ', '.join(f"{r.backend}:{r.compile_mode} {r.check_loss:.4f}" for r in c.itertuples())
              + f"; spread {c.check_loss.max() - c.check_loss.min():.4f}")
    if adopt: sys.exit(verdict(df, adopt, a.loss_tol))

def fastest(df):
    "The timed row (not a loss check) with the most training bytes a second, per shape."
    timed = df[df.check_loss.isna()]
    return timed.loc[timed.groupby('seq_len').train_bytes_per_s.idxmax()]

def verdict(df, adopt:tuple, loss_tol:float) -> int:
    "0 when variant `adopt` (backend, mode) passes `--adopt`'s three conditions in `df` (main's rows), else 1; says why."
    timed, mine = df[df.check_loss.isna()], lambda d: d[(d.backend == adopt[0]) & (d.compile_mode == adopt[1])]
    why = [f"slower at T{r.seq_len}" for r in fastest(df).itertuples() if (r.backend, r.compile_mode) != adopt]
    why += [f"trained {1 + m:.0%} of its budget at T{t}" for t, m in zip(mine(timed).seq_len, mine(timed).budget_miss) if abs(m) > BUDGET_TOL]
    c = df.dropna(subset=['check_loss'])
    if len(c) and (d := (c.check_loss - float(mine(c).check_loss.iloc[0])).abs().max()) > loss_tol:
        why.append(f"its check loss differs by {d:.4f} nats (more than {loss_tol})")
    print(f"adopt {':'.join(adopt)}: " + ('yes' if not why else 'no: ' + '; '.join(why)))
    return int(bool(why))

if __name__ == '__main__': main()
