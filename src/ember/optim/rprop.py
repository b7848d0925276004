"""Rprop: per-coordinate step sizes that grow while the gradient keeps its sign."""
from __future__ import annotations

from .._tensor import Tensor
from . import _functional as F
from .optimizer import Optimizer, _params_with_grad

__all__ = ["Rprop"]


class Rprop(Optimizer):
    """Resilient backpropagation: each coordinate moves by its own step size against the
    sign of its gradient; the size is multiplied by ``etas[1]`` while the sign holds and by
    ``etas[0]`` when it flips (that step is then skipped), clamped to ``step_sizes``."""

    def __init__(self, params, lr: float | Tensor = 1e-2, etas: tuple = (0.5, 1.2),
                 step_sizes: tuple = (1e-6, 50), *, capturable: bool = False,
                 foreach: bool | None = None, maximize: bool = False,
                 differentiable: bool = False) -> None:
        F.check_lr(lr)
        if not 0.0 < etas[0] < 1.0 < etas[1]:
            raise ValueError(f"Invalid eta values: {etas[0]}, {etas[1]}")
        defaults = {"lr": lr, "etas": etas, "step_sizes": step_sizes, "foreach": foreach,
                    "maximize": maximize, "differentiable": differentiable,
                    "capturable": capturable}
        super().__init__(params, defaults)

    def _step_group(self, group) -> None:
        etaminus, etaplus = group["etas"]
        size_min, size_max = group["step_sizes"]
        for p in _params_with_grad(group):
            state = self.state[p]
            if not state:
                lr = float(group["lr"])
                state["step"] = F.new_counter()
                state["prev"] = F.zeros_like(p)
                state["step_size"] = F.full_like(p, complex(lr, lr) if p.is_complex() else lr)
            F.bump_step(state)
            xp = p._xp()
            g = F.effective_grad(p._data, p._grad._data, 0, group["maximize"])
            g, pr = F.real_view(g), F.real_view(p._data)
            prev = F.real_view(state["prev"]._data)
            size = F.real_view(state["step_size"]._data)
            agreement = g * prev
            flipped = agreement < 0
            factor = xp.ones_like(size)
            factor[agreement > 0] = etaplus
            factor[flipped] = etaminus
            size *= factor
            xp.clip(size, size_min, size_max, out=size)
            g = g.copy()
            g[flipped] = 0  # after a sign change the coordinate rests for one step
            pr -= xp.sign(g) * size
            prev[...] = g
            p._vc[0] += 1
