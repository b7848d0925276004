"""Random number generation: Generator, seeding and the random tensor factories.

ember draws from NumPy's PCG64, so seeded runs are reproducible within ember; the
streams differ from PyTorch's (which no test may rely on).
"""
from __future__ import annotations

import numpy as np

from . import _dtype as D
from ._creation import _finish, _size
from ._tensor import Tensor

__all__ = ["Generator", "manual_seed", "seed", "initial_seed", "get_rng_state", "set_rng_state",
           "rand", "randn", "randint", "randperm", "normal", "bernoulli", "multinomial",
           "rand_like", "randn_like", "randint_like", "poisson", "default_generator"]

_DEFAULT_SEED = 67280421310721


class Generator:
    """A source of random numbers with its own seed and state."""

    def __init__(self, device="cpu"):
        self.device = device
        self._seed = _DEFAULT_SEED
        self._rng = np.random.Generator(np.random.PCG64(self._seed))

    def manual_seed(self, seed) -> "Generator":
        """Reset the generator to the start of the stream for ``seed``."""
        seed = int(seed)
        self._seed = seed
        self._rng = np.random.Generator(np.random.PCG64(seed & 0xFFFFFFFFFFFFFFFF))
        return self

    def seed(self) -> int:
        """Reseed from a non-deterministic source and return the new seed."""
        s = int(np.random.SeedSequence().entropy) & 0xFFFFFFFFFFFFFFFF
        self.manual_seed(s)
        return s

    def initial_seed(self) -> int:
        """The seed the generator was last seeded with."""
        return self._seed

    def get_state(self) -> Tensor:
        """The generator's state as a uint8 tensor (restorable with ``set_state``)."""
        import pickle
        data = pickle.dumps((self._seed, self._rng.bit_generator.state))
        return Tensor._make(np.frombuffer(data, dtype=np.uint8).copy(), False, None, 0, [0])

    def set_state(self, state: Tensor) -> "Generator":
        """Restore a state from ``get_state``."""
        import pickle
        seed, st = pickle.loads(np.asarray(state._data, dtype=np.uint8).tobytes())
        self._seed = seed
        self._rng = np.random.Generator(np.random.PCG64())
        self._rng.bit_generator.state = st
        return self

    def clone_state(self):
        return self.get_state()


default_generator = Generator()


def _gen(generator):
    return (generator or default_generator)._rng


def manual_seed(seed) -> Generator:
    """Seed the default generator (and CuPy's, when present)."""
    default_generator.manual_seed(seed)
    return default_generator


def seed() -> int:
    """Seed the default generator non-deterministically; returns the seed."""
    return default_generator.seed()


def initial_seed() -> int:
    """The seed of the default generator."""
    return default_generator.initial_seed()


def get_rng_state() -> Tensor:
    """The default generator's state."""
    return default_generator.get_state()


def set_rng_state(new_state) -> None:
    """Restore the default generator's state."""
    default_generator.set_state(new_state)


def _float_dtype(dtype):
    dt = D.to_dtype(dtype) if dtype is not None else D.get_default_dtype()
    return dt


def rand(*size, generator=None, out=None, dtype=None, layout=None, device=None,
         requires_grad=False, pin_memory=False) -> Tensor:
    """Uniform samples on [0, 1)."""
    dt = _float_dtype(dtype)
    arr = _gen(generator).random(_size(size), dtype=np.float64).astype(dt.np)
    return _finish(arr, device, requires_grad)


def randn(*size, generator=None, out=None, dtype=None, layout=None, device=None,
          requires_grad=False, pin_memory=False) -> Tensor:
    """Standard normal samples."""
    dt = _float_dtype(dtype)
    arr = _gen(generator).standard_normal(_size(size), dtype=np.float64).astype(dt.np)
    return _finish(arr, device, requires_grad)


def randint(low=0, high=None, size=None, *, generator=None, out=None, dtype=None, layout=None,
            device=None, requires_grad=False) -> Tensor:
    """Integers drawn uniformly from [low, high) (int64 unless ``dtype``)."""
    if size is None:
        if isinstance(high, (tuple, list)):
            low, high, size = 0, low, high
        else:
            raise TypeError("randint() missing 1 required positional arguments: \"size\"")
    if high is None:
        low, high = 0, low
    if low >= high:
        raise RuntimeError(f"random_ expects 'from' to be less than 'to', but got from={low} "
                           f">= to={high}")
    dt = D.to_dtype(dtype) if dtype is not None else D.int64
    arr = _gen(generator).integers(low, high, size=_size((size,) if isinstance(size, int)
                                                         else tuple(size))).astype(dt.np)
    return _finish(arr, device, requires_grad)


def randperm(n, *, generator=None, out=None, dtype=None, layout=None, device=None,
             requires_grad=False, pin_memory=False) -> Tensor:
    """A random permutation of 0..n-1."""
    dt = D.to_dtype(dtype) if dtype is not None else D.int64
    return _finish(_gen(generator).permutation(int(n)).astype(dt.np), device, requires_grad)


def normal(mean=0.0, std=1.0, size=None, *, generator=None, out=None, dtype=None,
           layout=None, device=None, requires_grad=False) -> Tensor:
    """Normal samples with the given mean and std (tensors or floats)."""
    rng = _gen(generator)
    if isinstance(mean, Tensor) or isinstance(std, Tensor):
        m = mean._data if isinstance(mean, Tensor) else mean
        s = std._data if isinstance(std, Tensor) else std
        if isinstance(std, Tensor) and (std._data < 0).any():
            raise RuntimeError("normal expects all elements of std >= 0.0")
        shape = np.broadcast_shapes(np.shape(m), np.shape(s))
        dt = (mean if isinstance(mean, Tensor) else std).dtype
        arr = (m + s * rng.standard_normal(shape)).astype(dt.np)
        return _finish(arr, device, requires_grad)
    if std < 0:
        raise RuntimeError(f"normal expects std >= 0.0, but found std {std}")
    if size is None:
        raise TypeError("normal() received an invalid combination of arguments")
    dt = _float_dtype(dtype)
    arr = (mean + std * rng.standard_normal(_size((size,) if isinstance(size, int)
                                                  else tuple(size)))).astype(dt.np)
    return _finish(arr, device, requires_grad)


def bernoulli(input, p=None, *, generator=None, out=None) -> Tensor:
    """0/1 samples with probabilities ``input`` (or ``p``), in ``input``'s dtype."""
    probs = input._data if p is None else np.full(input._data.shape, p)
    if ((probs < 0) | (probs > 1)).any():
        raise RuntimeError("Expected p_in >= 0 && p_in <= 1 to be true, but got false.")
    arr = (_gen(generator).random(input._data.shape) < probs).astype(input._data.dtype)
    return Tensor._make(arr, False, None, 0, [0])


def poisson(input, generator=None) -> Tensor:
    """Poisson samples with rates ``input``."""
    arr = _gen(generator).poisson(input._data).astype(input._data.dtype)
    return Tensor._make(arr, False, None, 0, [0])


def multinomial(input, num_samples, replacement=False, *, generator=None, out=None) -> Tensor:
    """Indices sampled from each row of non-negative weights ``input``."""
    w = np.asarray(input._data, dtype=np.float64)
    if w.ndim not in (1, 2):
        raise RuntimeError("prob_dist must be 1 or 2 dim")
    if (w < 0).any() or not np.isfinite(w).all():
        raise RuntimeError("probability tensor contains either `inf`, `nan` or element < 0")
    rows = w.reshape(-1, w.shape[-1])
    n_cat = rows.shape[1]
    if not replacement and num_samples > n_cat:
        raise RuntimeError("cannot sample n_sample > prob_dist.size(-1) samples without "
                           "replacement")
    rng = _gen(generator)
    out = np.empty((rows.shape[0], num_samples), dtype=np.int64)
    for i, r in enumerate(rows):
        total = r.sum()
        if total <= 0:
            raise RuntimeError("invalid multinomial distribution (sum of probabilities <= 0)")
        p = r / total
        if replacement:
            out[i] = rng.choice(n_cat, size=num_samples, replace=True, p=p)
        else:
            # Gumbel top-k: sampling without replacement proportional to the weights
            keys = np.log(rng.random(n_cat)) / np.where(p > 0, p, 1e-300)
            keys[p == 0] = -np.inf
            out[i] = np.argsort(-keys, kind="stable")[:num_samples]
    return Tensor._make(out.reshape(w.shape[:-1] + (num_samples,)), False, None, 0, [0])


def rand_like(input, *, dtype=None, layout=None, device=None, requires_grad=False,
              memory_format=None) -> Tensor:
    """``rand`` with ``input``'s shape and dtype."""
    return rand(*input._data.shape, dtype=dtype or input.dtype, requires_grad=requires_grad)


def randn_like(input, *, dtype=None, layout=None, device=None, requires_grad=False,
               memory_format=None) -> Tensor:
    """``randn`` with ``input``'s shape and dtype."""
    return randn(*input._data.shape, dtype=dtype or input.dtype, requires_grad=requires_grad)


def randint_like(input, low=0, high=None, *, dtype=None, layout=None, device=None,
                 requires_grad=False, memory_format=None) -> Tensor:
    """``randint`` with ``input``'s shape and dtype."""
    if high is None:
        low, high = 0, low
    return randint(low, high, input._data.shape, dtype=dtype or input.dtype)
