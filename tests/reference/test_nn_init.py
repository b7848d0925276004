"""nn.init against torch.nn.init: bounds, statistics, gains, fans, structure and errors."""
import math
import warnings

import numpy as np
import pytest

torch = pytest.importorskip("torch", reason="differential tests need PyTorch as the reference")

import ember  # noqa: E402
from ember.nn import init as einit  # noqa: E402
from torch.nn import init as tinit  # noqa: E402

SHAPE = (256, 128, 3)


def _pair(fn, *args, shape=SHAPE, **kwargs):
    e = ember.empty(*shape)
    t = torch.empty(*shape)
    re = getattr(einit, fn)(e, *args, **kwargs)
    getattr(tinit, fn)(t, *args, **kwargs)
    assert re is e
    return e.cpu().numpy(), t.numpy()


@pytest.mark.parametrize("fn,args,kwargs", [
    ("uniform_", (-0.3, 0.7), {}), ("normal_", (0.5, 2.0), {}),
    ("xavier_uniform_", (), {"gain": 2.0}), ("xavier_normal_", (), {}),
    ("kaiming_uniform_", (), {"a": math.sqrt(5)}), ("kaiming_normal_", (), {"mode": "fan_out"}),
    ("kaiming_uniform_", (), {"nonlinearity": "relu"}),
    ("trunc_normal_", (), {"mean": 0.5, "std": 2.0, "a": -1.0, "b": 3.0}),
])
def test_random_init_has_torchs_distribution(fn, args, kwargs):
    e, t = _pair(fn, *args, **kwargs)
    assert abs(e.mean() - t.mean()) < 0.02 * max(t.std(), 1e-3) + 1e-3
    assert abs(e.std() - t.std()) < 0.02 * t.std()
    if "uniform" in fn or "trunc" in fn:  # bounded: the extremes sit at the same bounds
        assert abs(e.min() - t.min()) < 0.01 * t.std() and abs(e.max() - t.max()) < 0.01 * t.std()
    else:  # unbounded: compare the tails through the fourth moment (3 for a normal)
        kurt = (((e - e.mean()) / e.std()) ** 4).mean()
        assert abs(kurt - 3) < 0.05
    assert e.dtype == np.float32


def test_trunc_normal_respects_bounds_far_from_the_mean():
    e, t = _pair("trunc_normal_", mean=0.0, std=1.0, a=2.0, b=3.0, shape=(20000,))
    assert e.min() >= 2.0 and e.max() <= 3.0
    assert abs(e.mean() - t.mean()) < 0.01


@pytest.mark.parametrize("fn,args", [("constant_", (0.3,)), ("ones_", ()), ("zeros_", ())])
def test_constant_inits_match_torch(fn, args):
    e, t = _pair(fn, *args, shape=(3, 4))
    np.testing.assert_array_equal(e, t)


def test_eye_and_dirac_match_torch():
    e, t = _pair("eye_", shape=(3, 5))
    np.testing.assert_array_equal(e, t)
    for shape, groups in [((4, 2, 3), 1), ((6, 3, 3, 3), 2), ((2, 4, 1, 3, 3), 1)]:
        e, t = _pair("dirac_", groups, shape=shape)
        np.testing.assert_array_equal(e, t)


def test_orthogonal_is_orthogonal_with_gain():
    for shape in [(6, 4), (4, 6), (3, 2, 2)]:
        e, _ = _pair("orthogonal_", 2.0, shape=shape)
        m = e.reshape(shape[0], -1)
        small = m @ m.T if m.shape[0] <= m.shape[1] else m.T @ m
        np.testing.assert_allclose(small, 4 * np.eye(len(small)), atol=1e-5)


def test_sparse_zeroes_the_fraction_of_each_column():
    e, _ = _pair("sparse_", 0.3, shape=(10, 7))
    assert ((e == 0).sum(axis=0) == 3).all()


@pytest.mark.parametrize("args", [("linear",), ("conv2d",), ("sigmoid",), ("tanh",), ("relu",),
                                  ("leaky_relu",), ("leaky_relu", 0.2), ("selu",)])
def test_calculate_gain_matches_torch(args):
    assert einit.calculate_gain(*args) == tinit.calculate_gain(*args)


def test_fans_match_torch():
    for shape in [(3, 4), (8, 3, 5, 5), (2, 3, 4)]:
        assert einit._calculate_fan_in_and_fan_out(ember.empty(*shape)) == \
            tinit._calculate_fan_in_and_fan_out(torch.empty(*shape))


@pytest.mark.parametrize("call", [
    lambda init, lib: init.calculate_gain("swish"),
    lambda init, lib: init.calculate_gain("leaky_relu", "x"),
    lambda init, lib: init.xavier_uniform_(lib.empty(3)),
    lambda init, lib: init.kaiming_uniform_(lib.empty(3, 4), mode="fan_mid"),
    lambda init, lib: init.eye_(lib.empty(2, 2, 2)),
    lambda init, lib: init.dirac_(lib.empty(2, 2)),
    lambda init, lib: init.orthogonal_(lib.empty(3)),
])
def test_init_errors_match_torch(call):
    with pytest.raises(Exception) as te:
        call(tinit, torch)
    with pytest.raises(type(te.value)) as ee:
        call(einit, ember)
    assert str(ee.value) == str(te.value)


def test_generator_makes_init_reproducible():
    a, b = ember.empty(5, 5), ember.empty(5, 5)
    einit.kaiming_normal_(a, generator=ember.Generator().manual_seed(3))
    einit.kaiming_normal_(b, generator=ember.Generator().manual_seed(3))
    np.testing.assert_array_equal(a.numpy(), b.numpy())


def test_init_on_a_parameter_records_no_graph():
    p = ember.nn.Parameter(ember.empty(3, 4))
    einit.xavier_uniform_(p)
    assert p.grad_fn is None and p.requires_grad


def test_zero_element_kaiming_warns_like_torch():
    with pytest.warns(UserWarning, match="Initializing zero-element tensors is a no-op"):
        einit.kaiming_uniform_(ember.empty(0, 3))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        einit.kaiming_uniform_(ember.empty(2, 3))
