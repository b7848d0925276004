"""torch.fx differential tests: the same module traced by ember and by torch gives the
same sequence of node ops and targets, and the traced modules compute the same values."""
import numpy as np
import pytest

import ember
from helpers import assert_close, to_ember, torch


def _mlp(t):
    nn = t.nn

    class MLP(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc1 = nn.Linear(6, 16)
            self.act = nn.ReLU()
            self.fc2 = nn.Linear(16, 3)

        def forward(self, x):
            return self.fc2(self.act(self.fc1(x)))
    return MLP()


def _cnn(t):
    nn = t.nn

    class CNN(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv = nn.Conv2d(1, 4, 3, padding=1)
            self.bn = nn.BatchNorm2d(4)
            self.pool = nn.MaxPool2d(2)
            self.head = nn.Sequential(nn.Flatten(), nn.Linear(4 * 4 * 4, 5))

        def forward(self, x):
            return self.head(self.pool(t.relu(self.bn(self.conv(x)))))
    return CNN()


def _residual(t):
    nn = t.nn
    F = t.nn.functional

    class Block(nn.Module):
        def __init__(self):
            super().__init__()
            self.lin = nn.Linear(8, 8)
            self.norm = nn.LayerNorm(8)
            self.scale = nn.Parameter(t.ones(8))

        def forward(self, x):
            h = F.gelu(self.lin(x)) * self.scale
            h = self.norm(h + x)
            h = h.transpose(0, 1).contiguous().view(-1, 4)
            return t.tanh(h).sum(dim=-1) - h.mean() / 2
    return Block()


def _signature(gm):
    out = []
    for n in gm.graph.nodes:
        target = n.target if isinstance(n.target, str) else n.target.__name__
        out.append((n.op, target))
    return out


@pytest.mark.parametrize("build,shape", [(_mlp, (5, 6)), (_cnn, (2, 1, 8, 8)),
                                         (_residual, (4, 8))])
def test_traced_graph_and_outputs_match_torch(build, shape):
    torch.manual_seed(0)
    tm = build(torch).eval()
    em = build(ember).eval()
    em.load_state_dict({k: to_ember(v) for k, v in tm.state_dict().items()})
    tg = torch.fx.symbolic_trace(tm)
    eg = ember.fx.symbolic_trace(em)
    assert _signature(eg) == _signature(tg)
    assert [n.name for n in eg.graph.nodes] == [n.name for n in tg.graph.nodes]
    assert set(eg.state_dict()) == set(tg.state_dict())
    x = np.random.default_rng(0).standard_normal(shape).astype(np.float32)
    expected = tm(torch.from_numpy(x))
    assert_close(eg(ember.from_numpy(x)), expected)
    assert_close(em(ember.from_numpy(x)), expected)
    torch.testing.assert_close(tg(torch.from_numpy(x)), expected)


def test_control_flow_error_type_matches_torch():
    def f(x):
        if x.sum() > 0:
            return x
        return -x
    with pytest.raises(torch.fx.proxy.TraceError, match="control flow"):
        torch.fx.symbolic_trace(f)
    with pytest.raises(ember.fx.TraceError, match="control flow"):
        ember.fx.symbolic_trace(f)


def test_real_torchscript_archive_is_refused_by_ember_jit_load(tmp_path):
    path = str(tmp_path / "scripted.pt")
    torch.jit.save(torch.jit.script(torch.nn.Linear(2, 2)), path)
    with pytest.raises(RuntimeError, match="TorchScript archive.*not supported"):
        ember.jit.load(path)
