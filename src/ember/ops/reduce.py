"""Reductions: sums and means, products, extrema, statistics, norms and cumulative scans.

A reduction's backward broadcasts the incoming gradient back over the reduced axes
(``_expand_back``); reductions that select elements (max with ``dim``, median, mode,
cummax) route the gradient to the selected indices with ``ScatterAlong``.
"""
from __future__ import annotations

import builtins
import math

import numpy as np

from .. import _dtype as D
from .. import return_types
from .._device import as_array, xp_of
from .._naming import public_name
from .._tensor import _TYPE_SHORT, Tensor
from ..autograd.function import Primitive, renamed
from ._util import const, dims_tuple, wrap_dim
from .arith import _arr, _cast, _out, _to_float
from .logic import isnan, where
from .unary import Sqrt, abs, exp, sign, sqrt

__all__ = [
    "sum", "mean", "nansum", "nanmean", "prod", "max", "min", "amax", "amin", "aminmax",
    "argmax", "argmin", "var", "std", "var_mean", "std_mean", "norm", "logsumexp", "cumsum",
    "cumprod", "cummax", "cummin", "all", "any", "count_nonzero", "median", "nanmedian",
    "mode",
]

_ndarray = np.ndarray


# -- shared helpers -------------------------------------------------------------
def _reduce_dims(input: Tensor, dim) -> tuple:
    """Axes to reduce: all for None or an empty sequence; none for a 0-dim tensor."""
    nd = input._data.ndim
    if dim is None or (isinstance(dim, (tuple, list)) and len(dim) == 0):
        return tuple(range(nd))
    dims = dims_tuple(dim, nd)
    return dims if nd else ()


def _one_dim(input: Tensor, dim: int) -> int:
    """A single reduction axis, wrapped; -1 (no axis) for a 0-dim tensor."""
    d = wrap_dim(int(dim), input._data.ndim)
    return d if input._data.ndim else -1


def _kept_shape(shape, dims) -> tuple:
    return tuple(1 if i in dims else s for i, s in enumerate(shape))


def _expand_back(grad: Tensor, shape, dims, keepdim: bool) -> Tensor:
    """A reduced gradient broadcast back to the input's shape."""
    if not keepdim and dims:
        grad = grad.reshape(_kept_shape(shape, dims))
    return grad.expand(shape)


def _expand_back_array(grad, shape, dims, keepdim: bool):
    """``_expand_back`` on a backend array: a new array (filling one is cheaper than
    NumPy's ``broadcast_to`` for the small gradients where this cost shows)."""
    if not keepdim and dims:
        grad = grad.reshape(_kept_shape(shape, dims))
    out = Tensor._xp_of(grad).empty(shape, dtype=grad.dtype)
    out[...] = grad
    return out


def _short(dt) -> str:
    return _TYPE_SHORT[dt.name]


def _need_nonempty(input: Tensor, name: str):
    if input._data.size == 0:
        raise RuntimeError(f"{name}(): Expected reduction dim to be specified for input.numel() "
                           "== 0. Specify the reduction dim with the 'dim' argument.")


def _need_float(input: Tensor, msg: str):
    if input._data.dtype.kind not in "fc":
        raise RuntimeError(msg)


def _kept(arr, axis: int, keepdim: bool):
    """A keepdims result of ``axis`` squeezed unless ``keepdim``."""
    return arr if keepdim or axis < 0 else np.squeeze(arr, axis)


class GatherAlong(Primitive):
    """``take_along_axis(a, idx, axis)``; its backward scatters back."""

    node_name = "GatherBackward0"

    @staticmethod
    def forward(ctx, a, idx, axis):
        ctx.idx, ctx.axis, ctx.shape = idx, axis, a.shape
        return np.take_along_axis(a, idx, axis)

    @staticmethod
    def backward(ctx, grad):
        return ScatterAlong.apply(grad, ctx.idx, ctx.axis, ctx.shape), None, None


class ScatterAlong(Primitive):
    """Zeros of ``shape`` with ``src`` added at ``idx`` along ``axis`` (repeats accumulate)."""

    node_name = "ScatterAddBackward0"

    @staticmethod
    def forward(ctx, src, idx, axis, shape):
        ctx.idx, ctx.axis = idx, axis
        xp = xp_of(src)
        out = xp.zeros(shape, dtype=src.dtype)
        if axis < 0:  # 0-dim
            return out + src
        # flat positions of (..., idx, ...) in the output, then one bincount-style add
        full = xp.broadcast_to(idx, src.shape)
        grids = xp.indices(src.shape, sparse=True)
        pos = tuple(full if i == axis else g for i, g in enumerate(grids))
        xp.add.at(out, pos, src)
        return out

    @staticmethod
    def backward(ctx, grad):
        if ctx.axis < 0:
            return grad, None, None, None
        return GatherAlong.apply(grad, ctx.idx, ctx.axis), None, None, None


def _select(input: Tensor, idx, axis: int, keepdim: bool, prim=None) -> Tensor:
    """Values of ``input`` at keepdims indices ``idx`` along ``axis``, differentiably
    (recorded as ``prim``, a ``ValuesAlong`` named for the op, when given)."""
    if axis < 0:
        return input.clone() if input.requires_grad else const(input._data.copy())
    if prim is not None:
        return prim.apply(input, idx, axis, keepdim)
    vals = GatherAlong.apply(input, idx, axis)
    return vals if keepdim else vals.squeeze(axis)


class ValuesAlong(Primitive):
    """``take_along_axis`` with the axis dropped unless ``keepdim``: the values of
    ``max(dim)`` and its kind, one graph node as in torch."""

    @staticmethod
    def forward(ctx, a, idx, axis, keepdim):
        ctx.idx, ctx.axis, ctx.shape, ctx.keepdim = idx, axis, a.shape, keepdim
        vals = np.take_along_axis(a, idx, axis)
        return vals if keepdim else vals.squeeze(axis)

    @staticmethod
    def backward(ctx, grad):
        g = grad if ctx.keepdim else grad.unsqueeze(ctx.axis)
        return ScatterAlong.apply(g, ctx.idx, ctx.axis, ctx.shape), None, None, None


# -- sums and means -------------------------------------------------------------
class Sum(Primitive):
    @staticmethod
    def forward(ctx, a, dims, keepdim, np_dtype):
        ctx.shape, ctx.dims, ctx.keepdim = a.shape, dims, keepdim
        return a.sum(axis=dims, keepdims=keepdim, dtype=np_dtype)

    @staticmethod
    def backward(ctx, grad):
        return _expand_back(grad, ctx.shape, ctx.dims, ctx.keepdim), None, None, None

    @staticmethod
    def backward_array(ctx, grad):
        return _expand_back_array(grad, ctx.shape, ctx.dims, ctx.keepdim), None, None, None


def _sum_np_dtype(input: Tensor, dtype):
    if dtype is not None:
        return D.to_dtype(dtype).np
    return np.int64 if input._data.dtype.kind in "iub" else None


def sum(input, dim=None, keepdim: bool = False, *, dtype=None, out=None) -> Tensor:
    """Sum of all elements, or over ``dim`` (an int or a tuple); integers sum as int64."""
    if dtype is not None:
        input = _cast(input, D.to_dtype(dtype))
    r = (Sum if dim is None else _SumDim).apply(input, _reduce_dims(input, dim), keepdim,
                                                _sum_np_dtype(input, dtype))
    return r if out is None else _out(r, out)


_SumDim = renamed(Sum, "SumBackward1")


class Mean(Primitive):
    @staticmethod
    def forward(ctx, a, dims, keepdim):
        ctx.shape, ctx.dims, ctx.keepdim = a.shape, dims, keepdim
        n = math.prod(a.shape[d] for d in dims)
        ctx.n = n
        s = a.sum(axis=dims, keepdims=keepdim)
        if n == 0:
            with np.errstate(invalid="ignore"):
                return s / n
        return s / n

    @staticmethod
    def backward(ctx, grad):
        return _expand_back(grad / ctx.n, ctx.shape, ctx.dims, ctx.keepdim), None, None

    @staticmethod
    def backward_array(ctx, grad):
        return _expand_back_array(grad / ctx.n, ctx.shape, ctx.dims, ctx.keepdim), None, None


def _mean_dtype_check(input: Tensor, name: str = "mean"):
    if input._data.dtype.kind not in "fc":
        raise RuntimeError(
            f"{name}(): could not infer output dtype. Input dtype must be either a floating "
            f"point or complex dtype. Got: {_short(input.dtype)}")


def mean(input, dim=None, keepdim: bool = False, *, dtype=None, out=None) -> Tensor:
    """Mean of all elements, or over ``dim``; floating-point (or ``dtype=``) inputs only."""
    if dtype is not None:
        input = _cast(input, D.to_dtype(dtype))
    _mean_dtype_check(input)
    r = (Mean if dim is None else _MeanDim).apply(input, _reduce_dims(input, dim), keepdim)
    return r if out is None else _out(r, out)


_MeanDim = renamed(Mean, "MeanBackward1")


def nansum(input, dim=None, keepdim: bool = False, *, dtype=None) -> Tensor:
    """``sum`` treating NaN as zero."""
    if input._data.dtype.kind in "fc":
        input = where(isnan(input), 0.0, input)
    return sum(input, dim, keepdim, dtype=dtype)


def nanmean(input, dim=None, keepdim: bool = False, *, dtype=None) -> Tensor:
    """``mean`` over the non-NaN elements."""
    if dtype is not None:
        input = _cast(input, D.to_dtype(dtype))
    _mean_dtype_check(input, "nanmean")
    keep = ~isnan(input)
    count = sum(keep, dim, keepdim)
    return nansum(input, dim, keepdim) / count


# -- products -------------------------------------------------------------------
class Prod(Primitive):
    @staticmethod
    def forward(ctx, a, axis, keepdim, np_dtype):
        ctx.axis, ctx.keepdim, ctx.shape = axis, keepdim, a.shape
        out = _arr(np.prod(a, axis=() if axis == -1 else axis, keepdims=keepdim,
                           dtype=np_dtype))
        ctx.save_for_backward(a, out)
        return out

    @staticmethod
    def backward(ctx, grad):
        a, out = ctx.saved_tensors
        axis = ctx.axis
        dims = tuple(range(a.dim())) if axis is None else ((axis,) if axis >= 0 else ())
        g = _expand_back(grad, ctx.shape, dims, ctx.keepdim)
        if not (a._data == 0).any():
            return g * _expand_back(out, ctx.shape, dims, ctx.keepdim) / a, None, None, None
        # with zeros, the product of the *other* elements, from exclusive scans
        flat = a.reshape(-1) if axis is None else a
        ax = 0 if axis is None else builtins.max(axis, 0)
        if flat.dim() == 0:
            return g * 0 + 1 * g, None, None, None
        others = _exclusive_cumprod(flat, ax, False) * _exclusive_cumprod(flat, ax, True)
        return g * others.reshape(ctx.shape), None, None, None


def _exclusive_cumprod(x: Tensor, axis: int, reverse: bool) -> Tensor:
    """Products of the elements before (after, if ``reverse``) each one along ``axis``."""
    from .join import cat
    from .shape import narrow, flip
    if reverse:
        x = flip(x, (axis,))
    n = x.shape[axis]
    ones_shape = list(x.shape)
    ones_shape[axis] = 1
    one = const(x._xp().ones(ones_shape, dtype=x._data.dtype))
    r = cat([one, narrow(cumprod(x, axis), axis, 0, n - 1)], axis)
    return flip(r, (axis,)) if reverse else r


def prod(input, dim: int | None = None, keepdim: bool = False, *, dtype=None) -> Tensor:
    """Product of all elements, or along the single axis ``dim``; integers give int64."""
    if dtype is not None:
        input = _cast(input, D.to_dtype(dtype))
    axis = None if dim is None else _one_dim(input, dim)
    return (Prod if dim is None else _ProdDim).apply(input, axis, keepdim,
                                                     _sum_np_dtype(input, dtype))


_ProdDim = renamed(Prod, "ProdBackward1")


# -- extrema --------------------------------------------------------------------
class Amax(Primitive):
    """Max over ``dims``; ties share the gradient evenly."""

    _np = staticmethod(np.max)

    @staticmethod
    def forward(ctx, a, dims, keepdim):
        ctx.shape, ctx.dims, ctx.keepdim = a.shape, dims, keepdim
        out = _arr(type(ctx)._fn._np(a, axis=dims, keepdims=keepdim))
        ctx.save_for_backward(a, out)
        return out

    @staticmethod
    def backward(ctx, grad):
        a, out = ctx.saved_tensors
        hit = a == _expand_back(out, ctx.shape, ctx.dims, ctx.keepdim)
        count = hit.sum(ctx.dims, keepdim=True)
        g = _expand_back(grad, ctx.shape, ctx.dims, ctx.keepdim)
        return where(hit, g / count, 0.0), None, None


class Amin(Amax):
    _np = staticmethod(np.min)


class MaxAll(Amax):
    node_name = "MaxBackward1"


class MinAll(Amin):
    node_name = "MinBackward1"


def _extreme_dims(input: Tensor, dim, name: str) -> tuple:
    dims = _reduce_dims(input, dim)
    for d in dims:
        if input._data.shape[d] == 0:
            raise IndexError(f"{name}(): Expected reduction dim {d} to have non-zero size.")
    if not dims and input._data.size == 0 and input._data.ndim:
        _need_nonempty(input, name)
    return dims


def amax(input, dim=(), keepdim: bool = False, *, out=None) -> Tensor:
    """Maximum over ``dim`` (an int or a tuple; all axes by default); NaN propagates."""
    if input._data.size == 0 and (dim is None or dim == ()):
        _need_nonempty(input, "amax")
    r = Amax.apply(input, _extreme_dims(input, dim, "amax"), keepdim)
    return _out(r, out)


def amin(input, dim=(), keepdim: bool = False, *, out=None) -> Tensor:
    """Minimum over ``dim`` (an int or a tuple; all axes by default); NaN propagates."""
    if input._data.size == 0 and (dim is None or dim == ()):
        _need_nonempty(input, "amin")
    r = Amin.apply(input, _extreme_dims(input, dim, "amin"), keepdim)
    return _out(r, out)


def _arg_extreme(input: Tensor, axis: int, keepdim: bool, npfn):
    """Keepdims index array of the extreme along ``axis`` (first one on ties, NaN wins)."""
    a = input._data
    if axis < 0:
        return xp_of(a).zeros((), dtype=np.int64)
    return npfn(a, axis=axis, keepdims=True).astype(np.int64, copy=False)


def _max_min(name, all_cls, npfn, result_type, pairwise):
    along = renamed(ValuesAlong, name.capitalize() + "Backward0")

    def fn(input, dim=None, keepdim=False, *, out=None):
        if isinstance(dim, Tensor):  # max(input, other)
            return pairwise(input, dim, out=out)
        if dim is None:
            if input._data.size == 0:
                raise RuntimeError(f"{name}(): Expected reduction dim to be specified for "
                                   "input.numel() == 0. Specify the reduction dim with the "
                                   "'dim' argument.")
            return all_cls.apply(input, tuple(range(input._data.ndim)), False)
        if not isinstance(dim, (int, np.integer)):
            raise TypeError(f"{name}(): argument 'dim' must be int, not {type(dim).__name__}")
        axis = _one_dim(input, dim)
        if axis >= 0 and input._data.shape[axis] == 0:
            raise IndexError(f"{name}(): Expected reduction dim {axis} to have non-zero size.")
        idx = _arg_extreme(input, axis, keepdim, npfn)
        values = _select(input, idx, axis, keepdim, along)
        indices = const(_kept(idx, axis, keepdim))
        return result_type((values, indices))

    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = (f"The {name}imum of all elements; with ``dim``, the named tuple "
                  f"(values, indices) along it; with a tensor, the elementwise {name}imum.")
    return fn


def _maximum(a, b, *, out=None):
    from .binary import maximum
    return maximum(a, b, out=out)


def _minimum(a, b, *, out=None):
    from .binary import minimum
    return minimum(a, b, out=out)


max = _max_min("max", MaxAll, np.argmax, return_types.max, _maximum)
min = _max_min("min", MinAll, np.argmin, return_types.min, _minimum)


def _argfn(name, npfn):
    def fn(input, dim=None, keepdim=False):
        if dim is None:
            if input._data.size == 0:
                raise IndexError(f"{name}(): Expected reduction dim to be specified for "
                                 "input.numel() == 0.")
            r = as_array(npfn(input._data.reshape(-1)), dtype=np.int64)
            return const(r.reshape((1,) * input._data.ndim) if keepdim else r)
        axis = _one_dim(input, dim)
        if axis >= 0 and input._data.shape[axis] == 0:
            raise IndexError(f"{name}(): Expected reduction dim {axis} to have non-zero size.")
        return const(as_array(_kept(_arg_extreme(input, axis, keepdim, npfn), axis, keepdim)))

    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = f"Index of the {name[3:]}imum (flat without ``dim``), as int64; first on ties."
    return fn


argmax = _argfn("argmax", np.argmax)
argmin = _argfn("argmin", np.argmin)


def aminmax(input, *, dim: int | None = None, keepdim: bool = False):
    """The named tuple (min, max) over all elements or along ``dim``."""
    if dim is None and input._data.size == 0:
        _need_nonempty(input, "aminmax")
    dims = () if dim is None else dim
    return return_types.aminmax((amin(input, dims, keepdim), amax(input, dims, keepdim)))


# -- statistics -----------------------------------------------------------------
class Var(Primitive):
    @staticmethod
    def forward(ctx, a, dims, correction, keepdim):
        ctx.shape, ctx.dims, ctx.keepdim = a.shape, dims, keepdim
        n = math.prod(a.shape[d] for d in dims)
        ctx.denom = builtins.max(n - correction, 0)
        ctx.save_for_backward(a)
        dev = a - a.mean(axis=dims, keepdims=True) if n else a
        sq = (dev * dev.conj()).real if a.dtype.kind == "c" else dev * dev
        with np.errstate(divide="ignore", invalid="ignore"):
            return sq.sum(axis=dims, keepdims=keepdim) / ctx.denom

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        dev = a - a.mean(ctx.dims, keepdim=True)
        g = _expand_back(grad, ctx.shape, ctx.dims, ctx.keepdim)
        return g * dev * (2.0 / ctx.denom if ctx.denom else math.inf), None, None, None


def _correction(unbiased, correction) -> float:
    if correction is not None:
        return correction
    return 1 if unbiased is None or unbiased else 0


def _var_args(input, dim, unbiased, keepdim, correction):
    """Normalise var/std's overloads: ``(input, unbiased)`` or ``(input, dim, unbiased,
    keepdim)`` or keywords."""
    if isinstance(dim, bool):
        dim, unbiased = None, dim
    _need_float(input, "std and var only support floating point and complex dtypes")
    return _reduce_dims(input, dim), _correction(unbiased, correction), keepdim


def var(input, dim=None, unbiased: bool | None = None, keepdim: bool = False, *,
        correction: float | None = None, out=None) -> Tensor:
    """Variance over ``dim`` with ``correction`` (1 by default: Bessel's; ``unbiased=False``
    means 0)."""
    dims, corr, keepdim = _var_args(input, dim, unbiased, keepdim, correction)
    return _out(Var.apply(input, dims, corr, keepdim), out)


def std(input, dim=None, unbiased: bool | None = None, keepdim: bool = False, *,
        correction: float | None = None, out=None) -> Tensor:
    """Standard deviation: the square root of ``var`` with the same arguments."""
    return _out(_StdSqrt.apply(var(input, dim, unbiased, keepdim, correction=correction)), out)


_StdSqrt = renamed(Sqrt, "StdBackward0")  # torch records std as one node


def var_mean(input, dim=None, unbiased: bool | None = None, keepdim: bool = False, *,
             correction: float | None = None):
    """The tuple (var, mean) over ``dim``."""
    v = var(input, dim, unbiased, keepdim, correction=correction)
    d = None if isinstance(dim, bool) else dim
    return v, mean(input, d, keepdim)


def std_mean(input, dim=None, unbiased: bool | None = None, keepdim: bool = False, *,
             correction: float | None = None):
    """The tuple (std, mean) over ``dim``."""
    v, m = var_mean(input, dim, unbiased, keepdim, correction=correction)
    return sqrt(v), m


class Norm2(Primitive):
    """Euclidean norm over ``dims``; the gradient at a zero norm is zero, as in PyTorch."""

    node_name = "LinalgVectorNormBackward0"

    @staticmethod
    def forward(ctx, a, dims, keepdim):
        ctx.shape, ctx.dims, ctx.keepdim = a.shape, dims, keepdim
        sq = (a * a.conj()).real if a.dtype.kind == "c" else a * a
        out = _arr(np.sqrt(sq.sum(axis=dims, keepdims=keepdim)))
        ctx.save_for_backward(a, out)
        return out

    @staticmethod
    def backward(ctx, grad):
        a, out = ctx.saved_tensors
        o = _expand_back(out, ctx.shape, ctx.dims, ctx.keepdim)
        g = _expand_back(grad, ctx.shape, ctx.dims, ctx.keepdim)
        return where(o == 0, 0.0, g * a / o), None, None


def norm(input, p="fro", dim=None, keepdim: bool = False, dtype=None) -> Tensor:
    """Vector p-norm over ``dim`` (all elements by default): p a number, inf, -inf or 'fro'."""
    if dtype is not None:
        input = _cast(input, D.to_dtype(dtype))
    _need_float(input, "linalg.vector_norm: Expected a floating point or complex tensor as "
                f"input. Got {_short(input.dtype)}")
    if p == "nuc":
        raise NotImplementedError(f"norm(p='nuc') is provided by "
                                  f"{public_name('ember.linalg')}.matrix_norm")
    dims = _reduce_dims(input, dim)
    if p in ("fro", 2, 2.0):
        return Norm2.apply(input, dims, keepdim)
    a = abs(input)
    if p == math.inf:
        return amax(a, dims, keepdim)
    if p == -math.inf:
        return amin(a, dims, keepdim)
    if p == 0:  # a count of nonzeros; sign keeps a (zero) gradient path, as in PyTorch
        return sum(sign(a), dims, keepdim)
    if p == 1:
        return sum(a, dims, keepdim)
    from .linalg import vector_norm  # deferred: linalg builds on this module
    return vector_norm(input, p, dims, keepdim)


class Logsumexp(Primitive):
    @staticmethod
    def forward(ctx, a, dims, keepdim):
        ctx.shape, ctx.dims, ctx.keepdim = a.shape, dims, keepdim
        m = np.max(a, axis=dims, keepdims=True) if a.size else xp_of(a).zeros(
            _kept_shape(a.shape, dims), dtype=a.dtype)
        m = np.where(np.isfinite(m), m, 0)  # all -inf (or inf) slices: no shift
        with np.errstate(divide="ignore"):
            out = np.log(np.exp(a - m).sum(axis=dims, keepdims=True)) + m
        if not keepdim:
            out = _arr(np.squeeze(out, dims))
        ctx.save_for_backward(a, out)
        return out

    @staticmethod
    def backward(ctx, grad):
        a, out = ctx.saved_tensors
        o = _expand_back(out, ctx.shape, ctx.dims, ctx.keepdim)
        g = _expand_back(grad, ctx.shape, ctx.dims, ctx.keepdim)
        return g * exp(a - o), None, None


def logsumexp(input, dim, keepdim: bool = False, *, out=None) -> Tensor:
    """``log(sum(exp(input), dim))`` computed without overflow."""
    input = _to_float(input)
    return _out(Logsumexp.apply(input, _reduce_dims(input, dim), keepdim), out)


# -- cumulative scans -----------------------------------------------------------
class Cumsum(Primitive):
    @staticmethod
    def forward(ctx, a, axis, np_dtype, reverse):
        ctx.axis, ctx.reverse = axis, reverse
        if axis < 0:
            return a.astype(np_dtype or a.dtype, copy=True)
        if reverse:
            return np.flip(np.cumsum(np.flip(a, axis), axis=axis, dtype=np_dtype), axis)
        return np.cumsum(a, axis=axis, dtype=np_dtype)

    @staticmethod
    def backward(ctx, grad):
        # the adjoint of a prefix sum is a suffix sum, and vice versa
        return Cumsum.apply(grad, ctx.axis, None, not ctx.reverse), None, None, None


def cumsum(input, dim: int, *, dtype=None, out=None) -> Tensor:
    """Running sum along ``dim``; integers accumulate as int64."""
    if dtype is not None:
        input = _cast(input, D.to_dtype(dtype))
    r = Cumsum.apply(input, _one_dim(input, dim), _sum_np_dtype(input, dtype), False)
    return _out(r, out)


class Cumprod(Primitive):
    @staticmethod
    def forward(ctx, a, axis, np_dtype):
        ctx.axis = axis
        out = _arr(a.astype(np_dtype or a.dtype, copy=True) if axis < 0 else
                   np.cumprod(a, axis=axis, dtype=np_dtype))
        ctx.save_for_backward(a, out)
        return out

    @staticmethod
    def backward(ctx, grad):
        a, out = ctx.saved_tensors
        axis = ctx.axis
        if axis < 0:
            return grad, None, None
        if not (a._data == 0).any():
            return Cumsum.apply(grad * out, axis, None, True) / a, None, None
        # zeros present: d out_j / d a_i is the prefix product up to j without a_i, so
        # take each position in turn (a loop over the scanned axis only)
        from .shape import narrow
        n = a.shape[axis]
        pos = a._xp().arange(n).reshape([-1 if i == axis else 1 for i in range(a.dim())])
        parts = []
        for i in range(n):
            without = where(const(pos == i), 1.0, a)
            tail = grad * cumprod(without, axis) * const(pos >= i)
            parts.append(narrow(tail.sum(axis, keepdim=True), axis, 0, 1))
        from .join import cat
        return cat(parts, axis), None, None


def cumprod(input, dim: int, *, dtype=None, out=None) -> Tensor:
    """Running product along ``dim``; integers accumulate as int64."""
    if dtype is not None:
        input = _cast(input, D.to_dtype(dtype))
    r = Cumprod.apply(input, _one_dim(input, dim), _sum_np_dtype(input, dtype))
    return _out(r, out)


def _cum_extreme(name, ufunc, result_type):
    def fn(input, dim):
        axis = _one_dim(input, dim)
        a = input._data
        if axis < 0:
            return result_type((_select(input, None, -1, False),
                                const(input._xp().zeros((), np.int64))))
        vals = ufunc.accumulate(a, axis=axis) if a.size else a.copy()
        shape = [1] * a.ndim
        shape[axis] = a.shape[axis]
        xp = input._xp()
        pos = xp.arange(a.shape[axis]).reshape(shape)
        # a new running extreme (or a tie, or a NaN) moves the index to this position
        hit = (a == vals) | (np.isnan(a) if a.dtype.kind in "fc" else False)
        idx = np.maximum.accumulate(np.where(hit, pos, 0), axis=axis) if a.size else \
            xp.zeros(a.shape, np.int64)
        idx = idx.astype(np.int64, copy=False)
        return result_type((_select(input, idx, axis, True), const(idx)))

    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = (f"Named tuple (values, indices) of the running {name[3:]}imum along "
                  f"``dim``; the gradient goes to the index each value came from.")
    return fn


cummax = _cum_extreme("cummax", np.maximum, return_types.cummax)
cummin = _cum_extreme("cummin", np.minimum, return_types.cummin)


# -- logical reductions and counts ----------------------------------------------
def _logical_reduce(name, npfn):
    def fn(input, dim=None, keepdim=False, *, out=None):
        a = input._data
        r = as_array(npfn(a, axis=_reduce_dims(input, dim), keepdims=keepdim))
        if a.dtype == np.uint8:  # PyTorch keeps uint8 for uint8 input
            r = r.astype(np.uint8)
        return _out(const(r), out)

    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = f"Whether {name} element(s) over ``dim`` are nonzero, as a bool tensor."
    return fn


all = _logical_reduce("all", np.all)
any = _logical_reduce("any", np.any)


def count_nonzero(input, dim=None) -> Tensor:
    """Number of nonzero elements over ``dim`` (an int or a tuple), as int64."""
    a = input._data
    return const(as_array(np.count_nonzero(a, axis=_reduce_dims(input, dim)),
                            dtype=np.int64))


# -- order statistics -----------------------------------------------------------
def _median_index(input: Tensor, axis: int, ignore_nan: bool):
    """Keepdims index of the lower median along ``axis`` (NaN wins unless ignored)."""
    a = input._data
    order = np.argsort(a, axis=axis, kind="stable")  # NaN sorts last
    n = a.shape[axis]
    if a.dtype.kind in "fc":
        nan = np.isnan(a)
        valid = n - nan.sum(axis=axis, keepdims=True)
    else:
        nan, valid = None, input._xp().full([1] * a.ndim, n)
    if ignore_nan:
        k = np.maximum(valid - 1, 0) // 2
        return np.take_along_axis(order, k.astype(np.int64), axis)
    idx = np.take_along_axis(order, input._xp().full([1] * a.ndim, (n - 1) // 2), axis) \
        if a.ndim else order
    if nan is not None:
        first_nan = np.argmax(nan, axis=axis, keepdims=True)
        idx = np.where(valid < n, first_nan, idx)
    return idx


def _median_fn(name, ignore_nan, result_type):
    def fn(input, dim=None, keepdim=False):
        if dim is None:
            if input._data.size == 0:
                return const(as_array(np.nan, dtype=input._data.dtype))
            flat = input.reshape(-1)
            idx = _median_index(flat, 0, ignore_nan)
            # without dim PyTorch shares the gradient among elements equal to the median
            prim = _NanmedianAll if ignore_nan else _MedianAll
            return prim.apply(_tied(flat, idx), (0,), False)
        axis = _one_dim(input, dim)
        if axis >= 0 and input._data.shape[axis] == 0:
            raise IndexError(f"{name}(): Expected reduction dim {axis} to have non-zero size.")
        idx = _median_index(input, axis, ignore_nan) if axis >= 0 else \
            input._xp().zeros((), np.int64)
        return result_type((_select(input, idx, axis, keepdim, along),
                            const(as_array(_kept(idx, axis, keepdim)))))

    along = renamed(ValuesAlong, name.capitalize() + "Backward1")
    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = ("The lower median of all elements, or the named tuple (values, indices) "
                  "along ``dim``" + ("; NaNs are ignored." if ignore_nan else
                                     "; NaN if the slice holds one."))
    return fn


def _tied(flat: Tensor, idx) -> Tensor:
    """``flat`` with every element not equal to the selected one pushed to -inf, so that
    a max over it returns that value and shares its gradient among the ties."""
    v = flat._data[int(idx[0])]
    hit = flat._data == v if v == v else np.isnan(flat._data)
    return where(const(hit), flat, -math.inf)


_MedianAll = renamed(Amax, "MedianBackward0")
_NanmedianAll = renamed(Amax, "NanmedianBackward0")
median = _median_fn("median", False, return_types.median)
nanmedian = _median_fn("nanmedian", True, return_types.nanmedian)


def mode(input, dim: int = -1, keepdim: bool = False):
    """Named tuple (values, indices) of the most frequent value along ``dim`` (the
    smallest on ties; the index of its last occurrence)."""
    axis = _one_dim(input, dim)
    a = input._data
    if axis < 0:
        return return_types.mode((_select(input, None, -1, False),
                                  const(input._xp().zeros((), np.int64))))
    moved = np.moveaxis(a, axis, -1)
    n = moved.shape[-1]
    s = np.sort(moved, axis=-1)
    pos = input._xp().arange(n)
    new_run = input._xp().ones(s.shape, dtype=bool)
    new_run[..., 1:] = s[..., 1:] != s[..., :-1]
    start = np.maximum.accumulate(np.where(new_run, pos, 0), axis=-1)
    count = pos - start + 1  # position within its run of equal values
    # the first position reaching the largest count ends the smallest most-frequent run
    best = np.argmax(count == count.max(axis=-1, keepdims=True), axis=-1)
    value = np.take_along_axis(s, best[..., None], -1)
    last = n - 1 - np.argmax((moved == value)[..., ::-1], axis=-1)
    idx = np.expand_dims(last, axis).astype(np.int64)
    return return_types.mode((_select(input, idx, axis, keepdim),
                              const(as_array(_kept(idx, axis, keepdim)))))


# -- the backward's helper ------------------------------------------------------
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


TENSOR_METHODS = [n for n in __all__] + ["sum_to"]
