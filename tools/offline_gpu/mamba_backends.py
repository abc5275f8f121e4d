"""Which scan should protocol v2's Mamba-1 arms run on? An arm has a fixed time budget, so it must run on the fastest
kernels there are. For each of the protocol's shapes and each Mamba-1 scan backend that imports here (`mamba_ssm`,
`triton`), this trains `mamba1-fp` exactly as an arm does (the protocol's own arguments: compiled, on Shakespeare,
steps fixed from a timing after compilation) at a short budget, and reads the run record: training bytes a second
(compilation and evaluation apart), the step time of the budget's timing, the kernels that ran. One CSV row per run;
the last line names the faster backend per shape. `MambaConfig(backend='auto')` tries `mamba_ssm` first (`AUTO` in
`bitbyte.kernels.backends`): change that order only on this measurement.

usage (repo root, on a CUDA machine with `mamba_ssm` and `causal_conv1d` installed):
    PYTHONPATH=. python3 tools/offline_gpu/mamba_backends.py --out "$OUT/mamba_backends.csv" [--budget 15] [--gpus 0 1]
"""
import argparse, json, sys, tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
import pandas as pd
from bitbyte.experiments.protocol import V2_SIZES, ProtocolV2, run_cli, train_argv
from bitbyte.kernels.backends import SCAN_BACKENDS

def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('--out', required=True, help="CSV to write (refused if it exists)")
    ap.add_argument('--budget', type=float, default=15.0, help="training seconds of each run (after compilation)")
    ap.add_argument('--backbone', default='mamba1-fp')
    ap.add_argument('--backends', nargs='+', default=['mamba_ssm', 'triton'], choices=list(SCAN_BACKENDS))
    ap.add_argument('--size', default='report', choices=list(V2_SIZES), help="the protocol size whose model and shapes run (toy: a CPU check)")
    ap.add_argument('--device', default='cuda')
    ap.add_argument('--gpus', type=int, nargs='*', default=[], help="one GPU per backend: the backends run at once (nvidia-h200-x2)")
    a = ap.parse_args(argv)
    out = Path(a.out)
    if out.exists(): sys.exit(f"mamba_backends: {out} exists; give another --out or remove it")
    if a.budget <= 0: sys.exit(f"mamba_backends: --budget must be positive seconds, got {a.budget}")
    if missing := [b for b in a.backends if not SCAN_BACKENDS[b].available()]:
        sys.exit(f"mamba_backends: {missing} do not import here; install mamba_ssm and causal_conv1d (and triton) on a CUDA machine")
    if a.gpus and len(a.gpus) != len(a.backends): sys.exit(f"mamba_backends: give one GPU per backend ({len(a.backends)}), or none")
    tmp = tempfile.TemporaryDirectory()
    p = ProtocolV2(a.size, work=tmp.name, corpora=['shakespeare'], backbones=[a.backbone], device=a.device)   # an arm's own model and options
    family, model = p.model_for('shakespeare', a.backbone); kw = dict(p.train_kw, final_eval=False, eval_every=10**9)
    def measure(be, gpu):   # every shape on one backend, in turn
        rows = []
        for shape in p.shapes.values():
            run = Path(tmp.name)/f"{be}_T{shape['seq_len']}"
            run_cli(train_argv(family, dict(model, backend=be), p.data['shakespeare'], run, 1e-3, shape, 0, a.budget, None, p.device, **kw),
                    run/'cli.log', gpu)
            r = json.loads((run/'run.json').read_text())
            rows.append(dict(backbone=a.backbone, backend=be, kernels=r.get('kernels'), seq_len=shape['seq_len'],
                             batch_bytes=shape['batch_bytes'], steps=r['steps'], train_s=r['train_s'], compile_s=r['compile_s'],
                             step_ms=1e3 * r['budget_timing']['step_s'], train_bytes_per_s=r['train_bytes_per_s'],
                             peak_mem_bytes=r.get('peak_mem_bytes'), device=r.get('device'), commit=(r.get('commit') or '')[:10]))
        return rows
    with tmp, ThreadPoolExecutor(max(1, len(a.gpus))) as pool:
        df = pd.DataFrame([r for rows in pool.map(measure, a.backends, a.gpus or [None] * len(a.backends)) for r in rows])
    print(df.to_string(index=False)); out.parent.mkdir(parents=True, exist_ok=True); df.to_csv(out, index=False)
    best = df.loc[df.groupby('seq_len').train_bytes_per_s.idxmax()]
    print('faster per shape: ' + ', '.join(f"T{r.seq_len}: {r.backend}" for r in best.itertuples()))

if __name__ == '__main__': main()
