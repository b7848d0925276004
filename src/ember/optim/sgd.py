"""Stochastic gradient descent with optional momentum, Nesterov momentum and weight decay."""
from __future__ import annotations

from .._tensor import Tensor
from . import _functional as F
from .optimizer import Optimizer, _params_with_grad

__all__ = ["SGD"]


class SGD(Optimizer):
    """``p -= lr * g`` where ``g`` is the gradient (plus weight decay), optionally smoothed
    by a momentum buffer (``momentum_buffer`` in the state)."""

    def __init__(self, params, lr: float | Tensor = 1e-3, momentum: float = 0,
                 dampening: float = 0, weight_decay: float = 0, nesterov: bool = False, *,
                 maximize: bool = False, foreach: bool | None = None,
                 differentiable: bool = False, fused: bool | None = None) -> None:
        F.check_lr(lr)
        F.check_nonneg(momentum, "momentum value")
        F.check_nonneg(weight_decay, "weight_decay value")
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")
        defaults = {"lr": lr, "momentum": momentum, "dampening": dampening,
                    "weight_decay": weight_decay, "nesterov": nesterov, "maximize": maximize,
                    "foreach": foreach, "differentiable": differentiable, "fused": fused}
        super().__init__(params, defaults)

    def _step_group(self, group) -> None:
        lr = float(group["lr"])
        momentum, dampening = group["momentum"], group["dampening"]
        for p in _params_with_grad(group):
            pa = p._data
            g = F.effective_grad(pa, p._grad._data, group["weight_decay"], group["maximize"])
            if momentum != 0:
                state = self.state[p]
                buf = state.get("momentum_buffer")
                if buf is None:
                    buf = state["momentum_buffer"] = Tensor._make(g.copy(), False, None, 0,
                                                                  [0])
                else:
                    buf._data *= momentum
                    F.axpy(buf._data, 1 - dampening, g)
                g = g + momentum * buf._data if group["nesterov"] else buf._data
            F.axpy(pa, -lr, g)
            p._vc[0] += 1
