"""Image transforms as functions, for PIL images and for tensors shaped (..., C, H, W).

PIL images go through Pillow's own operations (as torchvision does); tensors go through
NumPy: resampling is a pair of matrix products with precomputed filter weights.
"""
from __future__ import annotations

import math
import numbers
import sys
from enum import Enum
from typing import Sequence

import numpy as np

from ... import _creation, _dtype
from ..._tensor import Tensor

__all__ = ["InterpolationMode", "to_tensor", "pil_to_tensor", "to_pil_image", "normalize",
           "resize", "center_crop", "crop", "resized_crop", "hflip", "vflip", "pad", "rotate",
           "adjust_brightness", "adjust_contrast", "adjust_saturation", "adjust_hue",
           "rgb_to_grayscale", "to_grayscale", "convert_image_dtype", "get_dimensions",
           "get_image_size", "get_image_num_channels"]


class InterpolationMode(Enum):
    """How pixels are resampled."""

    NEAREST = "nearest"
    NEAREST_EXACT = "nearest-exact"
    BILINEAR = "bilinear"
    BICUBIC = "bicubic"
    BOX = "box"
    HAMMING = "hamming"
    LANCZOS = "lanczos"


# Pillow's resampling constants, by value so that Pillow need not be imported for the table
_PIL_FILTERS = {InterpolationMode.NEAREST: 0, InterpolationMode.NEAREST_EXACT: 0,
                InterpolationMode.LANCZOS: 1, InterpolationMode.BILINEAR: 2,
                InterpolationMode.BICUBIC: 3, InterpolationMode.BOX: 4,
                InterpolationMode.HAMMING: 5}
_FROM_PIL_INT = {0: InterpolationMode.NEAREST, 1: InterpolationMode.LANCZOS,
                 2: InterpolationMode.BILINEAR, 3: InterpolationMode.BICUBIC,
                 4: InterpolationMode.BOX, 5: InterpolationMode.HAMMING}


def _interpolation(mode) -> InterpolationMode:
    """Accept an InterpolationMode or one of Pillow's integer constants."""
    if isinstance(mode, InterpolationMode):
        return mode
    if isinstance(mode, int) and mode in _FROM_PIL_INT:
        return _FROM_PIL_INT[mode]
    raise TypeError("Argument interpolation should be a InterpolationMode or a corresponding "
                    "Pillow integer constant")


def _pil():
    """The ``PIL.Image`` module, imported on first use (Pillow is optional)."""
    try:
        from PIL import Image
    except ImportError as e:  # pragma: no cover - depends on the environment
        raise ImportError("Working with PIL images needs Pillow: pip install pillow") from e
    return Image


def _is_pil(img) -> bool:
    # an object can only be a PIL image if Pillow is already loaded: no import needed here
    mod = sys.modules.get("PIL.Image")
    return mod is not None and isinstance(img, mod.Image)


def _check_image(img) -> None:
    if not isinstance(img, Tensor) and not _is_pil(img):
        raise TypeError(f"img should be PIL Image or Tensor. Got {type(img)}")


def _tensor_like(arr: np.ndarray, like: Tensor) -> Tensor:
    """A history-less tensor holding ``arr`` on ``like``'s device."""
    out = _creation.as_tensor(np.ascontiguousarray(arr))
    return out if like.device.type == "cpu" else out.to(like.device)


def _max_value(np_dtype) -> float:
    """The value of full intensity: 1 for floats, the type's maximum for integers."""
    if np.dtype(np_dtype).kind == "f":
        return 1.0
    if np.dtype(np_dtype).kind == "b":
        return 1
    return np.iinfo(np_dtype).max


# -- size queries ------------------------------------------------------------------------

def get_dimensions(img) -> list:
    """``[channels, height, width]`` of a PIL image or a tensor image."""
    if isinstance(img, Tensor):
        shape = img.shape
        return [1 if img.dim() == 2 else shape[-3], shape[-2], shape[-1]]
    _check_image(img)
    return [len(img.getbands()), img.height, img.width]


def get_image_size(img) -> list:
    """``[width, height]`` of a PIL image or a tensor image."""
    _, h, w = get_dimensions(img)
    return [w, h]


def get_image_num_channels(img) -> int:
    """Number of channels of a PIL image or a tensor image."""
    return get_dimensions(img)[0]


# -- conversions -------------------------------------------------------------------------

def _pil_to_array(pic) -> np.ndarray:
    """The image's pixels as an (H, W, C) array of the natural dtype for its mode."""
    if pic.mode == "1":
        return (np.array(pic, np.uint8) * 255)[:, :, None]
    arr = np.array(pic, copy=True)
    if pic.mode == "I;16":
        arr = arr.astype(np.int16)
    return arr.reshape(pic.height, pic.width, len(pic.getbands()))


def to_tensor(pic) -> Tensor:
    """A PIL image or (H, W[, C]) array as a (C, H, W) tensor; 8-bit values are scaled to
    floats in [0, 1]."""
    if isinstance(pic, np.ndarray):
        if pic.ndim not in (2, 3):
            raise ValueError(f"pic should be 2/3 dimensional. Got {pic.ndim} dimensions.")
        arr = pic[:, :, None] if pic.ndim == 2 else pic
    elif _is_pil(pic):
        arr = _pil_to_array(pic)
    else:
        raise TypeError(f"pic should be PIL Image or ndarray. Got {type(pic)}")
    chw = np.ascontiguousarray(arr.transpose(2, 0, 1))
    if chw.dtype == np.uint8:
        chw = chw.astype(_dtype.get_default_dtype().np) / 255
    return _creation.as_tensor(chw)


def pil_to_tensor(pic) -> Tensor:
    """A PIL image as a (C, H, W) tensor of its own pixel type (no scaling)."""
    if not _is_pil(pic):
        raise TypeError(f"pic should be PIL Image. Got {type(pic)}")
    return _creation.as_tensor(np.ascontiguousarray(_pil_to_array(pic).transpose(2, 0, 1)))


_MODES_BY_CHANNELS = {2: ["LA"], 3: ["RGB", "YCbCr", "HSV"], 4: ["RGBA", "CMYK", "RGBX"]}
_ONE_CHANNEL_MODES = {np.dtype(np.uint8): "L", np.dtype(np.int16): "I;16",
                      np.dtype(np.uint16): "I;16", np.dtype(np.int32): "I",
                      np.dtype(np.float32): "F"}


def to_pil_image(pic, mode: str | None = None):
    """A (C, H, W) tensor or (H, W, C) array as a PIL image; floats are taken to be in [0, 1]."""
    Image = _pil()
    if isinstance(pic, Tensor):
        if pic.dim() not in (2, 3):
            raise ValueError(f"pic should be 2/3 dimensional. Got {pic.dim()} dimensions.")
        arr = np.asarray(pic)
        arr = arr[:, :, None] if arr.ndim == 2 else arr.transpose(1, 2, 0)
    elif isinstance(pic, np.ndarray):
        if pic.ndim not in (2, 3):
            raise ValueError(f"pic should be 2/3 dimensional. Got {pic.ndim} dimensions.")
        arr = pic[:, :, None] if pic.ndim == 2 else pic
    else:
        raise TypeError(f"pic should be Tensor or ndarray. Got {type(pic)}.")
    channels = arr.shape[-1]
    if channels > 4:
        raise ValueError(f"pic should not have > 4 channels. Got {channels} channels.")
    if arr.dtype.kind == "f" and mode != "F":
        # through int64 so that out-of-range values wrap (as a byte cast does) without warnings
        arr = (arr * 255).astype(np.int64).astype(np.uint8)
    if channels == 1:
        expected = _ONE_CHANNEL_MODES.get(arr.dtype)
        if mode is not None and mode != expected:
            raise ValueError(f"Incorrect mode ({mode}) supplied for input type {arr.dtype}. "
                             f"Should be {expected}")
        mode = expected
        arr = arr[:, :, 0]
    else:
        allowed = _MODES_BY_CHANNELS[channels]
        if mode is not None and mode not in allowed:
            raise ValueError(f"Only modes {allowed} are supported for {channels}D inputs")
        if arr.dtype != np.uint8:
            raise TypeError(f"Input type {arr.dtype} is not supported")
        mode = mode or allowed[0]
    if mode is None:
        raise TypeError(f"Input type {arr.dtype} is not supported")
    arr = np.ascontiguousarray(arr)
    if mode in ("L", "I", "F", "LA", "RGB", "RGBA"):
        return Image.fromarray(arr)
    if mode == "I;16":
        return Image.fromarray(arr.astype(np.uint16))
    return Image.frombytes(mode, (arr.shape[1], arr.shape[0]), arr.tobytes())


def normalize(tensor: Tensor, mean: Sequence[float], std: Sequence[float],
              inplace: bool = False) -> Tensor:
    """``(tensor - mean) / std`` channel by channel for a float image (..., C, H, W)."""
    if not isinstance(tensor, Tensor):
        raise TypeError(f"img should be Tensor Image. Got {type(tensor)}")
    if not tensor.is_floating_point():
        raise TypeError(f"Input tensor should be a float tensor. Got {tensor.dtype}.")
    if tensor.dim() < 3:
        raise ValueError(f"Expected tensor to be a tensor image of size (..., C, H, W). Got "
                         f"tensor.size() = {tensor.size()}")
    mean_t = _creation.as_tensor(mean, dtype=tensor.dtype, device=tensor.device)
    std_t = _creation.as_tensor(std, dtype=tensor.dtype, device=tensor.device)
    if not np.asarray(std_t).all():
        raise ValueError(f"std evaluated to zero after conversion to {tensor.dtype}, leading "
                         f"to division by zero.")
    if mean_t.dim() == 1:
        mean_t = mean_t.reshape(-1, 1, 1)
    if std_t.dim() == 1:
        std_t = std_t.reshape(-1, 1, 1)
    if inplace:
        return tensor.sub_(mean_t).div_(std_t)
    return (tensor - mean_t) / std_t


# -- resampling ----------------------------------------------------------------------------

def _output_size(h: int, w: int, size, max_size) -> tuple:
    """(new_h, new_w) for ``resize``: an int (or 1-sequence) sets the shorter edge."""
    if isinstance(size, int) or len(size) == 1:
        target = size if isinstance(size, int) else size[0]
        short, long = (w, h) if w <= h else (h, w)
        new_short, new_long = target, int(target * long / short)
        if max_size is not None:
            if max_size <= target:
                raise ValueError(f"max_size = {max_size} must be strictly greater than the "
                                 f"requested size for the smaller edge size = {size}")
            if new_long > max_size:
                new_short, new_long = int(max_size * new_short / new_long), max_size
        return (new_long, new_short) if w <= h else (new_short, new_long)
    if max_size is not None:
        raise ValueError("max_size should only be passed if size specifies the length of the "
                         "smaller edge, i.e. size should be an int or a sequence of length 1 in "
                         "torchscript mode.")
    return int(size[0]), int(size[1])


def _triangle(x):
    return np.clip(1.0 - np.abs(x), 0.0, None)


def _cubic(a):
    def kernel(x):
        x = np.abs(x)
        near = ((a + 2) * x - (a + 3)) * x * x + 1
        far = ((a * x - 5 * a) * x + 8 * a) * x - 4 * a
        return np.where(x <= 1, near, np.where(x < 2, far, 0.0))
    return kernel


def _resample_matrix(n_in: int, n_out: int, mode: InterpolationMode,
                     antialias: bool) -> np.ndarray:
    """An (n_out, n_in) matrix whose rows hold the filter weights of each output pixel."""
    scale = n_in / n_out
    dst = np.arange(n_out, dtype=np.float64)
    if mode in (InterpolationMode.NEAREST, InterpolationMode.NEAREST_EXACT):
        offset = 0.5 if mode is InterpolationMode.NEAREST_EXACT else 0.0
        src = np.minimum(np.floor((dst + offset) * scale).astype(np.int64), n_in - 1)
        m = np.zeros((n_out, n_in))
        m[np.arange(n_out), src] = 1.0
        return m
    bicubic = mode is InterpolationMode.BICUBIC
    if antialias:
        # Pillow's scheme: widen the filter by the downscale factor and renormalise each row
        kernel, support = (_cubic(-0.5), 2.0) if bicubic else (_triangle, 1.0)
        stretch = max(scale, 1.0)
        centre = (dst + 0.5) * scale
        src = np.arange(n_in, dtype=np.float64)
        w = kernel((src[None, :] + 0.5 - centre[:, None]) / stretch)
        lo = np.floor(centre - support * stretch + 0.5)[:, None]
        hi = np.floor(centre + support * stretch + 0.5)[:, None]
        w = np.where((src[None, :] >= lo) & (src[None, :] < hi), w, 0.0)
        total = w.sum(axis=1, keepdims=True)
        return w / np.where(total == 0, 1.0, total)
    # plain interpolation at half-pixel centres (align_corners=False), edges clamped
    pos = (dst + 0.5) * scale - 0.5
    if not bicubic:
        pos = np.maximum(pos, 0.0)
    base = np.floor(pos)
    frac = pos - base
    taps = range(-1, 3) if bicubic else range(0, 2)
    kernel = _cubic(-0.75) if bicubic else _triangle
    m = np.zeros((n_out, n_in))
    rows = np.arange(n_out)
    for k in taps:
        idx = np.clip(base + k, 0, n_in - 1).astype(np.int64)
        np.add.at(m, (rows, idx), kernel(frac - k))
    return m


def _resize_array(arr: np.ndarray, new_h: int, new_w: int, mode: InterpolationMode,
                  antialias: bool) -> np.ndarray:
    """Resample the last two axes of ``arr``; integer images are rounded and clipped back."""
    h, w = arr.shape[-2:]
    if mode in (InterpolationMode.NEAREST, InterpolationMode.NEAREST_EXACT):
        rows = _resample_matrix(h, new_h, mode, False).argmax(axis=1)
        cols = _resample_matrix(w, new_w, mode, False).argmax(axis=1)
        return arr[..., rows[:, None], cols[None, :]]
    work = np.float32 if arr.dtype in (np.uint8, np.int8, np.int16, np.float32,
                                       np.float16) else np.float64
    mh = _resample_matrix(h, new_h, mode, antialias).astype(work)
    mw = _resample_matrix(w, new_w, mode, antialias).astype(work)
    out = mh @ arr.astype(work, copy=False) @ mw.T
    if arr.dtype.kind in "iu":
        info = np.iinfo(arr.dtype)
        return np.clip(np.round(out), info.min, info.max).astype(arr.dtype)
    return out.astype(arr.dtype, copy=False)


def resize(img, size, interpolation=InterpolationMode.BILINEAR, max_size: int | None = None,
           antialias: bool | None = True):
    """Resize to ``size`` = (h, w), or scale so the shorter edge equals an int ``size``."""
    mode = _interpolation(interpolation)
    if isinstance(size, (list, tuple)) and len(size) not in (1, 2):
        raise ValueError(f"Size must be an int or a 1 or 2 element tuple/list, not a "
                         f"{len(size)} element tuple/list")
    _, h, w = get_dimensions(img)
    new_h, new_w = _output_size(h, w, size, max_size)
    if (new_h, new_w) == (h, w):
        return img
    if not isinstance(img, Tensor):
        _check_image(img)
        return img.resize((new_w, new_h), _PIL_FILTERS[mode])
    if mode not in (InterpolationMode.NEAREST, InterpolationMode.NEAREST_EXACT,
                    InterpolationMode.BILINEAR, InterpolationMode.BICUBIC):
        raise ValueError(f"Interpolation mode {mode.value} is unsupported with Tensor input")
    out = _resize_array(np.asarray(img), new_h, new_w, mode, bool(antialias))
    return _tensor_like(out, img)


# -- geometry ------------------------------------------------------------------------------

def _parse_padding(padding) -> tuple:
    """(left, top, right, bottom) from an int or a 1-, 2- or 4-sequence."""
    if isinstance(padding, numbers.Number) and not isinstance(padding, bool):
        p = int(padding)
        return p, p, p, p
    if not isinstance(padding, (tuple, list)):
        raise TypeError("Got inappropriate padding arg")
    if len(padding) == 1:
        return (int(padding[0]),) * 4
    if len(padding) == 2:
        return int(padding[0]), int(padding[1]), int(padding[0]), int(padding[1])
    if len(padding) == 4:
        return tuple(int(p) for p in padding)
    raise ValueError(f"Padding must be an int or a 1, 2, or 4 element tuple, not a "
                     f"{len(padding)} element tuple")


def _pad_array(arr: np.ndarray, ltrb: tuple, fill, mode: str, channel_axis: int | None):
    """Pad the two spatial axes of ``arr`` (the last two, or the first two when the channel
    axis is last); negative amounts crop."""
    left, top, right, bottom = ltrb
    sp = (0, 1) if channel_axis == -1 else (arr.ndim - 2, arr.ndim - 1)
    crop = [slice(None)] * arr.ndim
    crop[sp[0]] = slice(max(-top, 0), arr.shape[sp[0]] - max(-bottom, 0))
    crop[sp[1]] = slice(max(-left, 0), arr.shape[sp[1]] - max(-right, 0))
    arr = arr[tuple(crop)]
    widths = [(0, 0)] * arr.ndim
    widths[sp[0]] = (max(top, 0), max(bottom, 0))
    widths[sp[1]] = (max(left, 0), max(right, 0))
    if mode != "constant":
        return np.pad(arr, widths, mode={"edge": "edge", "reflect": "reflect",
                                         "symmetric": "symmetric"}[mode])
    if isinstance(fill, (tuple, list)) and channel_axis is not None and arr.ndim == 3:
        out = np.empty([s + a + b for s, (a, b) in zip(arr.shape, widths)], arr.dtype)
        shape = [1, 1, 1]
        shape[channel_axis] = -1
        out[...] = np.asarray(fill, dtype=arr.dtype).reshape(shape)
        inner = tuple(slice(a, a + s) for s, (a, _) in zip(arr.shape, widths))
        out[inner] = arr
        return out
    value = fill[0] if isinstance(fill, (tuple, list)) else (0 if fill is None else fill)
    return np.pad(arr, widths, mode="constant", constant_values=value)


def pad(img, padding, fill=0, padding_mode: str = "constant"):
    """Pad the borders: ``padding`` is an int (all sides), (left/right, top/bottom) or
    (left, top, right, bottom); modes constant, edge, reflect, symmetric."""
    ltrb = _parse_padding(padding)
    if padding_mode not in ("constant", "edge", "reflect", "symmetric"):
        raise ValueError("Padding mode should be either constant, edge, reflect or symmetric")
    if isinstance(img, Tensor):
        arr = _pad_array(np.asarray(img), ltrb, fill, padding_mode,
                         -3 if img.dim() >= 3 else None)
        return _tensor_like(arr, img)
    _check_image(img)
    Image = _pil()
    arr = np.asarray(img)
    out = Image.fromarray(_pad_array(arr, ltrb, fill, padding_mode,
                                     -1 if arr.ndim == 3 else None))
    if img.mode == "P":
        out = out.convert("L") if out.mode != "L" else out
        out.putpalette(img.getpalette())
        out = out.convert("P") if out.mode != "P" else out
    return out if out.mode == img.mode else out.convert(img.mode)


def crop(img, top: int, left: int, height: int, width: int):
    """The ``height`` x ``width`` region at (top, left); outside the image counts as zeros."""
    if not isinstance(img, Tensor):
        _check_image(img)
        return img.crop((left, top, left + width, top + height))
    _, h, w = get_dimensions(img)
    right, bottom = left + width, top + height
    if left < 0 or top < 0 or right > w or bottom > h:
        inner = img[..., max(top, 0):max(bottom, 0), max(left, 0):max(right, 0)]
        ltrb = (max(-left, 0) if right > 0 else width, max(-top, 0) if bottom > 0 else height,
                max(right - max(w, left), 0), max(bottom - max(h, top), 0))
        return pad(inner, ltrb, fill=0)
    return img[..., top:bottom, left:right]


def center_crop(img, output_size):
    """The central region of ``output_size`` (int or (h, w)); pads with zeros if larger."""
    if isinstance(output_size, numbers.Number):
        output_size = (int(output_size), int(output_size))
    elif isinstance(output_size, (tuple, list)) and len(output_size) == 1:
        output_size = (output_size[0], output_size[0])
    _, h, w = get_dimensions(img)
    th, tw = output_size
    if th > h or tw > w:
        img = pad(img, ((tw - w) // 2 if tw > w else 0, (th - h) // 2 if th > h else 0,
                        (tw - w + 1) // 2 if tw > w else 0, (th - h + 1) // 2 if th > h else 0))
        _, h, w = get_dimensions(img)
        if (th, tw) == (h, w):
            return img
    top = int(round((h - th) / 2.0))
    left = int(round((w - tw) / 2.0))
    return crop(img, top, left, th, tw)


def resized_crop(img, top: int, left: int, height: int, width: int, size,
                 interpolation=InterpolationMode.BILINEAR, antialias: bool | None = True):
    """``crop`` then ``resize``."""
    return resize(crop(img, top, left, height, width), size, interpolation,
                  antialias=antialias)


def _flip(img, axis: int, pil_method: int):
    if isinstance(img, Tensor):
        return _tensor_like(np.flip(np.asarray(img), axis), img)
    _check_image(img)
    return img.transpose(pil_method)


def hflip(img):
    """Mirror left to right."""
    return _flip(img, -1, 0)


def vflip(img):
    """Mirror top to bottom."""
    return _flip(img, -2, 1)


def _rotated_size(w: int, h: int, angle: float) -> tuple:
    """(width, height) of the box that holds the whole rotated image."""
    a = math.radians(angle)
    c, s = abs(math.cos(a)), abs(math.sin(a))
    # rounding first drops float noise such as cos(90 degrees) = 6e-17
    return (math.ceil(round(w * c + h * s, 4)), math.ceil(round(w * s + h * c, 4)))


def rotate(img, angle: float, interpolation=InterpolationMode.NEAREST, expand: bool = False,
           center: Sequence[int] | None = None, fill=None):
    """Rotate counter-clockwise by ``angle`` degrees about ``center`` (default: the middle)."""
    mode = _interpolation(interpolation)
    if not isinstance(img, Tensor):
        _check_image(img)
        if isinstance(fill, (int, float)) and len(img.getbands()) > 1:
            fill = (int(fill),) * len(img.getbands())
        elif isinstance(fill, (list, tuple)):
            fill = tuple(int(f) for f in fill) if len(fill) > 1 else int(fill[0])
        return img.rotate(angle, _PIL_FILTERS[mode], expand, center, fillcolor=fill)
    if mode not in (InterpolationMode.NEAREST, InterpolationMode.BILINEAR):
        raise ValueError(f"Interpolation mode '{mode.value}' is unsupported with Tensor input")
    arr = np.asarray(img)
    h, w = arr.shape[-2:]
    ow, oh = _rotated_size(w, h, angle) if expand else (w, h)
    cx, cy = (w / 2, h / 2) if center is None else (center[0] + 0.5, center[1] + 0.5)
    ocx, ocy = (ow / 2, oh / 2) if expand or center is None else (cx, cy)
    a = math.radians(angle)
    cos, sin = math.cos(a), math.sin(a)
    ys, xs = np.meshgrid(np.arange(oh) + 0.5 - ocy, np.arange(ow) + 0.5 - ocx, indexing="ij")
    # map each output pixel back into the source (inverse of a visual counter-clockwise turn)
    sx = cos * xs - sin * ys + cx - 0.5
    sy = sin * xs + cos * ys + cy - 0.5
    fills = np.broadcast_to(np.asarray(0 if fill is None else fill, np.float64).reshape(-1),
                            (arr.shape[-3] if arr.ndim >= 3 else 1,))
    fill_img = fills.reshape((-1, 1, 1) if arr.ndim >= 3 else (1, 1))
    if mode is InterpolationMode.NEAREST:
        ix, iy = np.round(sx).astype(np.int64), np.round(sy).astype(np.int64)
        inside = (ix >= 0) & (ix < w) & (iy >= 0) & (iy < h)
        vals = arr[..., np.clip(iy, 0, h - 1), np.clip(ix, 0, w - 1)]
        out = np.where(inside, vals, fill_img.astype(arr.dtype))
        return _tensor_like(out.astype(arr.dtype, copy=False), img)
    x0, y0 = np.floor(sx).astype(np.int64), np.floor(sy).astype(np.int64)
    fx, fy = sx - x0, sy - y0
    out = np.zeros(arr.shape[:-2] + (oh, ow))
    for dy, wy in ((0, 1 - fy), (1, fy)):
        for dx, wx in ((0, 1 - fx), (1, fx)):
            yy, xx = y0 + dy, x0 + dx
            inside = (xx >= 0) & (xx < w) & (yy >= 0) & (yy < h)
            vals = arr[..., np.clip(yy, 0, h - 1), np.clip(xx, 0, w - 1)].astype(np.float64)
            out += np.where(inside, vals, fill_img) * (wx * wy)
    if arr.dtype.kind in "iu":
        out = np.round(out)
    return _tensor_like(out.astype(arr.dtype), img)


# -- colour --------------------------------------------------------------------------------

def _gray_array(arr: np.ndarray) -> np.ndarray:
    """ITU-R 601 luma of (..., 3, H, W) keeping the channel axis; integers truncate."""
    r, g, b = arr[..., 0, :, :], arr[..., 1, :, :], arr[..., 2, :, :]
    luma = 0.2989 * r.astype(np.float32) + 0.587 * g + 0.114 * b
    return luma.astype(arr.dtype)[..., None, :, :]


def rgb_to_grayscale(img, num_output_channels: int = 1):
    """Luma of an RGB image, repeated over ``num_output_channels`` (1 or 3)."""
    if num_output_channels not in (1, 3):
        raise ValueError("num_output_channels should be either 1 or 3")
    if not isinstance(img, Tensor):
        _check_image(img)
        Image = _pil()
        gray = img.convert("L")
        if num_output_channels == 3:
            return Image.merge("RGB", (gray, gray, gray))
        return gray
    arr = np.asarray(img)
    c = arr.shape[-3] if arr.ndim >= 3 else 1
    if c not in (1, 3):
        raise TypeError(f"Input image tensor permitted channel values are [1, 3], but found {c}")
    gray = arr if c == 1 else _gray_array(arr)
    if num_output_channels == 3:
        gray = np.repeat(gray, 3, axis=-3)
    return _tensor_like(gray, img)


to_grayscale = rgb_to_grayscale


def _blend(a: np.ndarray, b, ratio: float) -> np.ndarray:
    bound = _max_value(a.dtype)
    out = np.clip(ratio * a + (1.0 - ratio) * b, 0, bound)
    return out.astype(a.dtype)


def _check_factor(name: str, factor: float) -> None:
    if factor < 0:
        raise ValueError(f"{name} ({factor}) is not non-negative.")


def _enhance(img, factor: float, which: str):
    from PIL import ImageEnhance
    return getattr(ImageEnhance, which)(img).enhance(factor)


def adjust_brightness(img, brightness_factor: float):
    """Scale intensities by ``brightness_factor`` (0 gives black)."""
    _check_factor("brightness_factor", brightness_factor)
    if not isinstance(img, Tensor):
        _check_image(img)
        return _enhance(img, brightness_factor, "Brightness")
    arr = np.asarray(img)
    return _tensor_like(_blend(arr, 0.0, brightness_factor), img)


def adjust_contrast(img, contrast_factor: float):
    """Blend with the mean grey level (0 gives a flat grey image)."""
    _check_factor("contrast_factor", contrast_factor)
    if not isinstance(img, Tensor):
        _check_image(img)
        return _enhance(img, contrast_factor, "Contrast")
    arr = np.asarray(img)
    gray = _gray_array(arr) if arr.shape[-3] == 3 else arr
    work = arr.dtype if arr.dtype.kind == "f" else np.float32
    mean = gray.astype(work).mean(axis=(-3, -2, -1), keepdims=True)
    return _tensor_like(_blend(arr, mean, contrast_factor), img)


def adjust_saturation(img, saturation_factor: float):
    """Blend with the grey version (0 gives grey, 2 doubles the saturation)."""
    _check_factor("saturation_factor", saturation_factor)
    if not isinstance(img, Tensor):
        _check_image(img)
        return _enhance(img, saturation_factor, "Color")
    arr = np.asarray(img)
    if arr.shape[-3] == 1:
        return img
    return _tensor_like(_blend(arr, _gray_array(arr), saturation_factor), img)


def _rgb_to_hsv(rgb: np.ndarray) -> np.ndarray:
    r, g, b = rgb[..., 0, :, :], rgb[..., 1, :, :], rgb[..., 2, :, :]
    maxc, minc = rgb.max(axis=-3), rgb.min(axis=-3)
    delta = maxc - minc
    s = delta / np.where(maxc == 0, 1, maxc)
    safe = np.where(delta == 0, 1, delta)
    rc, gc, bc = (maxc - r) / safe, (maxc - g) / safe, (maxc - b) / safe
    h = np.where(maxc == r, bc - gc, np.where(maxc == g, 2.0 + rc - bc, 4.0 + gc - rc))
    h = np.where(delta == 0, 0.0, (h / 6.0) % 1.0)
    return np.stack([h, s, maxc], axis=-3)


def _hsv_to_rgb(hsv: np.ndarray) -> np.ndarray:
    h, s, v = hsv[..., 0, :, :], hsv[..., 1, :, :], hsv[..., 2, :, :]
    i = np.floor(h * 6.0)
    f = h * 6.0 - i
    i = i.astype(np.int64) % 6
    p, q, t = v * (1 - s), v * (1 - s * f), v * (1 - s * (1 - f))
    r = np.choose(i, [v, q, p, p, t, v])
    g = np.choose(i, [t, v, v, q, p, p])
    b = np.choose(i, [p, p, t, v, v, q])
    return np.stack([r, g, b], axis=-3)


def adjust_hue(img, hue_factor: float):
    """Rotate the hue by ``hue_factor`` turns (in [-0.5, 0.5])."""
    if not -0.5 <= hue_factor <= 0.5:
        raise ValueError(f"hue_factor ({hue_factor}) is not in [-0.5, 0.5].")
    if not isinstance(img, Tensor):
        _check_image(img)
        Image = _pil()
        if img.mode in ("L", "1", "I", "F"):
            return img
        h, s, v = img.convert("HSV").split()
        shifted = (np.array(h, dtype=np.int64) + int(hue_factor * 255)) % 256
        h = Image.fromarray(shifted.astype(np.uint8))
        return Image.merge("HSV", (h, s, v)).convert(img.mode)
    arr = np.asarray(img)
    if arr.shape[-3] == 1:
        return img
    scale = _max_value(arr.dtype)
    hsv = _rgb_to_hsv(arr.astype(np.float64) / scale)
    hsv[..., 0, :, :] = (hsv[..., 0, :, :] + hue_factor) % 1.0
    rgb = _hsv_to_rgb(hsv) * scale
    return _tensor_like(rgb.astype(arr.dtype), img)


def convert_image_dtype(image: Tensor, dtype=None) -> Tensor:
    """Change the pixel type, rescaling values between the [0, 1] float range and the full
    integer range."""
    dt = _dtype.to_dtype(dtype if dtype is not None else _dtype.float32)
    if not isinstance(image, Tensor):
        raise TypeError("Input img should be Tensor Image")
    if image.dtype is dt:
        return image
    src = np.asarray(image)
    out_np = np.dtype(dt.np)
    if src.dtype.kind == "f":
        if np.dtype(out_np).kind == "f":
            return image.to(dt)
        if (src.dtype == np.float32 and out_np in (np.int32, np.int64)) or \
                (src.dtype == np.float64 and out_np == np.int64):
            raise RuntimeError(f"The cast from {image.dtype} to {dt} cannot be performed "
                               f"safely.")
        # just below max+1 so that 1.0 maps to max and the bins stay equally wide
        eps = 1e-3
        return _tensor_like((src * (_max_value(out_np) + 1.0 - eps)).astype(out_np), image)
    in_max = _max_value(src.dtype)
    if np.dtype(out_np).kind == "f":
        return _tensor_like((src.astype(out_np) / in_max).astype(out_np), image)
    out_max = _max_value(out_np)
    if in_max > out_max:
        factor = (int(in_max) + 1) // (int(out_max) + 1)
        return _tensor_like((src // factor).astype(out_np), image)
    factor = (int(out_max) + 1) // (int(in_max) + 1)
    return _tensor_like(src.astype(out_np) * out_np.type(factor), image)

