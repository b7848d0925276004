"""Pointwise operations as tensor methods and operators: every public name of the arith,
unary, binary and logic modules, their in-place variants, and the operator overloads
(``__add__`` and the rest) that the Tensor class binds.
"""
from __future__ import annotations

import numpy as np

from .._argtypes import is_real_torch, real_torch_error
from .._device import as_array
from .._tensor import Tensor
from ..autograd import grad_mode
from . import arith, binary, logic, unary
from ._util import const
from .arith import *  # noqa: F401,F403  (every public name, for ``E.name`` and the methods)
from .arith import Add, Mul, Sub, _operands, add, div, floor_divide, mul, neg, positive, \
    remainder, sub
from .binary import *  # noqa: F401,F403
from .logic import *  # noqa: F401,F403
from .logic import bitwise_and, bitwise_left_shift, bitwise_not, bitwise_or, \
    bitwise_right_shift, bitwise_xor, eq, ge, gt, le, lt, ne, where
from .unary import *  # noqa: F401,F403
from .unary import reciprocal

_state = grad_mode._state
_ndarray = np.ndarray
_make = Tensor._make

__all__ = [*arith.__all__, *unary.__all__, *binary.__all__, *logic.__all__]


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
