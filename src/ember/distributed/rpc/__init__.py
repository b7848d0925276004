"""ember.distributed.rpc (served as ``torch.distributed.rpc``): remote calls and remote
references between the ranks of an MPI job.

Each worker has a listener thread receiving on a communicator duplicated from COMM_WORLD
(requests and replies are pickled MPI messages) and a small pool of threads running the
calls it serves, so a served call may make RPCs of its own.
"""
from .. import _mpi
from . import constants, functions
from .api import (get_rpc_timeout, get_worker_info, init_rpc, remote, rpc_async, rpc_sync,
                  shutdown)
from .options import BackendType, RpcBackendOptions, TensorPipeRpcBackendOptions
from .rref import RRef
from .worker_info import WorkerInfo

__all__ = ["init_rpc", "shutdown", "rpc_sync", "rpc_async", "remote", "get_worker_info",
           "get_rpc_timeout", "is_available", "RRef", "WorkerInfo", "BackendType",
           "RpcBackendOptions", "TensorPipeRpcBackendOptions", "constants", "functions"]


def is_available() -> bool:
    """Whether RPC can run here (mpi4py and an MPI library are installed)."""
    return _mpi.available()
