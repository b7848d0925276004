"""dtypes, promotion, default dtype and finfo/iinfo compared with PyTorch."""
import pickle

import numpy as np
import pytest

torch = pytest.importorskip("torch", reason="differential tests need PyTorch as the reference")

import ember  # noqa: E402

NAMES = ["float16", "bfloat16", "float32", "float64", "complex64", "complex128", "int8", "int16",
         "int32", "int64", "uint8", "bool"]
ALIASES = ["half", "float", "double", "cfloat", "cdouble", "short", "int", "long"]


@pytest.fixture(autouse=True)
def _default_dtype_back():
    yield
    ember.set_default_dtype(ember.float32)
    torch.set_default_dtype(torch.float32)


@pytest.mark.parametrize("a", NAMES)
@pytest.mark.parametrize("b", NAMES)
def test_promote_types_and_can_cast(a, b):
    e = ember.promote_types(getattr(ember, a), getattr(ember, b))
    t = torch.promote_types(getattr(torch, a), getattr(torch, b))
    assert repr(e) == repr(t)
    assert ember.can_cast(getattr(ember, a), getattr(ember, b)) == \
        torch.can_cast(getattr(torch, a), getattr(torch, b))


@pytest.mark.parametrize("name", NAMES)
def test_dtype_attributes(name):
    e, t = getattr(ember, name), getattr(torch, name)
    assert repr(e) == repr(t) == str(e)
    assert (e.is_floating_point, e.is_complex, e.is_signed, e.itemsize) == \
        (t.is_floating_point, t.is_complex, t.is_signed, t.itemsize)
    assert repr(e.to_real()) == repr(t.to_real())


@pytest.mark.parametrize("name", ["float32", "float64", "complex64", "complex128", "int8", "bool"])
def test_to_complex(name):
    try:
        expected = repr(getattr(torch, name).to_complex())
    except RuntimeError as exc:
        with pytest.raises(RuntimeError, match=str(exc)):
            getattr(ember, name).to_complex()
        return
    assert repr(getattr(ember, name).to_complex()) == expected


@pytest.mark.parametrize("alias", ALIASES)
def test_aliases_are_the_same_object(alias):
    e, t = getattr(ember, alias), getattr(torch, alias)
    assert repr(e) == repr(t)
    assert getattr(ember, t.__repr__().split(".")[1]) is e


@pytest.mark.parametrize("name", NAMES)
def test_dtypes_pickle_to_the_same_object(name):
    d = getattr(ember, name)
    assert pickle.loads(pickle.dumps(d)) is d


@pytest.mark.parametrize("operands", [
    "t.tensor([1, 2]), 1.0", "t.tensor([1, 2], dtype=t.int8), t.tensor(1000)",
    "t.tensor(1.0, dtype=t.float64), t.tensor([1], dtype=t.int32)",
    "t.tensor([1], dtype=t.uint8), True", "t.tensor([1.0], dtype=t.float64), 1j",
    "t.tensor([1], dtype=t.int32), t.tensor([1], dtype=t.int64)",
    "t.tensor([1.0], dtype=t.float16), 2.5", "t.tensor(1), t.tensor(1.0)",
    "t.tensor([True]), t.tensor(1)"])
def test_result_type(operands):
    e = eval(f"ember.result_type({operands.replace('t.', 'ember.')})")
    t = eval(f"torch.result_type({operands.replace('t.', 'torch.')})")
    assert repr(e) == repr(t)


@pytest.mark.parametrize("name", ["float16", "bfloat16", "float32", "float64", "complex64",
                                  "complex128"])
def test_finfo(name):
    e, t = ember.finfo(getattr(ember, name)), torch.finfo(getattr(torch, name))
    for attr in ("bits", "eps", "max", "min", "tiny", "smallest_normal", "resolution", "dtype"):
        assert getattr(e, attr) == getattr(t, attr), attr
    assert repr(e) == repr(t)


def test_finfo_default_is_the_default_dtype():
    ember.set_default_dtype(ember.float64)
    torch.set_default_dtype(torch.float64)
    assert ember.finfo().eps == torch.finfo().eps


@pytest.mark.parametrize("name", ["int8", "int16", "int32", "int64", "uint8"])
def test_iinfo(name):
    e, t = ember.iinfo(getattr(ember, name)), torch.iinfo(getattr(torch, name))
    assert (e.bits, e.min, e.max, e.dtype) == (t.bits, t.min, t.max, t.dtype)
    assert repr(e) == repr(t)


@pytest.mark.parametrize("fn,name", [("finfo", "int32"), ("iinfo", "float32"),
                                     ("iinfo", "bool")])
def test_info_errors(fn, name):
    with pytest.raises(TypeError) as t_info:
        getattr(torch, fn)(getattr(torch, name))
    with pytest.raises(TypeError) as e_info:
        getattr(ember, fn)(getattr(ember, name))
    assert str(e_info.value) == str(t_info.value)


def test_set_default_dtype_rejects_integers():
    with pytest.raises(TypeError) as t_info:
        torch.set_default_dtype(torch.int32)
    with pytest.raises(TypeError, match=str(t_info.value)):
        ember.set_default_dtype(ember.int32)


@pytest.mark.parametrize("code", ["t.tensor([1.5])", "t.zeros(2)", "t.tensor([1]) / 2",
                                  "t.tensor([1]) * 1.5", "t.arange(3.0)", "t.tensor(2) + 0.5",
                                  "t.tensor([1j])", "t.rand(2)", "t.linspace(0, 1, 3)"])
@pytest.mark.parametrize("default", ["float64", "float32"])
def test_default_dtype_reaches_factories_and_promotion(code, default):
    ember.set_default_dtype(getattr(ember, default))
    torch.set_default_dtype(getattr(torch, default))
    assert repr(eval(code, {"t": ember}).dtype) == repr(eval(code, {"t": torch}).dtype)


def test_default_dtype_is_process_wide():
    import threading
    ember.set_default_dtype(ember.float64)
    seen = []
    th = threading.Thread(target=lambda: seen.append(ember.get_default_dtype()))
    th.start()
    th.join()
    assert seen == [ember.float64]


@pytest.mark.parametrize("np_dtype", [np.float16, np.float32, np.float64, np.int8, np.int16,
                                      np.int32, np.int64, np.uint8, np.bool_, np.complex64])
def test_numpy_dtypes_map_both_ways(np_dtype):
    t = ember.from_numpy(np.zeros(2, np_dtype))
    assert repr(t.dtype) == repr(torch.from_numpy(np.zeros(2, np_dtype)).dtype)
    assert t.numpy().dtype == np_dtype
