"""torch.jit: trace, script, save/load of traced modules."""
import io
import zipfile

import pytest

import ember
import ember.nn as nn
import ember.nn.functional as F


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 2, 3)
        self.bn = nn.BatchNorm2d(2)
        self.fc = nn.Linear(2 * 4 * 4, 3)

    def forward(self, x):
        h = F.relu(self.bn(self.conv(x)))
        return self.fc(h.flatten(1))


def test_trace_module_runs_graph_with_readable_code():
    m = Net().eval()
    x = ember.randn(2, 1, 6, 6)
    traced = ember.jit.trace(m, x)
    assert ember.allclose(traced(x), m(x))
    assert "self.conv(x)" in traced.code
    assert "call_module" in str(traced.graph)
    assert set(traced.state_dict()) == set(m.state_dict())
    assert not traced.training


def test_trace_freezes_control_flow_with_warning():
    def f(x):
        if x.sum() > 0:
            return x * 2
        return x - 1
    with pytest.warns(ember.jit.TracerWarning):
        tf = ember.jit.trace(f, ember.ones(3))
    # the branch taken for the example is baked in
    assert tf(-ember.ones(3)).tolist() == [-2, -2, -2]
    assert "mul" in tf.code


def test_trace_unpacks_tuple_outputs_and_is_tracing():
    seen = []

    class M(nn.Module):
        def __init__(self):
            super().__init__()
            self.lstm = nn.LSTM(3, 4, batch_first=True)

        def forward(self, x):
            seen.append(ember.jit.is_tracing())
            out, (h, c) = self.lstm(x)
            return out.sum(dim=1) + h[0]
    m = M()
    x = ember.randn(2, 5, 3)
    traced = ember.jit.trace(m, (x,))
    assert seen == [True]
    assert ember.allclose(traced(x), m(x))


def test_save_load_round_trip(tmp_path):
    m = Net().eval()
    x = ember.randn(2, 1, 6, 6)
    traced = ember.jit.trace(m, x)
    path = tmp_path / "net.pt"
    ember.jit.save(traced, str(path), _extra_files={"note.txt": "hi"})
    extra = {"note.txt": ""}
    loaded = ember.jit.load(str(path), _extra_files=extra)
    assert ember.allclose(loaded(x), m(x))
    assert loaded.code == traced.code and extra["note.txt"] == b"hi"
    buf = io.BytesIO()
    ember.jit.save(traced, buf)
    buf.seek(0)
    assert ember.allclose(ember.jit.load(buf)(x), m(x))


def test_loading_torchscript_archive_is_refused(tmp_path):
    path = tmp_path / "ts.pt"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("model/data.pkl", b"")
        z.writestr("model/code/__torch__/m.py", "")
        z.writestr("model/constants.pkl", b"")
    with pytest.raises(RuntimeError, match="TorchScript archive.*not supported"):
        ember.jit.load(str(path))


def test_script_function_and_module():
    @ember.jit.script
    def add_one(x: ember.Tensor) -> ember.Tensor:
        return x + 1
    assert add_one(ember.zeros(2)).tolist() == [1, 1]
    assert "return x + 1" in add_one.code

    class M(nn.Module):
        limit: ember.jit.Final[int] = 3

        def __init__(self):
            super().__init__()
            self.fc = nn.Linear(2, 2)

        def forward(self, x):
            return self.helper(self.fc(x))

        @ember.jit.ignore
        def helper(self, x):
            return x * self.limit

        @ember.jit.unused
        def debug(self):
            return 1

        @ember.jit.export
        def extra(self, x):
            return x - 1
    m = M()
    sm = ember.jit.script(m)
    x = ember.randn(4, 2)
    assert isinstance(sm, ember.jit.ScriptModule) and isinstance(sm, M)
    assert ember.allclose(sm(x), m(x)) and ember.allclose(sm.extra(x), x - 1)
    assert m.debug() == 1
    with pytest.raises(RuntimeError, match="unused"):
        sm.debug()
    assert set(sm.state_dict()) == set(m.state_dict())
    assert not ember.jit.is_scripting()


def test_fork_wait_annotate():
    fut = ember.jit.fork(lambda a: a * 2, ember.ones(2))
    assert ember.jit.wait(fut).tolist() == [2, 2]
    assert ember.jit.annotate(list, [1]) == [1]
