"""``torch.autograd.variable``: where old scripts import the legacy ``Variable`` from."""
from __future__ import annotations

from . import Variable  # noqa: F401

__all__ = ["Variable"]
