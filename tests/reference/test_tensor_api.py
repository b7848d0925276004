"""Tensor attributes, conversions and factory methods against PyTorch."""
import numpy as np
import pytest

torch = pytest.importorskip("torch", reason="differential tensor API tests need PyTorch")

import ember  # noqa: E402
from hypothesis import given, settings  # noqa: E402
from hypothesis.extra import numpy as hnp  # noqa: E402
from helpers import assert_close, to_ember, to_torch  # noqa: E402


def both(scenario):
    """``scenario(module)`` for ember and torch, with tensors made comparable."""
    def plain(x):
        if isinstance(x, (ember.Tensor, torch.Tensor)):
            return ("tensor", str(x.dtype).rsplit(".", 1)[-1], x.detach().tolist())
        if isinstance(x, (ember.dtype, torch.dtype)):
            return str(x)
        if isinstance(x, tuple):
            return tuple(plain(v) for v in x)
        return x
    return plain(scenario(ember)), plain(scenario(torch))


def assert_same(scenario):
    got, want = both(scenario)
    assert got == want


def same_error(scenario, exc=RuntimeError):
    with pytest.raises(exc) as want:
        scenario(torch)
    with pytest.raises(exc) as got:
        scenario(ember)
    assert str(got.value) == str(want.value)


# -- attributes ------------------------------------------------------------------------------
@settings(max_examples=20, deadline=None)
@given(shape=hnp.array_shapes(min_dims=0, max_dims=4, min_side=0, max_side=4))
def test_shape_attributes_match(shape):
    def scenario(t):
        x = t.zeros(shape)
        return (tuple(x.shape), tuple(x.size()), x.dim(), x.ndim, x.numel(), len(x.stride()),
                x.is_contiguous())
    assert_same(scenario)


def test_size_of_one_dimension_and_negative_dim():
    assert_same(lambda t: (t.zeros(2, 3, 4).size(1), t.zeros(2, 3, 4).size(-1)))


def test_size_out_of_range_raises():
    same_error(lambda t: t.zeros(2, 3).size(2), IndexError)


def test_size_repr():
    assert repr(ember.zeros(2, 3).shape) == repr(torch.zeros(2, 3).shape)


def test_strides_of_transposed_tensor():
    assert_same(lambda t: (t.zeros(2, 3).t().stride(), t.zeros(2, 3).t().is_contiguous()))


def test_T_reverses_all_dims():
    assert_same(lambda t: tuple(t.zeros(2, 3, 4).T.shape))


def test_mT_swaps_last_two_dims():
    assert_same(lambda t: tuple(t.zeros(5, 2, 3).mT.shape))


def test_mT_on_vector_raises():
    same_error(lambda t: t.zeros(3).mT)


def test_leaf_and_grad_fn_attributes():
    def scenario(t):
        x = t.ones(2, requires_grad=True)
        y = x * 2
        return (x.is_leaf, y.is_leaf, t.ones(2).is_leaf, x.grad_fn is None,
                type(y.grad_fn).__name__, y.requires_grad)
    assert_same(scenario)


def test_dtype_queries():
    def scenario(t):
        x = t.ones(2, dtype=t.int32)
        return (x.dtype, x.is_floating_point(), x.is_complex(), x.element_size(),
                t.ones(2).is_floating_point())
    assert_same(scenario)


# -- conversions -----------------------------------------------------------------------------
def test_item_and_tolist_give_python_numbers():
    def scenario(t):
        x = t.tensor([[1.5, 2.0]])
        i = t.tensor([3])
        return (x.tolist(), type(x[0, 0].item()).__name__, i.item(),
                type(i.item()).__name__, t.tensor(True).item())
    assert_same(scenario)


def test_item_of_many_elements_raises():
    same_error(lambda t: t.ones(2).item())


def test_bool_of_many_elements_raises():
    same_error(lambda t: bool(t.ones(2)))


def test_bool_float_int_of_one_element():
    assert_same(lambda t: (bool(t.tensor([0.0])), float(t.tensor([2.5])), int(t.tensor(7.9))))


def test_len_and_iteration():
    def scenario(t):
        x = t.arange(6.0).reshape(3, 2)
        return len(x), tuple(row for row in x)
    assert_same(scenario)


def test_len_of_scalar_raises():
    same_error(lambda t: len(t.tensor(1.0)), TypeError)


def test_iterating_a_scalar_raises():
    same_error(lambda t: iter(t.tensor(1.0)), TypeError)


def test_index_conversion():
    assert_same(lambda t: [10, 20, 30][t.tensor(1)])


def test_float_tensor_as_index_raises():
    same_error(lambda t: [10, 20, 30][t.tensor(1.0)], TypeError)


def test_numpy_of_tensor_requiring_grad_raises():
    same_error(lambda t: t.ones(2, requires_grad=True).numpy())


def test_numpy_force_on_tensor_requiring_grad():
    def scenario(t):
        x = t.ones(2, requires_grad=True)
        arr = x.numpy(force=True)
        arr[0] = 5
        return x
    assert_same(scenario)


@pytest.mark.parametrize("name", ["float", "double", "half", "int", "long", "short", "bool",
                                  "byte", "char"])
def test_cast_methods(name):
    def scenario(t):
        return getattr(t.tensor([0.0, 1.5, -2.0]), name)().dtype
    assert_same(scenario)


@pytest.mark.parametrize("dtype", ["float32", "float64", "int64", "int32", "bool", "uint8"])
def test_type_names(dtype):
    assert_same(lambda t: t.zeros(1, dtype=getattr(t, dtype)).type())


def test_type_with_name_casts():
    assert_same(lambda t: t.zeros(1).type("torch.DoubleTensor").dtype)


def test_type_with_dtype_casts():
    assert_same(lambda t: t.zeros(1).type(t.int64).dtype)


def test_to_dtype():
    assert_same(lambda t: t.tensor([1.7, -2.2]).to(t.int32))


def test_to_same_dtype_returns_self():
    assert_same(lambda t: (lambda x: x.to(t.float32) is x)(t.ones(2)))


def test_to_copy_makes_a_new_tensor():
    assert_same(lambda t: (lambda x: x.to(t.float32, copy=True) is x)(t.ones(2)))


def test_to_positional_copy_flag():
    assert_same(lambda t: (lambda x: x.to(t.float32, False, True) is x)(t.ones(2)))


def test_to_other_tensor_takes_its_dtype():
    assert_same(lambda t: t.ones(2).to(t.zeros(1, dtype=t.float64)).dtype)


def test_to_keyword_dtype_and_device():
    assert_same(lambda t: t.ones(2).to(device="cpu", dtype=t.float16).dtype)


def test_cast_is_differentiable():
    def scenario(t):
        x = t.tensor([1.0, 2.0], requires_grad=True)
        (x.double() * 3).sum().backward()
        return x.grad, type(x.double().grad_fn).__name__
    assert_same(scenario)


def test_clone_is_independent_and_differentiable():
    def scenario(t):
        x = t.tensor([1.0, 2.0], requires_grad=True)
        c = x.clone()
        (c * c).sum().backward()
        return x.grad, type(c.grad_fn).__name__
    assert_same(scenario)


def test_contiguous_of_transposed_is_a_copy():
    def scenario(t):
        x = t.arange(6.0).reshape(2, 3).t()
        c = x.contiguous()
        return c.is_contiguous(), c.stride(), x.contiguous() is x, c.contiguous() is c
    assert_same(scenario)


def test_detach_shares_memory_and_version():
    def scenario(t):
        x = t.ones(2, requires_grad=True)
        d = x.detach()
        d.add_(1)
        return x, x._version, d.requires_grad
    assert_same(scenario)


def test_data_shares_memory_but_not_version():
    def scenario(t):
        x = t.ones(2, requires_grad=True)
        d = x.data
        d.add_(1)
        return x, x._version, d.requires_grad
    assert_same(scenario)


def test_detach_inplace_on_non_leaf():
    def scenario(t):
        y = t.ones(2, requires_grad=True) * 2
        y.detach_()
        return y.requires_grad, y.is_leaf, y.grad_fn is None
    assert_same(scenario)


def test_detach_inplace_on_view_raises():
    same_error(lambda t: t.zeros(3)[1:].detach_())


def test_requires_grad_on_non_leaf_true_is_allowed():
    def scenario(t):
        y = t.ones(2, requires_grad=True) * 2
        y.requires_grad_(True)
        return y.requires_grad
    assert_same(scenario)


# -- grad assignment -------------------------------------------------------------------------
def test_assign_grad_of_wrong_size_raises():
    def scenario(t):
        t.ones(2, requires_grad=True).grad = t.ones(1)
    same_error(scenario)


@pytest.mark.parametrize("dtype", ["float64", "float16", "int64", "int32", "complex64"])
def test_assign_grad_of_wrong_dtype_raises(dtype):
    def scenario(t):
        t.ones(2, requires_grad=True).grad = t.ones(2, dtype=getattr(t, dtype))
    same_error(scenario)


def test_assign_non_tensor_grad_raises():
    def scenario(t):
        t.ones(2, requires_grad=True).grad = [1.0, 1.0]
    same_error(scenario, TypeError)


def test_assign_and_delete_grad():
    def scenario(t):
        x = t.ones(2, requires_grad=True)
        x.grad = t.full((2,), 3.0)
        before = x.grad
        del x.grad
        return before, x.grad
    assert_same(scenario)


# -- new_* factories --------------------------------------------------------------------------
def test_new_tensor_takes_dtype_of_self():
    assert_same(lambda t: t.ones(2, dtype=t.float64).new_tensor([1, 2]))


def test_new_tensor_from_tensor_warns_and_copies():
    with pytest.warns(UserWarning, match="To copy construct from a tensor"):
        src = ember.ones(2, requires_grad=True)
        out = ember.zeros(1).new_tensor(src)
    assert (out.requires_grad, out.tolist()) == (False, [1.0, 1.0])


@pytest.mark.parametrize("method", ["new_zeros", "new_ones", "new_empty"])
def test_new_filled_with_sizes_or_tuple(method):
    def scenario(t):
        x = t.ones(2, dtype=t.int32)
        a, b = getattr(x, method)(2, 3), getattr(x, method)((4,))
        return a.shape, a.dtype, b.shape, b.dtype
    got, want = both(scenario)
    assert got == want


def test_new_zeros_values_and_dtype_override():
    assert_same(lambda t: t.ones(2).new_zeros(2, dtype=t.float64))


def test_new_ones_requires_grad():
    assert_same(lambda t: t.ones(2).new_ones(2, requires_grad=True).requires_grad)


def test_new_full_casts_to_dtype_of_self():
    assert_same(lambda t: t.ones(2, dtype=t.int32).new_full((2,), 3.7))


# -- round trip with the shared helpers --------------------------------------------------------
def test_helper_round_trip_keeps_values_and_dtype():
    arr = np.arange(6, dtype=np.float64).reshape(2, 3)
    assert_close(to_ember(arr), to_torch(arr))


# -- operators with Python and NumPy values ------------------------------------------------------
def test_numpy_scalar_on_the_left_gives_a_tensor():
    def scenario(t):
        out = np.float64(2.0) * t.ones(2)
        return type(out).__name__, out
    assert_same(scenario)


def test_contains_checks_for_an_equal_entry():
    assert_same(lambda t: (2.0 in t.tensor([1.0, 2.0]), 3 in t.tensor([1.0, 2.0]),
                           t.tensor(1.0) in t.tensor([1.0, 2.0])))


def test_contains_rejects_other_types():
    same_error(lambda t: "a" in t.tensor([1.0]))
