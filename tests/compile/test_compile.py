"""torch.compile: compiled and eager models agree in outputs and gradients over several
optimizer steps, in train and eval mode; guards, fallbacks and the namespace."""
import copy
import warnings

import numpy as np
import pytest

import ember
import ember.nn as nn
import ember.nn.functional as F
from hypothesis import given, settings, strategies as st


class MLP(nn.Module):
    def __init__(self):
        super().__init__()
        self.l1, self.l2, self.l3 = nn.Linear(4, 8), nn.Linear(8, 8), nn.Linear(8, 3)

    def forward(self, x):
        h = ember.tanh(self.l1(x))
        h = F.relu(self.l2(h)) + h * 0.5
        return ember.sigmoid(self.l3(h) - 1) / 2


class CNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 4, 3, padding=1)
        self.bn = nn.BatchNorm2d(4)
        self.drop = nn.Dropout(0.3)
        self.fc = nn.Linear(4 * 4 * 4, 3)

    def forward(self, x):
        h = F.max_pool2d(F.relu(self.bn(self.conv(x))), 2)
        return self.fc(self.drop(h.flatten(1)))


class LSTMNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.lstm = nn.LSTM(4, 6, batch_first=True)
        self.fc = nn.Linear(6, 3)

    def forward(self, x):
        out, _ = self.lstm(x)
        return self.fc(out[:, -1])


class Encoder(nn.Module):
    def __init__(self):
        super().__init__()
        self.layer = nn.TransformerEncoderLayer(8, 2, dim_feedforward=16, dropout=0.1,
                                                batch_first=True)
        self.fc = nn.Linear(8, 3)

    def forward(self, x):
        return self.fc(self.layer(x).mean(dim=1))


class ResBlock(nn.Module):
    def __init__(self):
        super().__init__()
        self.c1 = nn.Conv2d(2, 2, 3, padding=1, bias=False)
        self.b1 = nn.BatchNorm2d(2)
        self.c2 = nn.Conv2d(2, 2, 3, padding=1, bias=False)
        self.b2 = nn.BatchNorm2d(2)
        self.fc = nn.Linear(2, 3)

    def forward(self, x):
        h = F.relu(self.b1(self.c1(x)))
        h = F.relu(self.b2(self.c2(h)) + x)
        return self.fc(F.adaptive_avg_pool2d(h, 1).flatten(1))


CASES = [(MLP, (6, 4)), (CNN, (4, 1, 8, 8)), (LSTMNet, (3, 5, 4)), (Encoder, (2, 5, 8)),
         (ResBlock, (3, 2, 6, 6))]


@pytest.mark.parametrize("train", [True, False])
@pytest.mark.parametrize("build,shape", CASES, ids=[c[0].__name__ for c in CASES])
def test_compiled_matches_eager_over_steps(build, shape, train):
    ember.manual_seed(0)
    eager = build()
    twin = copy.deepcopy(eager)
    compiled = ember.compile(twin)
    eager.train(train)
    compiled.train(train)
    opt_e = ember.optim.SGD(eager.parameters(), lr=0.1)
    opt_c = ember.optim.SGD(twin.parameters(), lr=0.1)
    rng = np.random.default_rng(1)
    for step in range(3):
        x = ember.tensor(rng.standard_normal(shape).astype(np.float32))
        y = ember.tensor(rng.integers(0, 3, shape[0]))
        ember.manual_seed(step)
        out_e = eager(x)
        ember.manual_seed(step)
        out_c = compiled(x)
        np.testing.assert_allclose(out_c.detach().numpy(), out_e.detach().numpy(),
                                   rtol=1e-5, atol=1e-6)
        for opt, out in ((opt_e, out_e), (opt_c, out_c)):
            opt.zero_grad()
            F.cross_entropy(out, y).backward()
            opt.step()
        for (name, pe), pc in zip(eager.named_parameters(), twin.parameters()):
            np.testing.assert_allclose(pc.detach().numpy(), pe.detach().numpy(), rtol=1e-5, atol=1e-6,
                                       err_msg=name)
    for be, bc in zip(eager.buffers(), twin.buffers()):
        np.testing.assert_allclose(bc.numpy(), be.numpy(), rtol=1e-5, atol=1e-6)


def test_backward_is_one_node_with_generated_code():
    m = MLP()
    cm = ember.compile(m)
    x = ember.randn(5, 4)
    cm(x)
    out = cm(x)
    assert type(out.grad_fn).__name__ == "CompiledFunctionBackward"
    program = next(iter(cm._compiled.cache.values()))
    assert program.backward is not None and "def backward" in program.source


def test_compiled_function_gradients():
    f = ember.compile(lambda a, b: (a * b + a).sum())
    a = ember.randn(7, requires_grad=True)
    b = ember.randn(7, requires_grad=True)
    for _ in range(2):
        a.grad = b.grad = None
        f(a, b).backward()
        np.testing.assert_allclose(a.grad.numpy(), (b + 1).detach().numpy(), rtol=1e-6)
        np.testing.assert_allclose(b.grad.numpy(), a.detach().numpy(), rtol=1e-6)


def test_guard_failure_recompiles_and_cache_is_bounded():
    f = ember.compile(lambda x: (x * 2).sum())
    for n in range(1, 4):
        assert f(ember.ones(n)).item() == 2 * n
    assert len(f._compiled.cache) == 3
    f(ember.ones(3, requires_grad=True))
    assert len(f._compiled.cache) == 4
    ember._dynamo.reset()
    assert len(f._compiled.cache) == 0
    limit = ember._dynamo.config.cache_size_limit
    with pytest.warns(UserWarning, match="cache_size_limit"):
        for n in range(1, limit + 3):
            assert f(ember.ones(n)).item() == 2 * n


def test_data_dependent_control_flow_falls_back_with_one_warning():
    def f(x):
        if x.sum() > 0:
            return x * 2
        return x - 1
    cf = ember.compile(f)
    with pytest.warns(UserWarning, match="eagerly") as record:
        assert cf(ember.ones(3)).tolist() == [2, 2, 2]
        assert cf(-ember.ones(3)).tolist() == [-2, -2, -2]
    assert len(record) == 1
    with pytest.raises(ember._dynamo.exc.Unsupported, match="control flow"):
        ember.compile(f, fullgraph=True)(ember.ones(3))


def test_train_eval_switch_is_guarded():
    m = nn.Sequential(nn.Linear(3, 3), nn.Dropout(0.5))
    cm = ember.compile(m)
    x = ember.ones(4, 3)
    cm.eval()
    assert ember.equal(cm(x), m[0](x))
    cm.train()
    ember.manual_seed(0)
    out = cm(x)
    assert (out == 0).any()


def test_namespace_and_arguments():
    assert not ember.compiler.is_compiling()
    seen = []

    def f(x):
        seen.append(ember.compiler.is_compiling())
        return x + 1
    ember.compile(f, fullgraph=False, dynamic=None, backend="inductor", mode="max-autotune")(
        ember.ones(2))
    assert seen == [True]  # the captured program does not run the Python body again
    assert ember.compile(f, disable=True) is f
    deco = ember.compile(mode="reduce-overhead")(f)
    assert deco(ember.ones(2)).tolist() == [2, 2]
    with pytest.raises(RuntimeError, match="Unrecognized mode"):
        ember.compile(f, mode="fast")
    g = ember.compiler.disable(lambda x: x)
    assert g(3) == 3
    assert isinstance(ember.compile(nn.Linear(2, 2)), ember._dynamo.OptimizedModule)


def test_compiled_module_state_dict_keys():
    m = MLP()
    cm = ember.compile(m)
    assert set(cm.state_dict()) == {"_orig_mod." + k for k in m.state_dict()}


_UNARY = [lambda t: ember.tanh(t), lambda t: ember.sigmoid(t), lambda t: ember.relu(t),
          lambda t: t * 1.5, lambda t: -t,
          lambda t: t / 3, lambda t: t.sum(dim=1, keepdim=True) + t, lambda t: t - t.mean()]


@settings(max_examples=15, deadline=None)
@given(st.lists(st.integers(0, len(_UNARY) - 1), min_size=1, max_size=6),
       st.integers(1, 4), st.integers(1, 4))
def test_random_op_chains(chain, n, m):
    def f(a, b):
        h = a
        for k in chain:
            h = _UNARY[k](h) * b + h
        return h.mean()
    rng = np.random.default_rng(len(chain))
    a = rng.standard_normal((n, m)).astype(np.float32)
    b = rng.standard_normal((1, m)).astype(np.float32)
    cf = ember.compile(f)
    results = []
    for fn in (f, cf, cf):
        ta, tb = ember.tensor(a, requires_grad=True), ember.tensor(b, requires_grad=True)
        out = fn(ta, tb)
        out.backward()
        results.append((out.item(), ta.grad.numpy(), tb.grad.numpy()))
    for r in results[1:]:
        np.testing.assert_allclose(r[0], results[0][0], rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(r[1], results[0][1], rtol=1e-4, atol=1e-5)
        np.testing.assert_allclose(r[2], results[0][2], rtol=1e-4, atol=1e-5)
    warnings.resetwarnings()


def test_double_backward_through_generated_program_raises():
    f = ember.compile(lambda a: (a * a).sum())
    a = ember.randn(3, requires_grad=True)
    f(a)
    out = f(a)
    with pytest.raises(NotImplementedError, match="create_graph"):
        ember.autograd.grad(out, a, create_graph=True)


def test_module_with_hooks_runs_eagerly():
    m = nn.Linear(2, 2)
    calls = []
    m.register_forward_hook(lambda mod, inp, out: calls.append(1))
    cm = ember.compile(m)
    with pytest.warns(UserWarning, match="hooks"):
        cm(ember.ones(1, 2))
    cm(ember.ones(1, 2))
    assert calls == [1, 1]


def test_shape_arithmetic_is_folded_into_the_generated_program():
    class Flat(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = nn.Linear(12, 3)

        def forward(self, x):
            return self.fc(x.view(x.size(0), -1) * (1.0 / x.shape[1])).sum()
    m = Flat()
    cm = ember.compile(m)
    x = ember.randn(2, 3, 4)
    cm(x)
    out = cm(x)
    assert type(out.grad_fn).__name__ == "CompiledFunctionBackward"
    out.backward()
    got = m.fc.weight.grad.clone()
    m.zero_grad()
    m(x).backward()
    np.testing.assert_allclose(got.numpy(), m.fc.weight.grad.numpy(), rtol=1e-6)
    # a new batch size is a new guard key: the folded shapes are captured again
    assert cm(ember.randn(5, 3, 4)).shape == ()
    assert len(cm._compiled.cache) == 2


@pytest.mark.parametrize("build", [MLP, CNN], ids=["generated", "replayed"])
def test_function_closing_over_a_model_gets_parameter_gradients(build):
    ember.manual_seed(0)
    model = build().eval()
    x = ember.randn(3, 4) if build is MLP else ember.randn(3, 1, 8, 8)
    step = ember.compile(lambda inp: model(inp).sum())
    for _ in range(2):
        model.zero_grad()
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # captured, not run eagerly after a warning
            step(x).backward()
    got = [p.grad.clone() for p in model.parameters()]
    model.zero_grad()
    model(x).sum().backward()
    for g, p in zip(got, model.parameters()):
        np.testing.assert_allclose(g.numpy(), p.grad.numpy(), rtol=1e-5, atol=1e-6)


def test_arguments_left_at_their_defaults_are_constants():
    class Optional(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = nn.Linear(4, 4)

        def forward(self, x, bias=None):
            h = self.fc(x)
            if bias is not None:
                h = h + bias
            return h.sum()
    m = Optional()
    cm = ember.compile(m)
    x = ember.randn(2, 4)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # captured whole: no fallback warning
        cm(x)
        assert ember.allclose(cm(x), m(x))
    assert next(iter(cm._compiled.cache.values())).backward is not None
