"""pdist: the distances between every pair of rows of one matrix."""
from __future__ import annotations

import numpy as np

from ..._tensor import Tensor
from ...ops._util import const

__all__ = ["pdist"]


def pdist(input: Tensor, p: float = 2) -> Tensor:
    """The ``p``-norm distance of rows ``i < j`` of an (N, M) input, in the order of the
    upper triangle (N * (N - 1) / 2 values)."""
    if input.dim() != 2:
        raise RuntimeError(f"pdist only supports 2D tensors, got: {input.dim()}D")
    if not input.is_floating_point():
        raise RuntimeError("pdist only supports floating-point dtypes")
    if p < 0:
        raise RuntimeError("pdist only supports non-negative p values")
    i, j = np.triu_indices(input.shape[0], 1)
    xp = input._xp()
    diff = input[const(xp.asarray(i))] - input[const(xp.asarray(j))]
    return diff.norm(p, dim=1)
