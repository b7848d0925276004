"""Sparse COO and CSR tensors against torch: construction, accessors, printing, coalescing,
conversions, sparse @ dense with its gradients, torch.sparse's sums and softmaxes, sparse
gradients of nn.Embedding(sparse=True), and the errors for bad input."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import ember
from helpers import DEVICE, assert_close, check_error, gradcheck_op, to_ember, to_torch

torch = pytest.importorskip("torch", reason="differential tests need PyTorch as the reference")
if DEVICE != "cpu":
    pytest.skip("ember's sparse tensors live on the CPU only", allow_module_level=True)

# torch's notices about unchecked invariants and CSR being in beta
pytestmark = pytest.mark.filterwarnings("ignore:.*[Ss]parse")


def _pair(idx, vals, size=None, **kw):
    """The same COO tensor made by ember and by torch."""
    sz = () if size is None else (size,)
    e = ember.sparse_coo_tensor(to_ember(np.asarray(idx)), to_ember(np.asarray(vals)), *sz, **kw)
    t = torch.sparse_coo_tensor(to_torch(np.asarray(idx)), to_torch(np.asarray(vals)), *sz, **kw)
    return e, t


def assert_sparse_equal(e, t):
    """Same layout, size, nnz, coalesced flag, indices and values."""
    assert str(e.layout) == str(t.layout)
    assert tuple(e.shape) == tuple(t.shape)
    assert e._nnz() == t._nnz()
    if t.layout == torch.sparse_coo:
        assert e.is_coalesced() == t.is_coalesced()
        assert e.sparse_dim() == t.sparse_dim() and e.dense_dim() == t.dense_dim()
        assert_close(e._indices(), t._indices())
        assert_close(e._values(), t._values())
    else:
        assert_close(e.crow_indices(), t.crow_indices())
        assert_close(e.col_indices(), t.col_indices())
        assert_close(e.values(), t.values())


DUP_IDX = [[0, 2, 0, 1], [1, 0, 1, 2]]  # (0, 1) twice: uncoalesced
DUP_VALS = [1.0, 2.0, 3.0, 4.0]


# -- construction and accessors --------------------------------------------------------------
@pytest.mark.parametrize("idx,vals,size", [
    (DUP_IDX, DUP_VALS, (3, 3)),
    (DUP_IDX, DUP_VALS, None),
    ([[0, 3]], np.arange(6.0).reshape(2, 3), (5, 3)),
    ([[1, 0, 2]], [5, 6, 7], None),
    (np.zeros((2, 0), np.int64), np.zeros(0, np.float32), (2, 4)),
])
def test_coo_construction_matches_torch(idx, vals, size):
    vals = np.asarray(vals)
    if vals.dtype == np.float64:
        vals = vals.astype(np.float32)
    e, t = _pair(idx, vals, size)
    assert_sparse_equal(e, t)
    assert e.is_sparse and e.layout is ember.sparse_coo
    assert e.dtype == getattr(ember, str(t.dtype).split(".")[1])
    assert e.size() == t.size() and e.size(-1) == t.size(-1) and e.dim() == t.dim()
    assert e.device == ember.device("cpu")
    assert_close(e.to_dense(), t.to_dense())


def test_coo_dtype_and_requires_grad_options():
    e = ember.sparse_coo_tensor(ember.tensor(DUP_IDX), ember.tensor(DUP_VALS), (3, 3),
                                dtype=ember.float64)
    t = torch.sparse_coo_tensor(torch.tensor(DUP_IDX), torch.tensor(DUP_VALS), (3, 3),
                                dtype=torch.float64)
    assert_sparse_equal(e, t)
    e = ember.sparse_coo_tensor(ember.tensor(DUP_IDX), ember.tensor(DUP_VALS), (3, 3),
                                dtype=ember.float64, requires_grad=True)
    assert e.requires_grad and e.is_leaf and e.grad_fn is None


@pytest.mark.parametrize("make", [
    lambda lib: lib.sparse_coo_tensor(lib.tensor(DUP_IDX), lib.tensor(DUP_VALS), (3, 3)),
    lambda lib: lib.sparse_coo_tensor(lib.tensor([[0, 1]]), lib.ones(2, 3), (4, 3)),
    lambda lib: lib.sparse_coo_tensor(lib.tensor([[0, 1]]), lib.tensor([1, 2]), (4,)),
    lambda lib: lib.sparse_coo_tensor(lib.tensor([[0, 1]]), lib.tensor([1., 2.],
                                                                       dtype=lib.float64)),
    lambda lib: lib.sparse_coo_tensor(lib.zeros(2, 0, dtype=lib.long), lib.zeros(0), (4, 3)),
    lambda lib: lib.sparse_coo_tensor(size=(5, 3)),
    lambda lib: lib.sparse_coo_tensor((2, 3), dtype=lib.float64),
    lambda lib: lib.sparse_coo_tensor(lib.tensor(DUP_IDX), lib.tensor(DUP_VALS), (3, 3),
                                      requires_grad=True),
    lambda lib: lib.sparse_coo_tensor(lib.tensor(DUP_IDX),
                                      lib.tensor(DUP_VALS, requires_grad=True), (3, 3)),
    lambda lib: lib.tensor([[0., 1.5], [2., 0.]]).to_sparse(),
    lambda lib: lib.tensor([[0., 1.5], [2., 0.]]).to_sparse_csr(),
    lambda lib: lib.eye(3).to_sparse_csr().to(lib.float64),
    lambda lib: lib.sparse_csr_tensor(lib.tensor([0, 1, 3]), lib.tensor([2, 0, 1]),
                                      lib.tensor([1., 2., 3.]), (2, 3), requires_grad=True),
], ids=["dup", "hybrid", "int", "inferred-f64", "empty", "size-only", "size-only-f64",
        "leaf", "grad_fn", "to_sparse", "csr", "csr-f64", "csr-leaf"])
def test_repr_matches_torch(make):
    assert repr(make(ember)) == repr(make(torch))
    assert str(make(ember)) == str(make(torch))


def test_indices_and_values_need_coalesced_like_torch():
    e, t = _pair(DUP_IDX, np.float32(DUP_VALS), (3, 3))
    check_error(lambda: e.indices(), lambda: t.indices())
    check_error(lambda: e.values(), lambda: t.values())
    assert_close(e.coalesce().indices(), t.coalesce().indices())
    assert_close(e.coalesce().values(), t.coalesce().values())


@settings(max_examples=25, deadline=None)
@given(st.integers(1, 3), st.integers(0, 12), st.integers(0, 2), st.integers(0, 10_000))
def test_coalesce_and_to_dense_match_torch(sparse_dim, nnz, dense_dim, seed):
    rng = np.random.default_rng(seed)
    sizes = tuple(int(s) for s in rng.integers(1, 4, sparse_dim + dense_dim))
    idx = np.stack([rng.integers(0, sizes[d], nnz) for d in range(sparse_dim)])
    vals = rng.standard_normal((nnz,) + sizes[sparse_dim:]).astype(np.float32)
    e, t = _pair(idx.reshape(sparse_dim, nnz), vals, sizes)
    assert_sparse_equal(e, t)
    assert_sparse_equal(e.coalesce(), t.coalesce())
    assert_close(e.to_dense(), t.to_dense())


@settings(max_examples=25, deadline=None)
@given(st.integers(1, 3), st.integers(0, 10_000), st.data())
def test_dense_to_sparse_matches_torch(ndim, seed, data):
    rng = np.random.default_rng(seed)
    shape = tuple(int(s) for s in rng.integers(1, 4, ndim))
    x = (rng.standard_normal(shape) * (rng.random(shape) < 0.5)).astype(np.float32)
    sd = data.draw(st.integers(1, ndim))
    assert_sparse_equal(to_ember(x).to_sparse(sd), to_torch(x).to_sparse(sd))
    assert_sparse_equal(to_ember(x).to_sparse(), to_torch(x).to_sparse())
    assert_sparse_equal(to_ember(x).to_sparse_coo(), to_torch(x).to_sparse_coo())
    if ndim == 2:
        assert_sparse_equal(to_ember(x).to_sparse_csr(), to_torch(x).to_sparse_csr())
        assert_sparse_equal(to_ember(x).to_sparse(layout=ember.sparse_csr),
                            to_torch(x).to_sparse(layout=torch.sparse_csr))
        assert_close(to_ember(x).to_sparse_csr().to_dense(), to_torch(x))


def test_dense_tensor_sparse_methods_like_torch():
    x = np.eye(3, dtype=np.float32)
    e, t = to_ember(x), to_torch(x)
    assert e.sparse_dim() == t.sparse_dim() and e.dense_dim() == t.dense_dim()
    assert e.to_dense() is e and not e.is_sparse and e.layout is ember.strided
    for name in ("indices", "values", "coalesce", "is_coalesced", "crow_indices",
                 "col_indices"):
        check_error(lambda: getattr(e, name)(), lambda: getattr(t, name)())
    em, tm = _pair([[1, 0, 1], [0, 2, 0]], np.ones(3, np.float32), (3, 3))
    assert_sparse_equal(e.sparse_mask(em.coalesce()), t.sparse_mask(tm.coalesce()))


def test_csr_construction_and_conversions_match_torch():
    crow, col, vals = [0, 2, 2, 3], [0, 3, 1], np.float32([1.0, 2.0, 3.0])
    e = ember.sparse_csr_tensor(ember.tensor(crow), ember.tensor(col), to_ember(vals))
    t = torch.sparse_csr_tensor(torch.tensor(crow), torch.tensor(col), to_torch(vals))
    assert_sparse_equal(e, t)
    assert e.is_sparse_csr and not e.is_sparse and e.layout is ember.sparse_csr
    assert_close(e.to_dense(), t.to_dense())
    assert_sparse_equal(e.to_sparse(), t.to_sparse())
    assert_sparse_equal(e.to_sparse_coo().to_sparse_csr(), t.to_sparse_coo().to_sparse_csr())


# -- sparse @ dense ------------------------------------------------------------------------------
MM_FORMS = {
    "sparse.mm": lambda lib, s, d: lib.sparse.mm(s, d),
    "torch.mm": lambda lib, s, d: lib.mm(s, d),
    "matmul": lambda lib, s, d: s @ d,
    "spmm": lambda lib, s, d: lib.spmm(s, d),
    "csr": lambda lib, s, d: s.to_sparse_csr() @ d,
}


@pytest.mark.parametrize("form", list(MM_FORMS))
@settings(max_examples=10, deadline=None)
@given(st.integers(1, 5), st.integers(1, 5), st.integers(1, 4), st.integers(0, 12),
       st.integers(0, 10_000))
def test_sparse_mm_values_and_gradients_match_torch(form, m, k, n, nnz, seed):
    rng = np.random.default_rng(seed)
    idx = np.stack([rng.integers(0, m, nnz), rng.integers(0, k, nnz)])
    vals = rng.standard_normal(nnz).astype(np.float32)
    dense = rng.standard_normal((k, n)).astype(np.float32)
    up = rng.standard_normal((m, n)).astype(np.float32)
    if form == "csr":  # CSR has unique coordinates
        idx = np.unique(idx, axis=1)
        vals = vals[:idx.shape[1]]
    outs, grads = [], []
    for lib, conv in ((ember, to_ember), (torch, to_torch)):
        v, d = conv(vals, True), conv(dense, True)
        s = lib.sparse_coo_tensor(conv(idx), v, (m, k))
        out = MM_FORMS[form](lib, s, d)
        out.backward(conv(up))
        outs.append(out)
        grads.append((v.grad, d.grad))
    assert_close(outs[0], outs[1])
    assert_close(grads[0][1], grads[1][1])
    if form != "csr":  # torch computes no gradient through a CSR conversion's values
        assert_close(grads[0][0], grads[1][0])


def test_sparse_matrix_times_vector_matches_torch():
    e, t = _pair(DUP_IDX, np.float32(DUP_VALS), (3, 3))
    x = np.float32([1.0, -2.0, 0.5])
    assert_close(e @ to_ember(x), t @ to_torch(x))
    assert_close(e.matmul(to_ember(x)), t.matmul(to_torch(x)))


def test_leaf_sparse_gets_sparse_gradient_from_sparse_mm():
    d = np.arange(6, dtype=np.float32).reshape(3, 2)
    grads = []
    for lib, conv in ((ember, to_ember), (torch, to_torch)):
        s = lib.sparse_coo_tensor(conv(np.asarray(DUP_IDX)), conv(np.float32(DUP_VALS)), (3, 3),
                                  requires_grad=True)
        lib.sparse.mm(s, conv(d)).sum().backward()
        grads.append(s.grad)
    assert_sparse_equal(grads[0], grads[1])


def test_sparse_mm_gradcheck_wrt_values_and_dense():
    idx = ember.tensor(DUP_IDX)
    rng = np.random.default_rng(0)
    gradcheck_op(lambda v, d: ember.sparse.mm(ember.sparse_coo_tensor(idx, v, (3, 3)), d),
                 rng.standard_normal(4), rng.standard_normal((3, 2)))
    gradcheck_op(lambda v: ember.sparse_coo_tensor(idx, v, (3, 3)).coalesce().to_dense(),
                 rng.standard_normal(4))


def test_sparse_addmm_matches_torch():
    rng = np.random.default_rng(1)
    mat, d = rng.standard_normal((3, 2)).astype(np.float32), \
        rng.standard_normal((3, 2)).astype(np.float32)
    e, t = _pair(DUP_IDX, np.float32(DUP_VALS), (3, 3))
    assert_close(ember.sparse.addmm(to_ember(mat), e, to_ember(d), beta=0.5, alpha=2.0),
                 torch.sparse.addmm(to_torch(mat), t, to_torch(d), beta=0.5, alpha=2.0))


# -- arithmetic, sums, softmax --------------------------------------------------------------------
def test_sparse_add_scale_and_subtract_match_torch():
    a_e, a_t = _pair([[0, 1, 0]], np.float32([1.0, 2.0, 3.0]), (3,))
    b_e, b_t = _pair([[2, 1]], np.float32([1.0, 2.0]), (3,))
    assert_sparse_equal(a_e + b_e, a_t + b_t)
    assert_sparse_equal(a_e.coalesce() + b_e.coalesce(), a_t.coalesce() + b_t.coalesce())
    assert_sparse_equal(a_e + a_e, a_t + a_t)
    assert_sparse_equal(a_e * 2, a_t * 2)
    assert_sparse_equal(3 * a_e.coalesce(), 3 * a_t.coalesce())
    assert_close((a_e - b_e).to_dense(), (a_t - b_t).to_dense())
    assert_close((a_e / 2).to_dense(), (a_t / 2).to_dense())
    assert_close(ember.ones(3) + 0 * a_e.to_dense(), torch.ones(3) + 0 * a_t.to_dense())


@pytest.mark.parametrize("dim", [None, 0, 1, 2, -1, (0, 1), (0, 2), (1, 2), (0, 1, 2)])
def test_sparse_sum_matches_torch(dim):
    rng = np.random.default_rng(2)
    idx = np.array([[0, 1, 1, 0], [2, 0, 2, 2]])
    vals = rng.standard_normal((4, 3)).astype(np.float32)
    res = []
    for lib, conv in ((ember, to_ember), (torch, to_torch)):
        v = conv(vals, True)
        s = lib.sparse_coo_tensor(conv(idx), v, (2, 3, 3))
        out = lib.sparse.sum(s) if dim is None else lib.sparse.sum(s, dim)
        dense = out.to_dense() if out.layout != lib.strided else out
        dense.backward(lib.ones_like(dense))
        res.append((out, v.grad))
    if res[1][0].layout == torch.sparse_coo:
        assert_sparse_equal(res[0][0], res[1][0])
    else:
        assert_close(res[0][0], res[1][0])
    assert_close(res[0][1], res[1][1])


@pytest.mark.parametrize("log", [False, True])
@pytest.mark.parametrize("dim", [0, 1, -1])
def test_sparse_softmax_values_and_gradients_match_torch(log, dim):
    rng = np.random.default_rng(3)
    vals = rng.standard_normal(5).astype(np.float32)
    up = rng.standard_normal(5).astype(np.float32)
    idx = np.array([[0, 1, 1, 2, 0], [2, 0, 2, 1, 2]])  # (0, 2) twice
    res = []
    for lib, conv in ((ember, to_ember), (torch, to_torch)):
        v = conv(vals, True)
        s = lib.sparse_coo_tensor(conv(idx), v, (3, 3))
        fn = lib.sparse.log_softmax if log else lib.sparse.softmax
        out = fn(s, dim)
        out.values().backward(conv(up[:out._nnz()]))
        res.append((out, v.grad))
    assert_sparse_equal(res[0][0], res[1][0])
    if dim >= 0:  # torch 2.13's backward mixes up the groups for a negative dim
        assert_close(res[0][1], res[1][1])


def test_sparse_softmax_over_dense_dim_and_gradcheck():
    x = np.float32([[1.0, 0.0, 2.0], [0.0, 0.0, 0.0], [3.0, 1.0, 0.0]])
    assert_sparse_equal(ember.sparse.softmax(to_ember(x).to_sparse(1), 1),
                        torch.sparse.softmax(to_torch(x).to_sparse(1), 1))
    idx = ember.tensor([[0, 1, 1, 2], [2, 0, 2, 1]])
    gradcheck_op(lambda v: ember.sparse.softmax(ember.sparse_coo_tensor(idx, v, (3, 3)),
                                                1).values(),
                 np.random.default_rng(4).standard_normal(4))


# -- nn.Embedding(sparse=True) ---------------------------------------------------------------------
@pytest.mark.parametrize("padding_idx,scale", [(None, False), (1, False)])
def test_embedding_sparse_gradient_matches_torch(padding_idx, scale):
    torch.manual_seed(0)
    t_emb = torch.nn.Embedding(6, 3, padding_idx=padding_idx, scale_grad_by_freq=scale,
                               sparse=True)
    e_emb = ember.nn.Embedding(6, 3, padding_idx=padding_idx, scale_grad_by_freq=scale,
                               sparse=True)
    with ember.no_grad():
        e_emb.weight.copy_(to_ember(t_emb.weight))
    x = np.array([[0, 1, 3], [3, 5, 1]])
    up = np.random.default_rng(5).standard_normal((2, 3, 3)).astype(np.float32)
    for _ in range(2):  # the second backward accumulates sparse + sparse
        e_emb(to_ember(x)).backward(to_ember(up))
        t_emb(to_torch(x)).backward(to_torch(up))
    eg, tg = e_emb.weight.grad, t_emb.weight.grad
    assert eg.is_sparse and eg.layout is ember.sparse_coo
    assert eg._nnz() == tg._nnz() and eg.is_coalesced() == tg.is_coalesced()
    assert_sparse_equal(eg.coalesce(), tg.coalesce())


# -- errors ---------------------------------------------------------------------------------------
ERRORS = {
    "index too large": lambda lib: lib.sparse_coo_tensor(
        lib.tensor([[0, 5]]), lib.tensor([1., 2.]), (3,), check_invariants=True),
    "negative index": lambda lib: lib.sparse_coo_tensor(
        lib.tensor([[0, -1]]), lib.tensor([1., 2.]), (3,), check_invariants=True),
    "nnz mismatch": lambda lib: lib.sparse_coo_tensor(
        lib.tensor([[0, 1]]), lib.tensor([1., 2., 3.]), (3,)),
    "size length": lambda lib: lib.sparse_coo_tensor(
        lib.tensor(DUP_IDX), lib.tensor(DUP_VALS), (3,)),
    "dense size": lambda lib: lib.sparse_coo_tensor(
        lib.tensor([[0, 1]]), lib.ones(2, 3), (2, 4)),
    "3-d indices": lambda lib: lib.sparse_coo_tensor(
        lib.zeros(2, 2, 2, dtype=lib.long), lib.ones(2), (2, 2)),
    "to_sparse(0)": lambda lib: lib.ones(2, 2).to_sparse(0),
    "sparse grad with scale_grad_by_freq": lambda lib: lib.nn.Embedding(
        3, 2, scale_grad_by_freq=True, sparse=True)(lib.tensor([0, 0])).sum().backward(),
    "no values": lambda lib: lib.sparse_coo_tensor(),
    "1-d indices": lambda lib: lib.sparse_coo_tensor(lib.tensor([0, 1]), lib.ones(2)),
    "sparse.mm sizes": lambda lib: lib.sparse.mm(lib.eye(3).to_sparse(), lib.ones(4, 2)),
    "torch.mm sizes": lambda lib: lib.mm(lib.eye(3).to_sparse(), lib.ones(4, 2)),
    "@ sizes": lambda lib: lib.eye(3).to_sparse() @ lib.ones(4, 2),
    "csr @ sizes": lambda lib: lib.eye(3).to_sparse_csr() @ lib.ones(4, 2),
    "mm dtypes": lambda lib: lib.sparse.mm(lib.eye(2).to_sparse(),
                                           lib.ones(2, 2, dtype=lib.float64)),
    "mm 3-d sparse": lambda lib: lib.sparse.mm(lib.ones(2, 2, 2).to_sparse(), lib.ones(2, 2)),
    "mm 1-d dense": lambda lib: lib.sparse.mm(lib.eye(2).to_sparse(), lib.ones(2)),
    "add sizes": lambda lib: lib.eye(3).to_sparse() + lib.eye(2).to_sparse(),
    "add dense": lambda lib: lib.eye(2).to_sparse() + lib.ones(2, 2),
    "sum dim range": lambda lib: lib.sparse.sum(lib.eye(2).to_sparse(), 2),
    "sum repeated dim": lambda lib: lib.sparse.sum(lib.eye(2).to_sparse(), (0, 0)),
    "csr last offset": lambda lib: lib.sparse_csr_tensor(
        lib.tensor([0, 1, 3]), lib.tensor([0, 1]), lib.tensor([1., 2.]), (2, 2),
        check_invariants=True),
    "csr column": lambda lib: lib.sparse_csr_tensor(
        lib.tensor([0, 1, 2]), lib.tensor([0, 5]), lib.tensor([1., 2.]), (2, 2),
        check_invariants=True),
    "csr first offset": lambda lib: lib.sparse_csr_tensor(
        lib.tensor([1, 1, 2]), lib.tensor([0, 1]), lib.tensor([1., 2.]), (2, 2),
        check_invariants=True),
}


@pytest.mark.parametrize("case", list(ERRORS))
def test_errors_match_torch(case):
    check_error(lambda: ERRORS[case](ember), lambda: ERRORS[case](torch))


def test_check_sparse_tensor_invariants_switch():
    with ember.sparse.check_sparse_tensor_invariants():
        assert ember.sparse.check_sparse_tensor_invariants.is_enabled()
        with pytest.raises(RuntimeError, match="size is inconsistent"):
            ember.sparse_coo_tensor(ember.tensor([[0, 5]]), ember.tensor([1., 2.]), (3,))
    assert not ember.sparse.check_sparse_tensor_invariants.is_enabled()


def test_dense_ops_refuse_sparse_tensors():
    s = ember.eye(2).to_sparse()
    with pytest.raises(NotImplementedError, match="sparse"):
        ember.exp(s)
    with pytest.raises(NotImplementedError, match="sparse"):
        s.view(4)


def test_sparse_tensor_pickles_and_deepcopies():
    import copy
    import pickle
    e, _ = _pair(DUP_IDX, np.float32(DUP_VALS), (3, 3))
    for other in (pickle.loads(pickle.dumps(e)), copy.deepcopy(e)):
        assert repr(other) == repr(e)
        assert other._values() is not e._values()


def test_save_and_load_interoperate_with_torch(tmp_path):
    e, t = _pair(DUP_IDX, np.float32(DUP_VALS), (3, 3))
    e_csr, t_csr = ember.eye(3).to_sparse_csr(), torch.eye(3).to_sparse_csr()
    ember.save({"coo": e, "csr": e_csr}, tmp_path / "ember.pt")
    torch.save({"coo": t, "csr": t_csr}, tmp_path / "torch.pt")
    from_ember = torch.load(tmp_path / "ember.pt")
    from_torch = ember.load(tmp_path / "torch.pt")
    assert_sparse_equal(ember.load(tmp_path / "ember.pt")["coo"], t)
    assert_sparse_equal(from_torch["coo"], t)
    assert_sparse_equal(from_torch["csr"], t_csr)
    assert repr(from_torch["coo"]) == repr(from_ember["coo"]) == repr(t)
    assert repr(from_ember["csr"]) == repr(t_csr)
