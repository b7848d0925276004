"""Connectionist temporal classification: the negative log-likelihood of label sequences
under per-frame class log-probabilities, summed over every alignment (Graves et al., 2006).

The forward and backward variables run in log space over the label sequence with a blank
between and around the labels; frames are a Python loop, the batch and the label positions
array operations.
"""
from __future__ import annotations

import numpy as np

from .._device import as_array
from .._tensor import Tensor
from ..autograd.function import Primitive
from ._util import const

_NEG = -np.inf


def _logaddexp3(a, b, c):
    return np.logaddexp(np.logaddexp(a, b), c)


def _shift(a, k: int):
    """``a`` moved ``k`` places right along the last axis, -inf coming in."""
    out = np.full_like(a, _NEG)
    out[..., k:] = a[..., :-k] if k else a
    return out


def _unshift(a, k: int):
    """``a`` moved ``k`` places left along the last axis, -inf coming in."""
    out = np.full_like(a, _NEG)
    out[..., :-k] = a[..., k:]
    return out


class CTCLoss(Primitive):
    """Per-sample CTC negative log-likelihoods of ``log_probs`` (T, N, C).

    ``labels`` (N, 2 * L_max + 1) holds each sample's blank-extended label sequence, ``skip``
    where a position may be reached from two back (a label unlike the one before it)."""

    node_name = "CtcLossBackward0"

    @staticmethod
    def forward(ctx, log_probs, labels, skip, input_lengths, target_lengths, zero_infinity):
        lp = as_array(log_probs, dtype=np.float64)
        T, N, _ = lp.shape
        S = labels.shape[1]
        lengths = 2 * target_lengths + 1
        valid = np.arange(S)[None, :] < lengths[:, None]
        emit = np.take_along_axis(lp, np.broadcast_to(labels[None], (T, N, S)), axis=2)
        emit = np.where(valid[None], emit, _NEG)
        alpha = np.full((T, N, S), _NEG)
        alpha[0, :, 0] = emit[0, :, 0]
        alpha[0, :, 1] = np.where(lengths > 1, emit[0, :, 1], _NEG)
        skip_ok = np.where(skip, 0.0, _NEG)
        for t in range(1, T):
            prev = alpha[t - 1]
            alpha[t] = _logaddexp3(prev, _shift(prev, 1), _shift(prev, 2) + skip_ok) + emit[t]
        last = alpha[input_lengths - 1, np.arange(N)]
        end = np.logaddexp(np.take_along_axis(last, (lengths - 1)[:, None], 1)[:, 0],
                           np.where(lengths > 1, np.take_along_axis(
                               last, np.maximum(lengths - 2, 0)[:, None], 1)[:, 0], _NEG))
        nll = -end
        ctx.parts = (lp, labels, skip_ok, emit, alpha, input_lengths, lengths, nll,
                     zero_infinity, log_probs.dtype)
        if zero_infinity:
            nll = np.where(np.isinf(nll), 0.0, nll)
        return nll.astype(log_probs.dtype)

    @staticmethod
    def backward(ctx, grad):
        lp, labels, skip_ok, emit, alpha, input_lengths, lengths, nll, zero_inf, dtype = \
            ctx.parts
        T, N, C = lp.shape
        S = labels.shape[1]
        beta = np.full((T, N, S), _NEG)
        skip_from = _unshift(skip_ok, 2)  # may position s jump to s + 2?
        rows = np.arange(N)
        for t in range(T - 1, -1, -1):
            ends = input_lengths - 1 == t
            if t < T - 1:
                nxt = beta[t + 1]
                beta[t] = _logaddexp3(nxt, _unshift(nxt, 1), _unshift(nxt, 2) + skip_from) \
                    + emit[t]
            if ends.any():
                start = np.full((N, S), _NEG)
                start[rows, lengths - 1] = emit[t, rows, lengths - 1]
                second = np.maximum(lengths - 2, 0)
                start[rows, second] = np.where(lengths > 1, emit[t, rows, second],
                                               start[rows, second])
                beta[t] = np.where(ends[:, None], start, beta[t])
        alive = np.arange(T)[:, None] < input_lengths[None, :]
        beta = np.where(alive[..., None], beta, _NEG)
        # log of sum over the positions of each class of alpha * beta
        both = alpha + beta
        per_class = np.full((T, N, C), _NEG)
        for s in range(S):
            index = labels[:, s]
            current = per_class[:, rows, index]
            per_class[:, rows, index] = np.logaddexp(current, both[:, :, s])
        with np.errstate(over="ignore", invalid="ignore"):
            # PyTorch's rule, which presumes log_probs come from log_softmax: the gradient
            # with respect to the logits, exp(lp) - posterior
            g = np.exp(lp) - np.exp(per_class + nll[None, :, None] - lp)
        g = np.where(alive[..., None], g, 0.0)
        if zero_inf:
            g = np.where(np.isinf(nll)[None, :, None], 0.0, g)
        g = np.nan_to_num(g, nan=0.0) if zero_inf else g
        return (const(g.astype(dtype)) * grad.reshape(1, N, 1), None, None, None, None, None)


def prepare_targets(targets: np.ndarray, target_lengths: np.ndarray, blank: int):
    """Blank-extended label rows (N, 2 * L_max + 1) and where a skip of two is allowed."""
    n = len(target_lengths)
    if targets.ndim == 1:  # every sample's targets, concatenated
        starts = np.concatenate([[0], np.cumsum(target_lengths)[:-1]])
        rows = [targets[s:s + k] for s, k in zip(starts, target_lengths)]
    else:
        rows = [targets[i, :k] for i, k in enumerate(target_lengths)]
    width = 2 * int(max(target_lengths, default=0)) + 1
    labels = np.full((n, width), blank, dtype=np.int64)
    skip = np.zeros((n, width), dtype=bool)
    for i, row in enumerate(rows):
        labels[i, 1:2 * len(row):2] = row
        if len(row) > 1:
            skip[i, 3:2 * len(row):2] = row[1:] != row[:-1]
    return labels, skip


def ctc_nll(log_probs: Tensor, labels, skip, input_lengths, target_lengths,
            zero_infinity: bool) -> Tensor:
    """Per-sample CTC losses as a differentiable tensor of shape (N,)."""
    return CTCLoss.apply(log_probs, labels, skip, input_lengths, target_lengths, zero_infinity)
