"""``ember.linalg``: PyTorch's ``torch.linalg`` namespace.

Decompositions run on NumPy's LAPACK; each differentiable one is a primitive whose
backward is the standard matrix-calculus formula written with ember operations, so
it can be differentiated again. Gradients through eigenvectors and singular vectors
exist only where the eigen/singular values are distinct, as in PyTorch.
"""
from __future__ import annotations

import math

import numpy as np

from . import _dtype as D
from ._tensor import Tensor
from .autograd.function import Primitive
from .ops._util import const, wrap_dim
from .ops.linalg import _broadcast_batch, _cross, _short, _with_out, matmul, vector_norm

__all__ = ["LinAlgError", "householder_product", "matmul", "vecdot", "cross", "vector_norm", "matrix_norm", "norm",
           "inv", "solve", "det", "slogdet", "pinv", "lstsq", "svd", "svdvals", "qr", "eigh",
           "eigvalsh", "eig", "eigvals", "cholesky", "matrix_rank", "multi_dot",
           "matrix_power", "matrix_exp", "diagonal"]


class LinAlgError(RuntimeError):
    """A linear-algebra routine failed on its input (singular, not positive-definite …)."""


_RESULT_FIELDS = {
    "linalg_slogdet": ("sign", "logabsdet"), "slogdet": ("sign", "logabsdet"),
    "linalg_svd": ("U", "S", "Vh"), "svd": ("U", "S", "V"), "linalg_qr": ("Q", "R"),
    "linalg_eigh": ("eigenvalues", "eigenvectors"), "linalg_eig": ("eigenvalues", "eigenvectors"),
    "linalg_lstsq": ("solution", "residuals", "rank", "singular_values"),
}


def _result(name: str, values):
    """PyTorch's named result tuple ``torch.return_types.<name>`` holding ``values``."""
    from . import return_types
    cls = getattr(return_types, name, None)
    if cls is None:  # a linalg result ember.return_types does not define: add it there once
        cls = return_types._named_result(name, _RESULT_FIELDS[name])
        setattr(return_types, name, cls)
    return cls(values)


# -- argument checks ---------------------------------------------------------------------
def _check(name: str, A: Tensor, square: bool = False) -> None:
    if A._data.ndim < 2:
        raise RuntimeError(f"{name}: The input tensor A must have at least 2 dimensions.")
    if A._data.dtype.kind not in "fc":
        raise RuntimeError(f"{name}: Expected a floating point or complex tensor as input. "
                           f"Got {_short(A)}")
    m, n = A._data.shape[-2:]
    if square and m != n:
        raise RuntimeError(f"{name}: A must be batches of square matrices, but they are {m} by "
                           f"{n} matrices")


def _batch_prefix(arr: np.ndarray, bad) -> str:
    """PyTorch names the first failing matrix of a batch: '(Batch element 3): '."""
    if arr.ndim == 2:
        return ""
    flat = arr.reshape(-1, *arr.shape[-2:])
    idx = next(i for i in range(flat.shape[0]) if bad(flat[i]))
    return f"(Batch element {idx}): "


def _zero_pivot(a: np.ndarray):
    """1-based index of the first zero pivot of ``a``'s LU factorization (partial
    pivoting, as LAPACK's getrf), or None when the matrix is non-singular."""
    a = np.array(a, dtype=np.complex128 if a.dtype.kind == "c" else np.float64)
    n = a.shape[0]
    for k in range(n):
        p = k + int(np.argmax(np.abs(a[k:, k])))
        if a[p, k] == 0:
            return k + 1
        a[[k, p]] = a[[p, k]]
        a[k + 1:, k:] -= np.outer(a[k + 1:, k] / a[k, k], a[k, k:])
    return None


def _failed_minor(a: np.ndarray):
    """The order of the first leading minor of ``a`` that is not positive-definite."""
    n = a.shape[0]
    for k in range(1, n + 1):
        try:
            np.linalg.cholesky(a[:k, :k])
        except np.linalg.LinAlgError:
            return k
    return None


def _xp(arr):
    return Tensor._xp_of(arr)


def _eye(n: int, like: Tensor) -> Tensor:
    return const(_xp(like._data).eye(n, dtype=like._data.dtype))


def _diag_embed(v: Tensor) -> Tensor:
    """Square matrices with ``v``'s last dimension on their diagonals."""
    return v.unsqueeze(-1) * _eye(v.shape[-1], v)


def _tril_strict(M: Tensor) -> Tensor:
    n = M.shape[-1]
    return M * const(_xp(M._data).tri(n, k=-1, dtype=M._data.real.dtype))


def _no_complex_grad(name: str, t: Tensor) -> None:
    if t.is_complex():
        raise NotImplementedError(f"ember: the derivative of {name} is implemented for real "
                                  f"inputs only")


def _solve_arrays(a, b):
    try:
        return _xp(a).linalg.solve(a, b)
    except np.linalg.LinAlgError:
        prefix = _batch_prefix(a, lambda m: _zero_pivot(m) is not None)
        raise LinAlgError(f"{prefix}torch.linalg.solve: The solver failed because the input "
                          f"matrix is singular.") from None


# -- inverse, solve, determinants ---------------------------------------------------------
class LinalgInv(Primitive):
    node_name = "LinalgInvExBackward0"

    @staticmethod
    def forward(ctx, a):
        try:
            out = _xp(a).linalg.inv(a)
        except np.linalg.LinAlgError:
            host = np.asarray(a) if isinstance(a, np.ndarray) else a.get()
            prefix = _batch_prefix(host, lambda m: _zero_pivot(m) is not None)
            bad = host if host.ndim == 2 else next(
                m for m in host.reshape(-1, *host.shape[-2:]) if _zero_pivot(m) is not None)
            raise LinAlgError(f"linalg.inv: {prefix}The diagonal element {_zero_pivot(bad)} is "
                              f"zero, the inversion could not be completed because the input "
                              f"matrix is singular.") from None
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        (inv_a,) = ctx.saved_tensors
        h = inv_a.mH
        return -(h @ grad @ h)


def inv(A: Tensor, *, out=None) -> Tensor:
    """Inverse of square matrices; LinAlgError when one is singular."""
    _check("linalg.inv", A, square=True)
    return _with_out(LinalgInv.apply(A), out)


class LinalgSolve(Primitive):
    node_name = "LinalgSolveExBackward0"

    @staticmethod
    def forward(ctx, a, b):
        x = _solve_arrays(a, b)
        ctx.save_for_backward(a, x)
        return x

    @staticmethod
    def backward(ctx, grad):
        a, x = ctx.saved_tensors
        gb = LinalgSolve.apply(a.mH, grad)
        ga = -(gb @ x.mH) if ctx.needs_input_grad[0] else None
        return ga, gb


def solve(A: Tensor, B: Tensor, *, left: bool = True, out=None) -> Tensor:
    """The solution X of ``A X = B`` (or ``X A = B`` with ``left=False``)."""
    _check("linalg.solve", A, square=True)
    if A._data.dtype != B._data.dtype:
        raise RuntimeError(f"linalg.solve: Expected A and B to have the same dtype, but found A "
                           f"of type {_short(A)} and B of type {_short(B)} instead")
    if not left:
        return _with_out(solve(A.mT, B.mT).mT, out)
    n = A._data.shape[-1]
    sb = B._data.shape
    # B is a (batch of) vector(s) when it is 1-D or has exactly A's batch shape
    vector = B._data.ndim == 1 or (B._data.ndim == A._data.ndim - 1 and
                                   sb == A._data.shape[:-1])
    rhs = B.unsqueeze(-1) if vector else B
    if rhs._data.shape[-2] != n:
        cols = 1 if vector else sb[-1]
        raise RuntimeError(f"linalg.solve: Incompatible shapes of A and B for the equation AX = "
                           f"B ({n}x{n} and {rhs._data.shape[-2]}x{cols})")
    batch = _broadcast_batch(A._data.shape[:-2], rhs._data.shape[:-2])
    if A._data.shape[:-2] != batch:
        A = A.expand(*batch, n, n)
    if rhs._data.shape[:-2] != batch:
        rhs = rhs.expand(*batch, *rhs._data.shape[-2:])
    x = LinalgSolve.apply(A, rhs)
    return _with_out(x.squeeze(-1) if vector else x, out)


class LinalgDet(Primitive):
    @staticmethod
    def forward(ctx, a):
        out = _xp(a).asarray(_xp(a).linalg.det(a))  # an array even for one matrix
        ctx.save_for_backward(a, out)
        return out

    @staticmethod
    def backward(ctx, grad):
        a, d = ctx.saved_tensors
        _no_complex_grad("linalg.det", a)
        g = (grad * d).unsqueeze(-1).unsqueeze(-1)
        try:
            return g * inv(a).mT
        except LinAlgError:
            # a singular matrix: d det / dA is the cofactor matrix, which the SVD gives
            # (a constant here, so second derivatives at singular matrices are not tracked)
            return grad.unsqueeze(-1).unsqueeze(-1) * const(_cofactors(a._data))


def _cofactors(a: np.ndarray) -> np.ndarray:
    """The cofactor matrices (transposed adjugates) of real square matrices, via the SVD,
    which stays defined for singular matrices."""
    u, s, vh = np.linalg.svd(a)
    k = s.shape[-1]
    # prod_{j != i} s_j for every i, without dividing by a possibly zero s_i
    others = np.stack([np.prod(np.delete(s, i, axis=-1), axis=-1) for i in range(k)], -1)
    sign = np.linalg.det(u) * np.linalg.det(vh)
    adj = np.swapaxes(vh, -1, -2) @ (others[..., :, None] * np.swapaxes(u, -1, -2))
    return np.swapaxes(adj * sign[..., None, None], -1, -2)


def det(A: Tensor, *, out=None) -> Tensor:
    """Determinant of square matrices."""
    _check("linalg.det", A, square=True)
    return _with_out(LinalgDet.apply(A), out)


class LinalgSlogdet(Primitive):
    @staticmethod
    def forward(ctx, a):
        sign, logabs = _xp(a).linalg.slogdet(a)
        ctx.save_for_backward(a)
        return sign.astype(a.dtype), logabs

    @staticmethod
    def backward(ctx, gsign, glogabs):
        (a,) = ctx.saved_tensors
        _no_complex_grad("linalg.slogdet", a)
        return glogabs.unsqueeze(-1).unsqueeze(-1) * inv(a).mT


def slogdet(A: Tensor, *, out=None, _name: str = "linalg_slogdet"):
    """``(sign, logabsdet)``: the determinant's sign and the log of its absolute value."""
    _check("linalg.slogdet", A, square=True)
    return _result(_name, LinalgSlogdet.apply(A))


# -- SVD and pseudo-inverse -----------------------------------------------------------------
class LinalgSvd(Primitive):
    @staticmethod
    def forward(ctx, a, full_matrices):
        u, s, vh = _xp(a).linalg.svd(a, full_matrices=full_matrices)
        ctx.save_for_backward(u, s, vh)
        ctx.set_materialize_grads(False)
        return u, s, vh

    @staticmethod
    def backward(ctx, gu, gs, gvh):
        u, s, vh = ctx.saved_tensors
        _no_complex_grad("linalg.svd", u)
        return _svd_backward(u, s, vh, gu, gs, gvh), None


def _svd_backward(U, S, Vh, gU, gS, gVh):
    """The gradient of A = U diag(S) Vh (real) for the output gradients (None = zero)."""
    k = S.shape[-1]
    m, n = U.shape[-2], Vh.shape[-1]
    # full_matrices: only the first k singular vectors carry information about A
    if U.shape[-1] != k:
        U = U[..., :k]
        gU = gU[..., :k] if gU is not None else None
    if Vh.shape[-2] != k:
        Vh = Vh[..., :k, :]
        gVh = gVh[..., :k, :] if gVh is not None else None
    inner = _diag_embed(gS) if gS is not None else None
    if gU is None and gVh is None:
        return U @ inner @ Vh if inner is not None else None
    eye = _eye(k, S)
    s2 = S * S
    # F_ij = 1 / (s_j^2 - s_i^2) off the diagonal, 0 on it
    F = (1 - eye) / (s2.unsqueeze(-2) - s2.unsqueeze(-1) + eye)
    terms = [] if inner is None else [inner]
    V = Vh.mT
    if gU is not None:
        utg = U.mT @ gU
        terms.append((F * (utg - utg.mT)) * S.unsqueeze(-2))
    if gVh is not None:
        gV = gVh.mT
        vtg = V.mT @ gV
        terms.append(S.unsqueeze(-1) * (F * (vtg - vtg.mT)))
    core = terms[0]
    for t in terms[1:]:
        core = core + t
    gA = U @ core @ Vh
    if gU is not None and m > k:
        gA = gA + ((gU - U @ utg) / S.unsqueeze(-2)) @ Vh
    if gVh is not None and n > k:
        gA = gA + (U / S.unsqueeze(-2)) @ (gVh - (gVh @ V) @ Vh)
    return gA


def svd(A: Tensor, full_matrices: bool = True, *, driver=None, out=None):
    """``(U, S, Vh)`` with ``A = U diag(S) Vh``; S descending."""
    _check("linalg.svd", A)
    return _result("linalg_svd", LinalgSvd.apply(A, bool(full_matrices)))


def svdvals(A: Tensor, *, driver=None, out=None) -> Tensor:
    """The singular values of ``A``, descending."""
    _check("linalg.svd", A)
    return _with_out(LinalgSvd.apply(A, False)[1], out)


def legacy_svd(A: Tensor, some: bool = True, compute_uv: bool = True):
    """``torch.svd``'s form: ``(U, S, V)``, zero-filled U and V without ``compute_uv``."""
    _check("svd", A)
    U, S, Vh = LinalgSvd.apply(A, not some)
    if not compute_uv:
        from ._creation import zeros_like
        return _result("svd", (zeros_like(U).detach(), S, zeros_like(Vh).mT.detach()))
    return _result("svd", (U, S, Vh.mH))


def _default_rtol(A: Tensor, atol, rtol):
    """PyTorch's rule: eps * max(m, n) unless a positive atol alone was given."""
    if rtol is not None:
        return rtol
    if atol is not None and (not isinstance(atol, (int, float)) or atol > 0):
        return 0.0
    eps = np.finfo(A._data.real.dtype).eps
    return eps * max(A._data.shape[-2:])


def _cutoff(s: np.ndarray, atol, rtol) -> np.ndarray:
    """The singular-value threshold max(atol, rtol * s_max), per matrix (kept dims)."""
    smax = s.max(axis=-1, keepdims=True) if s.shape[-1] else np.zeros(s.shape[:-1] + (1,))
    tol = rtol * smax
    if atol is not None:
        a = atol._data[..., None] if isinstance(atol, Tensor) else atol
        tol = np.maximum(tol, a)
    return tol


class LinalgPinv(Primitive):
    @staticmethod
    def forward(ctx, a, atol, rtol, hermitian):
        xp = _xp(a)
        if hermitian:
            w, v = xp.linalg.eigh(a)
            keep = np.abs(w) > _cutoff(np.abs(w), atol, rtol)
            inv_w = np.where(keep, 1 / np.where(keep, w, 1), 0)
            out = (v * inv_w[..., None, :]) @ np.swapaxes(v, -1, -2).conj()
        else:
            u, s, vh = xp.linalg.svd(a, full_matrices=False)
            keep = s > _cutoff(s, atol, rtol)
            inv_s = np.where(keep, 1 / np.where(keep, s, 1), 0).astype(s.dtype)
            out = (np.swapaxes(vh, -1, -2).conj() * inv_s[..., None, :]) @ \
                np.swapaxes(u, -1, -2).conj()
        out = out.astype(a.dtype, copy=False)
        ctx.save_for_backward(a, out)
        return out

    @staticmethod
    def backward(ctx, grad):
        A, P = ctx.saved_tensors
        m, n = A.shape[-2:]
        Ph, G = P.mH, grad
        gA = -(Ph @ G @ Ph)
        gA = gA + (_eye(m, A) - A @ P) @ G.mH @ (P @ Ph)
        gA = gA + (Ph @ P) @ G.mH @ (_eye(n, A) - P @ A)
        return gA, None, None, None


def pinv(A: Tensor, *, atol=None, rtol=None, hermitian: bool = False, out=None) -> Tensor:
    """Moore-Penrose pseudo-inverse; singular values below max(atol, rtol * s_max) count as 0."""
    if A._data.ndim < 2 or A._data.dtype.kind not in "fc":
        raise RuntimeError(f"linalg.pinv({_short(A)}{{{list(A._data.shape)}}}): expected a tensor "
                           f"with 2 or more dimensions of float, double, cfloat or cdouble types")
    return _with_out(LinalgPinv.apply(A, atol, _default_rtol(A, atol, rtol), hermitian), out)


def lstsq(A: Tensor, B: Tensor, rcond=None, *, driver=None):
    """Least-squares solution of ``A X = B`` as ``(solution, residuals, rank, singular_values)``."""
    from ._creation import tensor
    _check("torch.linalg.lstsq", A)
    vector = B._data.ndim == A._data.ndim - 1
    rhs = B.unsqueeze(-1) if vector else B
    if rhs._data.shape[-2] != A._data.shape[-2]:
        raise RuntimeError("torch.linalg.lstsq: input.size(-2) should match other.size(-2)")
    driver = driver or "gelsy"
    m, n = A._data.shape[-2:]
    rtol = rcond if rcond is not None and rcond >= 0 else np.finfo(A._data.real.dtype).eps * \
        max(m, n)
    sol = pinv(A, rtol=rtol) @ rhs
    s = np.linalg.svd(np.asarray(A._data), compute_uv=False)
    rank = (s > _cutoff(s, None, rtol)).sum(-1)
    empty = const(np.zeros((0,), dtype=A._data.real.dtype))
    residuals = empty
    if driver in ("gelsd", "gelss") and m > n and bool((rank == n).all()):
        res = matmul(A, sol) - rhs
        residuals = (res.abs() ** 2).sum(-2)
    sv = const(s.astype(A._data.real.dtype)) if driver in ("gelsd", "gelss") else empty
    rank_t = tensor(rank, dtype=D.int64) if driver != "gels" else const(
        np.zeros((0,), dtype=np.int64))
    return _result("linalg_lstsq", (sol.squeeze(-1) if vector else sol, residuals, rank_t, sv))


def matrix_rank(A: Tensor, *, atol=None, rtol=None, hermitian: bool = False,
                out=None) -> Tensor:
    """Number of singular values above max(atol, rtol * s_max), as int64."""
    if A._data.ndim < 2:
        raise RuntimeError("torch.linalg.matrix_rank: The input tensor input must have at least 2 "
                           "dimensions.")
    arr = np.asarray(A._data)
    s = np.abs(np.linalg.eigvalsh(arr)) if hermitian else np.linalg.svd(arr, compute_uv=False)
    rank = (s > _cutoff(s, atol, _default_rtol(A, atol, rtol))).sum(-1).astype(np.int64)
    return _with_out(const(np.asarray(rank)), out)


# -- QR ------------------------------------------------------------------------------------
class LinalgQr(Primitive):
    @staticmethod
    def forward(ctx, a, mode):
        xp = _xp(a)
        if mode == "r":
            r = xp.linalg.qr(a, mode="r")
            q = xp.zeros((0,), dtype=a.dtype)
        else:
            q, r = xp.linalg.qr(a, mode=mode)
        ctx.save_for_backward(a, q, r)
        ctx.mode = mode
        ctx.set_materialize_grads(False)
        return q, r

    @staticmethod
    def backward(ctx, gq, gr):
        a, Q, R = ctx.saved_tensors
        m, n = a.shape[-2:]
        if ctx.mode == "r":
            raise RuntimeError("The derivative of linalg.qr depends on Q, which is not computed "
                               "when mode='r'. Please use linalg.qr(A, mode='reduced') if you "
                               "are going to differentiate through linalg.qr.")
        if ctx.mode == "complete" and m > n:
            raise RuntimeError("The QR decomposition is not differentiable when "
                               "mode='complete' and nrows > ncols.")
        _no_complex_grad("linalg.qr", a)
        if m >= n:
            return _qr_backward_tall(Q, R, gq, gr), None
        # A = [X | Y] with X square: R = [U | V] with X = Q U and Y = Q V
        U = R[..., :, :m]
        Y = a[..., :, m:]
        gV = gr[..., :, m:] if gr is not None else None
        gU = gr[..., :, :m] if gr is not None else None
        gQx = gq
        if gV is not None:
            gQx = Y @ gV.mT if gQx is None else gQx + Y @ gV.mT
        gX = _qr_backward_tall(Q, U, gQx, gU)
        # place gX and gY = Q gV side by side without a concatenation op
        xp = _xp(a._data)
        left = const(xp.eye(m, n, dtype=a._data.dtype))
        right = const(xp.eye(n - m, n, k=m, dtype=a._data.dtype))
        gA = gX @ left
        if gV is not None:
            gA = gA + (Q @ gV) @ right
        return gA, None


def _qr_backward_tall(Q, R, gQ, gR):
    """Gradient of A = QR for m >= n (reduced): (gQ + Q copyltu(M)) R^{-T}, M = R gR^T - gQ^T Q."""
    M = None
    if gR is not None:
        M = R @ gR.mT
    if gQ is not None:
        qq = gQ.mT @ Q
        M = -qq if M is None else M - qq
    low = _tril_strict(M)
    sym = low + low.mT + M * _eye(M.shape[-1], M)
    b = Q @ sym if gQ is None else gQ + Q @ sym
    # b R^{-T} = (R^{-1} b^T)^T
    return LinalgSolve.apply(R, b.mT).mT


def qr(A: Tensor, mode: str = "reduced", *, out=None):
    """``(Q, R)`` with ``A = Q R``; mode 'reduced', 'complete' or 'r' (R only)."""
    _check("linalg.qr", A)
    if mode not in ("reduced", "complete", "r"):
        raise RuntimeError(f"qr received unrecognized mode '{mode}' but expected one of "
                           f"'reduced' (default), 'r', or 'complete'")
    return _result("linalg_qr", LinalgQr.apply(A, mode))


# -- symmetric eigenproblems and Cholesky -------------------------------------------------------
class LinalgEigh(Primitive):
    @staticmethod
    def forward(ctx, a, uplo):
        w, v = _xp(a).linalg.eigh(a, UPLO=uplo)
        ctx.save_for_backward(w, v)
        ctx.set_materialize_grads(False)
        return w, v

    @staticmethod
    def backward(ctx, gw, gv):
        L, V = ctx.saved_tensors
        _no_complex_grad("linalg.eigh", V)
        inner = _diag_embed(gw) if gw is not None else None
        if gv is not None:
            eye = _eye(L.shape[-1], L)
            # F_ij = 1 / (l_j - l_i) off the diagonal, 0 on it
            F = (1 - eye) / (L.unsqueeze(-2) - L.unsqueeze(-1) + eye)
            term = F * (V.mT @ gv)
            inner = term if inner is None else inner + term
        gA = V @ inner @ V.mT
        # as PyTorch: the symmetric part, the gradient within the space of symmetric inputs
        return 0.5 * (gA + gA.mT), None


def _check_eigh(A: Tensor) -> None:
    if A._data.dtype.kind not in "fc":
        raise NotImplementedError(f"\"linalg_eigh_cpu\" not implemented for '{_short(A)}'")
    _check("linalg.eigh", A, square=True)


def eigh(A: Tensor, UPLO: str = "L", *, out=None):
    """``(eigenvalues, eigenvectors)`` of symmetric/Hermitian matrices, values ascending."""
    _check_eigh(A)
    if UPLO not in ("L", "U"):
        raise RuntimeError("Expected UPLO argument to be 'L' or 'U', but got " + str(UPLO))
    return _result("linalg_eigh", LinalgEigh.apply(A, UPLO))


def eigvalsh(A: Tensor, UPLO: str = "L", *, out=None) -> Tensor:
    """The eigenvalues of symmetric/Hermitian matrices, ascending."""
    _check_eigh(A)
    return _with_out(LinalgEigh.apply(A, UPLO)[0], out)


def eig(A: Tensor, *, out=None):
    """``(eigenvalues, eigenvectors)`` of general square matrices, as complex tensors."""
    _check("linalg.eig", A, square=True)
    w, v = np.linalg.eig(np.asarray(A._data))
    ct = A.dtype.to_complex().np
    return _result("linalg_eig", (const(w.astype(ct)), const(v.astype(ct))))


def eigvals(A: Tensor, *, out=None) -> Tensor:
    """The eigenvalues of general square matrices, as a complex tensor."""
    _check("linalg.eigvals", A, square=True)
    return _with_out(const(np.linalg.eigvals(np.asarray(A._data)).astype(
        A.dtype.to_complex().np)), out)


class LinalgCholesky(Primitive):
    node_name = "LinalgCholeskyExBackward0"

    @staticmethod
    def forward(ctx, a, upper):
        try:
            L = _xp(a).linalg.cholesky(a)
        except np.linalg.LinAlgError:
            host = np.asarray(a) if isinstance(a, np.ndarray) else a.get()
            prefix = _batch_prefix(host, lambda m: _failed_minor(m) is not None)
            bad = host if host.ndim == 2 else next(
                m for m in host.reshape(-1, *host.shape[-2:]) if _failed_minor(m) is not None)
            raise LinAlgError(f"linalg.cholesky: {prefix}The factorization could not be "
                              f"completed because the input is not positive-definite (the "
                              f"leading minor of order {_failed_minor(bad)} is not "
                              f"positive-definite).") from None
        out = np.swapaxes(L, -1, -2).conj().copy() if upper else L
        ctx.save_for_backward(out)
        ctx.upper = upper
        return out

    @staticmethod
    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        _no_complex_grad("linalg.cholesky", out)
        L, gL = (out.mT, grad.mT) if ctx.upper else (out, grad)
        n = L.shape[-1]
        low = L.mT @ gL
        phi = _tril_strict(low) + 0.5 * low * _eye(n, L)
        # L^{-T} phi L^{-1}, symmetrized: only the symmetric part of A is an input
        X = LinalgSolve.apply(L.mT, phi)
        gA = LinalgSolve.apply(L.mT, X.mT).mT
        return 0.5 * (gA + gA.mT), None


def cholesky(A: Tensor, *, upper: bool = False, out=None) -> Tensor:
    """Cholesky factor L (lower; U = L^H with ``upper``) of positive-definite matrices."""
    _check("linalg.cholesky", A, square=True)
    return _with_out(LinalgCholesky.apply(A, bool(upper)), out)


# -- norms ---------------------------------------------------------------------------------
def _matrix_dims(A: Tensor, dim) -> tuple:
    d0, d1 = (wrap_dim(d, A._data.ndim) for d in dim)
    if d0 == d1:
        raise RuntimeError(f"linalg.matrix_norm: dims must be different. Got ({dim[0]}, "
                           f"{dim[1]})")
    return d0, d1


def _svdvals_over(A: Tensor, d0: int, d1: int) -> Tensor:
    """Singular values of the matrices spanned by dims d0, d1 (moved last)."""
    rest = [d for d in range(A.ndim) if d not in (d0, d1)]
    return svdvals(A.permute(*rest, d0, d1))


def matrix_norm(A: Tensor, ord="fro", dim=(-2, -1), keepdim: bool = False, *, dtype=None,
                out=None) -> Tensor:
    """Matrix norm over two dims: 'fro', 'nuc', +-1, +-2, +-inf."""
    if A._data.ndim < 2:
        raise RuntimeError("linalg.matrix_norm: The input tensor A must have at least 2 "
                           "dimensions.")
    if A._data.dtype.kind not in "fc":
        raise RuntimeError(f"linalg.matrix_norm: Expected a floating point or complex tensor "
                           f"as input. Got {_short(A)}")
    if dtype is not None:
        A = A.to(dtype)
    d0, d1 = _matrix_dims(A, dim)
    if ord == "fro":
        return _with_out(vector_norm(A, 2, (d0, d1), keepdim), out)
    if ord == "nuc" or ord in (2, -2):
        s = _svdvals_over(A, d0, d1)
        r = s.sum(-1) if ord == "nuc" else vector_norm(s, math.copysign(math.inf, ord), -1)
        if keepdim:
            for d in sorted((d0, d1)):
                r = r.unsqueeze(d)
        return _with_out(r, out)
    if ord in (1, -1, math.inf, -math.inf):
        # 1: largest column sum of |A| (sum over rows, then max); inf: largest row sum
        inner_dim, outer_dim = (d0, d1) if abs(ord) == 1 else (d1, d0)
        pick = math.inf if ord > 0 else -math.inf
        r = vector_norm(vector_norm(A, 1, inner_dim, True), pick, outer_dim, True)
        if not keepdim:
            r = r.squeeze((d0, d1))
        return _with_out(r, out)
    raise RuntimeError(f"linalg.matrix_norm: Order {ord} not supported.")


def norm(A: Tensor, ord=None, dim=None, keepdim: bool = False, *, dtype=None,
         out=None) -> Tensor:
    """A vector norm (``dim`` an int, or a 1-D input) or a matrix norm (``dim`` a pair,
    or a 2-D input with ``ord`` given); the 2-norm of all elements by default."""
    if isinstance(dim, int):
        dim = (dim,)
    if dim is not None:
        if len(dim) == 1:
            if isinstance(ord, str):
                raise RuntimeError(f"linalg.norm: If dim is specified, it must be of length 1 "
                                   f"or 2. Got {list(dim)}")
            return vector_norm(A, 2 if ord is None else ord, dim, keepdim, dtype=dtype, out=out)
        if len(dim) == 2:
            return matrix_norm(A, "fro" if ord is None else ord, dim, keepdim, dtype=dtype,
                               out=out)
        raise RuntimeError(f"linalg.norm: If dim is specified, it must be of length 1 or 2. "
                           f"Got {list(dim)}")
    if ord is None:
        return vector_norm(A, 2, None, keepdim, dtype=dtype, out=out)
    if A._data.ndim == 1:
        return vector_norm(A, ord, None, keepdim, dtype=dtype, out=out)
    if A._data.ndim == 2:
        return matrix_norm(A, ord, (-2, -1), keepdim, dtype=dtype, out=out)
    raise RuntimeError(f"linalg.norm: If dim is not specified but ord is, the input must be 1D "
                       f"or 2D. Got {A._data.ndim}D.")


# -- products and powers ---------------------------------------------------------------------
def vecdot(x: Tensor, y: Tensor, *, dim: int = -1, out=None) -> Tensor:
    """Dot products of vectors along ``dim`` (conjugating ``x``), with broadcasting."""
    return _with_out((x.conj() * y).sum(dim), out)


def cross(input: Tensor, other: Tensor, *, dim: int = -1, out=None) -> Tensor:
    """Cross product of 3-vectors along ``dim``, with broadcasting."""
    return _with_out(_cross(input, other, dim, "linalg.cross"), out)


def multi_dot(tensors, *, out=None) -> Tensor:
    """Product of a chain of matrices; the first may be a row vector, the last a column."""
    tensors = list(tensors)
    if len(tensors) < 2:
        raise RuntimeError(f"multi_dot(): expected at least 2 tensors but got {len(tensors)}")
    first, last = tensors[0], tensors[-1]
    if first._data.ndim not in (1, 2):
        raise RuntimeError(f"multi_dot(): the first tensor must be 1D or 2D but got "
                           f"{first._data.ndim}D")
    if last._data.ndim not in (1, 2):
        raise RuntimeError(f"multi_dot(): the last tensor must be 1D or 2D but got "
                           f"{last._data.ndim}D")
    for i, t in enumerate(tensors[1:-1], 1):
        if t._data.ndim != 2:
            raise RuntimeError(f"multi_dot(): tensor {i} must be 2D but got {t._data.ndim}D")
    mats = [first.unsqueeze(0) if first._data.ndim == 1 else first] + tensors[1:-1] + \
        [last.unsqueeze(-1) if last._data.ndim == 1 else last]
    # two multiplication orders for three matrices: take the cheaper, else left to right
    if len(mats) == 3:
        (a, b), (_, c), (_, d) = (m._data.shape for m in mats)
        left_first = a * b * c + a * c * d <= b * c * d + a * b * d
        r = (mats[0] @ mats[1]) @ mats[2] if left_first else mats[0] @ (mats[1] @ mats[2])
    else:
        r = mats[0]
        for m in mats[1:]:
            r = r @ m
    if last._data.ndim == 1:
        r = r.squeeze(-1)
    if first._data.ndim == 1:
        r = r.squeeze(0)
    return _with_out(r, out)


class IdentityLike(Primitive):
    """Identity matrices shaped like ``a``: ``A ** 0``, with a zero gradient."""
    node_name = "CopyBackwards"

    @staticmethod
    def forward(ctx, a):
        xp = _xp(a)
        return xp.broadcast_to(xp.eye(a.shape[-1], dtype=a.dtype), a.shape).copy()

    @staticmethod
    def backward(ctx, grad):
        return grad * 0


def matrix_power(A: Tensor, n: int, *, out=None) -> Tensor:
    """``A`` multiplied by itself ``n`` times by repeated squaring (``inv(A)`` for n < 0)."""
    if A._data.ndim < 2:
        raise RuntimeError("linalg.matrix_power: The input tensor A must have at least 2 "
                           "dimensions.")
    m, k = A._data.shape[-2:]
    if m != k:
        raise RuntimeError(f"linalg.matrix_power: A must be batches of square matrices, but "
                           f"they are {m} by {k} matrices")
    if n == 0:
        return _with_out(IdentityLike.apply(A), out)
    if n < 0:
        A, n = inv(A), -n
    result, base = None, A
    while n:
        if n & 1:
            result = base if result is None else result @ base
        n >>= 1
        if n:
            base = base @ base
    return _with_out(result, out)


def _expm(a: np.ndarray) -> np.ndarray:
    """exp(a) by scaling and squaring with a Taylor series, in float64/complex128."""
    work = a.astype(np.complex128 if a.dtype.kind == "c" else np.float64)
    norms = np.abs(work).sum(-2).max(-1) if work.size else np.zeros(work.shape[:-2])
    s = int(max(0, math.ceil(math.log2(float(np.max(norms, initial=0.0)) / 0.5)))) \
        if np.max(norms, initial=0.0) > 0.5 else 0
    x = work / (2.0 ** s)
    n = work.shape[-1]
    result = np.broadcast_to(np.eye(n, dtype=work.dtype), work.shape).copy()
    term = result.copy()
    for k in range(1, 20):
        term = term @ x / k
        result = result + term
    for _ in range(s):
        result = result @ result
    return result.astype(a.dtype)


class MatrixExp(Primitive):
    node_name = "LinalgMatrixExpBackward0"

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return _expm(a)

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        # d exp(A)^T-adjoint: the top-right block of exp([[A^H, G], [0, A^H]])
        n = a.shape[-1]
        xp = _xp(a._data)
        top = const(xp.eye(2 * n, n, dtype=a._data.dtype))
        bottom = const(xp.eye(2 * n, n, k=-n, dtype=a._data.dtype))
        ah = a.mH
        block = top @ ah @ top.mT + top @ grad @ bottom.mT + bottom @ ah @ bottom.mT
        return top.mT @ MatrixExp.apply(block) @ bottom


def matrix_exp(A: Tensor) -> Tensor:
    """The matrix exponential of square matrices."""
    _check("linalg.matrix_exp", A, square=True)
    return MatrixExp.apply(A)


def diagonal(A: Tensor, *, offset: int = 0, dim1: int = -2, dim2: int = -1) -> Tensor:
    """The diagonals of the matrices in the last two dims (a view, as ``ember.diagonal``)."""
    from . import diagonal as _diagonal
    return _diagonal(A, offset=offset, dim1=dim1, dim2=dim2)



def householder_product(A: Tensor, tau: Tensor, *, out=None) -> Tensor:
    """The first ``k`` columns of the product of Householder reflectors
    ``H_i = I - tau_i v_i v_i^H``, ``v_i`` being column ``i`` of ``A`` below the diagonal
    with an implicit 1 on it (the ``Q`` of a QR factorisation in LAPACK's form)."""
    from ._creation import eye
    from .ops.join import cat
    n, k = A.shape[-2], A.shape[-1]
    if tau.shape[-1] > k:
        raise RuntimeError("torch.linalg.householder_product: input.shape[-1] must be greater "
                           "than or equal to tau.shape[-1]")
    if k > n:
        raise RuntimeError("torch.linalg.householder_product: input.shape[-2] must be greater "
                           "than or equal to input.shape[-1]")
    batch = tuple(A.shape[:-2])
    q = eye(n, k, dtype=A.dtype, device=A.device).expand(*batch, n, k)
    for i in range(tau.shape[-1] - 1, -1, -1):
        v = cat([A.new_zeros(batch + (i,)), A.new_ones(batch + (1,)), A[..., i + 1:, i]], -1)
        t = tau[..., i].reshape(*batch, 1, 1)
        q = q - t * v.unsqueeze(-1) * (v.conj().unsqueeze(-2) @ q)
    return _with_out(q, out) if out is not None else q

from ._linalg_composed import *  # noqa: E402,F401,F403  (functions composed from the above)
from ._linalg_composed import __all__ as _composed  # noqa: E402

__all__ += _composed


def __getattr__(name):
    if name.startswith("_"):  # submodule imports look for these first
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from ._left_out import missing_in_module
    raise missing_in_module("torch.linalg", __name__, name)
