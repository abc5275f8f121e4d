"""Profile the trainer's own step (`Trainer._step`, as `bitbyte train` runs it) with torch.profiler: the largest
kernels and host ops, and how busy the GPU is between two host syncs.

    python tools/profile_trainer.py --data artifacts/datasets/shakespeare --compile [--compile_mode reduce-overhead] [--quant]
"""
import argparse, json, time
from pathlib import Path
import torch
from bitbyte.training.trainer import TrainConfig, Trainer
from bitbyte.experiments.peer import NANOGPT_CHAR, NANOGPT_CHAR_TRAIN

def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--data', default='artifacts/datasets/shakespeare'); p.add_argument('--out', default='artifacts/runs/profile')
    p.add_argument('--compile', action='store_true'); p.add_argument('--compile_mode', default=None)
    p.add_argument('--quant', action='store_true'); p.add_argument('--steps', type=int, default=20)
    p.add_argument('--json', default=None, help='write the tables as JSON here')
    a = p.parse_args()
    cfg = TrainConfig(family='bitbyte', model=dict(NANOGPT_CHAR, quant=a.quant, act_quant=a.quant), data=a.data, out=a.out,
                      steps=1000, compile=a.compile, compile_mode=a.compile_mode, progress=False, allow_overwrite=True,
                      device='cuda', **NANOGPT_CHAR_TRAIN)
    t = Trainer(cfg); t.model.train(); t.pending = []
    for s in range(10): t._step(s)                       # compile, capture, warm up
    torch.cuda.synchronize()
    from torch.profiler import profile, ProfilerActivity
    with profile(activities=[ProfilerActivity.CPU, ProfilerActivity.CUDA]) as prof:
        t0 = time.perf_counter()
        outs = [t._step(10 + s) for s in range(a.steps)]
        torch.cuda.synchronize(); wall = time.perf_counter() - t0
    ka = prof.key_averages()
    gpu = sum(e.self_device_time_total for e in ka) / 1e3   # ms of kernels
    print(f"{a.steps} steps: {wall / a.steps * 1e3:.2f} ms/step wall (profiled), GPU kernels {gpu / a.steps:.2f} ms/step "
          f"({gpu / (wall * 1e3):.0%} busy)")
    print(ka.table(sort_by='self_device_time_total', row_limit=25, max_name_column_width=70))
    print(ka.table(sort_by='self_cpu_time_total', row_limit=20, max_name_column_width=70))
    if a.json:
        rows = [dict(name=e.key, calls=e.count, cuda_ms=e.self_device_time_total / 1e3, cpu_ms=e.self_cpu_time_total / 1e3) for e in ka]
        Path(a.json).write_text(json.dumps(dict(steps=a.steps, wall_ms_per_step=wall / a.steps * 1e3, gpu_ms_per_step=gpu / a.steps, ops=rows)))

if __name__ == '__main__': main()
