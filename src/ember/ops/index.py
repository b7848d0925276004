"""Indexing: ``__getitem__``/``__setitem__`` and the gather/scatter family."""
from __future__ import annotations

import numpy as np

from .._tensor import Tensor
from ..autograd import grad_mode
from ..autograd.function import Primitive
from ._util import const
from .shape import _as_view

__all__ = []

_state = grad_mode._state


def _convert_index(idx, shape):
    """Turn a PyTorch index into a NumPy one, checking what PyTorch checks."""
    if isinstance(idx, tuple):
        items = idx
    else:
        items = (idx,)
    out = []
    basic = True
    for it in items:
        if isinstance(it, Tensor):
            k = it._data.dtype.kind
            if k == "f" or k == "c":
                raise IndexError("tensors used as indices must be long, int, byte or bool "
                                 "tensors")
            out.append(it._data)
            if it._data.ndim or k == "b":
                basic = False
            else:
                out[-1] = int(it._data)
        elif isinstance(it, (list, np.ndarray)):
            arr = np.asarray(it)
            if arr.dtype.kind == "f":
                raise IndexError("tensors used as indices must be long, int, byte or bool "
                                 "tensors")
            out.append(arr)
            basic = False
        elif isinstance(it, float):
            raise IndexError("only integers, slices (`:`), ellipsis (`...`), None and long or "
                             "byte Variables are valid indices (got float)")
        elif isinstance(it, bool):
            out.append(it)
            basic = False
        else:
            out.append(it)
    _check_bounds(out, shape)
    return (out[0] if len(out) == 1 and not isinstance(idx, tuple) else tuple(out)), basic


def _consumed(it):
    if it is None or it is Ellipsis or isinstance(it, bool):
        return 0
    if isinstance(it, np.ndarray) and it.dtype.kind == "b":
        return it.ndim
    return 1


def _check_bounds(items, shape):
    dim = 0
    for k, it in enumerate(items):
        if it is Ellipsis:
            dim = len(shape) - sum(_consumed(x) for x in items[k + 1:])
            continue
        if it is None:
            continue
        if isinstance(it, (int, np.integer)) and not isinstance(it, bool):
            if dim >= len(shape):
                raise IndexError(f"too many indices for tensor of dimension {len(shape)}")
            size = shape[dim]
            if not -size <= it < size:
                raise IndexError(f"index {it} is out of bounds for dimension {dim} with size "
                                 f"{size}")
            dim += 1
        elif isinstance(it, np.ndarray) and it.dtype.kind == "b":
            if dim + it.ndim > len(shape):
                raise IndexError(f"too many indices for tensor of dimension {len(shape)}")
            for k in range(it.ndim):
                if it.shape[k] != shape[dim + k]:
                    raise IndexError(
                        f"The shape of the mask [{', '.join(map(str, it.shape))}] at index "
                        f"{k} does not match the shape of the indexed tensor "
                        f"[{', '.join(map(str, shape))}] at index {dim + k}")
            dim += it.ndim
        elif isinstance(it, np.ndarray):
            if dim >= len(shape):
                raise IndexError(f"too many indices for tensor of dimension {len(shape)}")
            size = shape[dim]
            if it.size and (it.max() >= size or it.min() < -size):
                bad = it.max() if it.max() >= size else it.min()
                raise IndexError(f"index {bad} is out of bounds for dimension {dim} with size "
                                 f"{size}")
            dim += 1
        elif isinstance(it, slice):
            if dim >= len(shape):
                raise IndexError(f"too many indices for tensor of dimension {len(shape)}")
            if it.step is not None and it.step <= 0:
                raise ValueError("step must be greater than zero")
            dim += 1
        elif isinstance(it, bool):
            continue
        else:
            raise IndexError("only integers, slices (`:`), ellipsis (`...`), None and long or "
                             "byte Variables are valid indices (got "
                             f"{type(it).__name__})")


class GetItem(Primitive):
    node_name = "IndexBackward0"

    @staticmethod
    def forward(ctx, a, idx, basic):
        ctx.shape, ctx.dtype, ctx.idx = a.shape, a.dtype, idx
        out = a[idx]
        return out

    @staticmethod
    def backward(ctx, grad):
        return IndexPut.apply(grad, ctx.idx, ctx.shape), None, None


class IndexPut(Primitive):
    """The gradient of ``a[idx]``: zeros with ``grad`` added at ``idx``."""
    node_name = "IndexPutBackward0"

    @staticmethod
    def forward(ctx, grad, idx, shape):
        ctx.idx = idx
        xp = Tensor._xp_of(grad)
        out = xp.zeros(shape, dtype=grad.dtype)
        xp.add.at(out, idx, grad)
        return out

    @staticmethod
    def backward(ctx, gg):
        return gg[ctx.idx], None, None


class SelectBackward(GetItem):
    node_name = "SelectBackward0"


class SliceBackward(GetItem):
    node_name = "SliceBackward0"


def getitem(self, idx):
    """``self[idx]``: basic indexing gives a view, advanced indexing a copy."""
    np_idx, basic = _convert_index(idx, self._data.shape)
    if basic:
        cls = SelectBackward if isinstance(np_idx, int) else SliceBackward
        out = cls.apply(self, np_idx, True)
        if not out._data.flags.owndata:
            _as_view(out, self)
        return out
    return GetItem.apply(self, np_idx, False)


class SetItem(Primitive):
    """``a[idx] = v`` computed out of place, for the graph."""
    node_name = "CopySlices"

    @staticmethod
    def forward(ctx, a, idx, v):
        ctx.idx = idx
        ctx.vshape = getattr(v, "shape", ())
        out = a.copy()
        out[idx] = v
        return out

    @staticmethod
    def backward(ctx, grad):
        from .reduce import sum_to
        ga = grad.clone()
        ga._data[ctx.idx] = 0
        gv = None
        if ctx.needs_input_grad[2]:
            gv = sum_to(grad[_tensor_index(ctx.idx)], ctx.vshape)
        return ga, None, gv


def _tensor_index(idx):
    if isinstance(idx, tuple):
        return tuple(const(i) if isinstance(i, np.ndarray) else i for i in idx)
    return const(idx) if isinstance(idx, np.ndarray) else idx


def setitem(self, idx, value):
    """``self[idx] = value`` in place, with broadcasting and dtype conversion."""
    np_idx, _ = _convert_index(idx, self._data.shape)
    vt = isinstance(value, Tensor)
    if _state.enabled and (self._rg or (vt and value._rg)):
        self._check_inplace()
        v = value if vt else const(np.asarray(value, dtype=self._data.dtype))
        if v._data.dtype != self._data.dtype:
            v = v.to(self.dtype)
        src = self.clone() if self._rg else self.detach().clone()
        self._inplace_from(SetItem.apply(src, np_idx, v))
        return
    v = value._data if vt else value
    try:
        self._data[np_idx] = v
    except ValueError as e:
        target = self._data[np_idx]
        raise RuntimeError(f"shape mismatch: value tensor of shape "
                           f"[{', '.join(map(str, np.shape(v)))}] cannot be broadcast to "
                           f"indexing result of shape "
                           f"[{', '.join(map(str, np.shape(target)))}]") from e
    self._vc[0] += 1


__getitem__ = getitem
__setitem__ = setitem

TENSOR_METHODS = ["__getitem__", "__setitem__"]
