"""Tensor printing compared character for character with PyTorch's ``repr``/``str``."""
import math

import numpy as np
import pytest

torch = pytest.importorskip("torch", reason="differential tests need PyTorch as the reference")

from hypothesis import given, settings, strategies as st  # noqa: E402
from hypothesis.extra import numpy as hnp  # noqa: E402

import ember  # noqa: E402


@pytest.fixture(autouse=True)
def _restore_options():
    yield
    ember.set_printoptions(profile="default")
    torch.set_printoptions(profile="default")
    ember.set_default_dtype(ember.float32)
    torch.set_default_dtype(torch.float32)


def same_repr(arr: np.ndarray, requires_grad: bool = False) -> None:
    e = ember.from_numpy(arr.copy())
    t = torch.from_numpy(arr.copy())
    if requires_grad:
        e.requires_grad_()
        t.requires_grad_()
    assert repr(e) == repr(t)
    assert str(e) == str(t)


def with_options(arr: np.ndarray, **opts) -> None:
    ember.set_printoptions(**opts)
    torch.set_printoptions(**opts)
    same_repr(arr)


FLOATS = st.floats(allow_nan=True, allow_infinity=True, width=32)
SHAPES = hnp.array_shapes(min_dims=0, max_dims=4, min_side=0, max_side=6)


@given(hnp.arrays(np.float32, SHAPES, elements=FLOATS))
@settings(max_examples=30, deadline=None)
def test_float32_any_values(arr):
    same_repr(arr)


@given(hnp.arrays(np.float64, SHAPES, elements=st.floats(-1e12, 1e12)),
       st.sampled_from([1.0, 1e-6, 1e4, 1e9]))
@settings(max_examples=30, deadline=None)
def test_float64_scales(arr, scale):
    same_repr(np.asarray(arr * scale))


@given(hnp.arrays(np.float32, SHAPES, elements=st.integers(-10 ** 6, 10 ** 6).map(float)))
@settings(max_examples=20, deadline=None)
def test_whole_floats_print_in_integer_mode(arr):
    same_repr(arr)


@given(hnp.arrays(st.sampled_from([np.int64, np.int32, np.int16, np.int8, np.uint8]), SHAPES))
@settings(max_examples=30, deadline=None)
def test_integers(arr):
    same_repr(arr)


@given(hnp.arrays(np.bool_, SHAPES))
@settings(max_examples=15, deadline=None)
def test_bools(arr):
    same_repr(arr)


@given(hnp.arrays(np.float16, SHAPES, elements=st.floats(-1000, 1000, width=16)))
@settings(max_examples=15, deadline=None)
def test_float16_shows_dtype(arr):
    same_repr(arr)


@given(hnp.arrays(st.sampled_from([np.complex64, np.complex128]), SHAPES,
                  elements=st.complex_numbers(max_magnitude=1e6, allow_nan=False,
                                              allow_infinity=False, width=64)))
@settings(max_examples=20, deadline=None)
def test_complex(arr):
    same_repr(arr)


@given(st.integers(1001, 3000), st.sampled_from([np.float32, np.int64, np.float64]))
@settings(max_examples=10, deadline=None)
def test_long_vectors_are_summarized(n, dtype):
    same_repr((np.random.default_rng(n).standard_normal(n) * 100).astype(dtype))


@given(st.tuples(st.integers(26, 40), st.integers(26, 40), st.integers(2, 3)))
@settings(max_examples=15, deadline=None)
def test_large_matrices_are_summarized(shape):
    same_repr(np.random.default_rng(0).standard_normal(shape).astype(np.float32))


@pytest.mark.parametrize("values", [[1.0, 2.0, 3.0], [1e-5, 1.0], [1e10, 1.0], [0.0, -0.0],
                                    [math.nan], [math.inf, -math.inf, 1.0], [math.nan, 2.5],
                                    [123456789.0, 1.0], [0.1, 1000.5], [1e-4, 1.0],
                                    [1.0, 1000.0], [1.0, 1001.0], [-1.5, 1e-8]])
def test_float_format_choices(values):
    same_repr(np.array(values, np.float32))


@pytest.mark.parametrize("value", [3.5, 0.0, -2.0, math.nan, 1e-7, 7, True])
def test_zero_dim(value):
    same_repr(np.array(value))


@pytest.mark.parametrize("shape,dtype", [((0,), np.float32), ((0,), np.int64),
                                         ((2, 0), np.float32), ((0, 3, 1), np.int32),
                                         ((0,), np.float64), ((0,), np.bool_)])
def test_empty_tensors_show_size_and_dtype(shape, dtype):
    same_repr(np.zeros(shape, dtype))


def test_rows_wrap_at_80_columns():
    same_repr(np.linspace(-100, 100, 60).astype(np.float32))
    same_repr(np.linspace(-100, 100, 120).reshape(3, 40).astype(np.float64))


@pytest.mark.parametrize("shape", [(3,), (2, 3), (30, 10)])
def test_requires_grad_suffix(shape):
    same_repr(np.ones(shape, np.float32), requires_grad=True)
    same_repr(np.ones(shape, np.float64), requires_grad=True)


def test_grad_fn_suffix():
    e = ember.ones(2, 3, requires_grad=True) * 2
    t = torch.ones(2, 3, requires_grad=True) * 2
    assert repr(e) == repr(t)
    e = ember.ones(10, 10, dtype=ember.float64, requires_grad=True) * 3
    t = torch.ones(10, 10, dtype=torch.float64, requires_grad=True) * 3
    assert repr(e) == repr(t)


def test_long_grad_fn_suffix_wraps():
    e = ember.arange(36.0).reshape(3, 12).requires_grad_() @ ember.ones(12, 9)
    t = torch.arange(36.0).reshape(3, 12).requires_grad_() @ torch.ones(12, 9)
    assert repr(e) == repr(t)


@pytest.mark.parametrize("opts", [dict(precision=2), dict(precision=8), dict(threshold=5),
                                  dict(edgeitems=1, threshold=10), dict(linewidth=30),
                                  dict(sci_mode=True), dict(sci_mode=False),
                                  dict(profile="short"), dict(profile="full"),
                                  dict(edgeitems=0, threshold=4)])
@pytest.mark.parametrize("shape", [(7,), (4, 9), (3, 3, 5), (1200,)])
def test_print_options(opts, shape):
    arr = np.random.default_rng(1).standard_normal(shape).astype(np.float32) * 50
    with_options(arr, **opts)
    with_options(arr.astype(np.int64), **opts)


def test_sci_mode_false_on_tiny_values():
    with_options(np.array([1e-8, 2e-8], np.float32), sci_mode=False)


def test_get_printoptions_round_trips():
    ember.set_printoptions(precision=6, linewidth=100)
    opts = ember.get_printoptions()
    assert opts == {"precision": 6, "threshold": 1000, "edgeitems": 3, "linewidth": 100,
                    "sci_mode": None}
    ember.set_printoptions(profile="default")
    ember.set_printoptions(**opts)
    assert ember.get_printoptions() == opts


def test_printoptions_context_manager_restores():
    from ember._tensor_str import printoptions
    with printoptions(precision=1):
        assert repr(ember.tensor([1.25])) == "tensor([1.2])"
    assert repr(ember.tensor([1.25])) == "tensor([1.2500])"


@pytest.mark.parametrize("values,dtype", [([1.5, 2.0], None), ([1.5], "float32"),
                                          ([1j, 2.0], None), ([1j], "complex64"),
                                          ([], None), ([], "float32")])
def test_default_float64_changes_dtype_suffix(values, dtype):
    ember.set_default_dtype(ember.float64)
    torch.set_default_dtype(torch.float64)
    e = ember.tensor(values, dtype=getattr(ember, dtype) if dtype else None)
    t = torch.tensor(values, dtype=getattr(torch, dtype) if dtype else None)
    assert repr(e) == repr(t)


def test_parameter_prints_like_torch():
    e = ember.nn.Parameter(ember.ones(2, 2))
    t = torch.nn.Parameter(torch.ones(2, 2))
    assert repr(e) == repr(t)


def test_format_of_zero_dim_tensor():
    assert f"{ember.tensor(2.5):.2f}" == f"{torch.tensor(2.5):.2f}"
    assert f"{ember.tensor([1.0, 2.0])}" == f"{torch.tensor([1.0, 2.0])}"
