"""The Tensor class: construction, memory sharing, pickling, identity and view bookkeeping."""
import copy
import pickle

import numpy as np
import pytest

import ember


# -- construction ------------------------------------------------------------------------------
def test_tensor_class_without_arguments_is_empty_vector():
    t = ember.Tensor()
    assert (tuple(t.shape), t.dtype) == ((0,), ember.float32)


def test_tensor_class_with_sizes_is_uninitialised_of_that_shape():
    assert tuple(ember.Tensor(2, 3).shape) == (2, 3)


def test_tensor_class_with_data_copies_as_default_float():
    src = [1, 2]
    t = ember.Tensor(src)
    assert (t.dtype, t.tolist()) == (ember.float32, [1.0, 2.0])


def test_size_is_a_tuple_with_numel():
    s = ember.zeros(2, 3, 4).shape
    assert (s == (2, 3, 4), s.numel(), isinstance(s[1:], ember.Size)) == (True, 24, True)


# -- memory sharing ----------------------------------------------------------------------------
def test_numpy_shares_memory():
    t = ember.zeros(3)
    t.numpy()[1] = 5
    assert t.tolist() == [0.0, 5.0, 0.0]


def test_from_numpy_and_numpy_round_trip_is_the_same_array():
    arr = np.arange(3.0)
    assert ember.from_numpy(arr).numpy() is arr


def test_data_is_cut_off_from_the_graph():
    x = ember.ones(2, requires_grad=True)
    d = (x * 2).data
    assert (d.requires_grad, d.grad_fn, d.is_leaf) == (False, None, True)


def test_setting_data_replaces_the_values():
    x = ember.ones(2, requires_grad=True)
    x.data = ember.zeros(3)
    assert (x.tolist(), x.requires_grad) == ([0.0, 0.0, 0.0], True)


# -- identity ------------------------------------------------------------------------------------
def test_tensors_hash_by_identity():
    a, b = ember.ones(1), ember.ones(1)
    assert len({a, b, a}) == 2


def test_tensor_is_usable_as_dict_key():
    a = ember.ones(3)
    assert {a: "x"}[a] == "x"


# -- pickling and copying -------------------------------------------------------------------------
def test_pickle_keeps_values_dtype_and_requires_grad():
    t = ember.tensor([[1.0, 2.0]], dtype=ember.float64, requires_grad=True)
    back = pickle.loads(pickle.dumps(t))
    assert (back.tolist(), back.dtype, back.requires_grad) == ([[1.0, 2.0]], ember.float64,
                                                               True)


def test_pickle_keeps_attributes_set_on_the_tensor():
    t = ember.ones(2)
    t.tag = "weights"
    assert pickle.loads(pickle.dumps(t)).tag == "weights"


def test_pickle_of_a_view_stores_only_the_view():
    base = ember.arange(10.0)
    back = pickle.loads(pickle.dumps(base[2:4]))
    assert (back.tolist(), back._base) == ([2.0, 3.0], None)


def test_pickle_of_graph_tensor_with_live_views():
    y = ember.ones(2, requires_grad=True) * 2
    view = y[:1]
    assert (pickle.loads(pickle.dumps(y)).tolist(), view.tolist()) == ([2.0, 2.0], [2.0])


def test_deepcopy_has_its_own_memory():
    t = ember.ones(2)
    c = copy.deepcopy(t)
    c.add_(1)
    assert t.tolist() == [1.0, 1.0]


def test_deepcopy_keeps_requires_grad_and_copies_grad():
    t = ember.ones(2, requires_grad=True)
    (t * 3).sum().backward()
    c = copy.deepcopy(t)
    c.grad.add_(1)
    assert (c.requires_grad, t.grad.tolist(), c.grad.tolist()) == (True, [3.0, 3.0],
                                                                   [4.0, 4.0])


def test_deepcopy_shares_copies_within_one_call():
    t = ember.ones(2)
    pair = copy.deepcopy([t, t])
    assert pair[0] is pair[1]


def test_deepcopy_of_non_leaf_raises():
    y = ember.ones(2, requires_grad=True) * 2
    with pytest.raises(RuntimeError, match="Only Tensors created explicitly by the user"):
        copy.deepcopy(y)


# -- views --------------------------------------------------------------------------------------
def test_view_records_its_base():
    base = ember.arange(6.0)
    assert base.view(2, 3)._base is base


def test_view_of_view_records_the_root_base():
    base = ember.arange(6.0)
    assert base.view(2, 3)[1]._base is base


def test_non_view_has_no_base():
    assert ember.arange(6.0)._base is None


def test_views_share_the_version_counter():
    base = ember.zeros(4)
    v = base[1:3]
    v.add_(1)
    assert (base._version, v._version, base.tolist()) == (1, 1, [0.0, 1.0, 1.0, 0.0])


def test_views_of_graph_tensors_are_tracked_weakly():
    y = ember.ones(4, requires_grad=True) * 2
    v = y[:2]
    del v
    y.mul_(3)  # re-deriving the (dead) view must not fail
    assert y.grad_fn.name() == "MulBackward0"


def test_view_of_graph_tensor_follows_inplace_write_to_base():
    x = ember.ones(4, requires_grad=True)
    y = x * 2
    v = y[:2]
    y.mul_(3)
    assert v.grad_fn.name() == "AsStridedBackward0"


def test_inplace_write_into_view_rebases_the_base():
    x = ember.ones(4, requires_grad=True)
    y = x * 2
    y[1:3].mul_(5)
    assert (y.tolist(), y.grad_fn.name()) == ([2.0, 10.0, 10.0, 2.0],
                                              "torch::autograd::CopySlices")


# -- autograd bookkeeping on the tensor ------------------------------------------------------------
def test_requires_grad_is_a_leaf_flag():
    x = ember.ones(2)
    x.requires_grad = True
    assert (x.requires_grad, x.is_leaf, x.grad) == (True, True, None)


def test_complex_tensor_can_require_grad():
    z = ember.zeros(2, dtype=ember.complex64)
    assert z.requires_grad_().requires_grad


def test_register_hook_returns_removable_handle():
    x = ember.ones(2, requires_grad=True)
    handle = x.register_hook(lambda g: g * 0)
    handle.remove()
    (x * 1).sum().backward()
    assert x.grad.tolist() == [1.0, 1.0]


def test_retain_grad_on_leaf_is_a_no_op():
    x = ember.ones(2, requires_grad=True)
    x.retain_grad()
    (x * 2).sum().backward()
    assert x.grad.tolist() == [2.0, 2.0]
