"""Adam: adaptive moment estimation, with optional AMSGrad and decoupled weight decay."""
from __future__ import annotations

from .._tensor import Tensor
from . import _functional as F
from .optimizer import Optimizer, _params_with_grad

__all__ = ["Adam"]


class Adam(Optimizer):
    """Adam (Kingma & Ba): steps by the bias-corrected running mean of the gradient over
    the root of the running mean of its square (``exp_avg``, ``exp_avg_sq`` in the state)."""

    def __init__(self, params, lr: float | Tensor = 1e-3, betas: tuple = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0, amsgrad: bool = False, *,
                 foreach: bool | None = None, maximize: bool = False, capturable: bool = False,
                 differentiable: bool = False, fused: bool | None = None,
                 decoupled_weight_decay: bool = False) -> None:
        F.check_lr(lr)
        F.check_nonneg(eps, "epsilon value")
        betas = F.check_betas(betas)
        F.check_nonneg(weight_decay, "weight_decay value")
        defaults = {"lr": lr, "betas": betas, "eps": eps, "weight_decay": weight_decay,
                    "amsgrad": amsgrad, "maximize": maximize, "foreach": foreach,
                    "capturable": capturable, "differentiable": differentiable, "fused": fused,
                    "decoupled_weight_decay": decoupled_weight_decay}
        super().__init__(params, defaults)

    def _step_group(self, group) -> None:
        lr = float(group["lr"])
        beta1, beta2 = (float(b) for b in group["betas"])
        eps, amsgrad = group["eps"], group["amsgrad"]
        decoupled = group["decoupled_weight_decay"]
        for p in _params_with_grad(group):
            state = self.state[p]
            if not state:
                state["step"] = F.new_counter()
                state["exp_avg"] = F.zeros_like(p)
                state["exp_avg_sq"] = F.zeros_like(p)
                if amsgrad:
                    state["max_exp_avg_sq"] = F.zeros_like(p)
            step = F.bump_step(state)
            pa = p._data
            g = F.decayed_grad(pa, p._grad._data, group, lr, decoupled)
            g, pr = F.real_view(g), F.real_view(pa)
            m, v = F.real_view(state["exp_avg"]._data), F.real_view(state["exp_avg_sq"]._data)
            F.lerp_(m, g, 1 - beta1)
            F.ema_sq_(v, g, beta2)
            if amsgrad:
                vmax = F.real_view(state["max_exp_avg_sq"]._data)
                p._xp().maximum(vmax, v, out=vmax)
                v = vmax
            step_size = lr / (1 - beta1 ** step)
            denom = p._xp().sqrt(v)
            denom /= (1 - beta2 ** step) ** 0.5
            denom += eps
            F.addcdiv_(pr, -step_size, m, denom)
            p._vc[0] += 1
