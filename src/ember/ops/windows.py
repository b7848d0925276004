"""Window functions for spectral analysis (Hann, Hamming, Blackman, Bartlett, Kaiser).

``periodic=True`` (the default) gives the window for use with an FFT: one sample of the
symmetric window of length ``N + 1`` is dropped."""
from __future__ import annotations

import numpy as np

from .._tensor import Tensor

__all__ = ["hann_window", "hamming_window", "blackman_window", "bartlett_window",
           "kaiser_window"]


def _window(values, n: int, periodic: bool, name: str, dtype, device, requires_grad) -> Tensor:
    from .._creation import tensor
    from .._dtype import get_default_dtype
    if n < 0:
        raise RuntimeError(f"{name} requires non-negative window_length, got "
                           f"window_length={n}")
    dtype = get_default_dtype() if dtype is None else dtype
    if not dtype.is_floating_point:
        raise RuntimeError(f"{name} expects floating point dtypes, got: "
                           f"{str(dtype).split('.')[-1]}")
    if n <= 1:
        data = np.ones(n)
    else:
        length = n + 1 if periodic else n
        data = values(np.arange(length, dtype=np.float64), length)[:n]
    return tensor(data, dtype=dtype, device=device, requires_grad=requires_grad)


def _cosine_sum(*coefficients):
    def values(k, length):
        phase = 2 * np.pi * k / (length - 1)
        return sum(c * np.cos(i * phase) * (-1) ** i for i, c in enumerate(coefficients))
    return values


def hann_window(window_length: int, periodic: bool = True, *, dtype=None, layout=None,
                device=None, requires_grad: bool = False) -> Tensor:
    """``0.5 - 0.5 cos(2 pi n / (N - 1))``."""
    return _window(_cosine_sum(0.5, 0.5), window_length, periodic, "hann_window", dtype,
                   device, requires_grad)


def hamming_window(window_length: int, periodic: bool = True, alpha: float = 0.54,
                   beta: float = 0.46, *, dtype=None, layout=None, device=None,
                   requires_grad: bool = False) -> Tensor:
    """``alpha - beta cos(2 pi n / (N - 1))``."""
    return _window(_cosine_sum(alpha, beta), window_length, periodic, "hamming_window", dtype,
                   device, requires_grad)


def blackman_window(window_length: int, periodic: bool = True, *, dtype=None, layout=None,
                    device=None, requires_grad: bool = False) -> Tensor:
    """``0.42 - 0.5 cos(2 pi n / (N - 1)) + 0.08 cos(4 pi n / (N - 1))``."""
    return _window(_cosine_sum(0.42, 0.5, 0.08), window_length, periodic, "blackman_window",
                   dtype, device, requires_grad)


def bartlett_window(window_length: int, periodic: bool = True, *, dtype=None, layout=None,
                    device=None, requires_grad: bool = False) -> Tensor:
    """The triangular window ``1 - |2n / (N - 1) - 1|``."""
    return _window(lambda k, length: 1 - np.abs(2 * k / (length - 1) - 1), window_length,
                   periodic, "bartlett_window", dtype, device, requires_grad)


def kaiser_window(window_length: int, periodic: bool = True, beta: float = 12.0, *,
                  dtype=None, layout=None, device=None, requires_grad: bool = False) -> Tensor:
    """``I0(beta sqrt(1 - ((n - (N-1)/2) / ((N-1)/2))^2)) / I0(beta)``."""
    def values(k, length):
        half = (length - 1) / 2
        return np.i0(beta * np.sqrt(np.clip(1 - ((k - half) / half) ** 2, 0, None))) / \
            np.i0(beta)
    return _window(values, window_length, periodic, "kaiser_window", dtype, device,
                   requires_grad)


TENSOR_METHODS: list = []
