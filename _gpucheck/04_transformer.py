# %% [markdown]
# # BitByte Transformer
#
# > The byte-level BitNet b1.58 Transformer (family `bitbyte`) and the blocks it shares with the diffusion
# > denoiser: RMSNorm, rotary embeddings, attention with a KV cache, SwiGLU, the pre-norm block and backbone.

# %%
#| default_exp transformer

# %%
#| export
from __future__ import annotations
import math, typing
from dataclasses import dataclass
import torch, torch.nn as nn, torch.nn.functional as F
from torch.utils.checkpoint import checkpoint
from bitbyte.core import Config, BitByteError
from bitbyte.quant import make_linear, BitLinear
from bitbyte.models import ByteLM, register, sample_next, to_bytes_tensor, N_BYTES

# %%
#| hide
from fastcore.test import test_eq, test_fail, test_close
import time
_threads = torch.get_num_threads()
torch.set_num_threads(1)  # the test models are tiny: one thread is as fast, and immune to busy shared cores

# %% [markdown]
# ## Config
#
# The vocabulary is the 256 byte values. `quant` builds every linear layer inside the blocks as a `BitLinear`
# (ternary weights), `act_quant` adds int8 activations; the embedding and the output head stay full precision,
# as in BitNet. `d_ff=None` takes the usual SwiGLU width: $\frac{8}{3} d_\text{model}$ rounded up to a multiple
# of 64 (three matrices of that width cost what two of $4 d_\text{model}$ would).

# %%
#| export
@dataclass
class BitByteConfig(Config):
    vocab_size: int = 256
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

def ffn_width(config) -> int:
    "SwiGLU hidden width: `config.d_ff`, or 8/3·d_model rounded up to a multiple of 64."
    return config.d_ff or 64 * math.ceil(8 * config.d_model / 3 / 64)

# %%
test_eq(ffn_width(BitByteConfig()), 704)
test_eq(ffn_width(BitByteConfig(d_model=96)), 256)
test_eq(ffn_width(BitByteConfig(d_ff=100)), 100)
test_eq(BitByteConfig.from_json(BitByteConfig(d_ff=128).to_json()), BitByteConfig(d_ff=128))

# %% [markdown]
# ## RMSNorm
#
# Scale by the reciprocal root-mean-square (no mean subtraction, no bias), computed in fp32.

# %%
#| export
class RMSNorm(nn.Module):
    def __init__(self, dim:int, eps:float=1e-5):
        super().__init__()
        self.eps = eps
        self.weight = nn.Parameter(torch.ones(dim))
    def forward(self, x):
        xf = x.float()
        return (xf * torch.rsqrt(xf.pow(2).mean(-1, keepdim=True) + self.eps)).type_as(x) * self.weight

# %%
n = RMSNorm(8); x = torch.randn(2, 3, 8) * 5
test_close(n(x).pow(2).mean(-1), torch.ones(2, 3), eps=1e-3)

# %% [markdown]
# ## Rotary position embeddings
#
# Bytes carry no positional embedding; instead queries and keys are rotated by an angle proportional to their
# position (RoPE, in the "rotate half" layout), so attention scores depend on relative distance. The cos/sin
# tables are non-persistent buffers (no checkpoint carries them) computed for `max_seq_len` positions and
# recomputed longer if a sequence runs past them.

# %%
#| export
class Rotary(nn.Module):
    "cos/sin tables for rotary embeddings, extended on demand."
    def __init__(self, head_dim:int, base:float=10000.0, max_seq_len:int=8192):
        super().__init__()
        if head_dim % 2: raise BitByteError(f"rotary embeddings need an even head size, got {head_dim}; pick d_model/n_head even")
        self.head_dim, self.base = head_dim, base
        self._build(max_seq_len)

    def _build(self, n:int, device=None):
        inv_freq = 1.0 / (self.base ** (torch.arange(0, self.head_dim, 2, device=device, dtype=torch.float32) / self.head_dim))
        ang = torch.outer(torch.arange(n, device=device, dtype=torch.float32), inv_freq)
        self.register_buffer('cos', ang.cos(), persistent=False)
        self.register_buffer('sin', ang.sin(), persistent=False)

    def reset(self):
        "Recompute the tables in place (after `to_empty`, which leaves buffers uninitialized)."
        self._build(self.cos.size(0), self.cos.device)

    def forward(self, start:int, n:int) -> tuple[torch.Tensor, torch.Tensor]:
        "cos, sin of shape `(n, head_dim/2)` for positions `start .. start+n-1`."
        if start + n > self.cos.size(0): self._build(max(start + n, 2 * self.cos.size(0)), self.cos.device)
        return self.cos[start:start+n], self.sin[start:start+n]

def apply_rotary(x:torch.Tensor, cos:torch.Tensor, sin:torch.Tensor) -> torch.Tensor:
    "Rotate `x` of shape `(B, H, T, head_dim)` by the angles in `cos`/`sin` `(T, head_dim/2)`."
    x1, x2 = x.float().chunk(2, -1)
    return torch.cat([x1 * cos - x2 * sin, x1 * sin + x2 * cos], -1).type_as(x)

# %% [markdown]
# The check that matters: after rotation, the score between a query at position $i$ and a key at $j$ depends
# only on $i-j$.

# %%
rot = Rotary(8, max_seq_len=4)
q, k = torch.randn(1, 1, 1, 8), torch.randn(1, 1, 1, 8)
def score(i, j):
    (ci, si), (cj, sj) = rot(i, 1), rot(j, 1)
    return (apply_rotary(q, ci, si) * apply_rotary(k, cj, sj)).sum()
test_close(score(3, 1), score(12, 10), eps=1e-4)  # also extends the tables past 4
test_eq(rot.cos.size(0) >= 13, True)
test_eq(len(Rotary(8).state_dict()), 0)

# %% [markdown]
# ## Attention with a KV cache
#
# Multi-head attention through `F.scaled_dot_product_attention`, which picks the flash or memory-efficient
# kernel on a GPU. `causal=False` gives the bidirectional attention the diffusion denoiser needs.
#
# For generation, `KVCache` keeps every layer's keys and values, preallocated to the length needed and
# filled as positions arrive. A step with one new query attends to all cached keys (no mask needed); a prompt
# on an empty cache uses the causal kernel; several new queries after a non-empty cache get an explicit mask
# (SDPA's `is_causal` aligns the mask to the top-left, which would be wrong there).

# %%
#| export
class KVCache:
    "Keys and values of every layer for incremental decoding, allocated on first use."
    def __init__(self, n_layer:int, max_len:int):
        self.n_layer, self.max_len, self.pos = n_layer, max_len, 0
        self.k = [None] * n_layer; self.v = [None] * n_layer

    def update(self, layer:int, k:torch.Tensor, v:torch.Tensor):
        "Store `k`, `v` `(B, H, T, hd)` at positions `pos..pos+T-1`; return all keys and values so far."
        T = k.size(2)
        if self.pos + T > self.max_len: raise BitByteError(f"KV cache of {self.max_len} positions is full; allocate a longer one")
        if self.k[layer] is None:
            B, H, _, hd = k.shape
            self.k[layer] = k.new_zeros(B, H, self.max_len, hd); self.v[layer] = v.new_zeros(B, H, self.max_len, hd)
        self.k[layer][:, :, self.pos:self.pos+T] = k; self.v[layer][:, :, self.pos:self.pos+T] = v
        return self.k[layer][:, :, :self.pos+T], self.v[layer][:, :, :self.pos+T]

    def advance(self, n:int): self.pos += n

# %%
#| export
class Attention(nn.Module):
    "Multi-head self-attention with rotary embeddings; q/k/v/o built by `make_linear`."
    def __init__(self, config, causal:bool=True):
        super().__init__()
        c = config
        if c.d_model % c.n_head: raise BitByteError(f"d_model {c.d_model} is not divisible by n_head {c.n_head}; change one of them")
        self.n_head, self.head_dim, self.causal, self.dropout = c.n_head, c.d_model // c.n_head, causal, c.dropout
        lin = lambda i, o: make_linear(i, o, quant=c.quant, act_quant=c.act_quant)
        self.wq, self.wk, self.wv, self.wo = (lin(c.d_model, c.d_model) for _ in range(4))

    def forward(self, x, cos, sin, cache:KVCache|None=None, layer:int=0):
        B, T, C = x.shape
        q, k, v = (w(x).view(B, T, self.n_head, self.head_dim).transpose(1, 2) for w in (self.wq, self.wk, self.wv))
        q, k = apply_rotary(q, cos, sin), apply_rotary(k, cos, sin)
        mask, is_causal = None, self.causal
        if cache is not None:
            past = cache.pos
            k, v = cache.update(layer, k, v)
            if self.causal and past > 0:
                is_causal = False
                if T > 1: mask = torch.arange(past + T, device=x.device)[None] <= (past + torch.arange(T, device=x.device))[:, None]
        y = F.scaled_dot_product_attention(q, k, v, attn_mask=mask, is_causal=is_causal,
                                           dropout_p=self.dropout if self.training else 0.0)
        return self.wo(y.transpose(1, 2).reshape(B, T, C))

# %% [markdown]
# ## SwiGLU feed-forward
#
# $\mathrm{FFN}(x) = W_2\,(\mathrm{SiLU}(W_1 x) \odot W_3 x)$, the three matrices built by `make_linear`.

# %%
#| export
class SwiGLU(nn.Module):
    def __init__(self, config):
        super().__init__()
        c, h = config, ffn_width(config)
        lin = lambda i, o: make_linear(i, o, quant=c.quant, act_quant=c.act_quant)
        self.w1, self.w3, self.w2 = lin(c.d_model, h), lin(c.d_model, h), lin(h, c.d_model)
    def forward(self, x): return self.w2(F.silu(self.w1(x)) * self.w3(x))

# %% [markdown]
# ## Block and backbone
#
# A pre-norm residual block: $x \leftarrow x + \mathrm{Attn}(\mathrm{norm}(x))$, then
# $x \leftarrow x + \mathrm{FFN}(\mathrm{norm}(x))$. The backbone is embedding → blocks → final norm → head.
# It takes the input and output vocabulary sizes separately, because the denoiser reads 257 ids (the bytes and
# the mask) but predicts only the 256 bytes. With `tie_embeddings`, the head reuses the first `vocab_out` rows
# of the embedding.
#
# With `grad_checkpoint`, each block's activations are recomputed in the backward pass instead of stored
# (training only), trading about a third more compute for memory at long sequence lengths.

# %%
#| export
class Block(nn.Module):
    def __init__(self, config, causal:bool=True):
        super().__init__()
        self.norm1, self.norm2 = RMSNorm(config.d_model, config.norm_eps), RMSNorm(config.d_model, config.norm_eps)
        self.attn, self.mlp = Attention(config, causal), SwiGLU(config)
        self.drop = nn.Dropout(config.dropout)
    def forward(self, x, cos, sin, cache=None, layer=0):
        x = x + self.drop(self.attn(self.norm1(x), cos, sin, cache, layer))
        return x + self.drop(self.mlp(self.norm2(x)))

# %%
#| export
class TransformerBackbone(nn.Module):
    "Embedding, pre-norm blocks (causal or bidirectional), final norm and a full-precision output head."
    def __init__(self, config, causal:bool=True, vocab_in:int|None=None, vocab_out:int|None=None):
        super().__init__()
        c = self.config = config
        self.causal = causal
        self.vocab_in, self.vocab_out = vocab_in or c.vocab_size, vocab_out or c.vocab_size
        if c.tie_embeddings and self.vocab_out > self.vocab_in:
            raise BitByteError(f"cannot tie a {self.vocab_out}-way head to a {self.vocab_in}-row embedding; set tie_embeddings=False")
        self.emb = nn.Embedding(self.vocab_in, c.d_model)
        self.drop = nn.Dropout(c.dropout)
        self.blocks = nn.ModuleList(Block(c, causal) for _ in range(c.n_layer))
        self.norm = RMSNorm(c.d_model, c.norm_eps)
        self.head = None if c.tie_embeddings else nn.Linear(c.d_model, self.vocab_out, bias=False)
        self.rotary = Rotary(c.d_model // c.n_head, c.rope_base, c.max_seq_len)
        self.init_weights()

    def init_weights(self):
        "Normal(0, 0.02) for matrices and embeddings, scaled by 1/sqrt(2·n_layer) on the residual projections."
        std = 0.02
        for name, p in self.named_parameters():
            if name.endswith('norm1.weight') or name.endswith('norm2.weight') or name == 'norm.weight': nn.init.ones_(p)
            elif name.endswith('.bias'): nn.init.zeros_(p)
            elif name.endswith('attn.wo.weight') or name.endswith('mlp.w2.weight'):
                nn.init.normal_(p, 0.0, std / math.sqrt(2 * self.config.n_layer))
            else: nn.init.normal_(p, 0.0, std)
        self.rotary.reset()

    def forward(self, idx:torch.Tensor, cache:KVCache|None=None, last_only:bool=False) -> torch.Tensor:
        "Logits `(B, T, vocab_out)` (or `(B, 1, vocab_out)` with `last_only`)."
        T = idx.size(1)
        start = cache.pos if cache is not None else 0
        cos, sin = self.rotary(start, T)
        x = self.drop(self.emb(idx))
        ckpt = self.config.grad_checkpoint and self.training and torch.is_grad_enabled() and cache is None
        for i, blk in enumerate(self.blocks):
            if ckpt: x = checkpoint(blk, x, cos, sin, use_reentrant=False)
            else: x = blk(x, cos, sin, cache, i)
        if cache is not None: cache.advance(T)
        if last_only: x = x[:, -1:]
        x = self.norm(x)
        return self.head(x) if self.head is not None else F.linear(x, self.emb.weight[:self.vocab_out])

    def matmul_params(self) -> int:
        "Weights used in matrix multiplies per token: every block's linear layers and the output head."
        c = self.config
        return c.n_layer * (4 * c.d_model**2 + 3 * c.d_model * ffn_width(c)) + c.d_model * self.vocab_out

    def flops_per_byte(self, seq_len:int) -> float:
        c = self.config
        return 6.0 * self.matmul_params() + 12.0 * c.n_layer * c.d_model * seq_len

# %% [markdown]
# ## `BitByteLM`
#
# The autoregressive model wraps a causal backbone. Its arithmetic, next to it:
#
# **Parameters.** With $V$ the vocabulary, $d$ the width, $L$ the depth and $h$ the SwiGLU width:
# $N = Vd + L\,(4d^2 + 3dh + 2d) + d + [\text{untied}]\,Vd$: embedding, per block four attention matrices, three
# FFN matrices and two norm gains, the final norm, and the head.
#
# **FLOPs per byte.** As in nanoGPT (and the PaLM appendix): each weight used in a matmul costs 2 FLOPs per
# token forward and 4 backward, so $6N_\text{matmul}$ with $N_\text{matmul} = L(4d^2+3dh) + Vd$ (block
# matrices and the head; the embedding is a lookup, the norms are negligible). Attention adds the
# $QK^\top$ and $AV$ products: $2\cdot 2\cdot T d$ per token per layer forward, times 3 with the backward,
# that is $12\,L\,d\,T$ at sequence length $T$ (counting the full square, as nanoGPT does, although a causal
# kernel skips half).
#
# **Generation** prefills the KV cache with the prompt and then feeds one byte at a time, so each new byte costs
# one token's forward pass instead of the whole context's.

# %%
#| export
@register
class BitByteLM(ByteLM):
    "Byte-level BitNet b1.58 Transformer: next-byte prediction."
    family, variant, config_class = 'bitbyte', 'ar', BitByteConfig

    def __init__(self, config:BitByteConfig):
        super().__init__(config)
        self.transformer = TransformerBackbone(config, causal=True)

    def forward(self, idx:torch.Tensor) -> torch.Tensor: return self.transformer(idx)

    def flops_per_byte(self, seq_len:int) -> float: return self.transformer.flops_per_byte(seq_len)

    @torch.no_grad()
    def generate(self, prompt, max_new_bytes:int=100, temperature:float=1.0, top_k:int|None=None,
                 top_p:float|None=None, generator:torch.Generator|None=None) -> torch.Tensor:
        "Sample with a KV cache: prefill the prompt, then one byte per step."
        idx = prompt if torch.is_tensor(prompt) else to_bytes_tensor(prompt, self.device)
        if idx.size(1) == 0: raise BitByteError("generation needs a prompt of at least one byte")
        if max_new_bytes <= 0: return idx
        cache = KVCache(self.config.n_layer, idx.size(1) + max_new_bytes)
        logits = self.transformer(idx, cache, last_only=True)[:, -1]
        for i in range(max_new_bytes):
            if generator is not None: logits = logits.to(generator.device)  # a CPU generator samples on the CPU
            nxt = sample_next(logits, temperature, top_k, top_p, generator).to(idx.device)
            idx = torch.cat([idx, nxt[:, None]], 1)
            if i + 1 < max_new_bytes: logits = self.transformer(nxt[:, None], cache)[:, -1]
        return idx

def bitbyte_num_params(c:BitByteConfig) -> int:
    "Closed-form parameter count of `BitByteLM`."
    d, V, L, h = c.d_model, c.vocab_size, c.n_layer, ffn_width(c)
    return V * d + L * (4 * d * d + 3 * d * h + 2 * d) + d + (0 if c.tie_embeddings else V * d)

# %% [markdown]
# ## Checks

# %%
tiny = BitByteConfig(d_model=32, n_layer=2, n_head=2, max_seq_len=64)
torch.manual_seed(0)
m = BitByteLM(tiny)
idx = torch.randint(0, 256, (2, 17))
test_eq(m(idx).shape, (2, 17, 256))
loss, met = m.loss(torch.randint(0, 256, (2, 18)))
test_close(met['bpb'], 8.0, eps=0.1)  # near uniform at init
assert sum(isinstance(x, BitLinear) for x in m.modules()) == 2 * 7
assert not isinstance(m.transformer.head, BitLinear) and not sum(isinstance(x, BitLinear) for x in BitByteLM(tiny.replace(quant=False)).modules())
test_fail(lambda: BitByteLM(tiny.replace(n_head=3)), contains='not divisible')

# %% [markdown]
# Parameter count against the closed form, for several shapes (built on `meta`, nothing allocated):

# %%
for c in [tiny, BitByteConfig(), BitByteConfig(d_model=384, n_layer=6, n_head=6, d_ff=1000, tie_embeddings=True),
          BitByteConfig(d_model=2048, n_layer=24, n_head=16, quant=False)]:
    with torch.device('meta'): mm = BitByteLM(c)
    test_eq(mm.num_params(), bitbyte_num_params(c))
    test_eq(mm.transformer.matmul_params(), sum(p.numel() for n, p in mm.named_parameters() if p.dim() == 2 and 'emb' not in n) + c.tie_embeddings * c.vocab_size * c.d_model)
with torch.device('meta'): mm = BitByteLM(BitByteConfig())
print(f"default config: {mm.num_params():,} parameters, {mm.flops_per_byte(1024)/1e6:.1f} MFLOPs per byte at T=1024")
test_eq(mm.flops_per_byte(1024), 6 * (4 * (4 * 256**2 + 3 * 256 * 704) + 256 * 256) + 12 * 4 * 256 * 1024)

# %% [markdown]
# Causality: changing bytes after position $t$ never changes the logits at or before $t$.

# %%
for q in (True, False):
    torch.manual_seed(0)
    m = BitByteLM(tiny.replace(quant=q)).eval()
    a = torch.randint(0, 256, (1, 20)); b = a.clone(); b[:, 12:] = torch.randint(0, 256, (1, 8))
    la, lb = m(a), m(b)
    test_close(la[:, :12], lb[:, :12], eps=1e-5)
    assert (la[:, 12:] - lb[:, 12:]).abs().max() > 1e-3

# %% [markdown]
# Generation with the KV cache equals full recomputation (the base class's `generate`), greedy and sampled with
# the same seed; the logits of a cached step match the full forward pass.

# %%
for q in (True, False):
    torch.manual_seed(1)
    m = BitByteLM(tiny.replace(quant=q)).eval()
    prompt = torch.randint(0, 256, (2, 5))
    fast, slow = m.generate(prompt, 24, temperature=0), ByteLM.generate(m, prompt, 24, temperature=0)
    test_eq(fast, slow)
    test_eq(m.generate(prompt, 16, 1.0, top_k=50, generator=torch.Generator().manual_seed(3)),
            ByteLM.generate(m, prompt, 16, 1.0, top_k=50, generator=torch.Generator().manual_seed(3)))
    cache = KVCache(tiny.n_layer, 29)
    step = torch.cat([m.transformer(fast[:, :5], cache)] + [m.transformer(fast[:, i:i+1], cache) for i in range(5, 29)], 1)
    test_close(step, m(fast), eps=1e-4)
    cache = KVCache(tiny.n_layer, 29)  # several new queries after a non-empty cache use the explicit mask
    test_close(torch.cat([m.transformer(fast[:, :7], cache), m.transformer(fast[:, 7:29], cache)], 1), m(fast), eps=1e-4)
test_eq(m.generate("hi", 0).shape, (1, 2))
test_fail(lambda: m.generate("", 3), contains='at least one byte')

# %% [markdown]
# Activation checkpointing changes memory, not numbers:

# %%
torch.manual_seed(0)
m = BitByteLM(tiny); mc = BitByteLM(tiny.replace(grad_checkpoint=True)); mc.load_state_dict(m.state_dict())
batch = torch.randint(0, 256, (2, 17))
m.loss(batch)[0].backward(); mc.loss(batch)[0].backward()
for p, pc in zip(m.parameters(), mc.parameters()): test_close(p.grad, pc.grad, eps=1e-6)

# %% [markdown]
# Parameter matching: `match_config` finds a `bitbyte` config within 5% of a target.

# %%
from bitbyte.models import match_config, count_params
for target in (1_000_000, 20_000_000, 100_000_000):
    cfg = match_config('bitbyte', target, n_layers=range(2, 13))
    assert abs(count_params('bitbyte', cfg) - target) / target < 0.05, (cfg, count_params('bitbyte', cfg))

# %% [markdown]
# Packed export: a `BitByteLM` rebuilt from its 2-bit file gives the same logits as the fake-quant model, with
# int8 activations and without; the file is several times smaller than the fp32 checkpoint.

# %%
from bitbyte.quant import export_packed, load_packed, packed_size_report
import tempfile
for act in (True, False):
    torch.manual_seed(0)
    m = BitByteLM(tiny.replace(act_quant=act)).eval()
    with tempfile.TemporaryDirectory() as d:
        m2 = load_packed(export_packed(m, f"{d}/m.safetensors"))
    test_eq(m2.config.to_dict(), m.config.to_dict())
    test_eq((m2(idx) - m(idx)).abs().max().item(), 0.0)
rep = packed_size_report(BitByteLM(BitByteConfig()))
print(rep)
assert rep['ratio'] > 3

# %% [markdown]
# ## It learns
#
# A tiny model memorizes 64 bytes of text (one sequence repeated in the batch) to near-zero loss in a few hundred
# AdamW steps, with BitLinear layers (gradients through the straight-through estimator, int8 activations) and
# without.

# %%
text = b"To be, or not to be, that is the question: Whether 'tis nobler i"
assert len(text) == 64
def overfit(model, batch, steps, lr):
    opt = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=0.0)
    for s in range(steps):
        loss, met = model.loss(batch)
        opt.zero_grad(set_to_none=True); loss.backward(); opt.step()
        if met['loss'] < 0.02: break
    return met['loss'], s + 1

batch = torch.tensor(list(text))[None].repeat(4, 1)
for q in (True, False):
    torch.manual_seed(0); t0 = time.time()
    m = BitByteLM(BitByteConfig(d_model=64, n_layer=2, n_head=2, max_seq_len=64, quant=q))
    final, steps = overfit(m, batch, 400, 1e-2)
    print(f"quant={q}: loss {final:.4f} after {steps} steps, {time.time()-t0:.1f}s")
    assert final < 0.05

# %% [markdown]
# On a GPU, under bf16 autocast (the trainer's setting), the flash kernels run, the loss is finite, gradients
# reach the latent weights, and cached generation still matches full recomputation.

# %%
#| gpu
torch.manual_seed(0)
m = BitByteLM(BitByteConfig(d_model=128, n_layer=2, n_head=2, grad_checkpoint=True)).cuda()
batch = torch.randint(0, 256, (4, 257), device='cuda')
with torch.autocast('cuda', dtype=torch.bfloat16):
    loss, met = m.loss(batch)
loss.backward()
assert math.isfinite(met['loss']) and all(p.grad is not None and p.grad.isfinite().all() for p in m.parameters())
m.eval()
with torch.autocast('cuda', dtype=torch.bfloat16):
    fast = m.generate(batch[:1, :8], 32, temperature=0)
    logits_full = m(fast)
test_eq(fast.shape, (1, 40))

# %%
#| hide
torch.set_num_threads(_threads)
