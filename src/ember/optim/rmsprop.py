"""RMSprop: divide the gradient by a running root mean square of recent gradients."""
from __future__ import annotations

from .._tensor import Tensor
from . import _functional as F
from .optimizer import Optimizer, _params_with_grad

__all__ = ["RMSprop"]


class RMSprop(Optimizer):
    """RMSprop (Hinton): ``p -= lr * g / (sqrt(square_avg) + eps)``, optionally centered
    (subtracting the squared running mean ``grad_avg``) and with momentum."""

    def __init__(self, params, lr: float | Tensor = 1e-2, alpha: float = 0.99,
                 eps: float = 1e-8, weight_decay: float = 0, momentum: float = 0,
                 centered: bool = False, capturable: bool = False, foreach: bool | None = None,
                 maximize: bool = False, differentiable: bool = False) -> None:
        F.check_lr(lr)
        F.check_nonneg(eps, "epsilon value")
        F.check_nonneg(momentum, "momentum value")
        F.check_nonneg(weight_decay, "weight_decay value")
        F.check_nonneg(alpha, "alpha value")
        defaults = {"lr": lr, "momentum": momentum, "alpha": alpha, "eps": eps,
                    "centered": centered, "weight_decay": weight_decay,
                    "capturable": capturable, "foreach": foreach, "maximize": maximize,
                    "differentiable": differentiable}
        super().__init__(params, defaults)

    def _step_group(self, group) -> None:
        lr, alpha, eps = float(group["lr"]), group["alpha"], group["eps"]
        momentum, centered = group["momentum"], group["centered"]
        for p in _params_with_grad(group):
            state = self.state[p]
            if not state:
                state["step"] = F.new_counter()
                state["square_avg"] = F.zeros_like(p)
                if momentum > 0:
                    state["momentum_buffer"] = F.zeros_like(p)
                if centered:
                    state["grad_avg"] = F.zeros_like(p)
            F.bump_step(state)
            xp = p._xp()
            g = F.effective_grad(p._data, p._grad._data, group["weight_decay"],
                                 group["maximize"])
            g, pr = F.real_view(g), F.real_view(p._data)
            sq = F.real_view(state["square_avg"]._data)
            F.ema_sq_(sq, g, alpha)
            if centered:
                ga = F.real_view(state["grad_avg"]._data)
                F.lerp_(ga, g, 1 - alpha)
                avg = ga * ga
                xp.subtract(sq, avg, out=avg)
                xp.sqrt(avg, out=avg)
            else:
                avg = xp.sqrt(sq)
            avg += eps
            if momentum > 0:
                buf = F.real_view(state["momentum_buffer"]._data)
                buf *= momentum
                F.addcdiv_(buf, 1, g, avg)
                F.axpy(pr, -lr, buf)
            else:
                F.addcdiv_(pr, -lr, g, avg)
            p._vc[0] += 1
