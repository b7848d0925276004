"""Adafactor: Adam-like steps whose second moment of a matrix is kept as a row and a
column factor, so the optimizer state grows with ``n + m`` rather than ``n * m``."""
from __future__ import annotations

import math

import numpy as np

from .._tensor import Tensor
from . import _functional as F
from .optimizer import Optimizer, _params_with_grad

__all__ = ["Adafactor"]


class Adafactor(Optimizer):
    """Adafactor (Shazeer & Stern) in PyTorch's variant: ``lr`` caps the relative step
    size and scales the decoupled weight decay; ``eps[0]`` (default: the dtype's machine
    epsilon) guards the variance estimate, ``eps[1]`` the parameter scale; updates are
    clipped to an RMS of ``d``."""

    def __init__(self, params, lr: float | Tensor = 1e-2, beta2_decay: float = -0.8,
                 eps: tuple = (None, 1e-3), d: float = 1.0, weight_decay: float = 0.0, *,
                 foreach: bool | None = None, maximize: bool = False) -> None:
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        checks = [(0.0 <= lr, f"Learning rate should be >= 0 but is: {lr}"),
                  (0.0 >= beta2_decay, f"beta2_decay should be <= 0 but is: {beta2_decay}"),
                  (eps[0] is None or 0.0 <= eps[0],
                   f"epsilon1 should be >= 0 but is: {eps[0]}"),
                  (0.0 <= eps[1], f"epsilon2 should be >= 0 but is: {eps[1]}"),
                  (1.0 <= d, f"Clipping threshold d should be >= 1 but is: {d}"),
                  (0.0 <= weight_decay, f"weight_decay should be >= 0 but is: {weight_decay}")]
        for ok, message in checks:
            if not ok:
                raise ValueError(message)
        defaults = {"lr": lr, "beta2_decay": beta2_decay, "eps": eps, "d": d,
                    "weight_decay": weight_decay, "foreach": foreach, "maximize": maximize}
        super().__init__(params, defaults)

    def _step_group(self, group) -> None:
        lr, wd, d = float(group["lr"]), group["weight_decay"], group["d"]
        eps1, eps2 = group["eps"]
        for p in _params_with_grad(group):
            if p.is_complex():
                raise RuntimeError("Adafactor does not support complex parameters")
            state = self.state[p]
            if not state:
                state["step"] = F.new_counter()
                if p.dim() > 1:
                    state["row_var"] = Tensor._make(p._xp().zeros(p.shape[:-1] + (1,),
                                                                  p._data.dtype),
                                                    False, None, 0, [0])
                    state["col_var"] = Tensor._make(
                        p._xp().zeros(p.shape[:-2] + (1, p.shape[-1]), p._data.dtype),
                        False, None, 0, [0])
                else:
                    state["variance"] = F.zeros_like(p)
            if eps1 is None:  # as in PyTorch, fixed by the first parameter of the group
                eps1 = float(np.finfo(p._data.dtype).eps)
            step = F.bump_step(state)
            xp = p._xp()
            pa = p._data
            g = -p._grad._data if group["maximize"] else p._grad._data
            weight = step ** group["beta2_decay"]
            rho = min(lr, 1 / step ** 0.5)
            alpha = max(eps2, float(_norm(xp, pa)) / math.sqrt(pa.size)) * rho
            if wd != 0:
                pa *= 1 - lr * wd
            if g.ndim > 1:
                row_var, col_var = state["row_var"]._data, state["col_var"]._data
                F.lerp_(row_var, _mean_square(xp, g, -1), weight)
                F.lerp_(col_var, _mean_square(xp, g, -2), weight)
                estimate = row_var @ col_var
                estimate /= xp.maximum(row_var.mean(axis=-2, keepdims=True), eps1)
            else:
                variance = state["variance"]._data
                F.lerp_(variance, g * g, weight)
                estimate = variance.copy()
            xp.maximum(estimate, eps1 * eps1, out=estimate)
            update = xp.sqrt(estimate, out=estimate)
            xp.reciprocal(update, out=update)
            update *= g
            denom = max(1.0, float(_norm(xp, update)) / (math.sqrt(update.size) * d))
            F.axpy(pa, -alpha / denom, update)
            p._vc[0] += 1


def _norm(xp, a, axis=None):
    """The Euclidean norm of ``a`` (over ``axis``, kept as a size-1 axis)."""
    keep = axis is not None
    return xp.sqrt(xp.sum(a * a, axis=axis, keepdims=keep))


def _mean_square(xp, g, axis: int):
    """The mean of ``g * g`` along ``axis``, computed as PyTorch does (norm, squared,
    divided by the length)."""
    out = _norm(xp, g, axis)
    out *= out
    out /= g.shape[axis]
    return out
