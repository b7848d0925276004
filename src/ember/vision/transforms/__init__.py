"""``ember.vision.transforms`` (served as ``torchvision.transforms``): image transforms."""
from . import functional
from .functional import InterpolationMode
from .transforms import *  # noqa: F401,F403
from .transforms import __all__ as _names

__all__ = ["functional", *_names]
