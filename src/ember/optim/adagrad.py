"""Adagrad: per-coordinate learning rates from the running sum of squared gradients."""
from __future__ import annotations

from .._tensor import Tensor
from . import _functional as F
from .optimizer import Optimizer, _params_with_grad

__all__ = ["Adagrad"]


class Adagrad(Optimizer):
    """Adagrad (Duchi et al.): ``p -= clr * g / (sqrt(sum) + eps)`` with ``sum`` the running
    sum of ``g * g`` and ``clr = lr / (1 + (step - 1) * lr_decay)``."""

    def __init__(self, params, lr: float | Tensor = 1e-2, lr_decay: float = 0,
                 weight_decay: float = 0, initial_accumulator_value: float = 0,
                 eps: float = 1e-10, foreach: bool | None = None, *, maximize: bool = False,
                 differentiable: bool = False, fused: bool | None = None) -> None:
        F.check_lr(lr)
        F.check_nonneg(lr_decay, "lr_decay value")
        F.check_nonneg(weight_decay, "weight_decay value")
        F.check_nonneg(initial_accumulator_value, "initial_accumulator_value value")
        F.check_nonneg(eps, "epsilon value")
        defaults = {"lr": lr, "lr_decay": lr_decay, "eps": eps, "weight_decay": weight_decay,
                    "initial_accumulator_value": initial_accumulator_value,
                    "foreach": foreach, "maximize": maximize,
                    "differentiable": differentiable, "fused": fused}
        super().__init__(params, defaults)
        # Unlike the other optimizers, Adagrad's state exists from construction on.
        for group in self.param_groups:
            init = group["initial_accumulator_value"]
            for p in group["params"]:
                state = self.state[p]
                state["step"] = F.new_counter()
                state["sum"] = F.full_like(p, complex(init, init) if p.is_complex() else init)

    def _step_group(self, group) -> None:
        lr, lr_decay, eps = float(group["lr"]), group["lr_decay"], group["eps"]
        for p in _params_with_grad(group):
            state = self.state[p]
            step = F.bump_step(state)
            g = F.effective_grad(p._data, p._grad._data, group["weight_decay"],
                                 group["maximize"])
            g, pr = F.real_view(g), F.real_view(p._data)
            acc = F.real_view(state["sum"]._data)
            acc += g * g
            std = p._xp().sqrt(acc)
            std += eps
            F.addcdiv_(pr, -lr / (1 + (step - 1) * lr_decay), g, std)
            p._vc[0] += 1
