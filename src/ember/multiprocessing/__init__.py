"""ember.multiprocessing (served as ``torch.multiprocessing``): Python's multiprocessing with
tensors that travel through queues and pipes in shared memory, and ``spawn``."""
import multiprocessing as _mp
from multiprocessing import *  # noqa: F401,F403

from ._shared import init_reductions as _init_reductions
from .spawn import (ProcessContext, ProcessException, ProcessExitedException,  # noqa: F401
                    ProcessRaisedException, spawn, start_processes)

__all__ = list(_mp.__all__) + ["spawn", "start_processes", "ProcessContext",
                               "ProcessException", "ProcessRaisedException",
                               "ProcessExitedException", "get_sharing_strategy",
                               "set_sharing_strategy", "get_all_sharing_strategies"]

_strategy = ["file_system"]


def get_all_sharing_strategies() -> set:
    """The sharing strategies ember offers (both map POSIX shared memory segments)."""
    return {"file_descriptor", "file_system"}


def get_sharing_strategy() -> str:
    """The current sharing strategy."""
    return _strategy[0]


def set_sharing_strategy(new_strategy: str) -> None:
    """Choose a sharing strategy (one of ``get_all_sharing_strategies()``)."""
    if new_strategy not in get_all_sharing_strategies():
        raise ValueError(f"invalid sharing strategy {new_strategy!r}")
    _strategy[0] = new_strategy


_init_reductions()
