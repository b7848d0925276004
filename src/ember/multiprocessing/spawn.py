"""``spawn`` / ``start_processes``: run a function in N processes and join them."""
from __future__ import annotations

import multiprocessing
import multiprocessing.connection
import signal
import traceback

from . import _mpi_spawn

__all__ = ["spawn", "start_processes", "ProcessContext", "ProcessRaisedException",
           "ProcessExitedException", "ProcessException"]


class ProcessException(Exception):
    """A spawned process failed."""

    def __init__(self, msg: str, error_index: int, pid: int):
        super().__init__(msg)
        self.msg = msg
        self.error_index = error_index
        self.pid = pid

    def __reduce__(self):
        return type(self), (self.msg, self.error_index, self.pid)


class ProcessRaisedException(ProcessException):
    """A spawned process raised; the message carries its traceback."""


class ProcessExitedException(ProcessException):
    """A spawned process exited with a non-zero code or was killed by a signal."""

    def __init__(self, msg: str, error_index: int, error_pid: int, exit_code: int,
                 signal_name: str | None = None):
        super().__init__(msg, error_index, error_pid)
        self.exit_code = exit_code
        self.signal_name = signal_name

    def __reduce__(self):
        return type(self), (self.msg, self.error_index, self.pid, self.exit_code,
                            self.signal_name)


def _wrap(fn, i, args, error_queue):
    try:
        fn(i, *args)
    except KeyboardInterrupt:
        pass
    except Exception:
        error_queue.put(traceback.format_exc())
        raise SystemExit(1)


class ProcessContext:
    """The processes of one ``start_processes`` call."""

    def __init__(self, processes, error_queues):
        self.processes = processes
        self.error_queues = error_queues
        self.sentinels = {p.sentinel: i for i, p in enumerate(processes)}

    def pids(self):
        """The process ids."""
        return [p.pid for p in self.processes]

    def join(self, timeout=None) -> bool:
        """Wait for a process to end; True once all ended well, raise if one failed."""
        if not self.sentinels:
            return True
        ready = multiprocessing.connection.wait(list(self.sentinels), timeout=timeout)
        failed = None
        for sentinel in ready:
            i = self.sentinels.pop(sentinel)
            self.processes[i].join()
            if self.processes[i].exitcode != 0 and failed is None:
                failed = i
        if failed is None:
            return not self.sentinels
        for p in self.processes:  # one failed: stop the others, as PyTorch does
            if p.is_alive():
                p.terminate()
            p.join()
        self._raise(failed)

    def _raise(self, i):
        proc, queue = self.processes[i], self.error_queues[i]
        if queue.empty():
            code = proc.exitcode
            if code < 0:
                name = signal.Signals(-code).name
                raise ProcessExitedException(f"process {i} terminated with signal {name}",
                                             i, proc.pid, code, name)
            raise ProcessExitedException(f"process {i} terminated with exit code {code}",
                                         i, proc.pid, code)
        raise ProcessRaisedException(
            f"\n\n-- Process {i} terminated with the following error:\n{queue.get()}",
            i, proc.pid)


def start_processes(fn, args=(), nprocs: int = 1, join: bool = True, daemon: bool = False,
                    start_method: str = "spawn"):
    """Run ``fn(i, *args)`` for i in range(nprocs) in new processes started by ``start_method``.

    Where ``mpirun`` and mpi4py are installed, more than one process is started as one MPI
    job, so that ``init_process_group`` in the children sees one world of ``nprocs`` ranks
    (``EMBER_SPAWN_MPI=0`` keeps plain multiprocessing; see ``_mpi_spawn``)."""
    if _mpi_spawn.usable(nprocs):
        context = _mpi_spawn.start(fn, args, nprocs)
        if context is not None:
            if not join:
                return context
            while not context.join():
                pass
            return None
    ctx = multiprocessing.get_context(start_method)
    queues, procs = [], []
    for i in range(nprocs):
        queue = ctx.SimpleQueue()
        proc = ctx.Process(target=_wrap, args=(fn, i, args, queue), daemon=daemon)
        proc.start()
        queues.append(queue)
        procs.append(proc)
    context = ProcessContext(procs, queues)
    if not join:
        return context
    while not context.join():
        pass
    return None


def spawn(fn, args=(), nprocs: int = 1, join: bool = True, daemon: bool = False,
          start_method: str = "spawn"):
    """``start_processes`` with the spawn start method."""
    return start_processes(fn, args, nprocs, join, daemon, start_method)
