"""torch.testing.assert_close / make_tensor and torch.futures against PyTorch's."""
import threading

import numpy as np
import pytest

torch = pytest.importorskip("torch", reason="differential tests need PyTorch as the reference")

import ember  # noqa: E402

PAIRS = [
    lambda L: (L.tensor([1.0, 2, 3]), L.tensor([1.0, 2.5, 3])),
    lambda L: (1.0, 1.5),
    lambda L: (L.tensor([1.0]), L.tensor([1.0], dtype=L.float64)),
    lambda L: (L.ones(2), L.ones(3)),
    lambda L: ([L.ones(2)], [L.zeros(2)]),
    lambda L: ({"a": L.ones(2)}, {"a": L.zeros(2)}),
    lambda L: (L.tensor([1, 2]), L.tensor([1, 3])),
    lambda L: (L.tensor([[0.0, 1e-6], [3.0, 4.0]]), L.tensor([[0.0, 0.0], [3.0, 4.5]])),
    lambda L: (L.tensor([float("nan")]), L.tensor([float("nan")])),
]


@pytest.mark.parametrize("pair", PAIRS)
def test_assert_close_fails_with_torchs_message(pair):
    with pytest.raises(AssertionError) as t_err:
        torch.testing.assert_close(*pair(torch))
    with pytest.raises(AssertionError) as e_err:
        ember.testing.assert_close(*pair(ember))
    assert str(e_err.value) == str(t_err.value)


@pytest.mark.parametrize("pair", [
    lambda L: (L.tensor([1.0, 2.0]), L.tensor([1.0, 2.0 + 1e-7])),
    lambda L: (L.tensor([float("nan")]), L.tensor([float("nan")]), {"equal_nan": True}),
    lambda L: (L.tensor([1.0]), L.tensor([1.5]), {"atol": 0.6, "rtol": 0.0}),
    lambda L: (L.tensor([1]), L.tensor([1.0]), {"check_dtype": False}),
    lambda L: ([1, (2.0, L.ones(1))], [1, (2.0, L.ones(1))]),
])
def test_assert_close_passes_where_torch_does(pair):
    for lib in (torch, ember):
        *values, kwargs = pair(lib) + ({},) if not isinstance(pair(lib)[-1], dict) else pair(lib)
        lib.testing.assert_close(*values, **kwargs)


def test_make_tensor_respects_shape_dtype_and_bounds():
    t = ember.testing.make_tensor(3, 4, dtype=ember.float32, low=-1, high=1)
    assert tuple(t.shape) == (3, 4) and t.dtype == ember.float32
    assert float(t.min()) >= -1 and float(t.max()) <= 1
    i = ember.testing.make_tensor((50,), dtype=ember.int64, low=2, high=5, exclude_zero=True)
    assert set(np.unique(i.numpy())) <= {2, 3, 4}
    b = ember.testing.make_tensor(10, dtype=ember.bool, requires_grad=False)
    assert b.dtype == ember.bool


def test_futures_follow_torchs_semantics():
    for lib in (ember, torch):
        f = lib.futures.Future()
        chained = f.then(lambda fut: fut.wait() * 2)
        seen = []
        f.add_done_callback(lambda fut: seen.append(fut.value()))
        assert not f.done()
        threading.Timer(0.01, lambda: f.set_result(21)).start()
        assert chained.wait() == 42 and f.done()
        for _ in range(100):  # the callbacks run on the thread that set the result
            if seen:
                break
            threading.Event().wait(0.01)
        assert seen == [21]
        g = lib.futures.Future()
        g.set_exception(ValueError("boom"))
        with pytest.raises(ValueError, match="boom"):
            g.wait()
        both = lib.futures.collect_all([f, chained])
        assert [x.wait() for x in both.wait()] == [21, 42]
        assert lib.futures.wait_all([f, chained]) == [21, 42]
        with pytest.raises(RuntimeError):
            f.set_result(1)


def test_c_extension_entry_points_used_by_libraries():
    ember._C._log_api_usage_once("python.some_library")
    assert ember._C._get_tracing_state() is None
    with pytest.raises(AttributeError, match="ember does not implement torch._C._nope"):
        ember._C._nope
