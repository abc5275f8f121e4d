# %% [markdown]
# # Masked-diffusion denoiser
#
# > A bidirectional BitNet Transformer (family `diffusion`) trained to restore masked bytes, its masked
# > bits-per-byte, and generation by iterative infilling.

# %%
#| default_exp diffusion

# %%
#| export
from __future__ import annotations
import math, typing
from dataclasses import dataclass
import torch, torch.nn as nn, torch.nn.functional as F
from bitbyte.core import Config, BitByteError
from bitbyte.models import ByteLM, register, sample_next, to_bytes_tensor, N_BYTES, MASK_ID, nats_to_bpb
from bitbyte.transformer import TransformerBackbone, ffn_width

# %%
#| hide
from fastcore.test import test_eq, test_fail, test_close
import time
_threads = torch.get_num_threads()
torch.set_num_threads(1)  # the test models are tiny: one thread is as fast, and immune to busy shared cores

# %% [markdown]
# ## Config
#
# The same Transformer fields as `BitByteConfig`, plus the noise schedule. The vocabulary is 257: the 256 bytes
# and `MASK_ID` (256). A training sample draws a step $t \in \{1..\text{diffusion\_steps}\}$ and masks each byte
# with probability $p_t = p_\min + (p_\max - p_\min)\,t/\text{steps}$.

# %%
#| export
@dataclass
class DiffusionConfig(Config):
    vocab_size: int = N_BYTES + 1
    d_model: int = 256
    n_layer: int = 4
    n_head: int = 4
    d_ff: typing.Optional[int] = None
    max_seq_len: int = 8192
    rope_base: float = 10000.0
    quant: bool = True
    act_quant: bool = True
    norm_eps: float = 1e-5
    dropout: float = 0.0
    grad_checkpoint: bool = False
    tie_embeddings: bool = False
    diffusion_steps: int = 64
    min_mask_prob: float = 0.05
    max_mask_prob: float = 0.5

# %% [markdown]
# ## Masks
#
# A mask is drawn from a `torch.Generator` when one is given (on the generator's device, then moved), so that an
# evaluation with a fixed seed masks the same positions on any device. Every row gets at least one masked
# position: a row with none would contribute nothing and, alone in a batch, divide by zero.

# %%
#| export
def draw_mask(shape, p:torch.Tensor|float, device, generator:torch.Generator|None=None) -> torch.Tensor:
    "Boolean mask of `shape` `(B, L)`: each position masked with probability `p` (scalar or per row), ≥ 1 per row."
    B, L = shape
    gdev = generator.device if generator is not None else device
    u = torch.rand(B, L, generator=generator, device=gdev)
    forced = torch.randint(0, L, (B,), generator=generator, device=gdev)
    p = torch.as_tensor(p, dtype=torch.float32, device=gdev).reshape(-1, 1)
    mask = u < p
    mask[torch.arange(B, device=gdev), forced] |= ~mask.any(1)
    return mask.to(device)

# %%
g = torch.Generator().manual_seed(0)
mk = draw_mask((3, 1000), torch.tensor([0.0, 0.3, 1.0]), 'cpu', g)
test_eq(mk.sum(1)[0].item(), 1); test_close(mk[1].float().mean(), 0.3, eps=0.05); test_eq(mk[2].all().item(), True)
test_eq(draw_mask((2, 50), 0.5, 'cpu', torch.Generator().manual_seed(1)), draw_mask((2, 50), 0.5, 'cpu', torch.Generator().manual_seed(1)))

# %% [markdown]
# ## `DiffusionLM`
#
# A bidirectional `TransformerBackbone` (`causal=False`) that reads 257 ids and predicts 256 bytes at every
# position. The training loss is the cross-entropy on masked positions only (unmasked positions are given, there
# is nothing to predict); `masked_bpb` is that loss in bits. The whole `(B, T+1)` batch is the sequence: there
# is no shift, since every position is predicted from all the others.
#
# Parameters and FLOPs are the Transformer's (`TransformerBackbone.matmul_params`, `flops_per_byte`): with a
# 257-row embedding and a 256-way head, $6N_\text{matmul} + 12\,L\,d\,T$ per byte.
#
# **Generation** is infilling: every step predicts all masked positions at once and commits the most confident
# $\lceil \text{remaining}/\text{steps left} \rceil$ of them (confidence = the model's probability of the byte
# chosen), so `steps` forward passes fill any number of masks. `generate` appends `max_new_bytes` masks to the
# prompt and infills.

# %%
#| export
@register
class DiffusionLM(ByteLM):
    "Byte-level masked-diffusion denoiser on a bidirectional BitNet Transformer."
    family, variant, config_class = 'diffusion', 'diffusion', DiffusionConfig

    def __init__(self, config:DiffusionConfig):
        super().__init__(config)
        if config.vocab_size != N_BYTES + 1:
            raise BitByteError(f"the diffusion vocabulary is the 256 bytes plus MASK_ID, so vocab_size must be {N_BYTES + 1}, not {config.vocab_size}")
        if not 0 < config.min_mask_prob <= config.max_mask_prob <= 1:
            raise BitByteError(f"mask probabilities need 0 < min_mask_prob <= max_mask_prob <= 1; got {config.min_mask_prob}, {config.max_mask_prob}")
        self.transformer = TransformerBackbone(config, causal=False, vocab_in=N_BYTES + 1, vocab_out=N_BYTES)

    def forward(self, idx:torch.Tensor) -> torch.Tensor:
        "Logits `(B, L, 256)` over bytes at every position of `idx` (which may contain `MASK_ID`)."
        return self.transformer(idx)

    def flops_per_byte(self, seq_len:int) -> float: return self.transformer.flops_per_byte(seq_len)

    def mask_probs(self, B:int, device, generator=None) -> torch.Tensor:
        "Per-sample mask probability for a random step t ∈ {1..diffusion_steps}."
        c = self.config
        gdev = generator.device if generator is not None else device
        t = torch.randint(1, c.diffusion_steps + 1, (B,), generator=generator, device=gdev).float()
        return c.min_mask_prob + (c.max_mask_prob - c.min_mask_prob) * t / c.diffusion_steps

    def masked_nats(self, batch:torch.Tensor, mask:torch.Tensor) -> torch.Tensor:
        "Summed cross-entropy (nats) of the model on the `mask`ed positions of `batch`."
        logits = self(batch.masked_fill(mask, MASK_ID))
        return F.cross_entropy(logits[mask].float(), batch[mask], reduction='sum')

    def loss(self, batch:torch.Tensor, generator:torch.Generator|None=None):
        "Masked denoising loss on `(B, T+1)` bytes: mean cross-entropy over the masked positions."
        mask = draw_mask(batch.shape, self.mask_probs(batch.size(0), batch.device, generator), batch.device, generator)
        loss = self.masked_nats(batch, mask) / mask.sum()
        return loss, {'loss': loss.item(), 'masked_bpb': nats_to_bpb(loss.item())}

    @torch.no_grad()
    def masked_bpb(self, batch:torch.Tensor, mask_rate:float, generator:torch.Generator|None=None) -> tuple[float, int]:
        "`(total_nats, n_masked)` at a fixed mask rate; with a fixed generator, deterministic."
        mask = draw_mask(batch.shape, mask_rate, batch.device, generator)
        return self.masked_nats(batch, mask).item(), int(mask.sum())

    PROBE_SEED = 1234
    @torch.no_grad()
    def probe_logits(self, batch:torch.Tensor) -> torch.Tensor:
        "Logits on `batch` with a fixed 50% mask (fixed seed), for the collapse monitor."
        mask = draw_mask(batch.shape, 0.5, batch.device, torch.Generator().manual_seed(self.PROBE_SEED))
        return self(batch.masked_fill(mask, MASK_ID))

    @torch.no_grad()
    def infill(self, ids:torch.Tensor, steps:int|None=None, temperature:float=0.0, top_k:int|None=None,
               top_p:float|None=None, generator:torch.Generator|None=None) -> torch.Tensor:
        "Fill every `MASK_ID` in `ids` `(B, L)`, committing the most confident predictions step by step."
        steps = steps or self.config.diffusion_steps
        ids = ids.clone()
        for s in range(steps):
            masked = ids == MASK_ID
            if not masked.any(): break
            logits = self(ids)
            for b in range(ids.size(0)):
                pos = masked[b].nonzero().squeeze(1)
                if pos.numel() == 0: continue
                lg = logits[b, pos].float()
                cand = sample_next(lg if generator is None else lg.to(generator.device), temperature, top_k, top_p, generator).to(ids.device)
                conf = lg.softmax(-1).gather(1, cand[:, None]).squeeze(1)
                k = math.ceil(pos.numel() / (steps - s))
                keep = conf.topk(k).indices
                ids[b, pos[keep]] = cand[keep]
        return ids

    @torch.no_grad()
    def generate(self, prompt, max_new_bytes:int=100, temperature:float=1.0, top_k:int|None=None,
                 top_p:float|None=None, generator:torch.Generator|None=None, steps:int|None=None) -> torch.Tensor:
        "The prompt (its `MASK_ID`s infilled) followed by `max_new_bytes` infilled bytes."
        idx = prompt if torch.is_tensor(prompt) else to_bytes_tensor(prompt, self.device)
        idx = torch.cat([idx, idx.new_full((idx.size(0), max(0, max_new_bytes)), MASK_ID)], 1)
        if idx.size(1) == 0: raise BitByteError("nothing to generate: give a prompt or max_new_bytes > 0")
        return self.infill(idx, steps, temperature, top_k, top_p, generator)

# %% [markdown]
# ## Checks

# %%
tiny = DiffusionConfig(d_model=32, n_layer=2, n_head=2, max_seq_len=64, diffusion_steps=8)
torch.manual_seed(0)
m = DiffusionLM(tiny)
batch = torch.randint(0, 256, (3, 17))
test_eq(m(batch).shape, (3, 17, 256))
test_eq(m(batch.masked_fill(batch > 128, MASK_ID)).shape, (3, 17, 256))
loss, met = m.loss(batch)
test_eq(set(met), {'loss', 'masked_bpb'}); test_close(met['masked_bpb'], 8.0, eps=0.1)
test_eq(m.probe_logits(batch).shape, (3, 17, 256)); test_eq(m.probe_logits(batch), m.probe_logits(batch))
test_fail(lambda: DiffusionLM(tiny.replace(vocab_size=256)), contains='vocab_size must be 257')
from bitbyte.models import build_model, count_params
test_eq(type(build_model('diffusion', {'d_model': 32, 'n_head': 2})).__name__, 'DiffusionLM')
d, L, h = 32, 2, ffn_width(tiny)
test_eq(m.num_params(), 257 * d + L * (4 * d * d + 3 * d * h + 2 * d) + d + d * 256)
test_eq(m.flops_per_byte(100), 6 * (L * (4 * d * d + 3 * d * h) + d * 256) + 12 * L * d * 100)

# %% [markdown]
# Bidirectional: changing a later byte changes the logits at earlier positions (the causal model's test, inverted).

# %%
m.eval()
a = torch.randint(0, 256, (1, 20)); b = a.clone(); b[0, -1] = (a[0, -1] + 1) % 256
assert (m(a)[:, :5] - m(b)[:, :5]).abs().max() > 1e-4

# %% [markdown]
# The loss counts masked positions only: it equals the cross-entropy over the positions masked with the same
# generator, computed by hand, and does not change when an unmasked position's logits would have been wrong.

# %%
for seed in range(3):
    loss, _ = m.loss(batch, torch.Generator().manual_seed(seed))
    g = torch.Generator().manual_seed(seed)
    mask = draw_mask(batch.shape, m.mask_probs(3, 'cpu', g), 'cpu', g)
    logits = m(torch.where(mask, MASK_ID, batch))
    manual = F.cross_entropy(logits[mask], batch[mask])
    test_close(loss, manual, eps=1e-5)
    assert abs(loss.item() - F.cross_entropy(logits.reshape(-1, 256), batch.reshape(-1)).item()) > 1e-6
    assert mask.any(1).all() and not mask.all()

# %% [markdown]
# `masked_bpb` at a fixed rate with a fixed generator gives the same numbers every time, and the masked share
# is near the rate.

# %%
big = torch.randint(0, 256, (4, 256))
for rate in (0.15, 0.3, 0.5):
    r1 = m.masked_bpb(big, rate, torch.Generator().manual_seed(0))
    r2 = m.masked_bpb(big, rate, torch.Generator().manual_seed(0))
    test_eq(r1, r2)
    test_close(r1[1] / big.numel(), rate, eps=0.05)
    test_close(nats_to_bpb(r1[0] / r1[1]), 8.0, eps=0.15)

# %% [markdown]
# Infilling fills every mask and keeps every given byte; generation appends exactly `max_new_bytes`.

# %%
ids = torch.randint(0, 256, (1, 30)); holes = torch.zeros(1, 30, dtype=torch.bool); holes[0, [0, 3, 4, 5, 17, 29]] = True
for kw in (dict(), dict(steps=2), dict(steps=50, temperature=1.0, top_k=20, generator=torch.Generator().manual_seed(0))):
    out = m.infill(ids.masked_fill(holes, MASK_ID), **kw)
    assert (out != MASK_ID).all() and (out < 256).all()
    test_eq(out[~holes], ids[~holes])
g = m.generate("ab", 10, temperature=0, steps=4)
test_eq(g.shape, (1, 12)); test_eq(g[0, :2].tolist(), list(b"ab")); assert (g < 256).all()
test_eq(m.generate(torch.tensor([[97, MASK_ID, 99]]), 0, temperature=0).shape, (1, 3))

# %% [markdown]
# ## It learns
#
# A tiny denoiser memorizes 64 bytes of text (repeated in the batch, each copy masked differently): the masked
# loss falls from 5.5 nats (uniform) to near zero in a few hundred AdamW steps (one-cycle schedule), with
# BitLinear layers and without. It then restores a masked copy of the text by infilling. Denoising is a harder
# task than next-byte prediction (the model has to locate each hole from the bytes around it), so it takes more
# steps than the autoregressive model's test.

# %%
text = b"To be, or not to be, that is the question: Whether 'tis nobler i"
batch = torch.tensor(list(text))[None].repeat(8, 1)
for q in (True, False):
    torch.manual_seed(0); t0 = time.time()
    m = DiffusionLM(DiffusionConfig(d_model=64, n_layer=2, n_head=4, max_seq_len=64, quant=q))
    steps = 400
    opt = torch.optim.AdamW(m.parameters(), lr=3e-3, weight_decay=0.0)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, 3e-3, total_steps=steps, pct_start=0.1)
    g = torch.Generator().manual_seed(0)
    for s in range(steps):
        loss, met = m.loss(batch, g)
        opt.zero_grad(set_to_none=True); loss.backward(); opt.step(); sched.step()
    m.eval()
    nats, n = m.masked_bpb(batch, 0.3, torch.Generator().manual_seed(1))
    holey = batch[:1].masked_fill(draw_mask((1, 64), 0.3, 'cpu', torch.Generator().manual_seed(2)), MASK_ID)
    acc = (m.infill(holey, steps=8) == batch[:1]).float().mean().item()
    print(f"quant={q}: last train loss {met['loss']:.4f}, masked loss at 30% {nats/n:.4f} nats, infill accuracy {acc:.3f}, {time.time()-t0:.1f}s")
    assert nats / n < 0.2 and acc > 0.95

# %% [markdown]
# On a GPU under bf16 autocast:

# %%
#| gpu
torch.manual_seed(0)
m = DiffusionLM(DiffusionConfig(d_model=128, n_layer=2, n_head=2)).cuda()
batch = torch.randint(0, 256, (4, 256), device='cuda')
with torch.autocast('cuda', dtype=torch.bfloat16):
    loss, met = m.loss(batch, torch.Generator().manual_seed(0))
    loss.backward()
    m.eval()
    nats, n = m.masked_bpb(batch, 0.15, torch.Generator().manual_seed(0))
    out = m.generate(batch[:1, :16], 32, temperature=0, steps=8)
assert math.isfinite(met['loss']) and math.isfinite(nats) and n > 0
test_eq(out.shape, (1, 48)); assert (out < 256).all()

# %%
#| hide
torch.set_num_threads(_threads)
