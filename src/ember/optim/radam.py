"""RAdam: Adam with a rectified adaptive learning rate during warm-up."""
from __future__ import annotations

import math

from .._tensor import Tensor
from . import _functional as F
from .optimizer import Optimizer, _params_with_grad

__all__ = ["RAdam"]


class RAdam(Optimizer):
    """RAdam (Liu et al.): plain momentum SGD while the variance estimate is unreliable
    (``rho_t <= 5``), then Adam scaled by the variance rectification term."""

    def __init__(self, params, lr: float | Tensor = 1e-3, betas: tuple = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0,
                 decoupled_weight_decay: bool = False, *, foreach: bool | None = None,
                 maximize: bool = False, capturable: bool = False,
                 differentiable: bool = False) -> None:
        F.check_lr(lr)
        F.check_nonneg(eps, "epsilon value")
        betas = F.check_betas(betas)
        F.check_nonneg(weight_decay, "weight_decay value")
        defaults = {"lr": lr, "betas": betas, "eps": eps, "weight_decay": weight_decay,
                    "maximize": maximize, "foreach": foreach, "capturable": capturable,
                    "decoupled_weight_decay": decoupled_weight_decay,
                    "differentiable": differentiable}
        super().__init__(params, defaults)

    def _step_group(self, group) -> None:
        lr, eps = float(group["lr"]), group["eps"]
        beta1, beta2 = (float(b) for b in group["betas"])
        rho_inf = 2 / (1 - beta2) - 1
        for p in _params_with_grad(group):
            state = self.state[p]
            if not state:
                state["step"] = F.new_counter()
                state["exp_avg"] = F.zeros_like(p)
                state["exp_avg_sq"] = F.zeros_like(p)
            step = F.bump_step(state)
            pa = p._data
            g = F.decayed_grad(pa, p._grad._data, group, lr, group["decoupled_weight_decay"])
            g, pr = F.real_view(g), F.real_view(pa)
            m, v = F.real_view(state["exp_avg"]._data), F.real_view(state["exp_avg_sq"]._data)
            F.lerp_(m, g, 1 - beta1)
            F.ema_sq_(v, g, beta2)
            bias2 = 1 - beta2 ** step
            update = m / (1 - beta1 ** step)
            update *= lr
            rho_t = rho_inf - 2 * step * beta2 ** step / bias2
            if rho_t > 5.0:
                rect = math.sqrt((rho_t - 4) * (rho_t - 2) * rho_inf
                                 / ((rho_inf - 4) * (rho_inf - 2) * rho_t))
                adaptive = p._xp().sqrt(v)
                adaptive += eps
                p._xp().divide(bias2 ** 0.5, adaptive, out=adaptive)
                update *= adaptive
                update *= rect
            pr -= update
            p._vc[0] += 1
