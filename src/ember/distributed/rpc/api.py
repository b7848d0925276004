"""The functions of ``torch.distributed.rpc``: joining, calling, and leaving."""
from __future__ import annotations

import atexit

from ...futures import Future
from .. import _mpi
from . import _agent, constants, rref
from .options import BackendType, RpcBackendOptions, TensorPipeRpcBackendOptions
from .worker_info import WorkerInfo, check_name


def init_rpc(name: str, backend=None, rank: int = -1, world_size: int | None = None,
             rpc_backend_options: RpcBackendOptions | None = None) -> None:
    """Join RPC as worker ``name``. The workers are the ranks of this MPI job (a script run
    alone is a world of one); every rank calls this, and the names must differ."""
    MPI = _mpi.mpi()
    if _agent._state["agent"] is not None:
        raise RuntimeError("RPC is already initialized")
    check_name(name)
    if backend is not None and backend not in (BackendType.TENSORPIPE, "TENSORPIPE"):
        raise ValueError(f"unknown RPC backend {backend!r}; ember supports "
                         "BackendType.TENSORPIPE (carried out on MPI)")
    world = MPI.COMM_WORLD
    if world_size is not None and world_size != world.Get_size():
        raise ValueError(f"world_size={world_size} does not match the MPI world of "
                         f"{world.Get_size()} processes; start the workers with mpirun -n "
                         f"{world_size}")
    if rank not in (-1, None) and rank != world.Get_rank():
        raise ValueError(f"rank={rank} does not match the MPI rank {world.Get_rank()}")
    options = rpc_backend_options or TensorPipeRpcBackendOptions()
    threads = getattr(options, "num_worker_threads", constants.DEFAULT_NUM_WORKER_THREADS)
    agent = _agent.Agent(name, options.rpc_timeout, threads)
    agent.start()
    from ..distributed_c10d import _abort_on_uncaught
    _abort_on_uncaught(world)  # a worker that dies must not leave the others waiting


def shutdown(graceful: bool = True, timeout: float = constants.DEFAULT_SHUTDOWN_TIMEOUT) -> None:
    """Leave RPC. ``graceful``: wait for this worker's calls, then for every worker to call
    shutdown, serving their calls meanwhile (``timeout`` seconds at most, 0: no limit)."""
    _agent.current().shutdown(graceful, timeout)


@atexit.register
def _stop_at_exit() -> None:
    """A script that ends without shutdown: stop the listener before MPI is finalized."""
    agent = _agent._state["agent"]
    if agent is not None:
        agent.shutdown(graceful=False, timeout=0)


def get_worker_info(worker_name: str | None = None) -> WorkerInfo:
    """The WorkerInfo of ``worker_name``, or of this worker."""
    agent = _agent.current()
    return agent.me if worker_name is None else agent.worker(worker_name)


def get_rpc_timeout() -> float:
    """The default timeout of RPCs, in seconds."""
    return _agent.current().timeout


def _checked(func) -> None:
    if not callable(func):
        raise TypeError("function should be callable.")


def rpc_async(to, func, args=None, kwargs=None, timeout: float = -1.0) -> Future:
    """Run ``func(*args, **kwargs)`` on worker ``to`` (name, id or WorkerInfo); a Future of
    its result. ``timeout`` in seconds: -1 the default, 0 no limit."""
    _checked(func)
    return _agent.current().call(to, func, args or (), kwargs, timeout)


def rpc_sync(to, func, args=None, kwargs=None, timeout: float = -1.0):
    """Run ``func(*args, **kwargs)`` on worker ``to`` and return its result; an exception it
    raised is raised here, with the remote traceback in its message."""
    return rpc_async(to, func, args, kwargs, timeout).wait()


def remote(to, func, args=None, kwargs=None, timeout: float = -1.0) -> rref.RRef:
    """Start ``func(*args, **kwargs)`` on worker ``to`` and return an RRef to its result,
    which stays on ``to``."""
    _checked(func)
    return rref.remote(to, func, args, kwargs, timeout)
