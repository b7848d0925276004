"""Layers against torch.nn with the same weights: outputs, input and parameter gradients,
parameter shapes, default initialisation bounds and repr."""
import math

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

torch = pytest.importorskip("torch", reason="differential tests need PyTorch as the reference")

import ember  # noqa: E402
import ember.nn as enn  # noqa: E402
from helpers import assert_close  # noqa: E402


def _same_weights(e, t):
    sd = {k: ember.tensor(v.detach().numpy().copy()) for k, v in t.state_dict().items()}
    e.load_state_dict(sd)


def _compare(e, t, *inputs, atol=1e-5):
    """Outputs and every gradient (inputs and parameters) of ``e`` and ``t`` agree."""
    _same_weights(e, t)
    ex = [ember.tensor(x, requires_grad=x.dtype.kind == "f") for x in inputs]
    tx = [torch.tensor(x, requires_grad=x.dtype.kind == "f") for x in inputs]
    eo, to = e(*ex), t(*tx)
    assert_close(eo, to, atol=atol)
    up = np.random.default_rng(9).standard_normal(tuple(to.shape)).astype(np.float32)
    eo.backward(ember.tensor(up))
    to.backward(torch.tensor(up))
    for a, b in zip(ex, tx):
        if b.requires_grad:
            assert_close(a.grad, b.grad, atol=atol)
    for (n, ep), (_, tp) in zip(e.named_parameters(), t.named_parameters()):
        if tp.grad is None:
            assert ep.grad is None or not ep.grad.numpy().any(), n
        else:
            assert_close(ep.grad, tp.grad, atol=atol)


@settings(max_examples=20, deadline=None)
@given(lead=st.lists(st.integers(1, 4), min_size=0, max_size=2), fin=st.integers(1, 8),
       fout=st.integers(1, 8), bias=st.booleans())
def test_linear_matches_torch(lead, fin, fout, bias):
    x = np.random.default_rng(0).standard_normal(lead + [fin]).astype(np.float32)
    _compare(enn.Linear(fin, fout, bias), torch.nn.Linear(fin, fout, bias), x)


def test_linear_shape_error_matches_torch():
    with pytest.raises(RuntimeError) as te:
        torch.nn.Linear(784, 10)(torch.zeros(64, 100))
    with pytest.raises(RuntimeError) as ee:
        enn.Linear(784, 10)(ember.zeros(64, 100))
    assert str(ee.value) == str(te.value)


def test_bilinear_matches_torch():
    rng = np.random.default_rng(1)
    _compare(enn.Bilinear(3, 4, 5), torch.nn.Bilinear(3, 4, 5),
             rng.standard_normal((6, 3)).astype(np.float32),
             rng.standard_normal((6, 4)).astype(np.float32))


def test_lazy_linear_infers_in_features():
    m = enn.LazyLinear(3)
    y = m(ember.ones(2, 7))
    assert type(m) is enn.Linear and m.weight.shape == (3, 7) and y.shape == (2, 3)


@pytest.mark.parametrize("make", [
    lambda nn: nn.ReLU(), lambda nn: nn.LeakyReLU(0.1), lambda nn: nn.PReLU(4),
    lambda nn: nn.PReLU(), lambda nn: nn.ELU(0.5), lambda nn: nn.CELU(2.0), lambda nn: nn.SELU(),
    lambda nn: nn.GELU(), lambda nn: nn.GELU("tanh"), lambda nn: nn.SiLU(), lambda nn: nn.Mish(),
    lambda nn: nn.Sigmoid(), lambda nn: nn.Tanh(), lambda nn: nn.Softmax(1),
    lambda nn: nn.Softmin(1), lambda nn: nn.LogSoftmax(-1), lambda nn: nn.Softplus(2, 5),
    lambda nn: nn.Softsign(), lambda nn: nn.Softshrink(0.3), lambda nn: nn.Hardshrink(0.3),
    lambda nn: nn.Tanhshrink(), lambda nn: nn.Hardtanh(-0.5, 0.5), lambda nn: nn.Hardsigmoid(),
    lambda nn: nn.Hardswish(), lambda nn: nn.ReLU6(), lambda nn: nn.Threshold(0.2, -1.0),
    lambda nn: nn.LogSigmoid(), lambda nn: nn.GLU(1), lambda nn: nn.Softmax2d(),
    lambda nn: nn.RReLU().eval(), lambda nn: nn.Flatten(), lambda nn: nn.Flatten(0, 1),
    lambda nn: nn.Unflatten(1, (2, 2)), lambda nn: nn.Identity(),
    lambda nn: nn.Dropout(0.3).eval(), lambda nn: nn.Dropout2d().eval(),
    lambda nn: nn.AlphaDropout(0.2).eval()])
def test_activation_and_shape_layers_match_torch(make):
    x = np.random.default_rng(3).uniform(-4, 4, (2, 4, 3, 2)).astype(np.float32)
    e, t = make(enn), make(torch.nn)
    assert repr(e) == repr(t)
    _compare(e, t, x)


def test_inplace_layers_repr_like_torch():
    for make in (lambda nn: nn.ReLU(True), lambda nn: nn.ELU(0.5, True),
                 lambda nn: nn.Hardtanh(-2, 2, True), lambda nn: nn.ReLU6(True),
                 lambda nn: nn.SELU(True), lambda nn: nn.Mish(True), lambda nn: nn.Hardswish(True),
                 lambda nn: nn.LeakyReLU(0.2, True), lambda nn: nn.Dropout(0.2, True),
                 lambda nn: nn.Threshold(0.1, 20), lambda nn: nn.Softmax()):
        assert repr(make(enn)) == repr(make(torch.nn))


def test_embedding_matches_torch():
    idx = np.array([[1, 0, 3], [3, 3, 2]], dtype=np.int64)
    _compare(enn.Embedding(5, 4, padding_idx=3), torch.nn.Embedding(5, 4, padding_idx=3), idx)
    _compare(enn.Embedding(5, 4, scale_grad_by_freq=True),
             torch.nn.Embedding(5, 4, scale_grad_by_freq=True), idx)


def test_embedding_repr_and_padding_row_like_torch():
    kw = dict(padding_idx=-1, max_norm=1.0, norm_type=1.0, scale_grad_by_freq=True, sparse=True)
    e, t = enn.Embedding(10, 3, **kw), torch.nn.Embedding(10, 3, **kw)
    assert repr(e) == repr(t)
    assert not e.weight.detach().numpy()[9].any()


def test_embedding_from_pretrained_freezes_like_torch():
    w = np.arange(6, dtype=np.float32).reshape(3, 2)
    e = enn.Embedding.from_pretrained(ember.tensor(w))
    t = torch.nn.Embedding.from_pretrained(torch.tensor(w))
    assert e.weight.requires_grad == t.weight.requires_grad is False
    assert enn.Embedding.from_pretrained(ember.tensor(w), freeze=False).weight.requires_grad
    assert_close(e(ember.tensor([2, 0])), t(torch.tensor([2, 0])))


def test_dropout_training_vs_eval_modes():
    d = enn.Dropout(0.5)
    x = ember.ones(1000)
    assert (d(x).numpy() == 0).any()
    d.eval()
    np.testing.assert_array_equal(d(x).numpy(), x.numpy())


@pytest.mark.parametrize("args", [(100, 30), (7, 3)])
def test_linear_default_init_matches_torch_distribution(args):
    bound = 1 / math.sqrt(args[0])
    m = enn.Linear(*args)
    for p in (m.weight, m.bias):
        a = p.detach().numpy()
        assert np.abs(a).max() <= bound
    w = enn.Linear(400, 300).weight.detach().numpy()
    t = torch.nn.Linear(400, 300).weight.detach().numpy()
    assert abs(w.std() - t.std()) < 0.02 * t.std() and abs(w.mean()) < 1e-3
    assert abs(np.abs(w).max() - np.abs(t).max()) < 1e-3


def test_bilinear_embedding_prelu_default_init_like_torch():
    e, t = enn.Bilinear(20, 5, 30), torch.nn.Bilinear(20, 5, 30)
    bound = 1 / math.sqrt(20)  # torch's bound for weight and bias alike
    for a, b in zip(e.parameters(), t.parameters()):
        assert float(a.detach().abs().max()) <= bound and float(b.detach().abs().max()) <= bound
    assert float(e.weight.detach().abs().max()) > 0.99 * bound
    emb = enn.Embedding(1000, 50).weight.detach().numpy()
    assert abs(emb.std() - 1) < 0.02 and abs(emb.mean()) < 0.02
    np.testing.assert_array_equal(enn.PReLU(4).weight.detach().numpy(), np.full(4, 0.25))


def test_parameter_shapes_and_names_match_torch():
    for make in (lambda nn: nn.Linear(3, 4), lambda nn: nn.Bilinear(2, 3, 4),
                 lambda nn: nn.Embedding(5, 2), lambda nn: nn.PReLU(3),
                 lambda nn: nn.Linear(3, 4, bias=False)):
        e, t = make(enn), make(torch.nn)
        assert [(n, tuple(p.shape)) for n, p in e.named_parameters()] == \
            [(n, tuple(p.shape)) for n, p in t.named_parameters()]


def test_sequential_container_operations_match_torch():
    def build(nn):
        s = nn.Sequential(nn.Linear(2, 3), nn.ReLU())
        s.append(nn.Linear(3, 1))
        s.insert(1, nn.Tanh())
        s.extend([nn.Sigmoid()])
        del s[0]
        s.pop(-1)
        return s
    e, t = build(enn), build(torch.nn)
    assert repr(e) == repr(t) and len(e) == len(t)
    assert repr(e[1:]) == repr(t[1:])
    assert [type(m).__name__ for m in e] == [type(m).__name__ for m in t]
