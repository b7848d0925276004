"""set_default_device / get_default_device against torch on a CPU machine."""
import pytest

torch = pytest.importorskip("torch", reason="differential tests need PyTorch as the reference")

import ember  # noqa: E402


def test_default_device_round_trip_and_factories_follow_it():
    for lib in (ember, torch):
        try:
            lib.set_default_device("cpu")
            assert str(lib.get_default_device()) == "cpu"
            assert lib.zeros(2).device.type == "cpu" and lib.tensor([1]).device.type == "cpu"
        finally:
            lib.set_default_device(None)
        assert str(lib.get_default_device()) == "cpu"


@pytest.mark.skipif(ember.cuda.is_available(), reason="the error is for machines without CUDA")
def test_cuda_default_without_cuda_fails_at_once():
    # (torch raises here too, or only at the first factory call, depending on whether CUDA
    # was queried before; ember refuses at once)
    with pytest.raises(AssertionError, match="not compiled with CUDA enabled"):
        ember.set_default_device("cuda")
    assert str(ember.get_default_device()) == "cpu"
