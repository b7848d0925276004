"""``ember.utils``: helpers served as ``torch.utils`` (data loading lives in ``utils.data``)."""
from __future__ import annotations

import importlib as _importlib

__all__ = ["data", "hooks", "checkpoint", "tensorboard"]


def __getattr__(name):
    # ``data`` pulls in multiprocessing; load the submodules only when someone asks for them
    if name in __all__:
        mod = _importlib.import_module(f"{__name__}.{name}")
        globals()[name] = mod
        return mod
    from .._naming import public_name
    raise AttributeError(f"module '{public_name(__name__)}' has no attribute '{name}'")
