"""Sparse tensors' operations: construction, conversion, coalescing and sparse @ dense.

The differentiable work is done by three small primitives on a sparse tensor's values
(``ScatterAdd``/``GatherAt``, each the other's backward, and ``SparseMM``); the index
arithmetic is NumPy on int64 arrays. Dense tensors get torch's sparse methods here too
(``to_sparse``, ``to_dense``, ``sparse_mask``, and the accessors that raise on them).
"""
from __future__ import annotations

import numpy as np

from .. import _dtype as D
from .._device import as_array, xp_of
from .._layout import sparse_coo, sparse_csr, strided
from .._sparse_tensor import (SparseCooTensor, SparseCsrTensor, _SparseBase, make_coo,
                              make_csr)
from .._tensor import Tensor, _wrap_dim
from ..autograd import grad_mode
from ..autograd.function import Primitive, renamed

__all__ = ["sparse_coo_tensor", "sparse_csr_tensor", "spmm"]

TENSOR_METHODS = ["to_sparse", "to_sparse_coo", "to_sparse_csr", "to_dense", "sparse_mask",
                  "sparse_dim", "dense_dim", "indices", "values", "coalesce", "is_coalesced",
                  "crow_indices", "col_indices"]


def _xp(a):
    return np if type(a) is np.ndarray else Tensor._xp_of(a)


# -- primitives on the values ------------------------------------------------------------
class ScatterAdd(Primitive):
    """Add ``values`` into a zero array of ``shape`` at the coordinates ``index`` (a tuple
    of index arrays); repeated coordinates add up."""

    @staticmethod
    def forward(ctx, values, index, shape):
        ctx.index = index
        out = _xp(values).zeros(shape, dtype=values.dtype)
        _xp(values).add.at(out, index, values)
        return out

    @staticmethod
    def backward(ctx, grad):
        return GatherAt.apply(grad, ctx.index), None, None


class GatherAt(Primitive):
    """The entries of ``x`` at the coordinates ``index`` (a tuple of index arrays)."""

    @staticmethod
    def forward(ctx, x, index):
        ctx.index = index
        ctx.shape = x.shape
        return x[index]

    @staticmethod
    def backward(ctx, grad):
        return ScatterAdd.apply(grad, ctx.index, ctx.shape), None


_ToDense = renamed(ScatterAdd, "ToDenseBackward0")
_ToSparse = renamed(GatherAt, "ToSparseBackward0")
_Coalesce = renamed(ScatterAdd, "CoalesceBackward0")
_SparseMask = renamed(GatherAt, "SparseMaskBackward0")


def _row_sums(rows, prod, m):
    """Sum the rows of ``prod`` into an (m, ...) array at ``rows``; one ``reduceat`` when
    the rows are sorted (coalesced COO, CSR), ``add.at`` otherwise."""
    xp = _xp(prod)
    out = xp.zeros((m,) + prod.shape[1:], dtype=prod.dtype)
    if rows.shape[0] == 0:
        return out
    if bool((rows[1:] >= rows[:-1]).all()):
        starts = xp.flatnonzero(xp.concatenate([xp.ones(1, bool), rows[1:] != rows[:-1]]))
        out[rows[starts]] = xp.add.reduceat(prod, starts, axis=0)
    else:
        xp.add.at(out, rows, prod)
    return out


class SparseMM(Primitive):
    """(m x k sparse, given by ``values`` at ``rows``/``cols``) @ (k x n dense)."""

    node_name = "SparseAddmmBackward0"

    @staticmethod
    def forward(ctx, values, dense, rows, cols, m):
        ctx.save_for_backward(values, dense)
        ctx.args = (rows, cols, m)
        return _row_sums(rows, values[:, None] * dense[cols], m)

    @staticmethod
    def backward(ctx, grad):
        values, dense = ctx.saved_tensors
        rows, cols, m = ctx.args
        g_values = g_dense = None
        if ctx.needs_input_grad[0]:
            g_values = (GatherAt.apply(grad, (rows,)) * GatherAt.apply(dense, (cols,))).sum(1)
        if ctx.needs_input_grad[1]:
            g_dense = SparseMM.apply(values, grad, cols, rows, dense.shape[0])
        return g_values, g_dense, None, None, None


class GroupSoftmax(Primitive):
    """Softmax (or log-softmax) of the values within groups (``group`` ids of ``n`` groups);
    each dense position separately."""

    node_name = "SparseSoftmaxBackward0"

    @staticmethod
    def forward(ctx, values, group, n, log):
        xp = _xp(values)
        shape = (n,) + values.shape[1:]
        top = xp.full(shape, -xp.inf, dtype=values.dtype)
        xp.maximum.at(top, group, values)
        shifted = values - top[group]
        e = xp.exp(shifted)
        s = xp.zeros(shape, dtype=values.dtype)
        xp.add.at(s, group, e)
        out = shifted - xp.log(s)[group] if log else e / s[group]
        ctx.args = (group, n, log)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        group, n, log = ctx.args
        shape = (n,) + tuple(out.shape[1:])
        if log:
            total = GatherAt.apply(ScatterAdd.apply(grad, (group,), shape), (group,))
            return grad - out.exp() * total, None, None, None
        gy = grad * out
        total = GatherAt.apply(ScatterAdd.apply(gy, (group,), shape), (group,))
        return gy - out * total, None, None, None


class _Values(Primitive):
    """The values a sparse tensor is built from, as the graph node torch records there."""

    node_name = "SparseCooTensorWithDimsAndTensorsBackward0"

    @staticmethod
    def forward(ctx, values):
        return values

    @staticmethod
    def backward(ctx, grad):
        return grad


class _CsrValues(_Values):
    node_name = "SparseCompressedTensorBackward0"


# -- construction ------------------------------------------------------------------------
# the default of ``check_invariants`` (``torch.sparse.check_sparse_tensor_invariants``)
INVARIANT_CHECKS = {"enabled": False}


def _checking(flag) -> bool:
    return INVARIANT_CHECKS["enabled"] if flag is None else bool(flag)


def _int_array(x, name: str):
    """Index input (tensor or array-like) as an int64 NumPy array."""
    arr = x._data if isinstance(x, Tensor) else as_array(x)
    if arr.dtype.kind not in "iub" and arr.size:
        if arr.dtype.kind != "f":
            raise RuntimeError(f"{name} must be an int64 tensor")
    return as_array(arr).astype(np.int64, copy=False) if arr.dtype.kind != "i" or \
        arr.dtype.itemsize != 8 else arr


def _values_tensor(values, dtype, device, requires_grad, node):
    from .._creation import tensor as _tensor
    if isinstance(values, Tensor):
        if dtype is not None or device is not None:
            values = values.to(device=device, dtype=dtype)
    else:
        values = _tensor(values, dtype=dtype, device=device)
    _cpu_only(values)
    if requires_grad:
        values = values.detach().requires_grad_(True)
    elif values._rg and grad_mode.is_grad_enabled():
        values = node.apply(values)
    return values


def sparse_coo_tensor(indices=None, values=None, size=None, *, dtype=None, device=None,
                      pin_memory: bool = False, requires_grad: bool = False,
                      check_invariants: bool | None = None,
                      is_coalesced: bool | None = None) -> SparseCooTensor:
    """A sparse COO tensor with ``values`` at the coordinates ``indices`` (sparse_dim x
    nnz); ``size`` defaults to the smallest that holds the indices. Given only a size
    (``sparse_coo_tensor((5, 3))``), an empty one of that size."""
    if values is None:
        if size is None and not isinstance(indices, Tensor):
            size, indices = indices, None
        if indices is not None or size is None or isinstance(size, Tensor):
            got = ", ".join(type(a).__name__ for a in (indices, size) if a is not None)
            raise TypeError(
                f"sparse_coo_tensor() received an invalid combination of arguments - got "
                f"({got}), but expected one of:\n * (indices, values, size=None, ...)\n"
                " * (tuple of ints size, *, dtype=None, device=None, requires_grad=False)")
        size = tuple(int(s) for s in size)
        indices = np.zeros((len(size), 0), np.int64)
        values = _values_tensor(np.zeros(0), dtype or D.get_default_dtype(), device,
                                requires_grad, _Values)
        return make_coo(indices, values, size, True)
    idx = _int_array(indices, "indices")
    vals = _values_tensor(values, dtype, device, requires_grad, _Values)
    if idx.ndim != 2:
        if size is not None and idx.ndim == 1:
            raise RuntimeError(f"'len(size) == sparse_dim + dense_dim' is not satisfied: "
                               f"len(size) = {len(size)}, sparse_dim = {idx.shape[0]}, "
                               f"dense_dim = {max(vals.ndim - 1, 0)}")
        raise RuntimeError(f"indices must be sparse_dim x nnz, but got: {list(idx.shape)}")
    sd, nnz = idx.shape
    if vals.ndim == 0 or vals.shape[0] != nnz:
        raise RuntimeError("indices and values must have same nnz, but got nnz from indices: "
                           f"{nnz}, nnz from values: {vals.shape[0] if vals.ndim else 1}")
    dense_sizes = tuple(vals.shape[1:])
    if size is None:
        sparse_sizes = tuple(int(s) + 1 for s in idx.max(axis=1)) if nnz else (0,) * sd
        size = sparse_sizes + dense_sizes
    else:
        size = tuple(int(s) for s in size)
        if len(size) != sd + len(dense_sizes):
            raise RuntimeError(f"'len(size) == sparse_dim + dense_dim' is not satisfied: "
                               f"len(size) = {len(size)}, sparse_dim = {sd}, "
                               f"dense_dim = {len(dense_sizes)}")
        if size[sd:] != dense_sizes:
            raise RuntimeError(f"values has incorrect size, expected {[nnz, *size[sd:]]}, "
                               f"got {list(vals.shape)}")
        if _checking(check_invariants):
            _check_coo_indices(idx, size[:sd])
    coalesced = bool(is_coalesced) if is_coalesced is not None else nnz <= 1
    return make_coo(idx, vals, size, coalesced)


def _check_coo_indices(idx, sizes):
    for d, n in enumerate(sizes):
        if idx.shape[1] == 0:
            return
        lo, hi = int(idx[d].min()), int(idx[d].max())
        if lo < 0:
            raise RuntimeError(f"found negative index {lo} for dim {d}")
        if hi >= n:
            raise RuntimeError(f"size is inconsistent with indices: for dim {d}, size is {n} "
                               f"but found index {hi}")


def sparse_csr_tensor(crow_indices, col_indices, values, size=None, *, dtype=None,
                      device=None, pin_memory: bool = False, requires_grad: bool = False,
                      check_invariants: bool | None = None) -> SparseCsrTensor:
    """A 2-D sparse matrix in compressed-row form; ``size`` defaults to (rows, the largest
    column + 1)."""
    crow = _int_array(crow_indices, "crow_indices")
    col = _int_array(col_indices, "col_indices")
    vals = _values_tensor(values, dtype, device, requires_grad, _CsrValues)
    if crow.ndim != 1 or col.ndim != 1 or vals.ndim != 1:
        raise NotImplementedError("ember's CSR tensors are 2-D matrices without batch or "
                                  "dense dimensions")
    if size is None:
        size = (crow.shape[0] - 1, int(col.max()) + 1 if col.size else 0)
    size = tuple(int(s) for s in size)
    if len(size) != 2:
        raise NotImplementedError("ember's CSR tensors are 2-D matrices")
    if _checking(check_invariants):
        nnz = col.shape[0]
        if crow.shape[0] != size[0] + 1:
            raise RuntimeError("`crow_indices.shape[-1] == nrows + 1` is not satisfied.")
        if crow[0] != 0:
            raise RuntimeError("`crow_indices[..., 0] == 0` is not satisfied.")
        if crow[-1] != nnz:
            raise RuntimeError("`crow_indices[..., -1] == nnz` is not satisfied.")
        if (np.diff(crow) < 0).any():
            raise RuntimeError("`0 <= crow_indices[..., 1:] - crow_indices[..., :-1] <= ncols` "
                               "is not satisfied.")
        if nnz and (col.min() < 0 or col.max() >= size[1]):
            raise RuntimeError("`0 <= col_indices < ncols` is not satisfied.")
    return make_csr(crow, col, vals, size)


# -- conversions and coalescing ---------------------------------------------------------
def _flat_keys(idx, sizes):
    """One int64 key per coordinate column, ordered as the coordinates are."""
    key = xp_of(idx).zeros(idx.shape[1], dtype=np.int64)
    for d, n in enumerate(sizes):
        key = key * max(int(n), 1) + idx[d]
    return key


def coalesce_coo(t: SparseCooTensor) -> SparseCooTensor:
    """Sorted unique coordinates; the values at repeated ones summed (differentiably)."""
    if t._sp_coal:
        return t
    idx, sd = t._sp_idx, t._sp_idx.shape[0]
    keys = _flat_keys(idx, t._sp_size[:sd])
    uniq, first, inverse = np.unique(keys, return_index=True, return_inverse=True)
    vals = t._sp_vals
    new_vals = _Coalesce.apply(vals, (inverse.reshape(-1),),
                               (uniq.shape[0],) + tuple(vals.shape[1:]))
    return make_coo(idx[:, first], new_vals, t._sp_size, True)


def coo_to_dense(t: SparseCooTensor, dtype=None) -> Tensor:
    """The dense tensor of a COO tensor, repeated coordinates summed."""
    vals = t._sp_vals if dtype is None else t._sp_vals.to(dtype)
    return _ToDense.apply(vals, tuple(t._sp_idx), t._sp_size)


def coo_to_csr(t: SparseCooTensor) -> SparseCsrTensor:
    """The compressed-row form of a 2-D COO matrix."""
    if t.sparse_dim() != 2 or t.dense_dim() != 0:
        raise RuntimeError("ember converts only 2-D COO matrices without dense dimensions "
                           f"to CSR, got sparse_dim={t.sparse_dim()}, dense_dim={t.dense_dim()}")
    c = coalesce_coo(t)
    rows, cols = c._sp_idx
    crow = np.concatenate([[0], np.cumsum(np.bincount(rows, minlength=c._sp_size[0]))])
    return make_csr(crow.astype(np.int64), cols.copy(), c._sp_vals, c._sp_size)


def _cpu_only(t: Tensor) -> None:
    if t.device.type != "cpu":
        raise NotImplementedError(f"ember's sparse tensors live on the CPU only, got a tensor "
                                  f"on {t.device}")


def _dense_to_coo(x: Tensor, sparse_dim: int) -> SparseCooTensor:
    _cpu_only(x)
    arr = x._data
    if sparse_dim <= 0 and arr.ndim > 0:
        raise RuntimeError("dense_to_sparse: sparse_dim argument must be in >0 when "
                           "self.dim()>0")
    if sparse_dim > arr.ndim:
        raise RuntimeError(f"sparse_dim must be in [0, {arr.ndim}], got {sparse_dim}")
    nonzero = arr != 0
    if arr.ndim > sparse_dim:
        nonzero = nonzero.reshape(arr.shape[:sparse_dim] + (-1,)).any(axis=-1)
    idx = np.stack(np.nonzero(nonzero)).astype(np.int64) if sparse_dim else \
        np.zeros((0, int(bool(nonzero))), np.int64)
    if sparse_dim == 0:
        vals = x.unsqueeze(0) if nonzero else x.unsqueeze(0)[:0]
    else:
        vals = _ToSparse.apply(x, tuple(idx))
    return make_coo(idx, vals, arr.shape, True)


# -- tensor methods (dense tensors; the sparse classes override them) ---------------------
def _layout_error(name: str, wanted: str) -> RuntimeError:
    return RuntimeError(f"{name} expected {wanted} tensor layout but got Strided")


def to_sparse(self: Tensor, sparse_dim: int | None = None, *, layout=None, blocksize=None,
              dense_dim: int | None = None):
    """This dense tensor as a sparse COO tensor (or CSR with ``layout=torch.sparse_csr``);
    ``sparse_dim`` leading dimensions are indexed, the rest stored in the values."""
    if layout is None or layout is sparse_coo:
        if sparse_dim is None:
            sparse_dim = self.ndim - (dense_dim or 0)
        return _dense_to_coo(self, int(sparse_dim))
    if layout is sparse_csr:
        return to_sparse_csr(self)
    if layout is strided:
        return self
    raise NotImplementedError(f"ember has no {layout} layout (COO and CSR only)")


def to_sparse_coo(self: Tensor) -> SparseCooTensor:
    """This dense tensor as a sparse COO tensor."""
    return _dense_to_coo(self, self.ndim)


def to_sparse_csr(self: Tensor, dense_dim: int | None = None) -> SparseCsrTensor:
    """This dense matrix in compressed-row form."""
    if self.ndim != 2:
        raise NotImplementedError("ember's CSR tensors are 2-D matrices, got a "
                                  f"{self.ndim}-D tensor")
    return coo_to_csr(_dense_to_coo(self, 2))


def to_dense(self: Tensor, dtype=None, *, masked_grad=None) -> Tensor:
    """Self for a dense tensor (cast to ``dtype`` when given)."""
    return self if dtype is None else self.to(dtype)


def sparse_mask(self: Tensor, mask) -> SparseCooTensor:
    """The entries of this dense tensor at ``mask``'s coordinates, as a sparse tensor with
    ``mask``'s indices."""
    if not isinstance(mask, SparseCooTensor):
        raise RuntimeError("sparse_mask expects mask to be sparse COO")
    if tuple(self.shape) != mask._sp_size:
        raise RuntimeError(f"sparse_mask(): operands have incompatible sizes; self has size "
                           f"{list(self.shape)} but mask has size {list(mask._sp_size)}")
    idx = mask._sp_idx
    return make_coo(idx, _SparseMask.apply(self, tuple(idx)), mask._sp_size, mask._sp_coal)


def sparse_dim(self: Tensor) -> int:
    """0 for a dense tensor."""
    return 0


def dense_dim(self: Tensor) -> int:
    """All dimensions of a dense tensor are dense."""
    return self.ndim


def indices(self: Tensor):
    """Only sparse COO tensors have indices."""
    raise _layout_error("indices", "sparse coordinate")


def values(self: Tensor):
    """Only sparse tensors have values."""
    raise _layout_error("values", "sparse")


def coalesce(self: Tensor):
    """Only sparse COO tensors coalesce."""
    raise _layout_error("coalesce", "sparse coordinate")


def is_coalesced(self: Tensor):
    """Only sparse COO tensors are (un)coalesced."""
    raise _layout_error("is_coalesced", "sparse coordinate")


def crow_indices(self: Tensor):
    """Only CSR tensors have row offsets."""
    raise _layout_error("crow_indices", "sparse row compressed")


def col_indices(self: Tensor):
    """Only CSR tensors have column indices."""
    raise _layout_error("col_indices", "sparse row compressed")


# -- arithmetic ----------------------------------------------------------------------------
def _coo_of(t):
    return t.to_sparse_coo() if isinstance(t, SparseCsrTensor) else t


def sparse_mm(sparse, dense, name: str = "addmm") -> Tensor:
    """(2-D sparse) @ (2-D dense) -> dense; differentiable in the values and the dense."""
    if isinstance(dense, _SparseBase):
        raise NotImplementedError("ember multiplies sparse tensors by dense ones only")
    if not isinstance(dense, Tensor):
        raise TypeError(f"mm(): argument 'mat2' (position 2) must be Tensor, not "
                        f"{type(dense).__name__}")
    s = _coo_of(sparse)
    if dense.ndim != 2:
        raise IndexError(f"Dimension out of range (expected to be in range of "
                         f"[-{max(dense.ndim, 1)}, {max(dense.ndim, 1) - 1}], but got 1)")
    if s.ndim != 2 or s.dense_dim() != 0:
        bad = s.ndim if s.ndim != 2 else s.sparse_dim()
        raise RuntimeError(f"addmm: matrices expected, got {bad}D tensor")
    m, k = s._sp_size
    if dense.shape[0] != k:
        if isinstance(sparse, SparseCsrTensor):
            raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({m}x{k} and "
                               f"{dense.shape[0]}x{dense.shape[1]})")
        raise RuntimeError(f"addmm: Argument #3 (dense): Expected dim 0 size {k}, got "
                           f"{dense.shape[0]}")
    if dense.dtype is not s.dtype:
        raise RuntimeError(f"expected scalar type {_c_name(s.dtype)} but found "
                           f"{_c_name(dense.dtype)}")
    rows, cols = s._sp_idx
    return SparseMM.apply(s._sp_vals, dense, rows, cols, m)


def _c_name(dt) -> str:
    return {"float32": "Float", "float64": "Double", "float16": "Half", "bfloat16": "BFloat16",
            "int64": "Long", "int32": "Int", "complex64": "ComplexFloat",
            "complex128": "ComplexDouble"}.get(dt.name if hasattr(dt, "name") else str(dt),
                                               str(dt))


def sparse_matmul(sparse, other) -> Tensor:
    """``sparse @ other`` for a dense matrix or vector ``other``."""
    if isinstance(other, Tensor) and not isinstance(other, _SparseBase) and other.ndim == 1:
        return sparse_mm(sparse, other.unsqueeze(1), "mv").squeeze(1)
    return sparse_mm(sparse, other, "mm")


def spmm(input, mat2) -> Tensor:
    """Sparse matrix @ dense matrix (``torch.sparse.mm``)."""
    return sparse_mm(input, mat2)


def sparse_add(a: SparseCooTensor, b, alpha=1) -> Tensor:
    """``a + alpha * b`` for sparse COO tensors of one size (dense ``b``: a dense result)."""
    from .join import cat
    if not isinstance(b, SparseCooTensor):
        if isinstance(b, Tensor):
            raise RuntimeError("add(sparse, dense) is not supported. Use add(dense, sparse) "
                               "instead.")
        return NotImplemented
    if a._sp_size != b._sp_size:
        raise RuntimeError(f"add: expected sizes of 'self' and 'other' to match, but "
                           f"{list(a._sp_size)} != {list(b._sp_size)}")
    if a.sparse_dim() != b.sparse_dim():
        raise RuntimeError("add: expected 'self' and 'other' to have same sparse dimensions")
    dt = D.promote_types(a.dtype, b.dtype)
    va = a._sp_vals if a.dtype is dt else a._sp_vals.to(dt)
    vb = b._sp_vals if b.dtype is dt else b._sp_vals.to(dt)
    if alpha != 1:
        vb = vb * alpha
    ia, ib = a._sp_idx, b._sp_idx
    if ia is ib or (ia.shape == ib.shape and bool((ia == ib).all())):
        # one sparsity pattern: torch adds the values position by position
        return make_coo(ia, va + vb, a._sp_size, a._sp_coal)
    # torch merges the two index lists; ember concatenates them (the same tensor once
    # coalesced), and keeps coalesced inputs coalesced as torch does
    out = make_coo(np.concatenate([a._sp_idx, b._sp_idx], axis=1), cat([va, vb]),
                   a._sp_size, False)
    if a._sp_coal and b._sp_coal:
        out = coalesce_coo(out)
    return out


def _sparse_sum_dims(t, dim):
    nd = t.ndim
    dims = [dim] if isinstance(dim, (int, np.integer)) else list(dim)
    dims = [_wrap_dim(int(d), nd) for d in dims]
    seen = set()
    for d in dims:
        if d in seen:
            raise RuntimeError(f"dim {d} appears multiple times in the list of dims")
        seen.add(d)
    return sorted(seen)


def sparse_sum(input, dim=None, dtype=None) -> Tensor:
    """Sum of a sparse COO tensor's entries: all of them (a 0-d dense tensor), or over
    ``dim`` (sparse while sparse dimensions remain, dense otherwise)."""
    if not isinstance(input, _SparseBase):
        raise NotImplementedError("torch.sparse.sum expects a sparse tensor; use torch.sum "
                                  "for a dense one")
    t = _coo_of(input)
    vals = t._sp_vals if dtype is None else t._sp_vals.to(dtype)
    if dim is None:
        return vals.sum()
    dims = _sparse_sum_dims(t, dim)
    sd = t.sparse_dim()
    sparse_axes = [d for d in dims if d < sd]
    dense_axes = [d - sd + 1 for d in dims if d >= sd]
    if dense_axes:
        vals = vals.sum(dim=tuple(dense_axes))
    if len(sparse_axes) == sd:
        return vals.sum(0)
    keep = [d for d in range(sd) if d not in sparse_axes]
    size = tuple(t._sp_size[d] for d in keep) + tuple(vals.shape[1:])
    return coalesce_coo(make_coo(t._sp_idx[keep], vals, size, False))


def _groups_along(t: SparseCooTensor, dim: int):
    """Group id of every entry: the entries that share all coordinates but ``dim``."""
    idx = t._sp_idx
    others = [d for d in range(idx.shape[0]) if d != dim]
    if not others:
        return np.zeros(idx.shape[1], np.int64), 1
    keys = _flat_keys(idx[others], [t._sp_size[d] for d in others])
    uniq, inverse = np.unique(keys, return_inverse=True)
    return inverse.reshape(-1), int(uniq.shape[0])


def _sparse_softmax(input, dim: int, dtype, log: bool):
    from .nn import log_softmax, softmax
    t = coalesce_coo(_coo_of(input))
    dim = _wrap_dim(dim, t.ndim)
    vals = t._sp_vals if dtype is None else t._sp_vals.to(dtype)
    sd = t.sparse_dim()
    if dim >= sd:
        fn = log_softmax if log else softmax
        out = fn(vals, dim - sd + 1)
    else:
        group, n = _groups_along(t, dim)
        out = GroupSoftmax.apply(vals, group, n, log)
    return make_coo(t._sp_idx, out, t._sp_size, True)


def sparse_softmax(input, dim: int, *, dtype=None) -> SparseCooTensor:
    """Softmax over ``dim`` among the stored entries only (missing entries count as -inf)."""
    return _sparse_softmax(input, dim, dtype, False)


def sparse_log_softmax(input, dim: int, *, dtype=None) -> SparseCooTensor:
    """Log-softmax over ``dim`` among the stored entries only."""
    return _sparse_softmax(input, dim, dtype, True)


def sparse_addmm(mat, mat1, mat2, *, beta=1.0, alpha=1.0) -> Tensor:
    """``beta * mat + alpha * (mat1 @ mat2)`` with ``mat1`` sparse."""
    prod = sparse_mm(mat1, mat2)
    if alpha != 1:
        prod = prod * alpha
    if beta == 0:
        return prod
    return (mat if beta == 1 else mat * beta) + prod


# -- nn.Embedding(sparse=True) -------------------------------------------------------------
class EmbeddingSparse(Primitive):
    """Rows of ``weight``; the weight's gradient is a sparse COO tensor holding one row of
    gradient per looked-up index (uncoalesced, padding_idx left out), as torch's."""

    node_name = "EmbeddingBackward0"

    @staticmethod
    def forward(ctx, weight, indices, padding_idx, scale_grad_by_freq):
        ctx.args = (indices, weight.shape, padding_idx, scale_grad_by_freq)
        return weight[indices]

    @staticmethod
    def backward_array(ctx, grad):
        indices, shape, padding_idx, scale = ctx.args
        if scale:
            raise RuntimeError("embedding_backward: scale_grad_by_freq not supported with "
                               "sparse gradients")
        flat = indices.reshape(-1).astype(np.int64)
        rows = grad.reshape(flat.shape[0], -1)
        if padding_idx is not None:
            keep = flat != padding_idx
            flat, rows = flat[keep], rows[keep]
        else:
            rows = rows.copy()
        vals = Tensor._make(rows, False, None, 0, [0])
        return make_coo(flat.reshape(1, -1), vals, shape, flat.shape[0] <= 1), None, None, None

    @staticmethod
    def backward(ctx, grad):
        return EmbeddingSparse.backward_array(ctx, grad._data)
