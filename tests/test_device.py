"""Devices, the CUDA / accelerator / backends namespaces, and moving tensors."""
import pickle

import pytest

import ember

no_cuda = pytest.mark.skipif(ember.cuda.is_available(), reason="checks the CPU-only answers")
needs_cuda = pytest.mark.skipif(not ember.cuda.is_available(), reason="needs CuPy and a GPU")
_NO_CUDA_MSG = "Torch not compiled with CUDA enabled"


# -- device objects -----------------------------------------------------------------------------
def test_device_from_string_with_index():
    d = ember.device("cuda:1")
    assert (d.type, d.index, str(d), repr(d)) == ("cuda", 1, "cuda:1",
                                                   "device(type='cuda', index=1)")


def test_device_without_index():
    d = ember.device("cpu")
    assert (d.type, d.index, str(d), repr(d)) == ("cpu", None, "cpu", "device(type='cpu')")


def test_device_from_type_and_index():
    assert ember.device("cuda", 2) == ember.device("cuda:2")


def test_device_of_a_device_is_itself():
    d = ember.device("cpu")
    assert ember.device(d) is d


def test_device_never_equals_a_string():
    assert ember.device("cpu") != "cpu"


def test_device_with_and_without_index_differ():
    assert ember.device("cuda") != ember.device("cuda:0")


def test_devices_hash_by_value():
    assert len({ember.device("cuda", 0), ember.device("cuda:0")}) == 1


def test_device_pickles():
    d = ember.device("cuda:3")
    assert pickle.loads(pickle.dumps(d)) == d


def test_device_is_immutable():
    with pytest.raises(AttributeError):
        ember.device("cpu").index = 1


@pytest.mark.parametrize("text, message", [
    ("foo", "Expected one of cpu, cuda, ipu, xpu"),
    ("cuda:x", "Invalid device string: 'cuda:x'"),
    ("cuda:01", "Invalid device string: 'cuda:01'"),
    ("cuda:0:1", "Invalid device string: 'cuda:0:1'"),
    (" cpu", "Invalid device string: ' cpu'"),
])
def test_bad_device_string_raises(text, message):
    with pytest.raises(RuntimeError, match=message):
        ember.device(text)


def test_negative_index_raises():
    with pytest.raises(RuntimeError, match="Device index must not be negative"):
        ember.device("cuda", -1)


def test_index_given_twice_raises():
    with pytest.raises(RuntimeError, match="must not include an index"):
        ember.device("cuda:0", 1)


def test_non_string_type_raises_type_error():
    with pytest.raises(TypeError, match=r"got \(float\)"):
        ember.device(1.5)


@no_cuda
def test_bare_index_needs_an_accelerator():
    with pytest.raises(RuntimeError, match="Cannot access accelerator device when none"):
        ember.device(0)


# -- ember.cuda without a GPU -------------------------------------------------------------------
@no_cuda
def test_cuda_unavailable_answers():
    assert (ember.cuda.is_available(), ember.cuda.device_count(),
            ember.cuda.is_initialized(), ember.cuda.memory_allocated()) == (False, 0, False, 0)


@no_cuda
@pytest.mark.parametrize("call", ["current_device", "get_device_name", "synchronize",
                                  "get_device_capability", "get_device_properties", "init"])
def test_cuda_queries_raise_without_cuda(call):
    with pytest.raises(AssertionError, match=_NO_CUDA_MSG):
        getattr(ember.cuda, call)()


def test_cuda_housekeeping_calls_are_harmless():
    ember.cuda.empty_cache()
    ember.cuda.manual_seed(0)
    ember.cuda.manual_seed_all(0)
    assert ember.cuda.is_bf16_supported() is False


@no_cuda
def test_tensor_cuda_raises_without_cuda():
    with pytest.raises(AssertionError, match=_NO_CUDA_MSG):
        ember.ones(2).cuda()


@no_cuda
def test_tensor_to_cuda_raises_without_cuda():
    with pytest.raises(AssertionError, match=_NO_CUDA_MSG):
        ember.ones(2).to("cuda")


def test_moving_to_mps_raises():
    with pytest.raises(RuntimeError, match="not linked with support for mps"):
        ember.ones(2).to("mps")


def test_to_cpu_returns_the_same_tensor():
    t = ember.ones(2)
    assert t.to("cpu") is t and t.cpu() is t and t.to(ember.device("cpu")) is t


def test_cpu_tensor_reports_its_device():
    t = ember.ones(2)
    assert (t.device, t.is_cuda, t.is_cpu, t.get_device()) == (ember.device("cpu"), False,
                                                                 True, -1)


# -- accelerator and backends -------------------------------------------------------------------
@no_cuda
def test_accelerator_without_gpu():
    acc = ember.accelerator
    assert (acc.is_available(), acc.current_accelerator(), acc.device_count()) == (False, None, 0)


@no_cuda
def test_accelerator_device_index_raises_without_gpu():
    with pytest.raises(RuntimeError, match="Cannot access accelerator device when none"):
        ember.accelerator.current_device_index()


def test_accelerator_agrees_with_cuda():
    assert ember.accelerator.is_available() == ember.cuda.is_available()
    assert ember.accelerator.device_count() == ember.cuda.device_count()


def test_cudnn_flags_are_settable():
    cudnn = ember.backends.cudnn
    old = cudnn.benchmark
    try:
        cudnn.benchmark = True
        assert cudnn.benchmark is True
    finally:
        cudnn.benchmark = old


def test_cudnn_flags_context_restores():
    cudnn = ember.backends.cudnn
    with cudnn.flags(enabled=False, deterministic=True):
        inside = (cudnn.enabled, cudnn.deterministic)
    assert (inside, cudnn.enabled, cudnn.deterministic) == ((False, True), True, False)


def test_cudnn_and_mps_are_unavailable():
    assert (ember.backends.cudnn.is_available(), ember.backends.cudnn.version(),
            ember.backends.mps.is_available(), ember.backends.mps.is_built()) == (
        False, None, False, False)


def test_cuda_matmul_tf32_flag():
    assert ember.backends.cuda.matmul.allow_tf32 is False


# -- with a GPU (CuPy) ----------------------------------------------------------------------------
@needs_cuda
def test_cuda_round_trip_keeps_values():
    t = ember.tensor([1.0, 2.0])
    g = t.cuda()
    assert (g.device, g.cpu().tolist()) == (ember.device("cuda", 0), [1.0, 2.0])


@needs_cuda
def test_mixing_devices_raises():
    with pytest.raises(RuntimeError, match="Expected all tensors to be on the same device"):
        ember.ones(2) + ember.ones(2).cuda()


@needs_cuda
def test_gradient_flows_back_to_cpu_leaf():
    x = ember.ones(2, requires_grad=True)
    (x.cuda() * 3).sum().backward()
    assert (x.grad.device, x.grad.tolist()) == (ember.device("cpu"), [3.0, 3.0])
