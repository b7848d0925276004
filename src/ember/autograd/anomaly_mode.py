"""``torch.autograd.anomaly_mode``: the anomaly-detection switches, under torch's module path."""
from __future__ import annotations

from . import detect_anomaly, set_detect_anomaly  # noqa: F401

__all__ = ["detect_anomaly", "set_detect_anomaly"]
