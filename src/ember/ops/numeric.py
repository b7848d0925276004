"""Integer and floating-point bit-level functions: gcd, lcm, frexp, ldexp, nextafter."""
from __future__ import annotations

import numpy as np

from .. import return_types
from .._device import as_array
from .._tensor import _TYPE_SHORT, Tensor
from ._util import const

__all__ = ["gcd", "gcd_", "lcm", "lcm_", "frexp", "ldexp", "ldexp_", "nextafter",
           "nextafter_"]


def _integer_pair(input: Tensor, other: Tensor, name: str):
    for t in (input, other):
        if t._data.dtype.kind not in "iu":
            raise NotImplementedError(f'"{name}_cpu" not implemented for '
                                      f"'{_TYPE_SHORT[str(t.dtype).split('.')[-1]]}'")
    from .._dtype import result_type
    dt = result_type(input, other)
    return input._data.astype(dt.np, copy=False), other._data.astype(dt.np, copy=False)


def gcd(input: Tensor, other: Tensor, *, out=None) -> Tensor:
    """Elementwise greatest common divisor of two integer tensors (non-negative)."""
    a, b = _integer_pair(input, other, "gcd")
    return const(input._xp().gcd(a, b))


def lcm(input: Tensor, other: Tensor, *, out=None) -> Tensor:
    """Elementwise least common multiple of two integer tensors (non-negative)."""
    a, b = _integer_pair(input, other, "lcm")
    return const(input._xp().lcm(a, b))


def _write(self: Tensor, value: Tensor) -> Tensor:
    self._data[...] = value._data
    self._vc[0] += 1
    return self


def gcd_(self: Tensor, other: Tensor) -> Tensor:
    """In-place :func:`gcd`."""
    return _write(self, gcd(self, other))


def lcm_(self: Tensor, other: Tensor) -> Tensor:
    """In-place :func:`lcm`."""
    return _write(self, lcm(self, other))


def frexp(input: Tensor, *, out=None):
    """Mantissa in [0.5, 1) and integer exponent with ``input = mantissa * 2 ** exponent``
    (named tuple)."""
    if not input.is_floating_point():
        raise RuntimeError("torch.frexp() only supports floating-point dtypes")
    m, e = input._xp().frexp(input._data)
    return return_types.frexp((const(m), const(e.astype(np.int32))))


def ldexp(input: Tensor, other: Tensor, *, out=None) -> Tensor:
    """``input * 2 ** other`` (differentiable in ``input``)."""
    other = other if isinstance(other, Tensor) else const(as_array(other))
    scale = const(input._xp().ldexp(np.ones((), dtype=np.float32 if input._data.dtype ==
                                              np.float32 else np.float64),
                                     other._data.astype(np.int32)))
    result = input * scale
    return result if result.is_floating_point() else result.float()


def ldexp_(self: Tensor, other: Tensor) -> Tensor:
    """In-place :func:`ldexp`."""
    return _write(self, ldexp(self.detach(), other))


def nextafter(input: Tensor, other: Tensor, *, out=None) -> Tensor:
    """The next representable float after ``input`` towards ``other``."""
    from .._dtype import result_type
    dt = result_type(input, other)
    a = input._data.astype(dt.np, copy=False)
    b = (other._data if isinstance(other, Tensor) else as_array(other)).astype(dt.np,
                                                                                 copy=False)
    return const(input._xp().nextafter(a, b))


def nextafter_(self: Tensor, other: Tensor) -> Tensor:
    """In-place :func:`nextafter`."""
    return _write(self, nextafter(self, other))


TENSOR_METHODS = list(__all__)
