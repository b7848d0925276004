"""The functions and Tensor methods added beyond the first landing (order statistics,
covariance, differences and integrals, number functions, restructuring, scatters, windows)
against torch: values, dtypes, shapes, gradients and errors; float64 finite differences for
the differentiable ones."""
import numpy as np
import pytest

from helpers import check_error, check_op, gradcheck_op, torch

import ember

_rng = np.random.default_rng(0)
X = _rng.standard_normal((4, 5))
XN = X.copy()
XN[0, 1] = np.nan
XN[2, :] = np.nan
INTS = np.array([[12, 18, 7], [0, 5, -9]])


def both(expr):
    """The same call on ember and torch: ``expr(lib, *tensors)``."""
    return (lambda *a: expr(ember, *a)), (lambda *a: expr(torch, *a))


DIFFERENTIABLE = [
    ("kthvalue", lambda L, t: t.kthvalue(2, 1), [X]),
    ("kthvalue_keepdim", lambda L, t: L.kthvalue(t, 3, 0, True), [X]),
    ("quantile", lambda L, t: L.quantile(t, 0.3, dim=1), [X]),
    ("quantile_all", lambda L, t: L.quantile(t, 0.75), [X]),
    *[(f"quantile_{m}", lambda L, t, q, m=m: L.quantile(t, q, dim=0, keepdim=True,
                                                          interpolation=m),
       [X, np.array([0.1, 0.5, 0.95])])
      for m in ("linear", "lower", "higher", "midpoint", "nearest")],
    ("cov", lambda L, t: L.cov(t), [X]),
    ("cov_weighted", lambda L, t, a: L.cov(t, correction=2, fweights=L.tensor([1, 2, 1, 3, 1]),
                                           aweights=a), [X, np.linspace(0.5, 2, 5)]),
    ("corrcoef", lambda L, t: L.corrcoef(t), [X]),
    ("diff", lambda L, t: L.diff(t, 2, 0), [X]),
    ("diff_prepend", lambda L, t, p: t.diff(dim=1, prepend=p), [X, X[:, :2]]),
    ("logcumsumexp", lambda L, t: L.logcumsumexp(t * 100, 1), [X]),
    ("trapezoid", lambda L, t: L.trapezoid(t), [X]),
    ("trapezoid_x", lambda L, t, x: L.trapezoid(t, x), [X, np.linspace(0, 1, 5)]),
    ("trapz_dx", lambda L, t: L.trapz(t, dx=0.5, dim=0), [X]),
    ("cumulative_trapezoid", lambda L, t: L.cumulative_trapezoid(t, dx=0.5), [X]),
    # (torch's gradient is 0 where the exponent is negative: it computes 2 ** e in integers)
    ("ldexp", lambda L, t: L.ldexp(t, L.tensor([1, 2, 3, 4, 0])), [X]),
    ("rot90", lambda L, t: L.rot90(t, 3, [1, 0]), [X]),
    ("rot90_2", lambda L, t: t.rot90(2), [X]),
    ("diagflat", lambda L, t: L.diagflat(t[:2, :2], 1), [X]),
    ("block_diag", lambda L, t: L.block_diag(t, t[:2, :3], t[0]), [X]),
    ("hsplit", lambda L, t: L.hsplit(t, [1, 3]), [X]),
    ("vsplit", lambda L, t: L.vsplit(t, 2), [X]),
    ("dsplit", lambda L, t: L.dsplit(t.reshape(2, 2, 5), [2]), [X]),
    ("split_with_sizes", lambda L, t: t.split_with_sizes([2, 3], 1), [X]),
    ("diagonal_scatter", lambda L, t, s: L.diagonal_scatter(t, s, 1), [X, np.ones(4)]),
    ("select_scatter", lambda L, t, s: L.select_scatter(t, s, 1, 2), [X, np.ones(4)]),
    ("slice_scatter", lambda L, t, s: L.slice_scatter(t, s, 1, 1, 5, 2), [X, np.ones((4, 2))]),
    ("put", lambda L, t, s: t.put(L.tensor([0, 3, 3, -1]), s, True), [X, np.ones(4)]),
    ("index_reduce", lambda L, t, s: t.index_reduce(0, L.tensor([0, 2, 0]), s, "mean"),
     [X, _rng.standard_normal((3, 5))]),
    ("renorm", lambda L, t: t.renorm(2, 0, 1.5), [X]),
    ("dist", lambda L, t, u: L.dist(t, u, 3), [X, X[::-1].copy()]),
    ("narrow_copy", lambda L, t: t.narrow_copy(1, 1, 3), [X]),
]


@pytest.mark.parametrize("name,expr,args", DIFFERENTIABLE, ids=[c[0] for c in DIFFERENTIABLE])
def test_differentiable_ops_match_torch(name, expr, args):
    check_op(*both(expr), *args, atol=1e-10, rtol=1e-9)


GRADCHECK = ["quantile", "cov_weighted", "corrcoef", "diff", "logcumsumexp", "trapezoid_x",
             "rot90", "block_diag", "vander", "diagonal_scatter", "put", "renorm", "dist"]


@pytest.mark.parametrize("name", GRADCHECK)
def test_gradients_match_finite_differences(name):
    _, expr, args = next(c for c in DIFFERENTIABLE + NO_GRAD if c[0] == name)
    small = [a[:3, :4] if a.ndim == 2 and a.shape == X.shape and name not in
             ("put", "diagonal_scatter", "trapezoid_x", "cov_weighted") else a for a in args]
    gradcheck_op(lambda *t: expr(ember, *t), *small, second_order=name in ("diff", "rot90"))


def test_logcumsumexp_is_stable_where_the_naive_form_overflows():
    x = np.array([-1000.0, 0.0, 1000.0, 1000.0])
    check_op(*both(lambda L, t: L.logcumsumexp(t, 0)), x, atol=1e-10, rtol=1e-12)


NO_GRAD = [
    ("quantile_nan", lambda L, t: L.quantile(t, 0.4, dim=1), [XN]),
    ("nanquantile", lambda L, t: L.nanquantile(t, 0.4, dim=1), [XN]),
    ("nanquantile_all", lambda L, t: L.nanquantile(t, L.tensor([0.2, 0.9],
                                                               dtype=L.float64)), [XN]),
    ("histogram", lambda L, t: L.histogram(t, 5), [X]),
    ("histogram_range_weight", lambda L, t: L.histogram(t, 4, range=(-1.0, 1.0),
                                                        weight=t.abs(), density=True), [X]),
    ("histogram_edges", lambda L, t: L.histogram(t, L.tensor([-2.0, 0.0, 0.5, 3.0],
                                                             dtype=L.float64)), [X]),
    ("diff_bool", lambda L, t: L.diff(t > 0), [X]),
    ("gcd", lambda L, a, b: L.gcd(a, b), [INTS, np.array([8, 12, 21])]),
    ("lcm", lambda L, a, b: a.lcm(b), [INTS, np.array([8, 12, 21])]),
    ("frexp", lambda L, t: L.frexp(t), [X]),
    ("nextafter", lambda L, t: L.nextafter(t, L.zeros(5, dtype=L.float64)), [X]),
    ("cartesian_prod", lambda L, a, b: L.cartesian_prod(a, b), [np.arange(3), np.arange(2)]),
    ("combinations", lambda L, a: L.combinations(a, 3, True), [np.arange(4)]),
    ("combinations_pairs", lambda L, a: L.combinations(a), [np.arange(4)]),
    ("tril_indices", lambda L: L.tril_indices(4, 5, 1), []),
    ("triu_indices", lambda L: L.triu_indices(4, 3, -1), []),
    ("unravel_index", lambda L, a: L.unravel_index(a, (3, 4)), [np.array([0, 5, 11, -1])]),
    ("vander_int", lambda L, a: L.vander(a, 4), [np.arange(1, 4)]),
    # torch's own vander backward fails ("modified by an inplace operation"): values only
    ("vander", lambda L, t: L.vander(t, increasing=True), [X[0]]),
    ("is_same_size", lambda L, t: t.is_same_size(t[0]), [X]),
    *[(f"{w}_window_{p}", lambda L, w=w, p=p: getattr(L, f"{w}_window")(7, p), [])
      for w in ("hann", "hamming", "blackman", "bartlett", "kaiser") for p in (True, False)],
    ("hamming_window_params", lambda L: L.hamming_window(6, False, 0.5, 0.4,
                                                         dtype=L.float64), []),
    ("window_short", lambda L: (L.hann_window(1), L.hann_window(0)), []),
]


@pytest.mark.parametrize("name,expr,args", NO_GRAD, ids=[c[0] for c in NO_GRAD])
def test_values_match_torch(name, expr, args):
    check_op(*both(expr), *args, grad=False, atol=1e-6, rtol=1e-6)


def test_in_place_number_functions_match_torch():
    for name in ("gcd_", "lcm_"):
        a, b = INTS.copy(), np.array([8, 12, 21])
        e, t = ember.tensor(a), torch.tensor(a)
        getattr(e, name)(ember.tensor(b))
        getattr(t, name)(torch.tensor(b))
        np.testing.assert_array_equal(e.numpy(), t.numpy())


ERRORS = [
    lambda L, t: L.kthvalue(t, 9, 1),
    lambda L, t: L.quantile(t, 1.5),
    lambda L, t: L.quantile(t.long(), 0.5),
    lambda L, t: L.cov(t.reshape(2, 2, 5)),
    lambda L, t: L.diff(t.sum()),
    lambda L, t: L.rot90(t, 1, [0]),
    lambda L, t: L.rot90(t, 1, [1, 1]),
    lambda L, t: L.rot90(t[0]),
    lambda L, t: L.vsplit(t[0], 2),
    lambda L, t: L.hsplit(t, 2),
    lambda L, t: L.select_scatter(t, L.ones(3, dtype=L.float64), 1, 2),
    lambda L, t: t.put(L.tensor([0, 40]), L.ones(2, dtype=L.float64)),
    lambda L, t: t.split_with_sizes([2, 2], 1),
    lambda L, t: L.gcd(t, t),
    lambda L, t: L.combinations(t),
    lambda L, t: L.hann_window(-1),
    lambda L, t: L.hann_window(3, dtype=L.int64),
]


@pytest.mark.parametrize("call", ERRORS)
def test_errors_match_torch(call):
    # torch prints its C++ tensor options after this one; the sentence before is the same
    match = "expects floating point dtypes" if call is ERRORS[-1] else None
    check_error(lambda t: call(ember, t), lambda t: call(torch, t), X, match=match)
