"""torch.distributions against real PyTorch: densities, moments, entropies, CDFs, KL
divergences, shapes, validation errors, and the gradients that flow through rsample."""
from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers import assert_close, check_error, gradcheck_op, torch  # noqa: F401  (skips)

import ember
import ember.distributions as E
import torch.distributions as T


try:
    import scipy  # noqa: F401
    _HAS_SCIPY = True
except ImportError:
    _HAS_SCIPY = False


def _lib(lib, a):
    return (torch if lib is T else ember).tensor(np.asarray(a, dtype=np.float32))


A = np.array([0.3, 1.7, 4.0], dtype=np.float32)
B = np.array([2.1, 0.6, 1.3], dtype=np.float32)
UNIT = np.array([0.25, 0.8, 0.5], dtype=np.float32)
COUNT = np.array([1.0, 0.0, 3.0], dtype=np.float32)

# name -> (constructor on a library, a value in the support)
CASES = {
    "Normal": (lambda L: L.Normal(_lib(L, A - 1), _lib(L, B)), UNIT - 0.4),
    "Laplace": (lambda L: L.Laplace(_lib(L, A - 1), _lib(L, B)), UNIT - 0.4),
    "Cauchy": (lambda L: L.Cauchy(_lib(L, A - 1), _lib(L, B)), UNIT - 0.4),
    "Uniform": (lambda L: L.Uniform(_lib(L, -A), _lib(L, A + B)), UNIT - 0.4),
    "Exponential": (lambda L: L.Exponential(_lib(L, B)), UNIT),
    "Gamma": (lambda L: L.Gamma(_lib(L, A), _lib(L, B)), UNIT),
    "Chi2": (lambda L: L.Chi2(_lib(L, B)), UNIT),
    "Beta": (lambda L: L.Beta(_lib(L, A), _lib(L, B)), UNIT),
    "Poisson": (lambda L: L.Poisson(_lib(L, B)), COUNT),
    "Bernoulli": (lambda L: L.Bernoulli(_lib(L, UNIT)), np.array([1.0, 0.0, 1.0])),
    "BernoulliLogits": (lambda L: L.Bernoulli(logits=_lib(L, A - 1)), np.array([1.0, 0, 1])),
    "Geometric": (lambda L: L.Geometric(_lib(L, UNIT)), COUNT),
    "Binomial": (lambda L: L.Binomial(_lib(L, [5.0, 5.0, 5.0]), _lib(L, UNIT)), COUNT),
    "LogNormal": (lambda L: L.LogNormal(_lib(L, A - 1), _lib(L, B)), UNIT),
    "HalfNormal": (lambda L: L.HalfNormal(_lib(L, B)), UNIT),
    "StudentT": (lambda L: L.StudentT(_lib(L, B + 2), _lib(L, A), _lib(L, B)), UNIT - 0.4),
    "Gumbel": (lambda L: L.Gumbel(_lib(L, A - 1), _lib(L, B)), UNIT - 0.4),
    "HalfCauchy": (lambda L: L.HalfCauchy(_lib(L, B)), UNIT),
    "Pareto": (lambda L: L.Pareto(_lib(L, UNIT), _lib(L, A + 2)), UNIT + 1),
    "Weibull": (lambda L: L.Weibull(_lib(L, B), _lib(L, A + 1)), UNIT),
    "NegativeBinomial": (lambda L: L.NegativeBinomial(_lib(L, A), _lib(L, UNIT / 3)), COUNT),
}


def _value(lib, v):
    return _lib(lib, v)


@pytest.mark.parametrize("name", sorted(CASES))
def test_moments_log_prob_entropy_cdf_match_torch(name):
    make, value = CASES[name]
    e, t = make(E), make(T)
    for attr in ("mean", "variance", "stddev", "mode"):
        assert_close(getattr(e, attr), getattr(t, attr), atol=1e-5, rtol=1e-4)
    for meth, arg in (("log_prob", value), ("cdf", value), ("icdf", UNIT), ("entropy", None)):
        args = () if arg is None else (_value(T, arg),)
        try:
            expected = getattr(t, meth)(*args)
        except NotImplementedError:
            continue
        e_args = () if arg is None else (_value(E, arg),)
        try:
            got = getattr(e, meth)(*e_args)
        except ImportError as err:  # the gamma family's cdf needs the SciPy extra
            assert not _HAS_SCIPY and "pip install scipy" in str(err)
            continue
        assert_close(got, expected, atol=1e-5, rtol=1e-4)
    assert e.has_rsample == t.has_rsample
    assert repr(e) == repr(t)


@pytest.mark.parametrize("name", sorted(CASES))
def test_sample_rsample_expand_shapes_match_torch(name):
    make, _ = CASES[name]
    e, t = make(E), make(T)
    assert e.batch_shape == t.batch_shape and e.event_shape == t.event_shape
    assert tuple(e.sample((4, 2)).shape) == tuple(t.sample((4, 2)).shape)
    if e.has_rsample:
        assert tuple(e.rsample((5,)).shape) == tuple(t.rsample((5,)).shape)
    ee, te = e.expand((2, 3)), t.expand((2, 3))
    assert ee.batch_shape == te.batch_shape
    assert_close(ee.mean, te.mean)


def _mvn(lib, kind):
    rng = np.random.default_rng(0)
    a = rng.standard_normal((2, 3, 3))
    cov = (a @ a.transpose(0, 2, 1) + np.eye(3)).astype(np.float32)
    loc = rng.standard_normal((2, 3)).astype(np.float32)
    m = np.linalg.cholesky(cov) if kind == "scale_tril" else cov
    return lib.MultivariateNormal(_lib(lib, loc), **{kind: _lib(lib, m)})


@pytest.mark.parametrize("kind", ["covariance_matrix", "precision_matrix", "scale_tril"])
def test_multivariate_normal_matches_torch(kind):
    e, t = _mvn(E, kind), _mvn(T, kind)
    x = np.random.default_rng(1).standard_normal((4, 2, 3))
    assert_close(e.log_prob(_lib(E, x)), t.log_prob(_lib(T, x)), atol=1e-4, rtol=1e-4)
    assert_close(e.entropy(), t.entropy(), atol=1e-5)
    for attr in ("variance", "covariance_matrix", "precision_matrix", "scale_tril"):
        assert_close(getattr(e, attr), getattr(t, attr), atol=1e-4, rtol=1e-4)
    assert tuple(e.rsample((5,)).shape) == (5, 2, 3)
    assert e.expand((4, 2)).batch_shape == t.expand((4, 2)).batch_shape


@pytest.mark.parametrize("cls", ["Categorical", "OneHotCategorical"])
@pytest.mark.parametrize("kind", ["probs", "logits"])
def test_categoricals_match_torch(cls, kind):
    logits = np.random.default_rng(2).standard_normal((2, 4)).astype(np.float32)
    arr = np.exp(logits) / np.exp(logits).sum(-1, keepdims=True) if kind == "probs" else logits
    e, t = getattr(E, cls)(**{kind: _lib(E, arr)}), getattr(T, cls)(**{kind: _lib(T, arr)})
    value = np.array([1, 3]) if cls == "Categorical" else np.eye(4, dtype=np.float32)[[1, 3]]
    assert_close(e.log_prob(ember.tensor(value)), t.log_prob(torch.tensor(value)))
    assert_close(e.entropy(), t.entropy())
    assert_close(e.enumerate_support(), t.enumerate_support())
    assert_close(e.mode, t.mode)
    assert tuple(e.sample((5,)).shape) == tuple(t.sample((5,)).shape)
    assert e.expand((3, 2)).batch_shape == t.expand((3, 2)).batch_shape


def test_dirichlet_matches_torch():
    c = np.array([[0.5, 1.2, 3.0], [2.0, 2.0, 0.3]], dtype=np.float32)
    value = np.array([[0.2, 0.3, 0.5], [0.1, 0.6, 0.3]], dtype=np.float32)
    e, t = E.Dirichlet(_lib(E, c)), T.Dirichlet(_lib(T, c))
    assert_close(e.log_prob(_lib(E, value)), t.log_prob(_lib(T, value)))
    for attr in ("mean", "mode", "variance"):
        assert_close(getattr(e, attr), getattr(t, attr))
    assert_close(e.entropy(), t.entropy())
    assert e.event_shape == t.event_shape and tuple(e.rsample((4,)).shape) == (4, 2, 3)


@given(st.floats(0.2, 5.0), st.floats(0.2, 5.0), st.floats(0.2, 5.0), st.floats(0.2, 5.0))
@settings(max_examples=15, deadline=None)
def test_kl_same_family_pairs_match_torch(a, b, c, d):
    makers = [lambda L, x, y: L.Normal(x - 1, y), lambda L, x, y: L.Laplace(x - 1, y),
              lambda L, x, y: L.Gamma(x, y), lambda L, x, y: L.Beta(x, y),
              lambda L, x, y: L.Exponential(x), lambda L, x, y: L.Poisson(x),
              lambda L, x, y: L.Cauchy(x, y), lambda L, x, y: L.HalfNormal(y),
              lambda L, x, y: L.Uniform(x - 1, x + y), lambda L, x, y: L.LogNormal(x, y),
              lambda L, x, y: L.Bernoulli(x / 5.5), lambda L, x, y: L.Geometric(y / 5.5)]
    for make in makers:
        ke = E.kl_divergence(make(E, _lib(E, a), _lib(E, b)), make(E, _lib(E, c), _lib(E, d)))
        kt = T.kl_divergence(make(T, _lib(T, a), _lib(T, b)), make(T, _lib(T, c), _lib(T, d)))
        assert_close(ke, kt, atol=1e-4, rtol=1e-3)


CROSS = [("Normal", "Laplace"), ("Laplace", "Normal"), ("Exponential", "Gamma"),
         ("Exponential", "Normal"), ("Gamma", "Exponential"), ("Gamma", "Normal"),
         ("Beta", "Exponential"), ("Beta", "Gamma"), ("Beta", "Normal"), ("Beta", "Uniform"),
         ("Uniform", "Normal"), ("Uniform", "Gamma"), ("Uniform", "Exponential"),
         ("Uniform", "Beta"), ("Normal", "Gamma"), ("Bernoulli", "Poisson"),
         ("Poisson", "Bernoulli"), ("Exponential", "Uniform"), ("Gamma", "Beta")]
POS = np.array([0.2, 0.9], dtype=np.float32)
PAIR_MAKERS = {
    "Normal": lambda L: L.Normal(_lib(L, POS), _lib(L, POS + 1)),
    "Laplace": lambda L: L.Laplace(_lib(L, POS), _lib(L, POS + 0.5)),
    "Exponential": lambda L: L.Exponential(_lib(L, POS + 1)),
    "Gamma": lambda L: L.Gamma(_lib(L, POS + 1), _lib(L, POS + 2)),
    "Beta": lambda L: L.Beta(_lib(L, POS + 1), _lib(L, POS + 2)),
    "Uniform": lambda L: L.Uniform(_lib(L, POS / 4), _lib(L, POS / 4 + 0.5)),
    "Bernoulli": lambda L: L.Bernoulli(_lib(L, POS)),
    "Poisson": lambda L: L.Poisson(_lib(L, POS + 1)),
}


@pytest.mark.parametrize("p,q", CROSS)
def test_kl_cross_family_pairs_match_torch(p, q):
    ke = E.kl_divergence(PAIR_MAKERS[p](E), PAIR_MAKERS[q](E))
    kt = T.kl_divergence(PAIR_MAKERS[p](T), PAIR_MAKERS[q](T))
    assert_close(ke, kt, atol=1e-4, rtol=1e-4)


def test_kl_multivariate_categorical_dirichlet_independent_match_torch():
    for kind in ("covariance_matrix", "scale_tril"):
        ke = E.kl_divergence(_mvn(E, kind), _mvn(E, "precision_matrix"))
        kt = T.kl_divergence(_mvn(T, kind), _mvn(T, "precision_matrix"))
        assert_close(ke, kt, atol=1e-3, rtol=1e-3)
    lg = np.random.default_rng(3).standard_normal((2, 2, 4)).astype(np.float32)
    for cls in ("Categorical", "OneHotCategorical"):
        ke = E.kl_divergence(getattr(E, cls)(logits=_lib(E, lg[0])),
                             getattr(E, cls)(logits=_lib(E, lg[1])))
        kt = T.kl_divergence(getattr(T, cls)(logits=_lib(T, lg[0])),
                             getattr(T, cls)(logits=_lib(T, lg[1])))
        assert_close(ke, kt)
    c = np.abs(lg) + 0.3
    assert_close(E.kl_divergence(E.Dirichlet(_lib(E, c[0])), E.Dirichlet(_lib(E, c[1]))),
                 T.kl_divergence(T.Dirichlet(_lib(T, c[0])), T.Dirichlet(_lib(T, c[1]))))
    ind = [L.Independent(L.Normal(_lib(L, lg[i]), _lib(L, c[i])), 1) for L in (E, T)
           for i in (0, 1)]
    assert_close(E.kl_divergence(ind[0], ind[1]), T.kl_divergence(ind[2], ind[3]))


def test_kl_unregistered_pair_raises_torchs_error():
    check_error(lambda: E.kl_divergence(E.Cauchy(0.0, 1.0), E.Normal(0.0, 1.0)),
                lambda: T.kl_divergence(T.Cauchy(0.0, 1.0), T.Normal(0.0, 1.0)))


def test_register_kl_dispatches_to_the_most_specific_pair():
    class MyNormal(E.Normal):
        pass

    @E.register_kl(MyNormal, E.Normal)
    def _kl(p, q):
        return ember.zeros(())

    assert E.kl_divergence(MyNormal(0.0, 1.0), E.Normal(1.0, 1.0)).item() == 0.0
    assert E.kl_divergence(E.Normal(0.0, 1.0), E.Normal(1.0, 1.0)).item() == pytest.approx(0.5)
    with pytest.raises(TypeError):
        E.register_kl(int, E.Normal)


ERRORS = [
    lambda L: L.Normal(_lib(L, [0.0, 1.0]), _lib(L, [1.0, -1.0])),
    lambda L: L.Exponential(_lib(L, [1.0])).log_prob(_lib(L, [-1.0])),
    lambda L: L.Uniform(_lib(L, [1.0]), _lib(L, [0.0])),
    lambda L: L.Bernoulli(_lib(L, [0.5]), _lib(L, [0.1])),
    lambda L: L.Bernoulli(_lib(L, [1.5])),
    lambda L: L.Categorical(_lib(L, 0.5)),
    lambda L: L.Beta(_lib(L, [1.0]), _lib(L, [0.0])),
    lambda L: L.Dirichlet(_lib(L, [1.0, -1.0])),
    lambda L: L.Normal(_lib(L, [0.0, 1.0]), 1.0).log_prob(_lib(L, [0.0, 1.0, 2.0])),
    lambda L: L.Normal(0.0, 1.0).log_prob(0.5),
    lambda L: L.MultivariateNormal(_lib(L, [0.0, 0.0])),
    lambda L: L.MultivariateNormal(_lib(L, 0.0), _lib(L, np.eye(2))),
    lambda L: L.MultivariateNormal(_lib(L, [0.0, 0.0]), _lib(L, [[1.0, 2.0], [2.0, 1.0]])),
    lambda L: L.Independent(L.Normal(0.0, 1.0), 1),
    lambda L: L.Poisson(_lib(L, [1.0])).log_prob(_lib(L, [0.5])),
    lambda L: L.TransformedDistribution(L.Normal(0.0, 1.0), "exp"),
    lambda L: L.Uniform(_lib(L, [0.0]), _lib(L, [1.0])).log_prob(_lib(L, [[2.0], [3.0]])[0]),
]


@pytest.mark.parametrize("i", range(len(ERRORS)))
def test_validation_errors_match_torch(i):
    check_error(lambda: ERRORS[i](E), lambda: ERRORS[i](T))


def test_validate_args_false_and_default_switch():
    E.Normal(0.0, -1.0, validate_args=False)
    E.Distribution.set_default_validate_args(False)
    try:
        E.Normal(0.0, -1.0)
    finally:
        E.Distribution.set_default_validate_args(True)
    with pytest.raises(ValueError):
        E.Normal(0.0, -1.0)
    with pytest.raises(ValueError):
        E.Distribution.set_default_validate_args(3)


def test_normal_rsample_gradient_is_loc_plus_eps_times_scale():
    loc = ember.tensor([0.5, -1.0], requires_grad=True)
    scale = ember.tensor([2.0, 0.5], requires_grad=True)
    ember.manual_seed(0)
    x = E.Normal(loc, scale).rsample((3,))
    ember.manual_seed(0)
    eps = ember.empty(3, 2).normal_()
    assert_close(x, torch.tensor((eps.numpy() * scale.detach().numpy()
                                  + loc.detach().numpy())))
    x.sum().backward()
    assert_close(loc.grad, torch.tensor([3.0, 3.0]))
    assert_close(scale.grad, torch.tensor(eps.numpy().sum(0)))


@pytest.mark.parametrize("name", ["Normal", "Laplace", "Gamma", "Beta", "Poisson", "Cauchy",
                                  "Exponential", "StudentT", "LogNormal", "Binomial"])
def test_log_prob_parameter_gradients_match_torch(name):
    make, value = CASES[name]
    e, t = make(E), make(T)
    e_params = [v for v in vars(e).values() if isinstance(v, ember.Tensor)]
    if not e_params:  # parameters held by an inner distribution
        e, t = e.base_dist if hasattr(e, "base_dist") else e._dirichlet, \
            t.base_dist if hasattr(t, "base_dist") else t._dirichlet
        value = value if name != "Beta" else np.stack([UNIT, 1 - UNIT], -1)
    names = [k for k, v in vars(t).items() if isinstance(v, torch.Tensor)
             and v.is_floating_point() and k in t.arg_constraints]
    for k in names:
        getattr(e, k).requires_grad_(True)
        getattr(t, k).requires_grad_(True)
    e.log_prob(_lib(E, value)).sum().backward()
    t.log_prob(_lib(T, value)).sum().backward()
    for k in names:
        assert_close(getattr(e, k).grad, getattr(t, k).grad, atol=1e-4, rtol=1e-4)


@pytest.mark.parametrize("name", ["Normal", "Gamma", "StudentT", "Dirichlet"])
def test_log_prob_gradients_finite_differences_float64(name):
    x = np.array([0.3, 0.6], dtype=np.float64)
    if name == "Normal":
        def fn(a, b):
            return E.Normal(a, b.exp()).log_prob(ember.tensor(x))
    elif name == "Gamma":
        def fn(a, b):
            return E.Gamma(a.exp(), b.exp()).log_prob(ember.tensor(x))
    elif name == "StudentT":
        def fn(a, b):
            return E.StudentT(a.exp() + 1, b, ember.tensor(1.5, dtype=ember.float64)).log_prob(
                ember.tensor(x))
    else:
        def fn(a, b):
            c = ember.stack([a.exp(), b.exp()], -1)
            return E.Dirichlet(c).log_prob(ember.tensor(np.stack([x, 1 - x], -1)))
    gradcheck_op(fn, np.array([0.2, -0.4]), np.array([0.5, 0.1]), second_order=False)


def test_gamma_rsample_gradient_matches_inverse_cdf_derivative():
    special = pytest.importorskip("scipy.special", reason="the gamma rsample gradient needs SciPy")
    alpha = ember.tensor([0.4, 1.5, 6.0], dtype=ember.float64, requires_grad=True)
    x = E.Gamma(alpha, ember.ones(3, dtype=ember.float64)).rsample()
    x.sum().backward()
    a, xv = alpha.detach().numpy(), x.detach().numpy()
    u = special.gammainc(a, xv)
    h = 1e-6
    expected = (special.gammaincinv(a + h, u) - special.gammaincinv(a - h, u)) / (2 * h)
    np.testing.assert_allclose(alpha.grad.numpy(), expected, rtol=1e-4)


def test_dirichlet_and_beta_rsample_gradients_flow():
    pytest.importorskip("scipy.special", reason="the gamma rsample gradient needs SciPy")
    c = ember.tensor([0.5, 2.0, 3.0], requires_grad=True)
    (E.Dirichlet(c).rsample((4,))[:, 0]).sum().backward()
    assert c.grad is not None and bool(ember.isfinite(c.grad).all())
    a = ember.tensor(2.0, requires_grad=True)
    E.Beta(a, ember.tensor(3.0)).rsample((5,)).sum().backward()
    assert a.grad is not None and float(a.grad) > 0  # a larger alpha moves Beta draws up


@pytest.mark.parametrize("make", [lambda: E.Gamma(ember.tensor(2.5), ember.tensor(1.5)),
                                  lambda: E.Beta(ember.tensor(2.0), ember.tensor(5.0)),
                                  lambda: E.Poisson(ember.tensor(3.2)),
                                  lambda: E.Binomial(ember.tensor(7.0), ember.tensor(0.3)),
                                  lambda: E.Geometric(ember.tensor(0.4)),
                                  lambda: E.StudentT(ember.tensor(6.0))])
def test_samplers_have_the_right_mean(make):
    ember.manual_seed(7)
    d = make()
    s = d.sample((20000,))
    assert abs(float(s.mean()) - float(d.mean)) < 5 * float(d.stddev) / 20000 ** 0.5


def test_dirichlet_sample_mean_and_simplex():
    ember.manual_seed(3)
    d = E.Dirichlet(ember.tensor([1.0, 2.0, 5.0]))
    s = d.sample((20000,))
    assert bool(E.constraints.simplex.check(s).all())
    np.testing.assert_allclose(s.mean(0).numpy(), d.mean.numpy(), atol=0.01)


@pytest.mark.parametrize("tname", ["ExpTransform", "SigmoidTransform", "TanhTransform",
                                   "SoftplusTransform"])
def test_transformed_distribution_matches_torch(tname):
    loc = np.array([[0.1, -0.5, 1.0]], dtype=np.float32)
    e = E.TransformedDistribution(E.Normal(_lib(E, loc), ember.ones(1, 3)), [getattr(E, tname)()])
    t = T.TransformedDistribution(T.Normal(_lib(T, loc), torch.ones(1, 3)), [getattr(T, tname)()])
    y = t.sample((4,))
    assert_close(e.log_prob(ember.tensor(y.numpy())), t.log_prob(y), atol=1e-4, rtol=1e-3)
    assert_close(e.cdf(ember.tensor(y.numpy())), t.cdf(y), atol=1e-5)
    assert e.support.__class__.__name__ == t.support.__class__.__name__


def test_compose_affine_power_inverse_transforms_match_torch():
    x = np.abs(np.random.default_rng(4).standard_normal((4, 2, 3))).astype(np.float32) + 0.1

    def make(L, lib):
        parts = [L.AffineTransform(1.0, 2.0), L.PowerTransform(lib.tensor(2.0)),
                 L.ExpTransform().inv]
        return L.TransformedDistribution(L.Normal(lib.zeros(2, 3), lib.ones(2, 3)), parts)

    assert_close(make(E, ember).log_prob(_lib(E, x)), make(T, torch).log_prob(_lib(T, x)),
                 atol=1e-4, rtol=1e-3)
    assert repr(E.ExpTransform().inv) == repr(T.ExpTransform().inv)
    assert repr(E.ComposeTransform([E.ExpTransform(), E.AffineTransform(0, 1)])) == \
        repr(T.ComposeTransform([T.ExpTransform(), T.AffineTransform(0, 1)]))


def test_stick_breaking_and_softmax_transforms_match_torch():
    x = np.random.default_rng(5).standard_normal((2, 3)).astype(np.float32)
    e, t = E.StickBreakingTransform(), T.StickBreakingTransform()
    ye, yt = e(_lib(E, x)), t(_lib(T, x))
    assert_close(ye, yt)
    assert_close(e.inv(ye), _lib(T, x), atol=1e-5)
    assert_close(e.log_abs_det_jacobian(_lib(E, x), ye), t.log_abs_det_jacobian(_lib(T, x), yt))
    assert_close(E.SoftmaxTransform()(_lib(E, x)), T.SoftmaxTransform()(_lib(T, x)))


def test_constraint_registry_and_constraint_reprs_match_torch():
    for c in ("positive", "simplex", "real", "unit_interval"):
        assert repr(E.biject_to(getattr(E.constraints, c))) == \
            repr(T.biject_to(getattr(T.constraints, c)))
        assert repr(getattr(E.constraints, c)) == repr(getattr(T.constraints, c))
    assert repr(E.constraints.independent(E.constraints.real, 1)) == \
        repr(T.constraints.independent(T.constraints.real, 1))


def test_relaxed_distributions_match_torch():
    v = np.array([0.3, 0.6], dtype=np.float32)
    e = E.RelaxedBernoulli(ember.tensor(0.5), probs=_lib(E, v))
    t = T.RelaxedBernoulli(torch.tensor(0.5), probs=_lib(T, v))
    assert_close(e.log_prob(_lib(E, [0.2, 0.7])), t.log_prob(_lib(T, [0.2, 0.7])))
    lg = np.random.default_rng(6).standard_normal((2, 4)).astype(np.float32)
    e = E.RelaxedOneHotCategorical(ember.tensor(0.5), logits=_lib(E, lg))
    t = T.RelaxedOneHotCategorical(torch.tensor(0.5), logits=_lib(T, lg))
    y = t.sample()
    assert_close(e.log_prob(ember.tensor(y.numpy())), t.log_prob(y), atol=1e-4, rtol=1e-3)
    assert tuple(e.rsample((3,)).shape) == (3, 2, 4)


def test_module_paths_and_lazy_import():
    from ember.distributions.normal import Normal
    from ember.distributions.transforms import ExpTransform  # noqa: F401
    assert Normal is ember.distributions.Normal
    code = "import sys, ember; assert 'ember.distributions' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)


def _counts(lib, values):
    return (torch if lib is T else ember).tensor(values, dtype=(torch if lib is T else
                                                               ember).float64)


def test_multinomial_matches_torch():
    probs = [[0.2, 0.3, 0.5], [0.1, 0.0, 0.9]]
    e, t = (L.Multinomial(5, probs=_counts(L, probs)) for L in (E, T))
    value = [[1.0, 1.0, 3.0], [0.0, 0.0, 5.0]]
    assert_close(e.log_prob(_counts(E, value)), t.log_prob(_counts(T, value)))
    for attr in ("mean", "variance"):
        assert_close(getattr(e, attr), getattr(t, attr))
    assert_close(e.entropy(), t.entropy())
    # a multinomial is one categorical draw per trial: the same stream as torch's
    ember.manual_seed(3)
    torch.manual_seed(3)
    assert_close(e.sample((4,)), t.sample((4,)))
    assert e.expand((3, 2)).batch_shape == t.expand((3, 2)).batch_shape


@pytest.mark.parametrize("event", [False, True])
def test_mixture_same_family_matches_torch(event):
    def make(L):
        mix = L.Categorical(logits=_counts(L, [0.3, -0.7, 1.2]))
        loc, scale = _counts(L, [[-1.0, 0.0], [2.0, 1.0], [0.5, -2.0]]), \
            _counts(L, [[0.5, 1.0], [1.5, 2.0], [0.7, 0.9]])
        comp = L.Independent(L.Normal(loc, scale), 1) if event else \
            L.Normal(loc[:, 0], scale[:, 0])
        return L.MixtureSameFamily(mix, comp)
    e, t = make(E), make(T)
    value = [[0.3, 1.0], [-2.0, 0.5]] if event else [0.3, -2.0]
    assert_close(e.log_prob(_counts(E, value)), t.log_prob(_counts(T, value)))
    for attr in ("mean", "variance"):
        assert_close(getattr(e, attr), getattr(t, attr))
    if not event:
        assert_close(e.cdf(_counts(E, value)), t.cdf(_counts(T, value)))
    assert tuple(e.sample((4, 2)).shape) == tuple(t.sample((4, 2)).shape)
    ember.manual_seed(1)
    torch.manual_seed(1)
    assert_close(e.sample((5,)), t.sample((5,)))
    assert repr(e) == repr(t)


def test_mixture_same_family_checks_its_arguments_like_torch():
    for L in (E, T):
        with pytest.raises(ValueError, match="does not equal"):
            L.MixtureSameFamily(L.Categorical(logits=_counts(L, [0.0, 1.0])),
                                L.Normal(_counts(L, [0.0, 1.0, 2.0]), 1.0))


@pytest.mark.parametrize("name", ["Gumbel", "Weibull", "Pareto", "HalfCauchy"])
def test_transformed_families_draw_torchs_stream(name):
    make, _ = CASES[name]
    ember.manual_seed(5)
    torch.manual_seed(5)
    assert_close(make(E).rsample((3,)), make(T).rsample((3,)), rtol=1e-5, atol=1e-6)
