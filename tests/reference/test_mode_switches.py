"""Global mode switches against torch: the autocast state (torch.is_autocast_enabled & co.,
nested regions, deprecated spellings, torch.cpu.amp), torch.cpu, and the deterministic debug
mode."""
from __future__ import annotations

import warnings

import pytest

import ember

torch = pytest.importorskip("torch", reason="torch is not installed; differential tests skipped")


def _snapshot(lib) -> tuple:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return (lib.is_autocast_enabled(), lib.is_autocast_enabled("cpu"),
                str(lib.get_autocast_dtype("cpu")), str(lib.get_autocast_dtype("cuda")),
                str(lib.get_autocast_cpu_dtype()), str(lib.get_autocast_gpu_dtype()),
                lib.is_autocast_cpu_enabled(), lib.is_autocast_cache_enabled())


def _nested_regions(lib) -> list:
    seen = [_snapshot(lib)]
    with lib.autocast("cpu"):
        seen.append(_snapshot(lib))
        with lib.autocast("cpu", dtype=lib.float16, cache_enabled=False):
            seen.append(_snapshot(lib))
            with lib.autocast("cpu", enabled=False):
                seen.append(_snapshot(lib))
            seen.append(_snapshot(lib))
        seen.append(_snapshot(lib))
    seen.append(_snapshot(lib))
    return seen


def test_state_in_nested_regions():
    assert _nested_regions(ember) == _nested_regions(torch)


def test_decorated_function_sees_the_region():
    def probe(lib):
        @lib.autocast("cpu", dtype=lib.float16)
        def inside():
            return lib.is_autocast_enabled("cpu"), str(lib.get_autocast_dtype("cpu"))
        return inside(), _snapshot(lib)
    assert probe(ember) == probe(torch)


def test_setters_and_deprecated_spellings():
    def run(lib):
        seen = []
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            lib.set_autocast_enabled("cpu", True)
            seen.append(_snapshot(lib))
            lib.set_autocast_enabled("cpu", False)
            lib.set_autocast_cpu_enabled(True)
            lib.set_autocast_dtype("cpu", lib.float16)
            lib.set_autocast_gpu_dtype(lib.bfloat16)
            lib.set_autocast_cache_enabled(False)
            seen.append(_snapshot(lib))
            lib.set_autocast_cpu_enabled(False)
            lib.set_autocast_cpu_dtype(lib.bfloat16)
            lib.set_autocast_dtype("cuda", lib.float16)
            lib.set_autocast_cache_enabled(True)
        seen.append(_snapshot(lib))
        return seen
    assert run(ember) == run(torch)


@pytest.mark.parametrize("name,args", [("is_autocast_cpu_enabled", ()),
                                       ("get_autocast_cpu_dtype", ()),
                                       ("get_autocast_gpu_dtype", ())])
def test_deprecated_spellings_warn(name, args):
    with pytest.warns(DeprecationWarning, match=f"torch.{name}\\(\\) is deprecated"):
        getattr(ember, name)(*args)


def test_unknown_device_type():
    for lib in (ember, torch):
        with pytest.raises(RuntimeError, match="Expected one of cpu"):
            lib.is_autocast_enabled("foo")


def test_cpu_region_with_an_unsupported_dtype_is_disabled():
    for lib in (ember, torch):
        with pytest.warns(UserWarning, match="target dtype is not supported"):
            region = lib.autocast("cpu", dtype=lib.float32)
        with region:
            assert lib.is_autocast_enabled("cpu") is False


def test_cpu_device_module():
    for name in ("is_available", "is_initialized", "device_count", "current_device"):
        assert getattr(ember.cpu, name)() == getattr(torch.cpu, name)()
    assert ember.cpu.synchronize() is None and ember.cpu.set_device("cpu") is None


@pytest.mark.parametrize("kwargs", [{}, {"dtype": "float16", "cache_enabled": False},
                                    {"enabled": False}])
def test_deprecated_cpu_amp_autocast(kwargs):
    def run(lib):
        args = {k: getattr(lib, v) if k == "dtype" else v for k, v in kwargs.items()}
        with pytest.warns(FutureWarning, match="torch.cpu.amp.autocast"):
            region = lib.cpu.amp.autocast(**args)
        with region:
            return _snapshot(lib)
    assert run(ember) == run(torch)


def test_deprecated_cpu_amp_grad_scaler():
    for lib in (ember, torch):
        with pytest.warns(FutureWarning, match="torch.cpu.amp.GradScaler"):
            scaler = lib.cpu.amp.GradScaler(init_scale=4.0)
        assert scaler.get_scale() == 4.0 and scaler.is_enabled()


@pytest.mark.parametrize("steps", [
    [("use", True, True)], [("use", True, False)], [("mode", "warn")], [("mode", 2)],
    [("mode", "error"), ("mode", "default")], [("use", True, True), ("use", False, False)],
])
def test_deterministic_debug_mode(steps):
    def run(lib):
        try:
            for kind, *args in steps:
                if kind == "use":
                    lib.use_deterministic_algorithms(args[0], warn_only=args[1])
                else:
                    lib.set_deterministic_debug_mode(args[0])
            return (lib.get_deterministic_debug_mode(), lib.are_deterministic_algorithms_enabled(),
                    lib.is_deterministic_algorithms_warn_only_enabled())
        finally:
            lib.use_deterministic_algorithms(False)
    assert run(ember) == run(torch)


@pytest.mark.parametrize("mode,error", [("x", RuntimeError), (3, RuntimeError),
                                        (1.0, TypeError)])
def test_deterministic_debug_mode_rejects(mode, error):
    for lib in (ember, torch):
        with pytest.raises(error, match="debug_mode"):
            lib.set_deterministic_debug_mode(mode)
