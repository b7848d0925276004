"""``torch.autograd.profiler``: the older profiler interface, on ember's profiler."""
from __future__ import annotations

import contextlib

from ..profiler import EventList, FunctionEvent, FunctionEventAvg, record_function
from ..profiler import profile as _profile

__all__ = ["profile", "record_function", "emit_nvtx", "emit_itt", "EventList",
           "FunctionEvent", "FunctionEventAvg"]


class profile(_profile):
    """``with profile(enabled=True, record_shapes=False) as prof:``; the events are in
    ``prof.function_events`` and summarised by ``key_averages()`` and ``table()``."""

    def __init__(self, enabled: bool = True, *, use_cuda: bool = False, use_device=None,
                 record_shapes: bool = False, with_flops: bool = False,
                 profile_memory: bool = False, with_stack: bool = False,
                 with_modules: bool = False, use_kineto: bool = False, use_cpu: bool = True,
                 experimental_config=None, acc_events: bool = False,
                 custom_trace_id_callback=None) -> None:
        super().__init__(record_shapes=record_shapes)
        self.enabled = enabled

    def __enter__(self):
        if self.enabled:
            self.start()
        return self

    @property
    def function_events(self) -> EventList:
        """Every recorded event."""
        return self.events()

    def table(self, sort_by: str | None = None, row_limit: int = 100, **kwargs) -> str:
        """The averaged events as a text table."""
        return self.key_averages().table(sort_by=sort_by, row_limit=row_limit, **kwargs)

    @property
    def self_cpu_time_total(self) -> float:
        """Total self time of every event (microseconds)."""
        return self.events().self_cpu_time_total


@contextlib.contextmanager
def emit_nvtx(enabled: bool = True, record_shapes: bool = False):
    """NVTX ranges are for NVIDIA's tools; ember emits none (a no-op block)."""
    yield


@contextlib.contextmanager
def emit_itt(enabled: bool = True, record_shapes: bool = False):
    """ITT ranges are for Intel's tools; ember emits none (a no-op block)."""
    yield
