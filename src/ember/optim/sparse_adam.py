"""SparseAdam: Adam for parameters whose gradients are sparse (``nn.Embedding(sparse=True)``),
updating only the rows a step's gradient touches."""
from __future__ import annotations

import math

from .._tensor import Tensor
from . import _functional as F
from .optimizer import Optimizer

__all__ = ["SparseAdam"]


class SparseAdam(Optimizer):
    """Lazy Adam: the moments (``exp_avg``, ``exp_avg_sq``) and the parameter change only
    at the coordinates present in the (coalesced) sparse gradient."""

    def __init__(self, params, lr: float | Tensor = 1e-3, betas: tuple = (0.9, 0.999),
                 eps: float = 1e-8, maximize: bool = False) -> None:
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        if not 0.0 < lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 < eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        for i, b in enumerate(betas):
            if not 0.0 <= b < 1.0:
                raise ValueError(f"Invalid beta parameter at index {i}: {b}")
        super().__init__(params, {"lr": lr, "betas": betas, "eps": eps, "maximize": maximize})
        sparse, complex_ = [], []
        for gi, group in enumerate(self.param_groups):
            for pi, p in enumerate(group["params"]):
                if p.is_sparse:
                    sparse.append([gi, pi])
                if p.is_complex():
                    complex_.append([gi, pi])
        if sparse:
            raise ValueError(f"Sparse params at indices {sparse}: SparseAdam requires dense "
                             "parameter tensors")
        if complex_:
            raise ValueError(f"Complex params at indices {complex_}: SparseAdam does not "
                             "support complex parameters")

    def load_state_dict(self, state_dict) -> None:
        """Restore a state dict; ``step`` stays a Python int, as torch's SparseAdam keeps it."""
        super().load_state_dict(state_dict)
        for state in self.state.values():
            if isinstance(state, dict) and isinstance(state.get("step"), Tensor):
                state["step"] = int(state["step"].item())

    def _step_group(self, group) -> None:
        lr = float(group["lr"])
        beta1, beta2 = (float(b) for b in group["betas"])
        eps = group["eps"]
        for p in group["params"]:
            grad = p._grad
            if grad is None:
                continue
            if not grad.is_sparse:
                raise RuntimeError("SparseAdam does not support dense gradients, please "
                                   "consider Adam instead")
            state = self.state[p]
            if not state:
                state["step"] = 0
                state["exp_avg"] = F.zeros_like(p)
                state["exp_avg_sq"] = F.zeros_like(p)
            state["step"] += 1
            step = state["step"]
            grad = grad.coalesce()
            at = tuple(grad._sp_idx)
            g = grad._sp_vals._data
            if group["maximize"]:
                g = -g
            m, v, w = state["exp_avg"]._data, state["exp_avg_sq"]._data, p._data
            # the moments move toward this step's values only where the gradient has entries
            m_old, v_old = m[at], v[at]
            m_step = (g - m_old) * (1 - beta1)
            v_step = (g * g - v_old) * (1 - beta2)
            m[at] += m_step
            v[at] += v_step
            m_new = m_step + m_old
            denom = p._xp().sqrt(v_step + v_old) + eps
            step_size = lr * math.sqrt(1 - beta2 ** step) / (1 - beta1 ** step)
            w[at] += -step_size * (m_new / denom)
            p._vc[0] += 1
