"""Adamax: Adam with the infinity norm in place of the second moment."""
from __future__ import annotations

from .._tensor import Tensor
from . import _functional as F
from .optimizer import Optimizer, _params_with_grad

__all__ = ["Adamax"]


class Adamax(Optimizer):
    """Adamax (Kingma & Ba): the step divides the running mean ``exp_avg`` by the decayed
    running maximum ``exp_inf`` of ``|g|``."""

    def __init__(self, params, lr: float | Tensor = 2e-3, betas: tuple = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0, foreach: bool | None = None, *,
                 maximize: bool = False, differentiable: bool = False,
                 capturable: bool = False) -> None:
        F.check_lr(lr)
        F.check_nonneg(eps, "epsilon value")
        betas = F.check_betas(betas)
        F.check_nonneg(weight_decay, "weight_decay value")
        defaults = {"lr": lr, "betas": betas, "eps": eps, "weight_decay": weight_decay,
                    "foreach": foreach, "maximize": maximize, "differentiable": differentiable,
                    "capturable": capturable}
        super().__init__(params, defaults)

    def _step_group(self, group) -> None:
        lr, eps = float(group["lr"]), group["eps"]
        beta1, beta2 = (float(b) for b in group["betas"])
        for p in _params_with_grad(group):
            state = self.state[p]
            if not state:
                state["step"] = F.new_counter()
                state["exp_avg"] = F.zeros_like(p)
                state["exp_inf"] = F.zeros_like(p)
            step = F.bump_step(state)
            xp = p._xp()
            g = F.effective_grad(p._data, p._grad._data, group["weight_decay"],
                                 group["maximize"])
            g, pr = F.real_view(g), F.real_view(p._data)
            m, u = F.real_view(state["exp_avg"]._data), F.real_view(state["exp_inf"]._data)
            F.lerp_(m, g, 1 - beta1)
            u *= beta2
            mag = xp.abs(g)
            mag += eps
            xp.maximum(u, mag, out=u)
            F.addcdiv_(pr, -lr / (1 - beta1 ** step), m, u)
            p._vc[0] += 1
