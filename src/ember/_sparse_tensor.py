"""Sparse tensors: COO (coordinates + values) and CSR (compressed rows + values).

A sparse tensor is a thin record around its index arrays (plain int64 NumPy arrays, never
differentiated) and its ``values`` tensor. Autograd lives entirely on ``values``: every
operation that reads a sparse tensor is written on its values with ember's differentiable
ops, so gradients reach the values (and whatever produced them) the ordinary way. A leaf
sparse tensor that requires grad is a leaf ``values`` tensor; its ``.grad`` is read back as a
sparse tensor with the same indices.

Dense operations do not accept sparse tensors: reading ``_data`` (the dense array every
dense op works on) raises ``NotImplementedError``, as torch's dispatcher does for kernels
that have no sparse version.
"""
from __future__ import annotations

import numpy as np

from . import _dtype as D
from ._layout import sparse_coo, sparse_csr
from ._tensor import Size, Tensor, _wrap_dim

__all__ = ["SparseCooTensor", "SparseCsrTensor", "make_coo", "make_csr", "is_sparse_any"]

_new = object.__new__


def is_sparse_any(t) -> bool:
    """Whether ``t`` is a sparse tensor of either layout."""
    return isinstance(t, _SparseBase)


class _SparseBase(Tensor):
    """What both sparse layouts share: shape/dtype/device and autograd via ``values``."""

    _sparse = True
    _layout = None

    # -- what dense ops read: refused ------------------------------------------------
    @property
    def _data(self):
        raise NotImplementedError(
            f"this operation does not support sparse tensors (layout={self._layout}); "
            "convert with .to_dense() first")

    @_data.setter
    def _data(self, value):
        raise NotImplementedError("a sparse tensor has no dense data to assign")

    # -- attributes ---------------------------------------------------------------------
    @property
    def layout(self):
        """The sparse layout (``torch.sparse_coo`` or ``torch.sparse_csr``)."""
        return self._layout

    @property
    def dtype(self) -> D.dtype:
        """The element type (that of the values)."""
        return self._sp_vals.dtype

    @property
    def device(self):
        """Where the values live."""
        return self._sp_vals.device

    @property
    def shape(self) -> Size:
        """The sizes of the dimensions, as a ``Size``."""
        return Size(self._sp_size)

    def size(self, dim: int | None = None):
        """The shape as a ``Size``, or the length of one dimension."""
        if dim is None:
            return Size(self._sp_size)
        return self._sp_size[_wrap_dim(dim, len(self._sp_size))]

    @property
    def ndim(self) -> int:
        """Number of dimensions."""
        return len(self._sp_size)

    def dim(self) -> int:
        """Number of dimensions."""
        return len(self._sp_size)

    ndimension = dim

    def numel(self) -> int:
        """Number of elements of the dense equivalent."""
        return Size(self._sp_size).numel()

    nelement = numel

    def __len__(self):
        if not self._sp_size:
            raise TypeError("len() of a 0-d tensor")
        return self._sp_size[0]

    def element_size(self) -> int:
        """Bytes per element."""
        return self._sp_vals.element_size()

    def is_floating_point(self) -> bool:
        """Whether the dtype is a floating-point type."""
        return self._sp_vals.is_floating_point()

    def is_complex(self) -> bool:
        """Whether the dtype is complex."""
        return self._sp_vals.is_complex()

    def _nnz(self) -> int:
        """Number of stored entries."""
        return int(self._sp_vals.shape[0])

    def dense_dim(self) -> int:
        """Number of dimensions stored densely in each value."""
        return self._sp_vals.ndim - 1

    def values(self) -> Tensor:
        """The stored values (a tensor sharing memory with this one's)."""
        return self._sp_vals

    # -- autograd, all through the values ----------------------------------------------
    @property
    def _rg(self) -> bool:
        return self._sp_vals._rg

    @property
    def grad_fn(self):
        """The node that produced the values (None for a leaf)."""
        return self._sp_vals.grad_fn

    @property
    def requires_grad(self) -> bool:
        """Whether operations on the values are recorded for autograd."""
        return self._sp_vals._rg

    @requires_grad.setter
    def requires_grad(self, value):
        self._sp_vals.requires_grad = value

    def requires_grad_(self, requires_grad: bool = True):
        """Set ``requires_grad`` on the values and return self."""
        self._sp_vals.requires_grad_(requires_grad)
        return self

    @property
    def is_leaf(self) -> bool:
        """Whether the values are a graph leaf."""
        return self._sp_vals.grad_fn is None

    @property
    def grad(self):
        """The gradient of a leaf, with this tensor's sparsity pattern."""
        g = self._sp_vals._grad
        return None if g is None else self._with_values(g)

    @grad.setter
    def grad(self, value):
        if value is not None:
            raise RuntimeError("ember keeps a sparse tensor's gradient on its values; "
                               "only None can be assigned")
        self._sp_vals._grad = None

    @grad.deleter
    def grad(self):
        self._sp_vals._grad = None

    def detach(self):
        """The same indices and values, cut off from the graph."""
        return self._with_values(self._sp_vals.detach())

    def clone(self, *, memory_format=None):
        """A copy with its own index arrays and values."""
        return self._with_values(self._sp_vals.clone(), copy_indices=True)

    def to(self, *args, **kwargs):
        """A cast and/or move of the values (the indices follow)."""
        return self._with_values(self._sp_vals.to(*args, **kwargs))

    def double(self):
        """The values as float64."""
        return self.to(D.float64)

    def float(self):
        """The values as float32."""
        return self.to(D.float32)

    def __neg__(self):
        return self._with_values(-self._sp_vals)

    def __mul__(self, other):
        if isinstance(other, Tensor):
            if isinstance(other, _SparseBase) or other.ndim != 0:
                raise NotImplementedError("ember multiplies sparse tensors by scalars only")
        return self._with_values(self._sp_vals * other)

    __rmul__ = __mul__

    def __truediv__(self, other):
        if isinstance(other, Tensor) and (isinstance(other, _SparseBase) or other.ndim != 0):
            raise NotImplementedError("ember divides sparse tensors by scalars only")
        return self._with_values(self._sp_vals / other)

    def __matmul__(self, other):
        from .ops.sparse import sparse_matmul
        return sparse_matmul(self, other)

    def mm(self, mat2):
        """Product with a dense matrix."""
        from .ops.sparse import sparse_mm
        return sparse_mm(self, mat2, "mm")

    def matmul(self, other):
        """Product with a dense matrix or vector."""
        from .ops.sparse import sparse_matmul
        return sparse_matmul(self, other)

    def __deepcopy__(self, memo):
        new = self._with_values(self._sp_vals.__deepcopy__(memo), copy_indices=True)
        memo[id(self)] = new
        return new

    def __str__(self):
        return self.__repr__()

    def __hash__(self):
        return id(self)


class SparseCooTensor(_SparseBase):
    """A sparse tensor in coordinate form: ``indices`` (sparse_dim x nnz) and ``values``
    (nnz x dense sizes); repeated coordinates add up unless coalesced."""

    _layout = sparse_coo

    @property
    def is_sparse(self) -> bool:
        """True: this is a sparse COO tensor."""
        return True

    def sparse_dim(self) -> int:
        """Number of dimensions addressed by the indices."""
        return int(self._sp_idx.shape[0])

    def indices(self) -> Tensor:
        """The coordinates of the stored entries (int64, sparse_dim x nnz); coalesced only."""
        if not self._sp_coal:
            raise RuntimeError("Cannot get indices on an uncoalesced tensor, please call "
                               ".coalesce() first")
        return self._indices()

    def values(self) -> Tensor:
        """The stored values; coalesced tensors only."""
        if not self._sp_coal:
            raise RuntimeError("Cannot get values on an uncoalesced tensor, please call "
                               ".coalesce() first")
        return self._sp_vals

    def _indices(self) -> Tensor:
        """The coordinates as stored, coalesced or not."""
        return Tensor._make(self._sp_idx, False, None, 0, [0])

    def _values(self) -> Tensor:
        """The values as stored, coalesced or not."""
        return self._sp_vals

    def is_coalesced(self) -> bool:
        """Whether the coordinates are sorted and unique."""
        return self._sp_coal

    def _coalesced_(self, coalesced: bool):
        """Mark the tensor as coalesced (or not) without checking, as torch's does."""
        self._sp_coal = bool(coalesced)
        return self

    def coalesce(self):
        """Sorted unique coordinates, the values at repeated ones summed."""
        from .ops.sparse import coalesce_coo
        return coalesce_coo(self)

    def to_dense(self, dtype=None, *, masked_grad=None) -> Tensor:
        """The dense tensor (repeated coordinates summed); differentiable in the values."""
        from .ops.sparse import coo_to_dense
        return coo_to_dense(self, dtype)

    def to_sparse(self, *args, layout=None, **kwargs):
        """Self for COO; a CSR conversion with ``layout=torch.sparse_csr``."""
        if layout is sparse_csr:
            return self.to_sparse_csr()
        return self

    def to_sparse_coo(self):
        """Self: already COO."""
        return self

    def to_sparse_csr(self, dense_dim=None):
        """The same matrix in compressed-row form (2-D, no dense dimensions)."""
        from .ops.sparse import coo_to_csr
        return coo_to_csr(self)

    def t(self):
        """The transpose of a 2-D sparse matrix."""
        if self.sparse_dim() != 2:
            raise RuntimeError(f"t() expects a tensor with <= 2 sparse and 0 dense dimensions, "
                               f"but self is {self.sparse_dim()} sparse and {self.dense_dim()} "
                               "dense")
        return make_coo(self._sp_idx[::-1].copy(), self._sp_vals, self._sp_size[::-1], False)

    def sum(self, dim=None, keepdim=False, dtype=None):
        """The sum of the stored values (over ``dim`` as ``torch.sparse.sum``)."""
        from .ops.sparse import sparse_sum
        return sparse_sum(self, dim, dtype=dtype)

    def __add__(self, other):
        from .ops.sparse import sparse_add
        return sparse_add(self, other)

    __radd__ = __add__

    def __sub__(self, other):
        from .ops.sparse import sparse_add
        return sparse_add(self, other, alpha=-1)

    def __rsub__(self, other):
        return (-self).__add__(other)

    @property
    def grad(self):
        """The gradient of a leaf: coalesced, one entry per stored coordinate (as torch's)."""
        g = self._sp_vals._grad
        if g is None:
            return None
        if self._sp_coal:
            return self._with_values(g)
        from .ops.sparse import _flat_keys
        sd = self._sp_idx.shape[0]
        keys = _flat_keys(self._sp_idx, self._sp_size[:sd])
        _, first = np.unique(keys, return_index=True)
        # repeated coordinates got the same gradient each: keep it once (sorted, though
        # torch does not flag such a gradient as coalesced)
        vals = Tensor._make(g._data[first], False, None, 0, [0])
        return make_coo(self._sp_idx[:, first], vals, self._sp_size, False)

    @grad.setter
    def grad(self, value):
        _SparseBase.grad.fset(self, value)

    @grad.deleter
    def grad(self):
        self._sp_vals._grad = None

    def _with_values(self, values, copy_indices=False):
        idx = self._sp_idx.copy() if copy_indices else self._sp_idx
        return make_coo(idx, values, self._sp_size, self._sp_coal)

    def __reduce_ex__(self, protocol):
        return (_rebuild_coo, (self._sp_idx, self._sp_vals, self._sp_size, self._sp_coal))

    def __repr__(self, *, tensor_contents=None):
        from ._sparse_str import coo_repr
        return coo_repr(self)


class SparseCsrTensor(_SparseBase):
    """A 2-D sparse matrix in compressed-row form: ``crow_indices`` (rows + 1 offsets),
    ``col_indices`` and ``values`` (one per stored entry, row by row)."""

    _layout = sparse_csr

    @property
    def is_sparse(self) -> bool:
        """False, as torch says for compressed layouts."""
        return False

    @property
    def is_sparse_csr(self) -> bool:
        """True: this is a CSR tensor."""
        return True

    def sparse_dim(self) -> int:
        """Always 2 for a CSR matrix."""
        return 2

    def crow_indices(self) -> Tensor:
        """Row offsets into ``col_indices``/``values`` (length rows + 1)."""
        return Tensor._make(self._crow, False, None, 0, [0])

    def col_indices(self) -> Tensor:
        """The column of each stored entry."""
        return Tensor._make(self._col, False, None, 0, [0])

    def _coo_indices(self):
        xp = np
        rows = xp.repeat(xp.arange(len(self._crow) - 1, dtype=np.int64), xp.diff(self._crow))
        return xp.stack([rows, self._col.astype(np.int64)])

    def to_sparse_coo(self, sparse_dim=None):
        """The same matrix in coordinate form (coalesced); differentiable in the values."""
        return make_coo(self._coo_indices(), self._sp_vals, self._sp_size, True)

    def to_sparse(self, *args, layout=None, **kwargs):
        """A COO copy (or self with ``layout=torch.sparse_csr``)."""
        if layout is sparse_csr:
            return self
        return self.to_sparse_coo()

    def to_sparse_csr(self, dense_dim=None):
        """Self: already CSR."""
        return self

    def to_dense(self, dtype=None, *, masked_grad=None) -> Tensor:
        """The dense matrix; differentiable in the values."""
        return self.to_sparse_coo().to_dense(dtype)

    def _with_values(self, values, copy_indices=False):
        crow, col = (self._crow.copy(), self._col.copy()) if copy_indices else \
            (self._crow, self._col)
        return make_csr(crow, col, values, self._sp_size)

    def __reduce_ex__(self, protocol):
        return (_rebuild_csr, (self._crow, self._col, self._sp_vals, self._sp_size))

    def __repr__(self, *, tensor_contents=None):
        from ._sparse_str import csr_repr
        return csr_repr(self)


def make_coo(indices, values: Tensor, size, coalesced: bool) -> SparseCooTensor:
    """Wrap checked parts into a COO tensor (no validation, no copies)."""
    t = _new(SparseCooTensor)
    t._sp_idx = indices
    t._sp_vals = values
    t._sp_size = tuple(int(s) for s in size)
    t._sp_coal = bool(coalesced)
    t._output_nr = 0
    t._vc = [0]
    return t


def make_csr(crow, col, values: Tensor, size) -> SparseCsrTensor:
    """Wrap checked parts into a CSR tensor (no validation, no copies)."""
    t = _new(SparseCsrTensor)
    t._crow = crow
    t._col = col
    t._sp_vals = values
    t._sp_size = tuple(int(s) for s in size)
    t._output_nr = 0
    t._vc = [0]
    return t


def _rebuild_coo(indices, values, size, coalesced):
    return make_coo(indices, values, size, coalesced)


def _rebuild_csr(crow, col, values, size):
    return make_csr(crow, col, values, size)
