"""``make_tensor``: random test tensors of a given shape and dtype within bounds."""
from __future__ import annotations

import numpy as np

__all__ = ["make_tensor"]


def make_tensor(*shape, dtype, device=None, low=None, high=None, requires_grad: bool = False,
                noncontiguous: bool = False, exclude_zero: bool = False,
                memory_format=None):
    """A tensor of ``shape`` with values drawn uniformly from [low, high) (defaults by
    dtype: [-9, 9] for numbers, [0, 2) for booleans)."""
    from .. import _random, tensor
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        shape = tuple(shape[0])
    rng = np.random.default_rng(int(_random.randint(0, 2 ** 31 - 1, ()).item()))
    name = str(dtype).split(".")[-1]
    if name == "bool":
        data = rng.integers(0, 2, shape).astype(bool)
    else:
        lo = -9 if low is None else low
        hi = 9 if high is None else high
        if lo > hi:
            raise ValueError(f"`low` must be less than or equal to `high`, but got {lo} > {hi}")
        if name.startswith(("int", "uint")):
            data = rng.integers(int(np.ceil(lo)), int(np.floor(hi)) + (0 if high else 1),
                                shape) if hi > lo else np.full(shape, int(lo))
        else:
            data = rng.uniform(lo, hi, shape)
            if name.startswith("complex"):
                data = data + 1j * rng.uniform(lo, hi, shape)
        if exclude_zero:
            data = np.where(data == 0, 1 if name.startswith(("int", "uint")) else 1e-4, data)
    out = tensor(data, dtype=dtype, device=device)
    return out.requires_grad_(requires_grad) if requires_grad else out
