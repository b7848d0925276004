"""The profiler records ember's operations and user ranges while active, summarises them as
PyTorch's does, and leaves the dispatch untouched when it is off."""
import json

import pytest

import ember
from ember.autograd.function import Primitive
from ember.profiler import ProfilerAction, profile, record_function, schedule


def _work():
    x = ember.randn(32, 32, requires_grad=True)
    with record_function("block"):
        y = (x @ x).relu().sum()
    y.backward()
    return x * x + x


def test_operations_and_ranges_are_recorded_with_shapes():
    with profile(record_shapes=True) as prof:
        _work()
    averages = {e.key: e for e in prof.key_averages()}
    assert {"block", "aten::mm", "aten::relu", "aten::sum", "aten::mul", "aten::add"} <= \
        set(averages)
    assert averages["aten::mul"].count == 1 and averages["aten::add"].count == 1
    block = next(e for e in prof.events() if e.name == "block")
    assert {c.name for c in block.cpu_children} == {"aten::mm", "aten::relu", "aten::sum"}
    assert block.cpu_time_total >= sum(c.cpu_time_total for c in block.cpu_children)
    shapes = {e.key: e.input_shapes for e in prof.key_averages(group_by_input_shape=True)}
    assert shapes["aten::mm"] == [[32, 32], [32, 32]]


def test_table_has_torchs_columns_and_sorts():
    with profile() as prof:
        _work()
    table = prof.key_averages().table(sort_by="self_cpu_time_total", row_limit=3)
    assert "Self CPU %" in table and "# of Calls" in table and "Self CPU time total" in table
    assert len([line for line in table.splitlines() if "aten::" in line or "block" in line]) \
        == 3
    with pytest.raises(AttributeError):
        prof.key_averages().table(sort_by="nonsense")


def test_dispatch_is_untouched_outside_a_profile():
    before = Primitive.__dict__["apply"]
    with profile():
        assert Primitive.__dict__["apply"] is not before
    assert Primitive.__dict__["apply"] is before


def test_schedule_records_only_active_steps_and_hands_over_traces(tmp_path):
    assert [schedule(wait=1, warmup=1, active=2)(s) for s in range(5)] == [
        ProfilerAction.NONE, ProfilerAction.WARMUP, ProfilerAction.RECORD,
        ProfilerAction.RECORD_AND_SAVE, ProfilerAction.NONE]
    traces = []
    with profile(schedule=schedule(wait=1, warmup=0, active=1, repeat=2),
                 on_trace_ready=lambda p: traces.append(len(p.events()))) as prof:
        for _ in range(5):
            ember.ones(3) + ember.ones(3)
            prof.step()
    assert traces == [1, 1]
    path = tmp_path / "trace.json"
    prof.export_chrome_trace(str(path))
    assert json.loads(path.read_text())["traceEvents"][0]["ph"] == "X"


def test_legacy_autograd_profiler_and_decorator():
    @record_function("decorated")
    def f():
        return ember.ones(2).exp()

    with ember.autograd.profiler.profile() as prof:
        f()
    names = [e.name for e in prof.function_events]
    assert "decorated" in names and "aten::exp" in names
    assert "aten::exp" in prof.table()
    with ember.autograd.profiler.profile(enabled=False) as off:
        f()
    assert len(off.function_events) == 0
