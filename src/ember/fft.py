"""torch.fft: discrete Fourier transforms, differentiable, on NumPy's FFT."""
from __future__ import annotations

import numpy as np

from . import _dtype as D
from ._tensor import Tensor, _wrap_dim
from .ops.arith import Conj, _cast, _need_tensor, _out
from .ops.fft import _DUAL, Fft

__all__ = ["fft", "ifft", "rfft", "irfft", "hfft", "ihfft", "fft2", "ifft2", "rfft2", "irfft2",
           "hfft2", "ihfft2", "fftn", "ifftn", "rfftn", "irfftn", "hfftn", "ihfftn", "fftfreq",
           "rfftfreq", "fftshift", "ifftshift"]


def _norm(norm):
    if norm is None:
        return "backward"
    if norm not in _DUAL:
        raise RuntimeError(f'Invalid normalization mode: "{norm}"')
    return norm


def _prepare(input, fname, real_only=False):
    _need_tensor(input, f"fft_{fname}")
    kind = input._data.dtype.kind
    if kind == "c" and real_only:
        raise RuntimeError(f"{fname} expects a real input tensor, but got "
                           f"{'ComplexFloat' if input.dtype.itemsize == 8 else 'ComplexDouble'}")
    if kind not in "fc":
        input = _cast(input, D.get_default_dtype())
    return input


def _axes(input, s, dim, default_all=True):
    """(axes, sizes) from torch's ``s`` / ``dim`` arguments."""
    nd = input.dim()
    if dim is None:
        if s is not None:
            axes = tuple(range(nd - len(s), nd))
        else:
            axes = tuple(range(nd)) if default_all else (nd - 1,)
    else:
        dims = (dim,) if isinstance(dim, int) else tuple(dim)
        axes = tuple(_wrap_dim(int(d), nd) for d in dims)
        if len(set(axes)) != len(axes):
            raise RuntimeError("FFT dims must be unique")
    if s is not None:
        s = tuple(int(n) for n in s)
        if len(s) != len(axes):
            raise RuntimeError("When given, dim and shape arguments must have the same length")
        for n in s:
            if n != -1 and n < 1:
                raise RuntimeError(f"Invalid number of data points ({n}) specified")
        s = tuple(input.shape[ax] if n == -1 else n for ax, n in zip(axes, s))
    return axes, s


def _run(input, kind, s, dim, norm, out, fname, default_all=True, conj_in=False,
         conj_out=False, dual=False):
    real_only = kind == "rfft"
    x = _prepare(input, fname, real_only)
    axes, s = _axes(x, s, dim, default_all)
    if not axes:
        return _out(x, out)
    if conj_in and x._data.dtype.kind == "c":
        x = Conj.apply(x)
    norm = _norm(norm)
    y = Fft.apply(x, kind, axes, s, _DUAL[norm] if dual else norm)
    if conj_out:
        y = Conj.apply(y)
    return _out(y, out)


def _one(n):
    if n is None:
        return None
    if n < 1:
        raise RuntimeError(f"Invalid number of data points ({n}) specified")
    return (n,)


def _maker(name, kind, ndim, doc, **flags):
    """The 1-d (``ndim`` 1), 2-d (2) or n-d (None) public function of a transform."""
    if ndim == 1:
        def fn(input, n=None, dim=-1, norm=None, *, out=None):
            return _run(input, kind, _one(n), (dim,), norm, out, name, **flags)
    elif ndim == 2:
        def fn(input, s=None, dim=(-2, -1), norm=None, *, out=None):
            return _run(input, kind, s, dim, norm, out, name, **flags)
    else:
        def fn(input, s=None, dim=None, norm=None, *, out=None):
            return _run(input, kind, s, dim, norm, out, name, **flags)
    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = doc
    return fn


fft = _maker("fft", "fft", 1, "One-dimensional discrete Fourier transform.")
ifft = _maker("ifft", "ifft", 1, "One-dimensional inverse discrete Fourier transform.")
rfft = _maker("rfft", "rfft", 1, "Fourier transform of a real signal: the non-negative "
              "frequencies only.")
irfft = _maker("irfft", "irfft", 1, "Inverse of ``rfft``: a real signal from half a spectrum.")
hfft = _maker("hfft", "irfft", 1, "Fourier transform of a Hermitian-symmetric signal given by "
              "its first half; the result is real.", conj_in=True, dual=True)
ihfft = _maker("ihfft", "rfft", 1, "Inverse of ``hfft``: half of the Hermitian spectrum of a "
               "real signal.", conj_out=True, dual=True)
fft2 = _maker("fft2", "fft", 2, "Two-dimensional discrete Fourier transform.")
ifft2 = _maker("ifft2", "ifft", 2, "Two-dimensional inverse discrete Fourier transform.")
rfft2 = _maker("rfft2", "rfft", 2, "Two-dimensional ``rfft``.")
irfft2 = _maker("irfft2", "irfft", 2, "Two-dimensional ``irfft``.")
hfft2 = _maker("hfft2", "irfft", 2, "Two-dimensional ``hfft``.", conj_in=True, dual=True)
ihfft2 = _maker("ihfft2", "rfft", 2, "Two-dimensional ``ihfft``.", conj_out=True, dual=True)
fftn = _maker("fftn", "fft", None, "N-dimensional discrete Fourier transform.")
ifftn = _maker("ifftn", "ifft", None, "N-dimensional inverse discrete Fourier transform.")
rfftn = _maker("rfftn", "rfft", None, "N-dimensional ``rfft``.")
irfftn = _maker("irfftn", "irfft", None, "N-dimensional ``irfft``.")
hfftn = _maker("hfftn", "irfft", None, "N-dimensional ``hfft``.", conj_in=True, dual=True)
ihfftn = _maker("ihfftn", "rfft", None, "N-dimensional ``ihfft``.", conj_out=True, dual=True)


def _freqs(values, dtype, device, requires_grad):
    from ._creation import tensor
    dt = dtype if dtype is not None else D.get_default_dtype()
    return tensor(values, dtype=dt, device=device, requires_grad=requires_grad)


def fftfreq(n: int, d: float = 1.0, *, out=None, dtype=None, layout=None, device=None,
            requires_grad: bool = False) -> Tensor:
    """The sample frequencies of an ``n``-point FFT with sample spacing ``d``."""
    return _out(_freqs(np.fft.fftfreq(n, d), dtype, device, requires_grad), out)


def rfftfreq(n: int, d: float = 1.0, *, out=None, dtype=None, layout=None, device=None,
             requires_grad: bool = False) -> Tensor:
    """The sample frequencies of an ``n``-point ``rfft`` with sample spacing ``d``."""
    return _out(_freqs(np.fft.rfftfreq(n, d), dtype, device, requires_grad), out)


def _shift(input, dim, sign):
    from .ops.shape import roll
    dims = tuple(range(input.dim())) if dim is None else \
        ((dim,) if isinstance(dim, int) else tuple(dim))
    shifts = tuple(sign * (input.shape[d] // 2) for d in dims)
    return roll(input, shifts, dims)


def fftshift(input, dim=None) -> Tensor:
    """Move the zero frequency to the centre of the spectrum along ``dim`` (all dims by default)."""
    return _shift(input, dim, 1)


def ifftshift(input, dim=None) -> Tensor:
    """Undo ``fftshift``."""
    return _shift(input, dim, -1)


def __getattr__(name):
    if name.startswith("_"):  # submodule imports look for these first
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from ._left_out import missing_in_module
    raise missing_in_module("torch.fft", __name__, name)
