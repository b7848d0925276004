"""Image utilities: tile a batch into one grid image, save tensors as image files."""
from __future__ import annotations

import math

import numpy as np

from .. import _creation
from .._tensor import Tensor

__all__ = ["make_grid", "save_image"]


def _as_batch(tensor) -> np.ndarray:
    """A (B, C, H, W) array from a tensor of 2-4 dims or a list of equally shaped tensors;
    single-channel images become 3-channel."""
    if isinstance(tensor, (list, tuple)) and all(isinstance(t, Tensor) for t in tensor):
        arr = np.stack([np.asarray(t) for t in tensor])
    elif isinstance(tensor, Tensor):
        arr = np.asarray(tensor)
    else:
        raise TypeError(f"tensor or list of tensors expected, got {type(tensor)}")
    if arr.ndim == 2:
        arr = arr[None]
    if arr.ndim == 3:
        arr = arr[None]
    if arr.shape[1] == 1:
        arr = np.repeat(arr, 3, axis=1)
    return arr


def _normalize(arr: np.ndarray, value_range) -> np.ndarray:
    low, high = (float(arr.min()), float(arr.max())) if value_range is None else value_range
    return (np.clip(arr, low, high) - low) / max(high - low, 1e-5)


def make_grid(tensor, nrow: int = 8, padding: int = 2, normalize: bool = False,
              value_range: tuple | None = None, scale_each: bool = False,
              pad_value: float = 0.0) -> Tensor:
    """Tile a batch of images (B, C, H, W) into one (C, H', W') image, ``nrow`` per row with
    ``padding`` pixels of ``pad_value`` between them; optionally rescale values to [0, 1]."""
    arr = _as_batch(tensor)
    if normalize:
        if value_range is not None and not isinstance(value_range, tuple):
            raise TypeError("value_range has to be a tuple (min, max) if specified. min and max "
                            "are numbers")
        arr = arr.astype(np.result_type(arr.dtype, np.float32))
        if scale_each:
            arr = np.stack([_normalize(a, value_range) for a in arr]).astype(arr.dtype)
        else:
            arr = _normalize(arr, value_range).astype(arr.dtype)
    if arr.shape[0] == 1:
        return _creation.as_tensor(np.ascontiguousarray(arr[0]))
    n, c, h, w = arr.shape
    cols = min(nrow, n)
    rows = math.ceil(n / cols)
    # every cell is an image with `padding` pixels above and to its left; one more band of
    # padding closes the grid on the bottom and the right
    cells = np.full((rows * cols, c, h + padding, w + padding), pad_value, dtype=arr.dtype)
    cells[:n, :, padding:, padding:] = arr
    grid = cells.reshape(rows, cols, c, h + padding, w + padding).transpose(2, 0, 3, 1, 4)
    grid = grid.reshape(c, rows * (h + padding), cols * (w + padding))
    out = np.full((c, grid.shape[1] + padding, grid.shape[2] + padding), pad_value, arr.dtype)
    out[:, :grid.shape[1], :grid.shape[2]] = grid
    return _creation.as_tensor(out)


def save_image(tensor, fp, format: str | None = None, **kwargs) -> None:
    """Write a tensor (or batch, tiled with ``make_grid`` and its keyword arguments) with
    values in [0, 1] as an image file."""
    from PIL import Image
    grid = np.asarray(make_grid(tensor, **kwargs))
    pixels = np.clip(grid * 255 + 0.5, 0, 255).astype(np.uint8).transpose(1, 2, 0)
    if pixels.shape[2] == 1:
        pixels = pixels[:, :, 0]
    Image.fromarray(np.ascontiguousarray(pixels)).save(fp, format=format)
