"""What runs inside a DataLoader worker process, and the fetchers both sides share.

Everything here is importable at module level and takes only picklable arguments, so the
workers start the same way under ``fork``, ``spawn`` and ``forkserver``.
"""
from __future__ import annotations

import os
import queue
import random
import sys
import traceback
from typing import Any

import numpy as np

__all__ = ["get_worker_info", "WorkerInfo"]

# how often (seconds) a waiting side re-checks that its peer is still alive
STATUS_CHECK_INTERVAL = 1.0


class WorkerInfo:
    """Facts about the current worker: ``id``, ``num_workers``, ``seed`` and ``dataset`` (this
    worker's own copy). Read-only once made."""

    __initialized = False

    def __init__(self, **kwargs) -> None:
        for k, v in kwargs.items():
            setattr(self, k, v)
        self.__keys = tuple(kwargs)
        self.__initialized = True

    def __setattr__(self, key, val):
        if self.__initialized:
            raise RuntimeError(f"Cannot assign attributes to {self.__class__.__name__} objects")
        return super().__setattr__(key, val)

    def __repr__(self) -> str:
        fields = ", ".join(f"{k}={getattr(self, k)}" for k in self.__keys)
        return f"{self.__class__.__name__}({fields})"


_worker_info: WorkerInfo | None = None


def get_worker_info() -> WorkerInfo | None:
    """Inside a DataLoader worker process its ``WorkerInfo``; in the main process ``None``."""
    return _worker_info


class _KeyErrorMessage(str):
    """A message that KeyError prints as is (KeyError would otherwise show its repr, with the
    traceback's newlines escaped)."""

    def __repr__(self):
        return self


class ExceptionWrapper:
    """An exception caught in a worker, carried to the main process as type and traceback
    text (exceptions and tracebacks do not always pickle)."""

    def __init__(self, exc_info=None, where: str = "in background") -> None:
        if exc_info is None:
            exc_info = sys.exc_info()
        self.exc_type = exc_info[0]
        self.exc_msg = "".join(traceback.format_exception(*exc_info))
        self.where = where

    def reraise(self):
        """Raise an exception of the original type whose message holds the worker's traceback."""
        msg = f"Caught {self.exc_type.__name__} {self.where}.\nOriginal {self.exc_msg}"
        if self.exc_type is KeyError:
            msg = _KeyErrorMessage(msg)
        elif getattr(self.exc_type, "message", None):
            # exceptions that only take a ``message`` keyword
            raise self.exc_type(message=msg)
        try:
            exc = self.exc_type(msg)
        except Exception:
            # the type cannot be built from one string: say what happened another way
            raise RuntimeError(msg) from None
        raise exc


class _IterableDatasetStopIteration:
    """Sent by a worker whose copy of an iterable dataset is exhausted."""

    def __init__(self, worker_id: int) -> None:
        self.worker_id = worker_id


class _ResumeIteration:
    """Sent to persistent workers to start a new epoch; echoed back once they have."""


class _MapDatasetFetcher:
    """Reads samples by index (or by a list of indices when batching) and collates them."""

    def __init__(self, dataset, auto_collation: bool, collate_fn, drop_last: bool) -> None:
        self.dataset = dataset
        self.auto_collation = auto_collation
        self.collate_fn = collate_fn
        self.drop_last = drop_last

    def fetch(self, index) -> Any:
        if not self.auto_collation:
            return self.collate_fn(self.dataset[index])
        batched = getattr(self.dataset, "__getitems__", None)
        if batched:
            return self.collate_fn(batched(index))
        ds = self.dataset
        return self.collate_fn([ds[i] for i in index])


class _IterableDatasetFetcher:
    """Pulls the next sample (or ``len(index)`` samples when batching) from the dataset's
    iterator; raises StopIteration once nothing is left."""

    def __init__(self, dataset, auto_collation: bool, collate_fn, drop_last: bool) -> None:
        self.dataset_iter = iter(dataset)
        self.auto_collation = auto_collation
        self.collate_fn = collate_fn
        self.drop_last = drop_last
        self.ended = False

    def fetch(self, index) -> Any:
        if self.ended:
            raise StopIteration
        if not self.auto_collation:
            return self.collate_fn(next(self.dataset_iter))
        data = []
        for _ in index:
            try:
                data.append(next(self.dataset_iter))
            except StopIteration:
                self.ended = True
                break
        if not data or (self.drop_last and len(data) < len(index)):
            raise StopIteration
        return self.collate_fn(data)


def create_fetcher(iterable: bool, dataset, auto_collation, collate_fn, drop_last):
    """The fetcher for a map-style or an iterable dataset."""
    cls = _IterableDatasetFetcher if iterable else _MapDatasetFetcher
    return cls(dataset, auto_collation, collate_fn, drop_last)


def _seed_everything(base_seed: int, worker_id: int) -> int:
    """Seed Python's, NumPy's and ember's global generators for one worker; returns the seed."""
    from ... import _random
    seed = base_seed + worker_id
    random.seed(seed)
    _random.manual_seed(seed)
    # NumPy's legacy seeding takes 32-bit words; derive them from both numbers so that
    # neighbouring workers get unrelated streams
    words = [worker_id, base_seed & 0xFFFFFFFF, base_seed >> 32, 0]
    np.random.seed(np.random.SeedSequence(words).generate_state(4))
    return seed


def worker_loop(iterable: bool, dataset, index_queue, data_queue, done_event, auto_collation,
                collate_fn, drop_last, base_seed, init_fn, worker_id, num_workers) -> None:
    """Serve ``(task_id, index)`` requests from ``index_queue`` until told to stop (``None``)
    or the parent process disappears; results (or wrapped errors) go to ``data_queue``."""
    global _worker_info
    parent = os.getppid()
    where = f"in DataLoader worker process {worker_id}"
    try:
        seed = _seed_everything(base_seed, worker_id)
        _worker_info = WorkerInfo(id=worker_id, num_workers=num_workers, seed=seed,
                                  dataset=dataset)
        init_error = None
        fetcher = None
        try:
            if init_fn is not None:
                init_fn(worker_id)
            fetcher = create_fetcher(iterable, dataset, auto_collation, collate_fn, drop_last)
        except Exception:
            init_error = ExceptionWrapper(where=where)
        exhausted = False
        while os.getppid() == parent:
            try:
                task = index_queue.get(timeout=STATUS_CHECK_INTERVAL)
            except queue.Empty:
                continue
            if task is None:
                break
            if isinstance(task, _ResumeIteration):
                data_queue.put((task, None))
                exhausted = False
                fetcher = create_fetcher(iterable, dataset, auto_collation, collate_fn,
                                         drop_last)
                continue
            if done_event.is_set() or exhausted:
                continue  # drain what is left until the shutdown signal arrives
            task_id, index = task
            if init_error is not None:
                data, init_error = init_error, None
            else:
                try:
                    data = fetcher.fetch(index)
                except StopIteration:
                    if not iterable:
                        data = ExceptionWrapper(where=where)
                    else:
                        data = _IterableDatasetStopIteration(worker_id)
                        exhausted = True
                except Exception:
                    data = ExceptionWrapper(where=where)
            data_queue.put((task_id, data))
            del data
    except KeyboardInterrupt:
        pass  # the main process handles Ctrl-C and shuts the workers down
    if done_event.is_set():
        # the main process no longer reads: do not wait for queued results to be flushed
        data_queue.cancel_join_thread()
        data_queue.close()
