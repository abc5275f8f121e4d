"""What Mamba-2's built-in scan spends its GPU time on: one matched-size mixer (d_model 768, 24 heads of 64,
d_state 128) on 16 x 4096 bytes, bf16 autocast, forward and backward, eager and compiled, with the aten ops that
launch the largest kernels and their input shapes (a kernel name alone does not say which copy it is).
usage (GPU machine, repo root): python3 tools/offline_gpu/ssd_profile.py [--seq_len 4096] [--batch 16]"""
import argparse, time, torch
from torch.profiler import profile, ProfilerActivity
from bitbyte.models.mamba2 import Mamba2Mixer

def step_fn(mixer, x):
    def step():
        with torch.autocast('cuda', dtype=torch.bfloat16): y = mixer(x)
        y.float().square().mean().backward()
    return step

def main():
    p = argparse.ArgumentParser(); p.add_argument('--seq_len', type=int, default=4096); p.add_argument('--batch', type=int, default=16)
    a = p.parse_args()
    torch.manual_seed(0)
    mixer = Mamba2Mixer(768, d_state=128, d_head=64, backend='torch').cuda()
    x = torch.randn(a.batch, a.seq_len, 768, device='cuda', requires_grad=True)
    for name, m in (('eager', mixer), ('compiled', torch.compile(mixer))):
        step = step_fn(m, x)
        for _ in range(3): step()
        torch.cuda.synchronize(); t = time.perf_counter()
        for _ in range(5): step()
        torch.cuda.synchronize(); ms = (time.perf_counter() - t) / 5 * 1e3
        with profile(activities=[ProfilerActivity.CPU, ProfilerActivity.CUDA], record_shapes=True) as prof:
            step(); torch.cuda.synchronize()
        print(f"=== {name}: {ms:.1f} ms per layer step (fwd+bwd, recomputed scan)")
        print(prof.key_averages(group_by_input_shape=True).table(sort_by='self_device_time_total', row_limit=14, max_name_column_width=60,
                                                                 max_shapes_column_width=110))

if __name__ == '__main__': main()
