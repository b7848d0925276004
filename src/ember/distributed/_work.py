"""Work: the handle of a collective started with ``async_op=True``."""
from __future__ import annotations

import time

from . import _mpi


class Work:
    """An in-flight collective: MPI requests plus the step that copies results into tensors."""

    def __init__(self, requests, finish, timeout: float, what: str):
        self._requests = list(requests)
        self._finish = finish
        self._deadline = time.monotonic() + timeout
        self._what = what
        self._done = False

    def is_completed(self) -> bool:
        """Whether the collective has finished (results are then in place)."""
        if not self._done and _mpi.mpi().Request.Testall(self._requests):
            self._complete()
        return self._done

    def wait(self, timeout=None) -> bool:
        """Block until the collective finishes; raise DistBackendError past the timeout."""
        if not self._done:
            deadline = self._deadline
            if timeout is not None:
                deadline = time.monotonic() + _seconds(timeout)
            _mpi.wait_all(self._requests, deadline, self._what)
            self._complete()
        return True

    def is_success(self) -> bool:
        """True once completed (a failure raises from wait)."""
        return self._done

    def _complete(self):
        self._done = True
        if self._finish is not None:
            self._finish()
            self._finish = None


def _seconds(timeout) -> float:
    """A timedelta or a number of seconds as float seconds."""
    return timeout.total_seconds() if hasattr(timeout, "total_seconds") else float(timeout)
