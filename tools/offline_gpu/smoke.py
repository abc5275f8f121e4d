"""GPU smoke run: every family trains a few steps on CUDA (bf16 autocast), with torch AdamW and with
bitsandbytes' 8-bit AdamW, from the embedded corpus; prints one line per run. Usage: python3 tools/offline_gpu/smoke.py OUT_DIR"""
import sys, json, math
from pathlib import Path
from bitbyte.training.trainer import TrainConfig, train
from bitbyte.training.corpora import prepare_shakespeare

out = Path(sys.argv[1]); data = out/'shakespeare'
prepare_shakespeare(data, allow_overwrite=True)
small = dict(bitbyte=dict(d_model=128, n_layer=2, n_head=4), mamba=dict(d_model=128, n_layer=2),
             diffusion=dict(d_model=128, n_layer=2, n_head=4))
for fam, mc in small.items():
    for opt in ('adamw', 'adamw8bit'):
        r = train(TrainConfig(family=fam, model=mc, data=str(data), out=str(out/f'{fam}_{opt}'), steps=20, seq_len=512,
                              batch_bytes=16384, micro_bytes=16384, optimizer=opt, progress=False, eval_bytes=65536,
                              probe_every=10, allow_overwrite=True, device='cuda'))
        print(f"{fam:9s} {opt:9s} -> {r['optimizer']:18s} loss {r['train_loss']:.3f} {r['val_metric']} {r['val_value']:.3f} "
              f"{r['train_bytes_per_s']:,.0f} B/s opt-state {r['optimizer_state_bytes']/2**20:.2f} MiB on {r['device']}")
        assert math.isfinite(r['val_value'])
