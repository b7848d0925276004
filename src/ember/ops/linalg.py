"""Matrix products on BLAS (matmul and its special cases, the fused ``add*`` products,
einsum, tensordot, kron), cross products, trace, vector norms and cdist.

The decompositions live in ``ember.linalg``; the top-level aliases PyTorch keeps for
them (``det``, ``inverse``, ``svd`` …) are defined at the end of this module.
"""
from __future__ import annotations

import math
import warnings

import numpy as np

from .. import _dtype as D
from .._argtypes import not_tensor_error
from .._tensor import _TYPE_SHORT, Tensor
from ..autograd.function import Primitive
from ._util import const, dims_tuple, wrap_dim
from .elementwise import _inplace

__all__ = ["matmul", "mm", "bmm", "mv", "dot", "vdot", "outer", "ger", "inner", "einsum",
           "tensordot", "kron", "addmm", "addmv", "addbmm", "baddbmm", "addr", "cross",
           "trace", "cdist", "chain_matmul",
           "det", "logdet", "slogdet", "inverse", "pinverse", "svd", "qr", "cholesky",
           "matrix_power", "matrix_exp"]

# the C++ type names PyTorch's "expected m1 and m2 to have the same dtype" message uses
_CPP_NAMES = {"float32": "float", "float64": "double", "float16": "c10::Half",
              "bfloat16": "c10::BFloat16", "int64": "long int", "int32": "int",
              "int16": "short int", "int8": "signed char", "uint8": "unsigned char",
              "bool": "bool", "complex64": "c10::complex<float>",
              "complex128": "c10::complex<double>"}


def _short(t: Tensor) -> str:
    return _TYPE_SHORT[t.dtype.name]


def _x(shape) -> str:
    return "x".join(str(s) for s in shape)


def _prod(shape) -> int:
    n = 1
    for s in shape:
        n *= s
    return n


def _no_bool(kernel: str, t: Tensor) -> None:
    if t._data.dtype.kind == "b":
        raise NotImplementedError(f"\"{kernel}\" not implemented for 'Bool'")


# -- checks with PyTorch's messages, one per BLAS-level product -------------------
def _check_mm(sa, sb, a: Tensor, b: Tensor) -> None:
    """``sa``/``sb``: the matrix shapes PyTorch reports (after folding batches)."""
    if sa[1] != sb[0]:
        raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({_x(sa)} and "
                           f"{_x(sb)})")
    if a._data.dtype != b._data.dtype:
        raise RuntimeError(f"expected m1 and m2 to have the same dtype, but got: "
                           f"{_CPP_NAMES[a.dtype.name]} != {_CPP_NAMES[b.dtype.name]}")
    _no_bool("addmm_impl_cpu_", a)


def _check_mv(sa, a: Tensor, v: Tensor) -> None:
    if sa[1] != v._data.shape[0]:
        raise RuntimeError(f"size mismatch, got input ({sa[0]}), mat ({_x(sa)}), vec "
                           f"({v._data.shape[0]})")
    if a._data.dtype != v._data.dtype:
        raise RuntimeError(f"addmv input tensors must have the same dtype, but got "
                           f"{_short(v)}, {_short(a)}, and {_short(v)}")
    _no_bool("addmv_impl_cpu", a)


def _check_dot(a: Tensor, b: Tensor) -> None:
    if a._data.ndim != 1 or b._data.ndim != 1:
        raise RuntimeError(f"1D tensors expected, but got {a._data.ndim}D and "
                           f"{b._data.ndim}D tensors")
    n, m = a._data.shape[0], b._data.shape[0]
    if n != m:
        raise RuntimeError(f"inconsistent tensor size, expected tensor [{n}] and src [{m}] to "
                           f"have the same number of elements, but got {n} and {m} elements "
                           f"respectively")
    if a._data.dtype != b._data.dtype:
        raise RuntimeError(f"dot : expected both vectors to have same dtype, but found "
                           f"{_short(a)} and {_short(b)}")
    _no_bool("dot", a)


def _check_bmm(batch: int, ka: int, kb: int, kb_batch: int, a: Tensor, b: Tensor) -> None:
    if kb_batch != batch or ka != kb:
        raise RuntimeError(f"Expected size for first two dimensions of batch2 tensor to be: "
                           f"[{batch}, {ka}] but got: [{kb_batch}, {kb}].")
    if a._data.dtype != b._data.dtype:
        raise RuntimeError(f"expected scalar type {_short(a)} but found {_short(b)}")
    _no_bool("bmm", a)


def _broadcast_batch(sa, sb) -> tuple:
    """The broadcast of two batch shapes, with PyTorch's error when they clash."""
    n = max(len(sa), len(sb))
    pa, pb = (1,) * (n - len(sa)) + tuple(sa), (1,) * (n - len(sb)) + tuple(sb)
    out = []
    for i, (x, y) in enumerate(zip(pa, pb)):
        if x != y and x != 1 and y != 1:
            raise RuntimeError(f"The size of tensor a ({x}) must match the size of tensor b "
                               f"({y}) at non-singleton dimension {i}")
        out.append(y if x == 1 else x)
    return tuple(out)


# -- the product primitive ---------------------------------------------------------
def _conj(x):
    """Complex conjugate, skipped for real values (NumPy's ``conj`` would copy them)."""
    complex_ = x.is_complex() if isinstance(x, Tensor) else x.dtype.kind == "c"
    return x.conj() if complex_ else x


def _product_grads(needs, a, b, grad):
    """Gradients of ``a @ b`` (NumPy matmul semantics, any ranks >= 1) for ``grad``.

    Written with operations that tensors and backend arrays share, so it serves both
    ``backward`` and ``backward_array``.
    """
    na, nb = needs
    ga = gb = None
    if a.ndim == 1 and b.ndim == 1:
        return (grad * _conj(b) if na else None), (grad * _conj(a) if nb else None)
    if a.ndim == 1:  # (k) @ (..., k, n) -> (..., n)
        if na:
            ga = (_conj(b) @ grad[..., None])[..., 0]
        if nb:
            gb = _conj(a)[:, None] * grad[..., None, :]
        return ga, gb
    if b.ndim == 1:  # (..., m, k) @ (k) -> (..., m)
        if na:
            ga = grad[..., None] * _conj(b)
        if nb:
            gb = (_conj(a).swapaxes(-1, -2) @ grad[..., None])[..., 0]
        return ga, gb
    if na:
        ga = grad @ _conj(b).swapaxes(-1, -2)
    if nb:
        gb = _conj(a).swapaxes(-1, -2) @ grad
    return ga, gb


class _Product(Primitive):
    """``a @ b``; the subclasses only carry PyTorch's grad_fn name for each case."""

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return a @ b

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        return _product_grads(ctx.needs_input_grad, a, b, grad)

    @staticmethod
    def backward_array(ctx, grad):
        a, b = ctx.saved_arrays
        return _product_grads(ctx.needs_input_grad, a, b, grad)


class Dot(_Product):
    pass


class Vdot(Primitive):
    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return np.vdot(a, b) if isinstance(a, np.ndarray) else Tensor._xp_of(a).vdot(a, b)

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        na, nb = ctx.needs_input_grad
        return (b * grad.conj() if na else None), (a * grad if nb else None)


class Mv(_Product):
    pass


class Mm(_Product):
    pass


class Bmm(_Product):
    pass


class VecMat(_Product):
    node_name = "SqueezeBackward4"


class BatchedMatMul(_Product):
    node_name = "UnsafeViewBackward0"


def _tensor_args(fname: str, *args) -> None:
    for i, x in enumerate(args):
        if not isinstance(x, Tensor):
            name = "input" if i == 0 else "other"
            raise not_tensor_error(fname, name, i + 1, x)


def _matmul_kind(a: Tensor, b: Tensor):
    """Check ``a @ b`` as PyTorch does and return the primitive for its case."""
    sa, sb = a._data.shape, b._data.shape
    da, db = len(sa), len(sb)
    if da == 0 or db == 0:
        raise RuntimeError(f"both arguments to matmul need to be at least 1D, but they are "
                           f"{da}D and {db}D")
    if da == 1 and db == 1:
        _check_dot(a, b)
        return Dot
    if db == 1:  # matrix (or folded batch of matrices) times vector
        _check_mv((_prod(sa[:-1]), sa[-1]), a, b)
        return Mv if da == 2 else BatchedMatMul
    if db == 2 and da <= 2:
        _check_mm(sa if da == 2 else (1,) + sa, sb, a, b)
        return Mm if da == 2 else VecMat
    if db == 2:  # batches of a folded into the rows of one matrix product
        _check_mm((_prod(sa[:-1]), sa[-1]), sb, a, b)
        return BatchedMatMul
    batch = _prod(_broadcast_batch(sa[:-2], sb[:-2]))
    _check_bmm(batch, sa[-1], sb[-2], batch, a, b)
    return BatchedMatMul


def _with_out(result: Tensor, out):
    if out is None:
        return result
    from .arith import _out
    return _out(result, out)


def matmul(input: Tensor, other: Tensor, *, out=None) -> Tensor:
    """Matrix product with PyTorch's rules for vectors and broadcast batch dimensions."""
    if type(input) is not Tensor and input._sparse:
        from .sparse import sparse_matmul
        return _with_out(sparse_matmul(input, other), out)
    _tensor_args("matmul", input, other)
    return _with_out(_matmul_kind(input, other).apply(input, other), out)


def mm(input: Tensor, mat2: Tensor, *, out=None) -> Tensor:
    """Product of two matrices (no broadcasting)."""
    if type(input) is not Tensor and input._sparse:
        from .sparse import sparse_mm
        return _with_out(sparse_mm(input, mat2, "mm"), out)
    _tensor_args("mm", input, mat2)
    if input._data.ndim != 2:
        raise RuntimeError("self must be a matrix")
    if mat2._data.ndim != 2:
        raise RuntimeError("mat2 must be a matrix")
    _check_mm(input._data.shape, mat2._data.shape, input, mat2)
    return _with_out(Mm.apply(input, mat2), out)


def _check_bmm_args(a: Tensor, b: Tensor) -> None:
    if a._data.ndim != 3:
        raise RuntimeError("batch1 must be a 3D tensor")
    if b._data.ndim != 3:
        raise RuntimeError("batch2 must be a 3D tensor")
    sa, sb = a._data.shape, b._data.shape
    _check_bmm(sa[0], sa[2], sb[1], sb[0], a, b)


def bmm(input: Tensor, mat2: Tensor, *, out=None) -> Tensor:
    """Batched matrix product of two 3-D tensors with equal batch sizes."""
    _tensor_args("bmm", input, mat2)
    _check_bmm_args(input, mat2)
    return _with_out(Bmm.apply(input, mat2), out)


def mv(input: Tensor, vec: Tensor, *, out=None) -> Tensor:
    """Matrix-vector product."""
    _tensor_args("mv", input, vec)
    if input._data.ndim != 2 or vec._data.ndim != 1:
        raise RuntimeError(f"vector + matrix @ vector expected, got 1, {input._data.ndim}, "
                           f"{vec._data.ndim}")
    _check_mv(input._data.shape, input, vec)
    return _with_out(Mv.apply(input, vec), out)


def dot(input: Tensor, tensor: Tensor, *, out=None) -> Tensor:
    """Inner product of two 1-D tensors."""
    _tensor_args("dot", input, tensor)
    _check_dot(input, tensor)
    return _with_out(Dot.apply(input, tensor), out)


def vdot(input: Tensor, other: Tensor, *, out=None) -> Tensor:
    """Inner product of two 1-D tensors, conjugating the first."""
    _tensor_args("vdot", input, other)
    _check_dot(input, other)
    return _with_out(Vdot.apply(input, other), out)


def outer(input: Tensor, vec2: Tensor, *, out=None) -> Tensor:
    """Outer product of two 1-D tensors (with type promotion)."""
    for name, t in (("self", input), ("vec2", vec2)):
        if t._data.ndim != 1:
            raise RuntimeError(f"outer: Expected 1-D argument {name}, but got "
                               f"{t._data.ndim}-D")
    return _with_out(input.unsqueeze(1) * vec2, out)


ger = outer


def inner(input: Tensor, other: Tensor, *, out=None) -> Tensor:
    """Sum of products over the last dimension of both (a product for 0-D inputs)."""
    if input._data.ndim == 0 or other._data.ndim == 0:
        return _with_out(input * other, out)
    if input._data.shape[-1] != other._data.shape[-1]:
        raise RuntimeError(f"inner() the last dimension must match on both input tensors but "
                           f"got shapes {list(input._data.shape)} and "
                           f"{list(other._data.shape)}")
    return _with_out(tensordot(input, other, ([-1], [-1])), out)


# -- the fused add-products ---------------------------------------------------------
class _AddProduct(Primitive):
    """``beta * c + alpha * (a @ b)``, summed over the batch for ``addbmm``."""

    sum_batch = False

    @classmethod
    def forward(cls, ctx, c, a, b, beta, alpha):
        ctx.save_for_backward(a, b)
        ctx.beta, ctx.alpha = beta, alpha
        prod = a @ b
        if cls.sum_batch:
            prod = prod.sum(0)
        if alpha != 1:
            prod = prod * alpha
        if beta == 0:  # c is ignored entirely, NaNs included
            return prod
        return prod + (c if beta == 1 else beta * c)

    @classmethod
    def backward(cls, ctx, grad):
        a, b = ctx.saved_tensors
        nc, na, nb = ctx.needs_input_grad[:3]
        gc = None
        if nc:
            gc = grad * ctx.beta if ctx.beta != 1 else grad
        g = grad * ctx.alpha if ctx.alpha != 1 else grad
        if cls.sum_batch:
            g = g.unsqueeze(0)
        ga, gb = _product_grads((na, nb), a, b, g)
        return gc, ga, gb, None, None


class Addmm(_AddProduct):
    pass


class Addmv(_AddProduct):
    pass


class Baddbmm(_AddProduct):
    pass


class Addbmm(_AddProduct):
    sum_batch = True


def _check_expand(c: Tensor, target) -> None:
    """PyTorch's error when ``c`` does not broadcast to the product's shape."""
    sc = c._data.shape
    if len(sc) > len(target):
        raise RuntimeError(f"The expanded size of the tensor ({target[0] if target else 0}) "
                           f"must match the existing size ({sc[0]}) at non-singleton "
                           f"dimension 0.  Target sizes: {list(target)}.  Tensor sizes: "
                           f"{list(sc)}")
    lead = len(target) - len(sc)
    for i, s in enumerate(sc):
        if s != 1 and s != target[lead + i]:
            raise RuntimeError(f"The expanded size of the tensor ({target[lead + i]}) must "
                               f"match the existing size ({s}) at non-singleton dimension "
                               f"{lead + i}.  Target sizes: {list(target)}.  Tensor sizes: "
                               f"{list(sc)}")


def _add_product(cls, c, a, b, beta, alpha, target, out):
    _check_expand(c, target)
    if c._data.dtype != a._data.dtype:
        c = c.to(a.dtype)
    return _with_out(cls.apply(c, a, b, beta, alpha), out)


def addmm(input: Tensor, mat1: Tensor, mat2: Tensor, *, beta=1, alpha=1, out=None) -> Tensor:
    """``beta * input + alpha * (mat1 @ mat2)``."""
    for name, m in (("mat1", mat1), ("mat2", mat2)):
        if m._data.ndim != 2:
            raise RuntimeError(f"{name} must be a matrix, got {m._data.ndim}-D tensor")
    _check_mm(mat1._data.shape, mat2._data.shape, mat1, mat2)
    target = (mat1._data.shape[0], mat2._data.shape[1])
    return _add_product(Addmm, input, mat1, mat2, beta, alpha, target, out)


def addmv(input: Tensor, mat: Tensor, vec: Tensor, *, beta=1, alpha=1, out=None) -> Tensor:
    """``beta * input + alpha * (mat @ vec)``."""
    if mat._data.ndim != 2 or vec._data.ndim != 1 or input._data.ndim > 1:
        raise RuntimeError(f"vector + matrix @ vector expected, got {input._data.ndim}, "
                           f"{mat._data.ndim}, {vec._data.ndim}")
    sm, sc = mat._data.shape, input._data.shape
    if sm[1] != vec._data.shape[0] or (sc and sc[0] not in (1, sm[0])):
        raise RuntimeError(f"size mismatch, got input ({sc[0] if sc else 1}), mat ({_x(sm)}), "
                           f"vec ({vec._data.shape[0]})")
    _check_mv(sm, mat, vec)
    return _add_product(Addmv, input, mat, vec, beta, alpha, (sm[0],), out)


def baddbmm(input: Tensor, batch1: Tensor, batch2: Tensor, *, beta=1, alpha=1,
            out=None) -> Tensor:
    """``beta * input + alpha * bmm(batch1, batch2)``."""
    _check_bmm_args(batch1, batch2)
    s1, s2 = batch1._data.shape, batch2._data.shape
    return _add_product(Baddbmm, input, batch1, batch2, beta, alpha, (s1[0], s1[1], s2[2]),
                        out)


def addbmm(input: Tensor, batch1: Tensor, batch2: Tensor, *, beta=1, alpha=1,
           out=None) -> Tensor:
    """``beta * input + alpha * sum_i(batch1[i] @ batch2[i])``."""
    if batch1._data.ndim != 3:
        raise RuntimeError("batch1 must be a 3D tensor")
    if batch2._data.ndim != 3:
        raise RuntimeError("batch2 must be a 3D tensor")
    s1, s2 = batch1._data.shape, batch2._data.shape
    if s1[0] != s2[0]:
        raise RuntimeError(f"batch1 and batch2 must have same number of batches, got {s1[0]} "
                           f"and {s2[0]}")
    if s1[2] != s2[1]:
        raise RuntimeError(f"Incompatible matrix sizes for bmm ({s1[1]}x{s1[2]} and "
                           f"{s2[1]}x{s2[2]})")
    _check_bmm(s1[0], s1[2], s2[1], s2[0], batch1, batch2)
    return _add_product(Addbmm, input, batch1, batch2, beta, alpha, (s1[1], s2[2]), out)


def addr(input: Tensor, vec1: Tensor, vec2: Tensor, *, beta=1, alpha=1, out=None) -> Tensor:
    """``beta * input + alpha * outer(vec1, vec2)``."""
    prod = outer(vec1, vec2)
    if alpha != 1:
        prod = prod * alpha
    if beta == 0:
        return _with_out(prod, out)
    return _with_out(prod + (input if beta == 1 else input * beta), out)


def chain_matmul(*matrices: Tensor, out=None) -> Tensor:
    """Product of a sequence of matrices (kept for old code; see ``linalg.multi_dot``)."""
    from ..linalg import multi_dot
    return _with_out(multi_dot(matrices), out)


# -- einsum -------------------------------------------------------------------------
_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def _sublist_equation(args):
    """``einsum(op1, [0, 1], op2, [1, 2], [0, 2])`` as an equation and its operands."""
    has_out = len(args) % 2 == 1
    pairs = args[:-1] if has_out else args

    def letters(sub):
        return "".join("..." if s is Ellipsis else _LETTERS[s] for s in sub)

    eq = ",".join(letters(s) for s in pairs[1::2])
    if has_out:
        eq += "->" + letters(args[-1])
    return eq, list(pairs[0::2])


def _parse_einsum(equation: str, operands) -> tuple:
    """Explicit per-operand subscripts and output, with '...' spelled out as letters."""
    eq = equation.replace(" ", "")
    lhs, arrow, rhs = eq.partition("->")
    terms = lhs.split(",")
    if len(terms) > len(operands):
        raise RuntimeError("einsum(): fewer operands were provided than specified in the "
                           "equation")
    if len(terms) < len(operands):
        raise RuntimeError("einsum(): more operands were provided than specified in the "
                           "equation")
    used = set(c for c in eq if c.isalpha())
    spare = [c for c in _LETTERS if c not in used]
    n_ell = 0
    for term, op in zip(terms, operands):
        if "..." in term:
            n_ell = max(n_ell, op.ndim - (len(term) - 3))
    ell = "".join(spare[:n_ell])
    specs = []
    for i, (term, op) in enumerate(zip(terms, operands)):
        if "..." in term:
            k = op.ndim - (len(term) - 3)
            term = term.replace("...", ell[n_ell - k:] if k else "")
        if len(term) != op.ndim:
            raise RuntimeError(f"einsum(): the number of subscripts in the equation "
                               f"({len(term)}) does not match the number of dimensions "
                               f"({op.ndim}) for operand {i}"
                               f"{'' if '...' in terms[i] else ' and no ellipsis was given'}")
        specs.append(term)
    if arrow:
        out = rhs.replace("...", ell)
    else:
        counts = {}
        for s in specs:
            for c in s:
                counts[c] = counts.get(c, 0) + 1
        out = ell + "".join(sorted(c for c, n in counts.items() if n == 1 and c not in ell))
    return specs, out


def _einsum_sizes(specs, operands) -> dict:
    """Each subscript's size, checking repeats and broadcasting as PyTorch does."""
    sizes = {}
    for i, (spec, op) in enumerate(zip(specs, operands)):
        own = {}
        for c, n in zip(spec, op.shape):
            if c in own and own[c] != n:
                raise RuntimeError(f"einsum(): subscript {c} is repeated for operand {i} but "
                                   f"the sizes don't match, {n} != {own[c]}")
            own[c] = n
            seen = sizes.get(c)
            if seen is None or seen == 1:
                sizes[c] = n
            elif n != 1 and n != seen:
                raise RuntimeError(f"einsum(): subscript {c} has size {n} for operand {i} "
                                   f"which does not broadcast with previously seen size "
                                   f"{seen}")
    return sizes


class Einsum(Primitive):
    node_name = "ViewBackward0"

    @staticmethod
    def forward(ctx, specs, out, *arrays):
        ctx.save_for_backward(*arrays)
        ctx.specs, ctx.out = specs, out
        eq = ",".join(specs) + "->" + out
        xp = Tensor._xp_of(arrays[0])
        return xp.einsum(eq, *arrays, optimize=len(arrays) > 1)

    @staticmethod
    def backward(ctx, grad):
        ops = ctx.saved_tensors
        specs, out = ctx.specs, ctx.out
        sizes = _einsum_sizes(specs, [o._data for o in ops])
        grads = [None, None]
        for i, spec in enumerate(specs):
            if not ctx.needs_input_grad[i + 2]:
                grads.append(None)
                continue
            terms, args = [out], [grad]
            for j, o in enumerate(ops):
                if j != i:
                    terms.append(specs[j])
                    args.append(o)
            have = set("".join(terms))
            used = set("".join(specs) + out)
            spare = iter(c for c in _LETTERS if c not in used)
            target = []
            for c in spec:
                if c not in have:  # summed inside this operand only: spread back evenly
                    terms.append(c)
                    args.append(const(Tensor._xp_of(grad._data).ones(
                        sizes[c], dtype=grad._data.dtype)))
                    have.add(c)
                if c in target:  # a repeated subscript (a diagonal): put it back with eye
                    r = next(spare)
                    terms.append(c + r)
                    args.append(const(Tensor._xp_of(grad._data).eye(
                        sizes[c], dtype=grad._data.dtype)))
                    c = r
                target.append(c)
            grads.append(einsum(",".join(terms) + "->" + "".join(target), *args))
        return tuple(grads)


def einsum(*args) -> Tensor:
    """Sum of products over the subscripts an Einstein-notation equation names."""
    if not args:
        raise TypeError("einsum(): must specify the equation string and at least one operand, "
                        "or at least one operand and its subscripts list")
    if isinstance(args[0], str):
        equation, operands = args[0], list(args[1:])
        if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
            operands = list(operands[0])
    else:
        equation, operands = _sublist_equation(args)
    specs, out = _parse_einsum(equation, [o._data for o in operands])
    _einsum_sizes(specs, [o._data for o in operands])
    first = operands[0]
    for o in operands[1:]:
        if o._data.dtype != first._data.dtype:
            raise RuntimeError(f"expected scalar type {_short(first)} but found {_short(o)}")
    return Einsum.apply(tuple(specs), out, *operands)


# -- tensordot and kron -------------------------------------------------------------
def _tensordot_dims(dims, na: int, nb: int):
    if isinstance(dims, Tensor):
        dims = dims.tolist()
    if isinstance(dims, (int, np.integer)):
        if dims < 0:
            raise RuntimeError(f"tensordot expects dims >= 0, but got dims={dims}")
        if dims > min(na, nb):
            raise RuntimeError(f"tensordot expects dims < ndim_a or ndim_b, but got "
                               f"dims={dims}")
        return list(range(-dims, 0)), list(range(dims))
    da, db = dims
    da = [da] if isinstance(da, int) else list(da)
    db = [db] if isinstance(db, int) else list(db)
    if len(da) != len(db):
        raise RuntimeError("both dimension lists should have same length")
    return da, db


def tensordot(a: Tensor, b: Tensor, dims=2, out=None) -> Tensor:
    """Contract ``dims`` of ``a`` with ``dims`` of ``b`` (one matrix product on BLAS)."""
    if a._data.dtype != b._data.dtype:
        raise RuntimeError("both inputs should have same dtype")
    na, nb = a._data.ndim, b._data.ndim
    da, db = _tensordot_dims(dims, na, nb)
    sa, sb = a._data.shape, b._data.shape
    for x, y in zip(da, db):
        if sa[x] != sb[y]:
            raise RuntimeError(f"contracted dimensions need to match, but first has size "
                               f"{sa[x]} in dim {x} and second has size {sb[y]} in dim {y}")
    ca = [wrap_dim(d, na) for d in da]
    cb = [wrap_dim(d, nb) for d in db]
    fa = [d for d in range(na) if d not in ca]
    fb = [d for d in range(nb) if d not in cb]
    k = _prod(sa[d] for d in ca)
    left = a.permute(*fa, *ca).reshape(_prod(sa[d] for d in fa), k)
    right = b.permute(*cb, *fb).reshape(k, _prod(sb[d] for d in fb))
    res = Mm.apply(left, right).reshape(*[sa[d] for d in fa], *[sb[d] for d in fb])
    return _with_out(res, out)


def kron(input: Tensor, other: Tensor, *, out=None) -> Tensor:
    """Kronecker product: every element of ``input`` times a block ``other``."""
    n = max(input._data.ndim, other._data.ndim)
    sa = (1,) * (n - input._data.ndim) + input._data.shape
    sb = (1,) * (n - other._data.ndim) + other._data.shape
    # interleave the axes: a's as (a0, 1, a1, 1, ...), b's as (1, b0, 1, b1, ...)
    a = input.reshape(*[x for s in sa for x in (s, 1)])
    b = other.reshape(*[x for s in sb for x in (1, s)])
    return _with_out((a * b).reshape(*[x * y for x, y in zip(sa, sb)]), out)


# -- cross and trace ----------------------------------------------------------------
class LinalgCross(Primitive):
    @staticmethod
    def forward(ctx, a, b, dim):
        ctx.save_for_backward(a, b)
        ctx.dim = dim
        return Tensor._xp_of(a).cross(a, b, axis=dim)

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        na, nb = ctx.needs_input_grad[:2]
        ga = LinalgCross.apply(b, grad, ctx.dim) if na else None
        gb = LinalgCross.apply(grad, a, ctx.dim) if nb else None
        return ga, gb, None


def _cross(input: Tensor, other: Tensor, dim: int, name: str) -> Tensor:
    if input._data.ndim != other._data.ndim:
        raise RuntimeError(f"{name}: inputs must have the same number of dimensions.")
    d = wrap_dim(dim, input._data.ndim)
    if input._data.shape[d] != 3 or other._data.shape[d] != 3:
        raise RuntimeError(f"{name}: inputs dimension {dim} must have length 3. Got "
                           f"{input._data.shape[d]} and {other._data.shape[d]}")
    _broadcast_batch(input._data.shape, other._data.shape)
    if input._data.dtype != other._data.dtype:
        rt = D.promote_types(input.dtype, other.dtype)
        input, other = input.to(rt), other.to(rt)
    return LinalgCross.apply(input, other, d)


def cross(input: Tensor, other: Tensor, dim: int | None = None, *, out=None) -> Tensor:
    """Cross product of 3-vectors along ``dim`` (default: the first dimension of size 3)."""
    if dim is None:
        warnings.warn("Using torch.cross without specifying the dim arg is deprecated.\n"
                      "Please either pass the dim explicitly or simply use torch.linalg.cross."
                      "\nThe default value of dim will change to agree with that of "
                      "linalg.cross in a future release.", UserWarning, stacklevel=2)
        shape = _broadcast_batch(input._data.shape, other._data.shape)
        dim = next((i for i, s in enumerate(shape) if s == 3), None)
        if dim is None:
            raise RuntimeError("no dimension of size 3 in input")
    return _with_out(_cross(input, other, dim, "linalg.cross"), out)


class Trace(Primitive):
    @staticmethod
    def forward(ctx, a):
        ctx.shape = a.shape
        return a.trace(dtype=np.int64 if a.dtype.kind in "iub" else None)

    @staticmethod
    def backward(ctx, grad):
        n, m = ctx.shape
        return grad * const(Tensor._xp_of(grad._data).eye(n, m, dtype=grad._data.dtype))


def trace(input: Tensor) -> Tensor:
    """Sum of the main diagonal of a matrix."""
    if input._data.ndim != 2:
        raise RuntimeError(f"trace: expected a matrix, but got tensor with dim "
                           f"{input._data.ndim}")
    return Trace.apply(input)


# -- vector norms and distances -------------------------------------------------------
def _norm_values(x, p: float, dims, keepdim: bool):
    """The ``p``-norm of array ``x`` over ``dims``, as an array of x's real dtype."""
    xp = Tensor._xp_of(x)
    return xp.asarray(_norm_of_abs(xp, xp.abs(x), p, dims, keepdim))


def _norm_of_abs(xp, a, p: float, dims, keepdim: bool):
    if p == 2:
        return xp.sqrt(xp.sum(a * a, axis=dims, keepdims=keepdim))
    if p == 1:
        return xp.sum(a, axis=dims, keepdims=keepdim)
    if p == math.inf:
        return xp.max(a, axis=dims, keepdims=keepdim)
    if p == -math.inf:
        return xp.min(a, axis=dims, keepdims=keepdim)
    if p == 0:
        return xp.sum(a != 0, axis=dims, keepdims=keepdim).astype(a.dtype)
    return xp.sum(a ** p, axis=dims, keepdims=keepdim) ** (1.0 / p)


def norm_grad(x: Tensor, norm: Tensor, p: float, grad: Tensor, dims) -> Tensor:
    """The gradient of ``x``'s ``p``-norm for ``grad``; ``norm`` and ``grad`` keep the
    reduced ``dims`` as size 1. Where the norm is 0 the gradient is 0, as in PyTorch."""
    from .logic import where
    from .reduce import sum as _sum

    if p == 0:
        return x.abs() * 0 * grad
    if p == 1:
        return x.sgn() * grad
    if p == 2:
        return x * where(norm == 0, 0.0, grad / norm)
    if math.isinf(p):
        hit = (x.abs() == norm).to(grad.dtype)
        count = _sum(hit, dims, True)
        return x.sgn() * hit * (grad / count)
    # d|x|_p/dx = sgn(x) |x|^(p-1) / |x|_p^(p-1); below p = 1 the first factor is
    # infinite at x = 0, where PyTorch takes 0
    if p < 1:
        safe = where(x == 0, 1.0, x.abs())  # sgn(0) = 0 then zeroes those entries
        return x.sgn() * safe ** (p - 1) * grad * norm ** (1 - p)
    return x.sgn() * x.abs() ** (p - 1) * where(norm == 0, 0.0, grad / norm ** (p - 1))


def _kept(t: Tensor, dims, ndim: int) -> Tensor:
    """``t`` with the reduced ``dims`` restored as size-1 dimensions."""
    shape = list(t.shape)
    for d in dims:
        shape.insert(d, 1)
    return t.reshape(*shape) if len(shape) != t.ndim else t


class LinalgVectorNorm(Primitive):
    @staticmethod
    def forward(ctx, x, p, dims, keepdim):
        out = _norm_values(x, p, dims, keepdim)
        ctx.save_for_backward(x, out)
        ctx.p, ctx.dims, ctx.keepdim = p, dims, keepdim
        return out

    @staticmethod
    def backward(ctx, grad):
        x, out = ctx.saved_tensors
        dims = ctx.dims
        if not ctx.keepdim:
            out, grad = _kept(out, dims, x.ndim), _kept(grad, dims, x.ndim)
        return norm_grad(x, out, ctx.p, grad, dims), None, None, None


def vector_norm(x: Tensor, ord: float = 2, dim=None, keepdim: bool = False, *,
                dtype=None, out=None) -> Tensor:
    """The ``ord``-norm of ``x`` flattened, or over ``dim`` (``ember.linalg.vector_norm``)."""
    if x._data.dtype.kind not in "fc":
        raise RuntimeError(f"linalg.vector_norm: Expected a floating point or complex tensor "
                           f"as input. Got {_short(x)}")
    if dtype is not None:
        x = x.to(dtype)
    p = float(ord)
    dims = dims_tuple(dim, x._data.ndim) if dim is not None and dim != () else \
        tuple(range(x._data.ndim))
    if p < 0 or math.isinf(p):
        if x._data.size == 0 or any(x._data.shape[d] == 0 for d in dims):
            raise RuntimeError(f"linalg.vector_norm cannot compute the {ord} norm on an empty "
                               f"tensor because the operation does not have an identity")
    return _with_out(LinalgVectorNorm.apply(x, p, dims, keepdim), out)


class Cdist(Primitive):
    @staticmethod
    def forward(ctx, x1, x2, p):
        diff = x1[..., :, None, :] - x2[..., None, :, :]
        out = _norm_values(diff, p, -1, False)
        ctx.save_for_backward(x1, x2, out)
        ctx.p = p
        return out

    @staticmethod
    def backward(ctx, grad):
        x1, x2, out = ctx.saved_tensors
        diff = x1.unsqueeze(-2) - x2.unsqueeze(-3)
        g = norm_grad(diff, out.unsqueeze(-1), ctx.p, grad.unsqueeze(-1), (diff.ndim - 1,))
        n1, n2 = ctx.needs_input_grad[:2]
        return (g.sum(-2) if n1 else None), (-g.sum(-3) if n2 else None), None


def cdist(x1: Tensor, x2: Tensor, p: float = 2.0, compute_mode=None) -> Tensor:
    """Pairwise ``p``-norm distances between the rows of ``x1`` and of ``x2``."""
    for name, t in (("X1", x1), ("X2", x2)):
        if t._data.ndim < 2:
            raise RuntimeError(f"cdist only supports at least 2D tensors, {name} got: "
                               f"{t._data.ndim}D")
    c1, c2 = x1._data.shape[-1], x2._data.shape[-1]
    if c1 != c2:
        raise RuntimeError(f"X1 and X2 must have the same number of columns. X1: {c1} X2: {c2}")
    if x1._data.dtype.kind not in "fc" or x2._data.dtype.kind not in "fc":
        raise RuntimeError(f"cdist only supports floating-point dtypes, X1 got: {x1.dtype}")
    if p < 0:
        raise RuntimeError("cdist only supports non-negative p values")
    _broadcast_batch(x1._data.shape[:-2], x2._data.shape[:-2])
    return Cdist.apply(x1, x2, float(p))


# -- PyTorch's top-level names for the decompositions in ember.linalg --------------------
def _la():
    from .. import linalg
    return linalg


def det(input: Tensor) -> Tensor:
    """Determinant of square matrices (``linalg.det``)."""
    return _la().det(input)


def logdet(input: Tensor) -> Tensor:
    """Natural log of the determinant: NaN for a negative determinant, -inf for zero."""
    sign, logabs = _la().slogdet(input)
    from .unary import log
    return logabs + log(sign)


def slogdet(input: Tensor):
    """``(sign, log|det|)`` of square matrices (``linalg.slogdet``)."""
    return _la().slogdet(input, _name="slogdet")


def inverse(input: Tensor, *, out=None) -> Tensor:
    """Inverse of square matrices (``linalg.inv``)."""
    return _la().inv(input, out=out)


def pinverse(input: Tensor, rcond: float = 1e-15) -> Tensor:
    """Moore-Penrose pseudo-inverse, cutting singular values below ``rcond`` times the largest."""
    return _la().pinv(input, rtol=rcond)


def svd(input: Tensor, some: bool = True, compute_uv: bool = True, *, out=None):
    """``(U, S, V)`` with ``input = U diag(S) V^H`` (note V, not V^H as in ``linalg.svd``)."""
    return _la().legacy_svd(input, some, compute_uv)


def qr(input: Tensor, some: bool = True, *, out=None):
    """``(Q, R)``: reduced QR by default, complete with ``some=False``."""
    la = _la()
    return la._result("qr", la.qr(input, mode="reduced" if some else "complete"))


def cholesky(input: Tensor, upper: bool = False, *, out=None) -> Tensor:
    """Cholesky factor of symmetric positive-definite matrices (lower unless ``upper``)."""
    return _la().cholesky(input, upper=upper, out=out)


def matrix_power(input: Tensor, n: int) -> Tensor:
    """``input`` multiplied by itself ``n`` times (the inverse's power for negative ``n``)."""
    return _la().matrix_power(input, n)


def matrix_exp(input: Tensor) -> Tensor:
    """The matrix exponential (``linalg.matrix_exp``)."""
    return _la().matrix_exp(input)


addmm_ = _inplace(addmm)
addmv_ = _inplace(addmv)
addbmm_ = _inplace(addbmm)
baddbmm_ = _inplace(baddbmm)
addr_ = _inplace(addr)

TENSOR_METHODS = ["matmul", "mm", "bmm", "mv", "dot", "vdot", "outer", "ger", "inner", "kron",
                  "addmm", "addmv", "addbmm", "baddbmm", "addr", "cross", "trace",
                  "addmm_", "addmv_", "addbmm_", "baddbmm_", "addr_",
                  "det", "logdet", "slogdet", "inverse", "pinverse", "svd", "qr", "cholesky",
                  "matrix_power", "matrix_exp"]
