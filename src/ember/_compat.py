"""Top-level utilities that exist for compatibility: threads, determinism …"""
from __future__ import annotations

import numpy as np

_threads = {"intra": None, "inter": 1}  # intra None: not set, report the CPU count
_flags = {"deterministic": False, "matmul_precision": "highest"}


def use_deterministic_algorithms(mode: bool, *, warn_only: bool = False) -> None:
    """ember's CPU kernels are deterministic already; the flag is recorded."""
    _flags["deterministic"] = bool(mode)
    _flags["warn_only"] = bool(warn_only)


def is_deterministic_algorithms_warn_only_enabled() -> bool:
    """Whether ``use_deterministic_algorithms`` was called with ``warn_only=True``."""
    return _flags.get("warn_only", False)


_DEBUG_MODES = ("default", "warn", "error")


def set_deterministic_debug_mode(debug_mode) -> None:
    """0/'default': off; 1/'warn': deterministic, warn only; 2/'error': deterministic."""
    if isinstance(debug_mode, str):
        if debug_mode not in _DEBUG_MODES:
            raise RuntimeError(f"invalid value of debug_mode, expected one of `default`, `warn`, "
                               f"`error`, but got {debug_mode}")
        debug_mode = _DEBUG_MODES.index(debug_mode)
    elif not isinstance(debug_mode, int):
        raise TypeError(f"debug_mode must be str or int, but got {type(debug_mode)}")
    if debug_mode not in (0, 1, 2):
        raise RuntimeError(f"invalid value of debug_mode, expected 0, 1, or 2, but got "
                           f"{debug_mode}")
    use_deterministic_algorithms(debug_mode > 0, warn_only=debug_mode == 1)


def get_deterministic_debug_mode() -> int:
    """The mode ``set_deterministic_debug_mode`` sets: 0, 1 (warn only) or 2."""
    if not are_deterministic_algorithms_enabled():
        return 0
    return 1 if is_deterministic_algorithms_warn_only_enabled() else 2


def are_deterministic_algorithms_enabled() -> bool:
    """Whether ``use_deterministic_algorithms(True)`` was called."""
    return _flags["deterministic"]


def set_num_threads(n: int) -> None:
    """Recorded for compatibility; BLAS threads are set by its environment variables."""
    _threads["intra"] = int(n)


def get_num_threads() -> int:
    """The thread count last set with ``set_num_threads`` (else the number of CPUs)."""
    import os
    return _threads["intra"] or os.cpu_count() or 1


def set_num_interop_threads(n: int) -> None:
    """Recorded for compatibility: ember runs no inter-op thread pool."""
    _threads["inter"] = int(n)


def get_num_interop_threads() -> int:
    """The value last given to ``set_num_interop_threads`` (1 by default)."""
    return _threads["inter"]


def set_float32_matmul_precision(precision: str) -> None:
    """Recorded for compatibility: NumPy computes float32 products in full precision."""
    if precision not in ("highest", "high", "medium"):
        import warnings
        warnings.warn(f"{precision} is not one of 'highest', 'high', or 'medium'; the current "
                      "setFloat32MatmulPrecision call has no effect.", UserWarning, stacklevel=2)
        return
    _flags["matmul_precision"] = precision


def get_float32_matmul_precision() -> str:
    """The value last given to ``set_float32_matmul_precision`` ('highest' by default)."""
    return _flags["matmul_precision"]


def set_anomaly_enabled(enabled: bool, check_nan: bool = True) -> None:
    """Turn autograd's anomaly detection on or off (``torch.set_anomaly_enabled``)."""
    from .autograd import set_detect_anomaly
    set_detect_anomaly(enabled, check_nan)


def is_anomaly_enabled() -> bool:
    """Whether autograd's anomaly detection is on."""
    from .autograd import is_anomaly_enabled as enabled
    return enabled()


def is_anomaly_check_nan_enabled() -> bool:
    """Whether anomaly detection also checks gradients for NaN."""
    from .autograd import is_anomaly_check_nan_enabled as check_nan
    return check_nan()


def typename(obj) -> str:
    """``'torch.FloatTensor'`` for a tensor, else the object's qualified type name."""
    from ._tensor import Tensor
    if isinstance(obj, Tensor):
        return obj.type()
    return type(obj).__module__ + "." + type(obj).__qualname__


def broadcast_shapes(*shapes):
    """The shape that tensors of these shapes broadcast to."""
    from ._tensor import Size
    try:
        return Size(np.broadcast_shapes(*[(s,) if isinstance(s, int) else tuple(s)
                                          for s in shapes]))
    except ValueError:
        raise RuntimeError(f"Shape mismatch: objects cannot be broadcast to a single shape. "
                           f"Mismatch is between {shapes}") from None


def broadcast_tensors(*tensors):
    """Expand tensors to their common broadcast shape (views)."""
    shape = broadcast_shapes(*[t.shape for t in tensors])
    return tuple(t.expand(shape) for t in tensors)


def manual_seed_all(seed) -> None:
    """Seed the random generator (ember has one, on the CPU)."""
    from ._random import manual_seed
    manual_seed(seed)
