"""Unary pointwise math: the float-valued table (exp, log, trig, sigmoid, erf, ...),
sign and rounding, relu, abs, square, and the complex parts (real, imag, conj, angle).
"""
from __future__ import annotations

import math

import numpy as np

from .. import _dtype as D
from .._device import as_array
from .._tensor import Tensor
from ..autograd.function import Primitive
from . import _special
from ._util import const
from .arith import _arr, _cast, _need_tensor, _not_implemented, _out, _to_float
from .logic import where


_make = Tensor._make

__all__ = [
    "abs", "absolute", "exp", "exp2", "expm1", "log", "log2", "log10", "log1p", "sqrt",
    "rsqrt", "square", "sin", "cos", "tan", "asin", "acos", "atan", "arcsin", "arccos",
    "arctan", "sinh", "cosh", "tanh", "asinh", "acosh", "atanh", "arcsinh", "arccosh",
    "arctanh", "sigmoid", "relu", "erf", "erfc", "erfinv", "reciprocal", "logit", "deg2rad",
    "rad2deg", "sign", "sgn", "signbit", "floor", "ceil", "round", "trunc", "fix", "frac",
    "real", "imag", "angle",
]


# -- the unary table ------------------------------------------------------------
def _unary(name, fwd, deriv, saves="x", quiet=False, node=None, arrays=False):
    """Build the primitive and the public function of a float-valued pointwise op.

    ``deriv(x, out)`` gives d out / d x from the saved input and/or output tensors
    (``saves``: "x", "out" or "both"); integer and bool inputs become the default
    float dtype first; ``quiet`` silences NumPy's domain warnings (PyTorch has none);
    ``arrays`` says ``deriv`` is plain arithmetic that also works on backend arrays, which
    gives the op an array-level backward.
    """
    def forward(ctx, a):
        if quiet:
            with np.errstate(all="ignore"):
                out = _arr(fwd(a))
        else:
            out = _arr(fwd(a))
        if saves == "x":
            ctx.save_for_backward(a)
        elif saves == "out":
            ctx.save_for_backward(out)
        else:
            ctx.save_for_backward(a, out)
        return out

    def chain(grad, saved):
        if saves == "x":
            return grad * deriv(saved[0], None)
        if saves == "out":
            return grad * deriv(None, saved[0])
        return grad * deriv(saved[0], saved[1])

    def backward(ctx, grad):
        return chain(grad, ctx.saved_tensors)

    def backward_array(ctx, grad):
        with np.errstate(all="ignore"):
            return chain(grad, ctx.saved_arrays)

    cls = type(name, (Primitive,), {
        "forward": staticmethod(forward), "backward": staticmethod(backward),
        "backward_array": staticmethod(backward_array) if arrays else None,
        "node_name": node or name + "Backward0", "__module__": __name__})
    fname = name.lower()

    def fn(input, *, out=None):
        if not isinstance(input, Tensor):
            _need_tensor(input, fname)
        if input._data.dtype.kind not in "fc":
            input = _cast(input, D.get_default_dtype())
        r = cls.apply(input)
        return r if out is None else _out(r, out)

    fn.__name__ = fn.__qualname__ = fname
    fn.__doc__ = f"Elementwise ``{fname}``; integer inputs give the default float dtype."
    return cls, fn


_LN2 = math.log(2.0)
_LN10 = math.log(10.0)
Exp, exp = _unary("Exp", np.exp, lambda x, o: o, saves="out", quiet=True, arrays=True)
Exp2, exp2 = _unary("Exp2", np.exp2, lambda x, o: o * _LN2, saves="out", quiet=True, arrays=True)
Expm1, expm1 = _unary("Expm1", np.expm1, lambda x, o: o + 1, saves="out", quiet=True, arrays=True)
Log, log = _unary("Log", np.log, lambda x, o: 1 / x, quiet=True, arrays=True)
Log2, log2 = _unary("Log2", np.log2, lambda x, o: (x * _LN2).reciprocal(), quiet=True)
Log10, log10 = _unary("Log10", np.log10, lambda x, o: (x * _LN10).reciprocal(), quiet=True)
Log1p, log1p = _unary("Log1p", np.log1p, lambda x, o: (x + 1).reciprocal(), quiet=True)
Sqrt, sqrt = _unary("Sqrt", np.sqrt, lambda x, o: 0.5 / o, saves="out", quiet=True, arrays=True)
Rsqrt, rsqrt = _unary("Rsqrt", lambda a: 1 / np.sqrt(a), lambda x, o: -0.5 * o * o * o,
                      saves="out", quiet=True, arrays=True)
Sin, sin = _unary("Sin", np.sin, lambda x, o: cos(x), quiet=True)
Cos, cos = _unary("Cos", np.cos, lambda x, o: -sin(x), quiet=True)
Tan, tan = _unary("Tan", np.tan, lambda x, o: 1 + o * o, saves="out", quiet=True, arrays=True)
Asin, asin = _unary("Asin", np.arcsin, lambda x, o: rsqrt(1 - x * x), quiet=True)
Acos, acos = _unary("Acos", np.arccos, lambda x, o: -rsqrt(1 - x * x), quiet=True)
Atan, atan = _unary("Atan", np.arctan, lambda x, o: (1 + x * x).reciprocal())
Sinh, sinh = _unary("Sinh", np.sinh, lambda x, o: cosh(x), quiet=True)
Cosh, cosh = _unary("Cosh", np.cosh, lambda x, o: sinh(x), quiet=True)
Tanh, tanh = _unary("Tanh", np.tanh, lambda x, o: 1 - o * o, saves="out", arrays=True)
Asinh, asinh = _unary("Asinh", np.arcsinh, lambda x, o: rsqrt(x * x + 1))
Acosh, acosh = _unary("Acosh", np.arccosh, lambda x, o: rsqrt(x * x - 1), quiet=True)
Atanh, atanh = _unary("Atanh", np.arctanh, lambda x, o: (1 - x * x).reciprocal(), quiet=True)
arcsin, arccos, arctan = asin, acos, atan
arcsinh, arccosh, arctanh = asinh, acosh, atanh
Reciprocal, reciprocal = _unary("Reciprocal", lambda a: 1 / a, lambda x, o: -o * o,
                                saves="out", quiet=True, arrays=True)
Deg2rad, deg2rad = _unary("Deg2rad", np.deg2rad, lambda x, o: math.pi / 180)
Rad2deg, rad2deg = _unary("Rad2deg", np.rad2deg, lambda x, o: 180 / math.pi)


def _sigmoid(a):
    # exp of a non-positive number only: no overflow for large |a|
    e = np.exp(-np.abs(a))
    return np.where(a >= 0, 1 / (1 + e), e / (1 + e)).astype(a.dtype, copy=False)


Sigmoid, sigmoid = _unary("Sigmoid", _sigmoid, lambda x, o: o * (1 - o), saves="out",
                          arrays=True)


def _in_f64(fn):
    """Run a float64 routine on any float array, returning the array's own dtype."""
    def wrapped(a):
        return fn(a).astype(a.dtype, copy=False)
    return wrapped


_TWO_OVER_SQRT_PI = 2 / math.sqrt(math.pi)
Erf, erf = _unary("Erf", _in_f64(_special.erf),
                  lambda x, o: _TWO_OVER_SQRT_PI * exp(-x * x))
Erfc, erfc = _unary("Erfc", _in_f64(_special.erfc),
                    lambda x, o: -_TWO_OVER_SQRT_PI * exp(-x * x))
Erfinv, erfinv = _unary("Erfinv", _in_f64(_special.erfinv),
                        lambda x, o: (math.sqrt(math.pi) / 2) * exp(o * o), saves="out")
Logit, _logit = _unary("Logit", lambda a: np.log(a / (1 - a)),
                       lambda x, o: (x * (1 - x)).reciprocal(), quiet=True)


def logit(input, eps: float | None = None, *, out=None) -> Tensor:
    """``log(p / (1 - p))``, with ``p`` clamped to ``[eps, 1 - eps]`` when ``eps`` is given."""
    if eps is not None:
        from .binary import clamp  # (binary builds on this module)
        input = clamp(_to_float(input), eps, 1 - eps)
    return _logit(input, out=out)


# -- sign, rounding and other integer-preserving unary ops ----------------------
class Relu(Primitive):
    @staticmethod
    def forward(ctx, a):
        out = _arr(np.maximum(a, 0))
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        return grad * (out > 0)

    @staticmethod
    def backward_array(ctx, grad):
        (out,) = ctx.saved_arrays
        return grad * (out > 0)


def relu(input, *, out=None) -> Tensor:
    """``max(input, 0)`` elementwise."""
    _need_tensor(input, "relu")
    if input._data.dtype.kind == "b":
        raise RuntimeError("Boolean inputs not supported for relu")
    return _out(Relu.apply(input), out)


class Abs(Primitive):
    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return np.abs(a)

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        return grad * sgn(a)  # x / |x| for complex inputs


def abs(input, *, out=None) -> Tensor:
    """Absolute value."""
    _need_tensor(input, "abs")
    if input._data.dtype.kind == "b":
        raise _not_implemented("abs_cpu", input.dtype)
    return _out(Abs.apply(input), out)


absolute = abs


class Square(Primitive):
    node_name = "PowBackward0"

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return np.square(a)

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        return grad * (2 * a)


def square(input, *, out=None) -> Tensor:
    """``input * input``; bool inputs give int64, as ``pow(input, 2)`` does."""
    _need_tensor(input, "square")
    if input._data.dtype.kind == "b":
        input = _cast(input, D.int64)
    return _out(Square.apply(input), out)


class _ZeroGrad(Primitive):
    """Piecewise-constant ops: the gradient is zero almost everywhere."""

    @staticmethod
    def backward(ctx, *grads):
        return (grads[0] * 0,) + (None,) * (len(ctx.needs_input_grad) - 1)


def _rounding(name, fwd):
    cls = type(name, (_ZeroGrad,), {"forward": staticmethod(lambda ctx, a: fwd(a)),
                                    "__module__": __name__})
    fname = name.lower()

    def fn(input, *, out=None):
        _need_tensor(input, fname)
        k = input._data.dtype.kind
        if k == "b":
            raise _not_implemented(f"{fname}_vml_cpu", input.dtype)
        if k in "iu":  # already integral
            return _out(_make(input._data.copy(), False, None, 0, [0]), out)
        return _out(cls.apply(input), out)

    fn.__name__ = fn.__qualname__ = fname
    fn.__doc__ = f"Elementwise ``{fname}`` (zero gradient; integer tensors are copied)."
    return cls, fn


Floor, floor = _rounding("Floor", np.floor)
Ceil, ceil = _rounding("Ceil", np.ceil)
Trunc, trunc = _rounding("Trunc", np.trunc)
fix = trunc


class Round(_ZeroGrad):
    @staticmethod
    def forward(ctx, a, decimals):
        return np.round(a, decimals)


def round(input, *, decimals: int = 0, out=None) -> Tensor:
    """Round half to even, optionally to ``decimals`` decimal places."""
    _need_tensor(input, "round")
    k = input._data.dtype.kind
    if k == "b":
        raise _not_implemented("round_vml_cpu", input.dtype)
    if k in "iu" and decimals == 0:
        return _out(_make(input._data.copy(), False, None, 0, [0]), out)
    return _out(Round.apply(input, decimals), out)


class Sign(_ZeroGrad):
    @staticmethod
    def forward(ctx, a):
        return np.sign(a) if a.dtype.kind != "b" else a.copy()


class Sgn(Primitive):
    """``x / |x|`` for complex tensors (0 at 0)."""

    @staticmethod
    def forward(ctx, a):
        mag = np.abs(a)
        with np.errstate(all="ignore"):
            out = _arr(np.where(mag == 0, 0, a / mag).astype(a.dtype, copy=False))
        ctx.save_for_backward(a, out)
        return out

    @staticmethod
    def backward(ctx, grad):
        a, out = ctx.saved_tensors
        mag = abs(a)
        g = (grad - real(grad * out.conj()) * out) / mag
        return where(mag == 0, 0.0, g)


def sign(input, *, out=None) -> Tensor:
    """-1, 0 or 1 by the sign of each element (bools are kept)."""
    _need_tensor(input, "sign")
    if input._data.dtype.kind == "c":
        raise RuntimeError("Unlike NumPy, torch.sign is not intended to support complex "
                           "numbers. Please use torch.sgn instead.")
    return _out(Sign.apply(input), out)


def sgn(input, *, out=None) -> Tensor:
    """``sign`` for real tensors, ``x / |x|`` for complex ones."""
    _need_tensor(input, "sgn")
    if input._data.dtype.kind == "c":
        return _out(Sgn.apply(input), out)
    return sign(input, out=out)


def signbit(input, *, out=None) -> Tensor:
    """Whether each element's sign bit is set (true for -0.0)."""
    _need_tensor(input, "signbit")
    return _out(const(as_array(np.signbit(input._data))), out)


class Frac(Primitive):
    @staticmethod
    def forward(ctx, a):
        return a - np.trunc(a)

    @staticmethod
    def backward(ctx, grad):
        return grad


def frac(input, *, out=None) -> Tensor:
    """The fractional part ``input - trunc(input)``; float tensors only."""
    _need_tensor(input, "frac")
    if input._data.dtype.kind not in "fc":
        raise _not_implemented("frac_cpu", input.dtype)
    return _out(Frac.apply(input), out)



# -- complex helpers ------------------------------------------------------------
class Real(Primitive):
    @staticmethod
    def forward(ctx, a):
        return a.real

    @staticmethod
    def backward(ctx, grad):
        return grad


def real(input) -> Tensor:
    """The real part (the tensor itself for real dtypes)."""
    if input._data.dtype.kind != "c":
        return input
    return Real.apply(input)


def imag(input) -> Tensor:
    """The imaginary part of a complex tensor."""
    if input._data.dtype.kind != "c":
        raise RuntimeError("imag is not implemented for tensors with non-complex dtypes.")
    return const(input._data.imag)


def angle(input) -> Tensor:
    """The argument of each element (0 or pi for real numbers), in a float dtype."""
    x = _to_float(input)._data
    return const(as_array(np.angle(x)).astype(x.real.dtype, copy=False))
