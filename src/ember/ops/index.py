"""Indexing: ``__getitem__``/``__setitem__``, the gather/scatter/index_* family, masks and
positions (nonzero, take).

Everything that reads elements at positions is ``shape.Index`` (its backward sums the
gradient back into zeros); everything that writes them is ``IndexPut`` here. Both take a
NumPy-ready index, so PyTorch's index forms are converted once, in ``_parse``.
"""
from __future__ import annotations

import warnings

import numpy as np

from .._argtypes import not_tensor_error
from .._device import as_array
from .._tensor import _TYPE_SHORT, Tensor
from ..autograd import grad_mode
from ..autograd.function import Primitive, renamed
from ._util import const, shape_str, wrap_dim
from .arith import _broadcast_error, _cast
from .reduce import sum_to
from .shape import (
    Index, IndexAlias, IndexedZeros, IndexUnsqueeze, Select, Slice, SplitIndex, _as_view, _get,
    _put, _xp, expand, reshape, _type_name,
)

__all__ = [
    "gather", "scatter", "scatter_add", "scatter_reduce", "index_select", "index_add",
    "index_copy", "index_fill", "index_put", "masked_fill", "masked_select", "masked_scatter",
    "nonzero", "argwhere", "take", "take_along_dim",
]

_new = object.__new__

_state = grad_mode._state
_ndarray = np.ndarray
_FULL = slice(None)
_NoneType = type(None)
_EllipsisType = type(Ellipsis)
_ZERO_DIM_MSG = ("invalid index of a 0-dim tensor. Use `tensor.item()` in Python or "
                 "`tensor.item<T>()` in C++ to convert a 0-dim tensor to a number")
_OVERLAP_MSG = ("unsupported operation: more than one element of the written-to tensor refers to "
                "a single memory location. Please clone() the tensor before performing the "
                "operation.")


# -- turning a PyTorch index into a NumPy one ------------------------------------------
def _basic_cls(items):
    """The view class for an index of ints, slices, None and ``...`` only (else None).

    PyTorch names the result after the last step that changes anything: ``x[0, :]`` is a
    select, ``x[0, None]`` an unsqueeze, ``x[...]`` an alias.
    """
    last = None
    sliced = False
    for it in items:
        tp = type(it)
        if tp is int:
            last = Select
        elif tp is slice:
            step = it.step
            if step is not None and step <= 0:
                _bad_step(step)
            if it.start is None and it.stop is None:
                sliced = True
            else:
                last = Slice
        elif tp is _NoneType:
            last = IndexUnsqueeze
        elif tp is not _EllipsisType:
            return None
    if last is None:
        return Slice if sliced else IndexAlias
    return last


def _bad_step(step):
    if step == 0:
        raise ValueError("slice step cannot be zero")
    raise ValueError("step must be greater than zero")


def _as_items(idx):
    """The index as a tuple of items; short lists holding sequences, slices or None count as
    a tuple, as PyTorch (with a deprecation warning) still reads them."""
    if type(idx) is tuple:
        return idx
    if type(idx) is list and len(idx) < 32 and any(
            isinstance(x, (list, tuple, slice, Tensor, np.ndarray)) or x is None or x is Ellipsis
            for x in idx):
        warnings.warn("Using a non-tuple sequence for multidimensional indexing is deprecated; "
                      "use x[tuple(seq)] instead of x[seq].", UserWarning, stacklevel=3)
        return tuple(idx)
    return (idx,)


def _index_array(arr, xp):
    """Check an index array's dtype as PyTorch does; uint8 counts as a (deprecated) mask."""
    k = arr.dtype.kind
    if k == "b":
        return arr
    if arr.dtype == np.uint8:
        warnings.warn("indexing with dtype torch.uint8 is now deprecated, please use a dtype "
                      "torch.bool instead.", UserWarning, stacklevel=4)
        return arr.astype(bool)
    if k not in "iu" or arr.dtype.itemsize < 4:
        raise IndexError("tensors used as indices must be long, int, byte or bool tensors")
    return arr


def _item(it, xp):
    """One index item in NumPy form: int, slice, None, Ellipsis or an index array."""
    tp = type(it)
    if tp is int or tp is _NoneType or tp is _EllipsisType:
        return it
    if tp is slice:
        if it.step is not None and it.step <= 0:
            _bad_step(it.step)
        return it
    if isinstance(it, Tensor):
        arr = it._data
        if arr.ndim == 0 and arr.dtype.kind in "iu" and arr.dtype != np.uint8:
            _index_array(arr, xp)
            return int(arr)  # a 0-d integer tensor selects, as an int does
        return _index_array(arr, xp)
    if isinstance(it, (bool, np.bool_)):
        return xp.asarray(bool(it))
    if isinstance(it, (int, np.integer)):
        return int(it)
    if isinstance(it, (list, tuple, np.ndarray, range)):
        arr = as_array(it)
        if arr.size == 0 and arr.dtype.kind == "f":
            arr = arr.astype(np.int64)
        return xp.asarray(_index_array(arr, xp))
    if isinstance(it, float):
        raise IndexError("only integers, slices (`:`), ellipsis (`...`), None and long or byte "
                         "Variables are valid indices (got float)")
    if isinstance(it, str):
        raise TypeError("new(): invalid data type 'str'")
    if hasattr(it, "__index__"):
        return it.__index__()
    raise IndexError("only integers, slices (`:`), ellipsis (`...`), None and long or byte "
                     f"Variables are valid indices (got {type(it).__name__})")


def _parse(self, idx):
    """``(numpy_index, view_class, accumulate)``: ``view_class`` is set for basic indices
    (the result is a view); ``accumulate`` says the same position may be hit twice."""
    tp = type(idx)
    if tp is int:
        return (idx, Ellipsis), Select, False
    if tp is slice:
        if idx.step is not None and idx.step <= 0:
            _bad_step(idx.step)
        return (idx, Ellipsis), Slice, False
    items = _as_items(idx)
    cls = _basic_cls(items) if tp is tuple else None
    if cls is None:
        xp = self._xp()
        items = tuple(_item(it, xp) for it in items)
        cls = _basic_cls(items)
    if cls is not None:
        if not any(it is Ellipsis for it in items):
            items = items + (Ellipsis,)  # keeps a 0-d result an array view, not a scalar
        return items, cls, False
    acc = any(type(it) is not bool and getattr(it, "dtype", None) is not None
              and it.dtype.kind != "b" for it in items)
    if any(type(it) is int for it in items):
        return _split_index(items), None, acc
    return items, None, acc


def _split_index(items):
    """PyTorch applies integer indices before tensor indices (NumPy broadcasts them
    together, which places the result's dimensions differently)."""
    basic, adv = [], []
    for it in items:
        if type(it) is int:
            basic.append(it)
        elif type(it) is slice or it is None:
            basic.append(it)
            adv.append(_FULL)
        elif it is Ellipsis:
            basic.append(it)
            adv.append(it)
        else:
            basic.extend((_FULL,) * it.ndim)  # a 0-d bool mask consumes no dimension
            adv.append(it)
    return SplitIndex(tuple(basic), tuple(adv))


def _items_of(np_idx):
    if type(np_idx) is SplitIndex:
        return np_idx.basic + tuple(it for it in np_idx.adv if type(it) is not slice
                                    and it is not Ellipsis)
    return np_idx


def _index_error(np_idx, shape):
    """PyTorch's IndexError for an index NumPy refused (or None if we cannot tell why)."""
    items = [it for it in _items_of(np_idx)]
    n = len(shape)

    def ndims(it):
        if it is None or it is Ellipsis:
            return 0
        if hasattr(it, "dtype"):
            return it.ndim if it.dtype.kind == "b" else 1
        return 1

    used = sum(ndims(it) for it in items)
    if used > n:
        if n == 0:
            return IndexError(_ZERO_DIM_MSG)
        return IndexError(f"too many indices for tensor of dimension {n}")
    dim = k = 0
    shapes = []
    for it in items:
        if it is Ellipsis:
            dim += n - used
        elif it is None:
            continue
        elif type(it) is int:
            if not -shape[dim] <= it < shape[dim]:
                return IndexError(f"index {it} is out of bounds for dimension {dim} with size "
                                  f"{shape[dim]}")
            dim += 1
        elif type(it) is slice:
            dim += 1
        elif it.dtype.kind == "b":
            for j in range(it.ndim):
                if it.shape[j] != shape[dim + j]:
                    return IndexError(
                        f"The shape of the mask {shape_str(it.shape)} at index {j} does not "
                        f"match the shape of the indexed tensor {shape_str(shape)} at index "
                        f"{dim + j}")
            shapes.append((int(it.sum()),))
            dim += it.ndim
            k += it.ndim
        else:
            size = shape[dim]
            bad = (it < -size) | (it >= size)
            if bad.any():
                return IndexError(f"index {int(it[bad].reshape(-1)[0])} is out of bounds for "
                                  f"dimension {k} with size {size}")
            shapes.append(it.shape)
            dim += 1
            k += 1
    try:
        np.broadcast_shapes(*shapes)
    except ValueError:
        return IndexError("shape mismatch: indexing tensors could not be broadcast together with "
                          "shapes " + ", ".join(shape_str(s) for s in shapes))
    return None


# -- reading -------------------------------------------------------------------------------
def getitem(self, idx):
    """``self[idx]``: basic indexing gives a view, tensor/list/mask indexing a copy."""
    if type(idx) is int and not self._rg:  # one sample of a dataset: the hot read
        a = self._data
        if a.ndim and -a.shape[0] <= idx < a.shape[0]:
            out = _new(Tensor)
            out._data = a[idx, ...]  # a 0-d array, not a NumPy scalar, for a vector
            out._rg = False
            out.grad_fn = None
            out._output_nr = 0
            return _as_view(out, self)
    np_idx, cls, acc = _parse(self, idx)
    try:
        if cls is not None:
            return _as_view(cls.apply(self, np_idx, False), self)
        return Index.apply(self, np_idx, acc)
    except IndexError:
        err = _index_error(np_idx, self._data.shape)
        if err is None:
            raise
        raise err from None


# -- writing -------------------------------------------------------------------------------
class IndexPut(Primitive):
    """``a[idx] = v`` (or ``+=`` with ``accumulate``); ``inplace`` writes into ``a`` itself,
    which the caller then takes over with ``_inplace_from``."""

    @staticmethod
    def forward(ctx, a, idx, v, accumulate, inplace):
        ctx.idx, ctx.acc = idx, accumulate
        ctx.vshape = getattr(v, "shape", None)
        out = a if inplace else a.copy()
        _put(out, idx, v, accumulate)
        return out

    @staticmethod
    def backward(ctx, grad):
        na, _, nv = ctx.needs_input_grad[:3]
        ga = gv = None
        if na:
            ga = grad if ctx.acc else IndexPut.apply(grad, ctx.idx, 0, False, False)
        if nv:
            gv = _fit(Index.apply(grad, ctx.idx, True), ctx.vshape)
        return ga, None, gv, None, None


def _fit(g, vshape):
    """Sum a gradient taken at the indexed positions down to the value's shape (which may
    broadcast, or carry extra leading ones)."""
    vshape = tuple(vshape)
    if len(vshape) > g.ndim:
        return sum_to(g, vshape[len(vshape) - g.ndim:]).reshape(vshape)
    return sum_to(g, vshape)


class IndexAdd(IndexPut):
    pass


class IndexCopy(IndexPut):
    pass


class IndexFill(IndexPut):
    pass


class IndexFillTensor(IndexPut):
    node_name = "IndexFillBackward1"


class MaskedFill(IndexPut):
    pass


class Scatter(IndexPut):
    pass


class ScatterValue(IndexPut):
    node_name = "ScatterBackward1"


class ScatterAdd(IndexPut):
    pass


def _value_error(self, np_idx, cls, value):
    """PyTorch's message for a value that does not broadcast to the indexed shape."""
    target = _get(self._data, np_idx).shape
    vshape = tuple(value.shape) if isinstance(value, Tensor) else ()
    if cls is None:
        return RuntimeError(f"shape mismatch: value tensor of shape {shape_str(vshape)} cannot "
                            f"be broadcast to indexing result of shape {shape_str(target)}")
    # PyTorch expands the value (leading ones dropped) to the indexed shape
    while len(vshape) > len(target) and vshape[0] == 1:
        vshape = vshape[1:]
    try:
        expand(const(np.empty(vshape, dtype=np.float32)), target)
    except RuntimeError as e:
        return RuntimeError(str(e).replace("torch.FloatTensor", f"torch.{_type_name(value)}"))
    return None


def _write(self, np_idx, value, accumulate, cls):
    """Write ``value`` at ``np_idx`` of ``self`` in place, recording a graph where needed."""
    vt = isinstance(value, Tensor)
    if _state.enabled and (self._rg or (vt and value._rg)):
        self._check_inplace()
        if vt and value._data.dtype != self._data.dtype:
            value = _cast(value, self.dtype)
        return self._inplace_from(cls.apply(self, np_idx, value, accumulate, True))
    v = value._data if vt else value
    _put(self._data, np_idx, v, accumulate)
    self._vc[0] += 1
    return self


def _checked_write(self, np_idx, value, accumulate, cls, view_cls=None):
    try:
        return _write(self, np_idx, value, accumulate, cls)
    except IndexError:
        err = _index_error(np_idx, self._data.shape)
        if err is None:
            raise
        raise err from None
    except ValueError as e:
        if not self._data.flags.writeable:
            raise RuntimeError(_OVERLAP_MSG) from None
        err = _value_error(self, np_idx, view_cls, value)
        if err is None:
            raise
        raise err from e


def _scalar_or_tensor(value, self):
    if isinstance(value, Tensor) or isinstance(value, (int, float, bool, complex, np.generic)):
        return value
    raise TypeError(f"can't assign a {type(value).__name__} to a torch.{_type_name(self)}")


def setitem(self, idx, value) -> None:
    """``self[idx] = value`` in place, broadcasting the value and converting its dtype."""
    value = _scalar_or_tensor(value, self)
    np_idx, cls, _ = _parse(self, idx)
    # basic indexing writes through a view in torch (CopySlices), advanced uses index_put_
    _checked_write(self, np_idx, value, False, IndexPut if cls is None else _SliceWrite, cls)


_SliceWrite = renamed(IndexPut, "CopySlices")


# -- gather / scatter ------------------------------------------------------------------------
def _long_index(index, fname):
    if not isinstance(index, Tensor):
        raise not_tensor_error(fname, "index", None, index)
    if index._data.dtype != np.int64 and index._data.dtype != np.int32:
        raise RuntimeError(f"{fname}(): Expected dtype int32/int64 for index")
    return index._data


def _along(index, dim):
    """The NumPy index pairing every element of ``index`` with its own position except
    along ``dim``, where ``index`` gives the position (gather/scatter addressing)."""
    xp = _xp(index)
    n = index.ndim
    out = []
    for d in range(n):
        if d == dim:
            out.append(index)
        else:
            shape = [1] * n
            shape[d] = index.shape[d]
            out.append(xp.arange(index.shape[d]).reshape(shape))
    return tuple(out)


def _check_range(index, size, dim):
    if index.size:
        bad = (index < 0) | (index >= size)
        if bad.any():
            raise RuntimeError(f"index {int(index[bad].reshape(-1)[0])} is out of bounds for "
                               f"dimension {dim} with size {size}")


def _check_gather_shapes(input, dim, index, src=None, fname="gather"):
    a = input._data
    if index.ndim != max(a.ndim, 1) and not (index.ndim <= 1 and a.ndim <= 1):
        who = "input" if src is None and fname == "gather" else "self"
        raise RuntimeError(f"Index tensor must have the same number of dimensions as {who} tensor")
    for k in range(index.ndim):
        if k == dim:
            continue
        too_big = index.shape[k] > (a.shape[k] if a.ndim else 1)
        if src is not None:
            too_big = too_big or index.shape[k] > src.shape[k]
        if too_big and src is None:
            raise RuntimeError(f"Size does not match at dimension {k} expected index "
                               f"{shape_str(index.shape)} to be no larger than self "
                               f"{shape_str(a.shape)} apart from dimension {dim}")
        if too_big:
            raise RuntimeError(f"Expected index {shape_str(index.shape)} to be no larger than self"
                               f" {shape_str(a.shape)} apart from dimension {dim} and to be no "
                               f"larger size than src {shape_str(src.shape)}")
    if src is not None and src.ndim == index.ndim and index.shape[dim] > src.shape[dim]:
        raise RuntimeError(f"Expected index {shape_str(index.shape)} to be no larger than self "
                           f"{shape_str(a.shape)} apart from dimension {dim} and to be no larger "
                           f"size than src {shape_str(src.shape)}")
    _check_range(index, a.shape[dim] if a.ndim else 1, dim)


class Gather(Index):
    pass


def gather(input: Tensor, dim: int, index: Tensor, *, sparse_grad: bool = False,
           out=None) -> Tensor:
    """``out[i][j] = input[i][index[i][j]]`` (for ``dim=1``): values picked along ``dim``."""
    idx = _long_index(index, "gather")
    d = wrap_dim(dim, input._data.ndim)
    _check_gather_shapes(input, d, idx)
    if input._data.ndim == 0:
        return Gather.apply(input, (Ellipsis,), False) if idx.size else input.clone()
    return Gather.apply(input, _along(idx, d), True)


def _src_part(src, index):
    """The leading ``index.shape`` block of ``src`` (scatter uses only that much)."""
    if src._data.shape == index.shape:
        return src
    return src[tuple(slice(0, s) for s in index.shape)]


def _scatter_args(input, dim, index, src, fname):
    idx = _long_index(index, fname)
    if idx.ndim == 0 and input._data.ndim == 1:
        idx = idx.reshape(1)  # PyTorch reads a 0-d index of a 1-D tensor as one position
    d = wrap_dim(dim, input._data.ndim)
    if isinstance(src, Tensor):
        if src._data.dtype != input._data.dtype:
            raise RuntimeError(f"{fname}(): Expected self.dtype to be equal to src.dtype")
        _check_gather_shapes(input, d, idx, src._data, fname)
        src = _src_part(src, idx)
    else:
        _check_gather_shapes(input, d, idx, None, fname)
    return _along(idx, d), src


def scatter(input: Tensor, dim: int, index: Tensor, src=None, *, value=None,
            reduce: str | None = None) -> Tensor:
    """A copy of ``input`` with ``src`` (or a scalar ``value``) written at ``index`` along
    ``dim``; ``reduce`` 'add'/'multiply' combines with what is there."""
    src = value if src is None else src
    fidx, src = _scatter_args(input, dim, index, src, "scatter")
    if reduce is None:
        cls = Scatter if isinstance(src, Tensor) else ScatterValue
        return cls.apply(input, fidx, src, False, False)
    if reduce not in ("add", "multiply"):
        raise RuntimeError("reduce argument must be either add or multiply.")
    if not isinstance(src, Tensor):
        src = const(input._xp().full(index._data.shape, src, dtype=input._data.dtype))
    if reduce == "add":
        return ScatterAdd.apply(input, fidx, src, True, False)
    return ScatterReduce.apply(input, fidx, src, "prod", True, False)


def scatter_add(input: Tensor, dim: int, index: Tensor, src: Tensor) -> Tensor:
    """A copy of ``input`` with ``src`` summed in at ``index`` along ``dim``."""
    fidx, src = _scatter_args(input, dim, index, src, "scatter_add")
    return ScatterAdd.apply(input, fidx, src, True, False)


_REDUCE_UFUNC = {"sum": "add", "mean": "add", "prod": "multiply", "amax": "maximum",
                 "amin": "minimum"}


def _identity(reduce, dtype):
    if reduce in ("sum", "mean"):
        return 0
    if reduce == "prod":
        return 1
    if dtype.kind == "f":
        return -np.inf if reduce == "amax" else np.inf
    info = np.iinfo(dtype) if dtype.kind in "iu" else None
    if info is None:
        return reduce == "amin"
    return info.min if reduce == "amax" else info.max


class ScatterReduce(Primitive):
    """``scatter_reduce``: the gradient weights of each contributor are worked out in the
    forward (tie shares for amax/amin, counts for mean, products of the others for prod)."""

    @staticmethod
    def forward(ctx, a, fidx, s, reduce, include_self, inplace):
        xp = _xp(a)
        out = a if inplace else a.copy()
        ctx.fidx = fidx
        hit = None
        if not include_self or reduce in ("mean", "amax", "amin", "prod"):
            hit = xp.zeros(a.shape, dtype=bool)
            hit[fidx] = True
        if not include_self:
            out[hit] = _identity(reduce, a.dtype)
        getattr(xp, _REDUCE_UFUNC[reduce]).at(out, fidx, s)
        self_w = None if include_self else (~hit).astype(a.dtype)
        src_w = None
        if reduce == "mean":
            count = xp.ones(a.shape, dtype=np.int64) if include_self else \
                (~hit).astype(np.int64)
            xp.add.at(count, fidx, 1)
            count = xp.maximum(count, 1)
            out[...] = out // count if a.dtype.kind in "iu" else out / count
            if a.dtype.kind in "fc":
                self_w = ((1 if include_self else ~hit) / count).astype(a.dtype)
                src_w = (1 / count[fidx]).astype(a.dtype)
        elif reduce in ("amax", "amin") and a.dtype.kind in "fc":
            # the gradient is shared evenly by every contributor equal to the result
            own = (a == out) if include_self else ~hit
            from_src = s == out[fidx]
            ties = own.astype(a.dtype)
            xp.add.at(ties, fidx, from_src.astype(a.dtype))
            self_w = own / ties
            src_w = from_src / ties[fidx]
        elif reduce == "prod" and a.dtype.kind in "fc":
            self_w, src_w = _prod_weights(a, fidx, s, include_self, hit, xp)
        ctx.w = (self_w, src_w)
        return out

    @staticmethod
    def backward(ctx, grad):
        self_w, src_w = ctx.w
        na, _, ns = ctx.needs_input_grad[:3]
        ga = gs = None
        if na:
            ga = grad if self_w is None else grad * const(self_w)
        if ns:
            gs = Index.apply(grad, ctx.fidx, True)
            if src_w is not None:
                gs = gs * const(src_w)
        return ga, None, gs, None, None, None


def _prod_weights(a, fidx, s, include_self, hit, xp):
    """d(product)/d(each factor) = the product of the other factors, zeros included."""
    nz_a = xp.where(a == 0, 1, a) if include_self else xp.ones_like(a)
    zeros = (a == 0).astype(np.int64) if include_self else xp.zeros(a.shape, dtype=np.int64)
    xp.multiply.at(nz_a, fidx, xp.where(s == 0, 1, s))
    xp.add.at(zeros, fidx, (s == 0).astype(np.int64))

    def others(x, nzp, zc):
        return xp.where(x != 0, xp.where(zc == 0, nzp / xp.where(x == 0, 1, x), 0),
                        xp.where(zc == 1, nzp, 0)).astype(a.dtype)

    # without include_self, untouched positions pass their value through (weight 1)
    self_w = others(a, nz_a, zeros) if include_self else (~hit).astype(a.dtype)
    src_w = others(s, nz_a[fidx], zeros[fidx])
    return self_w, src_w


def scatter_reduce(input: Tensor, dim: int, index: Tensor, src: Tensor, reduce: str, *,
                   include_self: bool = True) -> Tensor:
    """A copy of ``input`` where ``src`` values at ``index`` along ``dim`` are combined by
    ``reduce`` ('sum', 'prod', 'mean', 'amax', 'amin'), with or without the original."""
    fidx, src = _scatter_args(input, dim, index, src, "scatter_reduce")
    if reduce not in _REDUCE_UFUNC:
        raise RuntimeError(f"reduce argument must be either sum, prod, mean, amax or amin, got "
                           f"{reduce}")
    return ScatterReduce.apply(input, fidx, src, reduce, include_self, False)


# -- index_* along one dimension ---------------------------------------------------------------
class IndexSelect(Index):
    pass


def _dim_index(input, dim, index, fname, kinds=(np.int64, np.int32)):
    if not isinstance(index, Tensor):
        raise not_tensor_error(fname, "index", None, index)
    idx = index._data
    if idx.ndim > 1:
        raise IndexError(f"{fname}(): Index is supposed to be a vector")
    if idx.dtype not in kinds:
        raise RuntimeError(f"{fname}(): Expected dtype int32 or int64 for index")
    d = wrap_dim(dim, input._data.ndim)
    return d, idx.reshape(-1)


def index_select(input: Tensor, dim: int, index: Tensor, *, out=None) -> Tensor:
    """The slices of ``input`` at positions ``index`` (1-D) along ``dim``."""
    d, idx = _dim_index(input, dim, index, "index_select")
    size = input._data.shape[d] if input._data.ndim else 1
    if idx.size:
        bad = (idx < 0) | (idx >= size)
        if bad.any():
            raise RuntimeError(f"INDICES element is out of DATA bounds, id="
                               f"{int(idx[bad][0])} axis_dim={size}")
    if input._data.ndim == 0:
        return IndexSelect.apply(input, (Ellipsis,), False)
    return IndexSelect.apply(input, (_FULL,) * d + (idx,), True)


def _index_dim_args(input, dim, index, fname):
    d, idx = _dim_index(input, dim, index, fname)
    return d, (_FULL,) * d + (idx,), idx


def _in_range(input, d, idx):
    _check_range(idx, input._data.shape[d] if input._data.ndim else 1, d)


def _check_add_source(input, d, idx, source):
    a, s = input._data, source._data
    if s.dtype != a.dtype:
        raise RuntimeError(f"index_add_(): self ({_TYPE_SHORT[input.dtype.name]}) and source "
                           f"({_TYPE_SHORT[source.dtype.name]}) must have the same scalar type")
    n = s.shape[d] if s.ndim > d else 1
    if n != idx.size:
        raise RuntimeError(f"index_add_(): Number of indices ({idx.size}) should be equal to "
                           f"source.size(dim): ({n}), for dim: {d}")
    if s.ndim != a.ndim or any(s.shape[k] != a.shape[k] for k in range(a.ndim) if k != d):
        if s.ndim or a.ndim > 1:
            raise RuntimeError(f"source tensor shape must match self tensor shape, excluding "
                               f"the specified dimension. Got self.shape = {shape_str(a.shape)} "
                               f"source.shape = {shape_str(s.shape)}")
    _in_range(input, d, idx)


def _check_copy_source(input, d, idx, source):
    a, s = input._data, source._data
    if s.ndim != a.ndim and s.ndim and a.ndim:
        raise IndexError(f"index_copy_(): When source and destination are not scalars, their "
                         f"dimensionality must match. Source dimensionality ({s.ndim}), "
                         f"destination dimensionality ({a.ndim})")
    n = s.shape[d] if s.ndim else 1
    if n != idx.size:
        raise IndexError(f"index_copy_(): Number of indices ({idx.size}) should be equal to "
                         f"source.size(dim) ({n})")
    for k in range(a.ndim):
        if k != d and s.shape[k] != a.shape[k]:
            raise RuntimeError(f"index_copy_(): Source/destination tensor must have same slice "
                               f"shapes. Destination slice shape: {a.shape[k]} at dimension "
                               f"{k} and source slice shape: {s.shape[k]} at dimension {k}.")
    if s.dtype != a.dtype:
        raise RuntimeError(f"index_copy_(): self and source expected to have the same dtype, "
                           f"but got (self) {_TYPE_SHORT[input.dtype.name]} and (source) "
                           f"{_TYPE_SHORT[source.dtype.name]}")
    _in_range(input, d, idx)


def index_add(input: Tensor, dim: int, index: Tensor, source: Tensor, *,
              alpha=1) -> Tensor:
    """A copy of ``input`` with ``alpha * source`` added at positions ``index`` along ``dim``."""
    d, np_idx, idx = _index_dim_args(input, dim, index, "index_add_")
    _check_add_source(input, d, idx, source)
    return IndexAdd.apply(input, np_idx, source if alpha == 1 else source * alpha, True, False)


def index_copy(input: Tensor, dim: int, index: Tensor, source: Tensor) -> Tensor:
    """A copy of ``input`` with the slices of ``source`` written at ``index`` along ``dim``."""
    d, np_idx, idx = _index_dim_args(input, dim, index, "index_copy_")
    _check_copy_source(input, d, idx, source)
    return IndexCopy.apply(input, np_idx, source, False, False)


def _fill_value(value, fname):
    if isinstance(value, Tensor) and value._data.ndim:
        raise RuntimeError(f"{fname} only supports a 0-dimensional value tensor, but got tensor "
                           f"with {value._data.ndim} dimension(s).")
    return value


def index_fill(input: Tensor, dim: int, index: Tensor, value) -> Tensor:
    """A copy of ``input`` with ``value`` at positions ``index`` along ``dim``."""
    value = _fill_value(value, "index_fill_")
    d, np_idx, idx = _index_dim_args(input, dim, index, "index_fill_")
    _in_range(input, d, idx)
    if isinstance(value, Tensor) and value._data.dtype != input._data.dtype:
        value = _cast(value, input.dtype)
    cls = IndexFillTensor if isinstance(value, Tensor) else IndexFill
    return cls.apply(input, np_idx, value, False, False)


def _put_index(input, indices):
    if not isinstance(indices, (tuple, list)):
        raise TypeError("index_put(): argument 'indices' must be tuple of Tensors")
    xp = input._xp()
    return tuple(_item(i, xp) if i is not None else _FULL for i in indices)


def index_put(input: Tensor, indices, values: Tensor, accumulate: bool = False) -> Tensor:
    """A copy of ``input`` with ``values`` written (or summed) at the tensor index
    ``indices``."""
    np_idx = _put_index(input, indices)
    if isinstance(values, Tensor) and values._data.dtype != input._data.dtype:
        values = _cast(values, input.dtype)
    try:
        return IndexPut.apply(input, np_idx, values, bool(accumulate), False)
    except IndexError:
        err = _index_error(np_idx, input._data.shape)
        if err is None:
            raise
        raise err from None


# -- masks ---------------------------------------------------------------------------------------
def _bool_mask(mask, fname):
    if not isinstance(mask, Tensor):
        raise not_tensor_error(fname, "mask", None, mask)
    if mask._data.dtype != np.bool_:
        raise RuntimeError(f"{fname} only supports boolean masks, but got mask with dtype "
                           f"{_C_NAMES.get(mask.dtype.name, mask.dtype.name)}")
    return mask._data


# how PyTorch's C++ messages spell dtypes
_C_NAMES = {"float32": "float", "float64": "double", "float16": "c10::Half", "int64": "long int",
            "int32": "int", "int16": "short int", "int8": "signed char", "uint8": "unsigned char"}


def _broadcast(a, b):
    try:
        return np.broadcast_shapes(a, b)
    except ValueError:
        raise _broadcast_error(np.empty(b, dtype=bool), np.empty(a, dtype=bool)) from None


def masked_fill(input: Tensor, mask: Tensor, value) -> Tensor:
    """A copy of ``input`` (broadcast with ``mask``) with ``value`` where ``mask`` is True."""
    shape = _broadcast(input._data.shape, mask._data.shape)
    m = _bool_mask(mask, "masked_fill_")
    value = _fill_value(value, "masked_fill_")
    if isinstance(value, Tensor) and value._data.dtype != input._data.dtype:
        value = _cast(value, input.dtype)
    if shape != input._data.shape:
        input = expand(input, shape)
    if m.shape != shape:
        m = _xp(m).broadcast_to(m, shape)
    return MaskedFill.apply(input, m, value, False, False)


class MaskedSelect(Index):
    pass


def masked_select(input: Tensor, mask: Tensor) -> Tensor:
    """The elements of ``input`` (broadcast with ``mask``) where ``mask`` is True, as 1-D."""
    if not isinstance(mask, Tensor) or mask._data.dtype != np.bool_:
        raise RuntimeError("masked_select: expected BoolTensor for mask")
    m = mask._data
    shape = _broadcast(input._data.shape, m.shape)
    if shape != input._data.shape:
        input = expand(input, shape)
    if m.shape != shape:
        m = _xp(m).broadcast_to(m, shape)
    return MaskedSelect.apply(input, m, False)


def _masked_scatter_into(out, mask, s):
    """Write the first ``mask.sum()`` elements of ``s`` where ``mask`` is True; returns
    their count."""
    n = int(mask.sum())
    if s.size < n:
        raise RuntimeError("Number of elements of source < number of ones in mask")
    out[mask] = s.reshape(-1)[:n]
    return n


class MaskedScatter(Primitive):
    @staticmethod
    def forward(ctx, a, mask, s, inplace):
        out = a if inplace else a.copy()
        ctx.n = _masked_scatter_into(out, mask, s)
        ctx.mask, ctx.sshape = mask, s.shape
        return out

    @staticmethod
    def backward(ctx, grad):
        na, _, ns = ctx.needs_input_grad[:3]
        ga = IndexPut.apply(grad, ctx.mask, 0, False, False) if na else None
        gs = None
        if ns:
            picked = Index.apply(grad, ctx.mask, False)
            size = int(np.prod(ctx.sshape))
            gs = IndexedZeros.apply(picked, (slice(0, ctx.n),), (size,), False).reshape(
                ctx.sshape)
        return ga, None, gs, None


def _masked_scatter_args(input, mask, source, inplace):
    m = _bool_mask(mask, "masked_scatter_")
    if source._data.dtype != input._data.dtype:
        from .._tensor import _TYPE_SHORT
        raise RuntimeError(f"masked_scatter: expected self and source to have same dtypes but "
                           f"got{_TYPE_SHORT[input.dtype.name]} and "
                           f"{_TYPE_SHORT[source.dtype.name]}")
    shape = _broadcast(input._data.shape, m.shape)
    if inplace and shape != input._data.shape:
        raise RuntimeError(f"masked_scatter_: expected mask to be broadcastable to self "
                           f"{shape_str(input._data.shape)}, got {shape_str(m.shape)}")
    if m.shape != shape:
        m = _xp(m).broadcast_to(m, shape)
    return m, shape


def masked_scatter(input: Tensor, mask: Tensor, source: Tensor) -> Tensor:
    """A copy of ``input`` with consecutive elements of ``source`` where ``mask`` is True."""
    m, shape = _masked_scatter_args(input, mask, source, False)
    if shape != input._data.shape:
        input = expand(input, shape)
    return MaskedScatter.apply(input, m, source, False)


# -- in-place forms ------------------------------------------------------------------------------
def index_put_(self, indices, values, accumulate: bool = False):
    """In-place ``index_put``."""
    np_idx = _put_index(self, indices)
    return _checked_write(self, np_idx, values, bool(accumulate), IndexPut)


def index_add_(self, dim, index, source, *, alpha=1):
    """In-place ``index_add``."""
    d, np_idx, idx = _index_dim_args(self, dim, index, "index_add_")
    _check_add_source(self, d, idx, source)
    return _checked_write(self, np_idx, source if alpha == 1 else source * alpha, True, IndexAdd)


def index_copy_(self, dim, index, source):
    """In-place ``index_copy``."""
    d, np_idx, idx = _index_dim_args(self, dim, index, "index_copy_")
    _check_copy_source(self, d, idx, source)
    return _checked_write(self, np_idx, source, False, IndexCopy)


def index_fill_(self, dim, index, value):
    """In-place ``index_fill``."""
    value = _fill_value(value, "index_fill_")
    d, np_idx, idx = _index_dim_args(self, dim, index, "index_fill_")
    _in_range(self, d, idx)
    return _checked_write(self, np_idx, value, False,
                          IndexFillTensor if isinstance(value, Tensor) else IndexFill)


def masked_fill_(self, mask, value):
    """In-place ``masked_fill``; ``mask`` must broadcast to ``self``'s shape."""
    m = _bool_mask(mask, "masked_fill_")
    value = _fill_value(value, "masked_fill_")
    shape = _broadcast(self._data.shape, m.shape)
    if shape != self._data.shape:
        raise RuntimeError(f"output with shape {shape_str(self._data.shape)} doesn't match the "
                           f"broadcast shape {shape_str(shape)}")
    if m.shape != shape:
        m = _xp(m).broadcast_to(m, shape)
    return _checked_write(self, m, value, False, MaskedFill)


def scatter_(self, dim, index, src=None, *, value=None, reduce=None):
    """In-place ``scatter``."""
    src = value if src is None else src
    fidx, src = _scatter_args(self, dim, index, src, "scatter_")
    if reduce is None:
        return _checked_write(self, fidx, src, False,
                              Scatter if isinstance(src, Tensor) else ScatterValue)
    if reduce == "add":
        return _checked_write(self, fidx, src, True, ScatterAdd)
    from .elementwise import _inplace
    return _inplace(scatter)(self, dim, index, src, reduce=reduce)


def scatter_add_(self, dim, index, src):
    """In-place ``scatter_add``."""
    fidx, src = _scatter_args(self, dim, index, src, "scatter_add_")
    return _checked_write(self, fidx, src, True, ScatterAdd)


def scatter_reduce_(self, dim, index, src, reduce, *, include_self=True):
    """In-place ``scatter_reduce``."""
    from .elementwise import _inplace
    return _inplace(scatter_reduce)(self, dim, index, src, reduce, include_self=include_self)


def masked_scatter_(self, mask, source):
    """In-place ``masked_scatter``; ``mask`` must broadcast to ``self``'s shape."""
    m, _ = _masked_scatter_args(self, mask, source, True)
    if _state.enabled and (self._rg or source._rg):
        self._check_inplace()
        return self._inplace_from(MaskedScatter.apply(self, m, source, True))
    _masked_scatter_into(self._data, m, source._data)
    self._vc[0] += 1
    return self


# -- positions -----------------------------------------------------------------------------------
def nonzero(input: Tensor, *, out=None, as_tuple: bool = False):
    """The indices of the non-zero elements: an ``(n, ndim)`` tensor, or one 1-D tensor per
    dimension with ``as_tuple``."""
    a = input._data
    xp = _xp(a)
    if as_tuple:
        return tuple(const(i.astype(np.int64)) for i in xp.nonzero(a.reshape(-1) if a.ndim == 0
                                                                    else a))
    return const(xp.argwhere(a).astype(np.int64))


def argwhere(input: Tensor) -> Tensor:
    """``nonzero(input)``: an ``(n, ndim)`` tensor of the indices of non-zero elements."""
    return nonzero(input)


class Take(Index):
    pass


def take(input: Tensor, index: Tensor) -> Tensor:
    """Elements of the flattened ``input`` at ``index`` (result has ``index``'s shape)."""
    if not isinstance(index, Tensor) or index._data.dtype != np.int64:
        got = _TYPE_SHORT[index.dtype.name] if isinstance(index, Tensor) else type(index).__name__
        raise RuntimeError(f"take(): Expected a long tensor for index, but got {got}")
    idx = index._data
    n = input._data.size
    if idx.size:
        bad = (idx < -n) | (idx >= n)
        if bad.any():
            raise IndexError(f"out of range: tried to access index {int(idx[bad].reshape(-1)[0])} "
                             f"on a tensor of {n} elements.")
    return Take.apply(reshape(input, -1), (idx,), True)


def take_along_dim(input: Tensor, indices: Tensor, dim: int | None = None, *,
                   out=None) -> Tensor:
    """``gather`` with ``input`` and ``indices`` broadcast against each other (except along
    ``dim``); without ``dim``, along the flattened input."""
    if dim is None:
        return gather(reshape(input, -1), 0, reshape(indices, -1))
    a, i = input._data, indices._data
    if a.ndim != i.ndim:
        raise RuntimeError(f"torch.take_along_dim(): input and indices should have the same "
                           f"number of dimensions, but got {a.ndim} dimensions for input, and "
                           f"{i.ndim} dimensions for indices")
    d = wrap_dim(dim, a.ndim)
    rest = np.broadcast_shapes(a.shape[:d] + (1,) + a.shape[d + 1:],
                               i.shape[:d] + (1,) + i.shape[d + 1:])
    ishape = rest[:d] + (a.shape[d],) + rest[d + 1:]
    jshape = rest[:d] + (i.shape[d],) + rest[d + 1:]
    if ishape != a.shape:
        input = expand(input, ishape)
    if jshape != i.shape:
        indices = expand(indices, jshape)
    return gather(input, d, indices)


__getitem__ = getitem
__setitem__ = setitem

TENSOR_METHODS = [
    "__getitem__", "__setitem__", "gather", "scatter", "scatter_", "scatter_add",
    "scatter_add_", "scatter_reduce", "scatter_reduce_", "index_select", "index_add",
    "index_add_", "index_copy", "index_copy_", "index_fill", "index_fill_", "index_put",
    "index_put_", "masked_fill", "masked_fill_", "masked_select", "masked_scatter",
    "masked_scatter_", "nonzero", "argwhere", "take", "take_along_dim",
]
