"""Adadelta: step sizes from the ratio of running RMS of updates and of gradients."""
from __future__ import annotations

from .._tensor import Tensor
from . import _functional as F
from .optimizer import Optimizer, _params_with_grad

__all__ = ["Adadelta"]


class Adadelta(Optimizer):
    """Adadelta (Zeiler): ``delta = sqrt(acc_delta + eps) / sqrt(square_avg + eps) * g``,
    ``p -= lr * delta``, with both running means decayed by ``rho``."""

    def __init__(self, params, lr: float | Tensor = 1.0, rho: float = 0.9, eps: float = 1e-6,
                 weight_decay: float = 0, foreach: bool | None = None, *,
                 capturable: bool = False, maximize: bool = False,
                 differentiable: bool = False) -> None:
        F.check_lr(lr)
        if not 0.0 <= rho <= 1.0:
            raise ValueError(f"Invalid rho value: {rho}")
        F.check_nonneg(eps, "epsilon value")
        F.check_nonneg(weight_decay, "weight_decay value")
        defaults = {"lr": lr, "rho": rho, "eps": eps, "weight_decay": weight_decay,
                    "maximize": maximize, "capturable": capturable, "foreach": foreach,
                    "differentiable": differentiable}
        super().__init__(params, defaults)

    def _step_group(self, group) -> None:
        lr, rho, eps = float(group["lr"]), group["rho"], group["eps"]
        for p in _params_with_grad(group):
            state = self.state[p]
            if not state:
                state["step"] = F.new_counter()
                state["square_avg"] = F.zeros_like(p)
                state["acc_delta"] = F.zeros_like(p)
            F.bump_step(state)
            xp = p._xp()
            g = F.effective_grad(p._data, p._grad._data, group["weight_decay"],
                                 group["maximize"])
            g, pr = F.real_view(g), F.real_view(p._data)
            sq = F.real_view(state["square_avg"]._data)
            acc = F.real_view(state["acc_delta"]._data)
            F.ema_sq_(sq, g, rho)
            std = sq + eps
            xp.sqrt(std, out=std)
            delta = acc + eps
            xp.sqrt(delta, out=delta)
            delta /= std
            delta *= g
            F.ema_sq_(acc, delta, rho)
            F.axpy(pr, -lr, delta)
            p._vc[0] += 1
