"""The few ``torch._C`` entry points that Python libraries call directly. ``torch._C`` is
PyTorch's C++ extension; anything else asked of it here says that ember has no such
internals."""
from __future__ import annotations

__all__ = ["_log_api_usage_once", "_get_tracing_state", "_get_privateuse1_backend_name"]


def _log_api_usage_once(event: str) -> None:
    """PyTorch's usage logging hook: nothing to log."""


def _get_tracing_state():
    """The active TorchScript tracing state: none."""
    return None


def _get_privateuse1_backend_name() -> str:
    """The name of the extension backend slot."""
    return "privateuseone"


def __getattr__(name: str):
    raise AttributeError(f"ember does not implement torch._C.{name} (PyTorch's C++ "
                         "internals)")
