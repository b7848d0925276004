"""``torch.accelerator``: the device-neutral view of the current accelerator (CUDA or none)."""
from __future__ import annotations

from . import cuda as _cuda
from ._device import device as _device

__all__ = ["is_available", "current_accelerator", "device_count", "current_device_index",
           "current_device_idx", "set_device_index", "set_device_idx", "synchronize",
           "empty_cache", "memory_allocated", "max_memory_allocated", "memory_reserved",
           "max_memory_reserved", "reset_peak_memory_stats"]

_NONE_MSG = "Cannot access accelerator device when none is available."


def is_available() -> bool:
    """Whether an accelerator (a CUDA GPU through CuPy) can be used."""
    return _cuda.is_available()


def current_accelerator(check_available: bool = False):
    """``device('cuda')`` when a GPU can be used, else None."""
    return _device("cuda") if _cuda.is_available() else None


def device_count() -> int:
    """Number of accelerator devices (0 without one)."""
    return _cuda.device_count()


def _require() -> None:
    if not _cuda.is_available():
        raise RuntimeError(_NONE_MSG)


def current_device_index() -> int:
    """Index of the selected accelerator device."""
    _require()
    return _cuda.current_device()


def set_device_index(device) -> None:
    """Select the accelerator device by index (or device)."""
    _require()
    _cuda.set_device(device)


def synchronize(device=None) -> None:
    """Wait for all queued work on the accelerator."""
    _require()
    _cuda.synchronize(device)


current_device_idx = current_device_index
set_device_idx = set_device_index
empty_cache = _cuda.empty_cache
memory_allocated = _cuda.memory_allocated
max_memory_allocated = _cuda.max_memory_allocated
memory_reserved = _cuda.memory_reserved
max_memory_reserved = _cuda.max_memory_reserved
reset_peak_memory_stats = _cuda.reset_peak_memory_stats
