"""Profiler events and their summaries: one ``FunctionEvent`` per timed call, averaged by
name (and optionally input shapes) into ``FunctionEventAvg`` rows, printed as a table."""
from __future__ import annotations

from collections import OrderedDict

__all__ = ["FunctionEvent", "FunctionEventAvg", "EventList"]


def _fmt_us(us: float) -> str:
    if us >= 1e6:
        return f"{us / 1e6:.3f}s"
    if us >= 1e3:
        return f"{us / 1e3:.3f}ms"
    return f"{us:.3f}us"


class FunctionEvent:
    """One timed call: its name, start and end (microseconds), input shapes and the calls
    made inside it."""

    def __init__(self, id: int, name: str, start_us: float, end_us: float, thread: int = 0,
                 input_shapes=None, is_user_annotation: bool = False) -> None:
        self.id = id
        self.name = self.key = name
        self.time_range = (start_us, end_us)
        self.thread = thread
        self.input_shapes = input_shapes or []
        self.is_user_annotation = is_user_annotation
        self.cpu_children: list[FunctionEvent] = []
        self.cpu_parent: FunctionEvent | None = None
        self.count = 1

    @property
    def cpu_time_total(self) -> float:
        """Wall time of the call, children included (microseconds)."""
        return self.time_range[1] - self.time_range[0]

    @property
    def self_cpu_time_total(self) -> float:
        """Wall time spent in the call itself, children excluded (microseconds)."""
        return self.cpu_time_total - sum(c.cpu_time_total for c in self.cpu_children)

    cpu_time = cpu_time_total
    device_time_total = self_device_time_total = cuda_time_total = 0.0

    def __repr__(self) -> str:
        return (f"<FunctionEvent id={self.id} name={self.name} "
                f"cpu_time={_fmt_us(self.cpu_time_total)} input_shapes={self.input_shapes}>")


class FunctionEventAvg:
    """The totals of the events sharing a key."""

    def __init__(self, key: str, input_shapes=None) -> None:
        self.key = key
        self.input_shapes = input_shapes or []
        self.count = 0
        self.cpu_time_total = 0.0
        self.self_cpu_time_total = 0.0
        self.device_time_total = self.self_device_time_total = self.cuda_time_total = 0.0
        self.is_user_annotation = False

    def add(self, event) -> "FunctionEventAvg":
        """Fold ``event`` into the totals."""
        self.count += event.count
        self.cpu_time_total += event.cpu_time_total
        self.self_cpu_time_total += event.self_cpu_time_total
        self.is_user_annotation = event.is_user_annotation
        return self

    @property
    def cpu_time(self) -> float:
        """Average wall time per call (microseconds)."""
        return self.cpu_time_total / self.count if self.count else 0.0

    def __repr__(self) -> str:
        return (f"<FunctionEventAvg key={self.key} self_cpu_time="
                f"{_fmt_us(self.self_cpu_time_total)} cpu_time={_fmt_us(self.cpu_time)} "
                f"count={self.count}>")


_COLUMNS = {"cpu_time_total", "self_cpu_time_total", "cpu_time", "count",
            "device_time_total", "self_device_time_total", "cuda_time_total"}


class EventList(list):
    """A list of events with PyTorch's summaries: ``key_averages()`` and ``table()``."""

    def key_averages(self, group_by_input_shape: bool = False,
                     group_by_stack_n: int = 0) -> "EventList":
        """One averaged row per event name (and input shapes, when asked)."""
        rows: OrderedDict = OrderedDict()
        for event in self:
            key = (event.key, str(event.input_shapes) if group_by_input_shape else "")
            if key not in rows:
                rows[key] = FunctionEventAvg(event.key, event.input_shapes
                                             if group_by_input_shape else None)
            rows[key].add(event)
        out = EventList(rows.values())
        out._with_shapes = group_by_input_shape
        return out

    @property
    def self_cpu_time_total(self) -> float:
        """The self time of every event together (microseconds)."""
        return sum(e.self_cpu_time_total for e in self)

    def table(self, sort_by: str | None = None, row_limit: int = 100, max_src_column_width=75,
              max_name_column_width=55, max_shapes_column_width=80, header=None,
              top_level_events_only: bool = False) -> str:
        """The events as a text table, sorted by ``sort_by`` (a time column or ``count``)."""
        rows = list(self)
        if sort_by is not None:
            if sort_by not in _COLUMNS:
                raise AttributeError(f"'FunctionEventAvg' object has no attribute '{sort_by}'")
            rows.sort(key=lambda e: getattr(e, sort_by), reverse=True)
        if row_limit is not None and row_limit > 0:
            rows = rows[:row_limit]
        total = self.self_cpu_time_total or 1.0
        shapes = getattr(self, "_with_shapes", False)
        name_width = max([len("Name")] + [min(len(e.key), max_name_column_width)
                                            for e in rows]) + 2
        heads = ["Self CPU %", "Self CPU", "CPU total %", "CPU total", "CPU time avg",
                 "# of Calls"] + (["Input Shapes"] if shapes else [])
        widths = [12] * 6 + ([max_shapes_column_width // 3] if shapes else [])
        line = "-" * name_width + "  " + "  ".join("-" * w for w in widths) + "  "
        out = [line, "Name".rjust(name_width) + "  " +
               "  ".join(h.rjust(w) for h, w in zip(heads, widths)) + "  ", line]
        for e in rows:
            cells = [f"{100 * e.self_cpu_time_total / total:.2f}%",
                     _fmt_us(e.self_cpu_time_total),
                     f"{100 * e.cpu_time_total / total:.2f}%", _fmt_us(e.cpu_time_total),
                     _fmt_us(e.cpu_time), str(e.count)]
            if shapes:
                cells.append(str(e.input_shapes))
            out.append(e.key[:max_name_column_width].rjust(name_width) + "  " +
                       "  ".join(c.rjust(w) for c, w in zip(cells, widths)) + "  ")
        out.append(line)
        out.append(f"Self CPU time total: {_fmt_us(self.self_cpu_time_total)}")
        return "\n".join(out) + "\n"

    def export_chrome_trace(self, path: str) -> None:
        """Write the events as a Chrome trace (``chrome://tracing``, Perfetto)."""
        import json
        import os
        trace = [{"name": e.name, "ph": "X", "ts": e.time_range[0], "dur": e.cpu_time_total,
                  "pid": os.getpid(), "tid": e.thread, "cat": "cpu_op",
                  "args": {"Input Dims": e.input_shapes}} for e in self]
        with open(path, "w", encoding="utf-8") as f:
            json.dump({"traceEvents": trace}, f)
