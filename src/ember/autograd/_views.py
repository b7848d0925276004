"""In-place writes through views, for the graph.

A view shares memory with its base, so writing into the view changes the base too.
When that write is recorded, the base gets a ``CopySlices`` node (its old value
outside the view, the written value inside), and every live view of the base is
re-derived from the new base through an ``AsStrided`` node, as PyTorch does. Both
address the view's elements by their flat positions in the base, computed from
the arrays' pointers and strides, so any view (slice, transpose, diagonal ...) works.
"""
from __future__ import annotations

import weakref

import numpy as np

from .function import Primitive


def _pointer(arr) -> int:
    return arr.__array_interface__["data"][0] if isinstance(arr, np.ndarray) else arr.data.ptr


def _byte_offsets(arr, origin: int) -> np.ndarray:
    """The address of every element of ``arr`` relative to ``origin``, in ``arr``'s shape."""
    offsets = np.full(arr.shape, _pointer(arr) - origin, dtype=np.int64)
    for axis, (n, stride) in enumerate(zip(arr.shape, arr.strides)):
        step = np.arange(n, dtype=np.int64) * stride
        offsets += step.reshape((n,) + (1,) * (arr.ndim - axis - 1))
    return offsets


def flat_index(view, base):
    """For each element of ``view``, its position in ``base`` flattened in C order."""
    origin = _pointer(base)
    want = _byte_offsets(view, origin)
    have = _byte_offsets(base, origin).ravel()
    idx = np.zeros(want.shape, dtype=np.int64)
    if want.size:
        order = np.argsort(have, kind="stable")
        if have.size:
            idx = order[np.searchsorted(have[order], want).clip(0, have.size - 1)]
        if not have.size or not np.array_equal(have[idx], want):
            raise RuntimeError("in-place operation on a view whose memory is not inside its "
                               "base")
    if not isinstance(base, np.ndarray):
        from .._tensor import Tensor
        idx = Tensor._xp_of(base).asarray(idx)
    return idx


def _scatter_add(flat, idx, values):
    if isinstance(flat, np.ndarray):
        np.add.at(flat, idx, values)
    else:
        import cupyx  # the CuPy backend's counterpart of np.add.at
        cupyx.scatter_add(flat, idx, values)


class AsStrided(Primitive):
    """A view read as the base elements at flat positions ``idx``.

    ``existing`` is the view's own array when the node only re-derives a view that
    already holds the right values; otherwise the elements are gathered.
    """

    @staticmethod
    def forward(ctx, a, idx, existing):
        ctx.idx, ctx.shape = idx, a.shape
        return existing if existing is not None else a.reshape(-1)[idx]

    @staticmethod
    def backward(ctx, grad):
        return AsStridedScatter.apply(grad, ctx.idx, ctx.shape), None, None


class AsStridedScatter(Primitive):
    """The gradient of ``AsStrided``: zeros of the base shape, ``grad`` added at ``idx``."""

    @staticmethod
    def forward(ctx, grad, idx, shape):
        from .._tensor import Tensor
        ctx.idx = idx
        flat = Tensor._xp_of(grad).zeros(int(np.prod(shape)), dtype=grad.dtype)
        _scatter_add(flat, idx.ravel(), grad.ravel())
        return flat.reshape(shape)

    @staticmethod
    def backward(ctx, grad):
        return AsStrided.apply(grad, ctx.idx, None), None, None


class CopySlices(Primitive):
    """The base after a write into one of its views (memory already updated)."""

    node_name = "CopySlices"

    @staticmethod
    def forward(ctx, base, value, idx):
        ctx.idx, ctx.value_dtype = idx, value.dtype
        return base

    @staticmethod
    def backward(ctx, grad):
        from .._tensor import Tensor
        from ..ops._util import const
        need_base, need_value = ctx.needs_input_grad[:2]
        g_base = g_value = None
        if need_base:
            keep = Tensor._xp_of(grad._data).ones(grad._data.shape, dtype=grad._data.dtype)
            keep.reshape(-1)[ctx.idx] = 0
            g_base = grad * const(keep)
        if need_value:
            g_value = AsStrided.apply(grad, ctx.idx, None)
            if g_value._data.dtype != ctx.value_dtype:
                from .. import _dtype as D
                g_value = g_value.to(D._BY_NP[ctx.value_dtype])
        return g_base, g_value, None


def register_view(view, root) -> None:
    """Remember a live view of a non-leaf base, to re-derive it after in-place writes."""
    views = root.__dict__.get("_views")
    if views is None:
        views = root.__dict__["_views"] = []
    views.append(weakref.ref(view))


def rebase(view, root, result) -> None:
    """``result`` was written into ``view``: give ``root`` and its views their new graph."""
    node_out = CopySlices.apply(root, result, flat_index(view._data, root._data))
    root._take_graph_position(node_out.grad_fn, 0)
    rederive_views(root, view)


def rederive_views(root, extra=None) -> None:
    """Point every live view of ``root`` (and ``extra``) at ``root``'s current graph."""
    targets = []
    views = root.__dict__.get("_views")
    if views:
        alive = [r for r in views if r() is not None]
        views[:] = alive
        targets = [r() for r in alive]
    if extra is not None and not any(t is extra for t in targets):
        targets.append(extra)
    for v in targets:
        if v is None:
            continue
        out = AsStrided.apply(root, flat_index(v._data, root._data), v._data)
        v._take_graph_position(out.grad_fn, 0)
