"""Reductions: sum, mean, prod, max/min, var/std, norms, cumulative ops, sorting-free stats."""
from __future__ import annotations

import numpy as np

from .. import _dtype as D
from .._tensor import Tensor
from ..autograd.function import Primitive
from ._util import const, dims_tuple

__all__ = ["sum", "mean", "sum_to"]


def _sum_dtype(t: Tensor, dtype):
    if dtype is not None:
        return D.to_dtype(dtype).np
    k = t._data.dtype.kind
    return np.int64 if k in "iub" else None


class Sum(Primitive):
    @staticmethod
    def forward(ctx, a, dims, keepdim, np_dtype):
        ctx.shape = a.shape
        ctx.dims, ctx.keepdim = dims, keepdim
        out = a.sum(axis=dims, keepdims=keepdim, dtype=np_dtype)
        return out

    @staticmethod
    def backward(ctx, grad):
        if not ctx.keepdim and ctx.dims:
            grad = grad.reshape(_kept_shape(ctx.shape, ctx.dims))
        return grad.expand(ctx.shape), None, None, None


def _kept_shape(shape, dims):
    return tuple(1 if i in dims else s for i, s in enumerate(shape))


def sum(input, dim=None, keepdim=False, *, dtype=None, out=None):
    """Sum of all elements, or over ``dim`` (int or tuple)."""
    dims = dims_tuple(dim, input._data.ndim) if dim is not None and dim != () else \
        tuple(range(input._data.ndim))
    return Sum.apply(input, dims, keepdim, _sum_dtype(input, dtype))


class Mean(Primitive):
    @staticmethod
    def forward(ctx, a, dims, keepdim):
        ctx.shape = a.shape
        ctx.dims, ctx.keepdim = dims, keepdim
        n = 1
        for d in dims:
            n *= a.shape[d]
        ctx.n = n
        return a.mean(axis=dims, keepdims=keepdim)

    @staticmethod
    def backward(ctx, grad):
        if not ctx.keepdim and ctx.dims:
            grad = grad.reshape(_kept_shape(ctx.shape, ctx.dims))
        return (grad / ctx.n).expand(ctx.shape), None, None


def mean(input, dim=None, keepdim=False, *, dtype=None, out=None):
    """Mean of all elements, or over ``dim``; floating-point inputs only."""
    if dtype is not None:
        input = input.to(dtype)
    if input._data.dtype.kind not in "fc":
        raise RuntimeError(
            "mean(): could not infer output dtype. Input dtype must be either a floating "
            f"point or complex dtype. Got: {_short(input.dtype)}")
    dims = dims_tuple(dim, input._data.ndim) if dim is not None and dim != () else \
        tuple(range(input._data.ndim))
    return Mean.apply(input, dims, keepdim)


def _short(dt):
    from .._tensor import _TYPE_SHORT
    return _TYPE_SHORT[dt.name]


def sum_to(grad: Tensor, shape) -> Tensor:
    """Sum ``grad`` down to ``shape`` (undoing broadcasting); differentiable."""
    shape = tuple(shape)
    gshape = grad._data.shape
    if gshape == shape:
        return grad
    lead = len(gshape) - len(shape)
    axes = tuple(range(lead)) + tuple(
        lead + i for i, s in enumerate(shape) if s == 1 and gshape[lead + i] != 1)
    if axes:
        grad = Sum.apply(grad, axes, True, None)
    if lead or grad._data.shape != shape:
        grad = grad.reshape(shape)
    return grad


TENSOR_METHODS = ["sum", "mean", "sum_to"]
