"""Image file I/O (torchvision.io basics): read and decode images into uint8 (C, H, W)
tensors, encode and write PNG/JPEG. Decoding goes through Pillow."""
from __future__ import annotations

import io as _io
from enum import Enum

import numpy as np

from .. import _creation, _dtype
from .._tensor import Tensor

__all__ = ["ImageReadMode", "read_file", "write_file", "decode_image", "decode_png",
           "decode_jpeg", "read_image", "encode_png", "encode_jpeg", "write_png", "write_jpeg"]


class ImageReadMode(Enum):
    """Which channels to decode into."""

    UNCHANGED = 0
    GRAY = 1
    GRAY_ALPHA = 2
    RGB = 3
    RGB_ALPHA = 4


_PIL_MODES = {ImageReadMode.GRAY: "L", ImageReadMode.GRAY_ALPHA: "LA",
              ImageReadMode.RGB: "RGB", ImageReadMode.RGB_ALPHA: "RGBA"}


def read_file(path: str) -> Tensor:
    """A file's bytes as a 1-D uint8 tensor."""
    with open(path, "rb") as f:
        data = f.read()
    return _creation.as_tensor(np.frombuffer(data, dtype=np.uint8).copy())


def write_file(filename: str, data: Tensor) -> None:
    """Write a 1-D uint8 tensor's bytes to a file."""
    with open(filename, "wb") as f:
        f.write(np.asarray(data, dtype=np.uint8).tobytes())


def _mode(mode) -> ImageReadMode:
    if isinstance(mode, str):
        return ImageReadMode[mode.upper()]
    return ImageReadMode(mode)


def _to_chw(img, mode: ImageReadMode) -> Tensor:
    if mode is ImageReadMode.UNCHANGED:
        # palette and bilevel images have no channels of their own: decode to what they show
        if img.mode == "P":
            img = img.convert("RGBA" if "transparency" in img.info else "RGB")
        elif img.mode not in ("L", "LA", "RGB", "RGBA"):
            img = img.convert("RGB" if len(img.getbands()) >= 3 else "L")
    else:
        img = img.convert(_PIL_MODES[mode])
    arr = np.asarray(img, dtype=np.uint8)
    if arr.ndim == 2:
        arr = arr[:, :, None]
    return _creation.as_tensor(np.ascontiguousarray(arr.transpose(2, 0, 1)))


def decode_image(input, mode=ImageReadMode.UNCHANGED,
                 apply_exif_orientation: bool = False) -> Tensor:
    """Decode encoded image bytes (a 1-D uint8 tensor, or a path) into a uint8 (C, H, W)
    tensor."""
    from PIL import Image, ImageOps
    if isinstance(input, str):
        input = read_file(input)
    if not isinstance(input, Tensor) or input.dtype is not _dtype.uint8 or input.dim() != 1:
        raise RuntimeError("Expected a 1-D uint8 tensor of encoded image bytes")
    img = Image.open(_io.BytesIO(np.asarray(input).tobytes()))
    if apply_exif_orientation:
        img = ImageOps.exif_transpose(img)
    return _to_chw(img, _mode(mode))


decode_png = decode_image
decode_jpeg = decode_image


def read_image(path: str, mode=ImageReadMode.UNCHANGED,
               apply_exif_orientation: bool = False) -> Tensor:
    """Read a JPEG/PNG/... file into a uint8 (C, H, W) tensor."""
    return decode_image(read_file(path), mode, apply_exif_orientation)


def _encode(input: Tensor, fmt: str, **options) -> Tensor:
    from PIL import Image
    if input.dtype is not _dtype.uint8 or input.dim() != 3 or input.shape[0] not in (1, 3, 4):
        raise RuntimeError(f"Input tensor must be uint8 with shape (C, H, W) and C in 1, 3, 4; "
                           f"got {input.dtype} with shape {list(input.shape)}")
    arr = np.asarray(input).transpose(1, 2, 0)
    img = Image.fromarray(np.ascontiguousarray(arr[:, :, 0] if arr.shape[2] == 1 else arr))
    buf = _io.BytesIO()
    img.save(buf, format=fmt, **options)
    return _creation.as_tensor(np.frombuffer(buf.getvalue(), dtype=np.uint8).copy())


def encode_png(input: Tensor, compression_level: int = 6) -> Tensor:
    """PNG bytes (1-D uint8 tensor) of a uint8 (C, H, W) image."""
    return _encode(input, "PNG", compress_level=compression_level)


def encode_jpeg(input: Tensor, quality: int = 75) -> Tensor:
    """JPEG bytes (1-D uint8 tensor) of a uint8 (C, H, W) image."""
    return _encode(input, "JPEG", quality=quality)


def write_png(input: Tensor, filename: str, compression_level: int = 6) -> None:
    """Write a uint8 (C, H, W) image as a PNG file."""
    write_file(filename, encode_png(input, compression_level))


def write_jpeg(input: Tensor, filename: str, quality: int = 75) -> None:
    """Write a uint8 (C, H, W) image as a JPEG file."""
    write_file(filename, encode_jpeg(input, quality))
