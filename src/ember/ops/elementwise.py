"""Pointwise operations: arithmetic, comparisons, logic and the unary math functions.

Binary operations bring their operands to PyTorch's result dtype first (``_operands``);
Python scalars stay Python scalars so that NumPy treats them as "weak" like PyTorch
does. The engine undoes broadcasting in the backward, so a primitive's backward
returns gradients in the broadcast shape.
"""
from __future__ import annotations

import builtins
import math

import numpy as np

from .. import _dtype as D
from .._argtypes import is_real_torch, not_tensor_error, real_torch_error
from .._device import as_array
from .._tensor import _TYPE_SHORT, Tensor
from ..autograd import grad_mode
from ..autograd.function import Primitive, renamed
from . import _special
from ._util import const

_state = grad_mode._state
_ndarray = np.ndarray
_BY_NP = D._BY_NP
_make = Tensor._make
_BOOL, _INT, _FLOAT, _COMPLEX = 0, 1, 2, 3

__all__ = [
    "add", "sub", "subtract", "rsub", "mul", "multiply", "div", "divide", "true_divide",
    "floor_divide", "remainder", "fmod", "pow", "float_power", "neg", "negative", "positive",
    "abs", "absolute", "exp", "exp2", "expm1", "log", "log2", "log10", "log1p", "sqrt",
    "rsqrt", "square", "sin", "cos", "tan", "asin", "acos", "atan", "arcsin", "arccos",
    "arctan", "sinh", "cosh", "tanh", "asinh", "acosh", "atanh", "arcsinh", "arccosh",
    "arctanh", "sigmoid", "relu", "erf", "erfc", "erfinv", "reciprocal", "logit", "deg2rad",
    "rad2deg", "sign", "sgn", "signbit", "floor", "ceil", "round", "trunc", "fix", "frac",
    "clamp", "clip", "clamp_min", "clamp_max", "maximum", "minimum", "fmax", "fmin", "where",
    "lerp", "atan2", "arctan2", "hypot", "xlogy", "logaddexp", "logaddexp2", "copysign",
    "heaviside", "nan_to_num", "addcmul", "addcdiv", "eq", "ne", "lt", "le", "gt", "ge",
    "greater", "greater_equal", "less", "less_equal", "not_equal", "isnan", "isinf",
    "isfinite", "isposinf", "isneginf", "isreal", "logical_and", "logical_or",
    "logical_xor", "logical_not", "bitwise_and", "bitwise_or", "bitwise_xor", "bitwise_not",
    "bitwise_left_shift", "bitwise_right_shift", "allclose", "isclose", "equal", "real",
    "imag", "conj", "angle",
]


# -- dtype handling -------------------------------------------------------------
def _short(dt) -> str:
    return _TYPE_SHORT[dt.name]


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


_INT_RANGE = {np.dtype(n): (int(np.iinfo(n).min), int(np.iinfo(n).max))
              for n in ("int8", "int16", "int32", "int64", "uint8")}


def _wrap_int(s: int, np_dtype) -> int:
    """A Python int as the integer dtype stores it: out-of-range values wrap, as in PyTorch."""
    lo, hi = _INT_RANGE[np_dtype]
    if lo <= s <= hi:
        return s
    if not -2 ** 63 <= s < 2 ** 64:
        raise RuntimeError("Overflow when unpacking long")
    return int(np.array(s % 2 ** 64, dtype=np.uint64).astype(np_dtype))


def _scalar_result(t: Tensor, s):
    """The dtype of ``t`` op ``s`` for a Python scalar ``s`` (PyTorch's rules), or None
    when it is ``t``'s own dtype."""
    cat = _INT if type(s) is int else (_FLOAT if type(s) is float else
                                       _BOOL if type(s) is bool else _COMPLEX)
    tdt = _BY_NP[t._data.dtype]
    if cat <= tdt.category:
        return None
    if cat == _COMPLEX and tdt is D.float64:
        return D.complex128
    return D.default_for_category(cat)


def _operands(a, b, name: str = "add"):
    """Bring a binary op's operands to PyTorch's result dtype.

    Returns ``(a, b)`` as Tensors or Python scalars, at least one a Tensor. Python
    ints stored in an integer tensor's dtype wrap around, as PyTorch's do.
    """
    ta = isinstance(a, Tensor)
    if not ta and not isinstance(b, Tensor):
        raise not_tensor_error(name, "input", 1, a)
    if ta and isinstance(b, Tensor):
        da, db = a._data.dtype, b._data.dtype
        if da is db or da == db:
            return a, b
        rt = D.result_type(a, b)
        return _cast(a, rt), _cast(b, rt)
    t, s = (a, b) if ta else (b, a)
    if type(s) not in (int, float, bool, complex):
        s = _coerce_scalar(s, t, name, 1 if ta else 0)
        if isinstance(s, Tensor):
            return _operands(a, s, name) if ta else _operands(s, b, name)
    rt = _scalar_result(t, s)
    if rt is not None:
        t = _cast(t, rt)
    elif type(s) is int and t._data.dtype.kind in "iu":
        s = _wrap_int(s, t._data.dtype)
    return (t, s) if ta else (s, t)


def _coerce_scalar(s, like: Tensor, name: str, pos: int):
    """NumPy scalars count as Python numbers, arrays as tensors; anything else is refused."""
    if isinstance(s, np.generic):
        return s.item()
    for kind in (bool, int, float, complex):  # subclasses of the numbers
        if isinstance(s, kind):
            return kind(s)
    if isinstance(s, np.ndarray):
        return const(s.copy())
    raise not_tensor_error(name, ("input", "other")[pos], pos + 1, s)


def _as_tensor(x, like: Tensor) -> Tensor:
    """A Python scalar as a 0-dim constant of ``like``'s dtype."""
    if isinstance(x, Tensor):
        return x
    return const(like._xp().asarray(x, dtype=like._data.dtype))


def _both_tensors(a, b, name="add"):
    """``_operands`` with scalars turned into 0-dim tensors of the common dtype."""
    a, b = _operands(a, b, name)
    if not isinstance(a, Tensor):
        a = _as_tensor(a, b)
    elif not isinstance(b, Tensor):
        b = _as_tensor(b, a)
    return a, b


def _to_float(t: Tensor) -> Tensor:
    """Integer and bool tensors as the default float dtype; others unchanged."""
    if t._data.dtype.kind in "fc":
        return t
    return _cast(t, D.get_default_dtype())


def _broadcast_error(a, b) -> RuntimeError:
    """PyTorch's message for shapes that do not broadcast."""
    sa, sb = np.shape(a), np.shape(b)
    n = builtins.max(len(sa), len(sb))
    sa, sb = (1,) * (n - len(sa)) + sa, (1,) * (n - len(sb)) + sb
    for i in range(n - 1, -1, -1):
        if sa[i] != sb[i] and sa[i] != 1 and sb[i] != 1:
            return RuntimeError(f"The size of tensor a ({sa[i]}) must match the size of tensor b "
                                f"({sb[i]}) at non-singleton dimension {i}")
    return RuntimeError(f"shapes {list(sa)} and {list(sb)} cannot be broadcast")


def _need_tensor(x, fname: str, arg: str = "input", pos: int = 1):
    if not isinstance(x, Tensor):
        raise not_tensor_error(fname, arg, pos, x)


def _not_implemented(op: str, dt) -> NotImplementedError:
    return NotImplementedError(f"\"{op}\" not implemented for '{_short(dt)}'")


def _arr(x):
    """NumPy ufuncs give scalars for 0-dim input; saved outputs must be the array itself."""
    return x if type(x) is _ndarray else as_array(x)


def _out(result: Tensor, out) -> Tensor:
    """Copy ``result`` into the ``out=`` tensor (resized if needed) and return it."""
    if out is None:
        return result
    if not isinstance(out, Tensor):
        raise TypeError(f"argument 'out' must be Tensor, not {type(out).__name__}")
    if result.requires_grad and _state.enabled:
        name = type(result.grad_fn).__name__[:-9].lower() if result.grad_fn else "op"
        raise RuntimeError(f"{name}(): functions with out=... arguments don't support automatic "
                           "differentiation, but one of the arguments requires grad.")
    src = _BY_NP[result._data.dtype]
    if not D.can_cast(src, out.dtype):
        raise RuntimeError(f"result type {_short(src)} can't be cast to the desired output type "
                           f"{_short(out.dtype)}")
    if out._data.shape != result._data.shape:
        out._data = out._xp().empty(result._data.shape, dtype=out._data.dtype)
    out._data[...] = result._data
    out._vc[0] += 1
    return out


# -- arithmetic -----------------------------------------------------------------
class Add(Primitive):
    @staticmethod
    def forward(ctx, a, b):
        try:
            return a + b
        except ValueError:
            raise _broadcast_error(a, b) from None

    @staticmethod
    def backward(ctx, grad):
        return grad, grad

    backward_array = backward


class Sub(Primitive):
    @staticmethod
    def forward(ctx, a, b):
        try:
            return a - b
        except ValueError:
            raise _broadcast_error(a, b) from None

    @staticmethod
    def backward(ctx, grad):
        return grad, -grad

    backward_array = backward


class Mul(Primitive):
    @staticmethod
    def forward(ctx, a, b):
        # times a Python number, only the number is needed (as torch saves it): an in-place
        # write to ``a`` afterwards must not invalidate the graph
        ctx.save_for_backward(None if type(b) in (int, float, complex) else a, b)
        try:
            return a * b
        except ValueError:
            raise _broadcast_error(a, b) from None

    @staticmethod
    def backward(ctx, grad):
        return _mul_grads(ctx.needs_input_grad, grad, *ctx.saved_tensors)

    @staticmethod
    def backward_array(ctx, grad):
        return _mul_grads(ctx.needs_input_grad, grad, *ctx.saved_arrays)


def _mul_grads(needs, grad, a, b):
    """Gradients of ``a * b``, for tensors (``backward``) and arrays alike."""
    return (grad * _conj_of(b) if needs[0] else None), (grad * _conj_of(a) if needs[1] else None)


class Div(Primitive):
    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        with np.errstate(divide="ignore", invalid="ignore"):
            try:
                return a / b
            except ValueError:
                raise _broadcast_error(a, b) from None

    @staticmethod
    def backward(ctx, grad):
        return _div_grads(ctx.needs_input_grad, grad, *ctx.saved_tensors)

    @staticmethod
    def backward_array(ctx, grad):
        with np.errstate(divide="ignore", invalid="ignore"):
            return _div_grads(ctx.needs_input_grad, grad, *ctx.saved_arrays)


def _div_grads(needs, grad, a, b):
    """Gradients of ``a / b``, for tensors (``backward``) and arrays alike."""
    ga = grad / _conj_of(b) if needs[0] else None
    gb = -grad * _conj_of(a / (b * b)) if needs[1] else None
    return ga, gb


def _check_alpha(alpha, input, other):
    """PyTorch's restrictions on ``alpha``: no float alpha on integer results, no bool
    alpha on non-bool results."""
    kinds = {x._data.dtype.kind for x in (input, other) if isinstance(x, Tensor)}
    if isinstance(alpha, bool):
        if kinds != {"b"}:
            raise RuntimeError("Boolean alpha only supported for Boolean results.")
    elif isinstance(alpha, float) and not kinds & set("fc") and \
            not any(isinstance(x, float) for x in (input, other)):
        raise RuntimeError("For integral input tensors, argument alpha must not be a floating "
                           "point number.")


def add(input, other, *, alpha=1, out=None) -> Tensor:
    """``input + alpha * other`` with broadcasting and type promotion."""
    if alpha != 1 or type(alpha) is not int:
        _check_alpha(alpha, input, other)
        other = mul(other, alpha) if isinstance(other, Tensor) else other * alpha
    a, b = _operands(input, other)
    if not isinstance(a, Tensor):
        a, b = b, a
    r = Add.apply(a, b)
    return r if out is None else _out(r, out)


def _is_bool(x) -> bool:
    return x.__class__ is bool or isinstance(x, Tensor) and x._data.dtype.kind == "b"


def _check_bool_sub(a, b):
    """PyTorch refuses subtraction involving bools, with two different messages."""
    ba, bb = _is_bool(a), _is_bool(b)
    if ba and bb:
        raise RuntimeError("Subtraction, the `-` operator, with two bool tensors is not "
                           "supported. Use the `^` or `logical_xor()` operator instead.")
    if ba or bb:
        raise RuntimeError("Subtraction, the `-` operator, with a bool tensor is not supported. "
                           "If you are trying to invert a mask, use the `~` or `logical_not()` "
                           "operator instead.")


def sub(input, other, *, alpha=1, out=None) -> Tensor:
    """``input - alpha * other``."""
    if _is_bool(input) or _is_bool(other):
        _check_bool_sub(input, other)
    if alpha != 1 or type(alpha) is not int:
        _check_alpha(alpha, input, other)
        other = mul(other, alpha) if isinstance(other, Tensor) else other * alpha
    a, b = _operands(input, other, "sub")
    prim = Sub
    if not isinstance(a, Tensor):
        a, prim = _as_tensor(a, b), _RSub
    r = prim.apply(a, b)
    return r if out is None else _out(r, out)


_RSub = renamed(Sub, "RsubBackward1")  # scalar - tensor, as torch records it


subtract = sub


def rsub(input, other, *, alpha=1) -> Tensor:
    """``other - alpha * input``."""
    return sub(other, input, alpha=alpha)


def mul(input, other, *, out=None) -> Tensor:
    """Elementwise product with broadcasting."""
    a, b = _operands(input, other, "mul")
    if not isinstance(a, Tensor):
        a, b = b, a
    r = Mul.apply(a, b)
    return r if out is None else _out(r, out)


multiply = mul


class FloorDiv(Primitive):
    node_name = "DivBackward0"

    @staticmethod
    def forward(ctx, a, b):
        _check_int_zero(a, b)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.floor_divide(a, b)

    @staticmethod
    def backward(ctx, grad):
        return grad * 0, None


class TruncDiv(Primitive):
    node_name = "DivBackward0"

    @staticmethod
    def forward(ctx, a, b):
        if a.dtype.kind in "iub":
            _check_int_zero(a, b)
            # C-style integer division: the quotient of the magnitudes, then the sign
            q = np.floor_divide(np.abs(a), np.abs(b))
            return np.where((a < 0) != (as_array(b) < 0), -q, q).astype(a.dtype, copy=False)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.trunc(a / b)

    @staticmethod
    def backward(ctx, grad):
        return grad * 0, None


def _check_int_zero(a, b):
    if a.dtype.kind in "iub" and not np.all(b):
        raise RuntimeError("ZeroDivisionError")


def div(input, other, *, rounding_mode=None, out=None) -> Tensor:
    """True division (integers give floats), or rounded with ``rounding_mode``
    ``'trunc'`` / ``'floor'`` (keeping integer dtypes)."""
    if rounding_mode is not None:
        if rounding_mode not in ("floor", "trunc"):
            raise ValueError(f"div expected rounding_mode to be one of None, 'trunc', or "
                             f"'floor' but found '{rounding_mode}'")
        a, b = _both_tensors(input, other, "div")
        cls = FloorDiv if rounding_mode == "floor" else TruncDiv
        return _out(cls.apply(a, b), out)
    # true division sees a scalar's value, never one wrapped into the tensor's int dtype
    if type(other) is int:
        other = float(other)
    elif type(input) is int:
        input = float(input)
    a, b = _operands(input, other, "div")
    if not isinstance(a, Tensor):
        a = _as_tensor(a, b)
    if a._data.dtype.kind not in "fc":
        a = _cast(a, D.get_default_dtype())
        if isinstance(b, Tensor):
            b = _cast(b, D.get_default_dtype())
    r = Div.apply(a, b)
    return r if out is None else _out(r, out)


divide = true_divide = div


def floor_divide(input, other, *, out=None) -> Tensor:
    """Division rounded towards minus infinity."""
    return div(input, other, rounding_mode="floor", out=out)


class Remainder(Primitive):
    @staticmethod
    def forward(ctx, a, b):
        _check_int_zero(a, b)
        ctx.save_for_backward(a, b)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.remainder(a, b)

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        gb = -grad * floor_divide(a, b) if ctx.needs_input_grad[1] else None
        return grad, gb


class Fmod(Primitive):
    @staticmethod
    def forward(ctx, a, b):
        _check_int_zero(a, b)
        ctx.save_for_backward(a, b)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.fmod(a, b)

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        gb = -grad * div(a, b, rounding_mode="trunc") if ctx.needs_input_grad[1] else None
        return grad, gb


def remainder(input, other, *, out=None) -> Tensor:
    """Python-style modulus: the result takes the sign of the divisor."""
    a, b = _both_tensors(input, other, "remainder")
    return _out(Remainder.apply(a, b), out)


def fmod(input, other, *, out=None) -> Tensor:
    """C-style modulus: the result takes the sign of the dividend."""
    a, b = _both_tensors(input, other, "fmod")
    return _out(Fmod.apply(a, b), out)


def _int_pow(a, b):
    """Integer power where negative exponents give 1/a truncated (0 unless a is +-1)."""
    neg = b < 0
    if not np.any(neg):
        return np.power(a, b)
    r = np.power(a, np.where(neg, 0, b))
    inv = np.where(a == 1, 1, np.where(a == -1, np.where(b % 2 == 0, 1, -1), 0))
    return np.where(neg, inv, r).astype(r.dtype, copy=False)


class Pow(Primitive):
    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        if a.dtype.kind in "iu" and hasattr(b, "ndim"):  # an array of either backend
            return _int_pow(a, b)
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            try:
                return a ** b
            except ValueError:
                raise _broadcast_error(a, b) from None

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        na, nb = ctx.needs_input_grad
        ga = gb = None
        if na:
            if isinstance(b, Tensor):
                ga = where(b == 0, 0.0, grad * b * a ** (b - 1))
            else:
                ga = grad * 0 if b == 0 else grad * b * a ** (b - 1)
        if nb:
            gb = where((a == 0) & (b >= 0), 0.0, grad * a ** b * log(a))
        return ga, gb


def pow(input, exponent, *, out=None) -> Tensor:
    """``input ** exponent`` with broadcasting; either may be a scalar."""
    a, b = _operands(input, exponent, "pow")
    prim = Pow if not isinstance(b, Tensor) else _PowTensor
    if not isinstance(a, Tensor):
        a, prim = _as_tensor(a, b), _PowScalarBase
    elif type(b) is int and b < 0 and a._data.dtype.kind in "iub":
        raise RuntimeError("Integers to negative integer powers are not allowed.")
    return _out(prim.apply(a, b), out)


# torch's overloads: tensor ** scalar, tensor ** tensor, scalar ** tensor
_PowTensor = renamed(Pow, "PowBackward1")
_PowScalarBase = renamed(Pow, "PowBackward2")


def float_power(input, exponent, *, out=None) -> Tensor:
    """``pow`` computed in double precision (complex128 for complex operands)."""
    cplx = any(isinstance(x, complex) or isinstance(x, Tensor) and x.is_complex()
               for x in (input, exponent))
    dt = D.complex128 if cplx else D.float64

    def up(x):
        return _cast(x, dt) if isinstance(x, Tensor) else (complex(x) if cplx else float(x))
    return pow(up(input), up(exponent), out=out)


class Neg(Primitive):
    @staticmethod
    def forward(ctx, a):
        return -a

    @staticmethod
    def backward(ctx, grad):
        return -grad

    backward_array = backward


def neg(input, *, out=None) -> Tensor:
    """``-input``."""
    _need_tensor(input, "neg")
    if input._data.dtype.kind == "b":
        raise RuntimeError("Negation, the `-` operator, on a bool tensor is not supported. If "
                           "you are trying to invert a mask, use the `~` or `logical_not()` "
                           "operator instead.")
    return _out(Neg.apply(input), out)


negative = neg


def positive(input) -> Tensor:
    """``input`` itself (``+input``); refused for bool tensors."""
    if input._data.dtype.kind == "b":
        raise RuntimeError("The `+` operator, on a bool tensor is not supported.")
    return input


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


# -- clamping and min/max -------------------------------------------------------
class Clamp(Primitive):
    """``min(max(a, lo), hi)`` with ``lo``/``hi`` arrays, scalars or None."""

    @staticmethod
    def forward(ctx, a, lo, hi):
        ctx.save_for_backward(a, lo, hi)
        out = a if lo is None else np.maximum(a, lo)
        return out if hi is None else np.minimum(out, hi)

    @staticmethod
    def backward(ctx, grad):
        a, lo, hi = ctx.saved_tensors
        need = ctx.needs_input_grad
        keep = None
        if lo is not None:
            keep = a >= lo
        if hi is not None:
            keep = a <= hi if keep is None else keep & (a <= hi)
        ga = where(keep, grad, 0.0)
        glo = ghi = None
        if need[1]:
            cond = a < lo if hi is None else (a < lo) & (lo < hi)
            glo = where(cond, grad, 0.0)
        if need[2]:
            cond = a > hi if lo is None else (a > hi) | (hi < lo)
            ghi = where(cond, grad, 0.0)
        return ga, glo, ghi


def _clamp_bound(x, dt: D.dtype):
    """A clamp bound in the result dtype: a tensor cast to it or a checked scalar."""
    if x is None:
        return None
    if isinstance(x, Tensor):
        return _cast(x, dt)
    if dt.np.kind in "iu":
        lo, hi = _INT_RANGE[dt.np]
        if not lo <= x <= hi:
            raise RuntimeError(f"value cannot be converted to type {dt.name}_t without overflow")
        return int(x)
    return x


def clamp(input, min=None, max=None, *, out=None) -> Tensor:
    """Limit every element to ``[min, max]`` (each a tensor, a scalar or None)."""
    _need_tensor(input, "clamp")
    if min is None and max is None:
        raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
    dt = D.result_type(input, *[x for x in (min, max) if x is not None])
    x = _cast(input, dt)
    prim = Clamp if isinstance(min, Tensor) or isinstance(max, Tensor) else _ClampScalars
    return _out(prim.apply(x, _clamp_bound(min, dt), _clamp_bound(max, dt)), out)


_ClampScalars = renamed(Clamp, "ClampBackward1")


clip = clamp


def clamp_min(input, min, *, out=None) -> Tensor:
    """``clamp(input, min=min)``."""
    return clamp(input, min=min, out=out)


def clamp_max(input, max, *, out=None) -> Tensor:
    """``clamp(input, max=max)``."""
    return clamp(input, max=max, out=out)


class Maximum(Primitive):
    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        try:
            return np.maximum(a, b)
        except ValueError:
            raise _broadcast_error(a, b) from None

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        return _split_ties(grad, a, b, a < b, a > b)


class Minimum(Primitive):
    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        try:
            return np.minimum(a, b)
        except ValueError:
            raise _broadcast_error(a, b) from None

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        return _split_ties(grad, a, b, a > b, a < b)


def _split_ties(grad, a, b, a_loses, b_loses):
    """Gradients of a two-way max/min: ties share the gradient evenly, as in PyTorch."""
    half = where(a == b, grad * 0.5, grad)
    return where(a_loses, 0.0, half), where(b_loses, 0.0, half)


class Fmax(Primitive):
    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return np.fmax(a, b)

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        to_a = (a >= b) | isnan(b)
        return where(to_a, grad, 0.0), where(to_a, 0.0, grad)


class Fmin(Primitive):
    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return np.fmin(a, b)

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        to_a = (a <= b) | isnan(b)
        return where(to_a, grad, 0.0), where(to_a, 0.0, grad)


def _two_tensor_op(cls, name: str, doc: str):
    """The public function of a binary primitive that takes two tensors (no scalars)."""
    def fn(input, other, *, out=None) -> Tensor:
        _need_tensor(input, name)
        _need_tensor(other, name, "other", 2)
        a, b = _operands(input, other)
        return _out(cls.apply(a, b), out)
    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = doc
    return fn


maximum = _two_tensor_op(Maximum, "maximum", "Elementwise maximum of two tensors (NaN "
                                             "propagates).")
minimum = _two_tensor_op(Minimum, "minimum", "Elementwise minimum of two tensors (NaN "
                                             "propagates).")
fmax = _two_tensor_op(Fmax, "fmax", "Elementwise maximum that ignores NaN (NaN only where both "
                                    "are NaN).")
fmin = _two_tensor_op(Fmin, "fmin", "Elementwise minimum that ignores NaN (NaN only where both "
                                    "are NaN).")


class Where(Primitive):
    @staticmethod
    def forward(ctx, cond, a, b):
        ctx.save_for_backward(cond)
        return np.where(cond, a, b)

    @staticmethod
    def backward(ctx, grad):
        (cond,) = ctx.saved_tensors
        na, nb = ctx.needs_input_grad[1:]
        return (None, where(cond, grad, 0.0) if na else None,
                where(cond, 0.0, grad) if nb else None)


def where(condition, input=None, other=None, *, out=None):
    """Elements of ``input`` where ``condition`` holds, else of ``other``; with the
    condition alone, the indices of its true elements (``nonzero(as_tuple=True)``)."""
    if input is None and other is None:
        from .index import nonzero
        return nonzero(condition, as_tuple=True)
    _need_tensor(condition, "where", "condition")
    if condition._data.dtype.kind != "b":
        raise RuntimeError(f"where expected condition to be a boolean tensor, but got a "
                           f"tensor with dtype {_short(condition.dtype)}")
    if isinstance(input, Tensor) or isinstance(other, Tensor):
        a, b = _both_tensors(input, other, "where")
    else:
        dt = D.result_type(input, other)
        a = const(condition._xp().asarray(input, dtype=dt.np))
        b = const(condition._xp().asarray(other, dtype=dt.np))
    return _out(Where.apply(condition, a, b), out)


class Lerp(Primitive):
    @staticmethod
    def forward(ctx, a, b, w):
        ctx.save_for_backward(a, b, w)
        # the form that is exact at w == 1 for w >= 0.5, as PyTorch computes it
        d = b - a
        if isinstance(w, (int, float)):
            return a + w * d if builtins.abs(w) < 0.5 else b - d * (1 - w)
        return np.where(np.abs(w) < 0.5, a + w * d, b - d * (1 - w))

    @staticmethod
    def backward(ctx, grad):
        a, b, w = ctx.saved_tensors
        na, nb, nw = ctx.needs_input_grad
        return (grad * (1 - w) if na else None, grad * w if nb else None,
                grad * (b - a) if nw else None)


def lerp(input, end, weight, *, out=None) -> Tensor:
    """``input + weight * (end - input)``; ``weight`` a scalar or a tensor."""
    _need_tensor(input, "lerp")
    for arg, x in (("end", end), ("weight", weight)):
        if isinstance(x, Tensor) and x.dtype is not input.dtype and (
                arg == "end" or x._data.ndim):
            raise RuntimeError(f"expected dtype {_c_name(input.dtype)} for `{arg}` but got "
                               f"dtype {_c_name(x.dtype)}")
    if isinstance(weight, Tensor):
        weight = _cast(weight, input.dtype)
    return _out(Lerp.apply(input, end, weight), out)


def _c_name(dt) -> str:
    """The C++ scalar type name PyTorch's messages use for a dtype."""
    return {"float32": "float", "float64": "double", "float16": "c10::Half", "int64": "long int",
            "int32": "int", "bool": "bool"}.get(dt.name, dt.name)


# -- other binary float ops -----------------------------------------------------
def _float_operands(a, b, name):
    """Two operands promoted to a common float dtype, both as tensors."""
    a, b = _both_tensors(a, b, name)
    return _to_float(a), _to_float(b)


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


def atan2(input, other, *, out=None) -> Tensor:
    """The angle of the point ``(other, input)``, elementwise."""
    _need_tensor(input, "atan2")
    a, b = _float_operands(input, other, "atan2")
    return _out(Atan2.apply(a, b), out)


arctan2 = atan2


def _float_only(name, *xs):
    for x in xs:
        if x._data.dtype.kind not in "fc":
            raise _not_implemented(f"{name}_cpu", x.dtype)


class Hypot(Primitive):
    @staticmethod
    def forward(ctx, a, b):
        out = _arr(np.hypot(a, b))
        ctx.save_for_backward(a, b, out)
        return out

    @staticmethod
    def backward(ctx, grad):
        a, b, out = ctx.saved_tensors
        g = grad / out
        return g * a, g * b


def hypot(input, other, *, out=None) -> Tensor:
    """``sqrt(input**2 + other**2)`` without overflow; float tensors only."""
    a, b = _both_tensors(input, other, "hypot")
    _float_only("hypot", a)
    return _out(Hypot.apply(a, b), out)


class Xlogy(Primitive):
    @staticmethod
    def forward(ctx, x, y):
        ctx.save_for_backward(x, y)
        with np.errstate(all="ignore"):
            return np.where((x == 0) & ~np.isnan(y), 0, x * np.log(y)).astype(x.dtype)

    @staticmethod
    def backward(ctx, grad):
        x, y = ctx.saved_tensors
        nx, ny = ctx.needs_input_grad
        gx = where((x == 0) & (y <= 0), 0.0, xlogy(grad, y)) if nx else None
        gy = grad * x / y if ny else None
        return gx, gy


def xlogy(input, other, *, out=None) -> Tensor:
    """``input * log(other)``, defined as 0 where ``input`` is 0 (unless ``other`` is NaN)."""
    a, b = _float_operands(input, other, "xlogy")
    return _out(Xlogy.apply(a, b), out)


class Logaddexp(Primitive):
    @staticmethod
    def forward(ctx, a, b, base2):
        ctx.base2 = base2
        ctx.save_for_backward(a, b)
        return np.logaddexp2(a, b) if base2 else np.logaddexp(a, b)

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        # d/da log(e^a + e^b) = 1 / (1 + e^(b - a)); in base 2 the same with 2^(b - a)
        wa = ((exp2(b - a) + 1) if ctx.base2 else (exp(b - a) + 1)).reciprocal()
        wb = ((exp2(a - b) + 1) if ctx.base2 else (exp(a - b) + 1)).reciprocal()
        return grad * wa, grad * wb, None


def logaddexp(input, other, *, out=None) -> Tensor:
    """``log(exp(input) + exp(other))`` without overflow."""
    a, b = _both_tensors(input, other, "logaddexp")
    _float_only("logaddexp", a)
    return _out(Logaddexp.apply(a, b, False), out)


def logaddexp2(input, other, *, out=None) -> Tensor:
    """``log2(2**input + 2**other)`` without overflow."""
    a, b = _both_tensors(input, other, "logaddexp2")
    _float_only("logaddexp2", a)
    return _out(Logaddexp.apply(a, b, True), out)


def copysign(input, other, *, out=None) -> Tensor:
    """``|input|`` with the sign (bit) of ``other``, in a float dtype."""
    a, b = _float_operands(input, other, "copysign")
    s = const(np.where(np.signbit(b._data), -1, 1).astype(a._data.dtype))
    return _out(abs(a) * s, out)


def heaviside(input, values, *, out=None) -> Tensor:
    """0 where ``input`` < 0, 1 where > 0, ``values`` where it is 0."""
    _need_tensor(input, "heaviside")
    _need_tensor(values, "heaviside", "values", 2)
    if input.dtype is not values.dtype:
        raise RuntimeError("heaviside is not yet implemented for tensors with different dtypes.")
    x = input._data
    r = np.where(x == 0, values._data, x > 0).astype(x.dtype)
    return _out(const(r), out)


class NanToNum(Primitive):
    @staticmethod
    def forward(ctx, a, nan, posinf, neginf):
        ctx.save_for_backward(a)
        return np.nan_to_num(a, nan=nan, posinf=posinf, neginf=neginf)

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        return where(isfinite(a), grad, 0.0), None, None, None


def nan_to_num(input, nan: float = 0.0, posinf: float | None = None,
               neginf: float | None = None, *, out=None) -> Tensor:
    """NaN, +inf and -inf replaced by ``nan``, ``posinf`` and ``neginf`` (by default 0 and
    the dtype's largest / lowest finite values)."""
    _need_tensor(input, "nan_to_num")
    if input._data.dtype.kind not in "fc":
        return _out(_make(input._data.copy(), False, None, 0, [0]), out)
    return _out(NanToNum.apply(input, nan, posinf, neginf), out)


def addcmul(input, tensor1, tensor2, *, value=1, out=None) -> Tensor:
    """``input + value * tensor1 * tensor2``."""
    prod = tensor1 * tensor2
    return _out(input + (prod if value == 1 else value * prod), out)


def addcdiv(input, tensor1, tensor2, *, value=1, out=None) -> Tensor:
    """``input + value * tensor1 / tensor2``."""
    if tensor1._data.dtype.kind in "iub" and tensor2._data.dtype.kind in "iub":
        raise RuntimeError(
            "Integer division with addcdiv is no longer supported, and in a future  release "
            "addcdiv will perform a true division of tensor1 and tensor2. The historic addcdiv "
            "behavior can be implemented as (input + value * torch.trunc(tensor1 / tensor2))."
            "to(input.dtype) for integer inputs and as (input + value * tensor1 / tensor2) for "
            "float inputs. The future addcdiv behavior is just the latter implementation: "
            "(input + value * tensor1 / tensor2), for all dtypes.")
    q = tensor1 / tensor2
    return _out(input + (q if value == 1 else value * q), out)


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


class Conj(Primitive):
    @staticmethod
    def forward(ctx, a):
        return np.conj(a)

    @staticmethod
    def backward(ctx, grad):
        return conj(grad)


def conj(input) -> Tensor:
    """Complex conjugate (the tensor itself for real dtypes)."""
    if input._data.dtype.kind != "c":
        return input
    return Conj.apply(input)


def _conj_of(x):
    """``x`` conjugated when complex (tensor or array): the Wirtinger chain rule of a
    product multiplies the gradient by the conjugate of the other factor."""
    if isinstance(x, Tensor):
        return conj(x) if x._data.dtype.kind == "c" else x
    if isinstance(x, complex) or (isinstance(x, _ndarray) and x.dtype.kind == "c"):
        return np.conj(x)
    return x


def angle(input) -> Tensor:
    """The argument of each element (0 or pi for real numbers), in a float dtype."""
    x = _to_float(input)._data
    return const(as_array(np.angle(x)).astype(x.real.dtype, copy=False))


# -- comparisons and logic (no gradient) ----------------------------------------
def _compare(ufunc, name):
    def fn(input, other, *, out=None):
        if not isinstance(input, Tensor):
            _need_tensor(input, name)
        a, b = _operands(input, other, name)
        ad = a._data if isinstance(a, Tensor) else a
        bd = b._data if isinstance(b, Tensor) else b
        try:
            r = ufunc(ad, bd)
        except ValueError:
            raise _broadcast_error(ad, bd) from None
        r = _make(r if type(r) is _ndarray else as_array(r), False, None, 0, [0])
        return r if out is None else _out(r, out)

    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = f"Elementwise ``{name}`` comparison, as a bool tensor."
    return fn


eq = _compare(np.equal, "eq")
ne = not_equal = _compare(np.not_equal, "ne")
lt = less = _compare(np.less, "lt")
le = less_equal = _compare(np.less_equal, "le")
gt = greater = _compare(np.greater, "gt")
ge = greater_equal = _compare(np.greater_equal, "ge")


def _logical(ufunc, name):
    def fn(input, other, *, out=None):
        _need_tensor(input, name)
        _need_tensor(other, name, "other", 2)
        try:
            r = ufunc(input._data, other._data)
        except ValueError:
            raise _broadcast_error(input._data, other._data) from None
        return _out(const(as_array(r)), out)

    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = f"Elementwise ``{name}`` of the truth values, as a bool tensor."
    return fn


logical_and = _logical(np.logical_and, "logical_and")
logical_or = _logical(np.logical_or, "logical_or")
logical_xor = _logical(np.logical_xor, "logical_xor")


def logical_not(input, *, out=None) -> Tensor:
    """Elementwise NOT of the truth values, as a bool tensor."""
    _need_tensor(input, "logical_not")
    return _out(const(as_array(np.logical_not(input._data))), out)


def _bitwise(ufunc, name):
    def fn(input, other, *, out=None):
        a, b = _operands(input, other, name)
        t = a if isinstance(a, Tensor) else b
        if t._data.dtype.kind not in "iub":
            raise _not_implemented(f"{name}_cpu", t.dtype)
        ad = a._data if isinstance(a, Tensor) else a
        bd = b._data if isinstance(b, Tensor) else b
        try:
            r = ufunc(ad, bd)
        except ValueError:
            raise _broadcast_error(ad, bd) from None
        return _out(const(as_array(r)), out)

    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = f"Elementwise ``{name}`` of integer or bool tensors."
    return fn


bitwise_and = _bitwise(np.bitwise_and, "bitwise_and")
bitwise_or = _bitwise(np.bitwise_or, "bitwise_or")
bitwise_xor = _bitwise(np.bitwise_xor, "bitwise_xor")
bitwise_left_shift = _bitwise(np.left_shift, "bitwise_left_shift")
bitwise_right_shift = _bitwise(np.right_shift, "bitwise_right_shift")


def bitwise_not(input, *, out=None) -> Tensor:
    """Bitwise NOT of integers; logical NOT of bools."""
    _need_tensor(input, "bitwise_not")
    if input._data.dtype.kind not in "iub":
        raise _not_implemented("bitwise_not_cpu", input.dtype)
    return _out(const(as_array(np.invert(input._data))), out)


def _predicate(ufunc, name, doc):
    def fn(input):
        _need_tensor(input, name)
        return const(as_array(ufunc(input._data)))

    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = doc
    return fn


isnan = _predicate(np.isnan, "isnan", "Elementwise test for NaN.")
isinf = _predicate(np.isinf, "isinf", "Elementwise test for +-infinity.")
isposinf = _predicate(np.isposinf, "isposinf", "Elementwise test for +infinity.")
isneginf = _predicate(np.isneginf, "isneginf", "Elementwise test for -infinity.")
isfinite = _predicate(np.isfinite, "isfinite", "Elementwise test for finite values.")
isreal = _predicate(np.isreal, "isreal", "Elementwise test for a zero imaginary part.")


def isclose(input, other, rtol: float = 1e-05, atol: float = 1e-08,
            equal_nan: bool = False) -> Tensor:
    """Elementwise ``|input - other| <= atol + rtol * |other|`` (same dtypes required)."""
    _need_tensor(input, "isclose")
    _need_tensor(other, "isclose", "other", 2)
    if input.dtype is not other.dtype:
        raise RuntimeError(f"{_short(input.dtype)} did not match {_short(other.dtype)}")
    a, b = input._data, other._data
    if a.dtype.kind in "iub":  # compare in float, as the tolerance is a float
        a, b = a.astype(np.float64), b.astype(np.float64)
    with np.errstate(invalid="ignore"):
        r = np.isclose(a, b, rtol=rtol, atol=atol, equal_nan=equal_nan)
    return const(as_array(r))


def allclose(input, other, rtol: float = 1e-05, atol: float = 1e-08,
             equal_nan: bool = False) -> bool:
    """Whether every element is close (see ``isclose``)."""
    return builtins.bool(isclose(input, other, rtol, atol, equal_nan)._data.all())


def equal(input, other) -> bool:
    """Whether two tensors have the same shape and the same values."""
    _need_tensor(input, "equal")
    _need_tensor(other, "equal", "other", 2)
    if input._data.shape != other._data.shape:
        return False
    return builtins.bool((input._data == other._data).all())


# -- in-place variants ------------------------------------------------------------
def _inplace(fn):
    """Make ``x.fn_(...)``: compute ``fn`` and write it into ``x``'s memory.

    When a graph is recorded, ``fn`` runs on a clone so that ``x`` takes over the new
    node while its old value stays available to the backward.
    """
    def method(self, *args, **kwargs):
        self._check_inplace()
        if _state.enabled and (self._rg or any(isinstance(a, Tensor) and a._rg for a in args)):
            # a copy: ``fn`` may save its input for the backward, and ``self`` is overwritten
            src = self.clone() if self._rg else self.detach().clone()
            return self._inplace_from(fn(src, *args, **kwargs))
        return self._inplace_from(fn(self.detach(), *args, **kwargs))

    method.__name__ = method.__qualname__ = fn.__name__ + "_"
    method.__doc__ = f"In-place ``{fn.__name__}``."
    return method


def _fast_inplace(fn, ufunc):
    """``add_/sub_/mul_``: the ufunc writes straight into the array when no graph is
    recorded; anything unusual (a cast PyTorch refuses, broadcasting, wrapping ints)
    goes through the general path, which also words the errors."""
    slow = _inplace(fn)

    def method(self, other, **kwargs):
        if not _state.enabled or not (self._rg or (isinstance(other, Tensor) and other._rg)):
            o = other._data if isinstance(other, Tensor) else other
            if not kwargs:
                data = self._data
                try:
                    ufunc(data, o, out=data, casting="same_kind")
                except (TypeError, ValueError, OverflowError):
                    return slow(self, other)
                self._vc[0] += 1
                return self
        return slow(self, other, **kwargs)

    method.__name__ = method.__qualname__ = fn.__name__ + "_"
    method.__doc__ = f"In-place ``{fn.__name__}``."
    return method


add_ = _fast_inplace(add, np.add)
sub_ = subtract_ = _fast_inplace(sub, np.subtract)
mul_ = multiply_ = _fast_inplace(mul, np.multiply)

_INPLACE = (
    "divide", "true_divide", "float_power", "neg", "negative", "abs",
    "absolute", "clamp", "clip", "clamp_min", "clamp_max",
    "fmod", "lerp", "addcmul", "addcdiv", "nan_to_num", "exp", "exp2", "expm1", "log", "log2",
    "log10", "log1p", "sqrt", "rsqrt", "square", "sin", "cos", "tan", "asin", "acos", "atan",
    "arcsin", "arccos", "arctan", "sinh", "cosh", "tanh", "asinh", "acosh", "atanh",
    "arcsinh", "arccosh", "arctanh", "sigmoid", "relu", "erf", "erfc", "erfinv",
    "reciprocal", "logit", "deg2rad", "rad2deg", "sign", "sgn", "floor", "ceil", "round",
    "trunc", "fix", "frac", "atan2", "arctan2", "hypot", "xlogy", "copysign",
    "heaviside", "logical_not", "logical_and",
    "logical_or", "logical_xor", "bitwise_not",
    "eq", "ne", "lt", "le", "gt", "ge",
    "greater", "greater_equal", "less", "less_equal", "not_equal",
)
for _n in _INPLACE:
    globals()[_n + "_"] = _inplace(globals()[_n])
del _n
# written out: the augmented-assignment operators below use them
div_, floor_divide_, remainder_, pow_ = _inplace(div), _inplace(floor_divide), \
    _inplace(remainder), _inplace(pow)
bitwise_and_, bitwise_or_, bitwise_xor_ = _inplace(bitwise_and), _inplace(bitwise_or), \
    _inplace(bitwise_xor)
bitwise_left_shift_ = _inplace(bitwise_left_shift)
bitwise_right_shift_ = _inplace(bitwise_right_shift)


# -- operator overloads ---------------------------------------------------------
def _binary_dunder(fn, reflected=False):
    """``a op b``: NotImplemented (so Python tries the other side) for foreign types."""
    if reflected:
        def method(self, other):
            if not isinstance(other, (int, float, complex, np.generic, np.ndarray)):
                return NotImplemented
            return fn(other, self)
    else:
        def method(self, other):
            try:
                return fn(self, other)
            except TypeError:
                if isinstance(other, (Tensor, int, float, complex, np.generic, np.ndarray)):
                    raise
                return _foreign(other)
    return method


def _foreign(other):
    """NotImplemented for an operand ember does not know, so Python asks the other side;
    a real PyTorch tensor would only fail there with "'Tensor' and 'Tensor'"."""
    if is_real_torch(other):
        raise real_torch_error(other, "a Tensor operator")
    return NotImplemented


class _Unrecorded:
    """The ``ctx`` of a forward whose result nobody will differentiate."""

    __slots__ = ()

    def save_for_backward(self, *values):
        pass


_UNRECORDED = _Unrecorded()


def _plain(prim, self, other):
    """``prim`` on two tensors of one dtype when there is nothing to record: its forward
    straight on the arrays, without promotion or graph bookkeeping (the per-op cost of
    tiny tensors). None when that does not apply."""
    if type(other) is Tensor and self._data.dtype is other._data.dtype and \
            not ((self._rg or other._rg) and _state.enabled):
        try:
            out = prim.forward(_UNRECORDED, self._data, other._data)
        except TypeError:  # arrays on two devices: the general path sorts it out
            return None
        return Tensor._make(out if type(out) is _ndarray else as_array(out), False, None, 0,
                            [0])
    return None


def __add__(self, other):
    r = _plain(Add, self, other)
    if r is not None:
        return r
    try:
        a, b = _operands(self, other)
    except TypeError:
        return _foreign(other)
    return Add.apply(a, b)


def __mul__(self, other):
    r = _plain(Mul, self, other)
    if r is not None:
        return r
    try:
        a, b = _operands(self, other, "mul")
    except TypeError:
        return _foreign(other)
    return Mul.apply(a, b)


_sub = _binary_dunder(sub)


def __sub__(self, other):
    if type(other) is float and self._data.dtype.kind == "f":  # the common case, kept short
        return Sub.apply(self, other)
    return _sub(self, other)


def __invert__(self):
    if self._data.dtype.kind not in "iub":
        raise TypeError("~ (operator.invert) is only implemented on integer and Boolean-type "
                        "tensors")
    return bitwise_not(self)


_eq, _ne = _binary_dunder(eq), _binary_dunder(ne)


def __eq__(self, other):
    if other is None:
        return False
    return _eq(self, other)


def __ne__(self, other):
    if other is None:
        return True
    return _ne(self, other)


def _matmul(self, other):
    from .linalg import matmul
    if isinstance(other, np.ndarray):
        other = const(other)  # torch reads an array on the right of @ as a tensor
    elif not isinstance(other, Tensor):
        return NotImplemented
    return matmul(self, other)


def _rmatmul(self, other):
    return NotImplemented  # torch's Tensor takes nothing but a tensor on the left of @


def _not_for_arrays(method):
    """``method`` refusing a NumPy array operand, as torch's Tensor does for reflected
    arithmetic and for ordering comparisons: Python then raises its own TypeError (or,
    for ``!=``, falls back to identity)."""
    def refusing(self, other):
        if isinstance(other, np.ndarray):
            return NotImplemented
        return method(self, other)
    return refusing


__radd__ = _not_for_arrays(__add__)
__rmul__ = _not_for_arrays(__mul__)
__rsub__ = _not_for_arrays(_binary_dunder(sub, reflected=True))
__truediv__ = _binary_dunder(div)
_rdiv = _binary_dunder(div, reflected=True)


def __rtruediv__(self, other):
    # torch computes ``number / t`` as ``t.reciprocal() * number`` (values and grad_fn)
    if isinstance(other, (int, float, np.generic)) and not isinstance(other, (bool, np.bool_)):
        return mul(reciprocal(self), other)
    return _rdiv(self, other)

__floordiv__ = _binary_dunder(floor_divide)
__rfloordiv__ = _not_for_arrays(_binary_dunder(floor_divide, reflected=True))
__mod__ = _binary_dunder(remainder)
__rmod__ = _not_for_arrays(_binary_dunder(remainder, reflected=True))
__pow__ = _binary_dunder(pow)
__rpow__ = _not_for_arrays(_binary_dunder(pow, reflected=True))
__and__ = _binary_dunder(bitwise_and)
__rand__ = _not_for_arrays(_binary_dunder(bitwise_and, reflected=True))
__or__ = _binary_dunder(bitwise_or)
__ror__ = _not_for_arrays(_binary_dunder(bitwise_or, reflected=True))
__xor__ = _binary_dunder(bitwise_xor)
__rxor__ = _not_for_arrays(_binary_dunder(bitwise_xor, reflected=True))
__lshift__ = _binary_dunder(bitwise_left_shift)
__rlshift__ = _not_for_arrays(_binary_dunder(bitwise_left_shift, reflected=True))
__rshift__ = _binary_dunder(bitwise_right_shift)
__rrshift__ = _not_for_arrays(_binary_dunder(bitwise_right_shift, reflected=True))
__lt__ = _not_for_arrays(_binary_dunder(lt))
__le__ = _not_for_arrays(_binary_dunder(le))
__gt__ = _not_for_arrays(_binary_dunder(gt))
__ge__ = _not_for_arrays(_binary_dunder(ge))
__ne__ = _not_for_arrays(__ne__)
__matmul__ = _matmul
__rmatmul__ = _rmatmul
__neg__ = neg
__pos__ = positive
__abs__ = abs
__iadd__ = add_
__isub__ = sub_
__imul__ = mul_
__itruediv__ = div_
__ifloordiv__ = floor_divide_
__imod__ = remainder_
__ipow__ = pow_
__iand__ = bitwise_and_
__ior__ = bitwise_or_
__ixor__ = bitwise_xor_
__ilshift__ = bitwise_left_shift_
__irshift__ = bitwise_right_shift_

_DUNDERS = [
    "__add__", "__radd__", "__iadd__", "__sub__", "__rsub__", "__isub__", "__mul__",
    "__rmul__", "__imul__", "__truediv__", "__rtruediv__", "__itruediv__", "__floordiv__",
    "__rfloordiv__", "__ifloordiv__", "__mod__", "__rmod__", "__imod__", "__pow__",
    "__rpow__", "__ipow__", "__matmul__", "__rmatmul__", "__neg__", "__pos__", "__abs__",
    "__invert__", "__and__", "__rand__", "__iand__", "__or__", "__ror__", "__ior__",
    "__xor__", "__rxor__", "__ixor__", "__lshift__", "__rlshift__", "__ilshift__",
    "__rshift__", "__rrshift__", "__irshift__", "__eq__", "__ne__", "__lt__", "__le__",
    "__gt__", "__ge__",
]
# functions that are not Tensor methods in PyTorch
_NOT_METHODS = {"real", "imag", "rsub", "where"}


def _where_method(self, condition, y):
    """``x.where(condition, y)``: ``x`` where the condition holds, else ``y``."""
    return where(condition, self, y)


# Tensor.where takes the tensor first, unlike ember.where: _bind_methods binds by name, so
# this one method is attached here
Tensor.where = _where_method

TENSOR_METHODS = [n for n in __all__ if n not in _NOT_METHODS] + \
    [n + "_" for n in _INPLACE] + [
        "add_", "sub_", "subtract_", "mul_", "multiply_", "div_", "floor_divide_", "remainder_",
        "pow_", "bitwise_and_", "bitwise_or_", "bitwise_xor_", "bitwise_left_shift_",
        "bitwise_right_shift_"] + _DUNDERS

