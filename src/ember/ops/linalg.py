"""Matrix products (matmul, mm, bmm, mv, dot, outer, einsum …) on BLAS."""
from __future__ import annotations

import numpy as np

from .. import _dtype as D
from .._tensor import Tensor
from ..autograd.function import Primitive

__all__ = ["matmul", "mm"]


def _dtype_check(name, a, b):
    if a._data.dtype != b._data.dtype:
        raise RuntimeError(f"expected m1 and m2 to have the same dtype, but got: "
                           f"{a.dtype.name if False else _long(a)} != {_long(b)}")


def _long(t):
    return {"float32": "float", "float64": "double", "float16": "c10::Half",
            "int64": "long int", "int32": "int", "bool": "bool"}.get(t.dtype.name, t.dtype.name)


def _shape_x(shape):
    return "x".join(str(s) for s in shape)


class MatMul(Primitive):
    node_name = "MmBackward0"

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return a @ b

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        na, nb = ctx.needs_input_grad
        ga = gb = None
        if a.ndim == 1 and b.ndim == 1:
            return (grad * b if na else None), (grad * a if nb else None)
        if a.ndim == 1:
            # (k) @ (..., k, n) -> (..., n)
            if na:
                ga = (b @ grad.unsqueeze(-1)).squeeze(-1)
            if nb:
                gb = a.unsqueeze(-1) * grad.unsqueeze(-2)
            return ga, gb
        if b.ndim == 1:
            # (..., m, k) @ (k) -> (..., m)
            if na:
                ga = grad.unsqueeze(-1) * b
            if nb:
                gb = (a.mT @ grad.unsqueeze(-1)).squeeze(-1)
            return ga, gb
        if na:
            ga = grad @ b.mT
        if nb:
            gb = a.mT @ grad
        return ga, gb


def matmul(input, other, *, out=None):
    """Matrix product with NumPy/PyTorch broadcasting of batch dimensions."""
    if not isinstance(input, Tensor) or not isinstance(other, Tensor):
        bad = input if not isinstance(input, Tensor) else other
        raise TypeError(f"matmul(): argument 'other' (position 2) must be Tensor, not "
                        f"{type(bad).__name__}")
    a, b = input._data, other._data
    if a.ndim == 0 or b.ndim == 0:
        raise RuntimeError(f"both arguments to matmul need to be at least 1D, but they are "
                           f"{a.ndim}D and {b.ndim}D")
    ka = a.shape[-1]
    kb = b.shape[-2] if b.ndim > 1 else b.shape[0]
    if ka != kb:
        if a.ndim <= 2 and b.ndim <= 2:
            if a.ndim == 1 and b.ndim == 1:
                raise RuntimeError(f"inconsistent tensor size, expected tensor [{a.shape[0]}] "
                                   f"and src [{b.shape[0]}] to have the same number of "
                                   f"elements, but got {a.shape[0]} and {b.shape[0]} "
                                   f"elements respectively")
            if b.ndim == 1:
                raise RuntimeError(f"size mismatch, got input ({a.shape[0]}), mat "
                                   f"({_shape_x(a.shape)}), vec ({b.shape[0]})")
            sa = a.shape if a.ndim == 2 else (1,) + a.shape
            raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied "
                               f"({_shape_x(sa)} and {_shape_x(b.shape)})")
        raise RuntimeError(f"Expected size for first two dimensions of batch2 tensor to be: "
                           f"[{_batch(a)}, {ka}] but got: [{_batch(b)}, {kb}].")
    if a.dtype != b.dtype:
        raise RuntimeError(f"expected m1 and m2 to have the same dtype, but got: {_long(input)} "
                           f"!= {_long(other)}")
    r = MatMul.apply(input, other)
    if out is not None:
        from .elementwise import _out
        return _out(r, out)
    return r


def _batch(a):
    n = 1
    for s in a.shape[:-2]:
        n *= s
    return n


def mm(input, mat2, *, out=None):
    """Product of two matrices (2-D only)."""
    if input._data.ndim != 2:
        raise RuntimeError(f"self must be a matrix")
    if mat2._data.ndim != 2:
        raise RuntimeError(f"mat2 must be a matrix")
    return matmul(input, mat2, out=out)


TENSOR_METHODS = ["matmul", "mm"]

_ = (np, D)
