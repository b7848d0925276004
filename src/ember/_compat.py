"""Top-level utilities that exist for compatibility: threads, determinism, compile …"""
from __future__ import annotations

import numpy as np

_threads = {"intra": 1, "inter": 1}
_flags = {"deterministic": False, "matmul_precision": "highest"}


def compile(model=None, **kwargs):
    """No compiler here: returns the model (or a decorator that does)."""
    if model is None:
        return lambda m: m
    return model


def use_deterministic_algorithms(mode: bool, *, warn_only: bool = False) -> None:
    """ember's CPU kernels are deterministic already; the flag is recorded."""
    _flags["deterministic"] = bool(mode)


def are_deterministic_algorithms_enabled() -> bool:
    return _flags["deterministic"]


def set_num_threads(n: int) -> None:
    """Recorded for compatibility; BLAS threads are set by its environment variables."""
    _threads["intra"] = int(n)


def get_num_threads() -> int:
    import os
    return _threads.get("set") or os.cpu_count() or 1


def set_num_interop_threads(n: int) -> None:
    _threads["inter"] = int(n)


def get_num_interop_threads() -> int:
    return _threads["inter"]


def set_float32_matmul_precision(precision: str) -> None:
    _flags["matmul_precision"] = precision


def get_float32_matmul_precision() -> str:
    return _flags["matmul_precision"]


def typename(obj) -> str:
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


def manual_seed_all(seed):
    from ._random import manual_seed
    manual_seed(seed)
