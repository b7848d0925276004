"""``torch.backends.cudnn``: ember has no cuDNN backend; the flags are recorded only."""
from __future__ import annotations

import contextlib
import sys

enabled = True
benchmark = False
benchmark_limit = 10
deterministic = False
allow_tf32 = True

_FLAGS = ("enabled", "benchmark", "benchmark_limit", "deterministic", "allow_tf32")


def is_available() -> bool:
    """Whether cuDNN can be used: never in ember."""
    return False


def version() -> None:
    """The cuDNN version: None, as there is no cuDNN."""
    return None


@contextlib.contextmanager
def flags(enabled: bool = False, benchmark: bool = False, benchmark_limit: int = 10,
          deterministic: bool = False, allow_tf32: bool = True, **_ignored):
    """Set the cuDNN flags inside a ``with`` block and restore them after it."""
    module = sys.modules[__name__]
    saved = {name: getattr(module, name) for name in _FLAGS}
    for name, value in zip(_FLAGS, (enabled, benchmark, benchmark_limit, deterministic,
                                    allow_tf32)):
        setattr(module, name, value)
    try:
        yield
    finally:
        for name, value in saved.items():
            setattr(module, name, value)
