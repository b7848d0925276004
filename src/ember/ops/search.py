"""Sorting and finding: sort/argsort/topk, unique values, searchsorted/bucketize, counting
(bincount, histc), set membership (``torch.isin``) and the fixed-size ``nonzero_static``."""
from __future__ import annotations

import numpy as np

from .. import return_types
from .._device import as_array
from .._tensor import _TYPE_SHORT, Tensor
from ..autograd.function import Primitive
from ._util import const, shape_str, wrap_dim
from .index import _along
from .shape import IndexedZeros, _xp

__all__ = ["sort", "argsort", "msort", "topk", "unique", "unique_consecutive", "bucketize",
           "searchsorted", "bincount", "histc", "isin", "nonzero_static"]
TENSOR_METHODS = ["sort", "argsort", "msort", "topk", "unique", "unique_consecutive",
                  "bincount", "histc", "nonzero_static"]


def _as_operand(value) -> Tensor:
    from .._creation import as_tensor
    return value if isinstance(value, Tensor) else as_tensor(value)


def isin(elements, test_elements, *, assume_unique: bool = False, invert: bool = False,
         out=None) -> Tensor:
    """Boolean tensor shaped like ``elements``: True where the element occurs in
    ``test_elements`` (False with ``invert``). Either side may be a Python number."""
    if not isinstance(elements, Tensor) and not isinstance(test_elements, Tensor):
        raise TypeError(f"isin() received an invalid combination of arguments - got "
                        f"({type(elements).__name__}, {type(test_elements).__name__}), but "
                        f"expected at least one Tensor")
    a, b = _as_operand(elements), _as_operand(test_elements)
    from .._dtype import result_type
    common = result_type(a, b)
    if common.is_complex or common.name == "bool":
        raise RuntimeError(f"Unsupported input type encountered for isin(): "
                           f"{_TYPE_SHORT[common.name]}")
    found = np.isin(as_array(a._data, dtype=common.np), as_array(b._data, dtype=common.np),
                    assume_unique=assume_unique, invert=invert)
    result = const(as_array(found))
    if out is not None:
        from .arith import _out
        return _out(result, out)
    return result


def nonzero_static(input: Tensor, *, size: int, fill_value: int = -1) -> Tensor:
    """``nonzero(input)`` with exactly ``size`` rows: truncated, or padded with ``fill_value``."""
    if not isinstance(size, int) or size < 0:
        raise RuntimeError("nonzero_static: 'size' must be an non-negative integer")
    found = np.argwhere(as_array(input._data))[:size]
    padded = np.full((size, found.shape[1]), fill_value, dtype=np.int64)
    padded[:found.shape[0]] = found
    return const(padded)


# -- sorting ---------------------------------------------------------------------------------------
def _argsort(a, dim, descending):
    """Stable argsort; descending keeps equal elements in their original order and puts NaN
    first, as PyTorch does."""
    xp = _xp(a)
    if not descending:
        return xp.argsort(a, axis=dim, kind="stable")
    n = a.shape[dim]
    rev = xp.flip(a, dim)
    return (n - 1) - xp.flip(xp.argsort(rev, axis=dim, kind="stable"), dim)


class Sort(Primitive):
    @staticmethod
    def forward(ctx, a, dim, descending, k):
        xp = _xp(a)
        flat = a.ndim == 0
        if flat:
            a = a.reshape(1)
        idx = _argsort(a, dim, descending)
        if k is not None:
            idx = idx[(slice(None),) * dim + (slice(0, k),)]
        values = xp.take_along_axis(a, idx, axis=dim)
        if flat:
            values, idx = values.reshape(()), idx.reshape(())
        ctx.shape = a.shape if not flat else ()
        ctx.fidx = _along(idx, dim) if not flat else (Ellipsis,)
        return values, idx.astype(np.int64)

    @staticmethod
    def backward(ctx, grad, _):
        return IndexedZeros.apply(grad, ctx.fidx, ctx.shape, False), None, None, None


class Topk(Sort):
    pass


def sort(input: Tensor, dim: int = -1, descending: bool = False, stable: bool = False, *,
         out=None):
    """``(values, indices)`` sorted along ``dim`` (always stably here)."""
    d = wrap_dim(dim, input._data.ndim)
    values, indices = Sort.apply(input, d, bool(descending), None)
    return return_types.sort((values, indices))


def argsort(input: Tensor, dim: int = -1, descending: bool = False, stable: bool = False):
    """The indices that sort ``input`` along ``dim``."""
    a = input._data
    if a.ndim == 0:
        return const(_xp(a).zeros((), dtype=np.int64))
    return const(_argsort(a, wrap_dim(dim, a.ndim), descending).astype(np.int64))


def msort(input: Tensor) -> Tensor:
    """Values sorted along the first dimension."""
    return sort(input, 0)[0]


def topk(input: Tensor, k: int, dim: int = -1, largest: bool = True, sorted: bool = True, *,
         out=None):
    """The ``k`` largest (or smallest) elements along ``dim`` and their indices, in order."""
    a = input._data
    d = wrap_dim(dim, a.ndim)
    n = a.shape[d] if a.ndim else 1
    k = int(k)
    if not 0 <= k <= n:
        raise RuntimeError("selected index k out of range")
    values, indices = Topk.apply(input, d, bool(largest), k if a.ndim else None)
    return return_types.topk((values, indices))


# -- unique values ---------------------------------------------------------------------------------
def unique(input: Tensor, sorted: bool = True, return_inverse: bool = False,
           return_counts: bool = False, dim: int | None = None):
    """The distinct values (or slices along ``dim``) in ascending order; optionally the index
    of each input element in them and how often each occurs."""
    a = input._data
    xp = _xp(a)
    d = None if dim is None else wrap_dim(dim, a.ndim)
    vals, inv, counts = xp.unique(a, return_inverse=True, return_counts=True, axis=d)
    inv = inv.reshape(a.shape if d is None else (a.shape[d],))
    return _unique_result(vals, inv, counts, return_inverse, return_counts)


def _unique_result(vals, inv, counts, return_inverse, return_counts):
    out = [const(vals)]
    if return_inverse:
        out.append(const(inv.astype(np.int64)))
    if return_counts:
        out.append(const(counts.astype(np.int64)))
    return out[0] if len(out) == 1 else tuple(out)


def unique_consecutive(input: Tensor, return_inverse: bool = False, return_counts: bool = False,
                       dim: int | None = None):
    """Collapse runs of equal consecutive values (or slices along ``dim``) to one."""
    a = input._data
    xp = _xp(a)
    if dim is None:
        rows = a.reshape(-1)
        change = rows[1:] != rows[:-1]
    else:
        d = wrap_dim(dim, a.ndim)
        rows = xp.moveaxis(a, d, 0)
        change = (rows[1:] != rows[:-1]).reshape(max(rows.shape[0] - 1, 0), -1).any(axis=1)
    n = rows.shape[0]
    start = xp.concatenate([xp.ones(min(n, 1), dtype=bool), change])
    vals = rows[start]
    if dim is not None:
        vals = xp.moveaxis(vals, 0, wrap_dim(dim, a.ndim))
    inv = xp.cumsum(start) - 1
    if dim is None:
        inv = inv.reshape(a.shape)
    counts = xp.diff(xp.append(xp.flatnonzero(start), n))
    return _unique_result(vals, inv, counts, return_inverse, return_counts)


# -- searching and counting
def _values_array(values, like):
    if isinstance(values, Tensor):
        return values._data
    return _xp(like).asarray(values)


def searchsorted(sorted_sequence: Tensor, input, *, out_int32: bool = False,
                 right: bool = False, side: str | None = None, sorter=None) -> Tensor:
    """Insertion points of ``input`` in the innermost dimension of ``sorted_sequence``
    (leading dimensions are batches matched with ``input``'s)."""
    if side is not None:
        if side not in ("left", "right"):
            raise RuntimeError(f"torch.searchsorted(): side can only be 'left' or 'right' but "
                               f"got {side}")
        if right and side == "left":
            raise RuntimeError("torch.searchsorted(): side and right can't be set to opposites, "
                               "got side of left while right was True")
        right = side == "right"
    seq = sorted_sequence._data
    vals = _values_array(input, seq)
    xp = _xp(seq)
    if sorter is not None:
        seq = xp.take_along_axis(seq, sorter._data, axis=-1)
    dt = np.int32 if out_int32 else np.int64
    side = "right" if right else "left"
    if seq.ndim == 1:
        return const(xp.asarray(xp.searchsorted(seq, vals, side=side)).astype(dt))
    if seq.shape[:-1] != vals.shape[:-1]:
        raise RuntimeError(
            "torch.searchsorted(): boundaries tensor should be 1 dimension or the first N-1 "
            "dimensions of boundaries tensor and input value tensor must match, but we got "
            f"boundaries tensor {shape_str(seq.shape)} and input value tensor "
            f"{shape_str(vals.shape)}")
    return const(_batched_searchsorted(seq, vals, right, xp).astype(dt))


def _batched_searchsorted(seq, vals, right, xp):
    """Every row at once: sort each row's boundaries and values together (values before equal
    boundaries for 'left', after for 'right') and count the boundaries ahead of each value."""
    m = seq.shape[-1]
    both = xp.concatenate([seq, vals.astype(seq.dtype)], axis=-1)
    is_seq = xp.zeros(both.shape, dtype=np.int8)
    is_seq[..., :m] = 1
    tie = is_seq if not right else 1 - is_seq
    order = xp.lexsort((tie, both), axis=-1)
    ahead = xp.cumsum(xp.take_along_axis(is_seq, order, axis=-1), axis=-1)
    result = xp.empty(both.shape, dtype=np.int64)
    xp.put_along_axis(result, order, ahead, axis=-1)
    return result[..., m:]


def bucketize(input, boundaries: Tensor, *, out_int32: bool = False,
              right: bool = False) -> Tensor:
    """The bucket of each value among the 1-D sorted ``boundaries``."""
    if boundaries._data.ndim != 1:
        raise RuntimeError(f"boundaries tensor must be 1 dimension, but got dim"
                           f"({boundaries._data.ndim})")
    return searchsorted(boundaries, input, out_int32=out_int32, right=right)


def bincount(input: Tensor, weights: Tensor | None = None, minlength: int = 0) -> Tensor:
    """How often each non-negative integer occurs (summing ``weights`` when given)."""
    a = input._data
    if a.dtype.kind not in "iu":
        raise NotImplementedError(f"\"bincount_cpu\" not implemented for "
                                  f"'{_TYPE_SHORT[input.dtype.name]}'")
    if a.ndim != 1 or (a.size and a.min() < 0):
        raise RuntimeError("bincount only supports 1-d non-negative integral inputs.")
    xp = _xp(a)
    if weights is None:
        return const(xp.bincount(a, minlength=minlength).astype(np.int64))
    w = weights._data
    dt = w.dtype if w.dtype.kind == "f" else np.float64
    return const(xp.bincount(a, weights=w, minlength=minlength).astype(dt))


def histc(input: Tensor, bins: int = 100, min=0, max=0, *, out=None) -> Tensor:
    """Counts in ``bins`` equal-width bins over ``[min, max]`` (the data's range when both are
    equal); values outside are ignored."""
    a = input._data
    if a.dtype.kind != "f":
        raise NotImplementedError(f"\"histogram_cpu\" not implemented for "
                                  f"'{_TYPE_SHORT[input.dtype.name]}'")
    lo, hi = float(min), float(max)
    if lo > hi:
        raise RuntimeError("torch.histc: max must be larger than min")
    if lo == hi and a.size:
        lo, hi = float(a.min()), float(a.max())
    if lo == hi:
        lo, hi = lo - 1, hi + 1
    xp = _xp(a)
    counts, _ = xp.histogram(a, bins=int(bins), range=(lo, hi))
    return const(counts.astype(a.dtype))
