"""``torch.cpu``: the CPU device module. ember always runs on the CPU, so it is available,
counts one device and has nothing to synchronize."""
from __future__ import annotations

from . import amp  # noqa: F401

__all__ = ["is_available", "is_initialized", "device_count", "current_device", "set_device",
           "synchronize", "amp"]


def is_available() -> bool:
    """The CPU is always available."""
    return True


def is_initialized() -> bool:
    """The CPU needs no lazy initialization: always True."""
    return True


def device_count() -> int:
    """One CPU device."""
    return 1


def current_device() -> str:
    """The current CPU device's name: ``'cpu'``."""
    return "cpu"


def set_device(device) -> None:
    """Selecting a CPU device changes nothing (there is one)."""


def synchronize(device=None) -> None:
    """CPU work runs eagerly, so there is nothing to wait for."""
