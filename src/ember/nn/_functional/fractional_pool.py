"""Fractional max pooling (Graham, 2014): max pooling whose window starts are spread
pseudo-randomly, so the output size need not divide the input size."""
from __future__ import annotations

import numpy as np

from ..._device import as_array
from ..._random import rand
from ..._tensor import Tensor
from ...ops._util import const
from .conv import _ntuple

__all__ = ["fractional_max_pool2d", "fractional_max_pool3d",
           "fractional_max_pool2d_with_indices", "fractional_max_pool3d_with_indices"]


def _starts(sample, in_size: int, out_size: int, pool: int, dtype) -> np.ndarray:
    """The window starts along one axis for one plane, as PyTorch's kernel computes them
    (in the input's floating dtype)."""
    seq = np.empty(out_size, dtype=np.int64)
    if out_size > 1:
        alpha = dtype.type(in_size - pool) / dtype.type(out_size - 1)
        sample = dtype.type(sample)
        i = np.arange(out_size - 1, dtype=dtype)
        seq[:-1] = ((i + sample) * alpha).astype(np.int64) - np.int64(sample * alpha)
    if out_size > 0:
        seq[-1] = in_size - pool
    return seq


def _fractional(n: int, input: Tensor, kernel_size, output_size, output_ratio,
                samples: Tensor | None, name: str):
    if output_size is None and output_ratio is None:
        raise ValueError(f"{name} requires specifying either an output_size or an "
                         "output_ratio")
    if input.dim() not in (n + 1, n + 2):
        raise RuntimeError(f"{name}(): Expected {n + 1}D or {n + 2}D tensor, but got: "
                           f"{list(input.shape)}")
    unbatched = input.dim() == n + 1
    x = input.unsqueeze(0) if unbatched else input
    spatial = x.shape[2:]
    pool = _ntuple(kernel_size, n)
    if output_size is None:
        ratio = tuple(output_ratio) if isinstance(output_ratio, (list, tuple)) else \
            (output_ratio,) * n
        output_size = [int(s * r) for s, r in zip(spatial, ratio)]
    out = _ntuple(output_size, n)
    for axis, (size, k, o) in enumerate(zip(spatial, pool, out)):
        # PyTorch's 3-D kernel also refuses windows that end exactly at the border
        if o + k - 1 > size or (n == 3 and o + k - 1 == size):
            what = ("time", "height", "width")[3 - n + axis]
            where = name + ("_out" if n == 3 else "")
            raise RuntimeError(f"{where}(): pool {what} {k} too large relative to input "
                               f"{what} {size}")
    batch, channels = x.shape[:2]
    if samples is None:
        samples = rand(batch, channels, n, dtype=input.dtype, device=input.device)
    u = np.asarray(samples.detach().cpu()._data)
    dtype = x._data.dtype
    # PyTorch's sample order: (width, height) in 2-D, (time, height, width) in 3-D
    sample_axis = (1, 0) if n == 2 else (0, 1, 2)
    flat = np.empty((batch, channels) + tuple(out) + (int(np.prod(pool)),), dtype=np.int64)
    strides = np.cumprod((1,) + tuple(reversed(spatial)))[:-1][::-1]
    offsets = np.indices(pool).reshape(n, -1)
    for b in range(batch):
        for c in range(channels):
            starts = [_starts(u[b, c, sample_axis[a]], spatial[a], out[a], pool[a], dtype)
                      for a in range(n)]
            grid = np.meshgrid(*starts, indexing="ij")
            index = sum((g[..., None] + off) * st
                        for g, off, st in zip(grid, offsets, strides))
            flat[b, c] = index
    gather_at = const(x._xp().asarray(flat.reshape(batch, channels, -1)))
    windows = x.reshape(batch, channels, -1).gather(2, gather_at)
    windows = windows.reshape(batch, channels, *out, flat.shape[-1])
    values, which = windows.max(-1)
    indices = const(x._xp().asarray(np.take_along_axis(
        flat, as_array(which._data)[..., None], -1)[..., 0]))
    if unbatched:
        values, indices = values.squeeze(0), indices.squeeze(0)
    return values, indices


def fractional_max_pool2d_with_indices(input: Tensor, kernel_size, output_size=None,
                                       output_ratio=None, return_indices: bool = False,
                                       _random_samples: Tensor | None = None):
    """2-D fractional max pooling, returning the values and their flat (H * W) indices."""
    return _fractional(2, input, kernel_size, output_size, output_ratio, _random_samples,
                       "fractional_max_pool2d")


def fractional_max_pool3d_with_indices(input: Tensor, kernel_size, output_size=None,
                                       output_ratio=None, return_indices: bool = False,
                                       _random_samples: Tensor | None = None):
    """3-D fractional max pooling, returning the values and their flat (T * H * W) indices."""
    return _fractional(3, input, kernel_size, output_size, output_ratio, _random_samples,
                       "fractional_max_pool3d")


def fractional_max_pool2d(input: Tensor, kernel_size, output_size=None, output_ratio=None,
                          return_indices: bool = False, _random_samples: Tensor | None = None):
    """2-D fractional max pooling of an (N, C, H, W) or (C, H, W) input."""
    values, indices = fractional_max_pool2d_with_indices(input, kernel_size, output_size,
                                                         output_ratio, True, _random_samples)
    return (values, indices) if return_indices else values


def fractional_max_pool3d(input: Tensor, kernel_size, output_size=None, output_ratio=None,
                          return_indices: bool = False, _random_samples: Tensor | None = None):
    """3-D fractional max pooling of an (N, C, T, H, W) or (C, T, H, W) input."""
    values, indices = fractional_max_pool3d_with_indices(input, kernel_size, output_size,
                                                         output_ratio, True, _random_samples)
    return (values, indices) if return_indices else values
