"""torch.linalg vander, tensorinv, tensorsolve, solve_triangular, cond and the *_ex variants."""
from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

import ember
from helpers import check_error, check_op, gradcheck_op

torch = pytest.importorskip("torch", reason="torch is not installed; differential tests skipped")

RNG = np.random.default_rng(0)


def _well_conditioned(*shape):
    n = shape[-1]
    return RNG.standard_normal(shape) + 3 * n * np.eye(n)


@pytest.mark.parametrize("shape,N", [((4,), None), ((2, 3), 5), ((3,), 2)])
def test_vander(shape, N):
    x = RNG.standard_normal(shape)
    x.flat[0] = 0.0  # the derivative at zero must stay finite
    check_op(lambda t: ember.linalg.vander(t, N=N), lambda t: torch.linalg.vander(t, N=N), x)
    gradcheck_op(lambda t: ember.linalg.vander(t, N=N), x)


def test_vander_integer_and_errors():
    check_op(ember.linalg.vander, torch.linalg.vander, np.array([1, 2, 3]), grad=False)
    check_error(lambda t: ember.linalg.vander(t, N=1), lambda t: torch.linalg.vander(t, N=1),
                np.ones(3))


@pytest.mark.parametrize("shape,ind", [((6, 2, 3), 1), ((2, 3, 3, 2), 2)])
def test_tensorinv(shape, ind):
    p = math.prod(shape[:ind])
    a = _well_conditioned(p, p).reshape(shape)
    check_op(lambda t: ember.linalg.tensorinv(t, ind), lambda t: torch.linalg.tensorinv(t, ind),
             a, atol=1e-6)


@pytest.mark.parametrize("shape,ind", [((4, 3), 1), ((6, 2, 3), 0)])
def test_tensorinv_errors(shape, ind):
    check_error(lambda t: ember.linalg.tensorinv(t, ind), lambda t: torch.linalg.tensorinv(t, ind),
                RNG.standard_normal(shape))


@pytest.mark.parametrize("dims", [None, (0,)])
def test_tensorsolve(dims):
    a = _well_conditioned(6, 6).reshape(2, 3, 6) if dims is None else \
        _well_conditioned(6, 6).T.reshape(6, 2, 3)
    b = RNG.standard_normal((2, 3))
    check_op(lambda x, y: ember.linalg.tensorsolve(x, y, dims),
             lambda x, y: torch.linalg.tensorsolve(x, y, dims), a, b, atol=1e-6)


@pytest.mark.parametrize("upper,left,unit", [(True, True, False), (False, True, True),
                                             (True, False, False), (False, False, True)])
def test_solve_triangular(upper, left, unit):
    a = _well_conditioned(2, 3, 3)
    b = RNG.standard_normal((3, 4) if left else (4, 3))

    def run(lib):
        return lambda x, y: lib.linalg.solve_triangular(x, y, upper=upper, left=left,
                                                        unitriangular=unit)
    check_op(run(ember), run(torch), a, b, atol=1e-6)
    gradcheck_op(run(ember), a, b, second_order=False)


def test_solve_triangular_wants_matrices():
    check_error(lambda x, y: ember.linalg.solve_triangular(x, y, upper=True),
                lambda x, y: torch.linalg.solve_triangular(x, y, upper=True),
                np.eye(3), np.ones(3))


@pytest.mark.parametrize("p", [None, 2, -2, "fro", "nuc", 1, -1, math.inf, -math.inf])
def test_cond(p):
    a = RNG.standard_normal((2, 3, 3))
    # torch's own backward fails for the orders that go through the inverse (an in-place
    # write on a saved tensor), so those compare values here and check gradients numerically
    through_svd = p in (None, 2, -2)
    check_op(lambda t: ember.linalg.cond(t, p), lambda t: torch.linalg.cond(t, p), a,
             atol=1e-6, rtol=1e-5, grad=through_svd)
    if not through_svd:
        gradcheck_op(lambda t: ember.linalg.cond(t, p), a, second_order=False)


def test_cond_of_singular_matrix_is_inf():
    for p in ("fro", 1):
        assert ember.linalg.cond(ember.zeros(2, 2), p).item() == math.inf
        assert torch.linalg.cond(torch.zeros(2, 2), p).item() == math.inf


def _singular_batch():
    a = _well_conditioned(3, 3, 3)
    a[1] = 0.0
    a[2, :, 0] = a[2, :, 1]
    return a


@pytest.mark.parametrize("name,extra", [("inv_ex", ()), ("solve_ex", (np.ones((3, 3, 2)),))])
def test_ex_info_marks_singular_matrices(name, extra):
    a = _singular_batch()
    ours = getattr(ember.linalg, name)(ember.tensor(a), *map(ember.tensor, extra))
    theirs = getattr(torch.linalg, name)(torch.tensor(a), *map(torch.tensor, extra))
    assert type(ours).__name__ == type(theirs).__name__ and ours.n_fields == theirs.n_fields
    np.testing.assert_array_equal(ours.info.numpy(), theirs.info.numpy())
    assert str(ours.info.dtype) == str(theirs.info.dtype) == "torch.int32"
    np.testing.assert_allclose(ours[0][0].numpy(), theirs[0][0].numpy(), atol=1e-8)


def test_cholesky_ex_info_and_values():
    a = np.stack([_well_conditioned(3, 3) @ _well_conditioned(3, 3).T,
                  np.array([[1.0, 2, 0], [2, 1, 0], [0, 0, 1]])])
    ours, theirs = ember.linalg.cholesky_ex(ember.tensor(a)), torch.linalg.cholesky_ex(
        torch.tensor(a))
    np.testing.assert_array_equal(ours.info.numpy(), theirs.info.numpy())
    np.testing.assert_allclose(ours.L[0].numpy(), theirs.L[0].numpy(), atol=1e-8)


@pytest.mark.parametrize("name", ["inv_ex", "cholesky_ex"])
def test_ex_gradients_and_check_errors(name):
    a = _well_conditioned(3, 3)
    a = a @ a.T
    check_op(lambda t: getattr(ember.linalg, name)(t)[0],
             lambda t: getattr(torch.linalg, name)(t)[0], a, atol=1e-6)
    check_error(lambda t: getattr(ember.linalg, name)(t, check_errors=True),
                lambda t: getattr(torch.linalg, name)(t, check_errors=True), np.zeros((2, 2)))


@pytest.mark.filterwarnings("ignore:.*(frobenius|nuclear)_norm is deprecated")
@pytest.mark.parametrize("dim,keepdim", [((1, 2), False), ((1,), True), (0, False)])
def test_frobenius_norm(dim, keepdim):
    check_op(lambda t: ember.frobenius_norm(t, dim, keepdim),
             lambda t: torch.frobenius_norm(t, dim, keepdim), RNG.standard_normal((2, 3, 4)))


@pytest.mark.filterwarnings("ignore:.*(frobenius|nuclear)_norm is deprecated")
def test_frobenius_norm_wants_at_most_two_dims():
    check_error(lambda t: ember.frobenius_norm(t, (0, 1, 2)),
                lambda t: torch.frobenius_norm(t, (0, 1, 2)), np.ones((2, 2, 2)))


@pytest.mark.filterwarnings("ignore:.*(frobenius|nuclear)_norm is deprecated")
@pytest.mark.parametrize("args", [(), (True,), ((0, 2),), ((1, 2), True)])
def test_nuclear_norm(args):
    check_op(lambda t: ember.nuclear_norm(t, *args), lambda t: torch.nuclear_norm(t, *args),
             RNG.standard_normal((2, 3, 4)), atol=1e-6)


def _lower_factor(*shape):
    return np.tril(RNG.standard_normal(shape)) + 2 * np.eye(shape[-1])


@pytest.mark.parametrize("upper,transpose,unit", [(True, False, False), (False, True, False),
                                                  (False, False, True)])
def test_triangular_solve(upper, transpose, unit):
    a = _lower_factor(2, 3, 3)
    a = np.swapaxes(a, -1, -2) if upper else a

    def run(lib):
        def call(b, A):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                return lib.triangular_solve(b, A, upper, transpose, unit)
        return call
    ours, _ = check_op(run(ember), run(torch), RNG.standard_normal((2, 3, 2)), a, atol=1e-6)
    assert type(ours).__name__ == "triangular_solve"
    assert ours.n_fields == 2 and ours.cloned_coefficient.shape == (2, 3, 3)


def test_triangular_solve_wants_matrices():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        check_error(ember.triangular_solve, torch.triangular_solve, np.ones(2), np.eye(2))


@pytest.mark.parametrize("upper", [False, True])
def test_cholesky_solve_and_inverse(upper):
    low = _lower_factor(2, 3, 3)
    factor = np.swapaxes(low, -1, -2) if upper else low
    b = RNG.standard_normal((2, 3, 2))
    check_op(lambda x, f: ember.cholesky_solve(x, f, upper),
             lambda x, f: torch.cholesky_solve(x, f, upper), b, factor, atol=1e-6)
    check_op(lambda f: ember.cholesky_inverse(f, upper),
             lambda f: torch.cholesky_inverse(f, upper), factor, atol=1e-6)


def test_cholesky_solve_wants_matrices():
    check_error(ember.cholesky_solve, torch.cholesky_solve, np.ones(2), np.eye(2))


@pytest.mark.parametrize("name", ["frobenius_norm", "nuclear_norm"])
def test_deprecated_norms_warn(name):
    args = ((0, 1),) if name == "frobenius_norm" else ()
    with pytest.warns(UserWarning, match=f"{name} is deprecated"):
        getattr(ember, name)(ember.ones(2, 2), *args)


def test_legacy_solvers_as_tensor_methods():
    factor, b = _lower_factor(3, 3), RNG.standard_normal((3, 2))
    for method, args in (("cholesky_solve", (factor,)), ("cholesky_inverse", ()),
                         ("triangular_solve", (factor, False))):
        on = b if args else factor
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ours = getattr(ember.tensor(on), method)(*[ember.tensor(a) if isinstance(a, np.ndarray)
                                                       else a for a in args])
            theirs = getattr(torch.tensor(on), method)(*[torch.tensor(a) if isinstance(
                a, np.ndarray) else a for a in args])
        np.testing.assert_allclose(np.asarray(ours[0] if method == "triangular_solve" else ours),
                                   np.asarray(theirs[0] if method == "triangular_solve"
                                              else theirs), atol=1e-8)
