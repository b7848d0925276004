"""Spatial transformers: ``affine_grid`` builds sampling grids from affine matrices and
``grid_sample`` reads an input at the grid's (normalised) positions, bilinearly, by nearest
neighbour or bicubically, with PyTorch's padding modes and corner conventions.

Coordinates and weights are ember tensors, so gradients reach both the input and the grid;
integer neighbour positions are constants."""
from __future__ import annotations

import itertools
import warnings

import numpy as np

from ..._device import as_array
from ..._tensor import Tensor
from ...ops._util import const

__all__ = ["affine_grid", "grid_sample"]

_MODES = ("bilinear", "nearest", "bicubic")
_PADDINGS = ("zeros", "border", "reflection")
_CUBIC_A = -0.75


def _warn_align(align_corners):
    if align_corners is None:
        warnings.warn("Default grid_sample and affine_grid behavior has changed to "
                      "align_corners=False since 1.3.0. Please specify align_corners=True if the "
                      "old behavior is desired. See the documentation of grid_sample for "
                      "details.", stacklevel=4)
        return False
    return align_corners


def _base_coords(size: int, align: bool, dtype) -> np.ndarray:
    """The normalised positions of ``size`` pixel centres (or corners, with ``align``)."""
    if size <= 1:
        return np.zeros(size, dtype=dtype)
    steps = np.linspace(-1, 1, size, dtype=dtype)
    return steps if align else steps * dtype.type((size - 1) / size)


def affine_grid(theta: Tensor, size, align_corners: bool | None = None) -> Tensor:
    """The (N, H, W, 2) (or (N, D, H, W, 3)) grid of positions an affine ``theta`` (N, 2, 3)
    (or (N, 3, 4)) maps the output pixels of ``size`` to."""
    align = _warn_align(align_corners)
    size = tuple(size)
    if len(size) not in (4, 5):
        raise NotImplementedError("affine_grid only supports 4D and 5D sizes, for 2D and 3D "
                                  f"affine transforms, respectively. Got size {size}.")
    n = len(size) - 2
    if not theta.is_floating_point():
        raise ValueError(f"Expected theta to have floating point type, but got {theta.dtype}")
    if theta.dim() != 3 or tuple(theta.shape[1:]) != (n, n + 1):
        kind = "2D affine matrices of shape Nx2x3" if n == 2 else \
            "3D affine matrices of shape Nx3x4"
        raise ValueError(f"Expected a batch of {kind} for size {size}. Got {theta.shape}.")
    if min(size[2:]) <= 0:
        raise ValueError(f"Expected non-zero, positive output size. Got {size}")
    if theta.shape[0] != size[0]:
        raise RuntimeError(f"Expected size for first two dimensions of batch2 tensor to be: "
                           f"[{size[0]}, {n + 1}] but got: [{theta.shape[0]}, {n + 1}].")
    dtype = theta._data.dtype
    spatial = size[2:]
    axes = [_base_coords(s, align, dtype) for s in spatial]   # D, H, W order
    mesh = np.meshgrid(*axes, indexing="ij")
    # homogeneous coordinates in x, y(, z) order, then the constant 1
    base = np.stack(list(reversed(mesh)) + [np.ones(spatial, dtype=dtype)], axis=-1)
    base = const(theta._xp().asarray(base.reshape(1, -1, n + 1)))
    grid = base.matmul(theta.transpose(1, 2))                # (N, prod(spatial), n)
    return grid.reshape(size[0], *spatial, n)


def _unnormalize(coord: Tensor, size: int, align: bool) -> Tensor:
    if align:
        return (coord + 1) / 2 * (size - 1)
    return ((coord + 1) * size - 1) / 2


def _reflect(coord: Tensor, twice_low: int, twice_high: int) -> Tensor:
    """Fold ``coord`` back into [low, high] by reflecting at the ends, as often as needed."""
    if twice_low == twice_high:
        return coord * 0
    low, span = twice_low / 2, (twice_high - twice_low) / 2
    dist = (coord - low).abs()
    flips = np.floor(as_array(dist._data) / span)
    extra = dist - const(dist._xp().asarray(flips * span, dtype=dist._data.dtype))
    even = const(dist._xp().asarray((flips % 2 == 0).astype(dist._data.dtype)))
    return even * (extra + low) + (1 - even) * (span - extra + low)


def _pad_coords(coord: Tensor, size: int, padding: str, align: bool) -> Tensor:
    if padding == "border":
        return coord.clamp(0, size - 1)
    if padding == "reflection":
        coord = _reflect(coord, 0, 2 * (size - 1)) if align else \
            _reflect(coord, -1, 2 * size - 1)
        return coord.clamp(0, size - 1)
    return coord


def _gather(flat: Tensor, positions: list, spatial: tuple) -> Tensor:
    """``flat`` (N, C, prod(spatial)) read at integer ``positions`` (one (N, *out) array per
    spatial axis, D/H/W order); positions outside the input read 0."""
    xp = flat._xp()
    inside = xp.ones(positions[0].shape, dtype=bool)
    index = xp.zeros(positions[0].shape, dtype=np.int64)
    for pos, size in zip(positions, spatial):
        inside &= (pos >= 0) & (pos < size)
        index = index * size + np.clip(pos, 0, size - 1)
    n, c = flat.shape[:2]
    at = const(xp.asarray(np.broadcast_to(index.reshape(n, 1, -1), (n, c, index[0].size))
                          .copy()))
    values = flat.gather(2, at).reshape(n, c, *positions[0].shape[1:])
    mask = const(xp.asarray(inside[:, None].astype(flat._data.dtype)))
    return values * mask


def _cubic_weights(t: Tensor) -> list:
    """The four cubic-convolution weights for fractional offset ``t`` (A = -0.75)."""
    A = _CUBIC_A

    def near(x):  # |x| <= 1
        return ((A + 2) * x - (A + 3)) * x * x + 1

    def far(x):  # 1 < |x| < 2
        return ((A * x - 5 * A) * x + 8 * A) * x - 4 * A
    return [far(t + 1), near(t), near(1 - t), far(2 - t)]


def grid_sample(input: Tensor, grid: Tensor, mode: str = "bilinear",
                padding_mode: str = "zeros", align_corners: bool | None = None) -> Tensor:
    """Sample ``input`` (N, C, H, W) or (N, C, D, H, W) at ``grid`` (N, H', W', 2) or
    (N, D', H', W', 3), whose last axis holds (x, y[, z]) in [-1, 1]."""
    if mode not in _MODES:
        raise ValueError("nn.functional.grid_sample(): expected mode to be 'bilinear', "
                         f"'nearest' or 'bicubic', but got: '{mode}'")
    if padding_mode not in _PADDINGS:
        raise ValueError("nn.functional.grid_sample(): expected padding_mode to be 'zeros', "
                         f"'border', or 'reflection', but got: '{padding_mode}'")
    align = _warn_align(align_corners)
    if input.dim() not in (4, 5) or grid.dim() != input.dim():
        raise RuntimeError(f"grid_sampler(): expected 4D or 5D input and grid with same number "
                           f"of dimensions, but got input with sizes {list(input.shape)} and "
                           f"grid with sizes {list(grid.shape)}")
    if input.shape[0] != grid.shape[0]:
        raise RuntimeError("grid_sampler(): expected grid and input to have same batch size, "
                           f"but got input with sizes {list(input.shape)} and grid with sizes "
                           f"{list(grid.shape)}")
    n = input.dim() - 2
    if grid.shape[-1] != n:
        raise RuntimeError(f"grid_sampler(): expected grid to have size {n} in last dimension, "
                           f"but got grid with sizes {list(grid.shape)}")
    if mode == "bicubic" and n != 2:
        raise RuntimeError("grid_sampler(): bicubic interpolation only supports 4D input")
    spatial = tuple(input.shape[2:])
    flat = input.reshape(input.shape[0], input.shape[1], -1)
    # grid coordinates come x first: reverse them into the D/H/W order of the input axes
    coords = [_unnormalize(grid[..., n - 1 - a], spatial[a], align) for a in range(n)]
    if mode == "bicubic":
        return _bicubic(flat, coords, spatial, padding_mode, align)
    coords = [_pad_coords(c, s, padding_mode, align) for c, s in zip(coords, spatial)]
    if mode == "nearest":
        return _gather(flat, [np.rint(as_array(c._data)).astype(np.int64) for c in coords],
                       spatial)
    lows = [np.floor(as_array(c._data)) for c in coords]
    lo_t = [const(c._xp().asarray(lo, dtype=c._data.dtype)) for c, lo in zip(coords, lows)]
    out = None
    for corner in itertools.product((0, 1), repeat=n):
        positions = [lo.astype(np.int64) + k for lo, k in zip(lows, corner)]
        weight = None
        for a in reversed(range(n)):  # x, then y, then z, as PyTorch multiplies them
            w = (coords[a] - lo_t[a]) if corner[a] else (lo_t[a] + 1 - coords[a])
            weight = w if weight is None else weight * w
        term = _gather(flat, positions, spatial) * weight.unsqueeze(1)
        out = term if out is None else out + term
    return out


def _bicubic(flat: Tensor, coords: list, spatial: tuple, padding: str, align: bool) -> Tensor:
    iy, ix = coords
    y0, x0 = (np.floor(as_array(c._data)) for c in coords)
    ty = iy - const(iy._xp().asarray(y0, dtype=iy._data.dtype))
    tx = ix - const(ix._xp().asarray(x0, dtype=ix._data.dtype))
    wy, wx = _cubic_weights(ty), _cubic_weights(tx)

    def tap(pos: np.ndarray, size: int) -> np.ndarray:
        """An integer tap position after the padding rule (out of range reads 0)."""
        if padding == "zeros":
            return pos.astype(np.int64)
        padded = _pad_coords(const(as_array(pos, dtype=np.float64)), size, padding, align)
        return as_array(padded._data).astype(np.int64)

    rows = []
    for j in range(4):
        py = tap(y0 - 1 + j, spatial[0])
        row = None
        for i in range(4):
            px = tap(x0 - 1 + i, spatial[1])
            term = _gather(flat, [py, px], spatial) * wx[i].unsqueeze(1)
            row = term if row is None else row + term
        rows.append(row)
    out = None
    for j, row in enumerate(rows):
        term = row * wy[j].unsqueeze(1)
        out = term if out is None else out + term
    return out
