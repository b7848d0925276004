"""Pointwise operations: arithmetic, comparisons, logic and the unary math functions.

Binary operations promote their operands to PyTorch's result dtype first; the
engine undoes broadcasting in the backward, so a primitive's backward returns
gradients in the broadcast shape.
"""
from __future__ import annotations

import numpy as np

from .. import _dtype as D
from .._tensor import Tensor
from ..autograd import grad_mode
from ..autograd.function import Primitive
from ._util import const

_state = grad_mode._state
_ndarray = np.ndarray
_BY_NP = D._BY_NP

__all__ = [
    "add", "sub", "subtract", "mul", "multiply", "div", "divide", "true_divide",
    "floor_divide", "remainder", "fmod", "pow", "neg", "negative", "abs", "absolute",
    "exp", "exp2", "expm1", "log", "log2", "log10", "log1p", "sqrt", "rsqrt", "square",
    "sin", "cos", "tan", "asin", "acos", "atan", "arcsin", "arccos", "arctan", "sinh", "cosh",
    "tanh", "asinh", "acosh", "atanh", "sigmoid", "relu", "erf", "erfc", "erfinv",
    "reciprocal", "sign", "sgn", "floor", "ceil", "round", "trunc", "fix", "frac", "clamp",
    "clip", "clamp_min", "clamp_max", "maximum", "minimum", "fmax", "fmin", "where", "lerp",
    "atan2", "arctan2", "hypot", "xlogy", "logaddexp", "eq", "ne", "lt", "le", "gt", "ge",
    "greater", "greater_equal", "less", "less_equal", "not_equal", "isnan", "isinf",
    "isfinite", "isposinf", "isneginf", "isreal", "logical_and", "logical_or",
    "logical_xor", "logical_not", "bitwise_and", "bitwise_or", "bitwise_xor", "bitwise_not",
    "bitwise_left_shift", "bitwise_right_shift", "allclose", "isclose", "equal",
    "nan_to_num", "addcmul", "addcdiv", "real", "imag", "conj", "angle", "signbit",
    "copysign", "heaviside", "logit", "deg2rad", "rad2deg", "positive", "float_power",
    "mul_scalar",
]


# -- dtype handling -------------------------------------------------------------
def _cast(t: Tensor, dt: D.dtype) -> Tensor:
    """``t`` converted to ``dt`` (differentiable between float types)."""
    if t._data.dtype == dt.np:
        return t
    return Cast.apply(t, dt.np)


class Cast(Primitive):
    node_name = "ToCopyBackward0"

    @staticmethod
    def forward(ctx, a, np_dtype):
        ctx.src = a.dtype
        if a.dtype.kind == "c" and np_dtype.kind != "c":
            a = a.real
        return a.astype(np_dtype)

    @staticmethod
    def backward(ctx, grad):
        if ctx.src.kind not in "fc":
            return None, None
        return _cast(grad, _BY_NP[ctx.src]), None


def _operands(a, b):
    """Coerce a binary op's operands to arrays/scalars of PyTorch's result dtype.

    Returns (a, b) as Tensors or Python scalars; at least one is a Tensor.
    """
    ta = isinstance(a, Tensor)
    tb = isinstance(b, Tensor)
    if ta and tb:
        da, db = a._data.dtype, b._data.dtype
        if da is db or da == db:
            return a, b
        rt = D.result_type(a, b)
        return _cast(a, rt), _cast(b, rt)
    t, s = (a, b) if ta else (b, a)
    if not isinstance(s, (int, float, bool, complex, np.generic)):
        if isinstance(s, (list, tuple, np.ndarray)):
            from .._creation import tensor as _tensor
            s = _tensor(s, device=t.device)
            return _operands(a if ta else s, s if ta else b)
        raise TypeError(f"unsupported operand type(s): '{type(a).__name__}' and "
                        f"'{type(b).__name__}'")
    if isinstance(s, np.generic):
        s = s.item()
    cat = D.scalar_category(s)
    tcat = _BY_NP[t._data.dtype].category
    if cat > tcat:
        t = _cast(t, D.default_for_category(cat))
    elif t._data.dtype.kind in "iu":
        s = int(s)
    return (t, s) if ta else (s, t)


def _tensor_arg(x, like: Tensor) -> Tensor:
    if isinstance(x, Tensor):
        return x
    return const(like._xp().asarray(x, dtype=like._data.dtype))


# -- arithmetic -----------------------------------------------------------------
class Add(Primitive):
    @staticmethod
    def forward(ctx, a, b):
        return a + b

    @staticmethod
    def backward(ctx, grad):
        return grad, grad


class Sub(Primitive):
    @staticmethod
    def forward(ctx, a, b):
        return a - b

    @staticmethod
    def backward(ctx, grad):
        return grad, -grad


class RSub(Primitive):
    """``scalar - tensor``."""
    node_name = "RsubBackward1"

    @staticmethod
    def forward(ctx, a, s):
        return s - a

    @staticmethod
    def backward(ctx, grad):
        return -grad, None


class Mul(Primitive):
    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return a * b

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        na, nb = ctx.needs_input_grad
        return (grad * b if na else None), (grad * a if nb else None)


class Div(Primitive):
    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return a / b

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        na, nb = ctx.needs_input_grad
        ga = grad / b if na else None
        gb = -grad * a / (b * b) if nb else None
        return ga, gb


class Neg(Primitive):
    @staticmethod
    def forward(ctx, a):
        return -a

    @staticmethod
    def backward(ctx, grad):
        return -grad


class Pow(Primitive):
    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return a ** b

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        na, nb = ctx.needs_input_grad
        ga = gb = None
        if na:
            if isinstance(b, Tensor):
                ga = grad * b * a ** (b - 1)
                ga = where(b == 0, 0.0, ga)
            else:
                ga = grad * 0.0 if b == 0 else grad * b * a ** (b - 1)
        if nb:
            a_t = a if isinstance(a, Tensor) else None
            out = a ** b
            logs = log(a) if a_t is not None else np.log(a)
            gb = grad * out * logs
            if a_t is not None:
                gb = where((a == 0) & (b >= 0), 0.0, gb)
        return ga, gb


def add(input, other, *, alpha=1, out=None):
    """``input + alpha * other`` with broadcasting and type promotion."""
    if alpha != 1:
        other = mul(other, alpha)
    a, b = _operands(input, other)
    r = Add.apply(a, b)
    return _out(r, out)


def sub(input, other, *, alpha=1, out=None):
    """``input - alpha * other``."""
    if isinstance(input, bool) or isinstance(other, Tensor) and other.dtype is D.bool and \
            (not isinstance(input, Tensor) or input.dtype is D.bool):
        raise RuntimeError("Subtraction, the `-` operator, with two bool tensors is not "
                           "supported. Use the `^` or `logical_xor()` operator instead.")
    if alpha != 1:
        other = mul(other, alpha)
    a, b = _operands(input, other)
    if not isinstance(a, Tensor):
        return _out(RSub.apply(b, a), out)
    return _out(Sub.apply(a, b), out)


subtract = sub


def mul(input, other, *, out=None):
    """Elementwise product with broadcasting."""
    a, b = _operands(input, other)
    if not isinstance(a, Tensor):
        a, b = b, a
    return _out(Mul.apply(a, b), out)


multiply = mul


def mul_scalar(input, s):
    return mul(input, s)


def div(input, other, *, rounding_mode=None, out=None):
    """True division (ints become floats), or floor/trunc with ``rounding_mode``."""
    if rounding_mode is not None:
        if rounding_mode not in ("floor", "trunc"):
            raise ValueError(f"div expected rounding_mode to be one of None, 'trunc', or "
                             f"'floor' but found '{rounding_mode}'")
        a, b = _operands(input, other)
        r = FloorDiv.apply(_as_t(a, b), b) if rounding_mode == "floor" else \
            TruncDiv.apply(_as_t(a, b), b)
        return _out(r, out)
    a, b = _operands(input, other)
    ta = a if isinstance(a, Tensor) else b
    if ta._data.dtype.kind not in "fc":
        a = _cast(a, D.get_default_dtype()) if isinstance(a, Tensor) else float(a)
        b = _cast(b, D.get_default_dtype()) if isinstance(b, Tensor) else float(b)
    if not isinstance(a, Tensor):
        a = _tensor_arg(a, b)
    return _out(Div.apply(a, b), out)


divide = true_divide = div


def _as_t(a, like):
    return a if isinstance(a, Tensor) else _tensor_arg(a, like)


class FloorDiv(Primitive):
    node_name = "DivBackward0"

    @staticmethod
    def forward(ctx, a, b):
        if a.dtype.kind in "iu" and (not isinstance(b, np.ndarray) or b.dtype.kind in "iu"):
            if np.any(np.asarray(b) == 0):
                raise RuntimeError("ZeroDivisionError")
        return np.floor_divide(a, b) if isinstance(a, np.ndarray) else a // b

    @staticmethod
    def backward(ctx, grad):
        return grad * 0, None


class TruncDiv(Primitive):
    node_name = "DivBackward0"

    @staticmethod
    def forward(ctx, a, b):
        if a.dtype.kind in "iu":
            q = np.abs(a) // np.abs(b)
            return (q * np.sign(a) * np.sign(b)).astype(a.dtype)
        return np.trunc(a / b)

    @staticmethod
    def backward(ctx, grad):
        return grad * 0, None


def floor_divide(input, other, *, out=None):
    """Division rounded towards minus infinity."""
    return div(input, other, rounding_mode="floor", out=out)


class Remainder(Primitive):
    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return np.remainder(a, b)

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        gb = None
        if ctx.needs_input_grad[1]:
            gb = -grad * floor_divide(a, b)
        return grad, gb


class Fmod(Primitive):
    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return np.fmod(a, b)

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        gb = None
        if ctx.needs_input_grad[1]:
            gb = -grad * div(a, b, rounding_mode="trunc")
        return grad, gb


def remainder(input, other, *, out=None):
    """Python-style modulus (sign of the divisor)."""
    a, b = _operands(input, other)
    return _out(Remainder.apply(_as_t(a, b), b), out)


def fmod(input, other, *, out=None):
    """C-style modulus (sign of the dividend)."""
    a, b = _operands(input, other)
    return _out(Fmod.apply(a, b), out)


def pow(input, exponent, *, out=None):
    """``input ** exponent`` with broadcasting; either may be a scalar."""
    a, b = _operands(input, exponent)
    if not isinstance(a, Tensor):
        a = _tensor_arg(a, b)
    elif a._data.dtype.kind in "iu" and isinstance(b, int) and b < 0:
        raise RuntimeError("Integers to negative integer powers are not allowed.")
    return _out(Pow.apply(a, b), out)


def float_power(input, exponent):
    """``pow`` computed in double precision."""
    a = _cast(input, D.float64) if isinstance(input, Tensor) else float(input)
    b = _cast(exponent, D.float64) if isinstance(exponent, Tensor) else float(exponent)
    return pow(a, b)


def neg(input, *, out=None):
    """``-input``."""
    if input.dtype is D.bool:
        raise RuntimeError("Negation, the `-` operator, on a bool tensor is not supported. If "
                           "you are trying to invert a mask, use the `~` or `logical_not()` "
                           "operator instead.")
    return _out(Neg.apply(input), out)


negative = neg


def positive(input):
    return input


def _out(result, out):
    if out is None:
        return result
    if not isinstance(out, Tensor):
        raise TypeError(f"argument 'out' must be Tensor, not {type(out).__name__}")
    if out._data.shape != result._data.shape:
        out._data = out._xp().empty(result._data.shape, dtype=out._data.dtype)
    out._data[...] = result._data
    out._vc[0] += 1
    return out


# -- the unary table ------------------------------------------------------------
# name: (forward on arrays, derivative as a function of (x, out) tensors, saves,
#        True when integer inputs are first converted to the default float dtype)
def _unary(name, fwd, deriv, saves="x", to_float=True, node=None):
    """Build the primitive and the public function of one pointwise op."""
    def forward(ctx, a):
        out = fwd(a)
        if saves == "x":
            ctx.save_for_backward(a)
        elif saves == "out":
            ctx.save_for_backward(out)
        elif saves == "both":
            ctx.save_for_backward(a, out)
        return out

    def backward(ctx, grad):
        saved = ctx.saved_tensors
        if saves == "x":
            return grad * deriv(saved[0], None)
        if saves == "out":
            return grad * deriv(None, saved[0])
        if saves == "both":
            return grad * deriv(saved[0], saved[1])
        return deriv(grad, None)

    cls = type(name, (Primitive,), {
        "forward": staticmethod(forward), "backward": staticmethod(backward),
        "node_name": node or name + "Backward0", "__module__": __name__})

    def fn(input, *, out=None):
        if not isinstance(input, Tensor):
            raise TypeError(f"{name.lower()}(): argument 'input' (position 1) must be Tensor, "
                            f"not {type(input).__name__}")
        if to_float and input._data.dtype.kind not in "fc":
            input = _cast(input, D.get_default_dtype())
        return _out(cls.apply(input), out)

    fn.__name__ = fn.__qualname__ = name.lower()
    fn.__doc__ = f"Elementwise {name.lower()}."
    return cls, fn


Exp, exp = _unary("Exp", np.exp, lambda x, o: o, saves="out")
Exp2, exp2 = _unary("Exp2", np.exp2, lambda x, o: o * 0.6931471805599453, saves="out")
Expm1, expm1 = _unary("Expm1", np.expm1, lambda x, o: o + 1, saves="out")
Log, log = _unary("Log", np.log, lambda x, o: 1 / x)
Log2, log2 = _unary("Log2", np.log2, lambda x, o: 1 / (x * 0.6931471805599453))
Log10, log10 = _unary("Log10", np.log10, lambda x, o: 1 / (x * 2.302585092994046))
Log1p, log1p = _unary("Log1p", np.log1p, lambda x, o: 1 / (x + 1))
Sqrt, sqrt = _unary("Sqrt", np.sqrt, lambda x, o: 0.5 / o, saves="out")
Rsqrt, rsqrt = _unary("Rsqrt", lambda a: 1 / np.sqrt(a), lambda x, o: -0.5 * o * o * o,
                      saves="out")
Sin, sin = _unary("Sin", np.sin, lambda x, o: cos(x))
Cos, cos = _unary("Cos", np.cos, lambda x, o: -sin(x))
Tan, tan = _unary("Tan", np.tan, lambda x, o: 1 + o * o, saves="out")
Asin, asin = _unary("Asin", np.arcsin, lambda x, o: rsqrt(1 - x * x))
Acos, acos = _unary("Acos", np.arccos, lambda x, o: -rsqrt(1 - x * x))
Atan, atan = _unary("Atan", np.arctan, lambda x, o: 1 / (1 + x * x))
Sinh, sinh = _unary("Sinh", np.sinh, lambda x, o: cosh(x))
Cosh, cosh = _unary("Cosh", np.cosh, lambda x, o: sinh(x))
Tanh, tanh = _unary("Tanh", np.tanh, lambda x, o: 1 - o * o, saves="out")
Asinh, asinh = _unary("Asinh", np.arcsinh, lambda x, o: rsqrt(x * x + 1))
Acosh, acosh = _unary("Acosh", np.arccosh, lambda x, o: rsqrt(x * x - 1))
Atanh, atanh = _unary("Atanh", np.arctanh, lambda x, o: 1 / (1 - x * x))
arcsin, arccos, arctan = asin, acos, atan


def _sigmoid(a):
    # exp of a non-positive number only: no overflow warnings for large |a|
    e = np.exp(-np.abs(a))
    return np.where(a >= 0, 1 / (1 + e), e / (1 + e)).astype(a.dtype, copy=False)


Sigmoid, sigmoid = _unary("Sigmoid", _sigmoid, lambda x, o: o * (1 - o), saves="out")


class Relu(Primitive):
    node_name = "ReluBackward0"

    @staticmethod
    def forward(ctx, a):
        out = np.maximum(a, 0) if a.dtype.kind != "b" else a.copy()
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        return grad * (out > 0)


def relu(input, *, out=None):
    """``max(input, 0)`` elementwise."""
    return _out(Relu.apply(input), out)


def _make_erf():
    # NumPy has no erf of its own: math.erf elementwise is exact, if slow.
    if True:
        import math
        verf = np.frompyfunc(math.erf, 1, 1)

        def erf_np(a):
            return verf(a).astype(a.dtype)

        def erfinv_np(y):
            # Newton iterations from a rational initial guess
            y = np.asarray(y, dtype=np.float64)
            x = np.sqrt(-np.log((1 - y) * (1 + y) + 1e-300)) * np.sign(y)
            x = np.where(np.abs(y) < 0.7, y * 0.886226925, x * 0.8)
            for _ in range(40):
                err = verf(x).astype(np.float64) - y
                x = x - err / (1.1283791670955126 * np.exp(-x * x))
            return x
        return erf_np, erfinv_np


_ERF, _ERFINV = _make_erf()
Erf, erf = _unary("Erf", lambda a: _ERF(a).astype(a.dtype, copy=False),
                  lambda x, o: 1.1283791670955126 * exp(-x * x))
Erfc, erfc = _unary("Erfc", lambda a: (1 - _ERF(a)).astype(a.dtype, copy=False),
                    lambda x, o: -1.1283791670955126 * exp(-x * x))
Erfinv, erfinv = _unary("Erfinv", lambda a: _ERFINV(a).astype(a.dtype, copy=False),
                        lambda x, o: 0.886226925452758 * exp(o * o), saves="out")
Reciprocal, reciprocal = _unary("Reciprocal", lambda a: 1 / a, lambda x, o: -o * o,
                                saves="out")
Square, square = _unary("Square", np.square, lambda x, o: 2 * x, to_float=False,
                        node="PowBackward0")
Logit, _logit = _unary("Logit", lambda a: np.log(a / (1 - a)), lambda x, o: 1 / (x * (1 - x)))
Deg2rad, deg2rad = _unary("Deg2rad", np.deg2rad, lambda x, o: 0.017453292519943295)
Rad2deg, rad2deg = _unary("Rad2deg", np.rad2deg, lambda x, o: 57.29577951308232)


def logit(input, eps=None):
    """``log(p / (1 - p))``, with ``p`` clamped to ``[eps, 1 - eps]`` when eps is given."""
    if eps is not None:
        input = clamp(input, eps, 1 - eps)
    return _logit(input)


class Abs(Primitive):
    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return np.abs(a)

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        return grad * sign(a)


def abs(input, *, out=None):
    """Absolute value."""
    return _out(Abs.apply(input), out)


absolute = abs


# piecewise-constant ops: zero gradient, dtype kept
class _ZeroGrad(Primitive):
    @staticmethod
    def backward(ctx, grad):
        return grad * 0


def _piecewise(name, fwd, int_ok=True):
    cls = type(name, (_ZeroGrad,), {"forward": staticmethod(lambda ctx, a: fwd(a)),
                                    "__module__": __name__})

    def fn(input, *, out=None):
        if input._data.dtype.kind in "iub" and int_ok:
            return _out(input.clone(), out) if out is not None else input.clone()
        return _out(cls.apply(input), out)

    fn.__name__ = name.lower()
    fn.__doc__ = f"Elementwise {name.lower()} (zero gradient)."
    return cls, fn


Floor, floor = _piecewise("Floor", np.floor)
Ceil, ceil = _piecewise("Ceil", np.ceil)
Trunc, trunc = _piecewise("Trunc", np.trunc)
fix = trunc


class Sign(_ZeroGrad):
    @staticmethod
    def forward(ctx, a):
        return np.sign(a) if a.dtype.kind != "b" else a.copy()


def sign(input, *, out=None):
    """-1, 0 or 1 by the sign of each element."""
    return _out(Sign.apply(input), out)


sgn = sign


def signbit(input):
    """Whether the sign bit is set."""
    return const(np.signbit(input._data))


class Round(_ZeroGrad):
    @staticmethod
    def forward(ctx, a, decimals):
        return np.round(a, decimals)


def round(input, *, decimals=0, out=None):
    """Round half to even, optionally to ``decimals`` places."""
    if input._data.dtype.kind in "iub" and decimals == 0:
        return input.clone()
    return _out(Round.apply(input, decimals), out)


def frac(input, *, out=None):
    """The fractional part ``input - trunc(input)``."""
    return _out(input - trunc(input).detach(), out)


# -- clamping and min/max -------------------------------------------------------
class Clamp(Primitive):
    @staticmethod
    def forward(ctx, a, lo, hi):
        ctx.save_for_backward(a)
        ctx.lo, ctx.hi = lo, hi
        if lo is not None and hi is not None:
            out = np.minimum(np.maximum(a, lo), hi)
        elif lo is not None:
            out = np.maximum(a, lo)
        else:
            out = np.minimum(a, hi)
        return out.astype(a.dtype, copy=False)

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        mask = None
        if ctx.lo is not None:
            mask = a >= ctx.lo
        if ctx.hi is not None:
            m2 = a <= ctx.hi
            mask = m2 if mask is None else mask & m2
        return grad * mask, None, None


def clamp(input, min=None, max=None, *, out=None):
    """Limit every element to ``[min, max]`` (tensors or scalars)."""
    if min is None and max is None:
        raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
    if isinstance(min, Tensor) or isinstance(max, Tensor):
        r = input
        if min is not None:
            r = maximum(r, min if isinstance(min, Tensor) else _tensor_arg(min, input))
        if max is not None:
            r = minimum(r, max if isinstance(max, Tensor) else _tensor_arg(max, input))
        return _out(r, out)
    if input._data.dtype.kind in "iub" and (isinstance(min, float) or isinstance(max, float)):
        input = _cast(input, D.get_default_dtype())
    return _out(Clamp.apply(input, min, max), out)


clip = clamp


def clamp_min(input, min):
    return clamp(input, min=min)


def clamp_max(input, max):
    return clamp(input, max=max)


class Maximum(Primitive):
    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return np.maximum(a, b)

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        # ties split the gradient evenly, as PyTorch does
        w = (a > b) + (a == b) * 0.5
        return grad * w, grad * (1 - w)


class Minimum(Primitive):
    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return np.minimum(a, b)

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        w = (a < b) + (a == b) * 0.5
        return grad * w, grad * (1 - w)


def maximum(input, other, *, out=None):
    """Elementwise maximum of two tensors (NaN propagates)."""
    _need_tensors("maximum", input, other)
    a, b = _operands(input, other)
    return _out(Maximum.apply(a, b), out)


def minimum(input, other, *, out=None):
    """Elementwise minimum of two tensors (NaN propagates)."""
    _need_tensors("minimum", input, other)
    a, b = _operands(input, other)
    return _out(Minimum.apply(a, b), out)


def fmax(input, other):
    """Elementwise maximum ignoring NaN."""
    a, b = _operands(input, other)
    m = Maximum.apply(a, b)
    return where(isnan(a), b, where(isnan(b), a, m))


def fmin(input, other):
    """Elementwise minimum ignoring NaN."""
    a, b = _operands(input, other)
    m = Minimum.apply(a, b)
    return where(isnan(a), b, where(isnan(b), a, m))


def _need_tensors(name, *args):
    for i, a in enumerate(args):
        if not isinstance(a, Tensor):
            raise TypeError(f"{name}(): argument '{('input', 'other')[i]}' (position {i + 1}) "
                            f"must be Tensor, not {type(a).__name__}")


class Where(Primitive):
    @staticmethod
    def forward(ctx, cond, a, b):
        ctx.save_for_backward(cond)
        return np.where(cond, a, b)

    @staticmethod
    def backward(ctx, grad):
        (cond,) = ctx.saved_tensors
        zero = grad * 0
        return None, where(cond, grad, zero), where(cond, zero, grad)


def where(condition, input=None, other=None, *, out=None):
    """Pick from ``input`` where ``condition`` holds, else from ``other``; with one
    argument, the indices of the true elements (as ``nonzero(as_tuple=True)``)."""
    if input is None and other is None:
        from .index import nonzero
        return nonzero(condition, as_tuple=True)
    if condition._data.dtype.kind != "b":
        raise RuntimeError(f"where expected condition to be a boolean tensor, but got a "
                           f"tensor with dtype {_type_short(condition.dtype)}")
    a, b = _operands(input, other) if (isinstance(input, Tensor) or isinstance(other, Tensor)) \
        else (input, other)
    if not isinstance(a, Tensor) and not isinstance(b, Tensor):
        dt = D.result_type(a, b)
        a = const(np.asarray(a, dtype=dt.np))
        b = const(np.asarray(b, dtype=dt.np))
    if not isinstance(a, Tensor):
        a = _tensor_arg(a, b)
    if not isinstance(b, Tensor):
        b = _tensor_arg(b, a)
    return _out(Where.apply(condition, a, b), out)


def _type_short(dt):
    from .._tensor import _TYPE_SHORT
    return _TYPE_SHORT[dt.name]


def lerp(input, end, weight, *, out=None):
    """``input + weight * (end - input)``."""
    return _out(input + weight * (end - input), out)


def atan2(input, other, *, out=None):
    """Angle of the point (other, input), elementwise."""
    a, b = _operands(to_float_t(input), to_float_t(other))
    return _out(Atan2.apply(a, b), out)


arctan2 = atan2


def to_float_t(t):
    if isinstance(t, Tensor) and t._data.dtype.kind not in "fc":
        return _cast(t, D.get_default_dtype())
    return t


class Atan2(Primitive):
    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return np.arctan2(a, b)

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        d = a * a + b * b
        return grad * b / d, -grad * a / d


def hypot(input, other, *, out=None):
    """``sqrt(input**2 + other**2)``."""
    return _out(sqrt(input * input + other * other), out)


def xlogy(input, other, *, out=None):
    """``input * log(other)``, 0 where input is 0."""
    x, y = _operands(to_float_t(input), to_float_t(other))
    if not isinstance(x, Tensor):
        x = _tensor_arg(x, y)
    if not isinstance(y, Tensor):
        y = _tensor_arg(y, x)
    r = where(x == 0, 0.0, x * log(y))
    return _out(where(isnan(y), y, r), out)


def logaddexp(input, other, *, out=None):
    """``log(exp(input) + exp(other))`` computed stably."""
    m = maximum(input, other).detach()
    return _out(m + log(exp(input - m) + exp(other - m)), out)


def copysign(input, other, *, out=None):
    """|input| with the sign of other."""
    o = other._data if isinstance(other, Tensor) else np.asarray(other)
    s = const(np.where(np.signbit(o), -1.0, 1.0).astype(float_np(input)))
    return _out(abs(to_float_t(input)) * s, out)


def float_np(t):
    return t._data.dtype if t._data.dtype.kind in "fc" else D.get_default_dtype().np


def heaviside(input, values):
    """0 for negative, 1 for positive, ``values`` where input is 0."""
    v = values._data if isinstance(values, Tensor) else values
    return const(np.where(input._data == 0, v, (input._data > 0)).astype(input._data.dtype))


def nan_to_num(input, nan=0.0, posinf=None, neginf=None, *, out=None):
    """Replace NaN and infinities with finite numbers."""
    if input._data.dtype.kind not in "fc":
        return input.clone()
    arr = np.nan_to_num(input._data, nan=nan, posinf=posinf, neginf=neginf)
    mask = const(np.isfinite(input._data))
    r = where(mask, input, const(arr))
    return _out(r, out)


def addcmul(input, tensor1, tensor2, *, value=1, out=None):
    """``input + value * tensor1 * tensor2``."""
    return _out(input + value * tensor1 * tensor2 if value != 1 else
                input + tensor1 * tensor2, out)


def addcdiv(input, tensor1, tensor2, *, value=1, out=None):
    """``input + value * tensor1 / tensor2``."""
    return _out(input + value * (tensor1 / tensor2), out)


# -- complex helpers ------------------------------------------------------------
class Real(Primitive):
    @staticmethod
    def forward(ctx, a):
        return a.real

    @staticmethod
    def backward(ctx, grad):
        return grad


def real(input):
    """The real part (a view for real tensors)."""
    if input._data.dtype.kind != "c":
        return input
    return Real.apply(input)


def imag(input):
    """The imaginary part of a complex tensor."""
    if input._data.dtype.kind != "c":
        raise RuntimeError("imag is not implemented for tensors with non-complex dtypes.")
    return const(input._data.imag)


def conj(input):
    """Complex conjugate (the tensor itself for real dtypes)."""
    if input._data.dtype.kind != "c":
        return input
    return const(np.conj(input._data))


def angle(input):
    """Elementwise argument of complex numbers (0 or pi for reals)."""
    return const(np.angle(input._data).astype(float_np(input).type(0).real.dtype))


# -- comparisons and logic (no gradient) ----------------------------------------
def _compare(npfn, name):
    def fn(input, other, *, out=None):
        if isinstance(other, Tensor) or isinstance(input, Tensor):
            a, b = _operands(input, other)
        else:
            raise TypeError(f"{name}(): argument 'input' must be Tensor")
        ad = a._data if isinstance(a, Tensor) else a
        bd = b._data if isinstance(b, Tensor) else b
        r = npfn(ad, bd)
        if type(r) is not _ndarray:
            r = np.asarray(r)
        return _out(Tensor._make(r, False, None, 0, [0]), out)

    fn.__name__ = name
    fn.__doc__ = f"Elementwise ``{name}`` comparison, as a bool tensor."
    return fn


eq = _compare(np.equal, "eq")
ne = not_equal = _compare(np.not_equal, "ne")
lt = less = _compare(np.less, "lt")
le = less_equal = _compare(np.less_equal, "le")
gt = greater = _compare(np.greater, "gt")
ge = greater_equal = _compare(np.greater_equal, "ge")
logical_and = _compare(np.logical_and, "logical_and")
logical_or = _compare(np.logical_or, "logical_or")
logical_xor = _compare(np.logical_xor, "logical_xor")


def _bitwise(npfn, name):
    def fn(input, other, *, out=None):
        a, b = _operands(input, other)
        for x in (a, b):
            if isinstance(x, Tensor) and x._data.dtype.kind not in "iub":
                raise RuntimeError(f'"{name}_cpu" not implemented for '
                                   f"'{_type_short(x.dtype)}'")
        ad = a._data if isinstance(a, Tensor) else a
        bd = b._data if isinstance(b, Tensor) else b
        return _out(const(np.asarray(npfn(ad, bd))), out)

    fn.__name__ = name
    fn.__doc__ = f"Elementwise ``{name}`` of integer or bool tensors."
    return fn


bitwise_and = _bitwise(np.bitwise_and, "bitwise_and")
bitwise_or = _bitwise(np.bitwise_or, "bitwise_or")
bitwise_xor = _bitwise(np.bitwise_xor, "bitwise_xor")
bitwise_left_shift = _bitwise(np.left_shift, "bitwise_left_shift")
bitwise_right_shift = _bitwise(np.right_shift, "bitwise_right_shift")


def logical_not(input, *, out=None):
    """Elementwise NOT, as a bool tensor."""
    return _out(const(np.logical_not(input._data)), out)


def bitwise_not(input, *, out=None):
    """Bitwise NOT of integers; logical NOT of bools."""
    if input._data.dtype.kind not in "iub":
        raise RuntimeError(f"\"bitwise_not_cpu\" not implemented for "
                           f"'{_type_short(input.dtype)}'")
    return _out(const(np.invert(input._data)), out)


def isnan(input):
    """Elementwise NaN test."""
    return const(np.isnan(input._data))


def isinf(input):
    """Elementwise infinity test."""
    return const(np.isinf(input._data))


def isposinf(input):
    return const(np.isposinf(input._data))


def isneginf(input):
    return const(np.isneginf(input._data))


def isfinite(input):
    """Elementwise test for finite values."""
    return const(np.isfinite(input._data))


def isreal(input):
    if input._data.dtype.kind != "c":
        return const(np.ones(input._data.shape, dtype=bool))
    return const(input._data.imag == 0)


def isclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    """Elementwise ``|input - other| <= atol + rtol * |other|``."""
    if input.dtype != other.dtype:
        raise RuntimeError(f"{input.dtype} did not match {other.dtype}")
    return const(np.isclose(input._data, other._data, rtol=rtol, atol=atol,
                            equal_nan=equal_nan))


def allclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False) -> bool:
    """Whether every element is close (see ``isclose``)."""
    return bool(isclose(input, other, rtol, atol, equal_nan)._data.all())


def equal(input, other) -> bool:
    """Whether two tensors have the same shape and elements."""
    if input._data.shape != other._data.shape:
        return False
    return bool((input._data == other._data).all())


# -- in-place variants and operator overloads ------------------------------------
_UFUNC_INPLACE = {"add": np.add, "sub": np.subtract, "mul": np.multiply}


def _inplace(fn):
    """Make ``x.fn_(...)``: in place on the array when no graph is recorded."""
    def method(self, *args, **kwargs):
        self._check_inplace()
        if _state.enabled and (self._rg or any(isinstance(a, Tensor) and a._rg for a in args)):
            src = self.clone() if self._rg else self.detach().clone()
            return self._inplace_from(fn(src, *args, **kwargs))
        r = fn(self.detach(), *args, **kwargs)
        return self._inplace_from(r)

    method.__name__ = fn.__name__ + "_"
    method.__doc__ = f"In-place ``{fn.__name__}``."
    return method


def _fast_inplace(name):
    """``add_/sub_/mul_`` without temporaries when no graph is recorded."""
    ufunc = _UFUNC_INPLACE[name]
    slow = _inplace(globals()[name])

    def method(self, other, *, alpha=1):
        if not _state.enabled or not (self._rg or (isinstance(other, Tensor) and other._rg)):
            data = self._data
            o = other._data if isinstance(other, Tensor) else other
            if alpha != 1:
                o = o * alpha
            try:
                ufunc(data, o, out=data, casting="same_kind")
            except (TypeError, ValueError):  # casting or broadcasting: the slow path explains
                return slow(self, other, alpha=alpha) if name != "mul" else slow(self, other)
            self._vc[0] += 1
            return self
        if name == "mul":
            return slow(self, other)
        return slow(self, other, alpha=alpha)

    method.__name__ = name + "_"
    method.__doc__ = f"In-place ``{name}``."
    return method


add_ = _fast_inplace("add")
sub_ = subtract_ = _fast_inplace("sub")
mul_ = multiply_ = _fast_inplace("mul")
div_ = divide_ = true_divide_ = _inplace(div)
pow_ = _inplace(pow)
neg_ = negative_ = _inplace(neg)
abs_ = absolute_ = _inplace(abs)
clamp_ = clip_ = _inplace(clamp)
clamp_min_ = _inplace(clamp_min)
clamp_max_ = _inplace(clamp_max)
floor_divide_ = _inplace(floor_divide)
remainder_ = _inplace(remainder)
fmod_ = _inplace(fmod)
lerp_ = _inplace(lerp)
addcmul_ = _inplace(addcmul)
addcdiv_ = _inplace(addcdiv)
nan_to_num_ = _inplace(nan_to_num)
masked_where_ = None
for _n in ("exp", "exp2", "expm1", "log", "log2", "log10", "log1p", "sqrt", "rsqrt", "square",
           "sin", "cos", "tan", "asin", "acos", "atan", "sinh", "cosh", "tanh", "asinh",
           "acosh", "atanh", "sigmoid", "relu", "erf", "erfc", "erfinv", "reciprocal",
           "sign", "sgn", "floor", "ceil", "round", "trunc", "fix", "frac", "logit",
           "deg2rad", "rad2deg", "atan2", "hypot", "xlogy", "copysign", "logical_not",
           "logical_and", "logical_or", "logical_xor", "bitwise_and", "bitwise_or",
           "bitwise_xor", "bitwise_not", "eq", "ne", "lt", "le", "gt", "ge", "maximum",
           "minimum", "arcsin", "arccos", "arctan", "arctan2", "float_power"):
    globals()[_n + "_"] = _inplace(globals()[_n])
del _n, masked_where_


def _reflected(fn):
    def method(self, other):
        return fn(other, self)
    method.__name__ = "__r" + fn.__name__ + "__"
    return method


def _rsub(self, other):
    return sub(other, self)


def _matmul_op(self, other):
    from .linalg import matmul
    return matmul(self, other)


def _rmatmul_op(self, other):
    from .linalg import matmul
    return matmul(other, self)


def _invert(self):
    if self._data.dtype.kind == "b":
        return logical_not(self)
    return bitwise_not(self)


def _eq_op(self, other):
    if other is None:
        return False
    return eq(self, other)


def _ne_op(self, other):
    if other is None:
        return True
    return ne(self, other)


def _binop(fn):
    def method(self, other):
        try:
            return fn(self, other)
        except TypeError:
            return NotImplemented
    method.__name__ = fn.__name__
    return method


TENSOR_METHODS = [
    "add", "sub", "subtract", "mul", "multiply", "div", "divide", "true_divide",
    "floor_divide", "remainder", "fmod", "pow", "neg", "negative", "abs", "absolute",
    "exp", "exp2", "expm1", "log", "log2", "log10", "log1p", "sqrt", "rsqrt", "square",
    "sin", "cos", "tan", "asin", "acos", "atan", "arcsin", "arccos", "arctan", "sinh",
    "cosh", "tanh", "asinh", "acosh", "atanh", "sigmoid", "relu", "erf", "erfc", "erfinv",
    "reciprocal", "sign", "sgn", "floor", "ceil", "round", "trunc", "fix", "frac", "clamp",
    "clip", "clamp_min", "clamp_max", "maximum", "minimum", "fmax", "fmin", "lerp",
    "atan2", "arctan2", "hypot", "xlogy", "logaddexp", "eq", "ne", "lt", "le", "gt", "ge",
    "greater", "greater_equal", "less", "less_equal", "not_equal", "isnan", "isinf",
    "isfinite", "isposinf", "isneginf", "isreal", "logical_and", "logical_or",
    "logical_xor", "logical_not", "bitwise_and", "bitwise_or", "bitwise_xor", "bitwise_not",
    "allclose", "isclose", "equal", "nan_to_num", "addcmul", "addcdiv", "conj", "angle",
    "signbit", "copysign", "heaviside", "logit", "deg2rad", "rad2deg", "positive",
    "float_power", "where",
    "add_", "sub_", "subtract_", "mul_", "multiply_", "div_", "divide_", "true_divide_",
    "pow_", "neg_", "negative_", "abs_", "absolute_", "clamp_", "clip_", "clamp_min_",
    "clamp_max_", "floor_divide_", "remainder_", "fmod_", "lerp_", "addcmul_", "addcdiv_",
    "nan_to_num_", "exp_", "exp2_", "expm1_", "log_", "log2_", "log10_", "log1p_", "sqrt_",
    "rsqrt_", "square_", "sin_", "cos_", "tan_", "asin_", "acos_", "atan_", "sinh_",
    "cosh_", "tanh_", "asinh_", "acosh_", "atanh_", "sigmoid_", "relu_", "erf_", "erfc_",
    "erfinv_", "reciprocal_", "sign_", "sgn_", "floor_", "ceil_", "round_", "trunc_",
    "fix_", "frac_", "logit_", "deg2rad_", "rad2deg_", "atan2_", "hypot_", "xlogy_",
    "copysign_", "logical_not_", "logical_and_", "logical_or_", "logical_xor_",
    "bitwise_and_", "bitwise_or_", "bitwise_xor_", "bitwise_not_", "eq_", "ne_", "lt_",
    "le_", "gt_", "ge_", "arcsin_", "arccos_", "arctan_", "arctan2_", "float_power_",
]

__add__ = __radd__ = _binop(add)
__iadd__ = add_
__sub__ = _binop(sub)
__rsub__ = _rsub
__isub__ = sub_
__mul__ = __rmul__ = _binop(mul)
__imul__ = mul_
__truediv__ = _binop(div)
__rtruediv__ = _reflected(div)
__itruediv__ = div_
__floordiv__ = _binop(floor_divide)
__rfloordiv__ = _reflected(floor_divide)
__ifloordiv__ = floor_divide_
__mod__ = _binop(remainder)
__rmod__ = _reflected(remainder)
__imod__ = remainder_
__pow__ = _binop(pow)
__rpow__ = _reflected(pow)
__ipow__ = pow_
__matmul__ = _matmul_op
__rmatmul__ = _rmatmul_op
__neg__ = neg
__pos__ = positive
__abs__ = abs
__invert__ = _invert
__and__ = __rand__ = bitwise_and
__or__ = __ror__ = bitwise_or
__xor__ = __rxor__ = bitwise_xor
__iand__ = bitwise_and_
__ior__ = bitwise_or_
__ixor__ = bitwise_xor_
__lshift__ = bitwise_left_shift
__rshift__ = bitwise_right_shift
__eq__ = _eq_op
__ne__ = _ne_op
__lt__ = lt
__le__ = le
__gt__ = gt
__ge__ = ge

TENSOR_METHODS += [
    "__add__", "__radd__", "__iadd__", "__sub__", "__rsub__", "__isub__", "__mul__",
    "__rmul__", "__imul__", "__truediv__", "__rtruediv__", "__itruediv__", "__floordiv__",
    "__rfloordiv__", "__ifloordiv__", "__mod__", "__rmod__", "__imod__", "__pow__",
    "__rpow__", "__ipow__", "__matmul__", "__rmatmul__", "__neg__", "__pos__", "__abs__",
    "__invert__", "__and__", "__rand__", "__or__", "__ror__", "__xor__", "__rxor__",
    "__iand__", "__ior__", "__ixor__", "__lshift__", "__rshift__", "__eq__", "__ne__",
    "__lt__", "__le__", "__gt__", "__ge__",
]
