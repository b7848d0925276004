"""embedding_bag: sums, means or maxima of bags of embedding rows, without materialising
the per-index lookups as a separate batch dimension."""
from __future__ import annotations

import numpy as np

from ..._device import as_array
from ..._tensor import Tensor
from ...ops._util import const
from ...ops.join import stack
from .basic import _embedding_renorm_

__all__ = ["embedding_bag"]

_MODES = ("sum", "mean", "max")


def _bags(input: Tensor, offsets: Tensor | None, include_last_offset: bool):
    """Flat indices and each bag's (start, end) positions in them."""
    if input.dim() == 2:
        if offsets is not None:
            raise ValueError("if input is 2D, then offsets has to be None, as input is treated "
                             "is a mini-batch of fixed length sequences. However, found offsets "
                             f"of type {type(offsets)}")
        b, n = input.shape
        starts = np.arange(b) * n
        return input.reshape(-1), starts, starts + n
    if input.dim() != 1:
        raise ValueError(f"input has to be 1D or 2D Tensor, but got Tensor of dimension "
                         f"{input.dim()}")
    if offsets is None:
        raise ValueError("offsets has to be a 1D Tensor but got None")
    if offsets.dim() != 1:
        raise ValueError("offsets has to be a 1D Tensor")
    off = as_array(offsets._data).astype(np.int64)
    if off.size and off[0] != 0:
        raise RuntimeError("offsets[0] has to be 0, i.e., the first sequence in the "
                           "mini-batch has to start from position 0. However, got "
                           f"{int(off[0])}")
    total = input.shape[0]
    if include_last_offset:
        starts, ends = off[:-1], off[1:]
    else:
        starts, ends = off, np.append(off[1:], total)
    return input, starts, np.minimum(ends, total)


def embedding_bag(input: Tensor, weight: Tensor, offsets: Tensor | None = None,
                  max_norm: float | None = None, norm_type: float = 2,
                  scale_grad_by_freq: bool = False, mode: str = "mean", sparse: bool = False,
                  per_sample_weights: Tensor | None = None, include_last_offset: bool = False,
                  padding_idx: int | None = None) -> Tensor:
    """One row per bag: the ``mode`` ('sum', 'mean' or 'max') of the embedding rows the
    bag indexes; bags are the rows of a 2-D ``input`` or the ``offsets`` slices of a 1-D
    one. Indices equal to ``padding_idx`` are left out; empty bags give zeros."""
    if mode not in _MODES:
        raise ValueError("mode has to be one of sum, mean or max")
    if per_sample_weights is not None:
        if mode != "sum":
            raise NotImplementedError(
                "embedding_bag: per_sample_weights was not None. per_sample_weights is only "
                f"supported for mode='sum' (got mode='{mode}'). Please open a feature request "
                "on GitHub.")
        if tuple(per_sample_weights.shape) != tuple(input.shape):
            raise ValueError(f"embedding_bag: If per_sample_weights ({per_sample_weights.shape})"
                             f" is not None, then it must have the same shape as the input "
                             f"({input.shape})")
    flat, starts, ends = _bags(input, offsets, include_last_offset)
    idx = as_array(flat._data).astype(np.int64)
    n = weight.shape[0]
    if idx.size and (idx.min() < 0 or idx.max() >= n):
        raise IndexError("index out of range in self")
    if padding_idx is not None and padding_idx < 0:
        padding_idx += n
    if max_norm is not None:
        _embedding_renorm_(weight, flat._data, max_norm, norm_type)
    rows = weight[const(weight._xp().asarray(idx))]                # (L, D)
    keep = idx != padding_idx if padding_idx is not None else np.ones(idx.shape, bool)
    if mode == "max":
        out = []
        for s, e in zip(starts, ends):
            chosen = np.nonzero(keep[s:e])[0] + s
            out.append(rows[const(weight._xp().asarray(chosen))].max(0).values if chosen.size
                       else weight.new_zeros(weight.shape[1]))
        return stack(out) if out else weight.new_zeros((0, weight.shape[1]))
    # sums and means: one matrix maps the looked-up rows to their bags
    bag_matrix = np.zeros((len(starts), idx.size), dtype=weight._data.dtype)
    for b, (s, e) in enumerate(zip(starts, ends)):
        members = keep[s:e]
        if mode == "mean" and members.any():
            bag_matrix[b, s:e] = members / members.sum()
        else:
            bag_matrix[b, s:e] = members
    if per_sample_weights is not None:
        rows = rows * per_sample_weights.reshape(-1, 1)
    return const(weight._xp().asarray(bag_matrix)).matmul(rows)
