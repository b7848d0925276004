"""In-place fills: ``zero_``, ``fill_``, ``copy_`` and the random fills (``uniform_`` …)."""
from __future__ import annotations

import numpy as np

from .._random import bernoulli, multinomial  # noqa: F401  (bound as methods below)
from .._tensor import Tensor
from ..autograd import grad_mode

__all__ = []

_state = grad_mode._state


def _write(self: Tensor, arr) -> Tensor:
    """Overwrite every element of ``self`` with ``arr`` (broadcast), bumping the version.

    The written values carry no history, so ``self`` leaves the graph (as in PyTorch,
    where a fill cuts the gradient to what was there before).
    """
    self._check_inplace()
    self._data[...] = arr
    self._vc[0] += 1
    if self.grad_fn is not None and _state.enabled:
        self.grad_fn = None
        self._rg = False
    return self


def fill_(self: Tensor, value) -> Tensor:
    """Set every element to ``value`` (a number or a one-element tensor)."""
    if isinstance(value, Tensor):
        if value._data.ndim:
            raise RuntimeError(f"fill_ only supports 0-dimension value tensor but got tensor "
                               f"with {value._data.ndim} dimensions.")
        if _state.enabled and (value._rg or self._rg):
            return copy_(self, value.expand(self._data.shape))
        value = value._data
    return _write(self, value)


def zero_(self: Tensor) -> Tensor:
    """Set every element to zero."""
    return _write(self, 0)


def copy_(self: Tensor, src: Tensor, non_blocking: bool = False) -> Tensor:
    """Copy ``src`` (broadcast, converted to this dtype and device) into ``self``."""
    if not isinstance(src, Tensor):
        raise TypeError(f"copy_(): argument 'src' (position 1) must be Tensor, not "
                        f"{type(src).__name__}")
    _check_copy_shape(self._data.shape, src._data.shape)
    if src.device != self.device:
        src = src.to(self.device)
    if _state.enabled and (self._rg or src._rg):
        self._check_inplace()
        if not src._rg:  # nothing to differentiate: the old history is cut
            return _write(self, src._data)
        value = src.expand(self._data.shape).to(self.dtype)
        if value is src:
            value = src.clone()
        return self._inplace_from(value)
    self._data[...] = src._data
    self._vc[0] += 1
    return self


def _check_copy_shape(dst, src):
    """``src`` must broadcast to exactly ``dst``; PyTorch's messages otherwise."""
    n = max(len(dst), len(src))
    a = (1,) * (n - len(dst)) + tuple(dst)
    b = (1,) * (n - len(src)) + tuple(src)
    for i in range(n - 1, -1, -1):
        if a[i] != b[i] and a[i] != 1 and b[i] != 1:
            raise RuntimeError(f"The size of tensor a ({a[i]}) must match the size of tensor b "
                               f"({b[i]}) at non-singleton dimension {i}")
    shape = tuple(y if x == 1 else x for x, y in zip(a, b))
    if shape != tuple(dst):
        raise RuntimeError(f"output with shape [{', '.join(map(str, dst))}] doesn't match the "
                           f"broadcast shape [{', '.join(map(str, shape))}]")


def _rng(generator):
    from .._random import _gen
    return _gen(generator)


def _random_fill(self: Tensor, values: np.ndarray) -> Tensor:
    return _write(self, values.astype(self._data.dtype, copy=False))


def _need_float(self, name):
    if self._data.dtype.kind not in "fc":
        raise RuntimeError(f"\"{name}_cpu\" not implemented for '{_short(self)}'")


def _short(t):
    from .._tensor import _TYPE_SHORT
    return _TYPE_SHORT[t.dtype.name]


def uniform_(self: Tensor, from_: float = 0.0, to: float = 1.0, *, generator=None) -> Tensor:
    """Fill with samples from U(from_, to)."""
    _need_float(self, "check_uniform_bounds")
    if from_ > to:
        raise RuntimeError(f"uniform_ expects to return a [from, to) range, but found "
                           f"from={from_} > to={to}")
    u = _rng(generator).random(self._data.shape)
    return _random_fill(self, from_ + (to - from_) * u)


def normal_(self: Tensor, mean: float = 0.0, std: float = 1.0, *, generator=None) -> Tensor:
    """Fill with samples from N(mean, std**2)."""
    _need_float(self, "normal_kernel")
    if std < 0:
        raise RuntimeError(f"normal expects std >= 0.0, but found std {std}")
    return _random_fill(self, mean + std * _rng(generator).standard_normal(self._data.shape))


def bernoulli_(self: Tensor, p=0.5, *, generator=None) -> Tensor:
    """Fill with 0/1 samples that are 1 with probability ``p`` (number or tensor)."""
    probs = p._data if isinstance(p, Tensor) else p
    return _random_fill(self, _rng(generator).random(self._data.shape) < probs)


def random_(self: Tensor, from_: int = 0, to: int | None = None, *, generator=None) -> Tensor:
    """Fill with integers uniform on [from_, to) (``random_(to)`` means [0, to))."""
    if to is None:
        if from_ == 0:
            to = 2 ** 24 if self._data.dtype.kind == "f" else np.iinfo(self._data.dtype).max \
                if self._data.dtype.kind in "iu" else 2
        else:
            from_, to = 0, from_
    return _random_fill(self, _rng(generator).integers(from_, to, self._data.shape))


def exponential_(self: Tensor, lambd: float = 1.0, *, generator=None) -> Tensor:
    """Fill with samples of an exponential distribution of rate ``lambd``."""
    return _random_fill(self, _rng(generator).exponential(1.0 / lambd, self._data.shape))


def geometric_(self: Tensor, p: float, *, generator=None) -> Tensor:
    """Fill with samples of a geometric distribution (trials to first success)."""
    return _random_fill(self, _rng(generator).geometric(p, self._data.shape))


def log_normal_(self: Tensor, mean: float = 1.0, std: float = 2.0, *, generator=None) -> Tensor:
    """Fill with samples whose logarithm is N(mean, std**2)."""
    return _random_fill(self, _rng(generator).lognormal(mean, std, self._data.shape))


def cauchy_(self: Tensor, median: float = 0.0, sigma: float = 1.0, *, generator=None) -> Tensor:
    """Fill with samples of a Cauchy distribution."""
    return _random_fill(self, median + sigma * _rng(generator).standard_cauchy(self._data.shape))


TENSOR_METHODS = ["bernoulli", "multinomial", "fill_", "zero_", "copy_", "uniform_", "normal_", "bernoulli_", "random_",
                  "exponential_", "geometric_", "log_normal_", "cauchy_"]
