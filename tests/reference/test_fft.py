"""torch.fft against real PyTorch: values, dtypes, shapes, gradients and errors."""
import pytest

torch = pytest.importorskip("torch", reason="differential tests need PyTorch as the reference")

import numpy as np  # noqa: E402
from hypothesis import given, settings, strategies as st  # noqa: E402
from hypothesis.extra import numpy as hnp  # noqa: E402

import ember  # noqa: E402
from helpers import assert_close, check_error, check_op, gradcheck_op  # noqa: E402

SETTINGS = settings(max_examples=10, deadline=None)
NORMS = [None, "backward", "ortho", "forward"]
ONE_D = ["fft", "ifft", "rfft", "irfft", "hfft", "ihfft"]
N_D = ["fft2", "ifft2", "rfft2", "irfft2", "hfft2", "ihfft2", "fftn", "ifftn", "rfftn",
       "irfftn", "hfftn", "ihfftn"]
REAL_ONLY = {"rfft", "ihfft", "rfft2", "ihfft2", "rfftn", "ihfftn"}


def _signal(shape, complex_=False, dtype=np.float64, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(shape)
    if complex_:
        x = x + 1j * rng.standard_normal(shape)
        return x.astype(np.complex128 if dtype == np.float64 else np.complex64)
    return x.astype(dtype)


def _magnitude(mod, name, **kw):
    """The transform followed by ``abs`` when complex: a real output to differentiate."""
    def fn(x):
        y = getattr(mod.fft, name)(x, **kw)
        return y.abs() if y.is_complex() else y
    return fn


@pytest.mark.parametrize("name", ONE_D)
@pytest.mark.parametrize("norm", NORMS)
@pytest.mark.parametrize("n", [None, 3, 10])
@pytest.mark.parametrize("complex_", [False, True])
def test_one_dimensional_matches_torch(name, norm, n, complex_):
    if complex_ and name in REAL_ONLY:
        pytest.skip("real input only")
    x = _signal((3, 6), complex_)
    check_op(_magnitude(ember, name, n=n, norm=norm), _magnitude(torch, name, n=n, norm=norm),
             x, atol=1e-6)
    check_op(lambda t: getattr(ember.fft, name)(t, n=n, dim=0, norm=norm),
             lambda t: getattr(torch.fft, name)(t, n=n, dim=0, norm=norm).resolve_conj(), x,
             grad=False, atol=1e-6)


@pytest.mark.parametrize("name", N_D)
@pytest.mark.parametrize("norm", NORMS)
@pytest.mark.parametrize("s", [None, (4, 5)])
def test_n_dimensional_matches_torch(name, norm, s):
    x = _signal((2, 3, 6), name not in REAL_ONLY)
    check_op(_magnitude(ember, name, s=s, norm=norm), _magnitude(torch, name, s=s, norm=norm),
             x, atol=1e-6)


@pytest.mark.parametrize("name", ["fftn", "rfftn", "irfftn"])
def test_fftn_dim_argument(name):
    x = _signal((3, 4, 5), name == "irfftn")
    check_op(_magnitude(ember, name, dim=(0, 2)), _magnitude(torch, name, dim=(0, 2)), x,
             atol=1e-6)
    check_op(_magnitude(ember, name, s=(6,), dim=(-2,)),
             _magnitude(torch, name, s=(6,), dim=(-2,)), x, atol=1e-6)


@pytest.mark.parametrize("name", ["fft", "rfft", "ifft", "irfft", "hfft"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.int64])
def test_result_dtypes(name, dtype):
    x = (np.arange(8) % 3).astype(dtype)
    check_op(getattr(ember.fft, name), getattr(torch.fft, name), x, grad=False, atol=1e-5)


@given(hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=5),
       st.sampled_from(["fft", "rfft", "ifft"]))
@SETTINGS
def test_drawn_shapes_real_to_complex_to_real(shape, name):
    x = _signal(shape, seed=sum(shape))
    check_op(lambda t: getattr(ember.fft, name)(t).abs().sum(),
             lambda t: getattr(torch.fft, name)(t).abs().sum(), x, atol=1e-6)


def test_roundtrip_and_spectral_filter_gradients():
    x = _signal((2, 16))
    check_op(lambda t: ember.fft.irfft(ember.fft.rfft(t) * ember.fft.rfft(t), n=16),
             lambda t: torch.fft.irfft(torch.fft.rfft(t) * torch.fft.rfft(t), n=16), x,
             atol=1e-6)
    check_op(lambda t: ember.fft.ifft(ember.fft.fft(t)).real,
             lambda t: torch.fft.ifft(torch.fft.fft(t)).real, x, atol=1e-6)


@pytest.mark.parametrize("name", ONE_D + ["fft2", "rfftn", "irfftn", "hfftn"])
@pytest.mark.parametrize("norm", ["backward", "ortho", "forward"])
def test_finite_difference_gradients(name, norm):
    # irfft-like transforms read only the half spectrum; feed them a real signal here
    x = _signal((2, 5), seed=3)
    gradcheck_op(lambda t: _magnitude(ember, name, norm=norm)(t) ** 2, x)


def test_real_part_gradient_of_complex_input_finite_difference():
    x = _signal((3, 4), seed=4)
    gradcheck_op(lambda t: ember.fft.fftn(t * 1.5, norm="ortho").real, x)


def test_frequencies_and_shifts():
    for n, d in [(5, 1.0), (8, 0.25)]:
        assert_close(ember.fft.fftfreq(n, d), torch.fft.fftfreq(n, d))
        assert_close(ember.fft.rfftfreq(n, d), torch.fft.rfftfreq(n, d))
    assert_close(ember.fft.fftfreq(4, dtype=ember.float64), torch.fft.fftfreq(4, dtype=torch.float64))
    x = _signal((3, 5))
    check_op(ember.fft.fftshift, torch.fft.fftshift, x)
    check_op(ember.fft.ifftshift, torch.fft.ifftshift, x)
    check_op(lambda t: ember.fft.fftshift(t, dim=1), lambda t: torch.fft.fftshift(t, dim=1), x)
    check_op(lambda t: ember.fft.ifftshift(t, dim=(0,)), lambda t: torch.fft.ifftshift(t, dim=(0,)), x)


def test_errors_match_torch():
    c = _signal((4,), True)
    check_error(ember.fft.rfft, torch.fft.rfft, c)
    x = _signal((4,))
    check_error(lambda t: ember.fft.fft(t, n=0), lambda t: torch.fft.fft(t, n=0), x)
    check_error(lambda t: ember.fft.fft(t, norm="bad"), lambda t: torch.fft.fft(t, norm="bad"), x)
