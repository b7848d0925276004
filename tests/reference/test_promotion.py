"""dtype promotion of pointwise ops against real PyTorch: tensor-tensor, 0-dim and scalars."""
import itertools
import operator

import pytest

torch = pytest.importorskip("torch", reason="differential tests need PyTorch as the reference")

import numpy as np  # noqa: E402

import ember  # noqa: E402
from helpers import check_error, check_op  # noqa: E402

DTYPES = [np.bool_, np.uint8, np.int8, np.int16, np.int32, np.int64, np.float16, np.float32,
          np.float64]
OPS = {"add": operator.add, "mul": operator.mul, "truediv": operator.truediv}


def _values(dtype, shape):
    v = np.arange(1, 1 + int(np.prod(shape))).reshape(shape) % 5 + 1
    return np.asarray(v.astype(dtype))


@pytest.mark.parametrize("op", sorted(OPS))
@pytest.mark.parametrize("da,db", list(itertools.product(DTYPES, DTYPES)))
def test_tensor_tensor_promotion(op, da, db):
    check_op(OPS[op], OPS[op], _values(da, (2, 3)), _values(db, (3,)), grad=False,
             atol=1e-3, rtol=1e-3)


@pytest.mark.parametrize("da,db", list(itertools.product(DTYPES, DTYPES)))
def test_zero_dim_tensor_defers_to_dimensioned_within_a_category(da, db):
    check_op(operator.add, operator.add, _values(da, (3,)), _values(db, ()), grad=False,
             atol=1e-3, rtol=1e-3)


@pytest.mark.parametrize("scalar", [3, 2.5, True, -1, 1 + 2j])
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("op", ["add", "mul", "sub", "truediv"])
def test_tensor_scalar_promotion(op, dtype, scalar):
    if op == "sub" and (dtype is np.bool_ or isinstance(scalar, bool)):
        pytest.skip("subtraction with bools is an error (tested below)")
    if dtype is np.float16 and isinstance(scalar, complex):
        pytest.skip("ember has no complex32")
    fn = getattr(operator, op)
    x = _values(dtype, (2, 2))
    check_op(lambda t: fn(t, scalar), lambda t: fn(t, scalar), x, grad=False, atol=1e-3,
             rtol=1e-3)
    check_op(lambda t: fn(scalar, t), lambda t: fn(scalar, t), x, grad=False, atol=1e-3,
             rtol=1e-3)


def test_int_true_division_gives_default_float():
    check_op(operator.truediv, operator.truediv, np.array([1, 2, 3]), np.array([2, 2, 2]))


def test_default_dtype_float64_applies_to_int_division():
    for lib in (torch, ember):
        lib.set_default_dtype(lib.float64)
    try:
        check_op(operator.truediv, operator.truediv, np.array([1, 3]), np.array([2, 2]))
        check_op(lambda t: t * 1.5, lambda t: t * 1.5, np.array([1, 3]))
    finally:
        for lib in (torch, ember):
            lib.set_default_dtype(lib.float32)


@pytest.mark.parametrize("op", ["add", "mul", "sub"])
def test_integer_overflow_wraps(op):
    fn = getattr(operator, op)
    check_op(lambda t: fn(t, t), lambda t: fn(t, t), np.array([100, -100, 127], np.int8))
    check_op(lambda t: fn(t, 2 ** 62), lambda t: fn(t, 2 ** 62),
             np.array([3, 4], np.int64))


@pytest.mark.parametrize("scalar", [1000, -1, 2 ** 40, -300])
@pytest.mark.parametrize("dtype", [np.int8, np.uint8, np.int16])
def test_small_int_tensor_with_large_python_int_wraps(dtype, scalar):
    x = np.array([1, 100], dtype=dtype)
    check_op(lambda t: t + scalar, lambda t: t + scalar, x)
    check_op(lambda t: t * scalar, lambda t: t * scalar, x)


def test_zero_dim_int_tensor_is_cast_into_int8():
    check_op(operator.add, operator.add, np.array([1, 2], np.int8), np.array(1000))


def test_bool_arithmetic():
    a, b = np.array([True, False]), np.array([True, True])
    check_op(operator.add, operator.add, a, b)
    check_op(operator.mul, operator.mul, a, b)
    check_op(lambda t: t * 2, lambda t: t * 2, a)
    check_op(lambda t: t + 1.5, lambda t: t + 1.5, a)


def test_bool_subtraction_and_negation_raise():
    a = np.array([True, False])
    check_error(operator.sub, operator.sub, a, a)
    check_error(lambda t: t - True, lambda t: t - True, a)
    check_error(lambda t: t - 3, lambda t: t - 3, a)
    check_error(lambda t: 2.5 - t, lambda t: 2.5 - t, a)
    check_error(lambda t: t - True, lambda t: t - True, np.array([1, 2]))
    check_error(operator.neg, operator.neg, a)


def test_alpha_rules():
    i = np.array([1, 2])
    check_error(lambda t: ember.add(t, t, alpha=2.5), lambda t: torch.add(t, t, alpha=2.5), i)
    f = np.array([1.0], np.float32)
    check_error(lambda t: ember.add(t, t, alpha=True), lambda t: torch.add(t, t, alpha=True), f)


def test_integer_negative_scalar_power_raises():
    check_error(lambda t: t ** -1, lambda t: t ** -1, np.array([1, 2]))


def test_numpy_scalars_act_like_python_scalars():
    x = np.array([1.0, 2.0], np.float32)
    check_op(lambda t: t + np.float64(2), lambda t: t + np.float64(2), x)
    i = np.array([1, 2], np.int32)
    check_op(lambda t: t + np.int64(2), lambda t: t + np.int64(2), i)


def test_result_type_matches_torch():
    for da, db in itertools.product(DTYPES, DTYPES):
        e = ember.result_type(ember.from_numpy(_values(da, (2,))),
                              ember.from_numpy(_values(db, ())))
        t = torch.result_type(torch.from_numpy(_values(da, (2,))),
                              torch.from_numpy(_values(db, ())))
        assert str(e) == str(t)
