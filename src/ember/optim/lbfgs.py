"""L-BFGS: a quasi-Newton method that rebuilds curvature from the last few steps.

All parameters are handled as one flat vector. Scalars that PyTorch keeps as 0-d tensors
(step lengths, curvature products) are NumPy scalars of the parameters' dtype here, so the
arithmetic rounds as PyTorch's does; the state holds them as tensors, in PyTorch's layout.
"""
from __future__ import annotations

from typing import Callable

import numpy as np

from .._tensor import Tensor
from ..autograd.grad_mode import _state as _grad_state
from . import _functional as F
from .optimizer import Optimizer

__all__ = ["LBFGS"]

_TENSOR_STATE = ("d", "t", "old_dirs", "old_stps", "ro", "H_diag", "prev_flat_grad", "al")


class LBFGS(Optimizer):
    """L-BFGS (after minFunc): up to ``max_iter`` iterations per ``step(closure)``, with a
    fixed step of ``lr`` or a strong-Wolfe line search (``line_search_fn="strong_wolfe"``).
    Only one parameter group is supported."""

    def __init__(self, params, lr: float | Tensor = 1, max_iter: int = 20,
                 max_eval: int | None = None, tolerance_grad: float = 1e-7,
                 tolerance_change: float = 1e-9, history_size: int = 100,
                 line_search_fn: str | None = None) -> None:
        F.check_lr(lr)
        if max_eval is None:
            max_eval = max_iter * 5 // 4
        defaults = {"lr": lr, "max_iter": max_iter, "max_eval": max_eval,
                    "tolerance_grad": tolerance_grad, "tolerance_change": tolerance_change,
                    "history_size": history_size, "line_search_fn": line_search_fn}
        super().__init__(params, defaults)
        if len(self.param_groups) != 1:
            raise ValueError("LBFGS doesn't support per-parameter options (parameter groups)")
        self._params = self.param_groups[0]["params"]

    # -- the parameters as one flat vector -------------------------------------
    def _flat_grad(self):
        """Every parameter's gradient (zeros where there is none) in one flat vector."""
        parts = []
        for p in self._params:
            g = p._grad._data if p._grad is not None else p._xp().zeros_like(p._data)
            parts.append(F.real_view(g).reshape(-1))
        return self._params[0]._xp().concatenate(parts)

    def _add(self, t, d) -> None:
        """Move the parameters by ``t * d``."""
        offset = 0
        for p in self._params:
            view = F.real_view(p._data)
            F.axpy(view, t, d[offset:offset + view.size].reshape(view.shape))
            offset += view.size
            p._vc[0] += 1

    def _snapshot(self) -> list:
        return [p._data.copy() for p in self._params]

    def _restore(self, saved: list) -> None:
        for p, data in zip(self._params, saved):
            p._data[...] = data
            p._vc[0] += 1

    def _evaluate(self, closure: Callable) -> float:
        prev = _grad_state.enabled
        _grad_state.enabled = True
        try:
            return closure()
        finally:
            _grad_state.enabled = prev

    def _directional(self, closure, x, t, d):
        """Loss and flat gradient at ``x + t * d``; the parameters are put back to ``x``."""
        self._add(t, d)
        loss = float(self._evaluate(closure))
        grad = self._flat_grad()
        self._restore(x)
        return loss, grad

    def step(self, closure: Callable):  # type: ignore[override]
        """Run up to ``max_iter`` L-BFGS iterations; ``closure`` clears the gradients,
        computes the loss, calls ``backward()`` and returns the loss. Returns the first
        loss."""
        prev = _grad_state.enabled
        _grad_state.enabled = False
        try:
            return self._step(closure)
        finally:
            _grad_state.enabled = prev

    def _step(self, closure):
        group = self.param_groups[0]
        lr, max_iter, max_eval = float(group["lr"]), group["max_iter"], group["max_eval"]
        tol_grad, tol_change = group["tolerance_grad"], group["tolerance_change"]
        history = group["history_size"]
        xp = self._params[0]._xp()
        state = self.state[self._params[0]]
        state.setdefault("func_evals", 0)
        state.setdefault("n_iter", 0)

        orig_loss = self._evaluate(closure)
        loss = float(orig_loss)
        evals = 1
        state["func_evals"] += 1
        flat_grad = self._flat_grad()
        if xp.abs(flat_grad).max() <= tol_grad:
            return orig_loss

        s = {k: _unwrap(state.get(k)) for k in _TENSOR_STATE}
        d, t, old_dirs, old_stps, ro = s["d"], s["t"], s["old_dirs"], s["old_stps"], s["ro"]
        h_diag, prev_grad, al = s["H_diag"], s["prev_flat_grad"], s["al"]
        prev_loss = state.get("prev_loss")
        n_iter = 0
        while n_iter < max_iter:
            n_iter += 1
            state["n_iter"] += 1
            if state["n_iter"] == 1:
                d = -flat_grad
                old_dirs, old_stps, ro, h_diag = [], [], [], 1
            else:
                y = flat_grad - prev_grad
                step_vec = d * t
                ys = y.dot(step_vec)
                if ys > 1e-10:
                    if len(old_dirs) == history:
                        old_dirs.pop(0)
                        old_stps.pop(0)
                        ro.pop(0)
                    old_dirs.append(y)
                    old_stps.append(step_vec)
                    ro.append(1.0 / ys)
                    h_diag = ys / y.dot(y)
                if al is None:
                    al = [None] * history
                d = _two_loop(flat_grad, old_dirs, old_stps, ro, h_diag, al)
            if prev_grad is None:
                prev_grad = flat_grad.copy()
            else:
                prev_grad[...] = flat_grad
            prev_loss = loss
            t = min(1.0, 1.0 / xp.abs(flat_grad).sum()) * lr if state["n_iter"] == 1 else lr
            gtd = flat_grad.dot(d)
            if gtd > -tol_change:
                break

            ls_evals = 0
            if group["line_search_fn"] is not None:
                if group["line_search_fn"] != "strong_wolfe":
                    raise RuntimeError("only 'strong_wolfe' is supported")
                x0 = self._snapshot()
                loss, flat_grad, t, ls_evals = _strong_wolfe(
                    lambda x, step, direction: self._directional(closure, x, step, direction),
                    x0, t, d, loss, flat_grad, gtd, max_ls=max_eval - evals)
                self._add(t, d)
                converged = xp.abs(flat_grad).max() <= tol_grad
            else:
                self._add(t, d)
                converged = False
                if n_iter != max_iter:
                    loss = float(self._evaluate(closure))
                    flat_grad = self._flat_grad()
                    converged = xp.abs(flat_grad).max() <= tol_grad
                    ls_evals = 1
            evals += ls_evals
            state["func_evals"] += ls_evals
            if n_iter == max_iter or evals >= max_eval or converged:
                break
            if xp.abs(d * t).max() <= tol_change or abs(loss - prev_loss) < tol_change:
                break

        values = {"d": d, "t": t, "old_dirs": old_dirs, "old_stps": old_stps, "ro": ro,
                  "H_diag": h_diag, "prev_flat_grad": prev_grad}
        state.update({k: _wrap(v) for k, v in values.items()})
        state["prev_loss"] = prev_loss
        if al is not None:
            state["al"] = _wrap(al)
        return orig_loss


def _two_loop(flat_grad, old_dirs, old_stps, ro, h_diag, al):
    """The L-BFGS two-loop recursion: the inverse-Hessian estimate applied to ``-grad``."""
    q = -flat_grad
    for i in range(len(old_dirs) - 1, -1, -1):
        al[i] = old_stps[i].dot(q) * ro[i]
        F.axpy(q, -al[i], old_dirs[i])
    r = q * h_diag
    for i in range(len(old_dirs)):
        be_i = old_dirs[i].dot(r) * ro[i]
        F.axpy(r, al[i] - be_i, old_stps[i])
    return r


def _cubic_interpolate(x1, f1, g1, x2, f2, g2, bounds=None):
    """The minimiser of the cubic through two points with their slopes, kept in bounds
    (the bracket by default); the bounds' midpoint when the cubic has no minimum."""
    lo, hi = bounds if bounds is not None else ((x1, x2) if x1 <= x2 else (x2, x1))
    d1 = g1 + g2 - 3 * (f1 - f2) / (x1 - x2)
    d2_square = d1 ** 2 - g1 * g2
    if d2_square >= 0:
        d2 = np.sqrt(d2_square)
        if x1 <= x2:
            pos = x2 - (x2 - x1) * ((g2 + d2 - d1) / (g2 - g1 + 2 * d2))
        else:
            pos = x1 - (x1 - x2) * ((g1 + d2 - d1) / (g1 - g2 + 2 * d2))
        return min(max(pos, lo), hi)
    return (lo + hi) / 2.0


def _strong_wolfe(obj, x, t, d, f, g, gtd, c1=1e-4, c2=0.9, tolerance_change=1e-9,
                  max_ls=25):
    """A line search along ``d`` for a step ``t`` meeting the strong Wolfe conditions:
    bracket a minimum, then zoom in by cubic interpolation. Returns the loss, the flat
    gradient and the step found, and the number of evaluations."""
    d_norm = np.abs(d).max()
    g = g.copy()
    f_new, g_new = obj(x, t, d)
    evals = 1
    gtd_new = g_new.dot(d)
    t_prev, f_prev, g_prev, gtd_prev = 0, f, g, gtd
    done = False
    ls_iter = 0
    bracket = bracket_f = bracket_g = bracket_gtd = None
    while ls_iter < max_ls:
        if f_new > (f + c1 * t * gtd) or (ls_iter > 1 and f_new >= f_prev):
            bracket, bracket_f = [t_prev, t], [f_prev, f_new]
            bracket_g, bracket_gtd = [g_prev, g_new.copy()], [gtd_prev, gtd_new]
            break
        if abs(gtd_new) <= -c2 * gtd:
            bracket, bracket_f, bracket_g = [t], [f_new], [g_new]
            done = True
            break
        if gtd_new >= 0:
            bracket, bracket_f = [t_prev, t], [f_prev, f_new]
            bracket_g, bracket_gtd = [g_prev, g_new.copy()], [gtd_prev, gtd_new]
            break
        # extrapolate beyond t, between 1.01x and 10x the last step
        min_step, max_step = t + 0.01 * (t - t_prev), t * 10
        t_prev, t = t, _cubic_interpolate(t_prev, f_prev, gtd_prev, t, f_new, gtd_new,
                                          bounds=(min_step, max_step))
        f_prev, g_prev, gtd_prev = f_new, g_new.copy(), gtd_new
        f_new, g_new = obj(x, t, d)
        evals += 1
        gtd_new = g_new.dot(d)
        ls_iter += 1
    if ls_iter == max_ls:
        bracket, bracket_f, bracket_g = [0, t], [f, f_new], [g, g_new]

    # zoom: shrink the bracket until the conditions hold
    insufficient = False
    low, high = (0, 1) if bracket_f[0] <= bracket_f[-1] else (1, 0)
    while not done and ls_iter < max_ls:
        if abs(bracket[1] - bracket[0]) * d_norm < tolerance_change:
            break
        t = _cubic_interpolate(bracket[0], bracket_f[0], bracket_gtd[0],
                               bracket[1], bracket_f[1], bracket_gtd[1])
        top, bottom = max(bracket), min(bracket)
        eps = 0.1 * (top - bottom)
        if min(top - t, t - bottom) < eps:
            # too close to an end: if that happened before or t left the bracket, move
            # a tenth of the bracket inside
            if insufficient or t >= top or t <= bottom:
                t = top - eps if abs(t - top) < abs(t - bottom) else bottom + eps
                insufficient = False
            else:
                insufficient = True
        else:
            insufficient = False
        f_new, g_new = obj(x, t, d)
        evals += 1
        gtd_new = g_new.dot(d)
        ls_iter += 1
        if f_new > (f + c1 * t * gtd) or f_new >= bracket_f[low]:
            bracket[high], bracket_f[high] = t, f_new
            bracket_g[high], bracket_gtd[high] = g_new.copy(), gtd_new
            low, high = (0, 1) if bracket_f[0] <= bracket_f[1] else (1, 0)
        else:
            if abs(gtd_new) <= -c2 * gtd:
                done = True
            elif gtd_new * (bracket[high] - bracket[low]) >= 0:
                bracket[high], bracket_f[high] = bracket[low], bracket_f[low]
                bracket_g[high], bracket_gtd[high] = bracket_g[low], bracket_gtd[low]
            bracket[low], bracket_f[low] = t, f_new
            bracket_g[low], bracket_gtd[low] = g_new.copy(), gtd_new
    return bracket_f[low], bracket_g[low], bracket[low], evals


def _unwrap(value):
    """State as arrays: tensors to their arrays (0-d ones to scalars), lists element-wise."""
    if isinstance(value, Tensor):
        return value._data[()] if value._data.ndim == 0 else value._data
    if isinstance(value, list):
        return [_unwrap(v) for v in value]
    return value


def _wrap(value):
    """State as tensors, as PyTorch keeps it: arrays and NumPy scalars become tensors."""
    if isinstance(value, list):
        return [_wrap(v) for v in value]
    if isinstance(value, np.generic):
        value = np.asarray(value)
    if hasattr(value, "shape") and hasattr(value, "dtype"):
        return Tensor._make(value, False, None, 0, [0])
    return value
