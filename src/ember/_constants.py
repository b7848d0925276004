"""The mathematical constants PyTorch exports at top level (``torch.pi``, ``torch.newaxis``...)."""
from __future__ import annotations

import math

__all__ = ["e", "pi", "inf", "nan", "newaxis"]

e = math.e
pi = math.pi
inf = math.inf
nan = math.nan
newaxis = None
