"""The ``torch.nn.modules.fold`` path: its layers live in ``padding.py``."""
from .padding import Fold, Unfold  # noqa: F401

__all__ = ["Fold", "Unfold"]
