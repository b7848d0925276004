"""In-place fills: ``zero_``, ``fill_``, ``copy_`` and the random fills (``uniform_`` …)."""
from __future__ import annotations

import numpy as np

from .._argtypes import not_tensor_error
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
        raise not_tensor_error("copy_", "src", 1, src)
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
    from .._random import uniform_values
    u = uniform_values(generator, self._data.size, self.dtype, from_, to)
    return _random_fill(self, u.reshape(self._data.shape))


def normal_(self: Tensor, mean: float = 0.0, std: float = 1.0, *, generator=None) -> Tensor:
    """Fill with samples from N(mean, std**2)."""
    _need_float(self, "normal_kernel")
    if std < 0:
        raise RuntimeError(f"normal expects std >= 0.0, but found std {std}")
    from .._random import normal_values
    z = normal_values(generator, self._data.size, self.dtype, mean, std)
    return _random_fill(self, z.reshape(self._data.shape))


def bernoulli_(self: Tensor, p=0.5, *, generator=None) -> Tensor:
    """Fill with 0/1 samples that are 1 with probability ``p`` (number or tensor)."""
    from .._random import bernoulli_values
    if isinstance(p, Tensor):
        probs = np.broadcast_to(p._data, self._data.shape)
        return _random_fill(self, bernoulli_values(generator, probs, p.dtype.name != "float64"))
    return _random_fill(self, bernoulli_values(generator, np.full(self._data.shape, p), False))


def random_(self: Tensor, from_: int = 0, to: int | None = None, *, generator=None) -> Tensor:
    """Fill with integers uniform on [from_, to) (``random_(to)`` means [0, to))."""
    from .._random import _mt, int_values
    n = self._data.size
    if to is None and from_ == 0:
        return _random_fill(self, _full_range(_mt(generator), self, n).reshape(self._data.shape))
    if to is None:
        from_, to = 0, from_
    return _random_fill(self, int_values(generator, n, int(from_), int(to)).reshape(
        self._data.shape))


def _full_range(mt, self: Tensor, n: int) -> np.ndarray:
    """``random_()`` without bounds: [0, 2**mantissa] for floats, [0, max] for integers,
    from one word each (two for int64 and float64), as torch draws them."""
    name = self.dtype.name
    if name == "bool":
        return (mt.u32(n) & np.uint64(1)).astype(bool)
    modulus = {"float64": (1 << 53) + 1, "float32": (1 << 24) + 1, "float16": (1 << 11) + 1,
               "bfloat16": (1 << 8) + 1}.get(name)
    if modulus is None:
        modulus = int(np.iinfo(self._data.dtype).max) + 1
    words = mt.u64(n) if name in ("int64", "float64") else mt.u32(n)
    return words % np.uint64(modulus)


def _uniform64(self: Tensor, generator) -> np.ndarray:
    """One float64 uniform per element: what torch's CPU kernels for the exponential,
    geometric and Cauchy distributions transform, whatever the tensor's dtype."""
    from .._random import _mt
    return _mt(generator).uniform(self._data.size, 53).reshape(self._data.shape)


def exponential_(self: Tensor, lambd: float = 1.0, *, generator=None) -> Tensor:
    """Fill with samples of an exponential distribution of rate ``lambd``."""
    return _random_fill(self, -np.log1p(-_uniform64(self, generator)) / lambd)


def geometric_(self: Tensor, p: float, *, generator=None) -> Tensor:
    """Fill with samples of a geometric distribution (trials to first success)."""
    with np.errstate(divide="ignore"):
        return _random_fill(self, np.ceil(np.log(_uniform64(self, generator)) / np.log1p(-p)))


def log_normal_(self: Tensor, mean: float = 1.0, std: float = 2.0, *, generator=None) -> Tensor:
    """Fill with samples whose logarithm is N(mean, std**2)."""
    from .._random import _mt
    z = _mt(generator).normal_serial(self._data.size).reshape(self._data.shape)
    return _random_fill(self, np.exp(z * std + mean))


def cauchy_(self: Tensor, median: float = 0.0, sigma: float = 1.0, *, generator=None) -> Tensor:
    """Fill with samples of a Cauchy distribution."""
    return _random_fill(self, median + sigma * np.tan(np.pi * (_uniform64(self, generator) - 0.5)))


TENSOR_METHODS = ["bernoulli", "multinomial", "fill_", "zero_", "copy_", "uniform_", "normal_", "bernoulli_", "random_",
                  "exponential_", "geometric_", "log_normal_", "cauchy_"]
