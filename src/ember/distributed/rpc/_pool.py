"""The threads that run incoming calls, so that a call may itself make RPCs (nested calls)
while the listener keeps receiving."""
from __future__ import annotations

import queue
import sys
import threading
import time
import traceback


class WorkerPool:
    """``size`` daemon threads taking jobs from one queue; ``wait_idle`` waits until no job is
    queued or running. Daemon threads never hold up the interpreter's exit."""

    def __init__(self, size: int, name: str) -> None:
        self._jobs: queue.SimpleQueue = queue.SimpleQueue()
        self._busy = 0  # jobs submitted and not yet finished
        self._idle = threading.Condition()
        self._threads = [threading.Thread(target=self._work, name=f"{name}-{i}", daemon=True)
                         for i in range(size)]
        for thread in self._threads:
            thread.start()

    def submit(self, job, *args) -> None:
        """Queue ``job(*args)``."""
        with self._idle:
            self._busy += 1
        self._jobs.put((job, args))

    def wait_idle(self, deadline: float | None = None) -> bool:
        """Wait until every submitted job has finished; False if ``deadline`` passed first."""
        with self._idle:
            while self._busy:
                left = None if deadline is None else deadline - time.monotonic()
                if left is not None and left <= 0:
                    return False
                self._idle.wait(left)
        return True

    def close(self) -> None:
        """Let the threads finish the queued jobs and end (without waiting for them: a
        graceful shutdown has waited with ``wait_idle`` already)."""
        for _ in self._threads:
            self._jobs.put(None)

    def _work(self) -> None:
        while True:
            item = self._jobs.get()
            if item is None:
                return
            job, args = item
            try:
                job(*args)
            except BaseException:  # a job reports its own errors; this is a bug in ember
                traceback.print_exc(file=sys.stderr)
            finally:
                with self._idle:
                    self._busy -= 1
                    self._idle.notify_all()
