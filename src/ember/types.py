"""``torch.types``: the type aliases annotations import (``Number``, ``Device``, ``_size``...)."""
from __future__ import annotations

import os
from collections.abc import Sequence
from typing import IO, Union

from ._device import device as _device  # noqa: F401
from ._dtype import dtype as _dtype  # noqa: F401
from ._layout import layout as _layout  # noqa: F401
from ._tensor import Size, Tensor

__all__ = ["Number", "Device", "FileLike", "Size", "Tensor", "IntLikeType", "FloatLikeType",
           "BoolLikeType"]

_int = int
_float = float
_bool = bool
_complex = complex
_str = str
_bytes = bytes
_Number = (int, float, bool)
Number = Union[int, float, bool]
Device = Union[_device, str, int, None]
FileLike = Union[str, os.PathLike, IO[bytes]]
IntLikeType = int
FloatLikeType = float
BoolLikeType = bool
_size = Union[Size, list[int], tuple[int, ...]]
_TensorOrTensors = Union[Tensor, Sequence[Tensor]]
_TensorOrOptionalTensors = Union[Tensor, Sequence[Union[Tensor, None]]]
