"""Differential tests of matrix products and ember.linalg against PyTorch."""
import math
import warnings

import numpy as np
import pytest

torch = pytest.importorskip("torch", reason="differential tests need PyTorch as the reference")

from hypothesis import given, settings, strategies as st  # noqa: E402

import ember  # noqa: E402
from helpers import assert_close, check_error, check_op, gradcheck_op, to_ember  # noqa: E402

RNG = np.random.default_rng(1234)


def rand(*shape, dtype=np.float32):
    return RNG.standard_normal(shape).astype(dtype)


def spd(n, batch=()):
    """Well-conditioned symmetric positive-definite matrices."""
    a = RNG.standard_normal(batch + (n, n))
    return a @ np.swapaxes(a, -1, -2) + n * np.eye(n)


def sym(n, batch=()):
    a = RNG.standard_normal(batch + (n, n))
    return a + np.swapaxes(a, -1, -2)


# -- matmul and its special cases ------------------------------------------------------------
MATMUL_SHAPES = [((3,), (3,)), ((2, 3), (3,)), ((3,), (3, 4)), ((2, 3), (3, 4)),
                 ((2, 2, 3), (3,)), ((2, 2, 3), (3, 4)), ((3,), (2, 3, 4)), ((2, 3), (5, 3, 4)),
                 ((2, 2, 3), (2, 3, 4)), ((2, 1, 2, 3), (3, 3, 2)), ((0, 3), (3, 2))]


@pytest.mark.parametrize("sa,sb", MATMUL_SHAPES)
def test_matmul_values_and_grads(sa, sb):
    check_op(ember.matmul, torch.matmul, rand(*sa), rand(*sb))


@pytest.mark.parametrize("sa,sb", MATMUL_SHAPES[:6])
def test_matmul_operator(sa, sb):
    check_op(lambda a, b: a @ b, lambda a, b: a @ b, rand(*sa), rand(*sb))


@pytest.mark.parametrize("sa,sb", [((3,), (3,)), ((2, 3), (3,)), ((3,), (3, 4)),
                                   ((2, 3), (3, 4)), ((2, 2, 3), (3, 4)), ((3,), (2, 3, 4))])
def test_matmul_grad_fn_names(sa, sb):
    a = ember.zeros(*sa, requires_grad=True)
    t = torch.zeros(*sa, requires_grad=True)
    assert type((a @ ember.zeros(*sb)).grad_fn).__name__ == \
        type((t @ torch.zeros(*sb)).grad_fn).__name__


@pytest.mark.parametrize("dtype", [np.int64, np.int32, np.int16, np.uint8, np.float64,
                                   np.float16])
def test_matmul_dtypes(dtype):
    a = RNG.integers(0, 5, (3, 4)).astype(dtype)
    b = RNG.integers(0, 5, (4, 2)).astype(dtype)
    check_op(ember.matmul, torch.matmul, a, b, grad=False, atol=1e-2)


@given(batch=st.lists(st.integers(1, 3), min_size=0, max_size=2),
       m=st.integers(1, 4), k=st.integers(1, 4), n=st.integers(1, 4),
       drop_a=st.integers(0, 2), drop_b=st.integers(0, 2))
@settings(max_examples=25, deadline=None)
def test_matmul_broadcast_batches(batch, m, k, n, drop_a, drop_b):
    sa = tuple(batch[drop_a:]) + (m, k)
    sb = tuple(batch[drop_b:]) + (k, n)
    check_op(ember.matmul, torch.matmul, rand(*sa), rand(*sb))


MATMUL_ERRORS = [((3, 4), (5, 6)), ((3,), (4,)), ((3, 4), (5,)), ((3,), (4, 5)),
                 ((2, 3, 4), (5, 6)), ((2, 3, 4), (5,)), ((2, 3, 4), (2, 5, 6)),
                 ((2, 3, 4), (3, 4, 6)), ((5,), (2, 3, 4)), ((), (3,)), ((3,), ())]


@pytest.mark.parametrize("sa,sb", MATMUL_ERRORS)
def test_matmul_shape_errors(sa, sb):
    check_error(ember.matmul, torch.matmul, np.zeros(sa, np.float32), np.zeros(sb, np.float32))


@pytest.mark.parametrize("sa,sb", [((3, 4), (4, 5)), ((3,), (3,)), ((3, 4), (4,)),
                                   ((2, 3, 4), (2, 4, 5)), ((4,), (4, 5)), ((2, 3, 4), (4, 5))])
@pytest.mark.parametrize("da,db", [(np.float32, np.float64), (np.int64, np.float32),
                                   (np.float16, np.float32), (np.int8, np.int16)])
def test_matmul_dtype_mismatch_errors(sa, sb, da, db):
    check_error(ember.matmul, torch.matmul, np.zeros(sa, da), np.zeros(sb, db))


@pytest.mark.parametrize("sa,sb", [((3, 4), (4, 5)), ((3,), (3,)), ((3, 4), (4,)),
                                   ((2, 3, 4), (2, 4, 5))])
def test_matmul_bool_is_not_implemented(sa, sb):
    check_error(ember.matmul, torch.matmul, np.zeros(sa, bool), np.zeros(sb, bool))


def test_matmul_rejects_a_number():
    check_error(ember.matmul, torch.matmul, np.zeros((3, 4), np.float32), 2)


@pytest.mark.parametrize("fn,sa,sb", [("mm", (3, 4), (4, 5)), ("bmm", (2, 3, 4), (2, 4, 5)),
                                      ("mv", (3, 4), (4,)), ("dot", (4,), (4,)),
                                      ("vdot", (4,), (4,)), ("outer", (3,), (4,)),
                                      ("ger", (3,), (4,)), ("inner", (2, 4), (3, 4)),
                                      ("inner", (), (3, 4)), ("kron", (2, 3), (3, 2)),
                                      ("kron", (2,), (2, 3, 2))])
def test_products(fn, sa, sb):
    check_op(getattr(ember, fn), getattr(torch, fn), rand(*sa), rand(*sb))


@pytest.mark.parametrize("fn,sa,sb", [("mm", (3, 4), (4, 5)), ("bmm", (2, 3, 4), (2, 4, 5)),
                                      ("mv", (3, 4), (4,)), ("dot", (4,), (4,)),
                                      ("inner", (2, 4), (3, 4)), ("kron", (2, 3), (3, 2))])
def test_product_methods(fn, sa, sb):
    check_op(lambda a, b: getattr(a, fn)(b), lambda a, b: getattr(a, fn)(b),
             rand(*sa), rand(*sb))


@pytest.mark.parametrize("fn,sa,sb", [
    ("mm", (3,), (3, 4)), ("mm", (3, 4), (4,)), ("mm", (3, 4), (5, 6)),
    ("bmm", (3, 4), (4, 5)), ("bmm", (2, 3, 4), (2, 4)), ("bmm", (2, 3, 4), (3, 4, 5)),
    ("bmm", (2, 3, 4), (2, 5, 5)), ("mv", (3, 4), (5,)), ("mv", (3, 4, 2), (4,)),
    ("mv", (3, 4), (4, 1)), ("dot", (3,), (4,)), ("dot", (3, 1), (3,)), ("vdot", (3, 1), (3,)),
    ("outer", (3, 4), (2,)), ("inner", (3,), (4,))])
def test_product_errors(fn, sa, sb):
    check_error(getattr(ember, fn), getattr(torch, fn), np.zeros(sa, np.float32),
                np.zeros(sb, np.float32))


@pytest.mark.parametrize("fn,sa,sb", [("dot", (3,), (3,)), ("vdot", (3,), (3,)),
                                      ("mv", (3, 4), (4,)), ("bmm", (2, 3, 4), (2, 4, 5)),
                                      ("mm", (3, 4), (4, 5))])
def test_product_dtype_errors(fn, sa, sb):
    check_error(getattr(ember, fn), getattr(torch, fn), np.zeros(sa, np.float32),
                np.zeros(sb, np.float64))


def test_outer_promotes_dtypes():
    check_op(ember.outer, torch.outer, np.arange(3), rand(4))


def test_integer_dot_keeps_dtype():
    check_op(ember.dot, torch.dot, np.arange(4, dtype=np.int32), np.arange(4, dtype=np.int32))


@pytest.mark.parametrize("dims,sa,sb", [(2, (2, 3, 4), (3, 4, 5)), (1, (2, 3, 4), (4, 5)),
                                        (0, (2, 3), (4,)), (([1, 2], [0, 1]), (2, 3, 4), (3, 4, 5)),
                                        (([0, 2], [1, 0]), (2, 3, 4), (4, 2, 5)),
                                        ([[2], [0]], (2, 3, 4), (4, 5))])
def test_tensordot(dims, sa, sb):
    check_op(lambda a, b: ember.tensordot(a, b, dims=dims),
             lambda a, b: torch.tensordot(a, b, dims=dims), rand(*sa), rand(*sb))


def test_tensordot_size_error():
    check_error(lambda a, b: ember.tensordot(a, b, dims=2),
                lambda a, b: torch.tensordot(a, b, dims=2),
                np.zeros((2, 3, 4), np.float32), np.zeros((3, 5, 5), np.float32))


# -- fused add-products -----------------------------------------------------------------------
ADD_CASES = [("addmm", (3, 5), (3, 4), (4, 5)), ("addmm", (5,), (3, 4), (4, 5)),
             ("addmv", (3,), (3, 4), (4,)), ("baddbmm", (3, 5), (2, 3, 4), (2, 4, 5)),
             ("addbmm", (3, 5), (2, 3, 4), (2, 4, 5)), ("addr", (3, 4), (3,), (4,))]


@pytest.mark.parametrize("fn,sc,sa,sb", ADD_CASES)
@pytest.mark.parametrize("beta,alpha", [(1, 1), (0.5, 2.0)])
def test_add_products(fn, sc, sa, sb, beta, alpha):
    check_op(lambda c, a, b: getattr(ember, fn)(c, a, b, beta=beta, alpha=alpha),
             lambda c, a, b: getattr(torch, fn)(c, a, b, beta=beta, alpha=alpha),
             rand(*sc), rand(*sa), rand(*sb))


@pytest.mark.parametrize("fn,sc,sa,sb", ADD_CASES[:5])
def test_add_products_grad_fn_names(fn, sc, sa, sb):
    a = ember.zeros(*sa, requires_grad=True)
    t = torch.zeros(*sa, requires_grad=True)
    e = getattr(ember, fn)(ember.zeros(*sc), a, ember.zeros(*sb))
    r = getattr(torch, fn)(torch.zeros(*sc), t, torch.zeros(*sb))
    assert type(e.grad_fn).__name__ == type(r.grad_fn).__name__


def test_addmm_beta_zero_ignores_nan_input():
    c = np.full((3, 5), np.nan, np.float32)
    check_op(lambda c, a, b: ember.addmm(c, a, b, beta=0),
             lambda c, a, b: torch.addmm(c, a, b, beta=0), c, rand(3, 4), rand(4, 5),
             grad=False)


@pytest.mark.parametrize("fn,sc,sa,sb", [("addmm", (4,), (3, 4), (4, 5)),
                                         ("addmm", (3, 5), (3,), (4, 5)),
                                         ("addmv", (2,), (3, 4), (4,)),
                                         ("addmv", (3,), (3, 4), (5,)),
                                         ("baddbmm", (3, 5), (2, 3, 4), (3, 4, 5)),
                                         ("addbmm", (3, 5), (2, 3, 4), (3, 4, 5))])
def test_add_product_errors(fn, sc, sa, sb):
    check_error(getattr(ember, fn), getattr(torch, fn), np.zeros(sc, np.float32),
                np.zeros(sa, np.float32), np.zeros(sb, np.float32))


def test_addmm_inplace_method():
    check_op(lambda c, a, b: c.clone().addmm_(a, b, alpha=2),
             lambda c, a, b: c.clone().addmm_(a, b, alpha=2), rand(3, 5), rand(3, 4),
             rand(4, 5))


# -- einsum -----------------------------------------------------------------------------------
EINSUM_CASES = [("ij,jk->ik", [(3, 4), (4, 5)]), ("ij,jk", [(3, 4), (4, 5)]),
                ("bij,bjk->bik", [(2, 3, 4), (2, 4, 5)]), ("i,i->", [(4,), (4,)]),
                ("i,j->ij", [(3,), (4,)]), ("ii->i", [(3, 3)]), ("ii", [(3, 3)]),
                ("ij->ji", [(3, 4)]), ("ij->", [(3, 4)]), ("ij", [(3, 4)]),
                ("...ij,...jk->...ik", [(2, 3, 4), (4, 5)]), ("b...,b->...", [(2, 3, 4), (2,)]),
                ("ij,ij->ij", [(3, 1), (3, 4)]), ("ijk,kl,lm->im", [(2, 3, 4), (4, 5), (5, 2)]),
                ("Ab,ba", [(2, 3), (3, 4)]), ("iij,jk->ik", [(3, 3, 2), (2, 4)]),
                ("ij,k->ijk", [(2, 3), (4,)]), ("i,ij->j", [(4,), (4, 3)])]


@pytest.mark.parametrize("eq,shapes", EINSUM_CASES)
def test_einsum(eq, shapes):
    check_op(lambda *ops: ember.einsum(eq, *ops), lambda *ops: torch.einsum(eq, *ops),
             *[rand(*s) for s in shapes])


@pytest.mark.parametrize("eq,shapes", [("ij,jk->ik", [(3, 4), (4, 5)]), ("ii->i", [(3, 3)]),
                                       ("b...,b->...", [(2, 3, 4), (2,)]),
                                       ("ij->", [(3, 4)]), ("iij,jk->ik", [(3, 3, 2), (2, 4)])])
def test_einsum_gradcheck(eq, shapes):
    gradcheck_op(lambda *ops: ember.einsum(eq, *ops), *[rand(*s) for s in shapes])


def test_einsum_operands_as_list():
    a, b = rand(3, 4), rand(4, 5)
    check_op(lambda a, b: ember.einsum("ij,jk", [a, b]), lambda a, b: torch.einsum("ij,jk", [a, b]),
             a, b)


def test_einsum_sublist_format():
    check_op(lambda a, b: ember.einsum(a, [0, 1], b, [1, 2], [0, 2]),
             lambda a, b: torch.einsum(a, [0, 1], b, [1, 2], [0, 2]), rand(3, 4), rand(4, 5))


def test_einsum_integers():
    check_op(lambda a, b: ember.einsum("ij,j->i", a, b), lambda a, b: torch.einsum("ij,j->i", a, b),
             np.arange(6).reshape(2, 3), np.arange(3), grad=False)


@pytest.mark.parametrize("eq,shapes,dtypes", [
    ("ij,jk", [(3, 4), (5, 6)], None), ("ij,jk->ik", [(3, 4)], None),
    ("ii->i", [(3, 4)], None), ("i,i", [(3,), (3,)], (np.float32, np.float64))])
def test_einsum_errors(eq, shapes, dtypes):
    dtypes = dtypes or [np.float32] * len(shapes)
    check_error(lambda *ops: ember.einsum(eq, *ops), lambda *ops: torch.einsum(eq, *ops),
                *[np.zeros(s, d) for s, d in zip(shapes, dtypes)])


# -- cross, trace, cdist -------------------------------------------------------------------------
@pytest.mark.parametrize("sa,sb,dim", [((4, 3), (4, 3), -1), ((3, 4), (3, 4), 0),
                                       ((4, 3), (1, 3), 1), ((2, 3, 3), (2, 3, 3), 1)])
def test_linalg_cross(sa, sb, dim):
    check_op(lambda a, b: ember.linalg.cross(a, b, dim=dim),
             lambda a, b: torch.linalg.cross(a, b, dim=dim), rand(*sa), rand(*sb))
    check_op(lambda a, b: ember.cross(a, b, dim=dim), lambda a, b: torch.cross(a, b, dim=dim),
             rand(*sa), rand(*sb))


def test_cross_default_dim_is_first_of_size_3_and_warns():
    a, b = rand(3, 4), rand(3, 4)
    with pytest.warns(UserWarning, match="without specifying the dim"):
        e = ember.cross(to_ember(a), to_ember(b))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert_close(e, torch.cross(torch.from_numpy(a), torch.from_numpy(b)))


@pytest.mark.parametrize("sa,sb", [((3, 4), (3, 4)), ((4, 3), (3,))])
def test_linalg_cross_errors(sa, sb):
    check_error(ember.linalg.cross, torch.linalg.cross, np.zeros(sa, np.float32),
                np.zeros(sb, np.float32))


def test_cross_gradcheck():
    gradcheck_op(lambda a, b: ember.linalg.cross(a, b), rand(2, 3), rand(2, 3))


@pytest.mark.parametrize("shape", [(3, 3), (3, 5), (5, 2)])
def test_trace(shape):
    check_op(ember.trace, torch.trace, rand(*shape))
    gradcheck_op(ember.trace, rand(*shape))


def test_trace_of_ints_is_int64():
    check_op(ember.trace, torch.trace, np.arange(9, dtype=np.int32).reshape(3, 3), grad=False)


def test_trace_needs_a_matrix():
    check_error(ember.trace, torch.trace, np.zeros(3, np.float32))


@pytest.mark.parametrize("p", [0.0, 1.0, 2.0, 3.0, math.inf])
def test_cdist(p):
    check_op(lambda a, b: ember.cdist(a, b, p=p), lambda a, b: torch.cdist(a, b, p=p),
             rand(2, 4, 3), rand(2, 5, 3), atol=1e-4)


@pytest.mark.parametrize("p", [1.0, 2.0, 3.0])
def test_cdist_gradcheck(p):
    gradcheck_op(lambda a, b: ember.cdist(a, b, p=p), rand(3, 2), rand(4, 2),
                 second_order=p != 1.0)


def test_cdist_zero_distance_has_zero_gradient():
    x = rand(3, 2)
    check_op(ember.cdist, torch.cdist, x, x.copy())


@pytest.mark.parametrize("sa,sb", [((3, 4), (5, 3)), ((3,), (5, 3))])
def test_cdist_errors(sa, sb):
    check_error(ember.cdist, torch.cdist, np.zeros(sa, np.float32), np.zeros(sb, np.float32))


# -- norms -------------------------------------------------------------------------------------
@pytest.mark.parametrize("ord", [2, 1, 0, 3, 0.5, -1, math.inf, -math.inf])
@pytest.mark.parametrize("dim,keepdim", [(None, False), (1, False), ((0, 2), True), (-1, True)])
def test_vector_norm(ord, dim, keepdim):
    check_op(lambda x: ember.linalg.vector_norm(x, ord, dim, keepdim),
             lambda x: torch.linalg.vector_norm(x, ord, dim, keepdim), rand(2, 3, 4), atol=1e-4)


@pytest.mark.parametrize("ord", [2, 1, 3, 0.5, math.inf])
def test_vector_norm_gradcheck(ord):
    gradcheck_op(lambda x: ember.linalg.vector_norm(x, ord, 1), rand(2, 4),
                 second_order=ord not in (1, math.inf))


@pytest.mark.parametrize("ord", [2, 0.5, math.inf, 1])
def test_vector_norm_grad_at_zero_entries(ord):
    check_op(lambda x: ember.linalg.vector_norm(x, ord), lambda x: torch.linalg.vector_norm(x, ord),
             np.array([1.0, 0.0, -3.0, 3.0], np.float32))
    check_op(lambda x: ember.linalg.vector_norm(x, ord), lambda x: torch.linalg.vector_norm(x, ord),
             np.zeros(3, np.float32))


def test_vector_norm_dtype_argument():
    check_op(lambda x: ember.linalg.vector_norm(x, dtype=ember.float64),
             lambda x: torch.linalg.vector_norm(x, dtype=torch.float64), rand(3, 4))


def test_vector_norm_of_complex_is_real():
    x = (rand(4) + 1j * rand(4)).astype(np.complex64)
    check_op(ember.linalg.vector_norm, torch.linalg.vector_norm, x, grad=False)


@pytest.mark.parametrize("ord", ["fro", "nuc", 1, -1, 2, -2, math.inf, -math.inf])
@pytest.mark.parametrize("shape,dim,keepdim", [((3, 4), (-2, -1), False),
                                               ((2, 3, 4), (0, 2), True),
                                               ((2, 3, 4), (2, 1), False)])
def test_matrix_norm(ord, shape, dim, keepdim):
    check_op(lambda x: ember.linalg.matrix_norm(x, ord, dim, keepdim),
             lambda x: torch.linalg.matrix_norm(x, ord, dim, keepdim), rand(*shape), atol=1e-4)


@pytest.mark.parametrize("ord", ["fro", "nuc", 2, -2])
def test_matrix_norm_gradcheck(ord):
    gradcheck_op(lambda x: ember.linalg.matrix_norm(x, ord), rand(3, 4))


@pytest.mark.parametrize("ord,dim,shape", [(None, None, (2, 3, 4)), (2, None, (5,)),
                                           ("fro", None, (3, 4)), (1, None, (3, 4)),
                                           (3, 1, (3, 4)), ("nuc", (0, 1), (3, 4)),
                                           (None, (1, 2), (2, 3, 4)), (None, 0, (3, 4))])
def test_linalg_norm_dispatch(ord, dim, shape):
    check_op(lambda x: ember.linalg.norm(x, ord, dim), lambda x: torch.linalg.norm(x, ord, dim),
             rand(*shape), atol=1e-4)


@pytest.mark.parametrize("fn,args", [
    ("vector_norm", (np.zeros(3, np.int64),)), ("matrix_norm", (np.zeros(3, np.float32),)),
    ("matrix_norm", (np.zeros((3, 3), np.float32), 3)),
    ("norm", (np.zeros((2, 3, 4), np.float32), 2)),
    ("vector_norm", (np.zeros(0, np.float32), math.inf))])
def test_norm_errors(fn, args):
    check_error(getattr(ember.linalg, fn), getattr(torch.linalg, fn), *args)


# -- inverse, solve, determinants --------------------------------------------------------------
@pytest.mark.parametrize("batch", [(), (2,)])
def test_inv(batch):
    check_op(ember.linalg.inv, torch.linalg.inv, spd(3, batch).astype(np.float32), atol=1e-4)
    check_op(ember.inverse, torch.inverse, rand(*batch, 3, 3) + 3 * np.eye(3, dtype=np.float32),
             atol=1e-4)


def test_inv_gradcheck():
    gradcheck_op(ember.linalg.inv, rand(3, 3) + 3 * np.eye(3))


@pytest.mark.parametrize("a", [np.zeros((3, 3)), np.array([[1.0, 2.0], [2.0, 4.0]]),
                               np.stack([np.eye(2), np.zeros((2, 2))]),
                               np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [1.0, 1.0, 0.0]])])
def test_inv_singular_error_names_the_pivot(a):
    check_error(ember.linalg.inv, torch.linalg.inv, a.astype(np.float32))


def test_linalg_error_is_a_runtime_error():
    assert issubclass(ember.linalg.LinAlgError, RuntimeError)
    with pytest.raises(ember.linalg.LinAlgError):
        ember.linalg.inv(ember.zeros(2, 2))


@pytest.mark.parametrize("a", [np.zeros((3, 4), np.float32), np.zeros((3, 3), np.int64),
                               np.zeros(3, np.float32)])
def test_inv_argument_errors(a):
    check_error(ember.linalg.inv, torch.linalg.inv, a)


@pytest.mark.parametrize("sa,sb", [((3, 3), (3,)), ((3, 3), (3, 2)), ((2, 3, 3), (2, 3)),
                                   ((2, 3, 3), (3, 2)), ((3, 3), (2, 3, 4))])
def test_solve(sa, sb):
    a = (rand(*sa) + 3 * np.eye(3)).astype(np.float32)
    check_op(ember.linalg.solve, torch.linalg.solve, a, rand(*sb), atol=1e-4)


def test_solve_left_false():
    a = (rand(3, 3) + 3 * np.eye(3)).astype(np.float32)
    check_op(lambda a, b: ember.linalg.solve(a, b, left=False),
             lambda a, b: torch.linalg.solve(a, b, left=False), a, rand(2, 3), atol=1e-4)


def test_solve_gradcheck():
    gradcheck_op(ember.linalg.solve, rand(3, 3) + 3 * np.eye(3), rand(3, 2))


@pytest.mark.parametrize("a,b", [(np.zeros((3, 3), np.float32), np.zeros(4, np.float32)),
                                 (np.zeros((3, 3), np.float32), np.zeros((3, 3), np.float64)),
                                 (np.zeros((3, 3), np.float32), np.ones(3, np.float32))])
def test_solve_errors(a, b):
    check_error(ember.linalg.solve, torch.linalg.solve, a, b)


@pytest.mark.parametrize("batch", [(), (2,)])
def test_det_slogdet_logdet(batch):
    a = rand(*batch, 3, 3)
    check_op(ember.linalg.det, torch.linalg.det, a, atol=1e-4)
    check_op(ember.det, torch.det, a, atol=1e-4)
    check_op(ember.linalg.slogdet, torch.linalg.slogdet, a, atol=1e-4)
    check_op(ember.logdet, torch.logdet, spd(3, batch).astype(np.float32), atol=1e-4)


def test_logdet_of_negative_determinant_is_nan():
    a = np.diag([1.0, -2.0]).astype(np.float32)
    check_op(ember.logdet, torch.logdet, a, grad=False)


def test_det_gradcheck():
    gradcheck_op(ember.linalg.det, rand(3, 3))
    gradcheck_op(lambda a: ember.linalg.slogdet(a).logabsdet, rand(3, 3))


def test_det_gradient_of_a_singular_matrix_is_its_cofactor_matrix():
    # PyTorch returns zeros here; the derivative of det is the cofactor matrix
    a = ember.tensor([[1.0, 2.0, 3.0], [2.0, 4.0, 6.0], [1.0, 0.0, 1.0]], dtype=ember.float64,
                     requires_grad=True)
    ember.linalg.det(a).backward()
    cof = np.array([[4.0, 4.0, -4.0], [-2.0, -2.0, 2.0], [0.0, 0.0, 0.0]])
    np.testing.assert_allclose(a.grad.numpy(), cof, atol=1e-12)


def test_result_type_names():
    a = ember.eye(3)
    assert type(ember.linalg.slogdet(a)).__name__ == "linalg_slogdet"
    assert type(ember.slogdet(a)).__name__ == "slogdet"
    assert ember.slogdet(a).logabsdet.item() == 0.0


# -- decompositions -----------------------------------------------------------------------------
@pytest.mark.parametrize("shape", [(4, 3), (3, 4), (2, 3, 3)])
@pytest.mark.parametrize("full", [False, True])
def test_svd_reconstructs_and_matches_singular_values(shape, full):
    a = rand(*shape)
    U, S, Vh = ember.linalg.svd(to_ember(a), full_matrices=full)
    t = torch.linalg.svd(torch.from_numpy(a), full_matrices=full)
    assert U.shape == t.U.shape and Vh.shape == t.Vh.shape
    assert_close(S, t.S, atol=1e-5)
    k = S.shape[-1]
    rebuilt = (U[..., :k] * S.unsqueeze(-2)) @ Vh[..., :k, :]
    np.testing.assert_allclose(rebuilt.numpy(), a, atol=1e-5)


@pytest.mark.parametrize("shape", [(4, 3), (3, 4)])
def test_svd_sign_invariant_gradients(shape):
    # singular vectors are defined up to sign; U @ Vh and S are not
    def e_fn(a):
        U, S, Vh = ember.linalg.svd(a, full_matrices=False)
        return U @ Vh, S

    def t_fn(a):
        U, S, Vh = torch.linalg.svd(a, full_matrices=False)
        return U @ Vh, S
    check_op(e_fn, t_fn, rand(*shape).astype(np.float64))


@pytest.mark.parametrize("shape", [(4, 3), (3, 4)])
def test_svd_gradcheck(shape):
    gradcheck_op(lambda a: tuple(ember.linalg.svd(a, full_matrices=False)), rand(*shape))


def test_svdvals():
    check_op(ember.linalg.svdvals, torch.linalg.svdvals, rand(2, 4, 3))
    gradcheck_op(ember.linalg.svdvals, rand(4, 3))


@pytest.mark.parametrize("some", [True, False])
def test_legacy_svd_returns_v(some):
    a = rand(4, 3)
    U, S, V = ember.svd(to_ember(a), some=some)
    t = torch.svd(torch.from_numpy(a), some=some)
    assert type(ember.svd(to_ember(a))).__name__ == "svd"
    assert U.shape == t.U.shape and V.shape == t.V.shape
    np.testing.assert_allclose(((U[:, :3] * S) @ V.mT[:3]).numpy(), a, atol=1e-5)


@pytest.mark.parametrize("shape", [(4, 3), (3, 3), (3, 4), (2, 4, 3)])
def test_qr(shape):
    def e_fn(a):
        Q, R = ember.linalg.qr(a)
        return Q.abs(), R.abs()  # the signs of Q's columns are LAPACK's choice

    def t_fn(a):
        Q, R = torch.linalg.qr(a)
        return Q.abs(), R.abs()
    check_op(e_fn, t_fn, rand(*shape), grad=False, atol=1e-5)
    gradcheck_op(lambda a: tuple(ember.linalg.qr(a)), rand(*shape[-2:]))


def test_qr_grads_match_torch():
    check_op(lambda a: tuple(ember.linalg.qr(a)), lambda a: tuple(torch.linalg.qr(a)),
             rand(4, 3).astype(np.float64))


@pytest.mark.parametrize("mode", ["complete", "r"])
def test_qr_modes(mode):
    a = rand(4, 3)
    Q, R = ember.linalg.qr(to_ember(a), mode=mode)
    tq, tr = torch.linalg.qr(torch.from_numpy(a), mode=mode)
    assert Q.shape == tq.shape and R.shape == tr.shape
    np.testing.assert_allclose(np.abs(R.numpy()), np.abs(tr.numpy()), atol=1e-5)


def test_legacy_qr_some_false_is_complete():
    Q, R = ember.qr(ember.randn(4, 3), some=False)
    assert Q.shape == (4, 4) and R.shape == (4, 3)


def test_qr_mode_r_is_not_differentiable():
    a = ember.randn(3, 3, requires_grad=True)
    with pytest.raises(RuntimeError, match="mode='r'"):
        ember.linalg.qr(a, mode="r").R.sum().backward()


@pytest.mark.parametrize("batch", [(), (2,)])
def test_eigh(batch):
    def e_fn(a):
        w, v = ember.linalg.eigh(a)
        return w, v * v

    def t_fn(a):
        w, v = torch.linalg.eigh(a)
        return w, v * v
    check_op(e_fn, t_fn, sym(3, batch), atol=1e-5)
    check_op(ember.linalg.eigvalsh, torch.linalg.eigvalsh, sym(3, batch))


def test_eigh_gradient_of_nonsymmetric_input_is_symmetric_part():
    check_op(lambda a: ember.linalg.eigh(a).eigenvalues,
             lambda a: torch.linalg.eigh(a).eigenvalues, rand(3, 3).astype(np.float64))


def test_eigh_gradcheck():
    gradcheck_op(lambda a: tuple(ember.linalg.eigh(a + a.mT)), rand(3, 3))


def test_eigh_upper():
    a = rand(3, 3).astype(np.float64)
    check_op(lambda x: ember.linalg.eigvalsh(x, UPLO="U"),
             lambda x: torch.linalg.eigvalsh(x, UPLO="U"), a)


def test_eig_of_general_matrix_is_complex():
    a = rand(3, 3)
    w = ember.linalg.eigvals(to_ember(a))
    t = torch.linalg.eigvals(torch.from_numpy(a))
    assert w.dtype is ember.complex64
    np.testing.assert_allclose(np.sort_complex(w.numpy()), np.sort_complex(t.numpy()), atol=1e-5)


@pytest.mark.parametrize("upper", [False, True])
@pytest.mark.parametrize("batch", [(), (2,)])
def test_cholesky(upper, batch):
    a = spd(3, batch)
    check_op(lambda x: ember.linalg.cholesky(x, upper=upper),
             lambda x: torch.linalg.cholesky(x, upper=upper), a)
    check_op(lambda x: ember.cholesky(x, upper), lambda x: torch.cholesky(x, upper), a)


def test_cholesky_gradcheck():
    gradcheck_op(lambda a: ember.linalg.cholesky(a @ a.mT + 3 * ember.eye(3, dtype=a.dtype)),
                 rand(3, 3))


@pytest.mark.parametrize("a", [-np.eye(3), np.diag([1.0, -1.0, 1.0]),
                               np.stack([np.eye(2), np.diag([1.0, -1.0])])])
def test_cholesky_not_positive_definite_error(a):
    check_error(ember.linalg.cholesky, torch.linalg.cholesky, a.astype(np.float32))


@pytest.mark.parametrize("shape", [(4, 3), (3, 4), (3, 3)])
def test_pinv(shape):
    check_op(ember.linalg.pinv, torch.linalg.pinv, rand(*shape).astype(np.float64))
    gradcheck_op(ember.linalg.pinv, rand(*shape))


def test_pinv_of_rank_deficient_matrix_cuts_small_singular_values():
    a = np.outer(rand(4), rand(3)).astype(np.float64)
    check_op(ember.linalg.pinv, torch.linalg.pinv, a, grad=False)
    check_op(ember.pinverse, torch.pinverse, a, grad=False)


def test_pinv_hermitian():
    check_op(lambda a: ember.linalg.pinv(a, hermitian=True),
             lambda a: torch.linalg.pinv(a, hermitian=True), sym(3), grad=False)


@pytest.mark.parametrize("sa,sb", [((5, 3), (5, 2)), ((5, 3), (5,)), ((2, 5, 3), (2, 5, 2))])
def test_lstsq(sa, sb):
    check_op(lambda a, b: ember.linalg.lstsq(a, b).solution,
             lambda a, b: torch.linalg.lstsq(a, b).solution, rand(*sa).astype(np.float64),
             rand(*sb).astype(np.float64))
    r = ember.linalg.lstsq(to_ember(rand(*sa)), to_ember(rand(*sb)))
    t = torch.linalg.lstsq(torch.from_numpy(rand(*sa)), torch.from_numpy(rand(*sb)))
    assert type(r).__name__ == "linalg_lstsq"
    assert_close(r.rank, t.rank)
    assert r.residuals.shape == t.residuals.shape
    assert r.singular_values.shape == t.singular_values.shape


@pytest.mark.parametrize("a", [np.eye(3), np.outer(np.arange(1.0, 4.0), np.arange(1.0, 5.0)),
                               np.zeros((2, 3)), np.stack([np.eye(3), np.diag([1.0, 0, 0])])])
def test_matrix_rank(a):
    check_op(ember.linalg.matrix_rank, torch.linalg.matrix_rank, a.astype(np.float32))


def test_matrix_rank_hermitian_and_tolerances():
    a = np.diag([1.0, 1e-3, 0.0])
    for kw in ({"hermitian": True}, {"atol": 1e-2}, {"rtol": 1e-4}):
        check_op(lambda x: ember.linalg.matrix_rank(x, **kw),
                 lambda x: torch.linalg.matrix_rank(x, **kw), a)


@pytest.mark.parametrize("shapes", [[(3, 4), (4, 5)], [(4,), (4, 5), (5, 2)],
                                    [(3, 4), (4, 5), (5,)], [(2, 3), (3, 4), (4, 5), (5, 2)],
                                    [(4,), (4,)]])
def test_multi_dot(shapes):
    check_op(lambda *ts: ember.linalg.multi_dot(ts), lambda *ts: torch.linalg.multi_dot(ts),
             *[rand(*s) for s in shapes], atol=1e-4)


@pytest.mark.parametrize("n", [0, 1, 2, 5, -1, -2])
def test_matrix_power(n):
    a = rand(2, 3, 3) + 2 * np.eye(3, dtype=np.float32)
    check_op(lambda x: ember.linalg.matrix_power(x, n), lambda x: torch.linalg.matrix_power(x, n),
             a, atol=1e-3, rtol=1e-3)
    check_op(lambda x: x.matrix_power(n), lambda x: x.matrix_power(n), a, atol=1e-3, rtol=1e-3)


@pytest.mark.parametrize("scale", [0.1, 1.0, 5.0])
def test_matrix_exp(scale):
    check_op(ember.linalg.matrix_exp, torch.linalg.matrix_exp, rand(2, 3, 3) * scale,
             atol=1e-4, rtol=1e-4)


def test_matrix_exp_gradcheck():
    gradcheck_op(ember.linalg.matrix_exp, rand(3, 3))


def test_vecdot():
    check_op(ember.linalg.vecdot, torch.linalg.vecdot, rand(2, 3), rand(3))


@pytest.mark.parametrize("fn", ["det", "slogdet", "cholesky", "eigh", "eigvalsh"])
def test_decompositions_need_square_matrices(fn):
    check_error(getattr(ember.linalg, fn), getattr(torch.linalg, fn), np.zeros((3, 4), np.float32))


@pytest.mark.parametrize("fn", ["svd", "qr", "pinv", "svdvals"])
def test_decompositions_need_matrices(fn):
    check_error(getattr(ember.linalg, fn), getattr(torch.linalg, fn), np.zeros(3, np.float32))


@pytest.mark.parametrize("name", ["det", "inverse", "pinverse", "cholesky", "logdet", "trace",
                                  "slogdet"])
def test_tensor_methods(name):
    a = spd(3).astype(np.float32)
    check_op(lambda x: getattr(x, name)(), lambda x: getattr(x, name)(), a, atol=1e-4)
