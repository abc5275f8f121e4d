"""Time the trainer's whole step (`Trainer._step`, as `bitbyte train` runs it) with each optimizer, in one process, so
their ratio is taken within one call: milliseconds a step and bytes a second, and the optimizer state's size.

    python tools/bench_optimizer.py [--size large] [--optimizers adamw muon] [--steps 100] [--json FILE] [--device cpu]

The model and recipe are protocol v2's at `--size` (`V2_SIZES`: bitbyte-fp, Shakespeare, the report's training options),
compiled as its arms are. Prints one row per optimizer; a figure, not a test: the machine may be shared.
"""
import argparse, json, time, tempfile
import torch
from bitbyte.training.trainer import TrainConfig, Trainer
from bitbyte.training.hooks import optimizer_state_bytes
from bitbyte.experiments.protocol import V2_SIZES, ProtocolV2
from bitbyte.experiments.runner import ensure_data

def time_steps(opt:str, size:str, steps:int, warm:int=15, device:str='cuda') -> dict:
    "One optimizer's step time: `warm` steps to compile and capture, then `steps` timed between two device syncs."
    with tempfile.TemporaryDirectory() as work:
        p = ProtocolV2(size, work=work)   # bitbyte-fp on Shakespeare as the protocol's arms train it: its model, recipe and options
        family, model = p.model_for('shakespeare', 'bitbyte-fp')
        cfg = TrainConfig(family=family, model=model, data=ensure_data(None, size), out=f"{work}/run", steps=10**6, device=device,
                          lr=1e-3, **p.shapes[next(iter(p.shapes))], **{**p.train_for('shakespeare'), 'optimizer': opt, 'progress': False})
        t = Trainer(cfg); t.model.train(); t.pending = []
        try:
            for s in range(warm): t._step(s)
            sync = torch.cuda.synchronize if t.device.type == 'cuda' else (lambda: None)
            sync(); t0 = time.perf_counter()
            outs = [t._step(warm + s) for s in range(steps)]
            sync(); wall = time.perf_counter() - t0
            return dict(optimizer=t.opt_name, ms_per_step=round(1e3 * wall / steps, 3),
                        mb_per_s=round(sum(o['bytes'] for o in outs) / wall / 1e6, 3),
                        state_mib=round(optimizer_state_bytes(t.opt) / 2**20, 2), final_loss=round(float(outs[-1]['loss']), 4))
        finally: t.close()

def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--size', default='large', choices=[s for s in V2_SIZES if s != 'toy'])
    p.add_argument('--optimizers', nargs='+', default=['adamw', 'muon']); p.add_argument('--steps', type=int, default=100)
    p.add_argument('--device', default='cuda', help='cpu: a check of this script, not a figure')
    p.add_argument('--warm', type=int, default=15, help='steps before the clock starts (compilation, CUDA graphs)')
    p.add_argument('--json', default=None, help='write the rows as JSON here')
    a = p.parse_args()
    name = torch.cuda.get_device_name() if a.device == 'cuda' else a.device
    rows = [dict(size=a.size, device=name, **time_steps(o, a.size, a.steps, a.warm, a.device)) for o in a.optimizers]
    for r in rows: print(json.dumps(r))
    base = rows[0]['ms_per_step']
    for r in rows[1:]: print(f"{r['optimizer']}: {r['ms_per_step'] / base:.3f}x the step time of {rows[0]['optimizer']}")
    if a.json: json.dump(rows, open(a.json, 'w'), indent=1)

if __name__ == '__main__': main()
