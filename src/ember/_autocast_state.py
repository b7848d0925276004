"""The autocast state PyTorch keeps per device type (enabled, fast dtype) and its weight-cast
cache switch, read and written by ``torch.is_autocast_enabled`` & co. and by ``autocast``
regions. ember's ops keep their dtypes, so the state is bookkeeping that programs query."""
from __future__ import annotations

import warnings

from . import _dtype as D
from ._device import device as _device

__all__ = ["is_autocast_enabled", "set_autocast_enabled", "get_autocast_dtype",
           "set_autocast_dtype", "is_autocast_cpu_enabled", "set_autocast_cpu_enabled",
           "get_autocast_cpu_dtype", "set_autocast_cpu_dtype", "get_autocast_gpu_dtype",
           "set_autocast_gpu_dtype", "is_autocast_cache_enabled", "set_autocast_cache_enabled"]

_enabled: dict[str, bool] = {}
_dtypes: dict[str, D.dtype] = {}
_cache = {"enabled": True}


def _kind(device_type: str) -> str:
    """The device type of ``device_type`` ('cuda:0' -> 'cuda'); torch's error when unknown."""
    return _device(device_type).type


def is_autocast_enabled(device_type: str | None = None) -> bool:
    """Whether autocast is on for ``device_type`` (CUDA when not given)."""
    return _enabled.get(_kind(device_type or "cuda"), False)


def set_autocast_enabled(*args) -> None:
    """``set_autocast_enabled(device_type, enabled)``, or ``(enabled)`` for CUDA."""
    device_type, enabled = args if len(args) == 2 else ("cuda", *args)
    _enabled[_kind(device_type)] = bool(enabled)


def get_autocast_dtype(device_type: str) -> D.dtype:
    """The dtype autocast regions on ``device_type`` compute in (bfloat16 on the CPU)."""
    kind = _kind(device_type)
    return _dtypes.get(kind, D.bfloat16 if kind == "cpu" else D.float16)


def set_autocast_dtype(device_type: str, dtype: D.dtype) -> None:
    """Set the dtype autocast regions on ``device_type`` compute in."""
    _dtypes[_kind(device_type)] = dtype


def _old_spelling(old: str, new: str, target, *fixed):
    """A deprecated ``torch.<old>`` that warns, then calls ``target(*fixed, *args)``."""
    def forward(*args):
        warnings.warn(f"torch.{old} is deprecated. Please use torch.{new} instead.",
                      DeprecationWarning, stacklevel=2)
        return target(*fixed, *args)
    forward.__name__ = old.split("(")[0]
    forward.__doc__ = f"Deprecated spelling of ``{new}``."
    return forward


is_autocast_cpu_enabled = _old_spelling("is_autocast_cpu_enabled()", "is_autocast_enabled('cpu')",
                                        is_autocast_enabled, "cpu")
set_autocast_cpu_enabled = _old_spelling("set_autocast_cpu_enabled(enabled)",
                                         "set_autocast_enabled('cpu', enabled)",
                                         set_autocast_enabled, "cpu")
get_autocast_cpu_dtype = _old_spelling("get_autocast_cpu_dtype()", "get_autocast_dtype('cpu')",
                                       get_autocast_dtype, "cpu")
set_autocast_cpu_dtype = _old_spelling("set_autocast_cpu_dtype(dtype)",
                                       "set_autocast_dtype('cpu', dtype)", set_autocast_dtype,
                                       "cpu")
get_autocast_gpu_dtype = _old_spelling("get_autocast_gpu_dtype()", "get_autocast_dtype('cuda')",
                                       get_autocast_dtype, "cuda")
set_autocast_gpu_dtype = _old_spelling("set_autocast_gpu_dtype(dtype)",
                                       "set_autocast_dtype('cuda', dtype)", set_autocast_dtype,
                                       "cuda")


def is_autocast_cache_enabled() -> bool:
    """Whether autocast regions cache their weight casts."""
    return _cache["enabled"]


def set_autocast_cache_enabled(enabled: bool) -> None:
    """Turn the autocast weight-cast cache on or off."""
    _cache["enabled"] = bool(enabled)


def enter(device_type: str, enabled: bool, dtype: D.dtype, cache_enabled: bool) -> tuple:
    """Switch the state for an autocast region; returns what ``leave`` restores."""
    saved = (device_type, is_autocast_enabled(device_type), get_autocast_dtype(device_type),
             is_autocast_cache_enabled())
    set_autocast_enabled(device_type, enabled)
    set_autocast_dtype(device_type, dtype)
    set_autocast_cache_enabled(cache_enabled)
    return saved


def leave(saved: tuple) -> None:
    """Restore the state ``enter`` saved."""
    device_type, enabled, dtype, cache_enabled = saved
    set_autocast_enabled(device_type, enabled)
    set_autocast_dtype(device_type, dtype)
    set_autocast_cache_enabled(cache_enabled)
