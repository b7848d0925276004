"""Arithmetic: the dtype rules every pointwise op shares (``_operands`` brings two
operands to PyTorch's result dtype; Python scalars stay Python scalars, "weak" as in
PyTorch), then add, sub, mul, div and their rounding forms, remainder, pow, neg.
The engine undoes broadcasting in the backward, so a primitive's backward returns
gradients in the broadcast shape.
"""
from __future__ import annotations

import builtins

import numpy as np

from .. import _dtype as D
from .._argtypes import not_tensor_error
from .._device import as_array
from .._tensor import _TYPE_SHORT, Tensor
from ..autograd import grad_mode
from ..autograd.function import Primitive, renamed
from ._util import const


_state = grad_mode._state
_ndarray = np.ndarray
_BY_NP = D._BY_NP
_BOOL, _INT, _FLOAT, _COMPLEX = 0, 1, 2, 3

__all__ = [
    "add", "sub", "subtract", "rsub", "mul", "multiply", "div", "divide", "true_divide",
    "floor_divide", "remainder", "fmod", "pow", "float_power", "neg", "negative", "positive",
    "conj",
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
        from .logic import where  # (logic and unary build on this module)
        from .unary import log
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


# -- complex conjugate (the chain rule of complex products needs it) ---------------
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
