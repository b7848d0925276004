"""Reductions against real PyTorch: values, dtypes, shapes, named results, gradients, errors."""
import pickle

import pytest

torch = pytest.importorskip("torch", reason="differential tests need PyTorch as the reference")

import numpy as np  # noqa: E402
from hypothesis import given, settings, strategies as st  # noqa: E402
from hypothesis.extra import numpy as hnp  # noqa: E402

import ember  # noqa: E402
from helpers import check_error, check_op, gradcheck_op, to_ember  # noqa: E402

SETTINGS = settings(max_examples=15, deadline=None)
nonempty = hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=4)


def _distinct(shape, seed=0, dtype=np.float32):
    """Values without ties, so selected indices are unambiguous."""
    n = int(np.prod(shape))
    return np.random.default_rng(seed).permutation(n).reshape(shape).astype(dtype) * 0.37 - 1


@st.composite
def shape_and_dims(draw, min_side=1):
    shape = draw(hnp.array_shapes(min_dims=1, max_dims=3, min_side=min_side, max_side=4))
    dims = draw(st.lists(st.integers(-len(shape), len(shape) - 1), min_size=1,
                         max_size=len(shape), unique_by=lambda d: d % len(shape)))
    return shape, tuple(dims), draw(st.booleans())


@pytest.mark.parametrize("name", ["sum", "mean", "amax", "amin", "nansum", "nanmean",
                                  "logsumexp", "var", "std"])
@SETTINGS
@given(sdk=shape_and_dims())
def test_multi_dim_reductions(name, sdk):
    shape, dims, keepdim = sdk
    x = _distinct(shape)
    check_op(lambda t: getattr(ember, name)(t, dims, keepdim=keepdim),
             lambda t: getattr(torch, name)(t, dims, keepdim=keepdim), x)


@pytest.mark.parametrize("name", ["sum", "mean", "amax", "amin", "prod", "nansum", "var",
                                  "std", "norm", "max", "min", "median", "nanmean"])
@SETTINGS
@given(shape=hnp.array_shapes(min_dims=0, max_dims=3, min_side=1, max_side=4))
def test_full_reductions(name, shape):
    check_op(getattr(ember, name), getattr(torch, name), _distinct(shape) * 0.5)


@pytest.mark.parametrize("name", ["max", "min", "median", "nanmedian", "mode", "cummax",
                                  "cummin"])
@SETTINGS
@given(shape=nonempty, data=st.data())
def test_named_tuple_reductions_along_dim(name, shape, data):
    dim = data.draw(st.integers(-len(shape), len(shape) - 1))
    x = _distinct(shape)
    if name in ("cummax", "cummin"):
        e, t = check_op(lambda a: getattr(ember, name)(a, dim),
                        lambda a: getattr(torch, name)(a, dim), x)
    else:
        keepdim = data.draw(st.booleans())
        e, t = check_op(lambda a: getattr(ember, name)(a, dim, keepdim),
                        lambda a: getattr(torch, name)(a, dim, keepdim), x)
    assert type(e).__name__ == type(t).__name__
    assert e.values is e[0] and e.indices is e[1]


@pytest.mark.parametrize("name", ["argmax", "argmin"])
@SETTINGS
@given(shape=nonempty, data=st.data())
def test_argmax_argmin(name, shape, data):
    x = _distinct(shape)
    check_op(getattr(ember, name), getattr(torch, name), x)
    dim = data.draw(st.integers(-len(shape), len(shape) - 1))
    keepdim = data.draw(st.booleans())
    check_op(lambda a: getattr(ember, name)(a, dim, keepdim),
             lambda a: getattr(torch, name)(a, dim, keepdim), x)


def test_argmax_first_of_ties_and_nan_wins():
    check_op(ember.argmax, torch.argmax, np.array([1.0, 3.0, 3.0], np.float32))
    check_op(lambda t: ember.argmax(t, 0), lambda t: torch.argmax(t, 0),
             np.array([1.0, np.nan, 3.0], np.float32))
    check_op(lambda t: ember.max(t, 0), lambda t: torch.max(t, 0),
             np.array([1.0, np.nan, 3.0], np.float32), grad=False)


@pytest.mark.parametrize("dim", [0, 1, -1])
def test_prod_and_cumulative_scans(dim):
    x = _distinct((3, 4)) + 0.1
    check_op(lambda t: ember.prod(t, dim), lambda t: torch.prod(t, dim), x)
    check_op(lambda t: ember.prod(t, dim, keepdim=True),
             lambda t: torch.prod(t, dim, keepdim=True), x)
    check_op(lambda t: ember.cumsum(t, dim), lambda t: torch.cumsum(t, dim), x)
    check_op(lambda t: ember.cumprod(t, dim), lambda t: torch.cumprod(t, dim), x)


@pytest.mark.parametrize("fn", ["prod", "cumprod"])
def test_products_with_zeros_have_torch_gradients(fn):
    x = np.array([[2.0, 0.0, 3.0, 0.5], [0.0, 0.0, 1.5, 2.0]], dtype=np.float32)
    check_op(lambda t: getattr(ember, fn)(t, 1), lambda t: getattr(torch, fn)(t, 1), x)
    if fn == "prod":
        check_op(ember.prod, torch.prod, x[0])


def test_cummax_ties_and_nan():
    x = np.array([1.0, 3.0, 3.0, 2.0, np.nan, 5.0, np.nan], np.float32)
    check_op(lambda t: ember.cummax(t, 0), lambda t: torch.cummax(t, 0), x, grad=False)
    check_op(lambda t: ember.cummin(t, 0), lambda t: torch.cummin(t, 0), -x, grad=False)


def test_max_without_dim_shares_gradient_among_ties():
    x = np.array([[1.0, 4.0], [4.0, 2.0]], np.float32)
    for name in ("max", "min", "amax", "amin", "median"):
        check_op(getattr(ember, name), getattr(torch, name), x)
    check_op(lambda t: ember.amax(t, 1), lambda t: torch.amax(t, 1),
             np.array([[4.0, 4.0, 1.0]], np.float32))


def test_mode_prefers_smallest_value_and_last_index():
    x = np.array([[1.0, 2.0, 2.0, 3.0, 3.0, 1.0], [5.0, 4.0, 4.0, 5.0, 6.0, 4.0]], np.float32)
    check_op(lambda t: ember.mode(t), lambda t: torch.mode(t), x)
    check_op(lambda t: ember.mode(t, 0), lambda t: torch.mode(t, 0), x)


def test_median_nan_and_nanmedian():
    x = np.array([[1.0, np.nan, 3.0, 2.0], [4.0, 0.5, 2.0, 8.0]], np.float32)
    check_op(lambda t: ember.median(t, 1), lambda t: torch.median(t, 1), x, grad=False)
    check_op(lambda t: ember.nanmedian(t, 1), lambda t: torch.nanmedian(t, 1), x, grad=False)
    check_op(ember.nanmedian, torch.nanmedian, x, grad=False)
    check_op(ember.median, torch.median, x, grad=False)


@pytest.mark.parametrize("kwargs", [{}, {"correction": 0}, {"correction": 2},
                                    {"unbiased": False}, {"keepdim": True}])
def test_var_std_corrections(kwargs):
    x = _distinct((3, 5))
    for name in ("var", "std", "var_mean", "std_mean"):
        check_op(lambda t: getattr(ember, name)(t, 1, **kwargs),
                 lambda t: getattr(torch, name)(t, 1, **kwargs), x)


def test_var_positional_unbiased():
    x = _distinct((4,))
    check_op(lambda t: ember.var(t, False), lambda t: torch.var(t, False), x)
    check_op(lambda t: ember.std(t, 0, True, True), lambda t: torch.std(t, 0, True, True), x)


def test_var_of_single_element_is_nan():
    check_op(ember.var, torch.var, np.array([1.0], np.float32), grad=False)


@pytest.mark.parametrize("p", [1, 2, 3, 0.5, float("inf"), float("-inf"), 0, "fro"])
def test_norm(p):
    x = _distinct((3, 4))
    check_op(lambda t: ember.norm(t, p), lambda t: torch.norm(t, p), x)
    check_op(lambda t: ember.norm(t, p, dim=1, keepdim=True),
             lambda t: torch.norm(t, p, dim=1, keepdim=True), x)


def test_norm_of_zero_vector_has_zero_gradient():
    check_op(ember.norm, torch.norm, np.zeros(3, np.float32))


def test_logsumexp_is_stable_and_handles_inf():
    x = np.array([[1000.0, 1000.0], [-np.inf, -np.inf], [np.inf, 1.0]], np.float32)
    check_op(lambda t: ember.logsumexp(t, 1), lambda t: torch.logsumexp(t, 1), x, grad=False)
    check_op(lambda t: ember.logsumexp(t, 1), lambda t: torch.logsumexp(t, 1), x[:1])
    check_op(lambda t: ember.logsumexp(t, 0), lambda t: torch.logsumexp(t, 0),
             np.array([1, 2, 3]))


@pytest.mark.parametrize("dtype", [np.bool_, np.int8, np.int32, np.uint8])
def test_integer_sums_are_int64(dtype):
    x = np.array([[1, 0, 1], [1, 1, 0]]).astype(dtype)
    for fn in (lambda t: t.sum(), lambda t: t.sum(0), lambda t: t.prod(1),
               lambda t: t.cumsum(1), lambda t: t.cumprod(0), lambda t: t.sum(dtype=t.dtype)):
        check_op(fn, fn, x)


def test_sum_and_mean_dtype_argument():
    x = np.array([1, 2, 3], np.int32)
    check_op(lambda t: t.sum(dtype=ember.float64), lambda t: t.sum(dtype=torch.float64), x)
    check_op(lambda t: t.mean(dtype=ember.float32), lambda t: t.mean(dtype=torch.float32), x)


def test_mean_of_integers_raises():
    check_error(ember.mean, torch.mean, np.array([1, 2]))
    check_error(ember.var, torch.var, np.array([1, 2]))


@pytest.mark.parametrize("name", ["all", "any"])
def test_all_any(name):
    x = np.array([[1.0, 0.0, 2.0], [3.0, 4.0, 5.0]], np.float32)
    for args in ((), (0,), (1, True), ((0, 1),)):
        check_op(lambda t: getattr(ember, name)(t, *args),
                 lambda t: getattr(torch, name)(t, *args), x)
    check_op(getattr(ember, name), getattr(torch, name), x.astype(np.uint8))


def test_count_nonzero():
    x = np.array([[1, 0], [2, 3]])
    check_op(ember.count_nonzero, torch.count_nonzero, x)
    check_op(lambda t: ember.count_nonzero(t, dim=0), lambda t: torch.count_nonzero(t, dim=0), x)
    check_op(lambda t: ember.count_nonzero(t, dim=(0, 1)),
             lambda t: torch.count_nonzero(t, dim=(0, 1)), x)


def test_nan_reductions():
    x = np.array([[1.0, np.nan], [3.0, 4.0]], np.float32)
    check_op(ember.nansum, torch.nansum, x)
    check_op(ember.nanmean, torch.nanmean, x)
    check_op(lambda t: ember.nanmean(t, 1), lambda t: torch.nanmean(t, 1), x)
    check_op(ember.sum, torch.sum, x, grad=False)


def test_aminmax():
    x = _distinct((3, 4))
    check_op(ember.aminmax, torch.aminmax, x)
    e, t = check_op(lambda a: ember.aminmax(a, dim=1, keepdim=True),
                    lambda a: torch.aminmax(a, dim=1, keepdim=True), x)
    assert e.min is e[0] and e.max is e[1]


def test_empty_reductions():
    x = np.zeros((0, 3), np.float32)
    for fn in (lambda t: t.sum(), lambda t: t.sum(0), lambda t: t.mean(0), lambda t: t.prod(0),
               lambda t: t.amax(1), lambda t: t.max(1), lambda t: t.mean(),
               lambda t: t.cumsum(0), lambda t: t.all(), lambda t: t.any(1)):
        check_op(fn, fn, x)


def test_extreme_of_empty_errors():
    x = np.zeros((0, 3), np.float32)
    for fn in (lambda t: t.max(), lambda t: t.max(0), lambda t: t.argmax(), lambda t: t.amax(),
               lambda t: t.amin(0), lambda t: t.argmin(0)):
        check_error(fn, fn, x)


@pytest.mark.parametrize("fn", [lambda t: t.sum(2), lambda t: t.mean(-3), lambda t: t.max(2),
                                lambda t: t.argmax(5), lambda t: t.cumsum(2),
                                lambda t: t.var(3), lambda t: t.amax((0, 2))])
def test_dim_out_of_range(fn):
    check_error(fn, fn, np.zeros((2, 3), np.float32))


def test_repeated_dim_errors():
    fn = lambda t: t.sum((0, 0))  # noqa: E731
    check_error(fn, fn, np.zeros((2, 3), np.float32))


def test_zero_dim_input_accepts_dim_0_and_minus_1():
    x = np.array(2.5, np.float32)
    for fn in (lambda t: t.sum(0), lambda t: t.max(0), lambda t: t.argmax(-1),
               lambda t: t.cumsum(0), lambda t: t.prod(0), lambda t: t.amax(-1, True),
               lambda t: t.median(0), lambda t: t.cummax(0)):
        check_op(fn, fn, x)


def test_return_type_repr_and_pickle():
    x = np.array([[1.0, 5.0, 3.0], [4.0, 2.0, 6.0]], np.float32)
    e = ember.max(to_ember(x), 1)
    t = torch.max(torch.from_numpy(x), 1)
    assert repr(e) == repr(t)
    values, indices = e
    assert values is e.values and indices is e.indices
    back = pickle.loads(pickle.dumps(e))
    assert type(back) is type(e) and back.indices.tolist() == [1, 2]
    assert repr(ember.return_types.max((1, 2))) == repr(torch.return_types.max((1, 2)))


REDUCTIONS_FD = {
    "sum": lambda t: t.sum(1), "mean": lambda t: t.mean((0, 1)), "prod": lambda t: t.prod(0),
    "amax": lambda t: t.amax(1), "max_dim": lambda t: t.max(1)[0], "min_all": lambda t: t.min(),
    "var": lambda t: t.var(0), "std": lambda t: t.std(1, correction=0),
    "norm": lambda t: t.norm(), "norm3": lambda t: t.norm(3, dim=1),
    "logsumexp": lambda t: t.logsumexp(1), "cumsum": lambda t: t.cumsum(1),
    "cumprod": lambda t: t.cumprod(1), "cummax": lambda t: t.cummax(0)[0],
    "median": lambda t: t.median(1)[0], "mode": lambda t: t.mode(0)[0],
    "nansum": lambda t: t.nansum(0), "nanmean": lambda t: t.nanmean(1),
    "median_all": lambda t: t.median(),
}


@pytest.mark.parametrize("name", sorted(REDUCTIONS_FD))
def test_reduction_gradients_finite_differences(name):
    gradcheck_op(REDUCTIONS_FD[name], _distinct((3, 4), seed=3, dtype=np.float64))


def test_prod_with_zero_gradients_finite_differences():
    x = np.array([[2.0, 0.0, 3.0], [0.5, 1.5, 2.0]])
    gradcheck_op(lambda t: t.prod(1), x)
    gradcheck_op(lambda t: t.cumprod(1), x)
