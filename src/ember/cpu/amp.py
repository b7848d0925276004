"""``torch.cpu.amp``: the deprecated CPU spellings of ``torch.amp.autocast`` and
``torch.amp.GradScaler``."""
from __future__ import annotations

import warnings

from .. import _dtype as D
from .. import amp as _amp

__all__ = ["autocast", "GradScaler"]


def _deprecated(name: str) -> None:
    warnings.warn(f"`torch.cpu.amp.{name}(args...)` is deprecated. Please use "
                  f"`torch.amp.{name}('cpu', args...)` instead.", FutureWarning, stacklevel=3)


class autocast(_amp.autocast):
    """Deprecated: ``torch.amp.autocast('cpu', ...)``."""

    def __init__(self, enabled: bool = True, dtype=D.bfloat16, cache_enabled: bool = True):
        _deprecated("autocast")
        super().__init__("cpu", dtype=dtype, enabled=enabled, cache_enabled=cache_enabled)


class GradScaler(_amp.GradScaler):
    """Deprecated: ``torch.amp.GradScaler('cpu', ...)``."""

    def __init__(self, init_scale: float = 2.0 ** 16, growth_factor: float = 2.0,
                 backoff_factor: float = 0.5, growth_interval: int = 2000, enabled: bool = True):
        _deprecated("GradScaler")
        super().__init__("cpu", init_scale, growth_factor, backoff_factor, growth_interval,
                         enabled)
