"""``torch.cuda``: CUDA devices, served by CuPy when it is installed and sees a GPU.

Without CuPy or a GPU, ``is_available()`` is False, the counters read zero, the
housekeeping calls (``empty_cache``, seeding) do nothing, and anything that needs
a device raises PyTorch's error for a build without CUDA.
"""
from __future__ import annotations

from .._device import cupy_module, device as _device, require_cuda

__all__ = ["is_available", "device_count", "current_device", "set_device", "get_device_name",
           "get_device_properties", "get_device_capability", "synchronize", "empty_cache",
           "manual_seed", "manual_seed_all", "seed", "seed_all", "is_initialized", "init",
           "memory_allocated", "max_memory_allocated", "memory_reserved",
           "max_memory_reserved", "reset_peak_memory_stats", "is_bf16_supported", "device"]

_current = 0  # the index ``current_device`` reports (CuPy keeps its own per thread)


def is_available() -> bool:
    """Whether a CUDA GPU can be used (needs CuPy and at least one device)."""
    return cupy_module() is not None


def device_count() -> int:
    """Number of CUDA devices (0 without CuPy or a GPU)."""
    cp = cupy_module()
    return 0 if cp is None else cp.cuda.runtime.getDeviceCount()


def is_initialized() -> bool:
    """Whether the CUDA backend is usable (it starts on first use)."""
    return is_available()


def init() -> None:
    """Start the CUDA backend, raising when there is none."""
    require_cuda()


def _index(dev) -> int:
    """The device index meant by ``dev`` (None, an int, a string or a device)."""
    if dev is None:
        return _current
    if isinstance(dev, int):
        return dev
    d = _device(dev)
    return _current if d.index is None else d.index


def current_device() -> int:
    """The index of the selected CUDA device."""
    require_cuda()
    return _current


def set_device(dev) -> None:
    """Select the CUDA device that ``'cuda'`` and ``current_device()`` refer to."""
    global _current
    require_cuda()
    index = _index(dev)
    cupy_module().cuda.Device(index).use()
    _current = index


def get_device_properties(dev=None):
    """CuPy's property record of a device (name, totalGlobalMem, major, minor …)."""
    require_cuda()
    return cupy_module().cuda.runtime.getDeviceProperties(_index(dev))


def get_device_name(device=None) -> str:
    """The marketing name of a CUDA device."""
    name = get_device_properties(device)["name"]
    return name.decode() if isinstance(name, bytes) else str(name)


def get_device_capability(dev=None) -> tuple:
    """The (major, minor) compute capability of a CUDA device."""
    props = get_device_properties(dev)
    return props["major"], props["minor"]


def synchronize(device=None) -> None:
    """Wait until all queued work on a CUDA device has finished."""
    require_cuda()
    with cupy_module().cuda.Device(_index(device)):
        cupy_module().cuda.Device().synchronize()


def empty_cache() -> None:
    """Give cached, unused GPU memory back to the driver (nothing to do without CUDA)."""
    cp = cupy_module()
    if cp is not None:
        cp.get_default_memory_pool().free_all_blocks()


def manual_seed(seed: int) -> None:
    """Accepted for compatibility: ember draws all random numbers from the CPU generator,
    which ``ember.manual_seed`` seeds."""


def manual_seed_all(seed: int) -> None:
    """Accepted for compatibility, like ``manual_seed``."""


def seed() -> None:
    """Accepted for compatibility, like ``manual_seed``."""


def seed_all() -> None:
    """Accepted for compatibility, like ``manual_seed``."""


def memory_allocated(dev=None) -> int:
    """Bytes of GPU memory held by tensors (0 without CUDA)."""
    cp = cupy_module()
    return 0 if cp is None else cp.get_default_memory_pool().used_bytes()


def memory_reserved(dev=None) -> int:
    """Bytes of GPU memory held by the allocator's cache (0 without CUDA)."""
    cp = cupy_module()
    return 0 if cp is None else cp.get_default_memory_pool().total_bytes()


def max_memory_allocated(dev=None) -> int:
    """ember keeps no peak statistics: the current ``memory_allocated``."""
    return memory_allocated(dev)


def max_memory_reserved(dev=None) -> int:
    """ember keeps no peak statistics: the current ``memory_reserved``."""
    return memory_reserved(dev)


def reset_peak_memory_stats(dev=None) -> None:
    """Nothing to reset: ember keeps no peak statistics."""


def is_bf16_supported(including_emulation: bool = True) -> bool:
    """ember computes bfloat16 on no backend: always False."""
    return False


class device:
    """Context manager that selects a CUDA device inside its block."""

    def __init__(self, device) -> None:
        self.index = -1 if device is None else _index(device)
        self._prev = -1

    def __enter__(self):
        if self.index >= 0 and is_available():
            self._prev = _current
            set_device(self.index)
        return self

    def __exit__(self, *exc):
        if self._prev >= 0:
            set_device(self._prev)
        return False


def __getattr__(name):
    # ``torch.cuda.amp`` is reachable without importing it first
    if name == "amp":
        import importlib
        return importlib.import_module(__name__ + ".amp")
    from .._naming import public_name
    raise AttributeError(f"module '{public_name(__name__)}' has no attribute '{name}'")
