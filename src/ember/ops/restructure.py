"""Functions that rearrange, combine or partly overwrite tensors: rotations, block
diagonals, products of index sets, splits along fixed dimensions, sliding windows, the
out-of-place ``*_scatter`` writes and flat ``put``. Built from views, indexing and copies,
so they differentiate like their parts."""
from __future__ import annotations

import itertools
import math

import numpy as np

from .._device import as_array
from .._tensor import Tensor
from ._util import const, wrap_dim

__all__ = ["rot90", "diagflat", "block_diag", "cartesian_prod", "combinations", "tril_indices",
           "triu_indices", "unravel_index", "vander", "split_with_sizes", "hsplit", "vsplit",
           "dsplit", "diagonal_scatter", "select_scatter", "slice_scatter", "put",
           "index_reduce", "dist", "renorm", "narrow_copy", "is_same_size"]


def rot90(input: Tensor, k: int = 1, dims=(0, 1)) -> Tensor:
    """Rotate by 90 degrees ``k`` times in the plane of ``dims`` (from the first axis
    towards the second)."""
    dims = list(dims)
    if len(dims) != 2:
        raise RuntimeError(f"expected total rotation dims == 2, but got dims = {len(dims)}")
    if input.dim() < 2:
        raise RuntimeError(f"expected total dims >= 2, but got total dims = {input.dim()}")
    d0, d1 = (wrap_dim(d, input.dim()) for d in dims)
    if d0 == d1:
        raise RuntimeError(f"expected rotation dims to be different, but got dim0 = {dims[0]} "
                           f"and dim1 = {dims[1]}")
    k %= 4
    if k == 1:
        return input.flip(d1).transpose(d0, d1)
    if k == 2:
        return input.flip(d0, d1)
    if k == 3:
        return input.flip(d0).transpose(d0, d1)
    return input.clone()


def diagflat(input: Tensor, offset: int = 0) -> Tensor:
    """A square matrix with the flattened ``input`` on diagonal ``offset``."""
    return input.reshape(-1).diag(offset)


def block_diag(*tensors) -> Tensor:
    """A block-diagonal matrix of the given tensors (0-d and 1-d ones count as one row)."""
    from .._dtype import promote_types
    mats = [t.reshape(1, -1) if t.dim() < 2 else t for t in tensors]
    for i, m in enumerate(mats):
        if m.dim() > 2:
            raise RuntimeError(f"torch.block_diag: Input tensors must have 2 or fewer "
                               f"dimensions. Input {i} has {m.dim()} dimensions")
    if not mats:
        from .._creation import empty
        return empty(1, 0)
    dtype = mats[0].dtype
    for m in mats[1:]:
        dtype = promote_types(dtype, m.dtype)
    rows = sum(m.shape[0] for m in mats)
    cols = sum(m.shape[1] for m in mats)
    out = mats[0].new_zeros((rows, cols), dtype=dtype)
    r = c = 0
    for m in mats:
        h, w = m.shape
        out[r:r + h, c:c + w] = m.to(dtype)
        r, c = r + h, c + w
    return out


def cartesian_prod(*tensors) -> Tensor:
    """Every combination of one element from each 1-D tensor, as rows."""
    from .join import stack
    from .shape import meshgrid
    if len(tensors) == 1:
        return tensors[0]
    grids = meshgrid(*tensors, indexing="ij")
    return stack([g.reshape(-1) for g in grids], 1)


def combinations(input: Tensor, r: int = 2, with_replacement: bool = False) -> Tensor:
    """The length-``r`` combinations of the elements of a 1-D tensor, as rows."""
    if input.dim() != 1:
        raise RuntimeError(f"Expect a 1D vector, but got shape {list(input.shape)}")
    if r < 0:
        raise RuntimeError(f"Expect a non-negative number, but got {r}")
    pick = itertools.combinations_with_replacement if with_replacement else \
        itertools.combinations
    idx = np.array(list(pick(range(input.shape[0]), r)), dtype=np.int64).reshape(-1, r)
    if r == 0 or idx.size == 0:
        return input.new_empty((0,) if r == 0 else (0, r))
    return input[const(input._xp().asarray(idx))]


def _indices(row: int, col: int, offset: int, upper: bool, dtype, device) -> Tensor:
    from .._creation import tensor
    from .._dtype import int64
    fn = np.triu_indices if upper else np.tril_indices
    r, c = fn(row, offset, col)
    return tensor(np.stack([r, c]).astype(np.int64), dtype=dtype or int64, device=device)


def tril_indices(row: int, col: int, offset: int = 0, *, dtype=None, device=None,
                 layout=None) -> Tensor:
    """The (2, N) coordinates of the lower triangle of a ``row`` x ``col`` matrix."""
    return _indices(row, col, offset, False, dtype, device)


def triu_indices(row: int, col: int, offset: int = 0, *, dtype=None, device=None,
                 layout=None) -> Tensor:
    """The (2, N) coordinates of the upper triangle of a ``row`` x ``col`` matrix."""
    return _indices(row, col, offset, True, dtype, device)


def unravel_index(indices: Tensor, shape) -> tuple:
    """Flat indices turned into one coordinate tensor per dimension of ``shape``."""
    shape = (shape,) if isinstance(shape, int) else tuple(shape)
    if indices._data.dtype.kind not in "iu":
        raise TypeError(f"expected 'indices' to be integer dtype, but got {indices.dtype}")
    if any(s < 0 for s in shape):
        raise ValueError("'shape' cannot have negative values, but got "
                         f"{tuple(shape)}")
    flat = as_array(indices._data).astype(np.int64)
    size = math.prod(shape)
    if ((flat < -size) | (flat >= size)).any():
        raise ValueError(f"'indices' must be in range [-{size}, {size})")
    coords = np.unravel_index(np.where(flat < 0, flat + size, flat), shape)
    return tuple(const(indices._xp().asarray(c.astype(np.int64))) for c in coords)


def vander(x: Tensor, N: int | None = None, increasing: bool = False) -> Tensor:
    """The Vandermonde matrix of a 1-D tensor: columns ``x ** (N-1) … x ** 0`` (reversed
    with ``increasing``)."""
    from .._creation import arange
    if x.dim() != 1:
        raise RuntimeError("x must be a one-dimensional tensor.")
    n = x.shape[0] if N is None else N
    if n < 0:
        raise RuntimeError("N must be non-negative.")
    powers = arange(n, device=x.device)
    if not increasing:
        powers = powers.flip(0)
    base = x if x.is_floating_point() or x.is_complex() else x.long()
    return base.unsqueeze(1) ** powers.to(base.dtype).unsqueeze(0)


def split_with_sizes(self: Tensor, split_sizes, dim: int = 0) -> tuple:
    """Split into pieces of the given sizes along ``dim``."""
    d = wrap_dim(dim, self.dim())
    if sum(split_sizes) != self.shape[d]:
        raise RuntimeError(f"split_with_sizes expects split_sizes to sum exactly to "
                           f"{self.shape[d]} (input tensor's size at dimension {dim}), but got "
                           f"split_sizes={list(split_sizes)}")
    return self.split(list(split_sizes), d)


def _fixed_split(input: Tensor, sections, dim: int, name: str, need: int) -> tuple:
    if input.dim() < need:
        raise RuntimeError(f"torch.{name} requires a tensor with at least {need} dimension, "
                           f"but got a tensor with {input.dim()} dimensions!")
    if isinstance(sections, int) and input.shape[dim] % sections:
        raise RuntimeError(f"torch.{name} attempted to split along dimension {dim}, but the "
                           f"size of the dimension {input.shape[dim]} is not divisible by the "
                           f"split_size {sections}!")
    return input.tensor_split(sections, dim)


def hsplit(input: Tensor, indices_or_sections) -> tuple:
    """Split horizontally: along dimension 1 (0 for 1-D tensors)."""
    return _fixed_split(input, indices_or_sections, 1 if input.dim() > 1 else 0, "hsplit", 1)


def vsplit(input: Tensor, indices_or_sections) -> tuple:
    """Split vertically: along dimension 0 (needs 2 or more dimensions)."""
    return _fixed_split(input, indices_or_sections, 0, "vsplit", 2)


def dsplit(input: Tensor, indices_or_sections) -> tuple:
    """Split depth-wise: along dimension 2 (needs 3 or more dimensions)."""
    return _fixed_split(input, indices_or_sections, 2, "dsplit", 3)


def _scatter_into(input: Tensor, src: Tensor, view) -> Tensor:
    out = input.clone()
    target = view(out)
    if tuple(target.shape) != tuple(src.shape):
        raise RuntimeError(f"expected src to have a size equal to the slice of self. src size "
                           f"= {list(src.shape)}, slice size = {list(target.shape)}")
    target.copy_(src)
    return out


def diagonal_scatter(input: Tensor, src: Tensor, offset: int = 0, dim1: int = 0,
                     dim2: int = 1) -> Tensor:
    """A copy of ``input`` with its diagonal (as ``diagonal`` takes it) replaced by ``src``."""
    return _scatter_into(input, src, lambda t: t.diagonal(offset, dim1, dim2))


def select_scatter(input: Tensor, src: Tensor, dim: int, index: int) -> Tensor:
    """A copy of ``input`` with ``input.select(dim, index)`` replaced by ``src``."""
    return _scatter_into(input, src, lambda t: t.select(dim, index))


def slice_scatter(input: Tensor, src: Tensor, dim: int = 0, start: int | None = None,
                  end: int | None = None, step: int = 1) -> Tensor:
    """A copy of ``input`` with the slice ``start:end:step`` of ``dim`` replaced by ``src``."""
    def view(t):
        index = [slice(None)] * t.dim()
        index[wrap_dim(dim, t.dim())] = slice(start, end, step)
        return t[tuple(index)]
    return _scatter_into(input, src, view)


def put(input: Tensor, index: Tensor, source: Tensor, accumulate: bool = False) -> Tensor:
    """A copy of ``input`` with the elements at flat positions ``index`` set to (or, with
    ``accumulate``, increased by) ``source``."""
    if index.numel() != source.numel():
        raise RuntimeError(f"put_(): Expected source and index to have the same number of "
                           f"elements, but got source.numel() = {source.numel()}, "
                           f"index.numel() = {index.numel()}")
    n = input.numel()
    flat = as_array(index._data).astype(np.int64).reshape(-1)
    if ((flat < -n) | (flat >= n)).any():
        bad = int(flat[(flat < -n) | (flat >= n)][0])
        raise IndexError(f"out of range: tried to access index {bad} on a tensor of {n} "
                         "elements.")
    at = const(input._xp().asarray(np.where(flat < 0, flat + n, flat)))
    result = input.reshape(-1).index_put((at,), source.reshape(-1), accumulate)
    return result.reshape(input.shape)


def index_reduce(input: Tensor, dim: int, index: Tensor, source: Tensor, reduce: str, *,
                 include_self: bool = True) -> Tensor:
    """Reduce (``prod``, ``mean``, ``amax`` or ``amin``) the slices of ``source`` into the
    slices of ``input`` that ``index`` names along ``dim``."""
    if reduce not in ("prod", "mean", "amax", "amin"):
        raise RuntimeError(f"index_reduce(): Expected reduce to be one of prod, mean, amax or "
                           f"amin but got {reduce}.")
    d = wrap_dim(dim, max(input.dim(), 1))
    shape = [1] * source.dim()
    shape[d] = -1
    spread = index.reshape(shape).expand(*source.shape)
    return input.scatter_reduce(d, spread, source, reduce, include_self=include_self)


def dist(input: Tensor, other: Tensor, p: float = 2) -> Tensor:
    """The ``p``-norm of ``input - other``."""
    return (input - other).norm(p)


def renorm(input: Tensor, p: float, dim: int, maxnorm: float) -> Tensor:
    """Rescale each slice along ``dim`` whose ``p``-norm exceeds ``maxnorm`` to norm
    ``maxnorm``."""
    if p < 0:
        raise RuntimeError("renorm: non-positive-norm not supported")
    if maxnorm < 0:
        raise RuntimeError(f"renorm: expected maxnorm to be >= 0 but got {maxnorm}")
    d = wrap_dim(dim, input.dim())
    others = tuple(i for i in range(input.dim()) if i != d)
    norm = input.norm(p, others, keepdim=True) if others else input.abs()
    factor = (maxnorm / (norm + 1e-7)).where(norm > maxnorm, norm.new_ones(()))
    return input * factor


def narrow_copy(input: Tensor, dim: int, start: int, length: int) -> Tensor:
    """A copy of ``input.narrow(dim, start, length)``."""
    return input.narrow(dim, start, length).clone()


def is_same_size(input: Tensor, other: Tensor) -> bool:
    """Whether the two tensors have the same shape."""
    return tuple(input.shape) == tuple(other.shape)


TENSOR_METHODS = ["rot90", "diagflat", "split_with_sizes", "hsplit", "vsplit", "dsplit",
                  "diagonal_scatter", "select_scatter", "slice_scatter", "put", "index_reduce",
                  "dist", "renorm", "narrow_copy", "is_same_size"]
