"""The torch.* linear-algebra functions that predate torch.linalg (frobenius_norm,
nuclear_norm, triangular_solve, cholesky_solve, cholesky_inverse), composed from torch.linalg
so their gradients come with it."""
from __future__ import annotations

import warnings

from .._tensor import Tensor
from .linalg import _with_out, vector_norm

__all__ = ["frobenius_norm", "nuclear_norm", "triangular_solve", "cholesky_solve",
           "cholesky_inverse"]
TENSOR_METHODS = ["triangular_solve", "cholesky_solve", "cholesky_inverse"]


def _deprecated(name: str, replacement: str) -> None:
    warnings.warn(f"torch.{name} is deprecated and will be removed in a future PyTorch "
                  f"release; use `{replacement}` instead.", UserWarning, stacklevel=3)


def frobenius_norm(input: Tensor, dim, keepdim: bool = False, *, out=None) -> Tensor:
    """The 2-norm of the elements over one or two dims (``linalg.vector_norm``)."""
    _deprecated("frobenius_norm", "linalg.vector_norm(A, 2., dim, keepdim)")
    dim = (dim,) if isinstance(dim, int) else tuple(dim)
    if len(dim) > 2:
        raise RuntimeError(f"Expected at most 2 dimensions, but got {len(dim)} dimensions "
                           f"instead.")
    return _with_out(vector_norm(input, 2, dim, keepdim), out)


def nuclear_norm(input: Tensor, dim=(-2, -1), keepdim: bool = False, *, out=None) -> Tensor:
    """Sum of singular values over ``dim`` (the last two by default); a bool second
    argument is ``keepdim``, as in torch's two-argument form."""
    _deprecated("nuclear_norm", "linalg.matrix_norm(A, 'nuc', dim, keepdim)")
    if isinstance(dim, bool):
        dim, keepdim = (-2, -1), dim
    from ..linalg import matrix_norm
    return _with_out(matrix_norm(input, "nuc", tuple(dim), keepdim), out)


def _at_least_matrix(t: Tensor, message: str) -> None:
    if t.ndim < 2:
        raise RuntimeError(message.format(t.ndim))


def triangular_solve(b: Tensor, A: Tensor, upper: bool = True, transpose: bool = False,
                     unitriangular: bool = False, *, out=None):
    """Deprecated: ``(solution, cloned_coefficient)`` of a triangular system ``A X = b``
    (``A^T X = b`` with ``transpose``)."""
    warnings.warn("torch.triangular_solve is deprecated in favor of "
                  "torch.linalg.solve_triangular and will be removed in a future PyTorch "
                  "release.", UserWarning, stacklevel=2)
    for name, t in (("b", b), ("A", A)):
        _at_least_matrix(t, f"torch.triangular_solve: Expected {name} to have at least 2 "
                            f"dimensions, but it has {{}} dimensions instead")
    from ..linalg import _result, solve_triangular
    coefficient = A.mT if transpose else A
    solution = solve_triangular(coefficient, b, upper=upper != transpose,
                                unitriangular=unitriangular)
    return _result("triangular_solve", (solution, A.clone()))


def cholesky_solve(B: Tensor, L: Tensor, upper: bool = False, *, out=None) -> Tensor:
    """The X with ``L L^H X = B`` (``U^H U X = B`` with ``upper``), from the Cholesky factor."""
    _at_least_matrix(B, "b should have at least 2 dimensions, but has {} dimensions instead")
    _at_least_matrix(L, "u should have at least 2 dimensions, but has {} dimensions instead")
    from ..linalg import solve
    # the whole factor enters the product, so its gradient is torch's (not masked to a triangle)
    A = L.mH @ L if upper else L @ L.mH
    return _with_out(solve(A, B), out)


def cholesky_inverse(L: Tensor, upper: bool = False, *, out=None) -> Tensor:
    """The inverse of ``L L^H`` (``U^H U`` with ``upper``) from its Cholesky factor."""
    eye = L.new_ones(L.shape[-1]).diag_embed().expand(*L.shape)
    return _with_out(cholesky_solve(eye, L, upper), out)
