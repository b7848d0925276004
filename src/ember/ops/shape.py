"""Shape and view operations. Views share memory (and the version counter) with their base.

Basic indexing (``Index`` and its named subclasses) lives here too, because select, narrow,
split and unbind are basic indexing under other names; ``ops.index`` builds ``__getitem__``
on it.
"""
from __future__ import annotations

import math

import numpy as np

from .. import _dtype as D
from .._device import move_array
from .._tensor import Tensor
from ..autograd.engine import sum_to_array
from ..autograd.function import Primitive
from ._util import const, shape_str, wrap_dim
from .elementwise import _inplace

__all__ = [
    "reshape", "permute", "transpose", "swapaxes", "swapdims", "t", "adjoint", "squeeze",
    "unsqueeze", "flatten", "unflatten", "ravel", "broadcast_to", "expand_copy", "tile",
    "flip", "fliplr", "flipud", "roll", "narrow", "movedim", "moveaxis", "select", "diagonal",
    "diag", "diag_embed", "meshgrid", "tril", "triu", "clone", "repeat_interleave",
]

_ndarray = np.ndarray
_FULL = slice(None)


def _as_view(out: Tensor, base: Tensor) -> Tensor:
    """Make ``out`` a view of ``base``: same version counter, same root base."""
    out._vc = base._vc
    out._base = base._base if base._base is not None else base
    return out


def _xp(a):
    return np if type(a) is _ndarray else Tensor._xp_of(a)


def _shape_arg(shape) -> tuple:
    """``f(2, 3)`` and ``f((2, 3))`` both give ``(2, 3)``."""
    if len(shape) == 1 and not isinstance(shape[0], (int, np.integer)):
        shape = shape[0]
    return tuple(int(s) for s in shape)


def _infer_shape(shape: tuple, numel: int) -> tuple:
    """Resolve one ``-1`` in ``shape`` and check the element count, as view/reshape do."""
    infer = -1
    known = 1
    for i, s in enumerate(shape):
        if s == -1:
            if infer >= 0:
                raise RuntimeError("only one dimension can be inferred")
            infer = i
        elif s < 0:
            raise RuntimeError(f"invalid shape dimension {s} at index {i} of shape "
                               f"{shape_str(shape)}")
        else:
            known *= s
    if infer >= 0:
        if known == 0:
            if numel == 0:
                raise RuntimeError(
                    f"cannot reshape tensor of 0 elements into shape {shape_str(shape)} "
                    "because the unspecified dimension size -1 can be any value and is "
                    "ambiguous")
            raise RuntimeError(f"shape '{shape_str(shape)}' is invalid for input of size {numel}")
        if numel % known:
            raise RuntimeError(f"shape '{shape_str(shape)}' is invalid for input of size {numel}")
        return shape[:infer] + (numel // known,) + shape[infer + 1:]
    if known != numel:
        raise RuntimeError(f"shape '{shape_str(shape)}' is invalid for input of size {numel}")
    return shape


def _dims_arg(dims) -> tuple:
    if len(dims) == 1 and not isinstance(dims[0], (int, np.integer)):
        dims = dims[0]
    return tuple(int(d) for d in dims)


# -- view / reshape ------------------------------------------------------------
class View(Primitive):
    @staticmethod
    def forward(ctx, a, shape):
        ctx.shape = a.shape
        try:
            return a.reshape(shape, copy=False)
        except ValueError:
            raise RuntimeError(
                "view size is not compatible with input tensor's size and stride (at least "
                "one dimension spans across two contiguous subspaces). Use .reshape(...) "
                "instead.") from None

    @staticmethod
    def backward(ctx, grad):
        return grad.reshape(ctx.shape), None

    @staticmethod
    def backward_array(ctx, grad):
        return grad.reshape(ctx.shape), None


class UnsafeView(View):
    """The copying half of ``reshape`` (named as PyTorch names it)."""

    @staticmethod
    def forward(ctx, a, shape):
        ctx.shape = a.shape
        return a.reshape(shape)


class Squeeze(View):
    node_name = "SqueezeBackward0"


class SqueezeDim(View):
    node_name = "SqueezeBackward1"


class SqueezeDims(View):
    node_name = "SqueezeBackward2"


class Unsqueeze(View):
    node_name = "UnsqueezeBackward0"


class Alias(View):
    pass


def _view_shape(input, shape):
    return _infer_shape(_shape_arg(shape), input._data.size)


def view(input: Tensor, *shape, dtype=None) -> Tensor:
    """The same memory seen with another shape (one size may be -1), or as another dtype."""
    if dtype is not None and not shape:
        return _view_dtype(input, D.to_dtype(dtype))
    if len(shape) == 1 and isinstance(shape[0], D.dtype):
        return _view_dtype(input, D.to_dtype(shape[0]))
    return _as_view(View.apply(input, _view_shape(input, shape)), input)


def _view_dtype(input, dt):
    a = input._data
    if dt.np == a.dtype:
        return _as_view(View.apply(input, a.shape), input)
    old, new = a.dtype.itemsize, np.dtype(dt.np).itemsize
    if old != new and (a.ndim == 0 or a.strides[-1] != old):
        raise RuntimeError(f"self.stride(-1) must be 1 to view {_type_short(input.dtype)} as "
                           f"{_type_short(dt)} (different element sizes), but got "
                           f"{input.stride(-1) if a.ndim else 0}")
    if old != new and a.shape[-1] * old % new:
        raise RuntimeError(f"self.size(-1) must be divisible by {new // old if new > old else 1}"
                           f" to view {_type_short(input.dtype)} as {_type_short(dt)} "
                           f"(different element sizes), but got {a.shape[-1]}")
    # reinterpreting bits has no derivative: the result is cut off from the graph
    return _as_view(const(a.view(dt.np)), input)


def _type_short(dt):
    from .._tensor import _TYPE_SHORT
    return _TYPE_SHORT[dt.name]


def view_as(input: Tensor, other: Tensor) -> Tensor:
    """``view`` to ``other``'s shape."""
    return _as_view(View.apply(input, _infer_shape(other._data.shape, input._data.size)), input)


def reshape(input: Tensor, *shape) -> Tensor:
    """The data with a new shape: a view where the strides allow it, else a copy."""
    shape = _view_shape(input, shape)
    a = input._data
    if a.flags.c_contiguous or shape == a.shape:
        return _as_view(View.apply(input, shape), input)
    try:
        a.reshape(shape, copy=False)
    except ValueError:
        return UnsafeView.apply(input, shape)
    return _as_view(View.apply(input, shape), input)


def reshape_as(input: Tensor, other: Tensor) -> Tensor:
    """``reshape`` to ``other``'s shape."""
    return reshape(input, other._data.shape)


def ravel(input: Tensor) -> Tensor:
    """The elements as a 1-D tensor (a view when possible)."""
    return reshape(input, -1)


def squeeze(input: Tensor, dim=None) -> Tensor:
    """Drop dimensions of size 1 (all, or those in ``dim``); a view."""
    shape = input._data.shape
    if dim is None:
        return _as_view(Squeeze.apply(input, tuple(s for s in shape if s != 1)), input)
    if isinstance(dim, (int, np.integer)):
        d = wrap_dim(int(dim), len(shape))
        new = shape[:d] + shape[d + 1:] if shape and shape[d] == 1 else shape
        return _as_view(SqueezeDim.apply(input, new), input)
    dims = {wrap_dim(int(d), len(shape)) for d in dim}
    new = tuple(s for i, s in enumerate(shape) if not (i in dims and s == 1))
    return _as_view(SqueezeDims.apply(input, new), input)


def unsqueeze(input: Tensor, dim: int) -> Tensor:
    """Insert a dimension of size 1 at ``dim``; a view."""
    shape = input._data.shape
    d = wrap_dim(dim, len(shape) + 1)
    return _as_view(Unsqueeze.apply(input, shape[:d] + (1,) + shape[d:]), input)


def flatten(input: Tensor, start_dim: int = 0, end_dim: int = -1) -> Tensor:
    """Merge dimensions ``start_dim..end_dim`` into one (a view when possible)."""
    shape = input._data.shape
    if not shape:
        return reshape(input, (1,))
    s, e = wrap_dim(start_dim, len(shape)), wrap_dim(end_dim, len(shape))
    if s > e:
        raise RuntimeError("flatten() has invalid args: start_dim cannot come after end_dim")
    if s == e:
        return input
    return reshape(input, shape[:s] + (math.prod(shape[s:e + 1]),) + shape[e + 1:])


def unflatten(input: Tensor, dim: int, sizes) -> Tensor:
    """Split dimension ``dim`` into ``sizes`` (one may be -1); a view."""
    shape = input._data.shape
    d = wrap_dim(dim, len(shape))
    sizes = tuple(int(s) for s in sizes)
    if not sizes:
        raise RuntimeError("unflatten: sizes must be non-empty")
    if sizes.count(-1) > 1:
        raise RuntimeError("only one dimension can be inferred")
    known = math.prod(s for s in sizes if s != -1)
    if (-1 in sizes and (known == 0 or shape[d] % known)) or \
            (-1 not in sizes and known != shape[d]):
        raise RuntimeError(f"unflatten: Provided sizes {shape_str(sizes)} don't multiply up to "
                           f"the size of dim {dim} ({shape[d]}) in the input tensor")
    if -1 in sizes:
        sizes = tuple(shape[d] // known if s == -1 else s for s in sizes)
    return view(input, shape[:d] + sizes + shape[d + 1:])


# -- permutations ----------------------------------------------------------------
class Permute(Primitive):
    @staticmethod
    def forward(ctx, a, perm):
        ctx.perm = perm
        return a.transpose(perm)

    @staticmethod
    def backward(ctx, grad):
        inv = [0] * len(ctx.perm)
        for i, p in enumerate(ctx.perm):
            inv[p] = i
        return Permute.apply(grad, tuple(inv)), None

    @staticmethod
    def backward_array(ctx, grad):
        inv = [0] * len(ctx.perm)
        for i, p in enumerate(ctx.perm):
            inv[p] = i
        return grad.transpose(inv), None


class Transpose(Permute):
    pass


class T(Permute):
    pass


def permute(input: Tensor, *dims) -> Tensor:
    """Reorder the dimensions (a view)."""
    dims = _dims_arg(dims)
    n = input._data.ndim
    if len(dims) != n:
        raise RuntimeError(f"permute(sparse_coo): number of dimensions in the tensor input does "
                           f"not match the length of the desired ordering of dimensions i.e. "
                           f"input.dim() = {n} is not equal to len(dims) = {len(dims)}")
    perm = tuple(wrap_dim(d, n) for d in dims)
    if len(set(perm)) != n:
        raise RuntimeError("permute(): duplicate dims are not allowed.")
    return _as_view(Permute.apply(input, perm), input)


def _swap_perm(n, dim0, dim1):
    d0, d1 = wrap_dim(dim0, n), wrap_dim(dim1, n)
    perm = list(range(n))
    perm[d0], perm[d1] = d1, d0
    return tuple(perm)


def transpose(input: Tensor, dim0: int, dim1: int) -> Tensor:
    """Swap two dimensions (a view)."""
    return _as_view(Transpose.apply(input, _swap_perm(input._data.ndim, dim0, dim1)), input)


swapaxes = swapdims = transpose


def t(input: Tensor) -> Tensor:
    """Transpose of a matrix; 0-D and 1-D tensors come back as views of themselves."""
    n = input._data.ndim
    if n > 2:
        raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is {n}D")
    return _as_view(T.apply(input, tuple(range(n))[::-1]), input)


def adjoint(input: Tensor) -> Tensor:
    """Conjugate transpose of the last two dimensions."""
    out = transpose(input, -2, -1)
    return out.conj() if input.is_complex() else out


def movedim(input: Tensor, source, destination) -> Tensor:
    """Move dimensions ``source`` to positions ``destination`` (a view)."""
    n = input._data.ndim
    src = (source,) if isinstance(source, (int, np.integer)) else tuple(source)
    dst = (destination,) if isinstance(destination, (int, np.integer)) else tuple(destination)
    if len(src) != len(dst):
        raise RuntimeError(f"movedim: Invalid source or destination dims: source "
                           f"({list(src)} dims) should contain the same number of dims as "
                           f"destination ({list(dst)} dims)")
    src = tuple(wrap_dim(int(d), n) for d in src)
    dst = tuple(wrap_dim(int(d), n) for d in dst)
    if len(set(src)) != len(src):
        raise RuntimeError(f"movedim: repeated dim in `source` ({list(source)})")
    if len(set(dst)) != len(dst):
        raise RuntimeError(f"movedim: repeated dim in `destination` ({list(destination)})")
    rest = iter(d for d in range(n) if d not in src)
    placed = dict(zip(dst, src))
    perm = tuple(placed[i] if i in placed else next(rest) for i in range(n))
    return _as_view(Permute.apply(input, perm), input)


moveaxis = movedim


# -- broadcasting ------------------------------------------------------------------
class Expand(Primitive):
    @staticmethod
    def forward(ctx, a, shape):
        ctx.shape = a.shape
        if math.prod(shape) == a.size:
            # nothing is repeated: a plain (writable) view
            return a.reshape(shape, copy=False) if type(a) is _ndarray else a.reshape(shape)
        return _xp(a).broadcast_to(a, shape)

    @staticmethod
    def backward(ctx, grad):
        from .reduce import sum_to
        return sum_to(grad, ctx.shape), None

    @staticmethod
    def backward_array(ctx, grad):
        return sum_to_array(grad, ctx.shape), None


def _type_name(t):
    from .._tensor import _TYPE_NAMES
    return _TYPE_NAMES.get(t.dtype.name, "Tensor")


def expand(input: Tensor, *sizes) -> Tensor:
    """Broadcast singleton dimensions to ``sizes`` (-1 keeps a size); a view."""
    sizes = _shape_arg(sizes)
    shape = input._data.shape
    if len(sizes) < len(shape):
        raise RuntimeError(f"expand(torch.{_type_name(input)}{{{shape_str(shape)}}}, "
                           f"size={shape_str(sizes)}): the number of sizes provided "
                           f"({len(sizes)}) must be greater or equal to the number of "
                           f"dimensions in the tensor ({len(shape)})")
    lead = len(sizes) - len(shape)
    out = list(sizes)
    for i, s in enumerate(sizes):
        if i < lead:
            if s < 0:
                raise RuntimeError(f"The expanded size of the tensor ({s}) isn't allowed in a "
                                   f"leading, non-existing dimension {i}")
            continue
        cur = shape[i - lead]
        if s == -1:
            out[i] = cur
        elif cur != s and cur != 1:
            raise RuntimeError(f"The expanded size of the tensor ({s}) must match the existing "
                               f"size ({cur}) at non-singleton dimension {i}.  Target sizes: "
                               f"{shape_str(sizes)}.  Tensor sizes: {shape_str(shape)}")
    return _as_view(Expand.apply(input, tuple(out)), input)


def expand_as(input: Tensor, other: Tensor) -> Tensor:
    """``expand`` to ``other``'s shape."""
    return expand(input, other._data.shape)


def broadcast_to(input: Tensor, size) -> Tensor:
    """``expand`` to ``size``."""
    return expand(input, tuple(size))


def expand_copy(input: Tensor, *sizes) -> Tensor:
    """``expand`` followed by a copy."""
    return clone(expand(input, *sizes), memory_format="contiguous_format")


class Repeat(Primitive):
    @staticmethod
    def forward(ctx, a, reps):
        ctx.shape = a.shape
        return _xp(a).tile(a, reps)

    @staticmethod
    def backward(ctx, grad):
        shape = (1,) * (grad.ndim - len(ctx.shape)) + tuple(ctx.shape)
        if 0 in shape:  # an empty input: nothing to sum
            return const(_xp(grad._data).zeros(ctx.shape, dtype=grad._data.dtype)), None
        # view the result as (reps_0, size_0, reps_1, size_1, ...) and sum the repetitions
        split = []
        for r, s in zip(grad.shape, shape):
            split += [r // s, s]
        return grad.reshape(split).sum(tuple(range(0, len(split), 2))).reshape(ctx.shape), None


def repeat(input: Tensor, *sizes) -> Tensor:
    """Tile the tensor ``sizes[i]`` times along each dimension (leading sizes add dims)."""
    reps = _shape_arg(sizes)
    if len(reps) < input._data.ndim:
        raise RuntimeError("Number of dimensions of repeat dims can not be smaller than number "
                           "of dimensions of tensor")
    if any(r < 0 for r in reps):
        raise RuntimeError(f"Trying to create tensor with negative dimension {min(reps)}: "
                           f"{shape_str(reps)}")
    return Repeat.apply(input, reps)


def tile(input: Tensor, dims) -> Tensor:
    """``repeat`` with missing leading repetitions taken as 1."""
    reps = (dims,) if isinstance(dims, (int, np.integer)) else tuple(dims)
    reps = (1,) * (input._data.ndim - len(reps)) + tuple(int(r) for r in reps)
    return repeat(input, reps)


def repeat_interleave(input: Tensor, repeats=None, dim: int | None = None, *,
                      output_size: int | None = None) -> Tensor:
    """Repeat each element ``repeats`` times along ``dim`` (the flattened tensor by default)."""
    if repeats is None:  # torch.repeat_interleave(counts): indices repeated by counts
        counts = input._data
        return const(_xp(counts).repeat(_xp(counts).arange(counts.shape[0]), counts))
    if dim is None:
        input, dim = reshape(input, -1), 0
    d = wrap_dim(dim, input._data.ndim)
    n = input._data.shape[d]
    xp = input._xp()
    if isinstance(repeats, Tensor):
        reps = repeats._data
        if reps.ndim == 1 and reps.shape[0] != n:
            raise RuntimeError("repeats must have the same size as input along dim, but got "
                               f"repeats.size(0) = {reps.shape[0]} and input.size({d}) = {n}")
    else:
        reps = int(repeats)
    if (reps < 0).any() if isinstance(reps, _ndarray) else reps < 0:
        raise RuntimeError("repeats can not be negative")
    from .index import index_select
    return index_select(input, d, const(xp.repeat(xp.arange(n), reps)))


# -- basic indexing (views) -----------------------------------------------------------
def _get(a, idx):
    """``a[idx]``; a ``SplitIndex`` applies its basic part, then its advanced part."""
    if type(idx) is SplitIndex:
        return a[idx.basic][idx.adv]
    return a[idx]


def _put(out, idx, v, accumulate):
    """``out[idx] = v`` (``+=`` with repeated indices summed when ``accumulate``)."""
    if type(idx) is SplitIndex:
        out = out[idx.basic]
        idx = idx.adv
    if accumulate:
        _xp(out).add.at(out, idx, v)
    else:
        out[idx] = v


class SplitIndex:
    """An index PyTorch applies in two steps: integers and slices first (a view), then the
    tensor indices on what is left (NumPy would treat the integers as tensor indices)."""

    __slots__ = ("basic", "adv")

    def __init__(self, basic, adv):
        self.basic, self.adv = basic, adv


class Index(Primitive):
    """``a[idx]`` for a NumPy-ready index; ``accumulate`` says repeated positions may occur."""
    node_name = "IndexBackward0"

    @staticmethod
    def forward(ctx, a, idx, accumulate):
        ctx.shape, ctx.idx, ctx.acc = a.shape, idx, accumulate
        return _get(a, idx)

    @staticmethod
    def backward(ctx, grad):
        return IndexedZeros.apply(grad, ctx.idx, ctx.shape, ctx.acc), None, None

    @staticmethod
    def backward_array(ctx, grad):
        out = _xp(grad).zeros(ctx.shape, dtype=grad.dtype)
        _put(out, ctx.idx, grad, ctx.acc)
        return out, None, None


class IndexedZeros(Primitive):
    """Zeros of ``shape`` with ``g`` written (or summed) at ``idx``: the adjoint of ``Index``."""

    @staticmethod
    def forward(ctx, g, idx, shape, accumulate):
        ctx.idx, ctx.acc = idx, accumulate
        out = _xp(g).zeros(shape, dtype=g.dtype)
        _put(out, idx, g, accumulate)
        return out

    @staticmethod
    def backward(ctx, gg):
        return Index.apply(gg, ctx.idx, ctx.acc), None, None, None


class Select(Index):
    node_name = "SelectBackward0"


class Slice(Index):
    node_name = "SliceBackward0"


class IndexUnsqueeze(Index):
    node_name = "UnsqueezeBackward0"


class IndexAlias(Index):
    node_name = "AliasBackward0"


def select(input: Tensor, dim: int, index: int) -> Tensor:
    """The slice at ``index`` along ``dim``, that dimension removed; a view."""
    shape = input._data.shape
    if not shape:
        raise IndexError("select() cannot be applied to a 0-dim tensor.")
    d = wrap_dim(dim, len(shape))
    index = int(index)
    if not -shape[d] <= index < shape[d]:
        raise IndexError(f"select(): index {index} out of range for tensor of size "
                         f"{shape_str(shape)} at dimension {d}")
    return _as_view(Select.apply(input, (_FULL,) * d + (index, Ellipsis), False), input)


def narrow(input: Tensor, dim: int, start, length: int) -> Tensor:
    """Elements ``start .. start+length`` along ``dim``; a view."""
    shape = input._data.shape
    if not shape:
        raise RuntimeError("narrow() cannot be applied to a 0-dim tensor.")
    d = wrap_dim(dim, len(shape))
    size = shape[d]
    start, length = int(start), int(length)
    if not -size <= start <= size:
        raise IndexError(f"start out of range (expected to be in range of [{-size}, {size}], "
                         f"but got {start})")
    if start < 0:
        start += size
    if length < 0:
        raise RuntimeError("narrow(): length must be non-negative.")
    if start + length > size:
        raise RuntimeError(f"start ({start}) + length ({length}) exceeds dimension size "
                           f"({size}).")
    idx = (_FULL,) * d + (slice(start, start + length),)
    return _as_view(Slice.apply(input, idx, False), input)


def _write_out(result, out):
    """Store ``result`` in a user's ``out=`` tensor (resized when its shape differs)."""
    if out is None:
        return result
    if out._data.shape != result._data.shape:
        out._data = result._data.astype(out._data.dtype)
    else:
        out._data[...] = result._data
    out._vc[0] += 1
    return out


# -- reordering copies -----------------------------------------------------------------------
def _dims_list(dims, ndim):
    out = tuple(wrap_dim(int(d), ndim) for d in dims)
    if len(set(out)) != len(out):
        dup = next(d for d in out if out.count(d) > 1)
        raise RuntimeError(f"dim {dup} appears multiple times in the list of dims")
    return out


class Flip(Primitive):
    @staticmethod
    def forward(ctx, a, dims):
        ctx.dims = dims
        return _xp(a).flip(a, dims).copy(order="K")

    @staticmethod
    def backward(ctx, grad):
        return Flip.apply(grad, ctx.dims), None


def flip(input: Tensor, *dims) -> Tensor:
    """A copy with the order of elements reversed along ``dims``."""
    return Flip.apply(input, _dims_list(_dims_arg(dims), input._data.ndim))


def fliplr(input: Tensor) -> Tensor:
    """Reverse the order of columns (dimension 1)."""
    if input._data.ndim < 2:
        raise RuntimeError("Input must be >= 2-d.")
    return Flip.apply(input, (1,))


def flipud(input: Tensor) -> Tensor:
    """Reverse the order of rows (dimension 0)."""
    if input._data.ndim < 1:
        raise RuntimeError("Input must be >= 1-d.")
    return Flip.apply(input, (0,))


class Roll(Primitive):
    @staticmethod
    def forward(ctx, a, shifts, dims):
        ctx.shifts, ctx.dims = shifts, dims
        return _xp(a).roll(a, shifts, dims)

    @staticmethod
    def backward(ctx, grad):
        neg = tuple(-s for s in ctx.shifts) if isinstance(ctx.shifts, tuple) else -ctx.shifts
        return Roll.apply(grad, neg, ctx.dims), None, None


def roll(input: Tensor, shifts, dims=None) -> Tensor:
    """Rotate elements by ``shifts`` along ``dims`` (the flattened tensor when omitted)."""
    sh = (shifts,) if isinstance(shifts, (int, np.integer)) else tuple(shifts)
    sh = tuple(int(s) for s in sh)
    if dims is None:
        if len(sh) != 1:
            raise RuntimeError(f"shifts and dimensions must align. shifts: {len(sh)}, dims:0")
        return Roll.apply(input, sh[0], None)
    dm = (dims,) if isinstance(dims, (int, np.integer)) else tuple(dims)
    if len(sh) != len(dm):
        raise RuntimeError(f"shifts and dimensions must align. shifts: {len(sh)}, "
                           f"dims:{len(dm)}")
    n = input._data.ndim
    return Roll.apply(input, sh, tuple(wrap_dim(int(d), n) for d in dm))


# -- diagonals and triangles -----------------------------------------------------------------
def _diag_view(a, offset, d1, d2):
    """A writable strided view of a diagonal, that dimension moved last (PyTorch's layout)."""
    n1, n2 = a.shape[d1], a.shape[d2]
    if offset >= 0:
        start, length = (0, offset), max(min(n1, n2 - offset), 0)
    else:
        start, length = (-offset, 0), max(min(n1 + offset, n2), 0)
    if length:
        idx = [_FULL] * a.ndim
        idx[d1], idx[d2] = slice(start[0], None), slice(start[1], None)
        a = a[tuple(idx)]
    keep = [i for i in range(a.ndim) if i not in (d1, d2)]
    shape = tuple(a.shape[i] for i in keep) + (length,)
    strides = tuple(a.strides[i] for i in keep) + (a.strides[d1] + a.strides[d2],)
    return _xp(a).lib.stride_tricks.as_strided(a, shape, strides)


class Diagonal(Primitive):
    @staticmethod
    def forward(ctx, a, offset, d1, d2):
        ctx.shape, ctx.args = a.shape, (offset, d1, d2)
        return _diag_view(a, offset, d1, d2)

    @staticmethod
    def backward(ctx, grad):
        return (DiagonalScatter.apply(grad, ctx.shape, *ctx.args), None, None, None)


class DiagonalCopy(Diagonal):
    node_name = "DiagonalBackward0_copy"

    @staticmethod
    def forward(ctx, a, offset, d1, d2):
        ctx.shape, ctx.args = a.shape, (offset, d1, d2)
        return _diag_view(a, offset, d1, d2).copy()


class DiagonalScatter(Primitive):
    """Zeros of ``shape`` with ``g`` on a diagonal: the adjoint of ``diagonal``."""

    @staticmethod
    def forward(ctx, g, shape, offset, d1, d2):
        ctx.args = (offset, d1, d2)
        out = _xp(g).zeros(shape, dtype=g.dtype)
        _diag_view(out, offset, d1, d2)[...] = g
        return out

    @staticmethod
    def backward(ctx, gg):
        return Diagonal.apply(gg, *ctx.args), None, None, None, None


class DiagEmbed(DiagonalScatter):
    pass


def diagonal(input: Tensor, offset: int = 0, dim1: int = 0, dim2: int = 1) -> Tensor:
    """The diagonal with ``offset`` of the planes ``(dim1, dim2)``, as a last dimension; a view."""
    n = input._data.ndim
    d1, d2 = wrap_dim(dim1, n), wrap_dim(dim2, n)
    if d1 == d2:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    return _as_view(Diagonal.apply(input, int(offset), d1, d2), input)


def diag_embed(input: Tensor, offset: int = 0, dim1: int = -2, dim2: int = -1) -> Tensor:
    """Tensors whose diagonals (planes ``dim1, dim2``) are the last dimension of ``input``."""
    n = input._data.ndim + 1
    d1, d2 = wrap_dim(dim1, n), wrap_dim(dim2, n)
    if d1 == d2:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    rest = list(input._data.shape[:-1])
    m = input._data.shape[-1] + abs(int(offset))
    lo, hi = min(d1, d2), max(d1, d2)
    rest.insert(lo, m)
    rest.insert(hi, m)
    return DiagEmbed.apply(input, tuple(rest), int(offset), d1, d2)


def diag(input: Tensor, diagonal: int = 0) -> Tensor:
    """A 1-D tensor as a diagonal matrix, or a matrix's diagonal as a 1-D copy."""
    n = input._data.ndim
    if n == 1:
        return diag_embed(input, diagonal, 0, 1)
    if n != 2:
        raise RuntimeError(f"diag(): Supports 1D or 2D tensors. Got {n}D")
    return DiagonalCopy.apply(input, int(diagonal), 0, 1)


class Tril(Primitive):
    @staticmethod
    def forward(ctx, a, k):
        ctx.k = k
        return _xp(a).tril(a, k)

    @staticmethod
    def backward(ctx, grad):
        return Tril.apply(grad, ctx.k), None


class Triu(Primitive):
    @staticmethod
    def forward(ctx, a, k):
        ctx.k = k
        return _xp(a).triu(a, k)

    @staticmethod
    def backward(ctx, grad):
        return Triu.apply(grad, ctx.k), None


def _check_matrix(input, fname):
    if input._data.ndim < 2:
        raise RuntimeError(f"{fname}: input tensor must have at least 2 dimensions")


def tril(input: Tensor, diagonal: int = 0, *, out=None) -> Tensor:
    """The lower triangle (elements on and below diagonal ``diagonal``), the rest zero."""
    _check_matrix(input, "tril")
    return _write_out(Tril.apply(input, int(diagonal)), out)


def triu(input: Tensor, diagonal: int = 0, *, out=None) -> Tensor:
    """The upper triangle (elements on and above diagonal ``diagonal``), the rest zero."""
    _check_matrix(input, "triu")
    return _write_out(Triu.apply(input, int(diagonal)), out)


def meshgrid(*tensors, indexing: str | None = None) -> tuple:
    """Coordinate grids (expanded views) from 1-D tensors; ``indexing`` 'ij' or 'xy'."""
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    if indexing is None:
        import warnings
        warnings.warn("torch.meshgrid: in an upcoming release, it will be required to pass the "
                      "indexing argument.", UserWarning, stacklevel=2)
        indexing = "ij"
    if indexing not in ("ij", "xy"):
        raise RuntimeError(f"torch.meshgrid: indexing must be one of \"xy\" or \"ij\", but "
                           f"received: {indexing}")
    for t in tensors:
        if t._data.ndim > 1:
            raise RuntimeError(f"torch.meshgrid: Expected 0D or 1D tensor in the tensor list "
                               f"but got: {t}")
    n = len(tensors)
    order = list(range(n))
    if indexing == "xy" and n >= 2:
        order[0], order[1] = 1, 0
    sizes = [t._data.size for t in tensors]
    shape = tuple(sizes[order[i]] for i in range(n))
    out = []
    for k, t in enumerate(tensors):
        pos = order.index(k)
        v = reshape(t, tuple(-1 if i == pos else 1 for i in range(n)))
        out.append(expand(v, shape))
    return tuple(out)


# -- copies ------------------------------------------------------------------------------------
class Clone(Primitive):
    @staticmethod
    def forward(ctx, a, order):
        return a.copy(order=order)

    @staticmethod
    def backward(ctx, grad):
        return grad, None

    backward_array = backward


def _preserve_order(a):
    """PyTorch's preserve_format: keep a dense layout's dimension order, but lay out
    expanded (stride-0) tensors row-major."""
    if a.flags.c_contiguous or 0 in a.strides:
        return "C"
    return "K"


def clone(input: Tensor, *, memory_format=None) -> Tensor:
    """A copy with its own memory (differentiable), keeping the layout by default."""
    if memory_format is None or str(memory_format).endswith("preserve_format"):
        order = _preserve_order(input._data)
    else:
        order = "C"
    return Clone.apply(input, order)


def contiguous(input: Tensor, memory_format=None) -> Tensor:
    """Self when already row-major contiguous, else a contiguous copy."""
    if input._data.flags.c_contiguous:
        return input
    return Clone.apply(input, "C")


class ToDevice(Primitive):
    node_name = "ToCopyBackward0"

    @staticmethod
    def forward(ctx, a, dev):
        from .._device import device_of_array
        ctx.src = device_of_array(a)
        return move_array(a, dev)

    @staticmethod
    def backward(ctx, grad):
        return _to_device(grad, ctx.src), None


def _to_device(t, dev):
    return ToDevice.apply(t, dev)


# -- in-place shape changes ---------------------------------------------------------------------
def _inplace_view(fn):
    """``x.fn_(...)``: ``x`` itself takes the new shape (and, in a graph, the new position)."""
    def method(self, *args, **kwargs):
        self._check_inplace()
        r = fn(self, *args, **kwargs)
        self._data = r._data
        if r._rg:
            self._rg, self.grad_fn, self._output_nr = True, r.grad_fn, r._output_nr
        self._vc[0] += 1
        return self

    method.__name__ = fn.__name__ + "_"
    method.__doc__ = f"In-place ``{fn.__name__}``."
    return method


squeeze_ = _inplace_view(squeeze)
unsqueeze_ = _inplace_view(unsqueeze)
t_ = _inplace_view(t)
transpose_ = swapaxes_ = swapdims_ = _inplace_view(transpose)
tril_ = _inplace(tril)
triu_ = _inplace(triu)


TENSOR_METHODS = [
    "view", "view_as", "reshape", "reshape_as", "ravel", "permute", "transpose", "swapaxes",
    "swapdims", "t", "adjoint", "movedim", "moveaxis", "squeeze", "unsqueeze", "flatten",
    "unflatten", "expand", "expand_as", "broadcast_to", "repeat", "tile", "repeat_interleave",
    "flip", "fliplr", "flipud", "roll", "narrow", "select", "diagonal", "diag", "diag_embed",
    "tril", "triu", "clone", "contiguous", "squeeze_", "unsqueeze_", "t_", "transpose_",
    "swapaxes_", "swapdims_", "tril_", "triu_",
]
