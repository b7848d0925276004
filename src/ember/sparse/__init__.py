"""ember.sparse: the ``torch.sparse`` namespace (sparse @ dense, sums and softmaxes over
sparse COO tensors). The tensors themselves are made by ``ember.sparse_coo_tensor``,
``ember.sparse_csr_tensor`` and ``Tensor.to_sparse``."""
from __future__ import annotations

from .._tensor import Tensor
from ..ops import sparse as _ops

__all__ = ["mm", "sum", "softmax", "log_softmax", "addmm", "check_sparse_tensor_invariants"]


def mm(mat1, mat2, reduce: str = "sum") -> Tensor:
    """Product of a 2-D sparse matrix (COO or CSR) with a dense matrix; the gradient
    reaches the dense matrix and the sparse matrix's values."""
    if reduce != "sum":
        raise NotImplementedError("ember's sparse.mm supports reduce='sum' only")
    return _ops.sparse_mm(mat1, mat2)


def sum(input, dim=None, dtype=None) -> Tensor:
    """Sum of a sparse tensor's entries, over all dimensions or over ``dim``."""
    return _ops.sparse_sum(input, dim, dtype)


def softmax(input, dim: int, *, dtype=None):
    """Softmax along ``dim`` over the stored entries (absent ones are -inf)."""
    return _ops.sparse_softmax(input, dim, dtype=dtype)


def log_softmax(input, dim: int, *, dtype=None):
    """Log-softmax along ``dim`` over the stored entries."""
    return _ops.sparse_log_softmax(input, dim, dtype=dtype)


def addmm(mat, mat1, mat2, *, beta: float = 1.0, alpha: float = 1.0) -> Tensor:
    """``beta * mat + alpha * (mat1 @ mat2)`` with ``mat1`` sparse."""
    return _ops.sparse_addmm(mat, mat1, mat2, beta=beta, alpha=alpha)


class check_sparse_tensor_invariants:
    """Context manager and switch for validating sparse tensors' indices on construction."""

    def __init__(self, enable: bool = True) -> None:
        self.state = enable
        self.saved = None

    @staticmethod
    def is_enabled() -> bool:
        """Whether indices are checked by default."""
        return _ops.INVARIANT_CHECKS["enabled"]

    @staticmethod
    def enable() -> None:
        """Check indices by default from now on."""
        _ops.INVARIANT_CHECKS["enabled"] = True

    @staticmethod
    def disable() -> None:
        """Stop checking indices by default."""
        _ops.INVARIANT_CHECKS["enabled"] = False

    def __enter__(self):
        self.saved = _ops.INVARIANT_CHECKS["enabled"]
        _ops.INVARIANT_CHECKS["enabled"] = self.state
        return self

    def __exit__(self, *exc):
        _ops.INVARIANT_CHECKS["enabled"] = self.saved
