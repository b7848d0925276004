"""Discrete Fourier transforms as one differentiable primitive.

Every torch.fft transform is one of four linear maps over ``axes`` (with the input first
cropped or zero-padded to ``s``, as NumPy's ``s`` does): ``fft`` and ``ifft`` (complex to
complex), ``rfft`` (real to the non-negative half of the spectrum) and ``irfft`` (half
spectrum to real). The backward of each is its adjoint, which is again one of these maps
with the opposite normalisation; ``rfft_adj`` and ``irfft_adj`` are the adjoints of the
real transforms (they zero-pad, resp. double, the bins that have a mirror image).
"""
from __future__ import annotations

import numpy as np

from ..autograd.function import Primitive

_DUAL = {"backward": "forward", "forward": "backward", "ortho": "ortho"}


def _complex_of(dt):
    return np.complex64 if dt in (np.float32, np.complex64, np.float16) else np.complex128


def _real_of(dt):
    return np.float32 if dt in (np.float32, np.complex64, np.float16) else np.float64


def _resize(a, axes, sizes):
    """``a`` cropped or zero-padded at the end of each axis to ``sizes``."""
    if all(a.shape[ax] == n for ax, n in zip(axes, sizes)):
        return a
    index = [slice(None)] * a.ndim
    pad = [(0, 0)] * a.ndim
    for ax, n in zip(axes, sizes):
        index[ax] = slice(0, min(n, a.shape[ax]))
        pad[ax] = (0, max(0, n - a.shape[ax]))
    return np.pad(a[tuple(index)], pad)


def transform(a, kind, axes, s, norm):
    """The array-level transform ``kind`` of ``a`` over ``axes`` (input resized to ``s``)."""
    if kind == "fft":
        return np.fft.fftn(a, s, axes, norm).astype(_complex_of(a.dtype), copy=False)
    if kind == "ifft":
        return np.fft.ifftn(a, s, axes, norm).astype(_complex_of(a.dtype), copy=False)
    if kind == "rfft":
        return np.fft.rfftn(a, s, axes, norm).astype(_complex_of(a.dtype), copy=False)
    if kind == "irfft":
        return np.fft.irfftn(a, s, axes, norm).astype(_real_of(a.dtype), copy=False)
    if kind == "rfft_adj":
        # zero-pad the half spectrum to the full length s, then the unnormalised inverse
        return np.fft.ifftn(a, s, axes, norm).real.astype(_real_of(a.dtype), copy=False)
    # irfft_adj: the half spectrum of a real signal, with the mirrored bins counted twice
    out = np.fft.rfftn(a, s, axes, norm).astype(_complex_of(a.dtype), copy=False)
    n = s[-1]
    index = [slice(None)] * out.ndim
    index[axes[-1]] = slice(1, (n + 1) // 2)
    out[tuple(index)] *= 2
    return out


_ADJOINT = {"fft": "ifft", "ifft": "fft", "rfft": "rfft_adj", "rfft_adj": "rfft",
            "irfft": "irfft_adj", "irfft_adj": "irfft"}


class Fft(Primitive):
    """``transform(a, kind, axes, s, norm)``, then resized to ``out_sizes`` along axes."""

    @staticmethod
    def forward(ctx, a, kind, axes, s, norm, out_sizes=None):
        y = transform(a, kind, axes, s, norm)
        a_sizes = tuple(a.shape[ax] for ax in axes)
        ctx.args = (kind, axes, norm, tuple(y.shape[ax] for ax in axes), a_sizes,
                    tuple(s) if s is not None else a_sizes, a.dtype.kind == "c")
        if out_sizes is not None:
            y = _resize(y, axes, out_sizes)
        return y

    @staticmethod
    def backward(ctx, grad):
        kind, axes, norm, y_sizes, a_sizes, signal_sizes, complex_in = ctx.args
        adj = _ADJOINT[kind]
        # the adjoint reads the gradient at the output's size and is brought back to the
        # input's size, which undoes the crop / zero-pad of ``s``; the two maps that
        # produce a full signal from a half spectrum need the forward's signal size
        s = signal_sizes if adj in ("rfft_adj", "irfft") else y_sizes
        g = Fft.apply(grad, adj, axes, s, _DUAL[norm], a_sizes)
        if not complex_in and g._data.dtype.kind == "c":
            from .unary import real
            g = real(g)
        return g, None, None, None, None, None

