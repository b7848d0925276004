"""Differences, cumulative log-sum-exp and trapezoidal integration along a dimension."""
from __future__ import annotations

import numpy as np

from .._dtype import bool as _bool
from .._tensor import Tensor
from ..autograd.function import Primitive
from ._util import wrap_dim

__all__ = ["diff", "logcumsumexp", "trapezoid", "trapz", "cumulative_trapezoid"]


def diff(input: Tensor, n: int = 1, dim: int = -1, prepend: Tensor | None = None,
         append: Tensor | None = None) -> Tensor:
    """The ``n``-th forward difference along ``dim`` (``!=`` for booleans), after
    concatenating ``prepend`` and ``append``."""
    from .join import cat
    if input.dim() == 0:
        raise RuntimeError("diff expects input to be at least one-dimensional")
    if n < 0:
        raise RuntimeError(f"order must be non-negative but got {n}")
    d = wrap_dim(dim, input.dim())
    parts = [t for t in (prepend, input, append) if t is not None]
    x = cat(parts, d) if len(parts) > 1 else input
    for _ in range(n):
        length = x.shape[d]
        if length == 0:
            break
        hi, lo = x.narrow(d, 1, length - 1), x.narrow(d, 0, length - 1)
        x = (hi != lo) if x.dtype == _bool else hi - lo
    return x


class LogCumSumExp(Primitive):
    """``log(cumsum(exp(x)))`` along a dimension, computed with running log-add-exp."""

    node_name = "LogcumsumexpBackward0"

    @staticmethod
    def forward(ctx, x, dim):
        ctx.dim = dim
        out = np.logaddexp.accumulate(x, axis=dim) if x.shape[dim] else x.copy()
        ctx.save_for_backward(x, out)
        return out

    @staticmethod
    def backward(ctx, grad):
        # d out_j / d x_i = exp(x_i - out_j) for j >= i; the sums run in log space,
        # separately for the positive and negative parts of the incoming gradient
        x, out = ctx.saved_tensors
        d = ctx.dim
        total = None
        for sign in (1.0, -1.0):
            part = (grad * sign).clamp_min(0)
            log_part = part.log() - out
            rev = logcumsumexp(log_part.flip(d), d).flip(d)
            term = (rev + x).exp() * sign
            total = term if total is None else total + term
        return total, None


def logcumsumexp(input: Tensor, dim: int, *, out=None) -> Tensor:
    """``log(cumsum(exp(input), dim))`` without overflow."""
    d = wrap_dim(dim, max(input.dim(), 1))
    if input.dim() == 0:
        return input.clone()
    if not (input.is_floating_point() or input.is_complex()):
        input = input.float()
    return LogCumSumExp.apply(input, d)


def _spacing(y: Tensor, x, dx, d: int):
    """The widths of the trapezoids along dimension ``d``."""
    if x is None:
        return 1.0 if dx is None else dx
    if isinstance(x, Tensor):
        if x.dim() == 1:
            shape = [1] * y.dim()
            shape[d] = -1
            return (x[1:] - x[:-1]).reshape(shape)
        return x.narrow(d, 1, x.shape[d] - 1) - x.narrow(d, 0, x.shape[d] - 1)
    return float(x)


def _heights(y: Tensor, d: int) -> Tensor:
    n = y.shape[d]
    return (y.narrow(d, 1, n - 1) + y.narrow(d, 0, n - 1)) / 2


def trapezoid(y: Tensor, x=None, *, dx=None, dim: int = -1) -> Tensor:
    """The trapezoidal-rule integral of ``y`` along ``dim`` (sample points ``x``, or a
    constant spacing ``dx``)."""
    d = wrap_dim(dim, y.dim())
    if y.shape[d] == 0:
        return y.sum(d)
    return (_heights(y, d) * _spacing(y, x, dx, d)).sum(d)


def trapz(y: Tensor, x=None, *, dx=None, dim: int = -1) -> Tensor:
    """The older name of :func:`trapezoid`."""
    return trapezoid(y, x, dx=dx, dim=dim)


def cumulative_trapezoid(y: Tensor, x=None, *, dx=None, dim: int = -1) -> Tensor:
    """The running trapezoidal-rule integral of ``y`` along ``dim`` (one element shorter)."""
    d = wrap_dim(dim, y.dim())
    if y.shape[d] == 0:
        return y.narrow(d, 0, 0)
    return (_heights(y, d) * _spacing(y, x, dx, d)).cumsum(d)


TENSOR_METHODS = ["diff", "logcumsumexp"]
