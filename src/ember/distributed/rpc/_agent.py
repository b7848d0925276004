"""The RPC agent of this process: who the workers are, the calls waiting for replies, the
pool that runs incoming calls, and the RRefs this worker owns."""
from __future__ import annotations

import itertools
import threading
import time

from ...futures import Future
from . import _errors, _transport
from ._pool import WorkerPool
from .worker_info import WorkerInfo

_TICK = 0.01  # seconds between checks for RPCs past their timeout

_state = {"agent": None}


def current() -> "Agent":
    """The running agent, or torch's error when ``init_rpc`` has not been called."""
    agent = _state["agent"]
    if agent is None:
        raise RuntimeError("RPC has not been initialized. Call torch.distributed.rpc.init_rpc "
                           "first.")
    return agent


def is_async(func) -> bool:
    """Whether ``func`` was marked with ``functions.async_execution`` (it returns a Future)."""
    return getattr(func, "_ember_async_rpc", False)


class Agent:
    """Sends calls, receives replies and serves other workers' calls, over MPI."""

    def __init__(self, name: str, rpc_timeout: float, num_worker_threads: int) -> None:
        self.timeout = rpc_timeout
        self._lock = threading.Condition()
        self._pending: dict[int, tuple] = {}  # request id -> (future, deadline, timeout)
        self._request_ids = itertools.count()
        self._rref_ids = itertools.count()
        self._next_tick = 0.0
        self.owned: dict = {}  # RRef id -> the RRef this worker owns (under self._lock)
        self.pool = WorkerPool(num_worker_threads, f"rpc-{name}")
        self._transport = _transport.Transport(self._deliver, self._tick)
        try:
            names = self._transport.allgather(name)
            repeated = sorted({n for n in names if names.count(n) > 1})
            if repeated:
                raise RuntimeError(f"RPC worker names must be unique, but {repeated} "
                                   f"{'is' if len(repeated) == 1 else 'are'} used by ranks "
                                   f"{[i for i, n in enumerate(names) if n in repeated]}")
        except BaseException:
            self._stop()
            raise
        self.workers = [WorkerInfo(n, i) for i, n in enumerate(names)]
        self._by_name = {w.name: w for w in self.workers}
        self.me = self.workers[self._transport.rank]

    def start(self) -> None:
        """Become the running agent, then wait for every worker to have done the same, so
        that no call reaches a worker that cannot serve it yet."""
        _state["agent"] = self
        self._transport.barrier(None)

    # ---- who

    def worker(self, to) -> WorkerInfo:
        """The WorkerInfo for ``to``: a worker name, an id (rank) or a WorkerInfo."""
        if isinstance(to, WorkerInfo):
            to = to.id
        if isinstance(to, str):
            if to in self._by_name:
                return self._by_name[to]
            raise RuntimeError(f"name:{self.me.name},rank:{self.me.id} could not find "
                               f"destination name {to}")
        if isinstance(to, int) and 0 <= to < len(self.workers):
            return self.workers[to]
        raise RuntimeError(f"name:{self.me.name},rank:{self.me.id} could not find "
                           f"destination id {to}")

    def new_rref_id(self) -> tuple:
        """A fresh RRef id, unique across workers: (this worker's id, a counter)."""
        return self.me.id, next(self._rref_ids)

    # ---- calling out

    def seconds(self, timeout) -> float | None:
        """An RPC timeout argument in seconds: -1 is the default, 0 (or less) no limit."""
        if timeout is None or timeout == -1:
            timeout = self.timeout
        return None if timeout <= 0 else float(timeout)

    def call(self, to, func, args=(), kwargs=None, timeout=-1) -> Future:
        """Run ``func(*args, **kwargs)`` on worker ``to``; a Future of its result."""
        dest = self.worker(to)
        payload = _transport.dumps((func, tuple(args), dict(kwargs or {})))
        seconds = self.seconds(timeout)
        future: Future = Future()
        deadline = None if seconds is None else time.monotonic() + seconds
        with self._lock:
            request = next(self._request_ids)
            self._pending[request] = (future, deadline, seconds)
        try:
            self._transport.send(dest.id, ("call", request, payload))
        except BaseException:
            self._forget(request)
            raise
        return future

    def _forget(self, request):
        with self._lock:
            entry = self._pending.pop(request, None)
            self._lock.notify_all()
        return entry

    # ---- the listener's side (never sends, never blocks)

    def _deliver(self, source: int, message: tuple) -> None:
        kind, request, payload = message[:3]
        if kind == "call":
            self.pool.submit(self._serve, source, request, payload)
            return
        entry = self._forget(request)
        if entry is None:
            return  # the caller gave up on it (timeout)
        future, ok = entry[0], message[3]
        try:
            value = _transport.loads(payload)
        except BaseException as exc:
            future.set_exception(RuntimeError(f"the reply of {self.workers[source]} could "
                                              f"not be unpickled here: {exc!r}"))
            return
        if ok:
            future.set_result(value)
        else:
            future.set_exception(_errors.rebuild(*value))

    def _tick(self) -> None:
        now = time.monotonic()
        if now < self._next_tick:
            return
        self._next_tick = now + _TICK
        with self._lock:
            late = [r for r, (_, deadline, _) in self._pending.items()
                    if deadline is not None and deadline < now]
        for request in late:
            entry = self._forget(request)
            if entry is not None:
                entry[0].set_exception(_errors.timeout_error(entry[2]))

    # ---- serving (on the pool's threads)

    def _serve(self, source: int, request: int, payload: bytes) -> None:
        try:
            func, args, kwargs = _transport.loads(payload)
            result = func(*args, **kwargs)
        except BaseException as exc:
            self._reply(source, request, False, _errors.describe(exc, self.me))
            return
        if not is_async(func):
            self._reply(source, request, True, result)
            return
        if not isinstance(result, Future):
            self._reply(source, request, False, (TypeError, (
                f"On {self.me}:\nthe async_execution function {func.__qualname__} returned "
                f"{type(result).__name__}, not a torch.futures.Future")))
            return
        # the future may complete on the listener, which must not send: reply from the pool
        result.add_done_callback(
            lambda done: self.pool.submit(self._reply_future, source, request, done))

    def _reply_future(self, source: int, request: int, done: Future) -> None:
        try:
            value = done.value()
        except BaseException as exc:
            self._reply(source, request, False, (type(exc), str(exc)))
            return
        self._reply(source, request, True, value)

    def _reply(self, dest: int, request: int, ok: bool, value) -> None:
        try:
            payload = _transport.dumps(value)
        except BaseException as exc:
            if not ok:  # an exception type the caller cannot unpickle: say it in words
                payload = _transport.dumps((RuntimeError, f"{value[0].__name__}: {value[1]}"))
            else:
                ok = False
                payload = _transport.dumps(_errors.describe(exc, self.me))
        try:
            self._transport.send(dest, ("reply", request, payload, ok))
        except RuntimeError:
            pass  # shut down without waiting (graceful=False): the caller is gone too

    # ---- ending

    def shutdown(self, graceful: bool, timeout: float) -> None:
        """Stop the agent; when ``graceful``, first finish this worker's calls, wait for
        every worker to get here, and serve until no worker has work left."""
        deadline = time.monotonic() + timeout if timeout > 0 else None
        try:
            if graceful:
                self._graceful(deadline)
        finally:
            self._stop()

    def _graceful(self, deadline) -> None:
        with self._lock:
            while self._pending:
                left = None if deadline is None else deadline - time.monotonic()
                if left is not None and left <= 0:
                    raise RuntimeError(f"rpc.shutdown timed out with {len(self._pending)} "
                                       "RPCs of this worker still waiting for replies")
                self._lock.wait(left)
        # every worker has its replies; calls its pool still runs (past their callers'
        # timeouts) may make more RPCs, so all listeners serve until all pools are idle
        if not (self._transport.barrier(deadline) and self.pool.wait_idle(deadline)
                and self._transport.barrier(deadline)):
            raise RuntimeError("rpc.shutdown timed out waiting for the other workers")

    def _stop(self) -> None:
        if _state["agent"] is self:
            _state["agent"] = None
        self._transport.close()
        self.pool.close()
        with self._lock:
            pending, self._pending = self._pending, {}
            self.owned.clear()
        for future, _, _ in pending.values():
            future.set_exception(RuntimeError("RPC agent was shut down before the reply "
                                              "arrived"))
