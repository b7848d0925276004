"""Convolution, pooling, padding, resampling and fold/unfold, as torch.nn.functional.

These check their arguments (with PyTorch's messages) and hand the work to the fused
primitives of ``ember.ops.conv``. Unbatched inputs (no batch axis) get one added and
removed again, as in PyTorch.
"""
from __future__ import annotations

import math
from typing import Optional, Sequence, Union

import numpy as np

from ..._tensor import Tensor
from ...autograd.grad_mode import is_grad_enabled
from ...ops import conv as C
from ...ops._util import const

__all__ = [
    "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d", "conv_transpose3d",
    "max_pool1d", "max_pool2d", "max_pool3d", "max_pool1d_with_indices",
    "max_pool2d_with_indices", "max_pool3d_with_indices", "avg_pool1d", "avg_pool2d",
    "avg_pool3d", "adaptive_avg_pool1d", "adaptive_avg_pool2d", "adaptive_avg_pool3d",
    "adaptive_max_pool1d", "adaptive_max_pool2d", "adaptive_max_pool3d",
    "adaptive_max_pool1d_with_indices", "adaptive_max_pool2d_with_indices",
    "adaptive_max_pool3d_with_indices", "max_unpool1d", "max_unpool2d", "max_unpool3d",
    "lp_pool1d", "lp_pool2d", "lp_pool3d", "pad", "interpolate", "upsample", "upsample_nearest",
    "upsample_bilinear", "unfold", "fold", "pixel_shuffle", "pixel_unshuffle", "channel_shuffle",
    "native_channel_shuffle",
]

_IntOrSeq = Union[int, Sequence[int]]


def _ntuple(v, n: int, name: str = "") -> tuple:
    if isinstance(v, Tensor):
        v = v.tolist()
    if isinstance(v, (list, tuple)):
        if len(v) == 1:
            return (int(v[0]),) * n
        if len(v) != n:
            raise RuntimeError(f"expected {name} to be a single integer value or a list of {n} "
                               f"values to match the convolution dimensions, but got "
                               f"{name}={list(v)}")
        return tuple(int(x) for x in v)
    return (int(v),) * n


def _size_str(shape) -> str:
    return "[" + ", ".join(str(s) for s in shape) + "]"


def _x(shape) -> str:
    return " x ".join(str(s) for s in shape)


def _batched(input: Tensor, n: int, what: str):
    """``input`` with a batch axis (added when unbatched) and whether one was added."""
    d = input.dim()
    if d == n + 1:
        return input.unsqueeze(0), True
    if d == n + 2:
        return input, False
    raise RuntimeError(f"Expected {n + 1}D (unbatched) or {n + 2}D (batched) input to {what}, "
                       f"but got input of size: {_size_str(input.shape)}")


def _type_name(t: Tensor) -> str:
    return {"float32": "Float", "float64": "Double", "float16": "Half", "int64": "Long",
            "int32": "Int", "bfloat16": "BFloat16"}.get(t.dtype.name, t.dtype.name)


# -- convolution -------------------------------------------------------------------
def _conv_pads(padding, ksize, dilation, stride):
    """(low, high) pairs for a ``padding`` argument (ints or 'same' / 'valid')."""
    n = len(ksize)
    if isinstance(padding, str):
        if padding == "valid":
            return ((0, 0),) * n
        if padding == "same":
            if any(s != 1 for s in stride):
                raise RuntimeError("padding='same' is not supported for strided convolutions")
            # an odd total goes to the high side, as PyTorch does
            tot = [d * (k - 1) for k, d in zip(ksize, dilation)]
            return tuple((t // 2, t - t // 2) for t in tot)
        raise RuntimeError(f"Invalid padding string: '{padding}'")
    p = _ntuple(padding, n, "padding")
    if any(v < 0 for v in p):
        raise RuntimeError("negative padding is not supported")
    return tuple((v, v) for v in p)


def _check_geometry(stride, dilation):
    if any(s <= 0 for s in stride):
        raise RuntimeError("non-positive stride is not supported")
    if any(d <= 0 for d in dilation):
        raise RuntimeError("dilation should be greater than zero")


def _check_weight(input, weight, bias, groups, transposed):
    if weight.dtype != input.dtype:
        raise RuntimeError(f"expected scalar type {_type_name(input)} but found "
                           f"{_type_name(weight)}")
    if groups <= 0:
        raise RuntimeError("non-positive groups is not supported")
    if not transposed and weight.shape[0] % groups:
        raise RuntimeError(f"Given groups={groups}, expected weight to be divisible by {groups} "
                           f"at dimension 0, but got weight of size {_size_str(weight.shape)} "
                           f"instead")
    c_in = weight.shape[0] if transposed else weight.shape[1] * groups
    if input.shape[1] != c_in:
        head = "Given transposed=1, weight of size" if transposed else \
            f"Given groups={groups}, weight of size"
        raise RuntimeError(f"{head} {_size_str(weight.shape)}, expected input"
                           f"{_size_str(input.shape)} to have {c_in} channels, but got "
                           f"{input.shape[1]} channels instead")
    out_c = weight.shape[1] * groups if transposed else weight.shape[0]
    if bias is not None:
        if bias.dim() != 1 or bias.shape[0] != out_c:
            raise RuntimeError(f"Given weight of size {_size_str(weight.shape)}, expected bias "
                               f"to be 1-dimensional with {out_c} elements, but got bias of "
                               f"size {_size_str(bias.shape)} instead")
        if bias.dtype != input.dtype:
            raise RuntimeError(f"expected scalar type {_type_name(input)} but found "
                               f"{_type_name(bias)}")


def _convnd(n, input, weight, bias, stride, padding, dilation, groups):
    x, unbatched = _batched(input, n, f"conv{n}d")
    if weight.dim() != n + 2:
        raise RuntimeError("weight should have at least three dimensions")
    stride = _ntuple(stride, n, "stride")
    dilation = _ntuple(dilation, n, "dilation")
    _check_geometry(stride, dilation)
    ksize = tuple(weight.shape[2:])
    pads = _conv_pads(padding, ksize, dilation, stride)
    _check_weight(x, weight, bias, groups, False)
    padded = tuple(s + lo + hi for s, (lo, hi) in zip(x.shape[2:], pads))
    eff = tuple(d * (k - 1) + 1 for k, d in zip(ksize, dilation))
    if any(p < e for p, e in zip(padded, eff)):
        raise RuntimeError(f"Calculated padded input size per channel: ({_x(padded)}). Kernel "
                           f"size: ({_x(eff)}). Kernel size can't be greater than actual input "
                           f"size")
    out = C.Convolution.apply(x, weight, bias, C.Geom(stride, pads, dilation, groups))
    return out.squeeze(0) if unbatched else out


def conv1d(input: Tensor, weight: Tensor, bias: Optional[Tensor] = None, stride: _IntOrSeq = 1,
           padding: Union[_IntOrSeq, str] = 0, dilation: _IntOrSeq = 1,
           groups: int = 1) -> Tensor:
    """1-D convolution (cross-correlation) of an (N, C, L) or (C, L) input."""
    return _convnd(1, input, weight, bias, stride, padding, dilation, groups)


def conv2d(input: Tensor, weight: Tensor, bias: Optional[Tensor] = None, stride: _IntOrSeq = 1,
           padding: Union[_IntOrSeq, str] = 0, dilation: _IntOrSeq = 1,
           groups: int = 1) -> Tensor:
    """2-D convolution (cross-correlation) of an (N, C, H, W) or (C, H, W) input."""
    return _convnd(2, input, weight, bias, stride, padding, dilation, groups)


def conv3d(input: Tensor, weight: Tensor, bias: Optional[Tensor] = None, stride: _IntOrSeq = 1,
           padding: Union[_IntOrSeq, str] = 0, dilation: _IntOrSeq = 1,
           groups: int = 1) -> Tensor:
    """3-D convolution (cross-correlation) of an (N, C, D, H, W) or (C, D, H, W) input."""
    return _convnd(3, input, weight, bias, stride, padding, dilation, groups)


def _conv_transposend(n, input, weight, bias, stride, padding, output_padding, groups,
                      dilation):
    x, unbatched = _batched(input, n, f"conv_transpose{n}d")
    stride = _ntuple(stride, n, "stride")
    dilation = _ntuple(dilation, n, "dilation")
    _check_geometry(stride, dilation)
    pad = _ntuple(padding, n, "padding")
    if any(v < 0 for v in pad):
        raise RuntimeError("negative padding is not supported")
    opad = _ntuple(output_padding, n, "output_padding")
    if any(o >= s and o >= d for o, s, d in zip(opad, stride, dilation)):
        names = ("depth", "height", "width")[3 - n:] if n > 1 else ("width",)
        parts = [f"output_padding_{nm}: {o}" for nm, o in zip(names, opad)] + \
            [f"stride_{nm}: {s}" for nm, s in zip(names, stride)] + \
            [f"dilation_{nm}: {d}" for nm, d in zip(names, dilation)]
        raise RuntimeError("output padding must be smaller than either stride or dilation, but "
                           "got " + " ".join(parts))
    _check_weight(x, weight, bias, groups, True)
    ksize = tuple(weight.shape[2:])
    spatial = tuple((i - 1) * s - 2 * p + d * (k - 1) + o + 1 for i, s, p, d, k, o
                    in zip(x.shape[2:], stride, pad, dilation, ksize, opad))
    if any(s <= 0 for s in spatial):
        raise RuntimeError(f"Given input size per channel: ({_x(x.shape[2:])}). Calculated "
                           f"output size per channel: ({_x(spatial)}). Output size is too small")
    geom = C.Geom(stride, tuple((p, p) for p in pad), dilation, groups)
    out = C.ConvTranspose.apply(x, weight, bias, geom, spatial)
    return out.squeeze(0) if unbatched else out


def conv_transpose1d(input: Tensor, weight: Tensor, bias: Optional[Tensor] = None,
                     stride: _IntOrSeq = 1, padding: _IntOrSeq = 0,
                     output_padding: _IntOrSeq = 0, groups: int = 1,
                     dilation: _IntOrSeq = 1) -> Tensor:
    """1-D transposed convolution (the gradient of conv1d with respect to its input)."""
    return _conv_transposend(1, input, weight, bias, stride, padding, output_padding, groups,
                             dilation)


def conv_transpose2d(input: Tensor, weight: Tensor, bias: Optional[Tensor] = None,
                     stride: _IntOrSeq = 1, padding: _IntOrSeq = 0,
                     output_padding: _IntOrSeq = 0, groups: int = 1,
                     dilation: _IntOrSeq = 1) -> Tensor:
    """2-D transposed convolution (the gradient of conv2d with respect to its input)."""
    return _conv_transposend(2, input, weight, bias, stride, padding, output_padding, groups,
                             dilation)


def conv_transpose3d(input: Tensor, weight: Tensor, bias: Optional[Tensor] = None,
                     stride: _IntOrSeq = 1, padding: _IntOrSeq = 0,
                     output_padding: _IntOrSeq = 0, groups: int = 1,
                     dilation: _IntOrSeq = 1) -> Tensor:
    """3-D transposed convolution (the gradient of conv3d with respect to its input)."""
    return _conv_transposend(3, input, weight, bias, stride, padding, output_padding, groups,
                             dilation)


# -- pooling -----------------------------------------------------------------------
def _pool_input(input: Tensor, n: int):
    d = input.dim()
    if d == n + 1 and all(s > 0 for s in input.shape):
        return input.unsqueeze(0), True
    if d == n + 2 and all(s > 0 for s in input.shape[1:]):
        return input, False
    raise RuntimeError(f"non-empty {n + 1}D or {n + 2}D (batch mode) tensor expected for input")


def _pool_geometry(x, n, kernel_size, stride, padding, dilation, ceil_mode):
    """Kernel, output size and ``Geom`` of a pooling window (ceil_mode as extra padding)."""
    ksize = _ntuple(kernel_size, n, "kernel_size")
    stride = ksize if stride is None or (isinstance(stride, (list, tuple)) and not stride) \
        else _ntuple(stride, n, "stride")
    pad = _ntuple(padding, n, "padding")
    dil = _ntuple(dilation, n, "dilation")
    if any(k <= 0 for k in ksize):
        raise RuntimeError("kernel size should be greater than zero, but got " +
                           " ".join(f"k{a}: {k}" for a, k in zip("dhw"[3 - n:], ksize)))
    if any(s <= 0 for s in stride):
        raise RuntimeError("stride should be greater than zero, but got " +
                           " ".join(f"d{a}: {s}" for a, s in zip("dhw"[3 - n:], stride)))
    for p, k, d in zip(pad, ksize, dil):
        if p > (d * (k - 1) + 1) // 2:
            raise RuntimeError(f"pad should be at most half of effective kernel size, but got "
                               f"pad={p}, kernel_size={k} and dilation={d}")
    spatial = tuple(x.shape[2:])
    osize, pads = [], []
    for s, k, st, p, d in zip(spatial, ksize, stride, pad, dil):
        span = s + 2 * p - d * (k - 1) - 1
        o = (-(-span // st) if ceil_mode else span // st) + 1
        if ceil_mode and (o - 1) * st >= s + p:
            o -= 1
        osize.append(o)
        pads.append((p, max(p, (o - 1) * st + d * (k - 1) + 1 - s - p)))
    if any(o <= 0 for o in osize):
        raise RuntimeError(f"Given input size: ({'x'.join(str(v) for v in x.shape[1:])}). "
                           f"Calculated output size: "
                           f"({'x'.join(str(v) for v in (x.shape[1],) + tuple(osize))}). "
                           f"Output size is too small")
    return ksize, tuple(osize), C.Geom(stride, pads, dil)


def _max_poolnd(n, input, kernel_size, stride, padding, dilation, ceil_mode, return_indices):
    x, unbatched = _pool_input(input, n)
    ksize, _, geom = _pool_geometry(x, n, kernel_size, stride, padding, dilation, ceil_mode)
    return _max_pool_apply(_max_pool_cls(n), x, C.StridedMax(ksize, geom), return_indices,
                           unbatched)


def _max_pool_apply(cls, x, windows, return_indices, unbatched):
    # where the maxima sit is only needed for indices or a gradient: not at inference
    track = x.requires_grad and is_grad_enabled()
    res = cls.apply(x, windows, track, return_indices)
    if unbatched:
        res = tuple(r.squeeze(0) for r in res) if return_indices else res.squeeze(0)
    return res


def _max_pool_cls(n, adaptive=False):
    return _MAXPOOL_CLS[(n, adaptive)]


_MAXPOOL_CLS = {
    (n, a): type(f"{'Adaptive' if a else ''}MaxPool{n}d", (C.MaxPool,), {
        "node_name": f"{'Adaptive' if a else ''}MaxPool{n}D{'' if a else 'WithIndices'}"
                     f"Backward0", "__module__": C.__name__})
    for n in (1, 2, 3) for a in (False, True)}


def max_pool1d(input: Tensor, kernel_size: _IntOrSeq, stride: Optional[_IntOrSeq] = None,
               padding: _IntOrSeq = 0, dilation: _IntOrSeq = 1, ceil_mode: bool = False,
               return_indices: bool = False):
    """Maximum over sliding windows of an (N, C, L) or (C, L) input."""
    return _max_poolnd(1, input, kernel_size, stride, padding, dilation, ceil_mode,
                       return_indices)


def max_pool2d(input: Tensor, kernel_size: _IntOrSeq, stride: Optional[_IntOrSeq] = None,
               padding: _IntOrSeq = 0, dilation: _IntOrSeq = 1, ceil_mode: bool = False,
               return_indices: bool = False):
    """Maximum over sliding windows of an (N, C, H, W) or (C, H, W) input."""
    return _max_poolnd(2, input, kernel_size, stride, padding, dilation, ceil_mode,
                       return_indices)


def max_pool3d(input: Tensor, kernel_size: _IntOrSeq, stride: Optional[_IntOrSeq] = None,
               padding: _IntOrSeq = 0, dilation: _IntOrSeq = 1, ceil_mode: bool = False,
               return_indices: bool = False):
    """Maximum over sliding windows of an (N, C, D, H, W) or (C, D, H, W) input."""
    return _max_poolnd(3, input, kernel_size, stride, padding, dilation, ceil_mode,
                       return_indices)


def max_pool1d_with_indices(input, kernel_size, stride=None, padding=0, dilation=1,
                            ceil_mode=False, return_indices=True):
    """``max_pool1d`` returning (values, indices)."""
    return max_pool1d(input, kernel_size, stride, padding, dilation, ceil_mode, True)


def max_pool2d_with_indices(input, kernel_size, stride=None, padding=0, dilation=1,
                            ceil_mode=False, return_indices=True):
    """``max_pool2d`` returning (values, indices)."""
    return max_pool2d(input, kernel_size, stride, padding, dilation, ceil_mode, True)


def max_pool3d_with_indices(input, kernel_size, stride=None, padding=0, dilation=1,
                            ceil_mode=False, return_indices=True):
    """``max_pool3d`` returning (values, indices)."""
    return max_pool3d(input, kernel_size, stride, padding, dilation, ceil_mode, True)


def _avg_poolnd(n, input, kernel_size, stride, padding, ceil_mode, count_include_pad,
                divisor_override):
    x, unbatched = _pool_input(input, n)
    ksize, osize, geom = _pool_geometry(x, n, kernel_size, stride, padding, 1, ceil_mode)
    if divisor_override is not None:
        if divisor_override == 0:
            raise RuntimeError("divisor must be not zero")
        div = divisor_override
    else:
        # per-axis window lengths, clipped to the padded (or, without count_include_pad,
        # to the real) input; the divisor is their product
        div = 1
        for i, (s, k, st, o) in enumerate(zip(x.shape[2:], ksize, geom.stride, osize)):
            p = geom.pads[i][0]
            start = np.arange(o) * st - p
            end = np.minimum(start + k, s + p)
            if count_include_pad:
                length = end - start
            else:
                length = np.minimum(end, s) - np.maximum(start, 0)
            div = div * length.reshape((-1,) + (1,) * (n - 1 - i))
        div = x._xp().asarray(div, dtype=x._data.dtype)
    out = _avg_pool_cls(n).apply(x, (geom, ksize, tuple(x.shape[2:]), div))
    return out.squeeze(0) if unbatched else out


def _avg_pool_cls(n):
    return _AVGPOOL_CLS[n]


_AVGPOOL_CLS = {n: type(f"AvgPool{n}d", (C.AvgPool,), {"node_name": f"AvgPool{n}DBackward0",
                                                       "__module__": C.__name__})
                for n in (1, 2, 3)}


def avg_pool1d(input: Tensor, kernel_size: _IntOrSeq, stride: Optional[_IntOrSeq] = None,
               padding: _IntOrSeq = 0, ceil_mode: bool = False,
               count_include_pad: bool = True) -> Tensor:
    """Mean over sliding windows of an (N, C, L) or (C, L) input."""
    return _avg_poolnd(1, input, kernel_size, stride, padding, ceil_mode, count_include_pad,
                       None)


def avg_pool2d(input: Tensor, kernel_size: _IntOrSeq, stride: Optional[_IntOrSeq] = None,
               padding: _IntOrSeq = 0, ceil_mode: bool = False, count_include_pad: bool = True,
               divisor_override: Optional[int] = None) -> Tensor:
    """Mean over sliding windows of an (N, C, H, W) or (C, H, W) input."""
    return _avg_poolnd(2, input, kernel_size, stride, padding, ceil_mode, count_include_pad,
                       divisor_override)


def avg_pool3d(input: Tensor, kernel_size: _IntOrSeq, stride: Optional[_IntOrSeq] = None,
               padding: _IntOrSeq = 0, ceil_mode: bool = False, count_include_pad: bool = True,
               divisor_override: Optional[int] = None) -> Tensor:
    """Mean over sliding windows of an (N, C, D, H, W) or (C, D, H, W) input."""
    return _avg_poolnd(3, input, kernel_size, stride, padding, ceil_mode, count_include_pad,
                       divisor_override)


def _lp_poolnd(n: int, input: Tensor, norm_type: float, kernel_size, stride, ceil_mode):
    """Power-average pooling: ``(sum over window of x**p) ** (1/p)``."""
    k = _ntuple(kernel_size, n)
    avg = (avg_pool1d, avg_pool2d, avg_pool3d)[n - 1]
    out = avg(input.pow(norm_type), k, stride, 0, ceil_mode)
    return (out.sign() * out.abs().relu()).mul(math.prod(k)).pow(1.0 / norm_type)


def lp_pool1d(input: Tensor, norm_type: float, kernel_size: int, stride=None,
              ceil_mode: bool = False) -> Tensor:
    """1-D power-average pooling: ``(sum over window of x**p) ** (1/p)``."""
    return _lp_poolnd(1, input, norm_type, kernel_size, stride, ceil_mode)


def lp_pool2d(input: Tensor, norm_type: float, kernel_size: _IntOrSeq, stride=None,
              ceil_mode: bool = False) -> Tensor:
    """2-D power-average pooling: ``(sum over window of x**p) ** (1/p)``."""
    return _lp_poolnd(2, input, norm_type, kernel_size, stride, ceil_mode)


def lp_pool3d(input: Tensor, norm_type: float, kernel_size: _IntOrSeq, stride=None,
              ceil_mode: bool = False) -> Tensor:
    """3-D power-average pooling: ``(sum over window of x**p) ** (1/p)``."""
    return _lp_poolnd(3, input, norm_type, kernel_size, stride, ceil_mode)


# -- adaptive pooling ----------------------------------------------------------------
def _adaptive_input(input: Tensor, n: int, name: str):
    d = input.dim()
    if d == n + 1:
        return input.unsqueeze(0), True
    if d == n + 2:
        return input, False
    raise RuntimeError(f"{name}(): Expected {n + 1}D or {n + 2}D tensor, but got "
                       f"{_size_str(input.shape)}")


def _adaptive_size(output_size, spatial):
    n = len(spatial)
    if isinstance(output_size, (list, tuple)):
        if len(output_size) != n:
            raise RuntimeError(f"adaptive pool: output_size must be {n}")
        return tuple(s if o is None else int(o) for o, s in zip(output_size, spatial))
    return (int(output_size),) * n


def _bins(length: int, out: int):
    """Start and end of each adaptive window along an axis of ``length``."""
    i = np.arange(out)
    return (i * length) // out, -((-(i + 1) * length) // out)


def _axis_matrix(rows: np.ndarray, dtype, xp) -> Tensor:
    return const(xp.asarray(rows.astype(dtype, copy=False)))


def _apply_axis_matrices(x: Tensor, mats) -> Tensor:
    """Multiply each trailing spatial axis of ``x`` by its (out, in) matrix (None: skip)."""
    n = len(mats)
    for i, m in enumerate(mats):
        if m is None:
            continue
        ax = x.dim() - n + i
        if ax == x.dim() - 1:
            x = x.matmul(m.t())
        elif ax == x.dim() - 2:
            x = m.matmul(x)
        else:
            x = x.transpose(ax, -1).matmul(m.t()).transpose(ax, -1)
    return x


def _adaptive_avg(n, input, output_size, name):
    x, unbatched = _adaptive_input(input, n, name)
    spatial = tuple(x.shape[2:])
    osize = _adaptive_size(output_size, spatial)
    if all(o == 1 for o in osize):
        out = x.mean(tuple(range(2, 2 + n)), keepdim=True)
    else:
        mats = []
        for s, o in zip(spatial, osize):
            if s == o:
                mats.append(None)
                continue
            start, end = _bins(s, o)
            cols = np.arange(s)
            m = ((cols >= start[:, None]) & (cols < end[:, None])) / (end - start)[:, None]
            mats.append(_axis_matrix(m, x._data.dtype, x._xp()))
        out = _apply_axis_matrices(x, mats)
        if out is x:
            out = x.clone()
    return out.squeeze(0) if unbatched else out


def adaptive_avg_pool1d(input: Tensor, output_size) -> Tensor:
    """Average pooling to a fixed output length, whatever the input length."""
    return _adaptive_avg(1, input, output_size, "adaptive_avg_pool1d")


def adaptive_avg_pool2d(input: Tensor, output_size) -> Tensor:
    """Average pooling to a fixed (H, W) output, whatever the input size."""
    return _adaptive_avg(2, input, output_size, "adaptive_avg_pool2d")


def adaptive_avg_pool3d(input: Tensor, output_size) -> Tensor:
    """Average pooling to a fixed (D, H, W) output, whatever the input size."""
    return _adaptive_avg(3, input, output_size, "adaptive_avg_pool3d")


def _adaptive_max(n, input, output_size, return_indices, name):
    x, unbatched = _adaptive_input(input, n, name)
    spatial = tuple(x.shape[2:])
    osize = _adaptive_size(output_size, spatial)
    # a table (*O, *Kmax) of flat spatial indices; short windows repeat their last index
    table = np.zeros(osize + (1,) * n, dtype=np.int64)
    unique = True
    for i, (s, o) in enumerate(zip(spatial, osize)):
        start, end = _bins(s, o)
        kmax = int((end - start).max())
        idx = np.minimum(start[:, None] + np.arange(kmax), end[:, None] - 1)
        unique = unique and s % o == 0
        shape = [1] * (2 * n)
        shape[i], shape[n + i] = o, kmax
        table = table * s + idx.reshape(shape)
    table = x._xp().asarray(table.reshape(osize + (-1,)))
    return _max_pool_apply(_max_pool_cls(n, True), x, C.TableMax(table, osize, unique),
                           return_indices, unbatched)


def adaptive_max_pool1d(input: Tensor, output_size, return_indices: bool = False):
    """Max pooling to a fixed output length, whatever the input length."""
    return _adaptive_max(1, input, output_size, return_indices, "adaptive_max_pool1d")


def adaptive_max_pool2d(input: Tensor, output_size, return_indices: bool = False):
    """Max pooling to a fixed (H, W) output, whatever the input size."""
    return _adaptive_max(2, input, output_size, return_indices, "adaptive_max_pool2d")


def adaptive_max_pool3d(input: Tensor, output_size, return_indices: bool = False):
    """Max pooling to a fixed (D, H, W) output, whatever the input size."""
    return _adaptive_max(3, input, output_size, return_indices, "adaptive_max_pool3d")


def adaptive_max_pool1d_with_indices(input, output_size, return_indices=True):
    """``adaptive_max_pool1d`` returning (values, indices)."""
    return adaptive_max_pool1d(input, output_size, True)


def adaptive_max_pool2d_with_indices(input, output_size, return_indices=True):
    """``adaptive_max_pool2d`` returning (values, indices)."""
    return adaptive_max_pool2d(input, output_size, True)


def adaptive_max_pool3d_with_indices(input, output_size, return_indices=True):
    """``adaptive_max_pool3d`` returning (values, indices)."""
    return adaptive_max_pool3d(input, output_size, True)


def _max_unpoolnd(n, input, indices, kernel_size, stride, padding, output_size):
    x, unbatched = _pool_input(input, n)
    if unbatched:
        indices = indices.unsqueeze(0)
    ksize = _ntuple(kernel_size, n)
    stride = ksize if stride is None else _ntuple(stride, n)
    pad = _ntuple(padding, n)
    default = tuple((i - 1) * s - 2 * p + k for i, s, p, k in
                    zip(x.shape[2:], stride, pad, ksize))
    if output_size is None:
        spatial = default
    else:
        spatial = tuple(int(s) for s in tuple(output_size)[-n:])
    N, Ch = x.shape[:2]
    plane = math.prod(spatial)
    base = (np.arange(N * Ch, dtype=np.int64) * plane).reshape((N, Ch) + (1,) * n)
    gidx = indices._data + x._xp().asarray(base)
    out = C.Put.apply(x, (gidx, (N, Ch) + spatial, True))
    return out.squeeze(0) if unbatched else out


def max_unpool1d(input: Tensor, indices: Tensor, kernel_size, stride=None, padding=0,
                 output_size=None) -> Tensor:
    """Partial inverse of max_pool1d: put values back at their indices, zeros elsewhere."""
    return _max_unpoolnd(1, input, indices, kernel_size, stride, padding, output_size)


def max_unpool2d(input: Tensor, indices: Tensor, kernel_size, stride=None, padding=0,
                 output_size=None) -> Tensor:
    """Partial inverse of max_pool2d: put values back at their indices, zeros elsewhere."""
    return _max_unpoolnd(2, input, indices, kernel_size, stride, padding, output_size)


def max_unpool3d(input: Tensor, indices: Tensor, kernel_size, stride=None, padding=0,
                 output_size=None) -> Tensor:
    """Partial inverse of max_pool3d: put values back at their indices, zeros elsewhere."""
    return _max_unpoolnd(3, input, indices, kernel_size, stride, padding, output_size)


# -- padding -----------------------------------------------------------------------
def _pad_index(length: int, lo: int, hi: int, mode: str) -> np.ndarray:
    j = np.arange(-lo, length + hi)
    if mode == "reflect":
        j = np.abs(j)
        return np.where(j >= length, 2 * (length - 1) - j, j)
    if mode == "replicate":
        return np.clip(j, 0, length - 1)
    return j % length  # circular


def pad(input: Tensor, pad: Sequence[int], mode: str = "constant",
        value: Optional[float] = None) -> Tensor:
    """Pad the last ``len(pad) // 2`` dimensions; ``pad`` lists (left, right) pairs starting
    from the last dimension. Modes: constant, reflect, replicate, circular."""
    pad = [int(p) for p in pad]
    if len(pad) % 2:
        raise RuntimeError("Padding length must be divisible by 2")
    n = len(pad) // 2
    if n > input.dim():
        raise RuntimeError(f"Padding length should be less than or equal to two times the "
                           f"input dimension but got padding length {len(pad)} and input of "
                           f"dimension {input.dim()}")
    pairs = tuple((pad[2 * (n - 1 - i)], pad[2 * (n - 1 - i) + 1]) for i in range(n))
    if mode == "constant":
        return _constant_pad(input, pairs, 0 if value is None else value)
    if mode not in ("reflect", "replicate", "circular"):
        raise NotImplementedError(f"Unrecognised padding mode {mode}")
    if value is not None and value != 0:
        raise ValueError(f"Padding mode \"{mode}\" doesn't take in value argument")
    if input.dim() not in (n + 1, n + 2) or n > 3:
        raise NotImplementedError(f"Padding size {len(pad)} is not supported for "
                                  f"{input.dim()}D input tensor.")
    d = input.dim()
    p = []
    for i, (lo, hi) in enumerate(pairs):
        ax = d - n + i
        length = input.shape[ax]
        if mode == "reflect" and (lo >= length or hi >= length):
            raise RuntimeError(f"Argument #4: Padding size should be less than the corresponding "
                               f"input dimension, but got: padding ({lo}, {hi}) at dimension "
                               f"{ax} of input {_size_str(input.shape)}")
        if mode == "circular" and (lo > length or hi > length):
            raise RuntimeError("Padding value causes wrapping around more than once.")
        if lo < 0 or hi < 0:
            input = input[(slice(None),) * ax + (slice(max(-lo, 0), length - max(-hi, 0)),)]
            lo, hi, length = max(lo, 0), max(hi, 0), input.shape[ax]
        if lo or hi:
            p.append((ax, input._xp().asarray(_pad_index(length, lo, hi, mode)), length))
    node = {"reflect": "ReflectionPad", "replicate": "ReplicationPad",
            "circular": "CircularPad"}[mode]
    return _PAD_CLS[node, n].apply(input, tuple(p))


_PAD_CLS = {(m, n): type(f"{m}{n}d", (C.AxisTake,), {"node_name": f"{m}{n}DBackward0",
                                                      "__module__": C.__name__})
            for m in ("ReflectionPad", "ReplicationPad", "CircularPad") for n in (1, 2, 3)}


def _constant_pad(input: Tensor, pairs, value) -> Tensor:
    if any(lo < 0 or hi < 0 for lo, hi in pairs):
        n = len(pairs)
        idx = [slice(None)] * (input.dim() - n)
        for (lo, hi), s in zip(pairs, input.shape[input.dim() - n:]):
            idx.append(slice(max(-lo, 0), s - max(-hi, 0)))
        input = input[tuple(idx)]
        pairs = tuple((max(lo, 0), max(hi, 0)) for lo, hi in pairs)
    return C.ConstantPad.apply(input, C.Geom((), pairs, ()), value)


# -- resampling --------------------------------------------------------------------
_INTERP_DIMS = {"linear": 1, "bilinear": 2, "bicubic": 2, "trilinear": 3}


def _source_coords(out_len, in_len, scale, align_corners, clamp_low):
    """Fractional source coordinate of every output position (PyTorch's convention)."""
    dst = np.arange(out_len, dtype=np.float64)
    if align_corners:
        return dst * ((in_len - 1) / (out_len - 1) if out_len > 1 else 0.0)
    ratio = 1.0 / scale if scale is not None else in_len / out_len
    src = (dst + 0.5) * ratio - 0.5
    return np.maximum(src, 0.0) if clamp_low else src


def _linear_matrix(out_len, in_len, scale, align_corners):
    src = _source_coords(out_len, in_len, scale, align_corners, True)
    i0 = np.minimum(np.floor(src).astype(np.int64), in_len - 1)
    i1 = np.minimum(i0 + 1, in_len - 1)
    w1 = src - i0
    m = np.zeros((out_len, in_len))
    rows = np.arange(out_len)
    np.add.at(m, (rows, i0), 1 - w1)
    np.add.at(m, (rows, i1), w1)
    return m


def _cubic_matrix(out_len, in_len, scale, align_corners):
    a = -0.75
    src = _source_coords(out_len, in_len, scale, align_corners, False)
    i = np.floor(src).astype(np.int64)
    t = src - i
    # cubic convolution weights of taps i-1, i, i+1, i+2
    def near(x):
        return ((a + 2) * x - (a + 3)) * x * x + 1

    def far(x):
        return ((a * x - 5 * a) * x + 8 * a) * x - 4 * a
    weights = (far(t + 1), near(t), near(1 - t), far(2 - t))
    m = np.zeros((out_len, in_len))
    rows = np.arange(out_len)
    for k, w in enumerate(weights):
        np.add.at(m, (rows, np.clip(i - 1 + k, 0, in_len - 1)), w)
    return m


def _nearest_index(out_len, in_len, scale, exact):
    ratio = 1.0 / scale if scale is not None else in_len / out_len
    dst = np.arange(out_len, dtype=np.float64)
    src = np.floor((dst + 0.5) * ratio) if exact else np.floor(dst * np.float32(ratio))
    return np.minimum(src.astype(np.int64), in_len - 1)


def interpolate(input: Tensor, size=None, scale_factor=None, mode: str = "nearest",
                align_corners: Optional[bool] = None,
                recompute_scale_factor: Optional[bool] = None,
                antialias: bool = False) -> Tensor:
    """Resize the spatial dimensions of an (N, C, *S) input to ``size`` or by
    ``scale_factor``: nearest, nearest-exact, (bi/tri)linear, bicubic or area."""
    n = input.dim() - 2
    if mode in ("nearest", "area", "nearest-exact"):
        if align_corners is not None:
            raise ValueError("align_corners option can only be set with the interpolating "
                             "modes: linear | bilinear | bicubic | trilinear")
    elif mode in _INTERP_DIMS:
        if _INTERP_DIMS[mode] != n:
            raise NotImplementedError(f"Got {input.dim()}D input, but {mode} mode needs "
                                      f"{_INTERP_DIMS[mode] + 2}D input")
        align_corners = bool(align_corners)
    else:
        raise NotImplementedError(f"Input Error: Only 3D, 4D and 5D input Tensors supported "
                                  f"(got {input.dim()}D) for the modes: nearest | linear | "
                                  f"bilinear | bicubic | trilinear | area | nearest-exact "
                                  f"(got {mode})")
    if n < 1 or n > 3:
        raise NotImplementedError(f"Input Error: Only 3D, 4D and 5D input Tensors supported "
                                  f"(got {input.dim()}D) for the modes: nearest | linear | "
                                  f"bilinear | bicubic | trilinear | area | nearest-exact "
                                  f"(got {mode})")
    if size is not None and scale_factor is not None:
        raise ValueError("only one of size or scale_factor should be defined")
    spatial = tuple(input.shape[2:])
    if size is not None:
        osize = _ntuple(size, n, "size") if isinstance(size, (list, tuple)) else (int(size),) * n
        if isinstance(size, (list, tuple)) and len(size) != n:
            raise ValueError(f"Input and output must have the same number of spatial "
                             f"dimensions, but got input with spatial dimensions of "
                             f"{list(spatial)} and output size of {list(size)}. Please provide "
                             f"input tensor in (N, C, d1, d2, ...,dK) format and output size in "
                             f"(o1, o2, ...,oK) format.")
        scales = (None,) * n
    elif scale_factor is not None:
        scales = tuple(float(s) for s in scale_factor) if isinstance(
            scale_factor, (list, tuple)) else (float(scale_factor),) * n
        if len(scales) != n:
            raise ValueError(f"Input and scale_factor must have the same number of spatial "
                             f"dimensions, but got input with spatial dimensions of "
                             f"{list(spatial)} and scale_factor of shape {list(scale_factor)}. "
                             f"Please provide input tensor in (N, C, d1, d2, ...,dK) format and "
                             f"scale_factor in (s1, s2, ...,sK) format.")
        osize = tuple(int(math.floor(s * f)) for s, f in zip(spatial, scales))
        if recompute_scale_factor:
            scales = (None,) * n
    else:
        raise ValueError("either size or scale_factor should be defined")
    if mode == "area":
        return _adaptive_avg(n, input, osize, "adaptive_avg_pool{n}d")
    if mode in ("nearest", "nearest-exact"):
        p = tuple((2 + i, input._xp().asarray(_nearest_index(o, s, sc, mode != "nearest")), s)
                  for i, (o, s, sc) in enumerate(zip(osize, spatial, scales)))
        return _NEAREST_CLS[n].apply(input, p)
    build = _cubic_matrix if mode == "bicubic" else _linear_matrix
    mats = [_axis_matrix(build(o, s, None if align_corners else sc, align_corners),
                         input._data.dtype, input._xp())
            for o, s, sc in zip(osize, spatial, scales)]
    return _apply_axis_matrices(input, mats)


_NEAREST_CLS = {n: type(f"UpsampleNearest{n}d", (C.AxisTake,), {
    "node_name": f"UpsampleNearest{n}DBackward0", "__module__": C.__name__}) for n in (1, 2, 3)}


def upsample(input: Tensor, size=None, scale_factor=None, mode: str = "nearest",
             align_corners: Optional[bool] = None) -> Tensor:
    """Deprecated alias of ``interpolate``."""
    return interpolate(input, size, scale_factor, mode, align_corners)


def upsample_nearest(input: Tensor, size=None, scale_factor=None) -> Tensor:
    """Deprecated: ``interpolate(..., mode='nearest')``."""
    return interpolate(input, size, scale_factor, "nearest")


def upsample_bilinear(input: Tensor, size=None, scale_factor=None) -> Tensor:
    """Deprecated: ``interpolate(..., mode='bilinear', align_corners=True)``."""
    return interpolate(input, size, scale_factor, "bilinear", True)


# -- fold / unfold, pixel shuffle ------------------------------------------------------
def _fold_geom(kernel_size, dilation, padding, stride):
    ksize = _ntuple(kernel_size, 2, "kernel_size")
    dil = _ntuple(dilation, 2, "dilation")
    pad = _ntuple(padding, 2, "padding")
    st = _ntuple(stride, 2, "stride")
    return ksize, C.Geom(st, tuple((p, p) for p in pad), dil)


def unfold(input: Tensor, kernel_size: _IntOrSeq, dilation: _IntOrSeq = 1,
           padding: _IntOrSeq = 0, stride: _IntOrSeq = 1) -> Tensor:
    """Extract sliding blocks: (N, C, H, W) -> (N, C * kh * kw, L) (im2col)."""
    x, unbatched = _batched(input, 2, "unfold")
    ksize, geom = _fold_geom(kernel_size, dilation, padding, stride)
    osize = geom.out_size(x.shape[2:], ksize)
    if any(o <= 0 for o in osize):
        raise RuntimeError(f"Given input with spatial size {_size_str(x.shape[2:])}, "
                           f"kernel_size={_size_str(ksize)}, dilation="
                           f"{_size_str(geom.dilation)}, padding="
                           f"{_size_str(p for p, _ in geom.pads)}, calculated shape of the array "
                           f"of sliding blocks as {_size_str(osize)}, but its components must be "
                           f"at least one.")
    out = C.Im2Col.apply(x, (geom, ksize, tuple(x.shape[2:])))
    return out.squeeze(0) if unbatched else out


def fold(input: Tensor, output_size: _IntOrSeq, kernel_size: _IntOrSeq,
         dilation: _IntOrSeq = 1, padding: _IntOrSeq = 0, stride: _IntOrSeq = 1) -> Tensor:
    """Sum sliding blocks back into an image: (N, C * kh * kw, L) -> (N, C, H, W) (col2im)."""
    if input.dim() == 2:
        x, unbatched = input.unsqueeze(0), True
    elif input.dim() == 3:
        x, unbatched = input, False
    else:
        raise RuntimeError(f"Expected 2D (unbatched) or 3D (batched) input to col2im, but got "
                           f"input of size: {_size_str(input.shape)}")
    ksize, geom = _fold_geom(kernel_size, dilation, padding, stride)
    spatial = _ntuple(output_size, 2, "output_size")
    kk = ksize[0] * ksize[1]
    if x.shape[1] % kk:
        raise RuntimeError(f"Expected size of input's dimension 1 to be divisible by the product "
                           f"of kernel_size, but got input.size(1)={x.shape[1]} and "
                           f"kernel_size=({ksize[0]}, {ksize[1]}).")
    osize = geom.out_size(spatial, ksize)
    if math.prod(osize) != x.shape[2]:
        raise RuntimeError(f"Given output_size=({spatial[0]}, {spatial[1]}), kernel_size="
                           f"({ksize[0]}, {ksize[1]}), dilation=({geom.dilation[0]}, "
                           f"{geom.dilation[1]}), padding=({geom.pads[0][0]}, {geom.pads[1][0]}), "
                           f"stride=({geom.stride[0]}, {geom.stride[1]}), expected size of input's "
                           f"dimension 2 to match the calculated number of sliding blocks "
                           f"{osize[0]} * {osize[1]} = {math.prod(osize)}, but got "
                           f"input.size(2)={x.shape[2]}.")
    out = C.Col2Im.apply(x, (geom, ksize, spatial))
    return out.squeeze(0) if unbatched else out


def pixel_shuffle(input: Tensor, upscale_factor: int) -> Tensor:
    """(*, C * r * r, H, W) -> (*, C, H * r, W * r)."""
    r = int(upscale_factor)
    *lead, c, h, w = input.shape
    if c % (r * r):
        raise RuntimeError(f"pixel_shuffle expects its input's 'channel' dimension to be "
                           f"divisible by the square of upscale_factor, but input.size(-3)={c} "
                           f"is not divisible by {r * r}")
    k = len(lead)
    x = input.reshape(*lead, c // (r * r), r, r, h, w)
    x = x.permute(*range(k), k, k + 3, k + 1, k + 4, k + 2)
    return x.reshape(*lead, c // (r * r), h * r, w * r)


def pixel_unshuffle(input: Tensor, downscale_factor: int) -> Tensor:
    """(*, C, H * r, W * r) -> (*, C * r * r, H, W); the inverse of pixel_shuffle."""
    r = int(downscale_factor)
    *lead, c, h, w = input.shape
    if h % r or w % r:
        raise RuntimeError(f"pixel_unshuffle expects height to be divisible by "
                           f"downscale_factor, but input.size(-2)={h} is not divisible by {r}"
                           if h % r else
                           f"pixel_unshuffle expects width to be divisible by "
                           f"downscale_factor, but input.size(-1)={w} is not divisible by {r}")
    k = len(lead)
    x = input.reshape(*lead, c, h // r, r, w // r, r)
    x = x.permute(*range(k), k, k + 2, k + 4, k + 1, k + 3)
    return x.reshape(*lead, c * r * r, h // r, w // r)


def channel_shuffle(input: Tensor, groups: int) -> Tensor:
    """(N, C, *) -> the same shape with the channels of ``groups`` groups interleaved."""
    if input.dim() <= 2:
        raise RuntimeError("channel_shuffle expects input with > 2 dims, but got input with "
                           f"sizes {list(input.shape)}")
    if groups <= 0:
        raise RuntimeError("Number of groups to divide channels in must be positive. Value of "
                           f"groups:{groups}")
    n, c, *rest = input.shape
    if c % groups:
        raise RuntimeError(f"Number of channels must be divisible by groups. Got {c} channels "
                           f"and {groups} groups.")
    x = input.reshape(n, groups, c // groups, *rest).transpose(1, 2)
    return x.reshape(n, c, *rest)


native_channel_shuffle = channel_shuffle
