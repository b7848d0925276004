"""Small names of the API audit against torch: top-level constants and forwarding aliases
(torch.pi, torch.unsafe_split...), torch.isin, torch.cond/while_loop, autograd module paths."""
from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

import ember

torch = pytest.importorskip("torch", reason="torch is not installed; differential tests skipped")


@pytest.mark.parametrize("name", ["e", "pi", "inf", "nan", "newaxis"])
def test_constants(name):
    ours, theirs = getattr(ember, name), getattr(torch, name)
    if isinstance(theirs, float) and math.isnan(theirs):
        assert math.isnan(ours)
    else:
        assert ours == theirs and type(ours) is type(theirs)


def test_newaxis_indexes_like_none():
    assert ember.zeros(2, 3)[:, ember.newaxis].shape == torch.zeros(2, 3)[:, torch.newaxis].shape


@pytest.mark.parametrize("name,args", [("unsafe_chunk", (3, 0)), ("unsafe_split", (2, 1)),
                                       ("unsafe_split_with_sizes", ([2, 2], 1))])
def test_unsafe_variants(name, args):
    data = np.arange(24.0).reshape(6, 4)
    ours = getattr(ember, name)(ember.tensor(data), *args)
    theirs = getattr(torch, name)(torch.tensor(data), *args)
    assert len(ours) == len(theirs)
    for a, b in zip(ours, theirs):
        np.testing.assert_array_equal(a.numpy(), b.numpy())


@pytest.mark.parametrize("dtype", ["float32", "int64", "uint8", "bool", "complex64"])
def test_is_signed(dtype):
    assert ember.is_signed(ember.zeros(1, dtype=getattr(ember, dtype))) == \
        torch.is_signed(torch.zeros(1, dtype=getattr(torch, dtype)))


def test_unsafe_split_wants_an_int_size():
    for lib in (ember, torch):
        with pytest.raises(TypeError, match="must be int, not list"):
            lib.unsafe_split(lib.zeros(4), [1, 3])


@pytest.mark.parametrize("spelling", ["DoubleTensor", "torch.DoubleTensor"])
def test_set_default_tensor_type(spelling):
    with pytest.warns(UserWarning, match="deprecated"):  # torch warns once per process only
        ember.set_default_tensor_type(ember.FloatTensor)
    for lib in (ember, torch):
        t = spelling if "." in spelling else getattr(lib, spelling)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            lib.set_default_tensor_type(t)
        try:
            assert str(lib.tensor([1.5]).dtype) == "torch.float64"
        finally:
            lib.set_default_dtype(lib.float32)


def test_set_default_tensor_type_rejects_bad_names():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for lib in (ember, torch):
            with pytest.raises(AttributeError, match="no attribute 'NoSuchTensor'"):
                lib.set_default_tensor_type("torch.NoSuchTensor")
            with pytest.raises(TypeError, match="only floating-point types"):
                lib.set_default_tensor_type(lib.IntTensor)


def test_warn_always_flag():
    for lib in (ember, torch):
        assert lib.is_warn_always_enabled() is False
        lib.set_warn_always(True)
        try:
            assert lib.is_warn_always_enabled() is True
        finally:
            lib.set_warn_always(False)


def test_gradscaler_and_future_are_the_namespace_classes():
    assert ember.GradScaler is ember.amp.GradScaler
    assert ember.Future is ember.futures.Future


@pytest.mark.parametrize("elements,test,kwargs", [
    (np.array([1, 2, 3, 2]), np.array([2, 5]), {}),
    (np.array([[1.0, 2.0], [3.0, 4.0]]), np.array([[4]]), {"invert": True}),
    (np.array([1.5, 2.0, np.nan]), np.array([2.0, np.nan]), {}),
    (np.array([1, 2, 3]), 2, {}),
    (2, np.array([1, 2]), {}),
    (np.array([3, 1, 2]), np.array([1, 2]), {"assume_unique": True}),
])
def test_isin(elements, test, kwargs):
    def run(lib):
        def call(a, b):
            return lib.isin(a, b, **kwargs)
        return call
    ours = run(ember)(*[ember.tensor(x) if isinstance(x, np.ndarray) else x
                        for x in (elements, test)])
    theirs = run(torch)(*[torch.tensor(x) if isinstance(x, np.ndarray) else x
                          for x in (elements, test)])
    assert str(ours.dtype) == str(theirs.dtype) and tuple(ours.shape) == tuple(theirs.shape)
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())


@pytest.mark.parametrize("elements,test", [(np.array([True]), np.array([True])),
                                           (np.array([1.0]), np.array([1 + 0j]))])
def test_isin_rejects_bool_and_complex(elements, test):
    for lib in (ember, torch):
        with pytest.raises(RuntimeError, match="Unsupported input type encountered for isin"):
            lib.isin(lib.tensor(elements), lib.tensor(test))


def test_isin_needs_a_tensor():
    for lib in (ember, torch):
        with pytest.raises(TypeError, match="isin"):
            lib.isin(2, 3)


def test_vmap_is_func_vmap():
    x = np.arange(6.0).reshape(3, 2)
    ours = ember.vmap(lambda r: r.sum())(ember.tensor(x))
    theirs = torch.vmap(lambda r: r.sum())(torch.tensor(x))
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())


@pytest.mark.parametrize("pred", [True, False, 0, np.array(True), np.array([False])])
def test_cond(pred):
    x = np.arange(3.0)
    outs = []
    for lib in (ember, torch):
        p = lib.tensor(pred) if isinstance(pred, np.ndarray) else pred
        outs.append(lib.cond(p, lambda a, b: a + b, lambda a, b: a - b,
                             (lib.tensor(x), lib.tensor(x))).numpy())
    np.testing.assert_array_equal(*outs)


def test_cond_rejects_a_multi_element_pred():
    with pytest.raises(RuntimeError, match="single-element"):
        ember.cond(ember.ones(2), lambda: 1, lambda: 0)


def test_while_loop():
    outs = []
    for lib in (ember, torch):
        i, s = lib.while_loop(lambda i, s: i < 3, lambda i, s: (i + 1, s * 2),
                              (lib.tensor(0), lib.ones(2)))
        outs.append((i.item(), s.numpy()))
    assert outs[0][0] == outs[1][0] == 3
    np.testing.assert_array_equal(outs[0][1], outs[1][1])


def test_autograd_submodule_paths():
    from ember.autograd.anomaly_mode import detect_anomaly, set_detect_anomaly
    from ember.autograd.variable import Variable
    assert Variable is ember.autograd.Variable
    assert detect_anomaly is ember.autograd.detect_anomaly
    assert set_detect_anomaly is ember.autograd.set_detect_anomaly
    assert ember.autograd.variable.__name__ == "ember.autograd.variable"


def test_types_module_aliases():
    import typing
    names = ["Number", "Device", "FileLike", "IntLikeType", "FloatLikeType", "BoolLikeType",
             "_size", "_int", "_float", "_bool", "_complex", "_dtype", "_device", "_layout",
             "_Number", "_TensorOrTensors", "_TensorOrOptionalTensors", "Size", "Tensor"]
    for name in names:
        assert hasattr(torch.types, name), f"torch.types has no {name}: fix the test"
        assert hasattr(ember.types, name), f"ember.types lacks {name}"
    assert set(typing.get_args(ember.types.Number)) == {int, float, bool}
    assert ember.types._Number == torch.types._Number
    assert ember.types.Size is ember.Size and ember.types._dtype is ember.dtype
    assert ember.device in typing.get_args(ember.types.Device)


@pytest.mark.parametrize("data,size,fill", [([[0, 1], [2, 0]], 4, -1), ([[0, 1], [2, 0]], 1, 7),
                                            ([0.0, 0.0], 2, 0), (3, 2, -1)])
def test_nonzero_static(data, size, fill):
    ours = ember.nonzero_static(ember.tensor(data), size=size, fill_value=fill)
    theirs = torch.nonzero_static(torch.tensor(data), size=size, fill_value=fill)
    assert str(ours.dtype) == str(theirs.dtype) and tuple(ours.shape) == tuple(theirs.shape)
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())
    np.testing.assert_array_equal(ember.tensor(data).nonzero_static(size=size).numpy(),
                                  torch.tensor(data).nonzero_static(size=size).numpy())


def test_nonzero_static_rejects_a_negative_size():
    for lib in (ember, torch):
        with pytest.raises(RuntimeError, match="'size' must be an non-negative integer"):
            lib.nonzero_static(lib.ones(2), size=-1)


@pytest.mark.parametrize("size,layout", [((2, 3, 4), (0, 2, 1)), ((2, 3), (1, 0)),
                                         ((5,), (0,))])
def test_empty_permuted(size, layout):
    ours = ember.empty_permuted(size, layout, dtype=ember.float64, requires_grad=True)
    theirs = torch.empty_permuted(size, layout, dtype=torch.float64, requires_grad=True)
    assert tuple(ours.shape) == tuple(theirs.shape) and ours.stride() == theirs.stride()
    assert str(ours.dtype) == str(theirs.dtype) and ours.requires_grad and ours.is_leaf


def test_empty_permuted_checks_the_layout_length():
    for lib in (ember, torch):
        with pytest.raises(RuntimeError, match="does not match the length of the physical_layout"):
            lib.empty_permuted((2, 3, 4), (0, 1))
