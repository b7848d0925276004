"""Tensor methods that are other operations in method form, against torch's."""
import numpy as np
import pytest

from helpers import check_error, check_op, gradcheck_op, torch

import ember

_rng = np.random.default_rng(1)
X = _rng.standard_normal((3, 4))


def both(expr):
    return (lambda *a: expr(ember, *a)), (lambda *a: expr(torch, *a))


DIFF = [
    ("unfold", lambda L, t: t.unfold(1, 2, 1)),
    ("unfold_step", lambda L, t: t.unfold(0, 2, 2)),
    ("unfold_3d", lambda L, t: t.reshape(2, 3, 2).unfold(1, 2, 1)),
    ("sum_to_size", lambda L, t: t.sum_to_size(1, 4)),
    ("sum_to_size_lead", lambda L, t: t.sum_to_size(4)),
    ("type_as", lambda L, t: t.type_as(L.zeros(1, dtype=L.float32))),
    ("cumsum_", lambda L, t: (t * 1).cumsum_(1)),
    ("cumprod_", lambda L, t: (t * 1).cumprod_(0)),
    ("renorm_", lambda L, t: (t * 1).renorm_(2, 0, 1.0)),
    ("put_", lambda L, t: (t * 1).put_(L.tensor([1, 5]), L.ones(2, dtype=L.float64))),
    ("reversed", lambda L, t: reversed(t)),
]


@pytest.mark.parametrize("name,expr", DIFF, ids=[c[0] for c in DIFF])
def test_method_forms_match_torch_with_gradients(name, expr):
    check_op(*both(expr), X, atol=1e-10, rtol=1e-9)


@pytest.mark.parametrize("name", ["unfold", "sum_to_size"])
def test_method_form_gradients_match_finite_differences(name):
    expr = dict(DIFF)[name]
    gradcheck_op(lambda t: expr(ember, t), X)


VALUES = [
    ("fill_diagonal_wrap", lambda L, t: L.zeros(7, 3).fill_diagonal_(2.0, wrap=True)),
    ("fill_diagonal", lambda L, t: L.zeros(3, 5).fill_diagonal_(2.0)),
    ("fill_diagonal_cube", lambda L, t: L.zeros(3, 3, 3).fill_diagonal_(1.0)),
    ("new_sizes", lambda L, t: tuple(t.new(2, 3).shape)),
    ("new_data", lambda L, t: t.new([1, 2])),
    ("new_empty", lambda L, t: tuple(t.new().shape)),
    ("new_empty_strided", lambda L, t: tuple(t.new_empty_strided((2, 3), (3, 1)).shape)),
    ("apply_", lambda L, t: t.clone().apply_(lambda v: v * 2)),
    ("map_", lambda L, t: t.clone().map_(t[0], lambda a, b: a + b)),
    ("map2_", lambda L, t: t.clone().map2_(t[0], t[:, :1], lambda a, b, c: a + b * c)),
    ("resize_", lambda L, t: t.clone().resize_(2, 2)),
    ("resize_as_", lambda L, t: t.clone().resize_as_(L.zeros(5))),
    ("index_reduce_", lambda L, t: t.clone().index_reduce_(0, L.tensor([0, 0]), t[:2],
                                                             "prod")),
    ("unsafe_split", lambda L, t: t.unsafe_split(2, 1)),
    ("unsafe_chunk", lambda L, t: t.unsafe_chunk(3)),
    ("flags", lambda L, t: (t.is_mps, t.is_xpu, t.is_nested, t.is_sparse_csr,
                            t.is_distributed())),
]


@pytest.mark.parametrize("name,expr", VALUES, ids=[c[0] for c in VALUES])
def test_method_form_values_match_torch(name, expr):
    check_op(*both(expr), X, grad=False)


@pytest.mark.parametrize("call", [
    lambda L, t: t.unfold(1, 6, 1),
    lambda L, t: t.unfold(1, 2, 0),
    lambda L, t: t.sum_to_size(2, 4),
    lambda L, t: t[0].fill_diagonal_(1.0),
    lambda L, t: L.zeros(2, 3, 3).fill_diagonal_(1.0),
    lambda L, t: t.clone().requires_grad_().resize_(2),
])
def test_method_form_errors_match_torch(call):
    check_error(lambda t: call(ember, t), lambda t: call(torch, t), X)


def test_dlpack_exchange_with_numpy():
    t = ember.tensor(X)
    np.testing.assert_array_equal(np.from_dlpack(t), X)


def test_storages_share_memory_and_report_sizes_like_torch():
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for lib in (ember, torch):
            base = lib.arange(6.0)
            view = base.reshape(2, 3)[1]
            untyped = view.untyped_storage()
            assert (untyped.nbytes(), untyped.size(), len(untyped)) == (24, 24, 24)
            typed = base.storage()
            assert (typed.size(), typed.nbytes(), typed.element_size()) == (6, 24, 4)
            assert typed.dtype == lib.float32 and typed.tolist()[:3] == [0.0, 1.0, 2.0]
            base[0] = 7
            assert base.storage()[0] == 7.0  # the storage is the tensor's memory
    import sys
    assert sys.getsizeof(ember.zeros(1000).untyped_storage()) > 4000


def test_storage_warns_once_like_torch():
    import ember.storage as S
    S._warned[0] = False
    with pytest.warns(UserWarning, match="TypedStorage is deprecated"):
        ember.zeros(2).storage()


@pytest.mark.parametrize("expr", [
    lambda L, x: x.sum(axis=1), lambda L, x: L.sum(x, axis=0), lambda L, x: x.mean(axis=0),
    lambda L, x: x.argmax(axis=1), lambda L, x: L.cat([x, x], axis=1),
    lambda L, x: x.max(axis=1)[0], lambda L, x: L.softmax(x, axis=1),
    lambda L, x: x.cumsum(axis=0), lambda L, x: L.std(x, axis=1)])
def test_numpy_axis_keyword_is_accepted_for_dim_like_torch(expr):
    check_op(*both(expr), X, atol=1e-12, rtol=1e-12)


def test_storage_from_file_slices_and_reads_back_like_torch(tmp_path):
    path = tmp_path / "raw.bin"
    np.arange(6, dtype=np.float32).tofile(path)
    for lib in (ember, torch):
        storage = lib.UntypedStorage.from_file(str(path), shared=False, nbytes=24)
        assert lib.is_storage(storage) and storage.untyped() is storage
        part = storage[8:24]  # a slice is a storage over the same bytes
        assert type(part) is lib.UntypedStorage and part.nbytes() == 16
        assert isinstance(storage[0], int)
        t = lib.asarray(part, dtype=lib.uint8).view(dtype=lib.float32)
        assert t.tolist() == [2.0, 3.0, 4.0, 5.0]
        t[0] = 9  # not shared: the file is untouched
    assert np.fromfile(path, dtype=np.float32).tolist() == [0, 1, 2, 3, 4, 5]
    assert not ember.is_storage(ember.zeros(2))
