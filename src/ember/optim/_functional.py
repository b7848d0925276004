"""Array-level building blocks the optimizers share (NumPy or CuPy arrays, updated in place).

PyTorch computes its updates in a particular order of operations; these helpers follow
that order so that float32 trajectories agree to rounding.
"""
from __future__ import annotations

from .._tensor import Tensor
from .optimizer import _scalar_state

__all__ = []


def real_view(arr):
    """A complex array seen as real pairs (last axis of 2), sharing memory; reals unchanged.

    Adaptive optimizers treat the real and imaginary parts as separate coordinates."""
    if arr.dtype.kind != "c":
        return arr
    return arr[..., None].view(arr.real.dtype)


def effective_grad(p, g, weight_decay: float, maximize: bool):
    """The gradient the update uses: negated for ``maximize``, plus ``weight_decay * p``
    (L2 penalty). Returns a new array when it differs from ``g``; ``g`` is never written."""
    if maximize:
        g = -g
    if weight_decay != 0:
        g = g + weight_decay * p
    return g


def decayed_grad(pa, g, group: dict, lr: float, decoupled: bool):
    """The gradient after weight decay: with ``decoupled`` the parameter array shrinks in
    place by ``1 - lr * weight_decay`` instead of the penalty entering the gradient."""
    wd = group["weight_decay"]
    if decoupled and wd != 0:
        pa *= 1 - lr * wd
        wd = 0
    return effective_grad(pa, g, wd, group["maximize"])


def axpy(y, a: float, x) -> None:
    """``y += a * x`` in place (PyTorch's ``y.add_(x, alpha=a)``)."""
    if a == 1:
        y += x
    else:
        y += a * x


def lerp_(a, b, w: float) -> None:
    """``a`` moved towards ``b`` by weight ``w``, in place, with PyTorch's two-sided formula."""
    d = b - a
    if w < 0.5:
        d *= w
        a += d
    else:
        d *= 1 - w
        d -= b
        d *= -1  # d is now b - (b - a) * (1 - w)
        a[...] = d


def ema_sq_(v, g, beta: float) -> None:
    """``v = beta * v + (1 - beta) * g * g`` in place (a running mean of squares)."""
    v *= beta
    sq = g * g
    sq *= 1 - beta
    v += sq


def addcdiv_(p, value: float, num, den) -> None:
    """``p += value * num / den`` in place, in PyTorch's order of operations."""
    t = num * value
    t /= den
    p += t


def bump_step(state: dict) -> float:
    """Advance the state's ``step`` counter tensor and return its new value."""
    step = state["step"]
    step._data += 1
    return float(step._data)


def zeros_like(p: Tensor) -> Tensor:
    """A zero buffer with ``p``'s shape, dtype and device, outside any graph."""
    return Tensor._make(p._xp().zeros_like(p._data), False, None, 0, [0])


def full_like(p: Tensor, value) -> Tensor:
    """A buffer filled with ``value``, with ``p``'s shape, dtype and device."""
    return Tensor._make(p._xp().full_like(p._data, value), False, None, 0, [0])


def new_counter(value: float = 0.0) -> Tensor:
    """A fresh ``step``/``mu_product`` counter tensor."""
    return _scalar_state(value)


def check_lr(lr) -> None:
    """PyTorch's checks of the learning rate argument."""
    if isinstance(lr, Tensor) and lr.numel() != 1:
        raise ValueError("Tensor lr must be 1-element")
    if not 0.0 <= lr:
        raise ValueError(f"Invalid learning rate: {lr}")


def check_nonneg(value, what: str) -> None:
    """``ValueError('Invalid <what>: <value>')`` unless ``value >= 0``."""
    if not 0.0 <= value:
        raise ValueError(f"Invalid {what}: {value}")


def check_betas(betas) -> tuple:
    """Both betas in [0, 1); returned as Python floats."""
    for i, b in enumerate(betas):
        if not 0.0 <= b < 1.0:
            raise ValueError(f"Invalid beta parameter at index {i}: {b}")
    return tuple(float(b) for b in betas)
