"""``torch.profiler``: time ember's operations and user-marked regions.

``with profile() as prof:`` records each operation ember dispatches (and each
``record_function`` range) with its wall time and, with ``record_shapes``, its input
shapes; ``prof.key_averages().table(...)`` summarises them as PyTorch's table does. Nothing
is timed outside a profile."""
from __future__ import annotations

import enum
import functools
import os
import socket
import time
from typing import Callable, Iterable

from ._events import EventList, FunctionEvent, FunctionEventAvg
from ._recorder import Recorder, user_range_begin, user_range_end

__all__ = ["profile", "record_function", "ProfilerActivity", "ProfilerAction", "schedule",
           "tensorboard_trace_handler", "supported_activities", "EventList", "FunctionEvent",
           "FunctionEventAvg"]


class ProfilerActivity(enum.Enum):
    """What a profile records: CPU operations (ember's only kind) or device kernels."""

    CPU = 0
    CUDA = 1
    XPU = 2
    MTIA = 3
    HPU = 4
    PrivateUse1 = 5


def supported_activities() -> set:
    """The activities this build can profile."""
    return {ProfilerActivity.CPU}


class ProfilerAction(enum.Enum):
    """What a schedule asks the profiler to do at a step."""

    NONE = 0
    WARMUP = 1
    RECORD = 2
    RECORD_AND_SAVE = 3


def schedule(*, wait: int, warmup: int, active: int, repeat: int = 0,
             skip_first: int = 0, skip_first_wait: int = 0) -> Callable[[int], ProfilerAction]:
    """A step -> action function: skip ``skip_first`` steps, then cycles of ``wait`` idle,
    ``warmup`` and ``active`` recording steps, ``repeat`` times (0: forever)."""
    if wait < 0 or warmup < 0 or active <= 0 or repeat < 0 or skip_first < 0:
        raise AssertionError("Invalid profiler schedule arguments")

    def step_action(step: int) -> ProfilerAction:
        if step < skip_first:
            return ProfilerAction.NONE
        step -= skip_first
        cycle = wait + warmup + active
        if repeat > 0 and step // cycle >= repeat:
            return ProfilerAction.NONE
        pos = step % cycle
        if pos < wait:
            return ProfilerAction.NONE
        if pos < wait + warmup:
            return ProfilerAction.WARMUP
        return ProfilerAction.RECORD_AND_SAVE if pos == cycle - 1 else ProfilerAction.RECORD
    return step_action


def tensorboard_trace_handler(dir_name: str, worker_name: str | None = None,
                              use_gzip: bool = False) -> Callable:
    """An ``on_trace_ready`` handler writing each trace as a Chrome trace file into
    ``dir_name``."""
    def handler(prof) -> None:
        os.makedirs(dir_name, exist_ok=True)
        worker = worker_name or f"{socket.gethostname()}_{os.getpid()}"
        name = f"{worker}.{time.time_ns() // 1_000_000}.pt.trace.json"
        prof.export_chrome_trace(os.path.join(dir_name, name))
    return handler


class profile:
    """Record ember's operations while active (as a context manager, or between
    ``start()`` and ``stop()``); a ``schedule`` limits recording to chosen ``step()``s."""

    def __init__(self, *, activities: Iterable | None = None, schedule=None,
                 on_trace_ready: Callable | None = None, record_shapes: bool = False,
                 profile_memory: bool = False, with_stack: bool = False,
                 with_flops: bool = False, with_modules: bool = False,
                 experimental_config=None, execution_trace_observer=None,
                 acc_events: bool = False, use_cuda: bool | None = None,
                 custom_trace_id_callback=None) -> None:
        self.activities = set(activities) if activities else supported_activities()
        self.schedule = schedule
        self.on_trace_ready = on_trace_ready
        self.record_shapes = record_shapes
        self.step_num = 0
        self._recorder: Recorder | None = None
        self._events = EventList()
        self._recording = False

    # -- recording ------------------------------------------------------------------------
    def _begin(self) -> None:
        if not self._recording:
            self._recorder = Recorder(self.record_shapes)
            self._recorder.start()
            self._recording = True

    def _finish(self) -> None:
        if self._recording:
            self._recorder.stop()
            self._events = EventList(self._recorder.events)
            self._recording = False
            if self.on_trace_ready is not None:
                self.on_trace_ready(self)

    def start(self) -> None:
        """Begin recording (at once, or as the schedule says for step 0)."""
        if self.schedule is None or self.schedule(self.step_num) in (
                ProfilerAction.RECORD, ProfilerAction.RECORD_AND_SAVE):
            self._begin()

    def stop(self) -> None:
        """Stop recording and hand the trace to ``on_trace_ready``."""
        self._finish()

    def step(self) -> None:
        """Mark the end of a training step (the schedule decides what happens next)."""
        if self.schedule is None:
            self.step_num += 1
            return
        action = self.schedule(self.step_num)
        self.step_num += 1
        following = self.schedule(self.step_num)
        if action == ProfilerAction.RECORD_AND_SAVE:
            self._finish()
        if following in (ProfilerAction.RECORD, ProfilerAction.RECORD_AND_SAVE):
            self._begin()
        elif self._recording and following == ProfilerAction.NONE:
            self._finish()

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    # -- results --------------------------------------------------------------------------
    def events(self) -> EventList:
        """Every recorded event."""
        return self._events

    def key_averages(self, group_by_input_shape: bool = False, group_by_stack_n: int = 0,
                     group_by_overload_name: bool = False) -> EventList:
        """The events averaged by name (and input shapes)."""
        return self._events.key_averages(group_by_input_shape, group_by_stack_n)

    def export_chrome_trace(self, path: str) -> None:
        """Write the trace for ``chrome://tracing`` or Perfetto."""
        self._events.export_chrome_trace(path)


class record_function:
    """Mark a region (context manager or decorator) so it shows in the profile by name."""

    def __init__(self, name: str, args: str | None = None) -> None:
        self.name = name
        self._opened: list = []

    def __enter__(self):
        self._opened = user_range_begin(self.name)
        return self

    def __exit__(self, *exc) -> None:
        user_range_end(self._opened)
        self._opened = []

    def __call__(self, fn: Callable) -> Callable:
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with record_function(self.name):
                return fn(*args, **kwargs)
        return wrapper
