"""Gamma-family special functions as differentiable primitives: lgamma, digamma,
polygamma, mvlgamma, i0 (and the scaled / first-order modified Bessel functions)."""
from __future__ import annotations

import math

import numpy as np

from .. import _dtype as D
from .._device import as_array
from .._tensor import Tensor
from ..autograd.function import Primitive
from . import _gamma
from .arith import _cast, _need_tensor, _out
from .binary import _float_operands
from .elementwise import _inplace
from .logic import where
from .unary import _unary, cos, log1p, sgn

__all__ = ["lgamma", "digamma", "polygamma", "mvlgamma", "i0", "sinc"]


def _in_f64(fn):
    """A float64 routine applied to any float array, returning the array's dtype."""
    def wrapped(a):
        return as_array(fn(a)).astype(a.dtype, copy=False)
    return wrapped


class Polygamma(Primitive):
    @staticmethod
    def forward(ctx, a, n):
        ctx.n = n
        ctx.save_for_backward(a)
        return _in_f64(lambda x: _gamma.polygamma(n, x))(a)

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        return grad * Polygamma.apply(a, ctx.n + 1), None


def _floated(input, fname):
    _need_tensor(input, fname)
    if input._data.dtype.kind not in "fc":
        input = _cast(input, D.get_default_dtype())
    return input


def polygamma(n: int, input, *, out=None) -> Tensor:
    """The ``n``-th derivative of the digamma function."""
    if n < 0:
        raise RuntimeError("polygamma(n, x) does not support negative n.")
    return _out(Polygamma.apply(_floated(input, "polygamma"), int(n)), out)


Lgamma, lgamma = _unary("Lgamma", _in_f64(_gamma.lgamma), lambda x, o: digamma(x), quiet=True)
Digamma, digamma = _unary("Digamma", _in_f64(_gamma.digamma), lambda x, o: polygamma(1, x),
                          quiet=True)
lgamma.__doc__ = "Natural log of the absolute value of the gamma function."
digamma.__doc__ = "The digamma function, the derivative of ``lgamma``."


def _bessel(order, scaled):
    return _in_f64(lambda x: _gamma.bessel_i(order, x, scaled))


def _i1_deriv(x, o):
    # I1'(x) = I0(x) - I1(x) / x, which is 1/2 at 0
    safe = where(x == 0, 1.0, x)
    return where(x == 0, 0.5, i0(x) - o / safe)


def _i1e_deriv(x, o):
    safe = where(x == 0, 1.0, x)
    return where(x == 0, 0.5, i0e(x) - o * (sgn(x) + 1 / safe))


I1, i1 = _unary("I1", _bessel(1, False), _i1_deriv, saves="both", node="SpecialI1Backward0")
I1e, i1e = _unary("I1e", _bessel(1, True), _i1e_deriv, saves="both",
                  node="SpecialI1EBackward0")
I0, i0 = _unary("I0", _bessel(0, False), lambda x, o: i1(x))
I0e, i0e = _unary("I0e", _bessel(0, True), lambda x, o: i1e(x) - sgn(x) * o, saves="both",
                  node="SpecialI0EBackward0")
i0.__doc__ = "The modified Bessel function of the first kind, order 0."
i0e.__doc__ = "``i0`` scaled by ``exp(-|x|)``."
i1.__doc__ = "The modified Bessel function of the first kind, order 1."
i1e.__doc__ = "``i1`` scaled by ``exp(-|x|)``."


def _sinc_deriv(x, o):
    # d/dx sin(pi x) / (pi x) = (cos(pi x) - sinc(x)) / x, which is 0 at 0
    safe = where(x == 0, 1.0, x)
    return where(x == 0, 0.0, (cos(math.pi * x) - o) / safe)


Sinc, sinc = _unary("Sinc", np.sinc, _sinc_deriv, saves="both", quiet=True)
sinc.__doc__ = "The normalised sinc ``sin(pi x) / (pi x)``, 1 at 0."


class Xlog1py(Primitive):
    node_name = "SpecialXlog1PyBackward0"

    @staticmethod
    def forward(ctx, x, y):
        ctx.save_for_backward(x, y)
        with np.errstate(all="ignore"):
            return np.where((x == 0) & ~np.isnan(y), 0, x * np.log1p(y)).astype(x.dtype)

    @staticmethod
    def backward(ctx, grad):
        x, y = ctx.saved_tensors
        nx, ny = ctx.needs_input_grad
        gx = grad * where(x == 0, 0.0, log1p(y)) if nx else None
        gy = grad * x / (y + 1) if ny else None
        return gx, gy


def xlog1py(input, other, *, out=None) -> Tensor:
    """``input * log1p(other)``, 0 where ``input`` is 0 (unless ``other`` is NaN)."""
    a, b = _float_operands(input, other, "special_xlog1py")
    return _out(Xlog1py.apply(a, b), out)


class Zeta(Primitive):
    node_name = "SpecialZetaBackward0"

    @staticmethod
    def forward(ctx, s, q):
        ctx.save_for_backward(s, q)
        return _gamma.zeta(s, q).astype(np.result_type(s, q), copy=False)

    @staticmethod
    def backward(ctx, grad):
        s, q = ctx.saved_tensors
        if ctx.needs_input_grad[0]:
            raise RuntimeError("the derivative for 'zeta' with respect to its first argument "
                               "is not implemented.")
        return None, grad * -s * Zeta.apply(s + 1, q)


def zeta(input, other, *, out=None) -> Tensor:
    """The Hurwitz zeta function ``sum_k (other + k) ** -input``."""
    a, b = _float_operands(input, other, "special_zeta")
    return _out(Zeta.apply(a, b), out)


def mvlgamma(input, p: int, *, out=None) -> Tensor:
    """The log of the multivariate gamma function of dimension ``p``."""
    x = _floated(input, "mvlgamma")
    if p < 1:
        raise RuntimeError("p has to be greater than or equal to 1")
    total = lgamma(x)
    for j in range(1, p):
        total = total + lgamma(x - j / 2)
    return _out(total + p * (p - 1) / 4 * math.log(math.pi), out)


def _polygamma_method(self, n: int) -> Tensor:
    """``x.polygamma(n)``: the ``n``-th derivative of digamma at ``x``."""
    return polygamma(n, self)


def _polygamma_inplace(self, n: int) -> Tensor:
    """In-place ``polygamma(n)``."""
    return _inplace(lambda x: polygamma(n, x))(self)


_METHODS = ["lgamma", "digamma", "mvlgamma", "i0", "sinc"]
for _n in _METHODS:
    globals()[_n + "_"] = _inplace(globals()[_n])
Tensor.polygamma = _polygamma_method
Tensor.polygamma_ = _polygamma_inplace

TENSOR_METHODS = _METHODS + [n + "_" for n in _METHODS]
