"""``ember.utils``: helpers served as ``torch.utils`` (data loading lives in ``utils.data``)."""
from __future__ import annotations

import importlib as _importlib

__all__ = ["data", "hooks"]


def __getattr__(name):
    # ``data`` pulls in multiprocessing; load it only when someone asks for it
    if name in ("data", "hooks"):
        mod = _importlib.import_module(f"{__name__}.data")
        globals()[name] = mod
        return mod
    raise AttributeError(f"module 'ember.utils' has no attribute '{name}'")
