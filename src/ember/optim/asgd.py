"""ASGD: stochastic gradient descent that also keeps a running average of the iterates."""
from __future__ import annotations

from .._tensor import Tensor
from . import _functional as F
from .optimizer import Optimizer, _params_with_grad

__all__ = ["ASGD"]


class ASGD(Optimizer):
    """Averaged SGD (Polyak & Juditsky): the step size ``eta`` decays as
    ``lr / (1 + lambd * lr * t) ** alpha`` and, from step ``t0`` on, ``ax`` holds the
    average of the parameters visited."""

    def __init__(self, params, lr: float | Tensor = 1e-2, lambd: float = 1e-4,
                 alpha: float = 0.75, t0: float = 1e6, weight_decay: float = 0,
                 foreach: bool | None = None, maximize: bool = False,
                 differentiable: bool = False, capturable: bool = False) -> None:
        F.check_lr(lr)
        F.check_nonneg(weight_decay, "weight_decay value")
        defaults = {"lr": lr, "lambd": lambd, "alpha": alpha, "t0": t0,
                    "weight_decay": weight_decay, "foreach": foreach, "maximize": maximize,
                    "differentiable": differentiable, "capturable": capturable}
        super().__init__(params, defaults)

    def _step_group(self, group) -> None:
        lr, lambd, alpha, t0 = float(group["lr"]), group["lambd"], group["alpha"], group["t0"]
        for p in _params_with_grad(group):
            state = self.state[p]
            if not state:
                state["step"] = F.new_counter()
                state["eta"] = F.new_counter(lr)
                state["mu"] = F.new_counter(1.0)
                state["ax"] = F.zeros_like(p)
            step = F.bump_step(state)
            g = F.effective_grad(p._data, p._grad._data, group["weight_decay"],
                                 group["maximize"])
            g, pr = F.real_view(g), F.real_view(p._data)
            ax = F.real_view(state["ax"]._data)
            eta, mu = float(state["eta"]._data), float(state["mu"]._data)
            pr *= 1 - lambd * eta
            F.axpy(pr, -eta, g)
            if mu != 1:
                diff = pr - ax
                diff *= mu
                ax += diff
            else:
                ax[...] = pr
            # PyTorch makes the new values default-dtype tensors before copying them in,
            # so they are rounded to float32 even where the state was loaded as float64
            eta = lr / ((1 + lambd * lr * step) ** alpha)
            state["eta"]._data[...] = F.new_counter(eta)._data
            state["mu"]._data[...] = F.new_counter(1 / max(1, step - t0))._data
            p._vc[0] += 1
