"""The ``torch.nn.modules.upsampling`` path: its layers live in ``padding.py``."""
from .padding import Upsample, UpsamplingNearest2d, UpsamplingBilinear2d  # noqa: F401

__all__ = ["Upsample", "UpsamplingNearest2d", "UpsamplingBilinear2d"]
