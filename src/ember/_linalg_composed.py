"""torch.linalg functions built from ember's linalg primitives (so gradients come with them):
vander, tensorinv, tensorsolve, solve_triangular, cond and the ``*_ex`` variants that report
failures in an ``info`` tensor instead of raising."""
from __future__ import annotations

import math
import re

import numpy as np

from ._dtype import int32
from ._tensor import Tensor
from .linalg import (_RESULT_FIELDS, LinAlgError, _check, _failed_minor, _result, _zero_pivot,
                     cholesky, inv, matrix_norm, solve, svdvals)
from .ops._util import const
from .ops.linalg import _with_out
from .ops.join import cat

__all__ = ["vander", "tensorinv", "tensorsolve", "solve_triangular", "cond", "inv_ex",
           "cholesky_ex", "solve_ex"]

_RESULT_FIELDS.update({"linalg_inv_ex": ("inverse", "info"), "linalg_cholesky_ex": ("L", "info"),
                       "linalg_solve_ex": ("result", "info"),
                       "triangular_solve": ("solution", "cloned_coefficient")})


def vander(x: Tensor, *, N: int | None = None) -> Tensor:
    """Vandermonde matrices: column j holds ``x ** j`` for j < N (N defaults to x's length)."""
    n = x.shape[-1] if x.ndim else 1
    N = n if N is None else N
    if N <= 1:
        raise RuntimeError("N must be greater than 1.")
    column = x.unsqueeze(-1)
    # a running product keeps the derivative finite at x == 0, unlike x ** j
    return cat([column.new_ones(column.shape), column.expand(*x.shape, N - 1)], -1).cumprod(-1)


def tensorinv(A: Tensor, ind: int = 2, *, out=None) -> Tensor:
    """The inverse of A seen as a map from its first ``ind`` dims to the rest, reshaped back."""
    if ind <= 0:
        raise RuntimeError(f"Expected a strictly positive integer for 'ind', but got {ind}")
    rows, cols = A.shape[:ind], A.shape[ind:]
    p, q = math.prod(rows), math.prod(cols)
    if p != q:
        raise RuntimeError(f"Expected self to satisfy the requirement prod(self.shape[ind:]) == "
                           f"prod(self.shape[:ind]), but got {q} != {p}")
    result = inv(A.reshape(p, q)).reshape(*cols, *rows)
    return _with_out(result, out)


def tensorsolve(A: Tensor, B: Tensor, dims=None, *, out=None) -> Tensor:
    """The X with ``tensordot(A, X, X.ndim) == B``; ``dims`` of A move to the end first."""
    if dims is not None:
        dims = [d % A.ndim for d in dims]
        A = A.permute(*[d for d in range(A.ndim) if d not in dims], *dims)
    result_shape = A.shape[B.ndim:]
    rows = math.prod(B.shape)
    result = solve(A.reshape(rows, math.prod(result_shape)), B.reshape(rows))
    result = result.reshape(*result_shape)
    return _with_out(result, out)


def solve_triangular(A: Tensor, B: Tensor, *, upper: bool, left: bool = True,
                     unitriangular: bool = False, out=None) -> Tensor:
    """Solve ``A X = B`` (``X A = B`` when not ``left``) reading only A's upper or lower
    triangle, with a unit diagonal assumed when ``unitriangular``."""
    for name, t in (("A", A), ("B", B)):
        if t.ndim < 2:
            raise RuntimeError(f"linalg.solve_triangular: The input tensor {name} must have at "
                               f"least 2 dimensions.")
    T = A.triu() if upper else A.tril()
    if unitriangular:
        T = T - T.diagonal(0, -2, -1).diag_embed() + A.new_ones(A.shape[-1]).diag_embed()
    batch = np.broadcast_shapes(T.shape[:-2], B.shape[:-2])
    T, B = T.expand(*batch, *T.shape[-2:]), B.expand(*batch, *B.shape[-2:])
    result = solve(T, B, left=left)
    return _with_out(result, out)


def _info(A: Tensor, failure) -> np.ndarray:
    """Per-matrix LAPACK-style info codes of A's batch: 0, or what ``failure`` reports."""
    flat = np.asarray(A.detach().cpu().numpy()).reshape(-1, *A.shape[-2:])
    codes = [failure(m) or 0 for m in flat]
    return np.asarray(codes, dtype=np.int32).reshape(A.shape[:-2])


def _run_ex(name: str, fn, A: Tensor, check_errors: bool, failure):
    """``fn(A)`` and its info tensor; failing matrices are swapped for the identity, so their
    results are unspecified (as PyTorch documents), unless ``check_errors`` raises."""
    try:
        return fn(A), A.new_zeros(A.shape[:-2], dtype=int32)
    except LinAlgError as err:
        if check_errors:
            raise LinAlgError(re.sub(r"^linalg\.\w+:", f"linalg.{name}_ex:", str(err))) from None
    info = _info(A, failure)
    bad = const(info != 0).unsqueeze(-1).unsqueeze(-1)
    eye = A.new_ones(A.shape[-1]).diag_embed()
    return fn(A.where(~bad, eye)), const(info)


def inv_ex(A: Tensor, *, check_errors: bool = False, out=None):
    """``(inverse, info)``: info > 0 marks a singular matrix instead of raising."""
    _check("linalg.inv_ex", A, square=True)
    return _result("linalg_inv_ex", _run_ex("inv", inv, A, check_errors, _zero_pivot))


def cholesky_ex(A: Tensor, *, upper: bool = False, check_errors: bool = False, out=None):
    """``(L, info)``: info > 0 is the order of the first minor that is not positive-definite."""
    _check("linalg.cholesky_ex", A, square=True)
    return _result("linalg_cholesky_ex", _run_ex("cholesky", lambda M: cholesky(M, upper=upper),
                                                 A, check_errors, _failed_minor))


def solve_ex(A: Tensor, B: Tensor, *, left: bool = True, check_errors: bool = False, out=None):
    """``(result, info)``: info > 0 marks a singular A instead of raising."""
    _check("linalg.solve_ex", A, square=True)
    return _result("linalg_solve_ex", _run_ex("solve", lambda M: solve(M, B, left=left), A,
                                              check_errors, _zero_pivot))


def cond(A: Tensor, p=None, *, out=None) -> Tensor:
    """Condition number of A in the ``p`` norm (the 2-norm, from singular values, by default);
    inf for singular matrices in the norms that need the inverse."""
    if p in (None, 2, -2):
        s = svdvals(A)
        result = s[..., 0] / s[..., -1] if p != -2 else s[..., -1] / s[..., 0]
    else:
        _check(f"linalg.cond(ord={p})", A, square=True)
        inverse, info = _run_ex("inv", inv, A, False, _zero_pivot)
        result = matrix_norm(A, p) * matrix_norm(inverse, p)
        result = result.masked_fill(info != 0, math.inf)
    return _with_out(result, out)
