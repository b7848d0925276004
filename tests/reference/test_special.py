"""torch.special and the gamma-family top-level functions against real PyTorch."""
import subprocess
import sys

import pytest

torch = pytest.importorskip("torch", reason="differential tests need PyTorch as the reference")

import numpy as np  # noqa: E402
from hypothesis import given, settings  # noqa: E402
from hypothesis.extra import numpy as hnp  # noqa: E402

import ember  # noqa: E402
from helpers import check_error, check_op, gradcheck_op  # noqa: E402


def _rand(shape, lo, hi, seed=0, dtype=np.float64):
    return np.random.default_rng(seed).uniform(lo, hi, shape).astype(dtype)


# name -> input range; the NumPy-only functions of torch.special, with gradients
DIFFERENTIABLE = {
    "gammaln": (0.1, 8), "digamma": (0.2, 8), "psi": (-2.7, -2.2), "i0": (-6, 6),
    "i0e": (-6, 6), "i1": (-6, 6), "i1e": (-6, 6), "sinc": (-2.5, 2.5), "entr": (0.1, 3),
    "ndtr": (-3, 3), "erf": (-2, 2), "erfc": (-2, 2), "erfinv": (-0.9, 0.9),
    "expit": (-4, 4), "logit": (0.1, 0.9), "exp2": (-2, 2), "expm1": (-2, 2),
    "log1p": (-0.5, 2), "modified_bessel_i0": (-5, 5), "modified_bessel_i1": (-5, 5),
}
# SciPy-backed (no gradient in torch either, except where noted)
SCIPY = {
    "erfcx": (-2, 5), "ndtri": (0.01, 0.99), "log_ndtr": (-10, 5), "bessel_j0": (-9, 9),
    "bessel_j1": (-9, 9), "bessel_y0": (0.1, 9), "bessel_y1": (0.1, 9),
    "modified_bessel_k0": (0.1, 9), "modified_bessel_k1": (0.1, 9),
    "scaled_modified_bessel_k0": (0.1, 9), "scaled_modified_bessel_k1": (0.1, 9),
    "airy_ai": (-5, 5), "spherical_bessel_j0": (-9, 9),
}
POLYNOMIALS = ["chebyshev_polynomial_t", "chebyshev_polynomial_u", "hermite_polynomial_h",
               "hermite_polynomial_he", "laguerre_polynomial_l", "legendre_polynomial_p",
               "shifted_chebyshev_polynomial_t", "shifted_chebyshev_polynomial_u"]


@pytest.mark.parametrize("name", sorted(DIFFERENTIABLE))
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_unary_values_and_gradients(name, dtype):
    lo, hi = DIFFERENTIABLE[name]
    check_op(getattr(ember.special, name), getattr(torch.special, name),
             _rand((3, 4), lo, hi, dtype=dtype), atol=1e-5, rtol=1e-4 if dtype == np.float32 else 1e-7)


@pytest.mark.parametrize("name", sorted(DIFFERENTIABLE))
def test_unary_finite_difference(name):
    lo, hi = DIFFERENTIABLE[name]
    gradcheck_op(getattr(ember.special, name), _rand((5,), lo, hi, seed=1))


@pytest.mark.parametrize("name", ["lgamma", "digamma", "i0", "sinc"])
def test_integer_input_gives_default_float(name):
    check_op(getattr(ember, name), getattr(torch, name), np.arange(1, 6), grad=False)


def test_gamma_family_edge_values():
    x = np.array([0.0, -1.0, -2.5, 1.0, 2.0, np.inf, np.nan, 1e-300, 0.5, -0.5, 1e10])
    check_op(ember.lgamma, torch.lgamma, x, grad=False, rtol=1e-12, atol=1e-12)
    check_op(ember.digamma, torch.digamma, x[x != -np.inf], grad=False, rtol=1e-9)


@given(hnp.arrays(np.float64, hnp.array_shapes(max_dims=2, max_side=4),
                  elements=dict(min_value=-30, max_value=30,
                                allow_subnormal=False)))
@settings(max_examples=15, deadline=None)
def test_lgamma_drawn_values(x):
    # away from the poles, where the derivative (digamma) is too steep to compare
    x = np.where(np.abs(x - np.round(x)) < 0.05, np.round(x) + 0.25, x)
    check_op(ember.lgamma, torch.lgamma, x, rtol=1e-9, atol=1e-9)


@pytest.mark.parametrize("n", [0, 1, 2, 4])
def test_polygamma(n):
    x = _rand((2, 3), 0.3, 6)
    check_op(lambda t: ember.polygamma(n, t), lambda t: torch.polygamma(n, t), x, rtol=1e-6)
    check_op(lambda t: t.polygamma(n), lambda t: t.polygamma(n), x, rtol=1e-6)
    check_op(lambda t: ember.special.polygamma(n, t), lambda t: torch.special.polygamma(n, t),
             _rand((4,), -3.9, -3.1), grad=False, rtol=1e-6)
    gradcheck_op(lambda t: ember.polygamma(n, t), x)


@pytest.mark.parametrize("p", [1, 2, 4])
def test_mvlgamma(p):
    x = _rand((3,), (p - 1) / 2 + 0.1, 5)
    check_op(lambda t: ember.mvlgamma(t, p), lambda t: torch.mvlgamma(t, p), x, rtol=1e-7)
    check_op(lambda t: ember.special.multigammaln(t, p),
             lambda t: torch.special.multigammaln(t, p), x, rtol=1e-7)
    check_op(lambda t: t.mvlgamma(p), lambda t: t.mvlgamma(p), x, rtol=1e-7)


def test_mvlgamma_outside_domain_and_bad_p():
    check_op(lambda t: ember.mvlgamma(t, 3), lambda t: torch.mvlgamma(t, 3),
             np.array([0.5, 2.0, -0.3]), grad=False, rtol=1e-7)
    check_error(lambda t: ember.mvlgamma(t, 0), lambda t: torch.mvlgamma(t, 0), np.array([3.0]))


def test_binary_functions():
    a, b = _rand((3, 1), 0.5, 3, seed=2), _rand((4,), 0.2, 3, seed=3)
    for name in ["xlogy", "xlog1py"]:
        check_op(getattr(ember.special, name), getattr(torch.special, name), a, b, rtol=1e-7)
        gradcheck_op(getattr(ember.special, name), a, b)
    s = _rand((3, 1), 1.5, 4, seed=4)
    check_op(lambda q: ember.special.zeta(ember.tensor(s), q),
             lambda q: torch.special.zeta(torch.tensor(s), q), b, rtol=1e-7)
    gradcheck_op(lambda q: ember.special.zeta(ember.tensor(s), q), b)
    check_op(ember.special.xlogy, torch.special.xlogy, np.array([0.0, 0.0, 1.0]),
             np.array([0.0, 2.0, np.nan]), grad=False)


def test_softmax_family():
    x = _rand((3, 4), -2, 2)
    for name in ["softmax", "log_softmax"]:
        check_op(lambda t: getattr(ember.special, name)(t, 1),
                 lambda t: getattr(torch.special, name)(t, 1), x, rtol=1e-7)
    check_op(lambda t: ember.special.logsumexp(t, 0), lambda t: torch.special.logsumexp(t, 0), x)
    check_op(ember.special.round, torch.special.round, x, grad=False)


@pytest.mark.parametrize("name", sorted(SCIPY))
def test_scipy_backed_values(name):
    pytest.importorskip("scipy", reason="these torch.special functions need SciPy")
    lo, hi = SCIPY[name]
    for dtype in (np.float32, np.float64):
        check_op(getattr(ember.special, name), getattr(torch.special, name),
                 _rand((2, 5), lo, hi, dtype=dtype), grad=False, rtol=1e-5)


@pytest.mark.parametrize("name", POLYNOMIALS)
def test_polynomials(name):
    pytest.importorskip("scipy", reason="the orthogonal polynomials need SciPy")
    x = _rand((2, 4), -1, 1)
    for n in [0, 1, 3, np.array([0.0, 2.0, 5.0, -1.0])]:
        check_op(getattr(ember.special, name), getattr(torch.special, name), x,
                 np.asarray(n, dtype=np.float64), grad=False, rtol=1e-7, atol=1e-7)


@pytest.mark.parametrize("name", ["gammainc", "gammaincc"])
def test_incomplete_gamma(name):
    pytest.importorskip("scipy", reason="the incomplete gamma functions need SciPy")
    a, x = _rand((3, 1), 0.5, 4), _rand((5,), 0.1, 6, seed=5)
    check_op(getattr(ember.special, name), getattr(torch.special, name), a, x, grad=False,
             rtol=1e-7)


def test_method_and_inplace_forms():
    x = _rand((4,), 0.5, 3)
    for name in ["lgamma", "digamma", "i0", "sinc"]:
        check_op(lambda t: getattr(t, name)(), lambda t: getattr(t, name)(), x)
        check_op(lambda t: getattr(t.clone(), name + "_")(),
                 lambda t: getattr(t.clone(), name + "_")(), x)
    check_op(lambda t: t.clone().polygamma_(1), lambda t: t.clone().polygamma_(1), x)
    check_op(lambda t: t.clone().mvlgamma_(2), lambda t: t.clone().mvlgamma_(2), x + 1)


def test_namespace_has_torch_names():
    names = {n for n in dir(torch.special) if not n.startswith("_")}
    names -= {"Tensor", "torch", "common_args", "multi_dim_common"}
    assert sorted(n for n in names if not hasattr(ember.special, n)) == []


def test_import_ember_does_not_import_scipy():
    code = "import sys, ember, ember.special, ember.fft; print('scipy' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_missing_scipy_says_what_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "scipy", None)
    monkeypatch.setitem(sys.modules, "scipy.special", None)
    with pytest.raises(ImportError, match="pip install scipy"):
        ember.special.bessel_j0(ember.tensor([1.0]))
    # the NumPy-only functions keep working
    assert ember.special.gammaln(ember.tensor([3.0])).item() == pytest.approx(np.log(2.0))
