"""Process groups and collectives of ``torch.distributed``, carried out by MPI (mpi4py).

Tensors travel as their NumPy buffers (no pickling); every collective is started as a
non-blocking MPI call and completed by a Work, so ``async_op=True`` returns it and the
synchronous form waits on it against the group's timeout.
"""
from __future__ import annotations

import datetime
import enum
import os
import sys
import time
import warnings

import numpy as np

from . import _mpi
from ._work import Work, _seconds

__all__ = ["ReduceOp", "ProcessGroup", "GroupMember", "Backend", "is_available",
           "is_mpi_available", "is_initialized", "init_process_group", "destroy_process_group",
           "get_rank", "get_world_size", "get_backend", "new_group", "all_reduce", "broadcast",
           "reduce", "all_gather", "all_gather_into_tensor", "gather", "scatter",
           "reduce_scatter", "reduce_scatter_tensor", "all_to_all", "all_to_all_single",
           "barrier", "send", "recv", "isend", "irecv", "all_gather_object",
           "broadcast_object_list", "gather_object", "scatter_object_list"]

default_pg_timeout = datetime.timedelta(minutes=30)


class ReduceOp(enum.Enum):
    """The reductions a collective can apply."""
    SUM = "sum"
    PRODUCT = "product"
    MIN = "min"
    MAX = "max"
    BAND = "band"
    BOR = "bor"
    BXOR = "bxor"
    AVG = "avg"


class Backend(str):
    """A backend name; ember runs "mpi", "gloo" and "nccl" all on MPI."""
    MPI = "mpi"
    GLOO = "gloo"
    NCCL = "nccl"

    def __new__(cls, name: str):
        low = name.lower()
        if low not in ("mpi", "gloo", "nccl", "cpu:gloo", "cuda:nccl"):
            raise ValueError(f"Invalid backend: '{name}'")
        return str.__new__(cls, low)


class ProcessGroup:
    """A set of ranks and the MPI communicator they share."""

    def __init__(self, comm, backend: str, timeout: float, ranks):
        self.comm = comm
        self.backend = backend
        self.timeout = timeout
        self.ranks = list(ranks)  # global ranks, in group order

    def rank(self) -> int:
        """This process's rank in the group."""
        return self.comm.Get_rank()

    def size(self) -> int:
        """The number of ranks in the group."""
        return self.comm.Get_size()


class GroupMember:
    """Markers for group arguments: WORLD is the default group, NON_GROUP_MEMBER outsiders."""
    WORLD = None
    NON_GROUP_MEMBER = object()


_state = {"world": None}


def is_available() -> bool:
    """Whether ember.distributed can run here (mpi4py and an MPI library are installed)."""
    return _mpi.available()


def is_mpi_available() -> bool:
    """Whether the MPI backend is available."""
    return _mpi.available()


def is_gloo_available() -> bool:
    """Whether "gloo" can be used (ember runs it on MPI)."""
    return _mpi.available()


def is_nccl_available() -> bool:
    """Always False: ember has no NCCL (a "nccl" group runs on MPI)."""
    return False


def is_initialized() -> bool:
    """Whether the default process group has been initialized."""
    return _state["world"] is not None


def _world() -> ProcessGroup:
    pg = _state["world"]
    if pg is None:
        raise ValueError("Default process group has not been initialized, please make sure "
                         "to call init_process_group.")
    return pg


def _group(group) -> ProcessGroup:
    return _world() if group is None else group


def _abort_on_uncaught(comm):
    """Make an uncaught exception in this rank end every rank (instead of a hang)."""
    previous = sys.excepthook

    def hook(kind, value, tb):
        previous(kind, value, tb)
        sys.stderr.flush()
        comm.Abort(1)

    sys.excepthook = hook


def init_process_group(backend=None, init_method=None, timeout=None, world_size=-1, rank=-1,
                       store=None, group_name="", pg_options=None, device_id=None):
    """Join the default process group: the MPI world this process was started in."""
    MPI = _mpi.mpi()
    if is_initialized():
        raise ValueError("trying to initialize the default process group twice!")
    name = Backend(backend or "mpi")
    if name.endswith("nccl"):
        warnings.warn("ember has no NCCL; the 'nccl' process group runs on MPI over the CPU")
    comm = MPI.COMM_WORLD
    if world_size in (-1, None) and "WORLD_SIZE" in os.environ:
        world_size = int(os.environ["WORLD_SIZE"])  # torchrun-style environment
    if world_size not in (-1, None) and world_size != comm.Get_size():
        raise ValueError(f"world_size={world_size} does not match the MPI world of "
                         f"{comm.Get_size()} processes; start the ranks with mpirun -n "
                         f"{world_size} or python -m ember.distributed.run")
    if rank not in (-1, None) and rank != comm.Get_rank():
        raise ValueError(f"rank={rank} does not match the MPI rank {comm.Get_rank()}")
    seconds = _seconds(timeout if timeout is not None else default_pg_timeout)
    _state["world"] = ProcessGroup(comm, str(name).split(":")[-1], seconds,
                                   range(comm.Get_size()))
    _abort_on_uncaught(comm)


def destroy_process_group(group=None) -> None:
    """Leave ``group`` (the default group: leave distributed mode)."""
    if group is None or group is _state["world"]:
        _state["world"] = None
    elif group.comm is not None:
        group.comm.Free()
        group.comm = None


def get_rank(group=None) -> int:
    """This process's rank in ``group`` (-1 when it is not a member)."""
    if group is GroupMember.NON_GROUP_MEMBER:
        return -1
    return _group(group).rank()


def get_world_size(group=None) -> int:
    """The number of ranks in ``group`` (-1 when this process is not a member)."""
    if group is GroupMember.NON_GROUP_MEMBER:
        return -1
    return _group(group).size()


def get_backend(group=None) -> str:
    """The backend name of ``group``."""
    return _group(group).backend


def get_global_rank(group, group_rank: int) -> int:
    """The global rank of ``group_rank`` in ``group``."""
    return _group(group).ranks[group_rank]


def new_group(ranks=None, timeout=None, backend=None, pg_options=None, use_local_synchronization=False):
    """A sub-group of ``ranks`` (every rank of the world must call this)."""
    world = _world()
    ranks = sorted(ranks) if ranks is not None else list(range(world.size()))
    color = 0 if world.rank() in ranks else _mpi.mpi().UNDEFINED
    comm = world.comm.Split(color, ranks.index(world.rank()) if color == 0 else 0)
    if color != 0:
        return GroupMember.NON_GROUP_MEMBER
    seconds = world.timeout if timeout is None else _seconds(timeout)
    return ProcessGroup(comm, backend or world.backend, seconds, ranks)


# ---- tensor buffers

def _array(tensor) -> np.ndarray:
    """A C-contiguous NumPy array holding ``tensor``'s values (the tensor's own when it can)."""
    if tensor.device.type != "cpu":
        raise RuntimeError(f"ember.distributed works on CPU tensors, got one on {tensor.device}")
    return np.ascontiguousarray(tensor._data)


def _store(tensor, values: np.ndarray) -> None:
    """Write ``values`` into ``tensor`` in place."""
    np.copyto(tensor._data, values.reshape(tensor._data.shape), casting="unsafe")


def _mpi_op(op):
    MPI = _mpi.mpi()
    return {ReduceOp.SUM: MPI.SUM, ReduceOp.AVG: MPI.SUM, ReduceOp.PRODUCT: MPI.PROD,
            ReduceOp.MIN: MPI.MIN, ReduceOp.MAX: MPI.MAX, ReduceOp.BAND: MPI.BAND,
            ReduceOp.BOR: MPI.BOR, ReduceOp.BXOR: MPI.BXOR}[op]


def _reduced(values: np.ndarray, op, size: int) -> np.ndarray:
    """The result of an MPI SUM turned into AVG where asked (integers divide flooring)."""
    if op is not ReduceOp.AVG:
        return values
    return values // size if values.dtype.kind in "iu" else values / size


def _average_in_place(values: np.ndarray, op, size: int) -> None:
    """``_reduced`` written into ``values`` itself."""
    if op is ReduceOp.AVG:
        (np.floor_divide if values.dtype.kind in "iu" else np.divide)(values, size, out=values)


def _bool_view(arr: np.ndarray) -> np.ndarray:
    """Bool buffers travel as uint8 (MPI has no reduction ops for C bool SUM/MAX)."""
    return arr.view(np.uint8) if arr.dtype == np.bool_ else arr


def _run(pg, requests, finish, async_op, what):
    work = Work(requests, finish, pg.timeout, what)
    if async_op:
        return work
    work.wait()
    return None


def _member(group) -> ProcessGroup | None:
    return None if group is GroupMember.NON_GROUP_MEMBER else _group(group)


# ---- collectives

def all_reduce(tensor, op=ReduceOp.SUM, group=None, async_op=False):
    """Reduce ``tensor`` over all ranks of ``group``; every rank ends with the result."""
    pg = _member(group)
    if pg is None:
        return None
    send = _bool_view(_array(tensor))
    op = ReduceOp(op) if not isinstance(op, ReduceOp) else op
    if tensor._data.flags.c_contiguous:  # send is the tensor's own memory: reduce there
        req = pg.comm.Iallreduce(_mpi.mpi().IN_PLACE, send, _mpi_op(op))
        return _run(pg, [req], lambda: _average_in_place(send, op, pg.size()),
                    async_op, "all_reduce")
    out = np.empty_like(send)
    req = pg.comm.Iallreduce(send, out, _mpi_op(op))
    return _run(pg, [req], lambda: _store(tensor, _reduced(out, op, pg.size())),
                async_op, "all_reduce")


def broadcast(tensor, src=None, group=None, async_op=False, group_src=None):
    """Copy ``tensor`` of rank ``src`` into ``tensor`` on every rank of ``group``."""
    pg = _member(group)
    if pg is None:
        return None
    root = _root(pg, src, group_src)
    buf = _bool_view(_array(tensor))
    req = pg.comm.Ibcast(buf, root=root)
    return _run(pg, [req], lambda: _store(tensor, buf), async_op, "broadcast")


def reduce(tensor, dst=None, op=ReduceOp.SUM, group=None, async_op=False, group_dst=None):
    """Reduce ``tensor`` over ``group`` into ``tensor`` of rank ``dst``."""
    pg = _member(group)
    if pg is None:
        return None
    root = _root(pg, dst, group_dst)
    send = _bool_view(_array(tensor))
    out = np.empty_like(send)
    req = pg.comm.Ireduce(send, out, _mpi_op(op), root=root)

    def finish():
        if pg.rank() == root:
            _store(tensor, _reduced(out, op, pg.size()))
    return _run(pg, [req], finish, async_op, "reduce")


def _root(pg, rank, group_rank) -> int:
    """The group rank of a root given as a global ``rank`` or a ``group_rank``."""
    if group_rank is not None:
        return group_rank
    rank = 0 if rank is None else rank
    if rank not in pg.ranks:
        raise ValueError(f"Global rank {rank} is not part of group {pg.ranks}")
    return pg.ranks.index(rank)


def _check_same(tensors, like, what):
    for t in tensors:
        if tuple(t.shape) != tuple(like.shape) or t.dtype != like.dtype:
            raise ValueError(f"{what}: every tensor must have shape {list(like.shape)} and "
                             f"dtype {like.dtype}, got {list(t.shape)} and {t.dtype}")


def all_gather(tensor_list, tensor, group=None, async_op=False):
    """Gather ``tensor`` of every rank into ``tensor_list`` on every rank."""
    pg = _member(group)
    if pg is None:
        return None
    _check_same(tensor_list, tensor, "all_gather")
    send = _bool_view(_array(tensor))
    out = np.empty((pg.size(),) + send.shape, send.dtype)
    req = pg.comm.Iallgather(send, out)
    return _run(pg, [req], lambda: _store_each(tensor_list, out), async_op, "all_gather")


def _store_each(tensors, stacked):
    for t, values in zip(tensors, stacked):
        _store(t, values)


def all_gather_into_tensor(output_tensor, input_tensor, group=None, async_op=False):
    """Gather ``input_tensor`` of every rank, concatenated (or stacked) into ``output_tensor``."""
    pg = _member(group)
    if pg is None:
        return None
    send = _bool_view(_array(input_tensor))
    if output_tensor.numel() != send.size * pg.size():
        raise ValueError(f"all_gather_into_tensor: output of {output_tensor.numel()} elements "
                         f"cannot hold {pg.size()} inputs of shape {list(input_tensor.shape)}")
    out = np.empty(send.size * pg.size(), send.dtype)
    req = pg.comm.Iallgather(send, out)
    return _run(pg, [req], lambda: _store(output_tensor, out), async_op, "all_gather_into_tensor")


def gather(tensor, gather_list=None, dst=None, group=None, async_op=False, group_dst=None):
    """Gather ``tensor`` of every rank into ``gather_list`` on rank ``dst``."""
    pg = _member(group)
    if pg is None:
        return None
    root = _root(pg, dst, group_dst)
    send = _bool_view(_array(tensor))
    out = np.empty((pg.size(),) + send.shape, send.dtype) if pg.rank() == root else None
    if pg.rank() == root:
        if gather_list is None or len(gather_list) != pg.size():
            raise ValueError(f"gather: the destination needs a gather_list of {pg.size()} tensors")
        _check_same(gather_list, tensor, "gather")
    req = pg.comm.Igather(send, out, root=root)
    finish = (lambda: _store_each(gather_list, out)) if out is not None else None
    return _run(pg, [req], finish, async_op, "gather")


def scatter(tensor, scatter_list=None, src=None, group=None, async_op=False, group_src=None):
    """Send ``scatter_list[i]`` of rank ``src`` into ``tensor`` of rank ``i``."""
    pg = _member(group)
    if pg is None:
        return None
    root = _root(pg, src, group_src)
    recv = _bool_view(np.empty_like(_array(tensor)))
    send = None
    if pg.rank() == root:
        if scatter_list is None or len(scatter_list) != pg.size():
            raise ValueError(f"scatter: the source needs a scatter_list of {pg.size()} tensors")
        _check_same(scatter_list, tensor, "scatter")
        send = np.stack([_bool_view(_array(t)) for t in scatter_list])
    req = pg.comm.Iscatter(send, recv, root=root)
    return _run(pg, [req], lambda: _store(tensor, recv), async_op, "scatter")


def reduce_scatter(output, input_list, op=ReduceOp.SUM, group=None, async_op=False):
    """Reduce ``input_list`` over ranks; rank ``i`` gets the reduction of everyone's ``input_list[i]``."""
    pg = _member(group)
    if pg is None:
        return None
    _check_same(input_list, output, "reduce_scatter")
    send = np.stack([_bool_view(_array(t)) for t in input_list])
    return _reduce_scatter(pg, output, send, op, async_op, "reduce_scatter")


def reduce_scatter_tensor(output, input, op=ReduceOp.SUM, group=None, async_op=False):
    """Reduce ``input`` over ranks and give rank ``i`` the ``i``-th equal chunk of the result."""
    pg = _member(group)
    if pg is None:
        return None
    send = _bool_view(_array(input)).reshape(-1)
    if send.size != output.numel() * pg.size():
        raise ValueError(f"reduce_scatter_tensor: input of {send.size} elements is not "
                         f"{pg.size()} outputs of shape {list(output.shape)}")
    return _reduce_scatter(pg, output, send, op, async_op, "reduce_scatter_tensor")


def _reduce_scatter(pg, output, send, op, async_op, what):
    out = np.empty(output.numel(), send.dtype)
    req = pg.comm.Ireduce_scatter_block(send.reshape(-1), out, _mpi_op(op))
    return _run(pg, [req], lambda: _store(output, _reduced(out, op, pg.size())), async_op, what)


def all_to_all(output_tensor_list, input_tensor_list, group=None, async_op=False):
    """Rank ``i`` sends ``input_tensor_list[j]`` to rank ``j``'s ``output_tensor_list[i]``."""
    pg = _member(group)
    if pg is None:
        return None
    sends = [_bool_view(_array(t)).reshape(-1) for t in input_tensor_list]
    recvs = [_bool_view(np.empty_like(_array(t))).reshape(-1) for t in output_tensor_list]
    send = np.concatenate(sends) if sends else np.empty(0)
    recv = np.empty(sum(r.size for r in recvs), send.dtype)
    req = pg.comm.Ialltoallv([send, [s.size for s in sends]], [recv, [r.size for r in recvs]])

    def finish():
        start = 0
        for t, r in zip(output_tensor_list, recvs):
            _store(t, recv[start:start + r.size])
            start += r.size
    return _run(pg, [req], finish, async_op, "all_to_all")


def all_to_all_single(output, input, output_split_sizes=None, input_split_sizes=None,
                      group=None, async_op=False):
    """Split ``input`` along dim 0 over ranks and gather the pieces sent here into ``output``."""
    pg = _member(group)
    if pg is None:
        return None
    send = _bool_view(_array(input))
    row_in = send[0].size if send.ndim and send.shape[0] else 1
    row_out = int(np.prod(output.shape[1:])) if output.dim() else 1
    n = pg.size()
    in_counts = [s * row_in for s in (input_split_sizes or [send.shape[0] // n] * n)]
    out_counts = [s * row_out for s in (output_split_sizes or [output.shape[0] // n] * n)]
    recv = np.empty(output.numel(), send.dtype)
    req = pg.comm.Ialltoallv([send.reshape(-1), in_counts], [recv, out_counts])
    return _run(pg, [req], lambda: _store(output, recv), async_op, "all_to_all_single")


def barrier(group=None, async_op=False, device_ids=None):
    """Wait until every rank of ``group`` reaches the barrier."""
    pg = _member(group)
    if pg is None:
        return None
    return _run(pg, [pg.comm.Ibarrier()], None, async_op, "barrier")


# ---- point to point

def isend(tensor, dst=None, group=None, tag=0, group_dst=None):
    """Start sending ``tensor`` to rank ``dst``; returns a Work."""
    pg = _group(group)
    send = _bool_view(_array(tensor)).copy()
    req = pg.comm.Isend(send, dest=_root(pg, dst, group_dst), tag=tag)
    return Work([req], None, pg.timeout, "send")


def irecv(tensor, src=None, group=None, tag=0, group_src=None):
    """Start receiving into ``tensor`` from rank ``src`` (any rank when None); returns a Work."""
    pg = _group(group)
    buf = _bool_view(np.empty_like(_array(tensor)))
    req = pg.comm.Irecv(buf, source=_source(pg, src, group_src), tag=tag)
    return Work([req], lambda: _store(tensor, buf), pg.timeout, "recv")


def _source(pg, src, group_src) -> int:
    """The group rank to receive from (MPI.ANY_SOURCE when neither is given)."""
    if src is None and group_src is None:
        return _mpi.mpi().ANY_SOURCE
    return _root(pg, src, group_src)


def send(tensor, dst=None, group=None, tag=0, group_dst=None) -> None:
    """Send ``tensor`` to rank ``dst`` and wait until it has left."""
    isend(tensor, dst, group, tag, group_dst).wait()


def recv(tensor, src=None, group=None, tag=0, group_src=None) -> int:
    """Receive into ``tensor`` from rank ``src`` (any rank when None); returns the sender."""
    pg = _group(group)
    MPI = _mpi.mpi()
    buf = _bool_view(np.empty_like(_array(tensor)))
    status = MPI.Status()
    req = pg.comm.Irecv(buf, source=_source(pg, src, group_src), tag=tag)
    _mpi.wait_all([req], time.monotonic() + pg.timeout, "recv", status)
    _store(tensor, buf)
    return pg.ranks[status.Get_source()]


# ---- picklable objects

def all_gather_object(object_list, obj, group=None) -> None:
    """Gather the picklable ``obj`` of every rank into ``object_list``."""
    pg = _member(group)
    if pg is not None:
        object_list[:] = pg.comm.allgather(obj)


def broadcast_object_list(object_list, src=None, group=None, device=None, group_src=None) -> None:
    """Replace ``object_list`` on every rank with rank ``src``'s."""
    pg = _member(group)
    if pg is not None:
        root = _root(pg, src, group_src)
        object_list[:] = pg.comm.bcast(list(object_list) if pg.rank() == root else None, root=root)


def gather_object(obj, object_gather_list=None, dst=None, group=None, group_dst=None) -> None:
    """Gather the picklable ``obj`` of every rank into ``object_gather_list`` on rank ``dst``."""
    pg = _member(group)
    if pg is not None:
        got = pg.comm.gather(obj, root=_root(pg, dst, group_dst))
        if got is not None:
            object_gather_list[:] = got


def scatter_object_list(scatter_object_output_list, scatter_object_input_list=None, src=None,
                        group=None, group_src=None) -> None:
    """Give rank ``i`` element ``i`` of rank ``src``'s list, as ``scatter_object_output_list[0]``."""
    pg = _member(group)
    if pg is not None:
        root = _root(pg, src, group_src)
        items = list(scatter_object_input_list) if pg.rank() == root else None
        scatter_object_output_list[0] = pg.comm.scatter(items, root=root)
