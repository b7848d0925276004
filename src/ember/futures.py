"""``torch.futures``: results that arrive later, with callbacks and waiting."""
from __future__ import annotations

import threading
from typing import Any, Callable, Generic, TypeVar

__all__ = ["Future", "collect_all", "wait_all"]

T = TypeVar("T")


class Future(Generic[T]):
    """A value (or an exception) set once, possibly from another thread; ``wait()`` blocks
    until it is there, ``then(fn)`` chains work on it."""

    def __init__(self, *, devices=None) -> None:
        self._done = threading.Event()
        self._lock = threading.Lock()
        self._value: Any = None
        self._error: BaseException | None = None
        self._callbacks: list[Callable] = []

    def done(self) -> bool:
        """Whether the result (or an exception) has been set."""
        return self._done.is_set()

    def wait(self) -> T:
        """Block until the result is set and return it (raising a set exception)."""
        self._done.wait()
        if self._error is not None:
            raise self._error
        return self._value

    def value(self) -> T:
        """The result of a completed future (raising a set exception)."""
        if self._error is not None:
            raise self._error
        return self._value

    def _complete(self, value=None, error=None) -> None:
        with self._lock:
            if self._done.is_set():
                raise RuntimeError("Future can only be marked completed once.")
            self._value, self._error = value, error
            self._done.set()
            callbacks, self._callbacks = self._callbacks, []
        for cb in callbacks:
            cb(self)

    def set_result(self, result: T) -> None:
        """Complete the future with ``result`` and run the callbacks."""
        self._complete(value=result)

    def set_exception(self, result: BaseException) -> None:
        """Complete the future with an exception that ``wait()`` raises."""
        if not isinstance(result, BaseException):
            raise TypeError(f"{result} is of type {type(result)}, not an Exception.")
        self._complete(error=result)

    def add_done_callback(self, callback: Callable[["Future"], None]) -> None:
        """Run ``callback(self)`` when the future completes (at once if it has)."""
        with self._lock:
            if not self._done.is_set():
                self._callbacks.append(callback)
                return
        callback(self)

    def then(self, callback: Callable[["Future"], Any]) -> "Future":
        """A new future holding ``callback(self)`` once this one completes."""
        chained: Future = Future()

        def run(fut):
            try:
                chained.set_result(callback(fut))
            except BaseException as exc:
                chained.set_exception(exc)
        self.add_done_callback(run)
        return chained


def collect_all(futures: list) -> Future:
    """A future that completes with the list of ``futures`` once they all have."""
    combined: Future = Future()
    remaining = [len(futures)]
    lock = threading.Lock()
    if not futures:
        combined.set_result([])
        return combined

    def one_done(_):
        with lock:
            remaining[0] -= 1
            last = remaining[0] == 0
        if last:
            combined.set_result(list(futures))
    for fut in futures:
        fut.add_done_callback(one_done)
    return combined


def wait_all(futures: list) -> list:
    """Wait for every future and return their results (raising the first exception)."""
    return [fut.wait() for fut in futures]
