"""Random number generation: Generator, seeding and the random tensor factories.

The generator is PyTorch's CPU Mersenne Twister (see ``_mt19937``): the same seed gives the
same numbers as torch for the factories here and the in-place samplers.  Samplers that ember
has not yet aligned with torch draw from a side NumPy PCG64 stream reseeded with the generator.
"""
from __future__ import annotations

import math

import numpy as np

from . import _dtype as D
from ._creation import _finish, _size
from ._device import device as _device
from ._mt19937 import STATE_BYTES, MTEngine
from ._tensor import _TYPE_SHORT, Tensor

__all__ = ["Generator", "manual_seed", "seed", "initial_seed", "get_rng_state", "set_rng_state",
           "rand", "randn", "randint", "randperm", "normal", "bernoulli", "multinomial",
           "rand_like", "randn_like", "randint_like", "poisson", "default_generator"]

_DEFAULT_SEED = 67280421310721
_U64 = 0xFFFFFFFFFFFFFFFF


class Generator:
    """A source of random numbers with its own seed and state."""

    def __init__(self, device="cpu"):
        self.device = _device(device)
        self.manual_seed(_DEFAULT_SEED)

    def manual_seed(self, seed) -> "Generator":
        """Reset the generator to the start of the stream for ``seed``."""
        if isinstance(seed, float):
            raise RuntimeError("manual_seed expected a long, but got float")
        seed = int(seed)
        # PyTorch accepts seeds in [-2**63, 2**64) and keeps them as unsigned 64-bit
        if not -0x8000_0000_0000_0000 <= seed <= _U64:
            raise ValueError("Overflow when unpacking long long")
        self._seed = seed & _U64
        if hasattr(self, "_mt"):
            self._mt.seed(self._seed)
        else:
            self._mt = MTEngine(self._seed)
        self._rng = np.random.Generator(np.random.PCG64(self._seed))
        return self

    def seed(self) -> int:
        """Reseed from a non-deterministic source and return the new seed."""
        s = int(np.random.SeedSequence().entropy) & _U64
        self.manual_seed(s)
        return s

    def initial_seed(self) -> int:
        """The seed the generator was last seeded with."""
        return self._mt.initial_seed

    def get_state(self) -> Tensor:
        """The generator's state as a uint8 tensor in PyTorch's layout."""
        return Tensor._make(self._mt.get_state(), False, None, 0, [0])

    def set_state(self, new_state: Tensor) -> "Generator":
        """Restore a state from ``get_state`` (ember's or PyTorch's)."""
        if not isinstance(new_state, Tensor) or new_state.dtype is not D.uint8:
            raise TypeError("RNG state must be a torch.ByteTensor")
        if new_state.numel() != STATE_BYTES:
            raise RuntimeError(f"Expected a CPUGeneratorImplState of size {STATE_BYTES} but "
                               f"found the input RNG state size to be {new_state.numel()}")
        self._mt.set_state(np.asarray(new_state._data, dtype=np.uint8).ravel())
        self._seed = self._mt.initial_seed
        self._rng = np.random.Generator(np.random.PCG64(self._seed))
        return self

    def clone_state(self) -> "Generator":
        """A new generator in the same state."""
        g = Generator(self.device)
        return g.set_state(self.get_state())


default_generator = Generator()


def _gen(generator) -> np.random.Generator:
    """The side NumPy stream of ``generator`` (the default one for None), for samplers not
    yet drawing torch's numbers."""
    return (generator or default_generator)._rng


def _mt(generator) -> MTEngine:
    """The Mersenne Twister engine of ``generator`` (the default one for None)."""
    return (generator or default_generator)._mt


def _bits(dt: D.dtype) -> int:
    """Random mantissa bits torch draws for a uniform of float dtype ``dt``."""
    return 53 if dt.name == "float64" else 24


def _round_bf16(x: np.ndarray) -> np.ndarray:
    """Round float32 values to the nearest bfloat16 (ties to even), kept as float32."""
    u = np.ascontiguousarray(x, dtype=np.float32).view(np.uint32)
    u = (u + np.uint32(0x7FFF) + ((u >> np.uint32(16)) & np.uint32(1))) & np.uint32(0xFFFF0000)
    return u.view(np.float32)


def _to_dtype(values: np.ndarray, dt: D.dtype) -> np.ndarray:
    """``values`` stored as ``dt`` (with bfloat16's rounding)."""
    out = values.astype(dt.np, copy=False)
    return _round_bf16(out) if dt.name == "bfloat16" else out


def uniform_values(generator, n: int, dt: D.dtype, low=0.0, high=1.0) -> np.ndarray:
    """``n`` of torch's uniform draws on [low, high) for float dtype ``dt``; a draw that
    rounds up to ``high`` in a narrow dtype becomes ``low``, as in torch."""
    out = _to_dtype(_mt(generator).uniform(n, _bits(dt), low, high), dt)
    if dt.name in ("float16", "bfloat16"):
        out[out >= np.float32(high)] = low
    return out


def normal_values(generator, n: int, dt: D.dtype, mean=0.0, std=1.0) -> np.ndarray:
    """``n`` of torch's normal draws for float dtype ``dt``: the block Box-Muller fill for 16
    or more (contiguous) elements, the scalar sampler with its cached sample otherwise."""
    mt = _mt(generator)
    if n >= 16:
        reduced = dt.name in ("float16", "bfloat16")
        return _to_dtype(mt.normal_fill(n, _bits(dt), mean, std, reduced), dt)
    return _to_dtype(mt.normal_serial(n) * std + mean, dt)


def int_values(generator, n: int, low: int, high: int) -> np.ndarray:
    """``n`` of torch's integers on [low, high) (int64): one word each, or two (``random64``)
    for ranges of 2**28 or more, as torch 2.13 draws them."""
    span = high - low
    mt = _mt(generator)
    words = mt.u64(n) if span >= 1 << 28 else mt.u32(n)
    return (words % np.uint64(span)).astype(np.int64) + low


def manual_seed(seed) -> Generator:
    """Seed the default generator; returns it."""
    return default_generator.manual_seed(seed)


def seed() -> int:
    """Seed the default generator non-deterministically; returns the seed."""
    return default_generator.seed()


def initial_seed() -> int:
    """The seed of the default generator."""
    return default_generator.initial_seed()


def get_rng_state() -> Tensor:
    """The default generator's state."""
    return default_generator.get_state()


def set_rng_state(new_state: Tensor) -> None:
    """Restore the default generator's state."""
    default_generator.set_state(new_state)


def _float_dtype(dtype, kernel: str) -> D.dtype:
    """The dtype of a float sampler: the default, or a floating ``dtype``."""
    dt = D.to_dtype(dtype) if dtype is not None else D.get_default_dtype()
    if dt.category != 2:
        raise NotImplementedError(f"\"{kernel}\" not implemented for '{_TYPE_SHORT[dt.name]}'")
    return dt


def _shape(size, kw: dict, fname: str) -> tuple:
    if "size" in kw:  # rand(size=(2, 3))
        size = (kw.pop("size"),)
    if kw:
        raise TypeError(f"{fname}() got an unexpected keyword argument '{next(iter(kw))}'")
    return _size(size, fname)


def rand(*size, generator=None, out=None, dtype=None, layout=None, device=None,
         requires_grad=False, pin_memory=False, **kw) -> Tensor:
    """Uniform samples on [0, 1)."""
    shape = _shape(size, kw, "rand")
    dt = _float_dtype(dtype, "check_uniform_bounds")
    arr = uniform_values(generator, int(np.prod(shape)), dt).reshape(shape)
    return _finish(arr, device, requires_grad)


def randn(*size, generator=None, out=None, dtype=None, layout=None, device=None,
          requires_grad=False, pin_memory=False, **kw) -> Tensor:
    """Standard normal samples."""
    shape = _shape(size, kw, "randn")
    dt = _float_dtype(dtype, "normal_kernel_cpu")
    arr = normal_values(generator, int(np.prod(shape)), dt).reshape(shape)
    return _finish(arr, device, requires_grad)


def randint(low=0, high=None, size=None, *, generator=None, out=None, dtype=None, layout=None,
            device=None, requires_grad=False) -> Tensor:
    """Integers drawn uniformly from [low, high) (int64 unless ``dtype``)."""
    if size is None:
        if not isinstance(high, (tuple, list)):
            raise TypeError("randint() missing 1 required positional arguments: \"size\"")
        low, high, size = 0, low, high
    if high is None:
        low, high = 0, low
    if low >= high:
        raise RuntimeError(f"random_ expects 'from' to be less than 'to', but got from={low} "
                           f">= to={high}")
    shape = _size((size,) if isinstance(size, int) else tuple(size), "randint")
    dt = D.to_dtype(dtype) if dtype is not None else D.int64
    arr = int_values(generator, int(np.prod(shape)), int(low), int(high)).reshape(shape)
    arr = arr.astype(dt.np)
    return _finish(arr, device, requires_grad)


def randperm(n: int, *, generator=None, out=None, dtype=None, layout=None, device=None,
             requires_grad=False, pin_memory=False) -> Tensor:
    """A random permutation of 0..n-1."""
    _size((n,), "randperm")
    dt = D.to_dtype(dtype) if dtype is not None else D.int64
    return _finish(permutation(generator, int(n)).astype(dt.np), device, requires_grad)


def permutation(generator, n: int) -> np.ndarray:
    """torch's CPU randperm: a forward Fisher-Yates shuffle, step i swapping i with
    i + (word % (n - i)).  The words are drawn at once; the swaps are inherently sequential."""
    perm = np.arange(n, dtype=np.int64)
    if n > 1:
        if n >= (1 << 32) // 20:
            raise NotImplementedError("ember does not implement randperm for n >= 214748364 yet")
        offsets = (_mt(generator).u32(n - 1) % np.arange(n, 1, -1, dtype=np.uint64)).tolist()
        p = perm.tolist()
        for i, z in enumerate(offsets):
            j = i + z
            p[i], p[j] = p[j], p[i]
        perm = np.array(p, dtype=np.int64)
    return perm


def normal(mean=0.0, std=1.0, size=None, *, generator=None, out=None, dtype=None,
           layout=None, device=None, requires_grad=False) -> Tensor:
    """Normal samples: elementwise for tensor ``mean``/``std``, else of shape ``size``."""
    if isinstance(mean, Tensor) or isinstance(std, Tensor):
        m = mean._data if isinstance(mean, Tensor) else mean
        s = std._data if isinstance(std, Tensor) else std
        if isinstance(std, Tensor) and (std._data < 0).any():
            raise RuntimeError("normal expects all elements of std >= 0.0")
        from .ops.linalg import _broadcast_batch
        shape = _broadcast_batch(np.shape(m), np.shape(s))
        dt = (mean if isinstance(mean, Tensor) else std).dtype
        n = int(np.prod(shape))
        arr = (normal_values(generator, n, dt).reshape(shape) * s + m).astype(dt.np)
        return _finish(arr, device, requires_grad)
    if std < 0:
        raise RuntimeError(f"normal expects std >= 0.0, but found std {std:g}")
    if size is None:
        raise TypeError("normal() received an invalid combination of arguments - got "
                        "(float, float), but expected a size for float mean and std")
    shape = _size((size,) if isinstance(size, int) else tuple(size), "normal")
    dt = _float_dtype(dtype, "normal_kernel_cpu")
    arr = normal_values(generator, int(np.prod(shape)), dt, mean, std).reshape(shape)
    return _finish(arr, device, requires_grad)


def bernoulli(input: Tensor, p=None, *, generator=None, out=None) -> Tensor:
    """0/1 samples with probabilities ``input`` (or ``p``), in ``input``'s dtype."""
    probs = input._data if p is None else np.full(input._data.shape, p)
    if ((probs < 0) | (probs > 1)).any():
        raise RuntimeError("Expected p_in >= 0 && p_in <= 1 to be true, but got false.  (Could "
                           "this error message be improved?  If so, please report an "
                           "enhancement request to PyTorch.)")
    arr = bernoulli_values(generator, probs, p is None and input.dtype.name != "float64")
    return Tensor._make(arr.astype(input._data.dtype), False, None, 0, [0])


def bernoulli_values(generator, probs: np.ndarray, single: bool) -> np.ndarray:
    """torch's elementwise Bernoulli draws: 1 where a uniform is below p, the uniform being
    float32-precision (one word) for ``single`` (float32/half probability tensors), else
    float64 (two words)."""
    probs = np.asarray(probs)
    u = _mt(generator).uniform(probs.size, 24 if single else 53).reshape(probs.shape)
    return u < (probs.astype(np.float32) if single else probs)


def poisson(input: Tensor, generator=None) -> Tensor:
    """Poisson samples with rates ``input``."""
    mt = _mt(generator)
    rates = np.asarray(input._data, dtype=np.float64).ravel().tolist()
    arr = np.array([_poisson_one(lam, mt) for lam in rates], dtype=np.float64)
    return Tensor._make(arr.reshape(input._data.shape).astype(input._data.dtype), False, None,
                        0, [0])


def _poisson_one(lam: float, mt: MTEngine) -> int:
    """One Poisson draw as torch's CPU sampler makes it: multiplied uniforms below 10,
    Hoermann's transformed rejection (PTRS) from 10.  Sequential by nature: each sample
    takes a data-dependent number of float64 uniforms."""
    def u() -> float:
        return float(mt.uniform(1, 53)[0])
    if lam == 0:
        return 0
    if lam < 10:
        limit, k, prod = math.exp(-lam), 0, 1.0
        while True:
            prod *= u()
            if prod <= limit:
                return k
            k += 1
    slam, loglam = math.sqrt(lam), math.log(lam)
    b = 0.931 + 2.53 * slam
    a = -0.059 + 0.02483 * b
    inv_alpha = 1.1239 + 1.1328 / (b - 3.4)
    vr = 0.9277 - 3.6224 / (b - 2)
    while True:
        x, v = u() - 0.5, u()
        us = 0.5 - abs(x)
        k = math.floor((2 * a / us + b) * x + lam + 0.43)
        if us >= 0.07 and v <= vr:
            return k
        if k < 0 or (us < 0.013 and v > us):
            continue
        if (math.log(v) + math.log(inv_alpha) - math.log(a / (us * us) + b)
                <= -lam + k * loglam - math.lgamma(k + 1)):
            return k


def multinomial(input: Tensor, num_samples: int, replacement: bool = False, *,
                generator=None, out=None) -> Tensor:
    """Category indices sampled from each row of non-negative weights ``input``."""
    w = np.asarray(input._data, dtype=np.float64)
    if w.ndim not in (1, 2):
        raise RuntimeError("prob_dist must be 1 or 2 dim")
    if not replacement and num_samples > w.shape[-1]:
        raise RuntimeError("cannot sample n_sample > prob_dist.size(-1) samples without "
                           "replacement")
    if (w < 0).any() or not np.isfinite(w).all():
        raise RuntimeError("probability tensor contains either `inf`, `nan` or element < 0")
    rows = w.reshape(-1, w.shape[-1])
    totals = rows.sum(-1, keepdims=True)
    if (totals <= 0).any():
        raise RuntimeError("invalid multinomial distribution (sum of probabilities <= 0)")
    if not replacement and ((rows > 0).sum(-1) < num_samples).any():
        raise RuntimeError("invalid multinomial distribution (with replacement=False, not "
                           "enough non-negative category to sample)")
    n_rows, n_cat = rows.shape
    store = input._data.dtype
    mt = _mt(generator)
    if replacement and num_samples > 1:
        # torch: per row, a running-sum CDF in the input's dtype divided by its total, then a
        # float64 uniform per sample located by binary search (first slot with cdf >= u)
        cdf = np.cumsum(np.asarray(input._data, dtype=store).reshape(rows.shape), axis=-1,
                        dtype=store)
        cdf = cdf / cdf[:, -1:]
        u = mt.uniform(n_rows * num_samples, 53).reshape(n_rows, num_samples)
        out_arr = np.stack([np.searchsorted(c, r, side="left") for c, r in zip(cdf, u)])
    else:
        # torch: the largest p / q with q ~ Exp(1) drawn per weight (a Gumbel-max trick)
        q = (-np.log1p(-mt.uniform(rows.size, 53))).astype(store).reshape(rows.shape)
        keys = np.asarray(input._data, dtype=store).reshape(rows.shape) / q
        out_arr = np.argsort(-keys, axis=-1, kind="stable")[:, :num_samples]
    out_arr = np.minimum(out_arr, n_cat - 1).astype(np.int64)
    return Tensor._make(out_arr.reshape(w.shape[:-1] + (num_samples,)), False, None, 0, [0])


def rand_like(input: Tensor, *, generator=None, dtype=None, layout=None, device=None,
              requires_grad=False, memory_format=None) -> Tensor:
    """``rand`` with ``input``'s shape, dtype and device."""
    return rand(*input._data.shape, generator=generator, dtype=dtype or input.dtype,
                device=device or input.device, requires_grad=requires_grad)


def randn_like(input: Tensor, *, generator=None, dtype=None, layout=None, device=None,
               requires_grad=False, memory_format=None) -> Tensor:
    """``randn`` with ``input``'s shape, dtype and device."""
    return randn(*input._data.shape, generator=generator, dtype=dtype or input.dtype,
                 device=device or input.device, requires_grad=requires_grad)


def randint_like(input: Tensor, low=0, high=None, *, generator=None, dtype=None, layout=None,
                 device=None, requires_grad=False, memory_format=None) -> Tensor:
    """``randint`` with ``input``'s shape, dtype and device."""
    if high is None:
        low, high = 0, low
    return randint(low, high, input._data.shape, generator=generator,
                   dtype=dtype or input.dtype,
                   device=device or input.device, requires_grad=requires_grad)
