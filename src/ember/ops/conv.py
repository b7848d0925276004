"""Fused primitives for convolution, pooling, padding, resampling and normalisation.

Every linear map here comes with its adjoint as a second primitive, and each one's
backward calls the other, so ``create_graph=True`` differentiates to any order:
a convolution's input gradient is a transposed convolution, whose own input gradient
is the convolution again. Windows are strided views of the (padded) input
(``as_strided``), turned into one big matrix product (im2col + BLAS); the scatter
back (col2im) loops over kernel offsets only, never over batch items or pixels.

Argument checking and PyTorch's error messages live in ``ember.nn.functional``;
the primitives trust their arguments.
"""
from __future__ import annotations

import itertools

import numpy as np

from .._tensor import Tensor
from ..autograd import grad_mode
from ..autograd.function import Primitive

__all__ = []

_state = grad_mode._state


def _xp(a):
    return Tensor._xp_of(a)


# -- window geometry -------------------------------------------------------------
class Geom:
    """Geometry of a sliding window over the last ``n`` axes of an (N, C, *S) array.

    ``pads`` holds a (low, high) pair per spatial axis; ``groups`` only matters to
    convolutions.
    """

    __slots__ = ("stride", "pads", "dilation", "groups")

    def __init__(self, stride, pads, dilation, groups=1):
        self.stride = tuple(stride)
        self.pads = tuple(tuple(p) for p in pads)
        self.dilation = tuple(dilation)
        self.groups = groups

    def out_size(self, spatial, ksize):
        """Number of window positions along each axis of an unpadded ``spatial`` shape."""
        return tuple((s + lo + hi - d * (k - 1) - 1) // st + 1 for s, k, st, d, (lo, hi)
                     in zip(spatial, ksize, self.stride, self.dilation, self.pads))

    def padded(self, a, value=0):
        """``a`` (..., *S) padded with ``value``; ``a`` itself when there is no padding."""
        if not any(lo or hi for lo, hi in self.pads):
            return a
        n = len(self.pads)
        shape = a.shape[:-n] + tuple(s + lo + hi for s, (lo, hi) in zip(a.shape[-n:], self.pads))
        out = _xp(a).full(shape, value, dtype=a.dtype)
        out[self._interior(a.shape[-n:])] = a
        return out

    def crop(self, a, spatial):
        """Undo ``padded``: the interior of a padded (..., *Sp) array."""
        if not any(lo or hi for lo, hi in self.pads):
            return a
        return a[self._interior(spatial)]

    def _interior(self, spatial):
        return (Ellipsis,) + tuple(slice(lo, lo + s) for s, (lo, _) in zip(spatial, self.pads))

    def windows(self, ap, ksize, osize):
        """Read-only view (N, C, *O, *K) of the windows of a padded array ``ap``."""
        st = ap.strides
        sp = st[2:]
        shape = ap.shape[:2] + tuple(osize) + tuple(ksize)
        strides = st[:2] + tuple(s * k for s, k in zip(sp, self.stride)) + \
            tuple(s * d for s, d in zip(sp, self.dilation))
        return _xp(ap).lib.stride_tricks.as_strided(ap, shape, strides, writeable=False)

    def offsets(self, ksize, osize):
        """For every kernel offset, the slices of a padded array its window entries hit."""
        for kk in itertools.product(*(range(k) for k in ksize)):
            yield kk, (slice(None), slice(None)) + tuple(
                slice(k * d, k * d + s * (o - 1) + 1, s)
                for k, d, s, o in zip(kk, self.dilation, self.stride, osize))

    def col2im(self, cols, ksize, spatial):
        """Adjoint of ``windows``: add each window entry of ``cols`` (N, C, *K, *O) back
        where it came from, on an unpadded (N, C, *spatial) array."""
        n = len(ksize)
        osize = cols.shape[2 + n:]
        shape = cols.shape[:2] + tuple(s + lo + hi for s, (lo, hi) in zip(spatial, self.pads))
        xp = _xp(cols)
        out = xp.zeros(shape, dtype=cols.dtype)
        # kernel axes first: each offset then adds one contiguous block (twice as fast)
        cols = xp.ascontiguousarray(xp.moveaxis(cols, tuple(range(2, 2 + n)), tuple(range(n))))
        for kk, sl in self.offsets(ksize, osize):
            out[sl] += cols[kk]
        return self.crop(out, spatial)


def _im2col(x, ksize, geom: Geom, osize=None):
    """(N, G, Cg*K, L) matrix of the windows of ``x`` (a fresh contiguous array); only the
    first ``osize`` window positions when given (a transposed convolution's output
    padding leaves some unused)."""
    n = len(ksize)
    if osize is None:
        osize = geom.out_size(x.shape[2:], ksize)
    w = geom.windows(geom.padded(x), ksize, osize)
    nd = w.ndim
    order = (0, 1) + tuple(range(2 + n, nd)) + tuple(range(2, 2 + n))
    N, C = x.shape[:2]
    return w.transpose(order).reshape(N, geom.groups, -1, _prod(osize)), osize


def _prod(xs):
    r = 1
    for x in xs:
        r *= x
    return r


def _sum_axes(ndim):
    return (0,) + tuple(range(2, ndim))


# -- convolution: the map, its input adjoint and its weight adjoint ------------------
class Convolution(Primitive):
    """y = conv(x, w) + b on (N, C, *S) arrays; ``osize`` limits the output positions."""

    node_name = "ConvolutionBackward0"

    @staticmethod
    def forward(ctx, x, w, b, geom, osize=None):
        ksize = w.shape[2:]
        cols, osize = _im2col(x, ksize, geom, osize)
        G = geom.groups
        out = _xp(x).matmul(w.reshape(G, w.shape[0] // G, -1), cols)
        out = out.reshape((x.shape[0], w.shape[0]) + osize)
        if b is not None:
            out += b.reshape((-1,) + (1,) * len(osize))
        ctx.save_for_backward(x, w)
        ctx.geom, ctx.cols = geom, cols
        return out

    @staticmethod
    def backward(ctx, grad):
        x, w = ctx.saved_tensors
        nx, nw, nb = ctx.needs_input_grad[:3]
        geom = ctx.geom
        gx = ConvTranspose.apply(grad, w, None, geom, x.shape[2:]) if nx else None
        gw = ConvWeight.apply(x, grad, geom, w.shape[2:], ctx.cols) if nw else None
        gb = grad.sum(_sum_axes(grad.ndim)) if nb else None
        return gx, gw, gb, None, None


class ConvTranspose(Primitive):
    """x = conv_transpose(y, w) + b: the adjoint of ``Convolution`` in its input,
    producing an (N, C, *spatial) array."""

    node_name = "ConvolutionBackward0"

    @staticmethod
    def forward(ctx, y, w, b, geom, spatial):
        G = geom.groups
        ksize = w.shape[2:]
        N, O = y.shape[:2]
        osize = y.shape[2:]
        wg = w.reshape(G, O // G, -1)
        cols = _xp(y).matmul(wg.transpose(0, 2, 1), y.reshape(N, G, O // G, -1))
        cols = cols.reshape((N, G * w.shape[1]) + tuple(ksize) + tuple(osize))
        out = geom.col2im(cols, ksize, spatial)
        if not out.flags.c_contiguous:
            out = _xp(out).ascontiguousarray(out)
        if b is not None:
            out += b.reshape((-1,) + (1,) * len(osize))
        ctx.save_for_backward(y, w)
        ctx.geom = geom
        return out

    @staticmethod
    def backward(ctx, grad):
        y, w = ctx.saved_tensors
        ny, nw, nb = ctx.needs_input_grad[:3]
        geom = ctx.geom
        gy = Convolution.apply(grad, w, None, geom, y.shape[2:]) if ny else None
        gw = ConvWeight.apply(grad, y, geom, w.shape[2:], None) if nw else None
        gb = grad.sum(_sum_axes(grad.ndim)) if nb else None
        return gy, gw, gb, None, None


class ConvWeight(Primitive):
    """dw = the adjoint of ``Convolution`` in its weight, for input ``x`` and
    output-space ``y``; ``cols`` is ``x``'s im2col matrix when the forward kept it."""

    node_name = "ConvolutionBackwardBackward0"

    @staticmethod
    def forward(ctx, x, y, geom, ksize, cols):
        if cols is None:
            cols, _ = _im2col(x, ksize, geom, y.shape[2:])
        G = geom.groups
        N, O = y.shape[:2]
        yg = y.reshape(N, G, O // G, -1)
        gw = _xp(y).matmul(yg, cols.transpose(0, 1, 3, 2)).sum(0)
        ctx.save_for_backward(x, y)
        ctx.geom = geom
        return gw.reshape((O, -1) + tuple(ksize))

    @staticmethod
    def backward(ctx, grad):
        x, y = ctx.saved_tensors
        nx, ny = ctx.needs_input_grad[:2]
        geom = ctx.geom
        gx = ConvTranspose.apply(y, grad, None, geom, x.shape[2:]) if nx else None
        gy = Convolution.apply(x, grad, None, geom, y.shape[2:]) if ny else None
        return gx, gy, None, None, None


# -- linear maps paired with their adjoints ---------------------------------------
def _linear_pair(name, fwd, adj, node_name=None, adj_node_name=None):
    """Two primitives for a linear map ``fwd(a, p)`` and its adjoint ``adj(a, p)``
    (``p``: the map's fixed parameters); each one's backward applies the other."""
    def f_forward(ctx, a, p):
        ctx.p = p
        return fwd(a, p)

    def f_backward(ctx, grad):
        return A.apply(grad, ctx.p), None

    def a_forward(ctx, a, p):
        ctx.p = p
        return adj(a, p)

    def a_backward(ctx, grad):
        return F.apply(grad, ctx.p), None

    F = type(name, (Primitive,), {"forward": staticmethod(f_forward),
                                  "backward": staticmethod(f_backward),
                                  "node_name": node_name or name + "Backward0",
                                  "__module__": __name__})
    A = type(name + "Adjoint", (Primitive,), {"forward": staticmethod(a_forward),
                                              "backward": staticmethod(a_backward),
                                              "node_name": adj_node_name or name +
                                              "BackwardBackward0",
                                              "__module__": __name__})
    return F, A


# im2col / col2im as tensors (unfold / fold). p = (geom, ksize, spatial)
def _unfold_fwd(x, p):
    geom, ksize, _ = p
    cols, _ = _im2col(x, ksize, geom)
    return cols.reshape(x.shape[0], -1, cols.shape[-1])


def _unfold_adj(cols, p):
    geom, ksize, spatial = p
    N = cols.shape[0]
    osize = geom.out_size(spatial, ksize)
    out = geom.col2im(cols.reshape((N, -1) + tuple(ksize) + osize), ksize, spatial)
    return out if out.flags.c_contiguous else _xp(out).ascontiguousarray(out)


Im2Col, Col2Im = _linear_pair("Im2Col", _unfold_fwd, _unfold_adj, "Im2ColBackward0",
                              "Col2ImBackward0")


# windowed sums divided by a divisor (average pooling). p = (geom, ksize, spatial, div)
def _avg_fwd(x, p):
    geom, ksize, spatial, div = p
    osize = geom.out_size(spatial, ksize)
    xp_ = geom.padded(x)
    out = None
    for _, sl in geom.offsets(ksize, osize):
        out = xp_[sl].copy() if out is None else out.__iadd__(xp_[sl])
    out /= div
    return out


def _avg_adj(g, p):
    geom, ksize, spatial, div = p
    osize = g.shape[2:]
    g = (g / div).astype(g.dtype, copy=False)
    shape = g.shape[:2] + tuple(s + lo + hi for s, (lo, hi) in zip(spatial, geom.pads))
    out = _xp(g).zeros(shape, dtype=g.dtype)
    for _, sl in geom.offsets(ksize, osize):
        out[sl] += g
    out = geom.crop(out, spatial)
    return out if out.flags.c_contiguous else _xp(out).ascontiguousarray(out)


AvgPool, AvgPoolAdjoint = _linear_pair("AvgPool", _avg_fwd, _avg_adj)


# gather by flat index / scatter-add by flat index. p = (index array, source shape, unique)
def _take_fwd(a, p):
    idx, _, _ = p
    return a.reshape(-1)[idx]


def _put_fwd(g, p):
    idx, shape, unique = p
    xp = _xp(g)
    n = _prod(shape)
    if unique:
        out = xp.zeros(n, dtype=g.dtype)
        out[idx.reshape(-1)] = g.reshape(-1)
    else:
        out = xp.bincount(idx.reshape(-1), weights=g.reshape(-1), minlength=n).astype(g.dtype)
    return out.reshape(shape)


Take, Put = _linear_pair("Take", _take_fwd, _put_fwd, "IndexBackward0", "IndexPutBackward0")


# gather along axes (nearest resampling, reflect / replicate / circular padding).
# p = tuple of (axis, index array, source length); the adjoint scatters them back.
def _axis_take(a, p):
    for ax, idx, _ in p:
        a = a.take(idx, axis=ax)
    return a


def _axis_put(g, p):
    xp = _xp(g)
    for ax, idx, n in reversed(p):
        shape = g.shape[:ax] + (n,) + g.shape[ax + 1:]
        out = xp.zeros(shape, dtype=g.dtype)
        xp.add.at(out, (slice(None),) * ax + (idx,), g)
        g = out
    return g


AxisTake, AxisPut = _linear_pair("AxisTake", _axis_take, _axis_put)


# -- constant padding and the crop that undoes it -------------------------------------
def _crop(g, geom):
    n = len(geom.pads)
    spatial = tuple(s - lo - hi for s, (lo, hi) in zip(g.shape[-n:], geom.pads))
    out = geom.crop(g, spatial)
    return out if out.flags.c_contiguous else _xp(out).ascontiguousarray(out)


class ConstantPad(Primitive):
    """Pad the trailing ``len(geom.pads)`` axes of an array with a constant."""

    node_name = "ConstantPadNdBackward0"

    @staticmethod
    def forward(ctx, x, geom, value):
        ctx.geom = geom
        out = geom.padded(x, value)
        return x.copy() if out is x else out

    @staticmethod
    def backward(ctx, grad):
        return _Crop.apply(grad, ctx.geom), None, None


class _Crop(Primitive):
    node_name = "ConstantPadNdBackwardBackward0"

    @staticmethod
    def forward(ctx, g, geom):
        ctx.geom = geom
        return _crop(g, geom)

    @staticmethod
    def backward(ctx, grad):
        return ConstantPad.apply(grad, ctx.geom, 0), None


# -- max pooling -------------------------------------------------------------------
def _lowest(dtype):
    return -np.inf if dtype.kind == "f" else np.iinfo(dtype).min


class MaxPool(Primitive):
    """Max over windows: returns the maxima and, for each, the flat index of its
    position within the input's spatial plane (as PyTorch's ``return_indices``).

    ``select(x) -> (out, local_index)`` does the geometry (strided or adaptive).
    """

    node_name = "MaxPoolWithIndicesBackward0"

    @staticmethod
    def forward(ctx, x, select, unique):
        out, local = select(x)
        N, C = x.shape[:2]
        plane = _prod(x.shape[2:])
        base = (_xp(x).arange(N * C, dtype=np.int64) * plane).reshape(
            (N, C) + (1,) * (local.ndim - 2))
        ctx.p = (local + base, x.shape, unique)
        return out, local

    @staticmethod
    def backward(ctx, grad, _):
        return Put.apply(grad, ctx.p), None, None


def strided_max(ksize, geom: Geom):
    """A ``MaxPool`` selector for fixed windows (kernel, stride, padding, dilation).

    Loops over the kernel offsets (a handful) with whole-array maxima, which beats
    an argmax over a copied window view by a wide margin.
    """
    def select(x):
        xp = _xp(x)
        spatial = x.shape[2:]
        osize = geom.out_size(spatial, ksize)
        xpad = geom.padded(x, _lowest(x.dtype))
        offs = list(geom.offsets(ksize, osize))
        out = xpad[offs[0][1]].copy()
        for _, sl in offs[1:]:
            xp.maximum(out, xpad[sl], out=out)
        # the first offset holding the maximum (a NaN counts as the maximum)
        nan = out.dtype.kind == "f" and bool(xp.isnan(out).any())
        k = xp.zeros(out.shape, dtype=np.int64)
        for i in range(len(offs) - 1, -1, -1):
            v = xpad[offs[i][1]]
            hit = v == out
            if nan:
                hit |= v != v
            xp.copyto(k, i, where=hit)
        # window offset -> input coordinate, one spatial axis at a time
        n = len(ksize)
        kpos = xp.unravel_index(k, ksize) if n > 1 else (k,)
        local = 0
        for i in range(n):
            o = xp.arange(osize[i]).reshape((-1,) + (1,) * (n - 1 - i))
            local = local * spatial[i] + (o * geom.stride[i] - geom.pads[i][0]) + \
                kpos[i] * geom.dilation[i]
        return out, local
    return select


def table_max(table, osize):
    """A ``MaxPool`` selector for windows given as a table (*O, K) of flat spatial
    indices (adaptive pooling, where window sizes vary)."""
    def select(x):
        N, C = x.shape[:2]
        vals = x.reshape(N, C, -1)[:, :, table]
        k = vals.argmax(-1)
        out = _xp(x).take_along_axis(vals, k[..., None], -1)[..., 0]
        local = table.reshape(-1, table.shape[-1])[
            _xp(x).arange(_prod(osize)).reshape(osize), k]
        return out, local.astype(np.int64, copy=False)
    return select


# -- normalisation ------------------------------------------------------------------
class Normalize(Primitive):
    """y = (x - mean) / sqrt(var + eps) * w + b, statistics over ``axes`` (biased var).

    ``w``/``b`` are None or arrays broadcasting against ``x``. Also returns the mean
    and the biased variance (non-differentiable outputs, for running statistics).
    The backward is one array expression; when a graph is being recorded (``create_graph``) it is
    recomputed from ember operations instead, so it can be differentiated again.
    """

    node_name = "NativeLayerNormBackward0"

    @staticmethod
    def forward(ctx, x, w, b, axes, eps):
        mean = x.mean(axis=axes, keepdims=True)
        xc = x - mean
        var = _xp(x).square(xc).mean(axis=axes, keepdims=True)
        invstd = 1.0 / _xp(x).sqrt(var + eps)
        invstd = invstd.astype(x.dtype, copy=False)
        xhat = xc * invstd
        y = xhat if w is None else xhat * w
        if b is not None:
            y = y + b
        elif y is xhat:
            y = xhat.copy()
        ctx.save_for_backward(x, w, b)
        ctx.xhat, ctx.invstd, ctx.axes, ctx.eps = xhat, invstd, axes, eps
        ctx.mark_non_differentiable(mean, var)
        return y, mean, var

    @staticmethod
    def backward(ctx, grad, _m, _v):
        x, w, b = ctx.saved_tensors
        nx, nw, nb = ctx.needs_input_grad[:3]
        if _state.enabled:
            return _normalize_grad_graph(ctx, x, w, b, grad)
        axes = ctx.axes
        g = grad._data
        xhat = ctx.xhat
        gxhat = g if w is None else g * w._data
        gx = gw = gb = None
        if nx:
            gx = (gxhat - gxhat.mean(axis=axes, keepdims=True)
                  - xhat * (gxhat * xhat).mean(axis=axes, keepdims=True)) * ctx.invstd
            gx = Tensor._make(gx, False, None, 0, [0])
        if nw:
            gw = Tensor._make(g * xhat, False, None, 0, [0])
        if nb:
            gb = grad
        return gx, gw, gb, None, None


def _normalize_grad_graph(ctx, x, w, b, grad):
    """``Normalize``'s backward as a differentiable graph (for create_graph)."""
    from ..autograd import grad as autograd_grad

    inputs = [t for t, need in zip((x, w, b), ctx.needs_input_grad) if need]
    y = normalize_composite(x, w, b, ctx.axes, ctx.eps)
    gs = iter(autograd_grad([y], inputs, [grad], create_graph=True, allow_unused=True))
    return tuple(next(gs) if need else None for need in ctx.needs_input_grad[:3]) + (None, None)


def normalize_composite(x, w, b, axes, eps):
    """``Normalize`` written with ember operations (differentiable to any order)."""
    mean = x.mean(axes, keepdim=True)
    xc = x - mean
    y = xc * ((xc * xc).mean(axes, keepdim=True) + eps).rsqrt()
    if w is not None:
        y = y * w
    if b is not None:
        y = y + b
    return y
