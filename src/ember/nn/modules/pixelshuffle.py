"""The ``torch.nn.modules.pixelshuffle`` path: its layers live in ``padding.py``."""
from .padding import PixelShuffle, PixelUnshuffle  # noqa: F401

__all__ = ["PixelShuffle", "PixelUnshuffle"]
