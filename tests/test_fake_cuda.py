"""The strict CuPy stand-in (``ember.testing._fake_cupy``) and ember's CUDA path on it.

The stand-in refuses implicit conversion to NumPy as CuPy does and counts host<->device
copies, so these tests prove, without a GPU, that CUDA tensors copy only where torch's do
(``.cpu()``, ``.item()``, printing) and that ``.numpy()`` and device mixes fail as in torch.
"""
import pickle

import numpy as np
import pytest

import ember
from ember import _device
from ember.testing import _fake_cupy

_IMPLICIT = "Implicit conversion to a NumPy array is not allowed"
_TO_NUMPY = ("can't convert cuda:0 device type tensor to numpy. Use Tensor.cpu() to copy the "
             "tensor to host memory first.")


@pytest.fixture
def fc(monkeypatch):
    """The stand-in serving ``cuda`` for one test (whatever EMBER_FAKE_CUDA says)."""
    monkeypatch.setattr(_device, "_cupy_module", _fake_cupy)
    monkeypatch.setattr(_device, "_cupy_checked", True)
    _fake_cupy.reset_copies()
    return _fake_cupy


def _moved(fc):
    return fc.copies["h2d"] + fc.copies["d2h"]


# -- the stand-in itself ----------------------------------------------------------------------
def test_stand_in_refuses_implicit_conversion(fc):
    x = fc.arange(3.0)
    for convert in (np.asarray, np.array, lambda a: np.zeros(3).__setitem__(slice(None), a)):
        with pytest.raises(TypeError, match=_IMPLICIT):
            convert(x)


def test_stand_in_refuses_host_operands(fc):
    x = fc.arange(3.0)
    for mix in (lambda: x + np.ones(3), lambda: np.add(np.ones(3), x), lambda: fc.exp(np.ones(3)),
                lambda: np.concatenate([x, np.ones(3)]), lambda: fc.zeros_like(np.ones(3))):
        with pytest.raises(TypeError, match="Unsupported type <class 'numpy.ndarray'>"):
            mix()


def test_stand_in_keeps_results_on_the_device(fc):
    x = fc.arange(6.0).reshape(2, 3)
    results = [x + 1, np.exp(x), np.concatenate([x, x]), x.sum(), x[0, 1], x.T,
               fc.where(x > 2, x, 0), np.linalg.norm(x)]
    assert all(type(r) is fc.ndarray for r in results)
    assert (results[3].ndim, results[4].ndim) == (0, 0)  # no NumPy scalars, as in CuPy
    assert _moved(fc) == 0


def test_stand_in_counts_copies(fc):
    x = fc.asarray(np.arange(4.0))
    assert fc.copies == {"h2d": 1, "d2h": 0}
    np.testing.assert_array_equal(x.get(), np.arange(4.0))
    np.testing.assert_array_equal(fc.asnumpy(x), np.arange(4.0))
    assert (float(x[1]), x[2].item(), bool(x[3])) == (1.0, 2.0, True)
    assert fc.copies == {"h2d": 1, "d2h": 5}
    x[:2] = np.zeros(2)  # CuPy copies a host value over on assignment
    assert fc.copies["h2d"] == 2


def test_stand_in_views_share_memory(fc):
    x = fc.zeros((2, 3))
    x[1][...] = 5.0
    x[:, 0] += 1.0
    np.testing.assert_array_equal(x.get(), [[1, 0, 0], [6, 5, 5]])


def test_stand_in_pickles_through_the_host(fc):
    x = pickle.loads(pickle.dumps(fc.arange(3)))
    assert type(x) is fc.ndarray and x.get().tolist() == [0, 1, 2]


# -- ember's CUDA path on it ----------------------------------------------------------------
def test_cuda_is_served_by_the_stand_in(fc):
    assert (ember.cuda.is_available(), ember.cuda.device_count()) == (True, 1)
    assert "stand-in" in ember.cuda.get_device_name(0)
    t = ember.ones(2).cuda()
    assert (t.device, t.is_cuda, type(t._data)) == (ember.device("cuda", 0), True, fc.ndarray)
    assert (ember.zeros(2, device="cuda").device.type, ember.randn(2, device="cuda").is_cuda) == (
        "cuda", True)


def test_ops_on_cuda_tensors_copy_nothing(fc):
    x = ember.randn(3, 4).cuda().requires_grad_()
    w = ember.randn(4, 2, device="cuda", requires_grad=True)
    fc.reset_copies()
    loss = ember.nn.functional.relu(x @ w).exp().mean()
    loss.backward()
    assert (loss.device.type, x.grad.device.type, w.grad.device.type) == ("cuda",) * 3
    assert _moved(fc) == 0


@pytest.mark.parametrize("to_host", [
    lambda t: t.cpu(), lambda t: t.item(), lambda t: t.tolist(), repr, str,
    lambda t: t.numpy(force=True), lambda t: t.to("cpu")])
def test_copies_happen_where_torch_copies(fc, to_host):
    t = ember.tensor(2.5).cuda()
    fc.reset_copies()
    to_host(t)
    assert fc.copies == {"h2d": 0, "d2h": 1}


def test_numpy_refuses_cuda_tensors_as_torch(fc):
    t = ember.ones(2).cuda()
    for convert in (lambda: t.numpy(), lambda: np.asarray(t),
                    lambda: t.requires_grad_().numpy()):
        with pytest.raises(TypeError) as info:
            convert()
        assert str(info.value) == _TO_NUMPY
    assert t.cpu().detach().numpy().tolist() == [1.0, 1.0]


def test_printing_names_the_device(fc):
    assert repr(ember.tensor([1.0, 2.0]).cuda()) == "tensor([1., 2.], device='cuda:0')"


def test_mixing_devices_raises_torchs_error(fc):
    msg = "Expected all tensors to be on the same device, but found at least two devices, " \
          "cuda:0 and cpu!"
    g = ember.ones(2).cuda()
    for mix in (lambda: ember.ones(2) + g, lambda: g * ember.ones(2), lambda: ember.ones(2) * g):
        with pytest.raises(RuntimeError) as info:
            mix()
        assert str(info.value) == msg


def test_cpu_scalar_tensor_joins_cuda_operands(fc):
    g = ember.ones(2).cuda()
    r = g * ember.tensor(3.0)
    assert (r.device.type, r.cpu().tolist()) == ("cuda", [3.0, 3.0])


def test_gradient_flows_back_to_cpu_leaf(fc):
    x = ember.ones(2, requires_grad=True)
    (x.cuda() * 3).sum().backward()
    assert (x.grad.device, x.grad.tolist()) == (ember.device("cpu"), [3.0, 3.0])
