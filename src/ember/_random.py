"""Random number generation: Generator, seeding and the random tensor factories.

ember draws from NumPy's PCG64, so seeded runs are reproducible within ember; the
streams differ from PyTorch's (which no test may rely on).
"""
from __future__ import annotations

import pickle

import numpy as np

from . import _dtype as D
from ._creation import _finish, _size
from ._device import device as _device
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
        self._rng = np.random.Generator(np.random.PCG64(self._seed))
        return self

    def seed(self) -> int:
        """Reseed from a non-deterministic source and return the new seed."""
        s = int(np.random.SeedSequence().entropy) & _U64
        self.manual_seed(s)
        return s

    def initial_seed(self) -> int:
        """The seed the generator was last seeded with."""
        return self._seed

    def get_state(self) -> Tensor:
        """The generator's state as a uint8 tensor (restorable with ``set_state``)."""
        data = pickle.dumps((self._seed, self._rng.bit_generator.state))
        return Tensor._make(np.frombuffer(data, dtype=np.uint8).copy(), False, None, 0, [0])

    def set_state(self, new_state: Tensor) -> "Generator":
        """Restore a state from ``get_state``."""
        if not isinstance(new_state, Tensor) or new_state.dtype is not D.uint8:
            raise TypeError("RNG state must be a torch.ByteTensor")
        seed, st = pickle.loads(np.asarray(new_state._data, dtype=np.uint8).tobytes())
        self._seed = seed
        self._rng = np.random.Generator(np.random.PCG64())
        self._rng.bit_generator.state = st
        return self

    def clone_state(self) -> "Generator":
        """A new generator in the same state."""
        g = Generator(self.device)
        return g.set_state(self.get_state())


default_generator = Generator()


def _gen(generator) -> np.random.Generator:
    """The NumPy generator behind ``generator`` (the default one for None)."""
    return (generator or default_generator)._rng


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
    arr = _gen(generator).random(shape, dtype=np.float64).astype(dt.np)
    return _finish(arr, device, requires_grad)


def randn(*size, generator=None, out=None, dtype=None, layout=None, device=None,
          requires_grad=False, pin_memory=False, **kw) -> Tensor:
    """Standard normal samples."""
    shape = _shape(size, kw, "randn")
    dt = _float_dtype(dtype, "normal_kernel_cpu")
    arr = _gen(generator).standard_normal(shape, dtype=np.float64).astype(dt.np)
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
    arr = _gen(generator).integers(low, high, size=shape).astype(dt.np)
    return _finish(arr, device, requires_grad)


def randperm(n: int, *, generator=None, out=None, dtype=None, layout=None, device=None,
             requires_grad=False, pin_memory=False) -> Tensor:
    """A random permutation of 0..n-1."""
    _size((n,), "randperm")
    dt = D.to_dtype(dtype) if dtype is not None else D.int64
    return _finish(_gen(generator).permutation(int(n)).astype(dt.np), device, requires_grad)


def normal(mean=0.0, std=1.0, size=None, *, generator=None, out=None, dtype=None,
           layout=None, device=None, requires_grad=False) -> Tensor:
    """Normal samples: elementwise for tensor ``mean``/``std``, else of shape ``size``."""
    rng = _gen(generator)
    if isinstance(mean, Tensor) or isinstance(std, Tensor):
        m = mean._data if isinstance(mean, Tensor) else mean
        s = std._data if isinstance(std, Tensor) else std
        if isinstance(std, Tensor) and (std._data < 0).any():
            raise RuntimeError("normal expects all elements of std >= 0.0")
        from .ops.linalg import _broadcast_batch
        shape = _broadcast_batch(np.shape(m), np.shape(s))
        dt = (mean if isinstance(mean, Tensor) else std).dtype
        arr = (m + s * rng.standard_normal(shape)).astype(dt.np)
        return _finish(arr, device, requires_grad)
    if std < 0:
        raise RuntimeError(f"normal expects std >= 0.0, but found std {std:g}")
    if size is None:
        raise TypeError("normal() received an invalid combination of arguments - got "
                        "(float, float), but expected a size for float mean and std")
    shape = _size((size,) if isinstance(size, int) else tuple(size), "normal")
    dt = _float_dtype(dtype, "normal_kernel_cpu")
    arr = (mean + std * rng.standard_normal(shape)).astype(dt.np)
    return _finish(arr, device, requires_grad)


def bernoulli(input: Tensor, p=None, *, generator=None, out=None) -> Tensor:
    """0/1 samples with probabilities ``input`` (or ``p``), in ``input``'s dtype."""
    probs = input._data if p is None else np.full(input._data.shape, p)
    if ((probs < 0) | (probs > 1)).any():
        raise RuntimeError("Expected p_in >= 0 && p_in <= 1 to be true, but got false.  (Could "
                           "this error message be improved?  If so, please report an "
                           "enhancement request to PyTorch.)")
    arr = (_gen(generator).random(input._data.shape) < probs).astype(input._data.dtype)
    return Tensor._make(arr, False, None, 0, [0])


def poisson(input: Tensor, generator=None) -> Tensor:
    """Poisson samples with rates ``input``."""
    arr = _gen(generator).poisson(input._data).astype(input._data.dtype)
    return Tensor._make(arr, False, None, 0, [0])


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
    rng = _gen(generator)
    n_rows, n_cat = rows.shape
    if replacement:
        # one sorted search over all rows: row r's CDF is shifted into (r, r + 1]
        cdf = np.cumsum(rows / totals, axis=-1)
        cdf[:, -1] = 1.0
        offsets = np.arange(n_rows)[:, None]
        u = rng.random((n_rows, num_samples)) + offsets
        idx = np.searchsorted((cdf + offsets).ravel(), u.ravel(), side="right")
        out_arr = idx.reshape(n_rows, num_samples) - offsets * n_cat
    else:
        # Gumbel top-k: the k largest of log(u)/w sample without replacement by weight
        with np.errstate(divide="ignore"):
            keys = np.log(rng.random(rows.shape)) / rows
        keys[rows == 0] = -np.inf
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
