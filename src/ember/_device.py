"""Device objects and the array module (NumPy on the CPU, CuPy on CUDA) behind each."""
from __future__ import annotations

import os

import numpy as np

__all__ = ["device"]


class device:
    """Where a tensor lives: ``device('cpu')``, ``device('cuda', 0)``, ``device('cuda:1')``."""

    __slots__ = ("type", "index")

    def __new__(cls, type=None, index: int | None = None):
        if isinstance(type, device):
            return type
        if isinstance(type, int) and not isinstance(type, bool) and index is None:
            # a bare index names a device of the current accelerator
            if cupy_module() is None:
                raise RuntimeError("Cannot access accelerator device when none is available.")
            type, index = "cuda", type
        if not isinstance(type, str):
            raise TypeError(f"device() received an invalid combination of arguments - got "
                            f"({_builtin_type(type).__name__})")
        if index is not None and (not isinstance(index, int) or isinstance(index, bool)):
            raise TypeError(f"device(): argument 'index' (position 2) must be int, not "
                            f"{_builtin_type(index).__name__}")
        kind = type
        if ":" in kind:
            if index is not None:
                raise RuntimeError(f"type (string) must not include an index because index was "
                                   f"passed explicitly: {kind}")
            kind, _, idx = kind.partition(":")
            # PyTorch accepts only a plain decimal index without leading zeros
            if not (idx.isdigit() and idx.isascii()) or (len(idx) > 1 and idx[0] == "0"):
                raise RuntimeError(f"Invalid device string: '{type}'")
            index = int(idx)
        if kind not in _KNOWN_TYPES:
            if kind.strip() != kind:
                raise RuntimeError(f"Invalid device string: '{type}'")
            raise RuntimeError(f"Expected one of {', '.join(_KNOWN_TYPES)} device type at start "
                               f"of device string: {type}")
        if index is not None and index < 0:
            raise RuntimeError("Device index must not be negative")
        key = (kind, index)
        cached = _CACHE.get(key)
        if cached is not None:
            return cached
        self = object.__new__(cls)
        object.__setattr__(self, "type", kind)
        object.__setattr__(self, "index", index)
        _CACHE[key] = self
        return self

    def __setattr__(self, name, value):
        raise AttributeError("device objects are immutable")

    def __repr__(self):
        if self.index is None:
            return f"device(type='{self.type}')"
        return f"device(type='{self.type}', index={self.index})"

    def __str__(self):
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __eq__(self, other):
        # as in PyTorch, a device never equals a string: compare with device("cuda")
        if not isinstance(other, device):
            return NotImplemented
        return self.type == other.type and self.index == other.index

    def __hash__(self):
        return hash((self.type, self.index))

    def __reduce__(self):
        return (device, (str(self),))

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


_builtin_type = type
_KNOWN_TYPES = ("cpu", "cuda", "ipu", "xpu", "mkldnn", "opengl", "opencl", "ideep", "hip", "ve",
                "fpga", "maia", "xla", "lazy", "vulkan", "mps", "meta", "hpu", "mtia",
                "privateuseone")
_CACHE: dict = {}
CPU = device("cpu")


def _cupy():
    fake = os.environ.get("EMBER_FAKE_CUDA", "")
    if fake and fake != "0":
        # the strict NumPy stand-in for CuPy, for testing the CUDA path without a GPU
        from .testing import _fake_cupy
        return _fake_cupy
    try:
        import cupy  # noqa: F401  (optional GPU backend)
    except Exception:
        return None
    try:
        if cupy.cuda.runtime.getDeviceCount() > 0:
            return cupy
    except Exception:
        return None
    return None


_cupy_module = None
_cupy_checked = False


def cupy_module():
    """CuPy when it is installed and sees a GPU, else None (checked once); with
    ``EMBER_FAKE_CUDA`` set, the strict NumPy stand-in ``ember.testing._fake_cupy``."""
    global _cupy_module, _cupy_checked
    if not _cupy_checked:
        _cupy_module = _cupy()
        _cupy_checked = True
    return _cupy_module


def canonical(dev) -> device:
    """A concrete device: 'cuda' becomes 'cuda:0' after checking CUDA exists."""
    d = dev if isinstance(dev, device) else device(dev)
    if d.type == "cpu":
        return CPU
    if d.type == "cuda":
        require_cuda()
        index = d.index or 0
        if index >= cupy_module().cuda.runtime.getDeviceCount():
            raise RuntimeError("CUDA error: invalid device ordinal")
        return device("cuda", index)
    if d.type == "mps":
        raise RuntimeError("PyTorch is not linked with support for mps devices")
    raise RuntimeError(f"ember has no backend for device type '{d.type}' (it runs on the CPU "
                       "with NumPy, and on CUDA GPUs with CuPy)")


def require_cuda() -> None:
    """Raise PyTorch's error for a CPU-only build when CuPy or a GPU is missing."""
    if cupy_module() is None:
        raise AssertionError("Torch not compiled with CUDA enabled")


def array_module(dev: device):
    """The array module (numpy or cupy) that holds tensors on ``dev``."""
    if dev is CPU:
        return np
    return cupy_module()


def device_of_array(arr) -> device:
    """The device whose memory holds ``arr``."""
    if isinstance(arr, np.ndarray):
        return CPU
    cp = cupy_module()
    if cp is not None and isinstance(arr, cp.ndarray):
        return device("cuda", arr.device.id)
    return CPU


def xp_of(arr):
    """The array module (numpy or cupy) of an array: where new arrays that meet it are made."""
    if type(arr) is np.ndarray:
        return np
    return array_module(device_of_array(arr))


def as_array(x, dtype=None):
    """``np.asarray`` that leaves an array where it is: ``x`` itself (cast to ``dtype``) when
    it is an array of either backend, else a NumPy array of it. NumPy functions give
    scalars for 0-dim input, and ``np.asarray`` must never meet a CuPy array (it refuses
    to copy one to the host implicitly)."""
    if type(x) is not np.ndarray:
        cp = cupy_module()
        if cp is None or not isinstance(x, cp.ndarray):
            return np.asarray(x, dtype=dtype)
    return x if dtype is None else x.astype(dtype, copy=False)


def move_array(arr, dev: device):
    """Copy an array to ``dev``'s memory (no copy when it is already there)."""
    if dev is CPU:
        if isinstance(arr, np.ndarray):
            return arr
        return arr.get()
    cp = cupy_module()
    with cp.cuda.Device(dev.index or 0):
        return cp.asarray(arr)


_default_device: list = [None]  # where factories put tensors when given no device


def set_default_device(device) -> None:
    """Make factory functions (``zeros``, ``tensor``, ``randn`` …) create tensors on
    ``device`` when they are not given one (None: back to the CPU)."""
    _default_device[0] = None if device is None else canonical(device)


def get_default_device() -> device:
    """The device factory functions use when not given one."""
    return _default_device[0] or CPU
