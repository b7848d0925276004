"""The recording behind the profiler: while a profile is active, ember's op dispatch
(``Primitive.apply`` and the direct tensor add/mul path) is wrapped with a timer; when no
profile is active nothing is wrapped, so profiling costs nothing when off."""
from __future__ import annotations

import re
import threading
import time

from ._events import FunctionEvent

__all__ = ["Recorder"]

_lock = threading.Lock()
_active: list["Recorder"] = []
_originals: dict = {}


def _now_us() -> float:
    return time.perf_counter_ns() / 1000.0


def _op_name(cls) -> str:
    """``aten::<snake_case>`` of a primitive class name (``MaxPool`` -> ``max_pool``)."""
    return "aten::" + re.sub(r"(?<!^)(?=[A-Z])", "_", cls.__name__).lower()


class Recorder:
    """Collects timed events; several may record at once (nested profiles)."""

    def __init__(self, record_shapes: bool = False) -> None:
        self.record_shapes = record_shapes
        self.events: list[FunctionEvent] = []
        self._stack: list[FunctionEvent] = []
        self._next_id = 0

    def begin(self, name: str, shapes=None, user: bool = False) -> FunctionEvent:
        event = FunctionEvent(self._next_id, name, _now_us(), 0.0, threading.get_ident(),
                              shapes if self.record_shapes else None, user)
        self._next_id += 1
        if self._stack:
            event.cpu_parent = self._stack[-1]
            self._stack[-1].cpu_children.append(event)
        self._stack.append(event)
        return event

    def end(self, event: FunctionEvent, keep: bool = True) -> None:
        event.time_range = (event.time_range[0], _now_us())
        if self._stack and self._stack[-1] is event:
            self._stack.pop()
        if keep:
            self.events.append(event)
        elif event.cpu_parent is not None:
            event.cpu_parent.cpu_children.remove(event)

    # -- turning dispatch timing on and off -------------------------------------------------
    def start(self) -> None:
        with _lock:
            _active.append(self)
            if len(_active) == 1:
                _install()

    def stop(self) -> None:
        with _lock:
            if self in _active:
                _active.remove(self)
            if not _active:
                _uninstall()


def _shapes(args) -> list:
    return [list(a.shape) if hasattr(a, "shape") and hasattr(a, "_data") else []
            for a in args]


def _timed(name: str, args, run, optional: bool = False):
    """``run()`` timed as ``name``; with ``optional``, a None result (the call did not
    happen: the direct path declined) records nothing."""
    recorders = list(_active)
    shapes = _shapes(args) if any(r.record_shapes for r in recorders) else None
    events = [r.begin(name, shapes) for r in recorders]
    result = None
    try:
        result = run()
        return result
    finally:
        for r, e in zip(recorders, events):
            r.end(e, keep=not (optional and result is None))


def _install() -> None:
    from ..autograd.function import Primitive
    from ..ops import elementwise
    apply = Primitive.__dict__["apply"].__func__
    plain = elementwise._plain
    _originals["apply"] = Primitive.__dict__["apply"]
    _originals["plain"] = plain

    def timed_apply(cls, *args, **kwargs):
        return _timed(_op_name(cls), args, lambda: apply(cls, *args, **kwargs))

    def timed_plain(prim, a, b):
        return _timed(_op_name(prim), (a, b), lambda: plain(prim, a, b), optional=True)
    Primitive.apply = classmethod(timed_apply)
    elementwise._plain = timed_plain


def _uninstall() -> None:
    from ..autograd.function import Primitive
    from ..ops import elementwise
    if "apply" in _originals:
        Primitive.apply = _originals.pop("apply")
        elementwise._plain = _originals.pop("plain")


def user_range_begin(name: str) -> list:
    """Open a user-named range in every active recorder."""
    return [(r, r.begin(name, None, True)) for r in list(_active)]


def user_range_end(opened: list) -> None:
    """Close the ranges ``user_range_begin`` opened."""
    for recorder, event in opened:
        recorder.end(event)
