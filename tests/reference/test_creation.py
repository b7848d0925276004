"""Tensor factories and constructors compared with PyTorch: values, dtypes, shapes, errors."""
import math

import numpy as np
import pytest

torch = pytest.importorskip("torch", reason="differential tests need PyTorch as the reference")

from hypothesis import given, settings, strategies as st  # noqa: E402

import ember  # noqa: E402
from helpers import assert_close, check_error  # noqa: E402


@pytest.fixture(autouse=True)
def _default_dtype_back():
    yield
    ember.set_default_dtype(ember.float32)
    torch.set_default_dtype(torch.float32)


def same(code: str, **env):
    """Evaluate ``code`` with ``t`` bound to ember and to torch; compare the results."""
    e = eval(code, {"t": ember, "np": np, **env})
    r = eval(code, {"t": torch, "np": np, **env})
    if isinstance(r, torch.Tensor):
        assert_close(e, r, atol=0, rtol=0)
    else:  # dtypes, sizes, type names, bools
        assert repr(e) == repr(r)


def same_error(code: str):
    check_error(lambda: eval(code, {"t": ember, "np": np}),
                lambda: eval(code, {"t": torch, "np": np}))


# -- tensor() and dtype inference ----------------------------------------------------------
@pytest.mark.parametrize("data", [
    "[1, 2, 3]", "[1.0, 2]", "[True, False]", "[1, 2.5]", "[[1, 2], [3, 4]]", "3", "3.5", "[]",
    "[[]]", "[1 + 2j]", "[1, True]", "(1, 2)", "[[1.5, 2], (3, 4)]", "np.array([1, 2], np.int32)",
    "np.array([[1.5]], np.float16)", "[np.float64(1.5), 2.0]", "[np.float32(1.5), 2.0]",
    "[np.int32(1), 2]", "[np.int32(1), 2.5]", "[np.bool_(True)]", "np.float64(2.5)",
    "np.int32(3)", "[t.tensor(1, dtype=t.int32), 2]", "[t.tensor(1, dtype=t.int32), 2.5]",
    "[t.tensor(1.0, dtype=t.float64), 2]", "[t.tensor([1.0])]", "[np.array([1, 2], np.int32), [3, 4]]",
    "t.tensor([1.5, 2.5], dtype=t.float64)", "[1e40]", "[[1, 2], [3, 4.5]]"])
def test_tensor_infers_dtype_and_shape(data):
    same(f"t.tensor({data})")


@pytest.mark.parametrize("data,dtype", [("[1.7, -2.7]", "int64"), ("[1, 2]", "float64"),
                                        ("[[1.5]]", "bool"), ("[0, 1]", "bool"),
                                        ("[1, 2]", "complex64"), ("3.9", "int32"),
                                        ("np.array([1.5, 2.5])", "float16"), ("[1, 2]", "uint8")])
def test_tensor_with_dtype(data, dtype):
    same(f"t.tensor({data}, dtype=t.{dtype})")


def test_default_dtype_float64_applies_to_python_floats():
    for lib in (ember, torch):
        lib.set_default_dtype(lib.float64)
    same("t.tensor([1.5, 2])")
    same("t.tensor([1j])")
    same("t.tensor([1, 2])")
    same("t.zeros(2)")
    same("t.arange(0.0, 1.0, 0.25)")
    same("t.tensor([1, 2]) * 0.5")


@pytest.mark.parametrize("code", ["t.tensor([[1, 2], [3]])", "t.tensor([[1, 2], 3])",
                                  "t.tensor([1, [2, 3]])", "t.tensor([1.5, [2.0]])",
                                  "t.tensor([[[1], [2]], [[3], 4]])", "t.tensor('a')",
                                  "t.tensor([t.tensor([1.0, 2.0])])",
                                  "t.tensor([t.tensor([1, 2])])",
                                  "t.tensor([1, 2], requires_grad=True)"])
def test_tensor_errors(code):
    same_error(code)


def test_tensor_copies_its_data():
    a = np.array([1.0, 2.0], np.float32)
    t = ember.tensor(a)
    a[0] = 5
    assert t[0].item() == 1.0


def test_tensor_requires_grad_and_device():
    t = ember.tensor([1.0, 2.0], requires_grad=True, device="cpu")
    assert t.requires_grad and t.is_leaf and t.device == ember.device("cpu")


def test_from_numpy_shares_memory():
    a = np.arange(4.0)
    t = ember.from_numpy(a)
    a[0] = 7
    assert t[0].item() == 7 and t.dtype is ember.float64
    t[1] = 9
    assert a[1] == 9


def test_from_numpy_rejects_non_arrays():
    same_error("t.from_numpy([1, 2])")


@pytest.mark.parametrize("code", ["t.as_tensor([1, 2])", "t.as_tensor(np.array([1, 2]), dtype=t.float32)",
                                  "t.as_tensor(t.tensor([1.5]), dtype=t.int64)",
                                  "t.asarray([1.0, 2.0])"])
def test_as_tensor(code):
    same(code)


def test_as_tensor_shares_memory_with_arrays_and_tensors():
    a = np.zeros(3)
    t = ember.as_tensor(a)
    a[0] = 1
    assert t[0].item() == 1
    assert ember.as_tensor(t) is t


# -- the Tensor class and the typed constructors -----------------------------------------------
@pytest.mark.parametrize("code", ["t.Tensor([1, 2])", "t.Tensor([[1, 2]]).dtype", "t.Tensor(2, 3).shape",
                                  "t.Tensor(t.Size([2, 3])).shape", "t.Tensor([True])", "t.Tensor()",
                                  "t.FloatTensor([1, 2])", "t.DoubleTensor([1, 2])",
                                  "t.LongTensor([1.5, 2])", "t.IntTensor(2).shape",
                                  "t.BoolTensor([1, 0])", "t.FloatTensor(2, 3).shape",
                                  "t.ByteTensor([1, 2])", "t.HalfTensor([1.5])", "t.LongTensor()",
                                  "t.ShortTensor([1])", "t.CharTensor([-1])"])
def test_legacy_constructors(code):
    same(code)


@pytest.mark.parametrize("code", ["isinstance(t.tensor([1.0]), t.FloatTensor)",
                                  "isinstance(t.tensor([1]), t.FloatTensor)",
                                  "isinstance(t.tensor([1]), t.LongTensor)",
                                  "isinstance(t.FloatTensor([1]), t.Tensor)",
                                  "t.FloatTensor.dtype", "t.LongTensor.dtype",
                                  "t.tensor([1, 2]).type()", "t.FloatTensor([1]).type()",
                                  "t.tensor([1, 2]).type(t.FloatTensor).dtype"])
def test_typed_constructor_checks(code):
    same(code)


# -- filled factories -------------------------------------------------------------------------
@pytest.mark.parametrize("code", [
    "t.zeros(2, 3)", "t.zeros((2, 3))", "t.zeros([2])", "t.zeros(2, 3, dtype=t.int32)",
    "t.ones(())", "t.ones(0, 2)", "t.zeros(size=(2, 3))", "t.ones(t.Size([2, 1]))",
    "t.full((2,), 3)", "t.full((2,), 3.0)", "t.full((2,), True)", "t.full((2,), 1 + 1j)",
    "t.full([2, 2], 7, dtype=t.float32)", "t.full((2,), 1.5, dtype=t.int64)",
    "t.full((2,), t.tensor(2.5))", "t.empty(2, 3).shape", "t.empty(2, dtype=t.int64).dtype",
    "t.zeros_like(t.tensor([1, 2]))", "t.ones_like(t.tensor([1.0, 2]), dtype=t.int64)",
    "t.full_like(t.tensor([1, 2]), 2.7)", "t.empty_like(t.ones(2, 3)).shape",
    "t.scalar_tensor(3)", "t.zeros(2, 3, dtype=t.complex64)", "t.ones(2, dtype=t.bool)",
    "t.eye(3)", "t.eye(2, 3)", "t.eye(3, dtype=t.int64)", "t.eye(0)"])
def test_filled_factories(code):
    same(code)


@pytest.mark.parametrize("code", ["t.zeros(-1)", "t.ones(2, -1)", "t.empty(-3)", "t.zeros(2.5)",
                                  "t.ones(2.5)", "t.full(2, 3)", "t.full((-1,), 1)",
                                  "t.eye(-1)", "t.zeros(2, dtype=t.int64, requires_grad=True)"])
def test_factory_errors(code):
    same_error(code)


def test_factory_requires_grad():
    t = ember.zeros(2, 3, requires_grad=True)
    assert t.requires_grad and t.is_leaf and t.grad_fn is None


# -- ranges -------------------------------------------------------------------------------------
@pytest.mark.parametrize("args", [
    "5", "1, 4", "0, 1, 0.1", "0.0, 5", "1, 2.5, 0.5", "10, 0, -3", "5, dtype=t.float16",
    "0, 1, 0.3", "-1.5, 1.5", "t.tensor(3)", "0, 1, 1 / 3", "1e-3, 3e-3, 1e-3",
    "0, 4.5, 1, dtype=t.int64", "0.5, 4.5, 1, dtype=t.int64", "1, 2.5, 0.5, dtype=t.int32",
    "0, 10, 3, dtype=t.float32", "3, dtype=t.float64", "0, -1, -0.25", "0, 0"])
def test_arange(args):
    same(f"t.arange({args})")


@given(st.floats(-50, 50), st.floats(0.01, 20), st.floats(0.05, 5),
       st.sampled_from([None, "float64", "int64"]))
@settings(max_examples=30, deadline=None)
def test_arange_length_and_values(start, span, step, dtype):
    if dtype == "int64" and int(step) == 0:
        return  # an error, tested on its own
    args = f"{start!r}, {start + span!r}, {step!r}" + (f", dtype=t.{dtype}" if dtype else "")
    e = eval(f"ember.arange({args})".replace("t.", "ember."))
    r = eval(f"torch.arange({args})".replace("t.", "torch."))
    assert_close(e, r, atol=1e-5, rtol=1e-6)


@pytest.mark.parametrize("code", ["t.arange(1, 0)", "t.arange(0, 10, 0)",
                                  "t.arange(0, 5, 0.5, dtype=t.int64)", "t.arange(0, -5)"])
def test_arange_errors(code):
    same_error(code)


@pytest.mark.parametrize("args", ["0, 1, 5", "0, 10, 4, dtype=t.int64", "-1, 1, 1", "0, 1, 0",
                                  "0, 5, 3, dtype=t.int32", "3, -3, 4, dtype=t.int64",
                                  "t.tensor(0.0), t.tensor(1.0), 3", "1, 2, 7, dtype=t.float64"])
def test_linspace(args):
    same(f"t.linspace({args})")


@pytest.mark.parametrize("args", ["0, 2, 3", "0, 2, 3, base=2", "-1, 1, 5", "0, 3, 4, dtype=t.float64"])
def test_logspace(args):
    e = eval(f"ember.logspace({args.replace('t.', 'ember.')})")
    r = eval(f"torch.logspace({args.replace('t.', 'torch.')})")
    assert_close(e, r, rtol=1e-6)


@given(st.floats(-1e3, 1e3), st.floats(-1e3, 1e3), st.integers(0, 40),
       st.sampled_from(["float32", "float64"]))
@settings(max_examples=30, deadline=None)
def test_linspace_values_match_to_the_last_bit(start, end, steps, dtype):
    # within one unit in the last place of the endpoints' scale: PyTorch's kernel may fuse
    # a multiply-add
    e = ember.linspace(start, end, steps, dtype=getattr(ember, dtype))
    r = torch.linspace(start, end, steps, dtype=getattr(torch, dtype))
    np_dt = np.float64 if dtype == "float64" else np.float32
    ulp = float(np.spacing(np_dt(max(abs(start), abs(end)))))
    diff = np.abs(e.numpy().astype(np.float64) - r.numpy().astype(np.float64))
    assert (diff <= ulp).all(), (e, r)


def test_linspace_negative_steps_error():
    same_error("t.linspace(0, 1, -1)")


def test_range_is_inclusive_and_float():
    with pytest.warns(UserWarning):
        r = torch.range(0, 1, 0.25)
    assert_close(ember.range(0, 1, 0.25), r)


@pytest.mark.parametrize("n", [0, 1, 7])
def test_eye_square_values(n):
    same(f"t.eye({n}, dtype=t.float64)")


def test_factories_accept_a_torch_size_of_a_tensor():
    assert ember.zeros(ember.ones(2, 3).shape).shape == (2, 3)
    assert math.prod(ember.ones(4, 5).size()) == 20
