"""Splitting and joining: split, chunk, tensor_split and unbind (views of the input), cat
and stack with their hstack/vstack/dstack/column_stack forms, and atleast_1d/2d/3d."""
from __future__ import annotations

import itertools

import numpy as np

from .. import _dtype as D
from .._argtypes import is_real_torch, real_torch_error, type_name
from .._tensor import Tensor
from ..autograd.function import Primitive
from ._util import shape_str, wrap_dim
from .arith import _cast
from .shape import _FULL, Slice, _as_view, _write_out, _xp, reshape

__all__ = [
    "chunk", "split", "tensor_split", "unbind", "cat", "concat", "concatenate", "stack",
    "hstack", "vstack", "row_stack", "dstack", "column_stack", "atleast_1d", "atleast_2d",
    "atleast_3d",
]
TENSOR_METHODS = [
    "chunk", "split", "tensor_split", "unbind",
]


# -- splitting ---------------------------------------------------------------------------
class SplitWithSizes(Primitive):
    @staticmethod
    def forward(ctx, a, dim, sizes):
        ctx.dim = dim
        lead = (_FULL,) * dim
        outs = []
        start = 0
        for s in sizes:
            outs.append(a[lead + (slice(start, start + s),)])
            start += s
        return tuple(outs)

    @staticmethod
    def backward(ctx, *grads):
        return (cat(grads, ctx.dim), None, None)


class Split(SplitWithSizes):
    pass


class Unbind(Primitive):
    @staticmethod
    def forward(ctx, a, dim):
        ctx.dim = dim
        lead = (_FULL,) * dim
        return tuple(a[lead + (i, Ellipsis)] for i in range(a.shape[dim]))

    @staticmethod
    def backward(ctx, *grads):
        return stack(grads, ctx.dim), None


def _views_of(outs, base):
    for o in outs:
        _as_view(o, base)
    return outs


def split(tensor: Tensor, split_size_or_sections, dim: int = 0) -> tuple:
    """Views of consecutive pieces along ``dim``: equal pieces of a size, or given sizes."""
    shape = tensor._data.shape
    if not shape:
        raise RuntimeError("split expects at least a 1-dimensional tensor")
    d = wrap_dim(dim, len(shape))
    n = shape[d]
    if isinstance(split_size_or_sections, (int, np.integer)) or (
            isinstance(split_size_or_sections, Tensor) and split_size_or_sections.ndim == 0):
        size = int(split_size_or_sections)
        if size < 0:
            raise RuntimeError(f"split expects split_size be non-negative, but got "
                               f"split_size={size}")
        if size == 0 and n:
            raise RuntimeError(f"split_size can only be 0 if dimension size is 0, but got "
                               f"dimension size of {n}")
        count = max(-(-n // size) if size else 1, 1)
        sizes = [size] * (count - 1) + [n - size * (count - 1)]
        return _views_of(Split.apply(tensor, d, tuple(sizes)), tensor)
    sizes = tuple(int(s) for s in split_size_or_sections)
    if any(s < 0 for s in sizes):
        raise RuntimeError(f"split_with_sizes expects split_sizes have only non-negative entries,"
                           f" but got split_sizes={shape_str(sizes)}")
    if sum(sizes) != n:
        raise RuntimeError(f"split_with_sizes expects split_sizes to sum exactly to {n} (input "
                           f"tensor's size at dimension {d}), but got split_sizes="
                           f"{shape_str(sizes)}")
    return _views_of(SplitWithSizes.apply(tensor, d, sizes), tensor)


def chunk(input: Tensor, chunks: int, dim: int = 0) -> tuple:
    """Split into ``chunks`` views of equal size (the last may be smaller; there may be fewer)."""
    if input._data.ndim == 0:
        raise RuntimeError("chunk expects at least a 1-dimensional tensor")
    if chunks <= 0:
        raise RuntimeError(f"chunk expects `chunks` to be greater than 0, got: {chunks}")
    n = input._data.shape[wrap_dim(dim, input._data.ndim)]
    size = -(-n // chunks)
    if size == 0:  # an empty dimension: `chunks` empty pieces
        return _views_of(SplitWithSizes.apply(input, wrap_dim(dim, input._data.ndim),
                                              (0,) * chunks), input)
    return split(input, size, dim)


def tensor_split(input: Tensor, indices_or_sections, dim: int = 0) -> tuple:
    """Split into ``n`` nearly equal views, or at the given indices, along ``dim``."""
    d = wrap_dim(dim, input._data.ndim)
    if isinstance(indices_or_sections, Tensor):
        indices_or_sections = indices_or_sections.tolist()
    if isinstance(indices_or_sections, (int, np.integer)):
        k = int(indices_or_sections)
        if k <= 0:
            raise RuntimeError(f"number of sections must be larger than 0, got {k}")
        q, r = divmod(input._data.shape[d], k)
        sizes = tuple(q + 1 if i < r else q for i in range(k))
        return _views_of(SplitWithSizes.apply(input, d, sizes), input)
    # the pieces between the given indices, with Python's slicing rules
    edges = [None] + [int(i) for i in indices_or_sections] + [None]
    lead = (_FULL,) * d
    return tuple(_as_view(Slice.apply(input, lead + (slice(s, e),), False), input)
                 for s, e in zip(edges, edges[1:]))


def unbind(input: Tensor, dim: int = 0) -> tuple:
    """The slices along ``dim`` as a tuple of views."""
    if input._data.ndim == 0:
        raise IndexError("Dimension specified as 0 but tensor has no dimensions")
    d = wrap_dim(dim, input._data.ndim)
    return _views_of(Unbind.apply(input, d), input)


# -- joining --------------------------------------------------------------------------------
def _tensor_list(tensors, fname):
    if isinstance(tensors, Tensor) or not isinstance(tensors, (list, tuple)):
        raise TypeError(f"{fname}(): argument 'tensors' (position 1) must be tuple of Tensors, "
                        f"not {type_name(tensors)}")
    for i, t in enumerate(tensors):
        if not isinstance(t, Tensor):
            if is_real_torch(t):
                raise real_torch_error(t, f"{fname}(): element {i} of argument 'tensors'")
            raise TypeError(f"expected Tensor as element {i} in argument 0, but got "
                            f"{type_name(t)}")
    return list(tensors)


def _promoted(tensors):
    """The tensors cast to their common dtype (PyTorch promotes across a cat/stack)."""
    dt = tensors[0]._data.dtype
    if all(t._data.dtype == dt for t in tensors):
        return tensors
    res = tensors[0].dtype
    for t in tensors[1:]:
        res = D.promote_types(res, t.dtype)
    return [_cast(t, res) for t in tensors]


class Cat(Primitive):
    @staticmethod
    def forward(ctx, dim, *arrays):
        ctx.dim = dim
        ctx.sizes = [a.shape[dim] for a in arrays]
        return _xp(arrays[0]).concatenate(arrays, axis=dim)

    @staticmethod
    def backward(ctx, grad):
        return (None,) + tuple(split(grad, ctx.sizes, ctx.dim))

    @staticmethod
    def backward_array(ctx, grad):
        cuts = list(itertools.accumulate(ctx.sizes))[:-1]
        return (None,) + tuple(_xp(grad).split(grad, cuts, axis=ctx.dim))


def cat(tensors, dim: int = 0, *, out=None) -> Tensor:
    """Join tensors along an existing dimension; all other sizes must match."""
    tensors = _tensor_list(tensors, "cat")
    if not tensors:
        raise ValueError("torch.cat(): expected a non-empty list of Tensors")
    # 1-D empty tensors are skipped, as PyTorch still allows them anywhere
    kept = [t for t in tensors if t._data.shape != (0,)] or tensors[:1]
    first = kept[0]._data
    if first.ndim == 0:
        raise RuntimeError("zero-dimensional tensor (at position 0) cannot be concatenated")
    d = wrap_dim(dim, first.ndim)
    for i, t in enumerate(tensors):
        a = t._data
        if a.shape == (0,) and len(kept) < len(tensors):
            continue
        if a.ndim != first.ndim:
            if a.ndim == 0:
                raise RuntimeError(f"zero-dimensional tensor (at position {i}) cannot be "
                                   "concatenated")
            raise RuntimeError(f"Tensors must have same number of dimensions: got "
                               f"{first.ndim} and {a.ndim}")
        for k in range(first.ndim):
            if k != d and a.shape[k] != first.shape[k]:
                raise RuntimeError(f"Sizes of tensors must match except in dimension {d}. "
                                   f"Expected size {first.shape[k]} but got size {a.shape[k]} "
                                   f"for tensor number {i} in the list.")
    result = Cat.apply(d, *_promoted(kept))
    return _write_out(result, out)


concat = concatenate = cat


class Stack(Primitive):
    @staticmethod
    def forward(ctx, dim, *arrays):
        ctx.dim = dim
        return _xp(arrays[0]).stack(arrays, axis=dim)

    @staticmethod
    def backward(ctx, grad):
        return (None,) + tuple(unbind(grad, ctx.dim))


def stack(tensors, dim: int = 0, *, out=None) -> Tensor:
    """Join equal-shaped tensors along a new dimension ``dim``."""
    tensors = _tensor_list(tensors, "stack")
    if not tensors:
        raise RuntimeError("stack expects a non-empty TensorList")
    shape = tensors[0]._data.shape
    for i, t in enumerate(tensors):
        if t._data.shape != shape:
            raise RuntimeError(f"stack expects each tensor to be equal size, but got "
                               f"{shape_str(shape)} at entry 0 and {shape_str(t._data.shape)} "
                               f"at entry {i}")
    d = wrap_dim(dim, len(shape) + 1)
    return _write_out(Stack.apply(d, *_promoted(tensors)), out)


def _seq(tensors):
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        return tuple(tensors[0]), True
    return tensors, len(tensors) != 1


def atleast_1d(*tensors):
    """Tensors with at least one dimension (0-D ones become shape ``(1,)``)."""
    ts, many = _seq(tensors)
    out = tuple(reshape(t, (1,)) if t._data.ndim == 0 else t for t in ts)
    return out if many else out[0]


def atleast_2d(*tensors):
    """Tensors with at least two dimensions (leading ones added)."""
    ts, many = _seq(tensors)
    out = tuple(reshape(t, (1,) * (2 - t._data.ndim) + t._data.shape) if t._data.ndim < 2
                else t for t in ts)
    return out if many else out[0]


def atleast_3d(*tensors):
    """Tensors with at least three dimensions: ``(n,)`` -> ``(1, n, 1)``, ``(m, n)`` ->
    ``(m, n, 1)``."""
    ts, many = _seq(tensors)
    res = []
    for t in ts:
        s = t._data.shape
        new = {0: (1, 1, 1), 1: (1,) + s + (1,), 2: s + (1,)}.get(len(s))
        res.append(reshape(t, new) if new is not None else t)
    out = tuple(res)
    return out if many else out[0]


def hstack(tensors, *, out=None) -> Tensor:
    """Concatenate along the first dimension of 1-D tensors, else the second."""
    ts = atleast_1d(*_tensor_list(tensors, "hstack"))
    if not isinstance(ts, tuple):
        ts = (ts,)
    return cat(ts, 0 if ts and ts[0]._data.ndim == 1 else 1, out=out)


def vstack(tensors, *, out=None) -> Tensor:
    """Stack rows: 1-D tensors become rows, then concatenate along dimension 0."""
    ts = atleast_2d(*_tensor_list(tensors, "vstack"))
    return cat(ts if isinstance(ts, tuple) else (ts,), 0, out=out)


row_stack = vstack


def dstack(tensors, *, out=None) -> Tensor:
    """Concatenate along the third dimension after ``atleast_3d``."""
    ts = atleast_3d(*_tensor_list(tensors, "dstack"))
    return cat(ts if isinstance(ts, tuple) else (ts,), 2, out=out)


def column_stack(tensors, *, out=None) -> Tensor:
    """1-D and 0-D tensors become columns; concatenate along dimension 1."""
    ts = [reshape(t, (-1, 1)) if t._data.ndim < 2 else t
          for t in _tensor_list(tensors, "column_stack")]
    return cat(ts, 1, out=out)
