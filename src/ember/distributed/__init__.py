"""ember.distributed (served as ``torch.distributed``): process groups and collectives on MPI.

The ranks are the processes of one MPI job (``mpirun -n N`` or
``python -m ember.distributed.run``); mpi4py carries the tensors' NumPy buffers.
"""
from ._mpi import DistBackendError
from ._work import Work
from .distributed_c10d import *  # noqa: F401,F403
from .distributed_c10d import (GroupMember, default_pg_timeout, get_global_rank,
                               is_gloo_available, is_nccl_available)
from .distributed_c10d import __all__ as _c10d_all

group = GroupMember

__all__ = list(_c10d_all) + ["DistBackendError", "Work", "group", "default_pg_timeout",
                             "get_global_rank", "is_gloo_available", "is_nccl_available"]


def __getattr__(name):
    if name in ("rpc", "fsdp", "tensor"):  # imported on first use, as attributes too
        import importlib
        return importlib.import_module(f"{__name__}.{name}")
    from .._left_out import missing_submodule
    raise missing_submodule("torch.distributed", __name__, name)
