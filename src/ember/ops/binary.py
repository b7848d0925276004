"""Binary and ternary pointwise ops beyond arithmetic: clamp, maximum/minimum and
fmax/fmin, where, lerp, atan2, hypot, xlogy, logaddexp, copysign, heaviside,
nan_to_num, addcmul and addcdiv.
"""
from __future__ import annotations

import builtins

import numpy as np

from .. import _dtype as D
from .._tensor import Tensor
from ..autograd.function import Primitive, renamed
from ._util import const
from .arith import (_INT_RANGE, _arr, _both_tensors, _broadcast_error, _cast, _need_tensor,
                    _not_implemented, _operands, _out, _to_float)
from .logic import isfinite, isnan, where
from .unary import exp, exp2


_make = Tensor._make

__all__ = [
    "clamp", "clip", "clamp_min", "clamp_max", "maximum", "minimum", "fmax", "fmin", "where",
    "lerp", "atan2", "arctan2", "hypot", "xlogy", "logaddexp", "logaddexp2", "copysign",
    "heaviside", "nan_to_num", "addcmul", "addcdiv",
]


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
