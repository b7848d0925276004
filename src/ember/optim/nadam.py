"""NAdam: Adam with Nesterov momentum and a momentum-decay schedule."""
from __future__ import annotations

from .._tensor import Tensor
from . import _functional as F
from .optimizer import Optimizer, _params_with_grad

__all__ = ["NAdam"]


class NAdam(Optimizer):
    """NAdam (Dozat): Adam whose momentum coefficient ``mu_t`` warms up with
    ``momentum_decay``; ``mu_product`` (in the state) is the running product of the ``mu_t``."""

    def __init__(self, params, lr: float | Tensor = 2e-3, betas: tuple = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0, momentum_decay: float = 4e-3,
                 decoupled_weight_decay: bool = False, *, foreach: bool | None = None,
                 maximize: bool = False, capturable: bool = False,
                 differentiable: bool = False) -> None:
        F.check_lr(lr)
        F.check_nonneg(eps, "epsilon value")
        betas = F.check_betas(betas)
        F.check_nonneg(weight_decay, "weight_decay value")
        F.check_nonneg(momentum_decay, "momentum_decay value")
        defaults = {"lr": lr, "betas": betas, "eps": eps, "weight_decay": weight_decay,
                    "momentum_decay": momentum_decay,
                    "decoupled_weight_decay": decoupled_weight_decay, "maximize": maximize,
                    "foreach": foreach, "capturable": capturable,
                    "differentiable": differentiable}
        super().__init__(params, defaults)

    def _step_group(self, group) -> None:
        lr, eps = float(group["lr"]), group["eps"]
        beta1, beta2 = (float(b) for b in group["betas"])
        decay = group["momentum_decay"]
        for p in _params_with_grad(group):
            state = self.state[p]
            if not state:
                state["step"] = F.new_counter()
                state["mu_product"] = F.new_counter(1.0)
                state["exp_avg"] = F.zeros_like(p)
                state["exp_avg_sq"] = F.zeros_like(p)
            step = F.bump_step(state)
            pa = p._data
            g = F.decayed_grad(pa, p._grad._data, group, lr, group["decoupled_weight_decay"])
            g, pr = F.real_view(g), F.real_view(pa)
            m, v = F.real_view(state["exp_avg"]._data), F.real_view(state["exp_avg_sq"]._data)
            mu = beta1 * (1.0 - 0.5 * 0.96 ** (step * decay))
            mu_next = beta1 * (1.0 - 0.5 * 0.96 ** ((step + 1) * decay))
            # the product lives in a float32 tensor, as in PyTorch: its rounding is part of
            # the trajectory
            mu_product = state["mu_product"]._data
            mu_product *= mu
            mu_prod = float(mu_product)
            F.lerp_(m, g, 1 - beta1)
            F.ema_sq_(v, g, beta2)
            denom = v / (1 - beta2 ** step)
            p._xp().sqrt(denom, out=denom)
            denom += eps
            F.addcdiv_(pr, -lr * (1.0 - mu) / (1.0 - mu_prod), g, denom)
            F.addcdiv_(pr, -lr * mu_next / (1.0 - mu_prod * mu_next), m, denom)
            p._vc[0] += 1
