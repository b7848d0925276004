"""Pooling layers and functions against PyTorch."""
import numpy as np
import pytest

torch = pytest.importorskip("torch", reason="differential tests need PyTorch as the reference")
import torch.nn.functional as TF  # noqa: E402
from hypothesis import given, settings, strategies as st  # noqa: E402

import ember  # noqa: E402
import ember.nn as nn  # noqa: E402
import ember.nn.functional as F  # noqa: E402
from helpers import check_error, check_op, gradcheck_op  # noqa: E402

rng = np.random.default_rng(0)


def randn(*shape):
    return rng.standard_normal(shape).astype(np.float32)


@settings(max_examples=25, deadline=None)
@given(n=st.sampled_from([1, 2, 3]), k=st.integers(1, 3), stride=st.integers(1, 3),
       pad=st.integers(0, 1), dilation=st.integers(1, 2), ceil=st.booleans())
def test_max_pool_matches_torch(n, k, stride, pad, dilation, ceil):
    pad = min(pad, (dilation * (k - 1) + 1) // 2)
    ef = {1: F.max_pool1d, 2: F.max_pool2d, 3: F.max_pool3d}[n]
    tf = {1: TF.max_pool1d, 2: TF.max_pool2d, 3: TF.max_pool3d}[n]
    x = randn(2, 3, *([6] * n))
    check_op(lambda x: ef(x, k, stride, pad, dilation, ceil, True),
             lambda x: tf(x, k, stride, pad, dilation, ceil, True), x)


@settings(max_examples=25, deadline=None)
@given(n=st.sampled_from([1, 2, 3]), k=st.integers(1, 3), stride=st.integers(1, 3),
       pad=st.integers(0, 1), ceil=st.booleans(), include=st.booleans())
def test_avg_pool_matches_torch(n, k, stride, pad, ceil, include):
    pad = min(pad, k // 2)
    ef = {1: F.avg_pool1d, 2: F.avg_pool2d, 3: F.avg_pool3d}[n]
    tf = {1: TF.avg_pool1d, 2: TF.avg_pool2d, 3: TF.avg_pool3d}[n]
    check_op(lambda x: ef(x, k, stride, pad, ceil, include),
             lambda x: tf(x, k, stride, pad, ceil, include), randn(2, 3, *([7] * n)))


def test_avg_pool_divisor_override():
    check_op(lambda x: F.avg_pool2d(x, 3, 2, 1, divisor_override=4),
             lambda x: TF.avg_pool2d(x, 3, 2, 1, divisor_override=4), randn(2, 3, 7, 6))


def test_max_pool_nan_propagates():
    x = np.ones((1, 1, 4, 4), np.float32)
    x[0, 0, 1, 1] = np.nan
    check_op(lambda x: F.max_pool2d(x, 2, return_indices=True),
             lambda x: TF.max_pool2d(x, 2, return_indices=True), x, grad=False)


def test_max_pool_ties_pick_first_like_torch():
    check_op(lambda x: F.max_pool2d(x, 2, 1, return_indices=True),
             lambda x: TF.max_pool2d(x, 2, 1, return_indices=True),
             np.zeros((1, 2, 4, 5), np.float32))


def test_max_pool_no_grad_matches_torch():
    # without a graph the positions of the maxima are never worked out
    x = randn(2, 3, 8, 6)
    with ember.no_grad():
        out = F.max_pool2d(ember.tensor(x, requires_grad=True), 2)
    assert out.grad_fn is None
    np.testing.assert_array_equal(out.numpy(), TF.max_pool2d(torch.tensor(x), 2).numpy())


def test_max_pool_indices_under_no_grad():
    x = randn(2, 3, 7, 6)
    with ember.no_grad():
        _, idx = F.max_pool2d(ember.tensor(x), 3, 2, 1, return_indices=True)
    _, t_idx = TF.max_pool2d(torch.tensor(x), 3, 2, 1, return_indices=True)
    np.testing.assert_array_equal(idx.numpy(), t_idx.numpy())


def test_max_pool_infinite_grad_reaches_only_the_maximum():
    x = randn(1, 2, 4, 4)
    g = np.full((1, 2, 2, 2), np.inf, np.float32)
    ex, tx = ember.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    F.max_pool2d(ex, 2).backward(ember.tensor(g))
    TF.max_pool2d(tx, 2).backward(torch.tensor(g))
    np.testing.assert_array_equal(ex.grad.numpy(), tx.grad.numpy())


def test_max_pool_unbatched():
    check_op(lambda x: F.max_pool2d(x, 2), lambda x: TF.max_pool2d(x, 2), randn(3, 6, 6))


@pytest.mark.parametrize("n,out", [(1, 3), (2, (3, 5)), (2, (None, 2)), (3, 2), (2, 1)])
def test_adaptive_avg_pool(n, out):
    ef = {1: F.adaptive_avg_pool1d, 2: F.adaptive_avg_pool2d, 3: F.adaptive_avg_pool3d}[n]
    tf = {1: TF.adaptive_avg_pool1d, 2: TF.adaptive_avg_pool2d, 3: TF.adaptive_avg_pool3d}[n]
    check_op(lambda x: ef(x, out), lambda x: tf(x, out), randn(2, 3, *([7] * n)))


@pytest.mark.parametrize("n,out", [(1, 3), (2, (3, 5)), (3, 2), (2, 7)])
def test_adaptive_max_pool(n, out):
    ef = {1: F.adaptive_max_pool1d, 2: F.adaptive_max_pool2d, 3: F.adaptive_max_pool3d}[n]
    tf = {1: TF.adaptive_max_pool1d, 2: TF.adaptive_max_pool2d, 3: TF.adaptive_max_pool3d}[n]
    check_op(lambda x: ef(x, out, True), lambda x: tf(x, out, True), randn(2, 3, *([7] * n)))


def test_lp_pool2d():
    check_op(lambda x: F.lp_pool2d(x, 3, 2), lambda x: TF.lp_pool2d(x, 3, 2),
             np.abs(randn(2, 3, 6, 6)) + 0.1, atol=1e-4)


def test_max_unpool2d_inverts_max_pool():
    x, idx = TF.max_pool2d(torch.randn(2, 3, 8, 8), 2, return_indices=True)
    check_op(lambda x, i: F.max_unpool2d(x, i, 2), lambda x, i: TF.max_unpool2d(x, i, 2),
             x.numpy(), idx.numpy())


@pytest.mark.parametrize("fn", [
    lambda x: F.max_pool2d(x, 2, 1),
    lambda x: F.max_pool2d(x, 2, ceil_mode=True),
    lambda x: F.max_pool2d(x, 3, 2, 1),
    lambda x: F.avg_pool2d(x, 3, 2, 1, count_include_pad=False),
    lambda x: F.adaptive_max_pool2d(x, (2, 3)),
    lambda x: F.adaptive_avg_pool2d(x, (2, 3)),
])
def test_pool_gradients_second_order(fn):
    # distinct values, so max pooling's choice is stable under finite differences
    x = np.random.default_rng(3).permutation(40).reshape(1, 2, 5, 4) / 7.0
    gradcheck_op(fn, x)


def test_max_pool_output_too_small_error():
    check_error(lambda x: F.max_pool2d(x, 5), lambda x: TF.max_pool2d(x, 5), randn(1, 1, 3, 3))


def test_max_pool_pad_too_large_error():
    check_error(lambda x: F.max_pool2d(x, 2, padding=2),
                lambda x: TF.max_pool2d(x, 2, padding=2), randn(1, 1, 3, 3))


def test_max_pool_wrong_dims_error():
    check_error(lambda x: F.max_pool2d(x, 2), lambda x: TF.max_pool2d(x, 2), randn(3, 3))


def test_adaptive_pool_wrong_dims_error():
    check_error(lambda x: F.adaptive_avg_pool2d(x, 3), lambda x: TF.adaptive_avg_pool2d(x, 3),
                randn(2, 4))


@pytest.mark.parametrize("name,args", [
    ("MaxPool2d", (2,)), ("MaxPool1d", (3, 2, 1)), ("AvgPool2d", (2,)), ("AvgPool1d", (3,)),
    ("AdaptiveAvgPool2d", ((3, None),)), ("AdaptiveMaxPool1d", (3,)), ("LPPool2d", (2, 3)),
    ("MaxUnpool2d", (2,)), ("AvgPool3d", (2,)), ("MaxPool3d", (2,))])
def test_pool_module_repr(name, args):
    assert repr(getattr(nn, name)(*args)) == repr(getattr(torch.nn, name)(*args))


def test_max_pool_module_return_indices():
    em, tm = nn.MaxPool2d(3, 2, 1, return_indices=True, ceil_mode=True), \
        torch.nn.MaxPool2d(3, 2, 1, return_indices=True, ceil_mode=True)
    check_op(lambda x: em(x), lambda x: tm(x), randn(2, 3, 8, 7))


def test_max_pool_grad_fn_name():
    x = ember.randn(1, 2, 4, 4, requires_grad=True)
    assert type(F.max_pool2d(x, 2).grad_fn).__name__ == "MaxPool2DWithIndicesBackward0"
