"""nn.functional activations, softmax family, linear maps and distances against torch,
plus float64 finite-difference checks of the fused primitives."""
import warnings

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

torch = pytest.importorskip("torch", reason="differential tests need PyTorch as the reference")

import ember  # noqa: E402
import ember.nn.functional as EF  # noqa: E402
import torch.nn.functional as TF  # noqa: E402
from helpers import assert_close, check_error, check_op, gradcheck_op  # noqa: E402

# name -> (args after input, kwargs); the same call on both sides
ACTIVATIONS = {
    "relu": ((), {}), "relu6": ((), {}), "elu": ((0.7,), {}), "selu": ((), {}),
    "celu": ((1.3,), {}), "leaky_relu": ((0.2,), {}), "gelu": ((), {}),
    "silu": ((), {}), "mish": ((), {}), "sigmoid": ((), {}), "tanh": ((), {}),
    "softplus": ((2.0, 3.0), {}), "softsign": ((), {}), "softshrink": ((0.4,), {}),
    "hardshrink": ((0.4,), {}), "tanhshrink": ((), {}), "hardtanh": ((-0.5, 0.8), {}),
    "hardsigmoid": ((), {}), "hardswish": ((), {}), "threshold": ((0.1, -2.0), {}),
    "logsigmoid": ((), {}),
}


def _values(shape, seed=0, scale=3.0):
    # keep away from the kinks (|x| near 0, 3, thresholds) where derivatives jump
    x = np.random.default_rng(seed).uniform(-scale, scale, shape)
    x[np.abs(np.abs(x) - np.round(np.abs(x) * 10) / 10) < 0.02] += 0.05
    return x.astype(np.float32)


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
@settings(max_examples=15, deadline=None)
@given(shape=st.lists(st.integers(1, 5), min_size=0, max_size=3), seed=st.integers(0, 99))
def test_activation_matches_torch(name, shape, seed):
    args, kwargs = ACTIVATIONS[name]
    check_op(lambda x: getattr(EF, name)(x, *args, **kwargs),
             lambda x: getattr(TF, name)(x, *args, **kwargs), _values(shape, seed))


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_activation_finite_differences(name):
    args, kwargs = ACTIVATIONS[name]
    gradcheck_op(lambda x: getattr(EF, name)(x, *args, **kwargs), _values((3, 4), 1))


def test_gelu_tanh_matches_torch_and_finite_differences():
    x = _values((4, 5))
    check_op(lambda t: EF.gelu(t, approximate="tanh"),
             lambda t: TF.gelu(t, approximate="tanh"), x)
    gradcheck_op(lambda t: EF.gelu(t, approximate="tanh"), x)


@pytest.mark.parametrize("name", ["relu", "elu", "leaky_relu", "hardtanh", "silu", "selu"])
def test_inplace_activation_matches_torch(name):
    x = _values((3, 4))

    def run(F, lib):
        a = lib.tensor(x, requires_grad=True)
        b = a * 1.0
        out = getattr(F, name)(b, inplace=True)
        assert out is b
        out.sum().backward()
        return b, a.grad
    (eb, eg), (tb, tg) = run(EF, ember), run(TF, torch)
    assert_close(eb, tb)
    assert_close(eg, tg)


def test_prelu_matches_torch_per_channel():
    x = _values((2, 3, 4))
    w = np.array([0.1, -0.3, 0.5], dtype=np.float32)
    check_op(EF.prelu, TF.prelu, x, w)
    gradcheck_op(EF.prelu, x, w)


def test_prelu_channel_mismatch_error_matches_torch():
    check_error(EF.prelu, TF.prelu, _values((2, 3)), np.ones(2, np.float32))


def test_glu_matches_torch():
    check_op(lambda x: EF.glu(x, 1), lambda x: TF.glu(x, 1), _values((2, 4, 3)))


def test_glu_odd_dimension_error_matches_torch():
    check_error(EF.glu, TF.glu, _values((2, 3)))


@pytest.mark.parametrize("fn", ["softmax", "log_softmax", "softmin"])
@settings(max_examples=20, deadline=None)
@given(shape=st.lists(st.integers(1, 5), min_size=1, max_size=4), data=st.data())
def test_softmax_family_matches_torch(fn, shape, data):
    dim = data.draw(st.integers(-len(shape), len(shape) - 1))
    x = _values(shape, data.draw(st.integers(0, 99)), 5.0)
    check_op(lambda t: getattr(EF, fn)(t, dim), lambda t: getattr(TF, fn)(t, dim), x)


@pytest.mark.parametrize("fn", ["softmax", "log_softmax"])
def test_softmax_family_finite_differences(fn):
    gradcheck_op(lambda t: getattr(EF, fn)(t, 1), _values((3, 4, 2)))


def test_log_softmax_is_stable_for_huge_logits():
    x = np.array([[1e4, 0.0, -1e4], [5e3, 5e3, 0.0]], dtype=np.float32)
    check_op(lambda t: EF.log_softmax(t, 1), lambda t: TF.log_softmax(t, 1), x)
    check_op(lambda t: EF.softmax(t, 1), lambda t: TF.softmax(t, 1), x)


def test_softmax_dtype_argument_matches_torch():
    x = _values((2, 3))
    check_op(lambda t: EF.softmax(t, 1, dtype=ember.float64),
             lambda t: TF.softmax(t, 1, dtype=torch.float64), x)


def test_softmax_implicit_dim_warns_and_picks_torchs_dim():
    x = _values((2, 3, 4))
    with pytest.warns(UserWarning, match="Implicit dimension choice for softmax"):
        e = EF.softmax(ember.tensor(x))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t = TF.softmax(torch.tensor(x))
    assert_close(e, t)


@settings(max_examples=20, deadline=None)
@given(lead=st.lists(st.integers(1, 4), min_size=0, max_size=2), fin=st.integers(1, 6),
       fout=st.integers(1, 6), bias=st.booleans())
def test_linear_matches_torch(lead, fin, fout, bias):
    rng = np.random.default_rng(0)
    x = rng.standard_normal(lead + [fin]).astype(np.float32)
    w = rng.standard_normal((fout, fin)).astype(np.float32)
    b = rng.standard_normal(fout).astype(np.float32)
    if bias:
        check_op(EF.linear, TF.linear, x, w, b)
    else:
        check_op(EF.linear, TF.linear, x, w)


def test_linear_finite_differences():
    rng = np.random.default_rng(1)
    gradcheck_op(EF.linear, rng.standard_normal((2, 3, 4)), rng.standard_normal((5, 4)),
                 rng.standard_normal(5))


def test_linear_shape_error_matches_torch():
    check_error(EF.linear, TF.linear, np.zeros((64, 100), np.float32),
                np.zeros((10, 784), np.float32))


def test_linear_dtype_error_matches_torch():
    check_error(EF.linear, TF.linear, np.zeros((3, 4)), np.zeros((2, 4), np.float32))


def test_bilinear_matches_torch_and_finite_differences():
    rng = np.random.default_rng(2)
    args = (rng.standard_normal((4, 3)), rng.standard_normal((4, 2)),
            rng.standard_normal((5, 3, 2)), rng.standard_normal(5))
    check_op(EF.bilinear, TF.bilinear, *(a.astype(np.float32) for a in args))
    gradcheck_op(EF.bilinear, *args)


def test_bilinear_size_error_matches_torch():
    check_error(EF.bilinear, TF.bilinear, np.zeros((2, 3), np.float32),
                np.zeros((2, 4), np.float32), np.zeros((5, 2, 4), np.float32))


def test_one_hot_matches_torch():
    idx = np.array([[0, 3], [2, 1]], dtype=np.int64)
    check_op(EF.one_hot, TF.one_hot, idx)
    check_op(lambda t: EF.one_hot(t, 6), lambda t: TF.one_hot(t, 6), idx)


@pytest.mark.parametrize("idx", [np.array([1, -1]), np.array([1, 5]), np.array([1, 2], np.int32)])
def test_one_hot_errors_match_torch(idx):
    check_error(lambda t: EF.one_hot(t, 3), lambda t: TF.one_hot(t, 3), idx)


def test_embedding_matches_torch_with_padding_and_repeats():
    idx = np.array([[0, 2, 2], [4, 0, 1]], dtype=np.int64)
    w = _values((5, 3))
    check_op(lambda i, w: EF.embedding(i, w, padding_idx=2),
             lambda i, w: TF.embedding(i, w, padding_idx=2), idx, w)
    check_op(lambda i, w: EF.embedding(i, w, scale_grad_by_freq=True),
             lambda i, w: TF.embedding(i, w, scale_grad_by_freq=True), idx, w)


def test_embedding_finite_differences():
    idx = np.array([[0, 2, 2], [4, 0, 1]], dtype=np.int64)
    # (padding_idx and scale_grad_by_freq deliberately alter the true derivative; they are
    # checked against torch above)
    gradcheck_op(lambda w: EF.embedding(ember.tensor(idx), w), _values((5, 3)))


def test_embedding_max_norm_renormalises_like_torch():
    idx = np.array([0, 2, 2], dtype=np.int64)
    w = _values((4, 3)) * 5

    def run(F, lib):
        weight = lib.tensor(w)
        out = F.embedding(lib.tensor(idx), weight, max_norm=1.0)
        return out, weight
    for e, t in zip(run(EF, ember), run(TF, torch)):
        assert_close(e, t)


def test_embedding_index_errors_match_torch():
    w = np.zeros((3, 2), np.float32)
    check_error(EF.embedding, TF.embedding, np.array([3]), w)
    check_error(EF.embedding, TF.embedding, np.array([1.0], np.float32), w)


def test_dropout_eval_is_identity_and_p_checked():
    x = ember.ones(3)
    assert EF.dropout(x, 0.5, training=False) is x
    check_error(lambda t: EF.dropout(t, 1.5), lambda t: TF.dropout(t, 1.5), np.ones(3))


def test_dropout_keeps_scaled_values_and_masks_gradient():
    x = ember.ones(2000, requires_grad=True)
    y = EF.dropout(x, 0.25)
    kept = y.detach().numpy()
    assert np.all((kept == 0) | np.isclose(kept, 1 / 0.75))
    assert 0.2 < float((y.detach() == 0).float().mean()) < 0.3
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), y.detach().numpy())


def test_dropout2d_zeroes_whole_channels():
    y = EF.dropout2d(ember.ones(8, 16, 3, 3), 0.5).numpy()
    per_channel = y.reshape(8, 16, 9)
    assert np.all((per_channel == 0).all(-1) | (per_channel == 2).all(-1))


def test_alpha_dropout_keeps_mean_and_variance():
    x = ember.randn(200000)
    y = EF.alpha_dropout(x, 0.2, training=True).numpy()
    assert abs(y.mean()) < 0.02 and abs(y.std() - 1) < 0.02


def test_normalize_cosine_pairwise_match_torch():
    a, b = _values((4, 5), 1), _values((4, 5), 2)
    check_op(lambda t: EF.normalize(t, dim=1), lambda t: TF.normalize(t, dim=1), a)
    check_op(lambda t: EF.normalize(t, p=1, dim=0), lambda t: TF.normalize(t, p=1, dim=0), a)
    check_op(EF.cosine_similarity, TF.cosine_similarity, a, b)
    check_op(EF.pairwise_distance, TF.pairwise_distance, a, b)
    check_op(lambda x, y: EF.pairwise_distance(x, y, p=1, keepdim=True),
             lambda x, y: TF.pairwise_distance(x, y, p=1, keepdim=True), a, b)
