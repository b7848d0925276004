"""Normalisation layers and functions against PyTorch."""
import numpy as np
import pytest

torch = pytest.importorskip("torch", reason="differential tests need PyTorch as the reference")
import torch.nn.functional as TF  # noqa: E402

import ember  # noqa: E402
import ember.nn as nn  # noqa: E402
import ember.nn.functional as F  # noqa: E402
from helpers import assert_close, check_error, check_op, gradcheck_op, to_ember  # noqa: E402

rng = np.random.default_rng(0)


def randn(*shape):
    return rng.standard_normal(shape).astype(np.float32)


def _pair(name, *args, **kwargs):
    em, tm = getattr(nn, name)(*args, **kwargs), getattr(torch.nn, name)(*args, **kwargs)
    with torch.no_grad():
        for p in tm.parameters():
            p.uniform_(0.5, 1.5)
    em.load_state_dict({k: to_ember(v) for k, v in tm.state_dict().items()})
    return em, tm


def _assert_buffers(em, tm):
    for (k, a), (k2, b) in zip(em.state_dict().items(), tm.state_dict().items()):
        assert k == k2
        assert_close(a, b, atol=1e-6)


@pytest.mark.parametrize("name,shape", [("BatchNorm1d", (4, 3)), ("BatchNorm1d", (4, 3, 5)),
                                        ("BatchNorm2d", (4, 3, 5, 2)),
                                        ("BatchNorm3d", (2, 3, 2, 3, 2))])
def test_batch_norm_training_updates_running_stats(name, shape):
    em, tm = _pair(name, 3)
    x = randn(*shape) * 2 + 1
    for _ in range(2):
        check_op(lambda x: em(x), lambda x: tm(x), x)
    _assert_buffers(em, tm)


def test_batch_norm_eval_uses_running_stats():
    em, tm = _pair("BatchNorm2d", 3)
    x = randn(4, 3, 2, 2)
    em(to_ember(x)), tm(torch.from_numpy(x))
    em.eval(), tm.eval()
    check_op(lambda x: em(x), lambda x: tm(x), x)


def test_batch_norm_momentum_none_is_cumulative_average():
    em, tm = _pair("BatchNorm1d", 3, momentum=None)
    for _ in range(3):
        x = randn(5, 3) * 3
        em(to_ember(x)), tm(torch.from_numpy(x))
    _assert_buffers(em, tm)


@pytest.mark.parametrize("kwargs", [{"affine": False}, {"track_running_stats": False}])
def test_batch_norm_options(kwargs):
    em, tm = _pair("BatchNorm1d", 3, **kwargs)
    check_op(lambda x: em(x), lambda x: tm(x), randn(6, 3))
    em.eval(), tm.eval()
    check_op(lambda x: em(x), lambda x: tm(x), randn(6, 3))


def test_batch_norm_state_dict_keys_and_dtypes():
    em, tm = nn.BatchNorm2d(4), torch.nn.BatchNorm2d(4)
    for (k, a), (k2, b) in zip(em.state_dict().items(), tm.state_dict().items()):
        assert k == k2
        assert_close(a, b)
    assert repr(em) == repr(tm)


def test_batch_norm_single_value_per_channel_error():
    em, tm = nn.BatchNorm1d(3), torch.nn.BatchNorm1d(3)
    check_error(lambda x: em(x), lambda x: tm(x), randn(1, 3))


def test_batch_norm_wrong_dims_error():
    em, tm = nn.BatchNorm2d(3), torch.nn.BatchNorm2d(3)
    check_error(lambda x: em(x), lambda x: tm(x), randn(2, 3))


def test_functional_batch_norm_running_size_error():
    rm, rv = np.zeros(3, np.float32), np.ones(3, np.float32)
    check_error(lambda x, m, v: F.batch_norm(x, m, v, training=True),
                lambda x, m, v: TF.batch_norm(x, m, v, training=True), randn(2, 4), rm, rv)


@pytest.mark.parametrize("name,shape,kwargs", [
    ("InstanceNorm1d", (2, 3, 5), {}), ("InstanceNorm2d", (2, 3, 4, 5), {"affine": True}),
    ("InstanceNorm2d", (3, 4, 5), {"track_running_stats": True}),
    ("InstanceNorm3d", (2, 3, 2, 3, 2), {"affine": True, "track_running_stats": True})])
def test_instance_norm(name, shape, kwargs):
    em, tm = _pair(name, 3, **kwargs)
    check_op(lambda x: em(x), lambda x: tm(x), randn(*shape))
    _assert_buffers(em, tm)
    em.eval(), tm.eval()
    check_op(lambda x: em(x), lambda x: tm(x), randn(*shape))


@pytest.mark.parametrize("kwargs", [{}, {"bias": False}, {"elementwise_affine": False}])
def test_layer_norm(kwargs):
    em, tm = _pair("LayerNorm", (4, 5), **kwargs)
    assert repr(em) == repr(tm)
    check_op(lambda x: em(x), lambda x: tm(x), randn(3, 2, 4, 5))


def test_layer_norm_shape_error():
    check_error(lambda x: F.layer_norm(x, (3,)), lambda x: TF.layer_norm(x, (3,)), randn(2, 4))


@pytest.mark.parametrize("groups,shape", [(2, (3, 4, 5)), (1, (2, 4)), (4, (2, 4, 3, 2))])
def test_group_norm(groups, shape):
    em, tm = _pair("GroupNorm", groups, 4)
    check_op(lambda x: em(x), lambda x: tm(x), randn(*shape))


def test_group_norm_divisibility_error():
    check_error(lambda x: F.group_norm(x, 3), lambda x: TF.group_norm(x, 3), randn(2, 4))


@pytest.mark.parametrize("kwargs", [{}, {"eps": 1e-3}, {"elementwise_affine": False}])
def test_rms_norm(kwargs):
    em, tm = _pair("RMSNorm", 5, **kwargs)
    assert repr(em) == repr(tm)
    check_op(lambda x: em(x), lambda x: tm(x), randn(3, 4, 5))


@pytest.mark.parametrize("size,shape", [(3, (2, 6, 4, 5)), (4, (2, 6, 4)), (2, (1, 5, 2, 2, 3))])
def test_local_response_norm(size, shape):
    em, tm = _pair("LocalResponseNorm", size, k=2.0)
    check_op(lambda x: em(x), lambda x: tm(x), randn(*shape))


@pytest.mark.parametrize("fn,shapes", [
    (lambda x, w, b: F.layer_norm(x, (3,), w, b), [(2, 3), (3,), (3,)]),
    (lambda x, w, b: F.group_norm(x, 2, w, b), [(2, 4, 3), (4,), (4,)]),
    (lambda x, w, b: F.batch_norm(x, None, None, w, b, True), [(3, 2, 2), (2,), (2,)]),
    (lambda x, w, b: F.instance_norm(x, weight=w, bias=b), [(2, 2, 3), (2,), (2,)]),
])
def test_norm_gradients_second_order(fn, shapes):
    r = np.random.default_rng(4)
    gradcheck_op(fn, *(r.standard_normal(s) for s in shapes))


def test_layer_norm_create_graph_matches_torch():
    x, w = randn(2, 5), randn(5)

    def grad_norm(lib, fn):
        xt = lib.tensor(x, requires_grad=True)
        wt = lib.tensor(w, requires_grad=True)
        (g,) = lib.autograd.grad(fn(xt, (5,), wt).pow(3).sum(), xt, create_graph=True)
        return lib.autograd.grad(g.square().sum(), wt)[0]

    assert_close(grad_norm(ember, F.layer_norm), grad_norm(torch, TF.layer_norm), atol=1e-4)
