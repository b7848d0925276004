"""Comparisons, logic, bitwise ops and value predicates (no gradient): eq/lt/...,
logical_*, bitwise_*, isnan/isinf/..., isclose, allclose, equal.
"""
from __future__ import annotations

import builtins

import numpy as np

from .. import _dtype as D
from .._device import as_array
from .._tensor import Tensor
from ..autograd.function import Primitive
from ._util import const
from .arith import (_both_tensors, _broadcast_error, _need_tensor, _not_implemented,
                    _operands, _out, _short)


_ndarray = np.ndarray
_make = Tensor._make

__all__ = [
    "eq", "ne", "lt", "le", "gt", "ge", "greater", "greater_equal", "less", "less_equal",
    "not_equal", "isnan", "isinf", "isfinite", "isposinf", "isneginf", "isreal", "logical_and",
    "logical_or", "logical_xor", "logical_not", "bitwise_and", "bitwise_or", "bitwise_xor",
    "bitwise_not", "bitwise_left_shift", "bitwise_right_shift", "allclose", "isclose", "equal",
]


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


# -- selection ----------------------------------------------------------------
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
