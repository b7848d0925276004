"""Messages between RPC workers: pickled objects sent as MPI byte buffers on a communicator of
their own, and the listener thread that receives them.

Only the listener receives, and it never sends, so two workers replying to each other cannot
block one another: a large message waits only for the other side's listener, which is always
receiving.
"""
from __future__ import annotations

import functools
import importlib
import io
import pickle
import sys
import threading
import time
import traceback

from .. import _mpi

_TAG = 7  # every RPC message; the communicator is RPC's own, so no other traffic matches
_MAX_PAUSE = 1e-3  # longest sleep between polls: bounds the latency an idle worker adds

_pickling = threading.local()


def inside_rpc() -> bool:
    """Whether this thread is pickling an RPC message (an RRef may be pickled only then)."""
    return getattr(_pickling, "active", False)


# the namespaces whose functions a caller names most (torch.add, F.relu, torch.Tensor.sum
# ...): some are wrappers that plain pickle cannot find under their own __qualname__
_NAMESPACES = (("ember", ""), ("ember", "Tensor"), ("ember.nn.functional", ""),
               ("ember.linalg", ""), ("ember.special", ""), ("ember.fft", ""))


@functools.lru_cache(maxsize=None)
def _public_functions() -> dict:
    """id of each function of the namespaces above -> (module, dotted name) to reach it."""
    table = {}
    for module_name, inside in _NAMESPACES:
        space = importlib.import_module(module_name)
        space = getattr(space, inside) if inside else space
        for name, obj in vars(space).items():
            if callable(obj) and not isinstance(obj, type) and not name.startswith("_"):
                table.setdefault(id(obj), (module_name, f"{inside}.{name}".lstrip(".")))
    return table


def _public_function(module_name: str, dotted: str):
    found = importlib.import_module(module_name)
    for part in dotted.split("."):
        found = getattr(found, part)
    return found


class _Pickler(pickle.Pickler):
    """A pickler that sends ember's public functions by the name they are reached under."""

    def reducer_override(self, obj):
        found = _public_functions().get(id(obj)) if callable(obj) else None
        return NotImplemented if found is None else (_public_function, found)


def dumps(payload) -> bytes:
    """Pickle what a call sends or returns, marking the thread as inside RPC while it does."""
    _pickling.active = True
    out = io.BytesIO()
    try:
        _Pickler(out, protocol=pickle.HIGHEST_PROTOCOL).dump(payload)
    finally:
        _pickling.active = False
    return out.getvalue()


def _poll(test, stop=None, deadline=None) -> bool:
    """Call ``test()`` until it is true, sleeping a little longer each time (up to 1 ms);
    False once ``deadline`` (time.monotonic) has passed."""
    pause = 0.0
    while not test():
        if stop is not None and stop.is_set():
            raise RuntimeError("the RPC agent was shut down while a message was being sent")
        if deadline is not None and time.monotonic() > deadline:
            return False
        time.sleep(pause)
        pause = min(pause * 2 or 1e-6, _MAX_PAUSE)
    return True


class Transport:
    """A duplicate of COMM_WORLD for RPC, ``send`` from any thread, and a listener thread
    that hands each received ``(source, message)`` to ``deliver``; ``tick`` runs on every
    turn of the listener (for timeouts).

    A message is a small tuple of plain values whose payload is already pickled bytes
    (``dumps``), so that a payload that cannot be read is reported to its sender by the
    receiver instead of being lost here."""

    def __init__(self, deliver, tick) -> None:
        MPI = _mpi.mpi()
        if MPI.Query_thread() != MPI.THREAD_MULTIPLE:
            raise RuntimeError(
                "torch.distributed.rpc needs MPI initialized with MPI_THREAD_MULTIPLE (its "
                f"listener thread and callers use MPI at once), but the thread level is "
                f"{MPI.Query_thread()}; leave mpi4py.rc.thread_level at 'multiple' (the "
                "default) and use an MPI library built with thread support")
        self._MPI = MPI
        self.comm = MPI.COMM_WORLD.Dup()
        self.rank, self.size = self.comm.Get_rank(), self.comm.Get_size()
        self._deliver, self._tick = deliver, tick
        self._stop = threading.Event()
        self._listener = threading.Thread(target=self._listen, name="rpc-listener", daemon=True)
        self._listener.start()

    def send(self, dest: int, message: tuple) -> None:
        """Send ``message`` to rank ``dest``; returns once MPI is done with the buffer."""
        data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
        request = self.comm.Isend([data, self._MPI.BYTE], dest, _TAG)
        _poll(request.Test, self._stop)

    def allgather(self, value) -> list:
        """Every rank's ``value``, in rank order (a collective on the RPC communicator)."""
        return self.comm.allgather(value)

    def barrier(self, deadline: float | None) -> bool:
        """Wait until every rank has reached this barrier (the listener keeps serving);
        False if ``deadline`` (time.monotonic) passed first."""
        return _poll(self.comm.Ibarrier().Test, deadline=deadline)

    def close(self) -> None:
        """Stop the listener and release the communicator."""
        self._stop.set()
        if self._listener is not threading.current_thread():
            self._listener.join()
        self.comm.Free()

    def _listen(self) -> None:
        MPI = self._MPI
        status = MPI.Status()
        pause = 0.0
        while not self._stop.is_set():
            self._tick()
            message = self.comm.Improbe(MPI.ANY_SOURCE, _TAG, status)
            if message is None:
                time.sleep(pause)
                pause = min(pause * 2 or 1e-6, _MAX_PAUSE)
                continue
            pause = 0.0
            buffer = bytearray(status.Get_count(MPI.BYTE))
            message.Recv([buffer, MPI.BYTE])
            try:
                self._deliver(status.Get_source(), pickle.loads(buffer))
            except BaseException:  # a bug in ember: report it and keep serving
                print(f"RPC listener on rank {self.rank} dropped a message:", file=sys.stderr)
                traceback.print_exc(file=sys.stderr)


def loads(payload: bytes):
    """Unpickle what ``dumps`` made."""
    return pickle.loads(payload)
