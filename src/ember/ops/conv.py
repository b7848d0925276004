"""Fused primitives for convolution, pooling, padding, resampling and normalisation.

Every linear map here comes with its adjoint as a second primitive, and each one's
backward calls the other, so ``create_graph=True`` differentiates to any order:
a convolution's input gradient is a transposed convolution, whose own input gradient
is the convolution again. Windows are strided views of the (padded) input
(``as_strided``); convolutions become a few BLAS products on one copy of them (see
``_Lowering``), and every scatter back loops over kernel offsets only, never over
batch items or pixels. Large temporaries are kept few: in NumPy, faulting in fresh
memory costs as much as the arithmetic on it.

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

    def padded_shape(self, shape):
        """``shape`` (..., *S) with the padding added to its trailing axes."""
        n = len(self.pads)
        return tuple(shape[:-n]) + tuple(s + lo + hi for s, (lo, hi)
                                         in zip(shape[-n:], self.pads))

    def padded(self, a, value=0):
        """``a`` (..., *S) padded with ``value``; ``a`` itself when there is no padding."""
        if not any(lo or hi for lo, hi in self.pads):
            return a
        n = len(self.pads)
        out = _xp(a).full(self.padded_shape(a.shape), value, dtype=a.dtype)
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
            yield kk, (Ellipsis,) + tuple(
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


def _im2col(x, ksize, geom: Geom):
    """The (N, C*K, L) matrix of the windows of ``x`` (a fresh contiguous array)."""
    n = len(ksize)
    osize = geom.out_size(x.shape[2:], ksize)
    w = geom.windows(geom.padded(x), ksize, osize)
    order = (0, 1) + tuple(range(2 + n, w.ndim)) + tuple(range(2, 2 + n))
    return w.transpose(order).reshape(x.shape[0], -1, _prod(osize))


def _contiguous(a):
    return a if a.flags.c_contiguous else _xp(a).ascontiguousarray(a)


def _prod(xs):
    r = 1
    for x in xs:
        r *= x
    return r


def _sum_axes(ndim):
    return (0,) + tuple(range(2, ndim))


# -- convolution: the map, its input adjoint and its weight adjoint ------------------
class _Lowering:
    """A convolution of (N, C, *S) arrays as a few matrix products ("half im2col").

    Only the axes after the first spatial one are unrolled: the input is copied once
    into ``cols`` (G, Cg*Kr, P0*M), rows (input channel, kernel offset along the other
    axes), columns (position along the first axis, batch item, output position along
    the other axes), M = N * prod(Or). For a kernel offset k0 along the first axis,
    the window entries are then the *contiguous* column range starting at k0*d0*M, so
    the convolution is K0 matrix products on views of ``cols``: the copy is Kr times
    the input rather than K times, and no product's output needs a transposing copy
    per kernel offset. This needs stride 1 on the first axis; other strides get a
    leading dummy axis of length 1 (then everything is unrolled: plain im2col).
    When gradients are wanted, ``full`` expands ``cols`` to plain im2col instead: one
    product each for the map, its input adjoint and (the skinny one) its weight adjoint
    beats K0 small ones, and the forward's copy serves the weight gradient.
    """

    __slots__ = ("geom", "lift", "ksize", "osize", "N", "M", "p0", "rest")

    def __init__(self, geom: Geom, ksize, osize, N):
        self.lift = geom.stride[0] != 1
        if self.lift:
            geom = Geom((1,) + geom.stride, ((0, 0),) + geom.pads, (1,) + geom.dilation,
                        geom.groups)
            ksize, osize = (1,) + tuple(ksize), (1,) + tuple(osize)
        self.geom, self.ksize, self.osize, self.N = geom, tuple(ksize), tuple(osize), N
        self.M = N * _prod(osize[1:])
        self.p0 = osize[0] + geom.dilation[0] * (ksize[0] - 1)  # rows of axis 0 used
        # the geometry of the unrolled axes alone
        self.rest = Geom(geom.stride[1:], geom.pads[1:], geom.dilation[1:])

    def up(self, a):
        """An (N, C, *S) array with the dummy axis, when there is one."""
        return a[:, :, None] if self.lift else a

    def down(self, a):
        """Undo ``up``."""
        return a[:, :, 0] if self.lift else a

    def span(self, k0):
        """The columns of ``cols`` that kernel offset ``k0`` (first axis) reads."""
        start = k0 * self.geom.dilation[0] * self.M
        return slice(start, start + self.osize[0] * self.M)

    def cols(self, x):
        """The (G, Cg*Kr, P0*M) matrix of ``x`` (N, C, *S)."""
        x, geom, n = self.up(x), self.geom, len(self.ksize)
        xp_ = geom.padded(x)[:, :, :self.p0]
        # windows (N, C, P0, *Or, 1, *Kr) with a unit kernel along axis 0
        w = geom.windows(xp_, (1,) + self.ksize[1:], (self.p0,) + self.osize[1:])
        w = w[(slice(None),) * (2 + n) + (0,)]
        # -> (C, *Kr, P0, N, *Or)
        order = (1,) + tuple(range(2 + n, 1 + 2 * n)) + (2, 0) + tuple(range(3, 2 + n))
        G, C = geom.groups, x.shape[1]
        return _xp(x).ascontiguousarray(w.transpose(order)).reshape(
            G, C // G * _prod(self.ksize[1:]), self.p0 * self.M)

    def full(self, cols):
        """Plain im2col from ``cols``: the (G, Cg*K, O0*M) matrix whose rows are (input
        channel, kernel offset), in the order of the weights' own layout. One copy of
        contiguous runs; ``cols`` itself when the first kernel axis has length 1."""
        K0 = self.ksize[0]
        if K0 == 1:
            return cols
        G, R, _ = cols.shape
        Kr = _prod(self.ksize[1:])
        s0, s1, s2 = cols.strides
        shape = (G, R // Kr, K0, Kr, self.osize[0] * self.M)
        strides = (s0, s1 * Kr, s2 * self.geom.dilation[0] * self.M, s1, s2)
        view = _xp(cols).lib.stride_tricks.as_strided(cols, shape, strides, writeable=False)
        return _xp(cols).ascontiguousarray(view).reshape(G, R * K0, -1)

    def fold(self, full):
        """Adjoint of ``full``: each kernel offset's rows added back onto the columns
        of ``cols`` it was copied from, giving a (G, Cg*Kr, P0*M) array."""
        K0 = self.ksize[0]
        if K0 == 1:
            return full
        G, R, L = full.shape
        full = full.reshape(G, R // K0 // _prod(self.ksize[1:]), K0, -1, L)
        cols = _xp(full).zeros(full.shape[:2] + full.shape[3:-1] + (self.p0 * self.M,),
                               dtype=full.dtype)
        for k0 in range(K0):
            cols[..., self.span(k0)] += full[:, :, k0]
        return cols.reshape(G, R // K0, -1)

    def products(self, wm, cols):
        """The convolution as (G, Og, O0*M): the sum over k0 of ``wm[k0]`` times the
        columns of ``cols`` that k0 reads. Also returns the scratch array of the same
        size that the partial products went through (None when K0 == 1), free for reuse."""
        mm = _xp(cols).matmul
        out = mm(wm[0], cols[:, :, self.span(0)])
        part = None
        for k0 in range(1, len(wm)):
            # one scratch product for all offsets: fresh pages are costly to fault in
            part = mm(wm[k0], cols[:, :, self.span(k0)], out=part)
            out += part
        return out, part

    def weight(self, w):
        """(O, Cg, *K) weights as (K0, G, Og, Cg*Kr), one matrix per offset along axis 0."""
        w = self.up(w)
        O, Cg = w.shape[:2]
        G, K0, Kr = self.geom.groups, self.ksize[0], _prod(self.ksize[1:])
        return _xp(w).ascontiguousarray(
            w.reshape(G, O // G, Cg, K0, Kr).transpose(3, 0, 1, 2, 4)).reshape(
            K0, G, O // G, Cg * Kr)

    def outputs(self, y):
        """Output-space (N, O, *O) values as the matrix (G, Og, O0*M) the products give."""
        y = self.up(y)
        G, n = self.geom.groups, len(self.osize)
        yt = y.transpose((1, 2, 0) + tuple(range(3, 2 + n)))
        return _xp(y).ascontiguousarray(yt).reshape(
            G, y.shape[1] // G, self.osize[0] * self.M)

    def unoutputs(self, m, b=None, buf=None):
        """Undo ``outputs``: (G, Og, O0*M) -> an (N, O, *O) array, plus bias ``b``;
        written into ``buf`` (a contiguous array of ``m``'s size) when given."""
        n = len(self.osize)
        m = m.reshape((m.shape[0] * m.shape[1], self.osize[0], self.N) + self.osize[1:])
        m = m.transpose((2, 0, 1) + tuple(range(3, 2 + n)))
        out = _xp(m).empty(m.shape, dtype=m.dtype) if buf is None else buf.reshape(m.shape)
        if b is None:
            out[...] = m
        else:  # the bias rides along with the transposing copy
            _xp(m).add(m, b.reshape((-1,) + (1,) * n), out=out)
        return self.down(out)

    def uncols(self, cols, spatial):
        """Adjoint of ``cols``: each entry added back where it came from, giving an
        unpadded (N, C, *spatial) array."""
        geom, n = self.geom, len(self.ksize)
        spatial = ((1,) if self.lift else ()) + tuple(spatial)
        kr, orr = self.ksize[1:], self.osize[1:]
        C = cols.shape[0] * cols.shape[1] // _prod(kr)
        cols = cols.reshape((C,) + kr + (self.p0, self.N) + orr)
        # (C, P0full, N, *Sr): the kernel offsets along the other axes add strided blocks
        padded = geom.padded_shape((1, 1) + spatial)[2:]
        out = _xp(cols).zeros((C, padded[0], self.N) + padded[1:], dtype=cols.dtype)
        rows = out[:, :self.p0]
        for kk, sl in self.rest.offsets(kr, orr):
            rows[sl] += cols[(slice(None),) + kk]
        out = out.transpose((2, 0, 1) + tuple(range(3, 2 + n)))
        return self.down(_xp(out).ascontiguousarray(geom.crop(out, spatial)))


class Convolution(Primitive):
    """y = conv(x, w) + b on (N, C, *S) arrays; ``osize`` limits the output positions."""

    node_name = "ConvolutionBackward0"

    @staticmethod
    def forward(ctx, x, w, b, geom, osize=None):
        ksize = w.shape[2:]
        if osize is None:
            osize = geom.out_size(x.shape[2:], ksize)
        low = _Lowering(geom, ksize, osize, x.shape[0])
        cols = low.cols(x)
        if _state.enabled:
            # training: one product on the plain im2col, which the weight gradient reuses
            cols = low.full(cols)
            G, R = cols.shape[:2]
            out, scratch = _xp(x).matmul(w.reshape(G, -1, R), cols), None
        else:
            out, scratch = low.products(low.weight(w), cols)
        ctx.save_for_backward(x, w)
        ctx.geom, ctx.cols = geom, cols
        return low.unoutputs(out, b, scratch)

    @staticmethod
    def backward(ctx, grad):
        x, w = ctx.saved_tensors
        nx, nw, nb = ctx.needs_input_grad[:3]
        geom = ctx.geom
        # both adjoints start from the gradient in matrix layout: convert it once
        gm = _Lowering(geom, w.shape[2:], grad.shape[2:], grad.shape[0]).outputs(
            grad._data) if nx and nw else None
        gx = ConvTranspose.apply(grad, w, None, geom, x.shape[2:], gm) if nx else None
        gw = ConvWeight.apply(x, grad, geom, w.shape[2:], ctx.cols, gm) if nw else None
        gb = grad.sum(_sum_axes(grad.ndim)) if nb else None
        return gx, gw, gb, None, None


class ConvTranspose(Primitive):
    """x = conv_transpose(y, w) + b: the adjoint of ``Convolution`` in its input,
    producing an (N, C, *spatial) array; ``ym`` is ``y`` in matrix layout
    (``_Lowering.outputs``) when the caller already has it."""

    node_name = "ConvolutionBackward0"

    @staticmethod
    def forward(ctx, y, w, b, geom, spatial, ym=None):
        low = _Lowering(geom, w.shape[2:], y.shape[2:], y.shape[0])
        G = geom.groups
        wt = w.reshape(G, w.shape[0] // G, -1).transpose(0, 2, 1)
        # one product gives the plain im2col of the result; fold then uncols scatter it
        cols = low.fold(_xp(y).matmul(wt, low.outputs(y) if ym is None else ym))
        out = low.uncols(cols, spatial)
        if b is not None:
            out += b.reshape((-1,) + (1,) * len(spatial))
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
        return gy, gw, gb, None, None, None


class ConvWeight(Primitive):
    """dw = the adjoint of ``Convolution`` in its weight, for input ``x`` and
    output-space ``y``; ``cols`` is ``x``'s lowered matrix when the forward kept it,
    ``ym`` that of ``y`` when the caller has it."""

    node_name = "ConvolutionBackwardBackward0"

    @staticmethod
    def forward(ctx, x, y, geom, ksize, cols, ym=None):
        low = _Lowering(geom, ksize, y.shape[2:], x.shape[0])
        if cols is None:
            cols = low.full(low.cols(x))
        # one skinny product over all positions: (G, Og, L) x (G, L, Cg*K)
        gw = _xp(y).matmul(low.outputs(y) if ym is None else ym, cols.transpose(0, 2, 1))
        ctx.save_for_backward(x, y)
        ctx.geom = geom
        return low.down(gw.reshape((-1, x.shape[1] // geom.groups) + low.ksize))

    @staticmethod
    def backward(ctx, grad):
        x, y = ctx.saved_tensors
        nx, ny = ctx.needs_input_grad[:2]
        geom = ctx.geom
        gx = ConvTranspose.apply(y, grad, None, geom, x.shape[2:]) if nx else None
        gy = Convolution.apply(x, grad, None, geom, y.shape[2:]) if ny else None
        return gx, gy, None, None, None, None


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
    return _im2col(x, ksize, geom)


def _unfold_adj(cols, p):
    geom, ksize, spatial = p
    N = cols.shape[0]
    osize = geom.out_size(spatial, ksize)
    out = geom.col2im(cols.reshape((N, -1) + tuple(ksize) + osize), ksize, spatial)
    return _contiguous(out)


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
    out = _xp(g).zeros(geom.padded_shape(g.shape[:2] + tuple(spatial)), dtype=g.dtype)
    for _, sl in geom.offsets(ksize, osize):
        out[sl] += g
    out = geom.crop(out, spatial)
    return _contiguous(out)


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
    return _contiguous(out)


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
    """Max over windows. Returns the maxima and, with ``indices``, also the flat index
    of each within the input's spatial plane (PyTorch's ``return_indices``).

    ``windows`` (``StridedMax`` or ``TableMax``) does the geometry. Where each
    maximum sits is only worked out when ``track`` is set (a graph is being recorded,
    or indices were asked for): inference pays for the maxima alone.
    """

    node_name = "MaxPoolWithIndicesBackward0"

    @staticmethod
    def forward(ctx, x, windows, track, indices):
        out, arg = windows.select(x, track or indices)
        ctx.p = (windows, arg, x.shape)
        return (out, windows.flat_index(arg, x.shape)) if indices else out

    @staticmethod
    def backward(ctx, grad, *_):
        return MaxScatter.apply(grad, ctx.p), None, None, None


def _pick(g, mask, out=None):
    """``g`` where ``mask`` holds, else 0 (written into ``out`` when given). A product
    is several times faster than ``where`` on scattered masks; it is exact unless ``g``
    has an inf or a NaN."""
    xp = _xp(g)
    if g.dtype.kind in "fc" and not bool(xp.isfinite(g).all()):
        r = xp.where(mask, g, xp.zeros((), g.dtype))
        if out is None:
            return r
        out[...] = r
        return out
    return xp.multiply(g, mask, out=out)


class StridedMax:
    """``MaxPool`` geometry for fixed windows (kernel, stride, padding, dilation).

    ``arg`` is the position of a window's first maximum within the window, a small
    unsigned integer. Everything loops over the kernel offsets (a handful) with
    whole-array operations on strided slices, which beats an argmax over a copied
    window view (or masked writes) by a wide margin.
    """

    __slots__ = ("ksize", "geom")

    def __init__(self, ksize, geom: Geom):
        self.ksize = tuple(ksize)
        self.geom = geom

    def _slices(self, osize):
        return [sl for _, sl in self.geom.offsets(self.ksize, osize)]

    def select(self, x, track):
        """The window maxima and (when ``track``) their ``arg``, or None."""
        xp = _xp(x)
        osize = self.geom.out_size(x.shape[2:], self.ksize)
        xpad = self.geom.padded(x, _lowest(x.dtype))
        sls = self._slices(osize)
        out = xpad[sls[0]].copy()
        for sl in sls[1:]:
            xp.maximum(out, xpad[sl], out=out)
        if not track:
            return out, None
        # arg = the number of offsets before the first that holds the maximum (a NaN
        # counts as the maximum): count the offsets at which none has been found yet
        nan = out.dtype.kind == "f" and bool(xp.isnan(out).any())
        found = xp.zeros(out.shape, dtype=bool)
        arg = xp.zeros(out.shape, dtype=np.min_scalar_type(len(sls) - 1))
        for sl in sls[:-1]:
            v = xpad[sl]
            found |= v == out
            if nan:
                found |= v != v
            arg += ~found
        return out, arg

    def flat_index(self, arg, shape):
        """Flat index of each maximum within its (unpadded) input plane."""
        xp = _xp(arg)
        n = len(self.ksize)
        spatial, osize, geom = shape[2:], arg.shape[2:], self.geom
        kpos = xp.unravel_index(arg, self.ksize) if n > 1 else (arg,)
        local = 0
        for i in range(n):
            o = xp.arange(osize[i], dtype=np.int64).reshape((-1,) + (1,) * (n - 1 - i))
            local = local * spatial[i] + (o * geom.stride[i] - geom.pads[i][0]) + \
                kpos[i].astype(np.int64) * geom.dilation[i]
        return local

    def _tiles(self, spatial, osize):
        """Whether the windows cover an unpadded ``spatial`` plane exactly once."""
        geom = self.geom
        return all(lo == hi == 0 and st == k and d == 1 and s == o * k for k, st, d, (lo, hi), s, o
                   in zip(self.ksize, geom.stride, geom.dilation, geom.pads, spatial, osize))

    def put(self, g, arg, shape):
        """Each of ``g``'s values added at its window's maximum, on an array of ``shape``."""
        geom, osize = self.geom, g.shape[2:]
        if self._tiles(shape[2:], osize):
            # every input position lies in one window: each offset writes its own
            # slice outright, with no zero fill, no accumulation and no crop
            out = _xp(g).empty(shape, dtype=g.dtype)
            for i, sl in enumerate(self._slices(osize)):
                _pick(g, arg == i, out[sl])
            return out
        out = _xp(g).zeros(geom.padded_shape(shape), dtype=g.dtype)
        for i, sl in enumerate(self._slices(osize)):
            out[sl] += _pick(g, arg == i)
        return _contiguous(geom.crop(out, shape[2:]))

    def take(self, a, arg):
        """The values of ``a`` at the window maxima (the adjoint of ``put``)."""
        ap = self.geom.padded(a)
        out = None
        for i, sl in enumerate(self._slices(arg.shape[2:])):
            v = _pick(ap[sl], arg == i)
            out = v if out is None else out.__iadd__(v)
        return out


class TableMax:
    """``MaxPool`` geometry for windows given as a table (*O, K) of flat spatial
    indices (adaptive pooling, where window sizes vary); ``arg`` is the flat spatial
    index of each maximum. ``unique``: no two windows share an input position."""

    __slots__ = ("table", "osize", "unique")

    def __init__(self, table, osize, unique):
        self.table, self.osize, self.unique = table, tuple(osize), unique

    def select(self, x, track):
        """The window maxima and (when ``track``) their ``arg``, or None."""
        N, C = x.shape[:2]
        vals = x.reshape(N, C, -1)[:, :, self.table]
        if not track:
            return vals.max(-1), None
        k = vals.argmax(-1)
        out = _xp(x).take_along_axis(vals, k[..., None], -1)[..., 0]
        arg = self.table.reshape(-1, self.table.shape[-1])[
            _xp(x).arange(_prod(self.osize)).reshape(self.osize), k]
        return out, arg.astype(np.int64, copy=False)

    def flat_index(self, arg, shape):
        """Flat index of each maximum within its input plane."""
        return arg

    def put(self, g, arg, shape):
        """Each of ``g``'s values added at its window's maximum, on an array of ``shape``."""
        return _put_fwd(g, (_plane_offsets(arg, shape), shape, self.unique))

    def take(self, a, arg):
        """The values of ``a`` at the window maxima (the adjoint of ``put``)."""
        return _take_fwd(a, (_plane_offsets(arg, a.shape), None, None))


def _plane_offsets(local, shape):
    """Flat indices within planes of an (N, C, *S) array -> flat indices into the whole."""
    N, C = shape[:2]
    base = _xp(local).arange(N * C, dtype=np.int64) * _prod(shape[2:])
    return local + base.reshape((N, C) + (1,) * (local.ndim - 2))


# scatter to / gather from each window's maximum. p = (windows, arg, input shape)
def _max_put(g, p):
    windows, arg, shape = p
    return windows.put(g, arg, shape)


def _max_take(a, p):
    windows, arg, _ = p
    return windows.take(a, arg)


MaxScatter, MaxGather = _linear_pair("MaxScatter", _max_put, _max_take,
                                     "MaxPoolWithIndicesBackwardBackward0")


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
