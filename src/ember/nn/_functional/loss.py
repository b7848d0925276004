"""Losses beyond the everyday ones in basic.py: multi-class and multi-label margins, the
triplet loss with a custom distance, and CTC."""
from __future__ import annotations

from typing import Callable, Optional

import numpy as np

from ..._device import as_array
from ..._tensor import Tensor
from ...ops import ctc as _ctc
from ...ops import elementwise as E
from ...ops import nn as N
from ...ops._util import const
from .basic import _legacy_reduction, _reduce, pairwise_distance

__all__ = ["multi_margin_loss", "multilabel_margin_loss", "triplet_margin_with_distance_loss",
           "ctc_loss"]


def multi_margin_loss(input: Tensor, target: Tensor, p: int = 1, margin: float = 1.0,
                      weight: Optional[Tensor] = None, size_average=None, reduce=None,
                      reduction: str = "mean") -> Tensor:
    """Multi-class hinge loss: ``sum_{i != y} max(0, margin - x[y] + x[i]) ** p / C``, each
    term scaled by ``weight[y]`` when given."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    if p not in (1, 2):
        raise ValueError("only p == 1 and p == 2 supported")
    if weight is not None and weight.dim() != 1:
        raise ValueError("weight must be one-dimensional")
    unbatched = input.dim() <= 1
    x = input.reshape(1, -1) if unbatched else input
    y = target.reshape(1) if unbatched and target.numel() == 1 else target
    if x.dim() != 2 or x.numel() == 0:
        raise RuntimeError("Expected non-empty vector or matrix with optional 0-dim batch size, "
                           f"but got: {list(input.shape)}")
    n, c = x.shape
    if y.dim() != 1 or y.shape[0] != n:
        raise RuntimeError(f"inconsistent target size, expected {n} but got "
                           f"{list(target.shape)}")
    rows = y._data.astype(np.int64)
    picked = x.gather(1, y.reshape(n, 1).long())
    terms = (margin - picked + x).clamp_min(0)
    if p == 2:
        terms = terms * terms
    if weight is not None:
        terms = terms * weight[y.long()].reshape(n, 1)
    others = x._xp().ones((n, c), dtype=bool)
    others[x._xp().arange(n), rows] = False
    loss = (terms * N.mask_like(others, x)).sum(1) / c
    if unbatched and reduction == "none":
        loss = loss.reshape(())
    return _reduce(loss, reduction)


def multilabel_margin_loss(input: Tensor, target: Tensor, size_average=None, reduce=None,
                           reduction: str = "mean") -> Tensor:
    """Multi-label hinge loss: for each target class ``j`` (the leading entries of a target
    row, up to the first -1) and each non-target ``i``, ``max(0, 1 - (x[j] - x[i])) / C``."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    unbatched = input.dim() <= 1
    x = input.reshape(1, -1) if unbatched else input
    t = target.reshape(1, -1) if unbatched else target
    if tuple(t.shape) != tuple(x.shape):
        raise RuntimeError(f"inconsistent target size: {list(target.shape)} for input of size: "
                           f"{list(input.shape)}")
    n, c = x.shape
    labels = t._data.astype(np.int64)
    listed = np.cumprod(labels != -1, axis=1).astype(bool)  # entries before the first -1
    safe = np.where(listed, labels, 0)
    xp = x._xp()
    is_target = xp.zeros((n, c), dtype=bool)
    for j in range(c):
        is_target[xp.arange(n)[listed[:, j]], safe[listed[:, j], j]] = True
    xt = x.gather(1, _const_of(safe, x))
    terms = (1 - xt.unsqueeze(2) + x.unsqueeze(1)).clamp_min(0)
    keep = listed[:, :, None] & ~is_target[:, None, :]
    loss = (terms * N.mask_like(keep, x)).sum((1, 2)) / c
    if unbatched and reduction == "none":
        loss = loss.reshape(())
    return _reduce(loss, reduction)


def _const_of(arr: np.ndarray, like: Tensor) -> Tensor:
    """A NumPy array as a constant tensor on ``like``'s device."""
    return const(like._xp().asarray(arr))


def triplet_margin_with_distance_loss(anchor: Tensor, positive: Tensor, negative: Tensor, *,
                                      distance_function: Optional[Callable] = None,
                                      margin: float = 1.0, swap: bool = False,
                                      reduction: str = "mean") -> Tensor:
    """``max(0, d(a, p) - d(a, n) + margin)`` for any distance ``d`` (pairwise L2 by
    default); ``swap`` uses ``min(d(a, n), d(p, n))`` as the negative distance."""
    if margin <= 0:
        raise ValueError(f"TripletMarginWithDistanceLoss: expected margin to be greater than "
                         f"0, got {margin} instead")
    dims = (anchor.dim(), positive.dim(), negative.dim())
    if len(set(dims)) != 1:
        raise RuntimeError("The anchor, positive, and negative tensors are expected to have "
                           f"the same number of dimensions, but got: anchor {dims[0]}D, "
                           f"positive {dims[1]}D, and negative {dims[2]}D inputs")
    distance = distance_function if distance_function is not None else pairwise_distance
    d_pos = distance(anchor, positive)
    d_neg = distance(anchor, negative)
    if swap:
        d_neg = E.minimum(d_neg, distance(positive, negative))
    loss = (margin + d_pos - d_neg).clamp_min(0)
    return _reduce(loss, reduction)


def _lengths(value, n: int, what: str) -> np.ndarray:
    """Sequence lengths given as a tensor or a tuple/list of ints, as PyTorch accepts."""
    if isinstance(value, Tensor):
        arr = np.asarray(value.detach().cpu()._data)
    elif isinstance(value, (list, tuple)):
        arr = as_array(value)
    else:
        raise TypeError(f"ctc_loss(): argument '{what}' must be tuple of ints or Tensor, not "
                        f"{type(value).__name__}")
    arr = arr.astype(np.int64).reshape(-1)
    if arr.shape[0] != n:
        raise RuntimeError(f"{what} must be of size batch_size")
    return arr


def ctc_loss(log_probs: Tensor, targets: Tensor, input_lengths, target_lengths, blank: int = 0,
             reduction: str = "mean", zero_infinity: bool = False) -> Tensor:
    """The CTC loss of ``log_probs`` (T, N, C), or (T, C) for one sample, against
    ``targets`` ((N, S) padded, or all samples' targets concatenated); ``mean`` divides each
    sample's loss by its target length before averaging over the batch."""
    unbatched = log_probs.dim() == 2
    lp = log_probs.unsqueeze(1) if unbatched else log_probs
    if lp.dim() != 3:
        raise RuntimeError(f"ctc_loss expects log_probs to be 2D or 3D, got "
                           f"{log_probs.dim()}D")
    T, n, c = lp.shape
    tgt = targets._data if isinstance(targets, Tensor) else as_array(targets)
    tgt = as_array(tgt, dtype=np.int64)
    if unbatched:
        tgt = tgt.reshape(1, -1)
    in_len = _lengths(input_lengths, n, "input_lengths")
    tg_len = _lengths(target_lengths, n, "target_lengths")
    if (in_len > T).any():
        bad = int(in_len.max())
        raise RuntimeError(f"Expected input_lengths to have value at most {T}, but got value "
                           f"{bad} (while checking arguments for ctc_loss_cpu)")
    if not 0 <= blank < c:
        raise RuntimeError("blank must be in label range")
    labels, skip = _ctc.prepare_targets(tgt, tg_len, blank)
    nll = _ctc.ctc_nll(lp, labels, skip, in_len, tg_len, zero_infinity)
    if reduction == "none":
        return nll.reshape(()) if unbatched else nll
    if reduction == "sum":
        return nll.sum()
    if reduction == "mean":
        scale = np.maximum(tg_len, 1).astype(lp._data.dtype)
        return (nll / _const_of(scale, lp)).mean()
    raise ValueError(f"{reduction} is not a valid value for reduction")
