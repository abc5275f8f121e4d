# %% [markdown]
# # Ternary weights
#
# > BitNet b1.58 linear layers (ternary weights, int8 activations, straight-through gradients), the switch that
# > puts them in every backbone, and a packed export that stores each ternary weight in 2 bits.

# %%
#| default_exp quant

# %%
#| export
from __future__ import annotations
import json, math
from pathlib import Path
import torch, torch.nn as nn, torch.nn.functional as F
from bitbyte.core import BitByteError

# %%
#| hide
from fastcore.test import test_eq, test_fail, test_close
import tempfile
_threads = torch.get_num_threads()
torch.set_num_threads(1)  # the test models are tiny: one thread is as fast, and immune to busy shared cores

# %% [markdown]
# ## Quantizers
#
# BitNet b1.58 keeps full-precision *latent* weights, which the optimizer updates, and uses a quantized copy in
# the forward pass:
#
# - **weights**, per tensor: scale $s = \mathrm{mean}|W|$ (clamped at $10^{-5}$ so an all-zero matrix does not
#   divide by zero), then $W_q = \mathrm{round}(\mathrm{clamp}(W/s, -1, 1))\cdot s$: every weight is $-s$, $0$
#   or $+s$, that is $\log_2 3 \approx 1.58$ bits;
# - **activations**, per token (the last dimension): absmax to int8, $x_q = \mathrm{round}(x \cdot 127/\max|x|)$
#   clamped to $[-128, 127]$ and scaled back.
#
# The math is done in fp32 whatever the input dtype (bf16 has 8 bits of mantissa, too few to divide by a scale
# and round reliably) and the result is cast back.

# %%
#| export
def weight_scale(w:torch.Tensor) -> torch.Tensor:
    "The absmean scale of a weight tensor (fp32 scalar, at least 1e-5)."
    return w.detach().float().abs().mean().clamp(min=1e-5)

def ternary_weights(w:torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    "`(t, scale)`: `t` an int8 tensor of -1/0/+1 with `t * scale` the quantized weight."
    s = weight_scale(w)
    return (w.detach().float() / s).round().clamp(-1, 1).to(torch.int8), s

def quantize_weights(w:torch.Tensor) -> torch.Tensor:
    "Fake-quantized weights: ternary times the absmean scale, in `w`'s dtype (no gradient)."
    s = weight_scale(w)
    return ((w.detach().float() / s).round().clamp(-1, 1) * s).to(w.dtype)

def quantize_activations(x:torch.Tensor) -> torch.Tensor:
    "Fake-quantized activations: int8 absmax per token (last dim), in `x`'s dtype (no gradient)."
    xf = x.detach().float()
    s = 127.0 / xf.abs().amax(-1, keepdim=True).clamp(min=1e-5)
    return ((xf * s).round().clamp(-128, 127) / s).to(x.dtype)

# %%
w = torch.randn(33, 17)
t, s = ternary_weights(w)
test_eq(set(t.unique().tolist()) <= {-1, 0, 1}, True)
test_close(s, w.abs().mean(), eps=1e-6)
test_eq(quantize_weights(w), t.float() * s)
x = torch.randn(4, 7, 64)
xq = quantize_activations(x)
for row, qrow in zip(x.reshape(-1, 64), xq.reshape(-1, 64)):  # each token: integer multiples of max|x|/127
    levels = qrow * 127 / row.abs().max()
    test_close(levels, levels.round(), eps=1e-4)
    assert levels.abs().max() <= 127 + 1e-4
test_close(xq, x, eps=x.abs().amax(-1, keepdim=True).max() / 127)
test_eq(quantize_weights(torch.zeros(3, 3)), torch.zeros(3, 3))  # the clamp: no NaN on zeros

# %% [markdown]
# ## The straight-through estimator
#
# `round` has zero gradient almost everywhere, so the backward pass pretends the quantizer is the identity.
# We write it as `q.detach() + (x - x.detach())`: the value is exactly `q` (the added term is exactly zero,
# which keeps a packed model bit-identical to the fake-quant one) and the gradient is exactly that of `x`.
# The textbook form `x + (q - x).detach()` has the same gradient but can be one ulp off `q`.

# %%
#| export
def ste(x:torch.Tensor, q:torch.Tensor) -> torch.Tensor:
    "Value of `q`, gradient of `x`."
    return q.detach() + (x - x.detach())

# %% [markdown]
# ## `BitLinear`
#
# A drop-in `nn.Linear` whose forward uses ternary weights and (unless `act_quant=False`) int8 activations. Its
# `weight` is the fp latent parameter. A model rebuilt from a packed export holds weights that are already
# ternary × scale: for it, `prequantized` is set and the weights are used as they are (re-quantizing would
# compute a different scale, since the zeros lower the mean).

# %%
#| export
class BitLinear(nn.Linear):
    "BitNet b1.58 linear layer: ternary absmean weights, int8 absmax activations, straight-through gradients."
    def __init__(self, in_features:int, out_features:int, bias:bool=False, act_quant:bool=True,
                 device=None, dtype=None):
        super().__init__(in_features, out_features, bias=bias, device=device, dtype=dtype)
        self.act_quant = act_quant
        self.prequantized = False  # set by `load_packed`: weights already are ternary × scale

    def quantized_weight(self) -> torch.Tensor:
        w = self.weight
        return w if self.prequantized else ste(w, quantize_weights(w))

    def forward(self, x:torch.Tensor) -> torch.Tensor:
        if self.act_quant: x = ste(x, quantize_activations(x))
        return F.linear(x, self.quantized_weight(), self.bias)

    def extra_repr(self) -> str: return f"{super().extra_repr()}, act_quant={self.act_quant}"

# %% [markdown]
# Every linear layer of every backbone is built by `make_linear`, so BitNet or full precision is one config
# switch (`quant`), and int8 activations another (`act_quant`).

# %%
#| export
def make_linear(in_f:int, out_f:int, bias:bool=False, quant:bool=False, act_quant:bool=True) -> nn.Module:
    "`BitLinear` when `quant`, else `nn.Linear`."
    return BitLinear(in_f, out_f, bias=bias, act_quant=act_quant) if quant else nn.Linear(in_f, out_f, bias=bias)

# %%
torch.manual_seed(0)
bl = make_linear(16, 8, quant=True)
assert isinstance(bl, BitLinear) and isinstance(make_linear(16, 8), nn.Linear) and not isinstance(make_linear(16, 8), BitLinear)
x = torch.randn(3, 5, 16, requires_grad=True)
y = bl(x)
test_eq(y.shape, (3, 5, 8))
test_close(y, F.linear(quantize_activations(x), quantize_weights(bl.weight)), eps=1e-6)
y.square().sum().backward()
assert bl.weight.grad is not None and bl.weight.grad.abs().sum() > 0 and bl.weight.grad.isfinite().all()
assert x.grad.abs().sum() > 0

# %% [markdown]
# The gradient the latent weights get is the gradient of a plain linear layer evaluated at the quantized point
# (quantized weights and activations): that is all the straight-through estimator claims.

# %%
x = torch.randn(3, 5, 16)
bl.weight.grad = None
bl(x).square().sum().backward()
wq = quantize_weights(bl.weight).requires_grad_()
F.linear(quantize_activations(x), wq).square().sum().backward()
test_close(bl.weight.grad, wq.grad, eps=1e-5)
bl_noact = BitLinear(16, 8, act_quant=False); bl_noact.load_state_dict(bl.state_dict())
test_close(bl_noact(x), F.linear(x, quantize_weights(bl.weight)), eps=1e-6)

# %% [markdown]
# Models are built on the `meta` device to count parameters without allocating; `BitLinear` works there too.

# %%
with torch.device('meta'):
    m = make_linear(4096, 4096, quant=True)
    test_eq(m(torch.randn(2, 4096)).shape, (2, 4096))
test_eq(m.weight.device.type, 'meta')

# %% [markdown]
# On a GPU the trainer runs under bf16 autocast: the quantizers work in fp32, the matmul runs in bf16.

# %%
#| gpu
with torch.autocast('cuda', dtype=torch.bfloat16):
    m = BitLinear(64, 32).cuda()
    x = torch.randn(4, 64, device='cuda', requires_grad=True)
    y = m(x)
    test_eq(y.dtype, torch.bfloat16)
    y.float().sum().backward()
assert m.weight.grad.isfinite().all() and m.weight.grad.dtype == torch.float32

# %% [markdown]
# ## Packing ternary weights in 2 bits
#
# Each ternary value $t$ is stored as the code $t+1 \in \{0, 1, 2\}$, four codes to a byte (the first in the
# low bits). The flat tensor is padded to a multiple of four; the shape comes back from the model.

# %%
#| export
def pack_ternary(t:torch.Tensor) -> torch.Tensor:
    "Pack a tensor of -1/0/+1 into a flat uint8 tensor, 4 values per byte."
    codes = (t.detach().flatten().to(torch.int16) + 1).to(torch.uint8)
    if codes.numel() and (codes.max() > 2): raise BitByteError("pack_ternary takes only -1, 0 and +1 values; quantize with ternary_weights first")
    pad = (-codes.numel()) % 4
    codes = torch.cat([codes, codes.new_zeros(pad)]).view(-1, 4)
    return codes[:, 0] | (codes[:, 1] << 2) | (codes[:, 2] << 4) | (codes[:, 3] << 6)

def unpack_ternary(packed:torch.Tensor, shape) -> torch.Tensor:
    "Inverse of `pack_ternary`: an int8 tensor of -1/0/+1 with `shape`."
    shape = tuple(shape); n = math.prod(shape)
    if packed.numel() != (n + 3) // 4:
        raise BitByteError(f"packed tensor has {packed.numel()} bytes, but shape {shape} needs {(n + 3)//4}; the file does not match the model")
    codes = torch.stack([(packed >> s) & 3 for s in (0, 2, 4, 6)], 1).flatten()[:n]
    return (codes.to(torch.int8) - 1).view(shape)

# %%
for shape in [(1,), (3,), (7, 5), (2, 3, 11), (64, 64), (0, 4)]:
    t = torch.randint(-1, 2, shape, dtype=torch.int8)
    p = pack_ternary(t)
    test_eq(p.dtype, torch.uint8); test_eq(p.numel(), (t.numel() + 3) // 4)
    test_eq(unpack_ternary(p, shape), t)
test_eq(pack_ternary(torch.tensor([-1, 0, 1, 1])).tolist(), [0 | 1 << 2 | 2 << 4 | 2 << 6])
test_fail(lambda: pack_ternary(torch.tensor([2])), contains='only -1, 0 and +1')
test_fail(lambda: unpack_ternary(torch.zeros(2, dtype=torch.uint8), (9,)), contains='does not match')

# %% [markdown]
# ## Packed export
#
# `export_packed` writes one safetensors file: every `BitLinear` weight as `<name>.weight.packed` (uint8) and
# `<name>.weight.scale` (fp32), every other tensor (embeddings, output head, norms, biases) as it is, and in the
# metadata the family, the config as JSON and the format version. `load_packed` rebuilds the model from the
# registry and puts back ternary × scale: the same numbers the fake-quant forward used, so the outputs match.

# %%
#| export
PACKED_FORMAT = 'bitbyte-ternary-packed'
PACKED_VERSION = '1'

def _bitlinears(model:nn.Module) -> dict[str, BitLinear]:
    return {n: m for n, m in model.named_modules() if isinstance(m, BitLinear)}

def _cpu_tensor(v:torch.Tensor) -> torch.Tensor:
    return v.detach().to('cpu').contiguous().clone()  # clone: safetensors refuses shared (tied) storage

def packed_state_dict(model:nn.Module) -> dict[str, torch.Tensor]:
    "The tensors `export_packed` writes: BitLinear weights packed in 2 bits plus their scale, the rest as is."
    bits = _bitlinears(model)
    packed_keys = {f"{n}.weight" for n in bits}
    out = {}
    for n, m in bits.items():
        if m.prequantized:  # already ternary × scale: recover both without re-quantizing
            w = m.weight.detach().float(); s = w.abs().max().clamp(min=1e-5)
            t = (w / s).round().to(torch.int8)
        else: t, s = ternary_weights(m.weight)
        out[f"{n}.weight.packed"] = pack_ternary(t).cpu()
        out[f"{n}.weight.scale"] = s.reshape(1).float().cpu()
    for k, v in model.state_dict().items():
        if k not in packed_keys: out[k] = _cpu_tensor(v)
    return out

def export_packed(model:nn.Module, path) -> Path:
    "Write `model` (a registered `ByteLM`) to a safetensors file with its ternary weights packed 2 bits each."
    from safetensors.torch import save_file
    if not _bitlinears(model):
        raise BitByteError(f"{type(model).__name__} has no BitLinear layers to pack; build it with quant=True")
    path = Path(path); path.parent.mkdir(parents=True, exist_ok=True)
    meta = dict(format=PACKED_FORMAT, format_version=PACKED_VERSION, family=str(model.family),
                variant=str(getattr(model, 'variant', '')), config=model.config.to_json())
    tmp = path.with_name(f".{path.name}.tmp")
    save_file(packed_state_dict(model), str(tmp), metadata=meta)
    tmp.replace(path)
    return path

# %%
#| export
def load_packed(path, device='cpu') -> nn.Module:
    "Rebuild the model written by `export_packed` (in eval mode), its ternary weights unpacked × scale."
    from safetensors import safe_open
    from bitbyte.models import build_model
    path = Path(path)
    if not path.exists(): raise BitByteError(f"packed model {path} not found; write one with export_packed")
    with safe_open(str(path), framework='pt', device='cpu') as f:
        meta = f.metadata() or {}
        if meta.get('format') != PACKED_FORMAT:
            raise BitByteError(f"{path} is not a BitByte packed model (format {meta.get('format')!r}); export it with export_packed")
        if meta.get('format_version') != PACKED_VERSION:
            raise BitByteError(f"{path} has packed format version {meta.get('format_version')}; this BitByte reads version {PACKED_VERSION}")
        tensors = {k: f.get_tensor(k) for k in f.keys()}
    model = build_model(meta['family'], json.loads(meta['config']))
    bits = _bitlinears(model)
    with torch.no_grad():
        for n, m in bits.items():
            t = unpack_ternary(tensors.pop(f"{n}.weight.packed"), m.weight.shape)
            s = tensors.pop(f"{n}.weight.scale").float()
            m.weight.copy_((t.float() * s).to(m.weight.dtype))
            m.prequantized = True
    missing, unexpected = model.load_state_dict(tensors, strict=False)
    missing = [k for k in missing if k not in {f"{n}.weight" for n in bits}]
    if missing or unexpected:
        raise BitByteError(f"{path} does not match a {meta['family']} model of its config (missing {missing[:3]}, unexpected {unexpected[:3]}); re-export it")
    return model.to(device).eval()

# %%
#| export
def packed_size_report(model:nn.Module) -> dict:
    "Bytes of the packed export against the fp32 safetensors checkpoint of the same model."
    from safetensors.torch import save
    float_sd = {k: (_cpu_tensor(v).float() if v.is_floating_point() else _cpu_tensor(v)) for k, v in model.state_dict().items()}
    float_bytes = len(save(float_sd))
    packed_bytes = len(save(packed_state_dict(model), metadata=dict(format=PACKED_FORMAT, format_version=PACKED_VERSION,
                                                                    family=str(model.family), config=model.config.to_json())))
    return dict(float_bytes=float_bytes, packed_bytes=packed_bytes, ratio=float_bytes / packed_bytes)

# %% [markdown]
# A toy registered model checks the round trip here; the real families check it again in their notebooks.

# %%
from dataclasses import dataclass
from bitbyte.core import Config
from bitbyte.models import ByteLM, register, REGISTRY

@dataclass
class _QToyConfig(Config):
    d_model: int = 24
    n_layer: int = 2
    quant: bool = True
    act_quant: bool = True

@register
class _QToy(ByteLM):
    family, config_class = '_qtoy', _QToyConfig
    def __init__(self, config):
        super().__init__(config)
        c = config
        self.emb = nn.Embedding(256, c.d_model)
        self.layers = nn.ModuleList(make_linear(c.d_model, c.d_model, bias=(i == 0), quant=c.quant, act_quant=c.act_quant) for i in range(c.n_layer))
        self.head = nn.Linear(c.d_model, 256, bias=False)
    def forward(self, idx):
        x = self.emb(idx)
        for l in self.layers: x = x + l(x)
        return self.head(x)

idx = torch.randint(0, 256, (2, 9))
for act in (True, False):
    torch.manual_seed(1)
    m = _QToy(_QToyConfig(act_quant=act)).eval()
    with tempfile.TemporaryDirectory() as d:
        export_packed(m, Path(d)/'m.safetensors')
        m2 = load_packed(Path(d)/'m.safetensors')
        test_eq(m2.config, m.config)
        test_eq((m2(idx) - m(idx)).abs().max().item(), 0.0)
        export_packed(m2, Path(d)/'m2.safetensors')  # a loaded model exports to the same weights
        test_eq((load_packed(Path(d)/'m2.safetensors')(idx) - m(idx)).abs().max().item(), 0.0)
        test_eq(packed_size_report(m2)['packed_bytes'], packed_size_report(m)['packed_bytes'])
rep = packed_size_report(_QToy(_QToyConfig(d_model=256, n_layer=8)))
assert rep['ratio'] > 1.5, rep
test_fail(lambda: export_packed(_QToy(_QToyConfig(quant=False)), '/tmp/x.safetensors'), contains='quant=True')
with tempfile.TemporaryDirectory() as d:
    from safetensors.torch import save_file
    save_file({'a': torch.zeros(1)}, f"{d}/bad.safetensors")
    test_fail(lambda: load_packed(f"{d}/bad.safetensors"), contains='not a BitByte packed model')
del REGISTRY['_qtoy']
rep

# %%
#| hide
torch.set_num_threads(_threads)
