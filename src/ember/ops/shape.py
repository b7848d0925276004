"""Shape and view operations. Views share memory (and the version counter) with their base."""
from __future__ import annotations

import numpy as np

from .._device import move_array
from .._tensor import Size, Tensor
from ..autograd.function import Primitive
from ._util import wrap_dim

__all__ = ["reshape", "permute", "transpose", "swapaxes", "swapdims", "t", "expand_copy",
           "clone", "squeeze", "unsqueeze", "flatten"]


def _as_view(out: Tensor, base: Tensor) -> Tensor:
    """Make ``out`` a view of ``base``: same version counter, same root base."""
    out._vc = base._vc
    out._base = base._base if base._base is not None else base
    return out


def _shape_arg(shape):
    if len(shape) == 1 and isinstance(shape[0], (tuple, list, Size)):
        shape = shape[0]
    return tuple(int(s) for s in shape)


def _infer_shape(shape, numel, src_shape):
    shape = list(shape)
    neg = [i for i, s in enumerate(shape) if s == -1]
    if len(neg) > 1:
        raise RuntimeError("only one dimension can be inferred")
    known = 1
    for s in shape:
        if s != -1:
            if s < 0:
                raise RuntimeError(f"invalid shape dimension {s}")
            known *= s
    if neg:
        if known == 0 or numel % known:
            raise RuntimeError(f"shape '{_fmt(shape)}' is invalid for input of size {numel}")
        shape[neg[0]] = numel // known
    elif known != numel:
        raise RuntimeError(f"shape '{_fmt(shape)}' is invalid for input of size {numel}")
    return tuple(shape)


def _fmt(shape):
    return "[" + ", ".join(str(s) for s in shape) + "]"


class Reshape(Primitive):
    node_name = "ViewBackward0"

    @staticmethod
    def forward(ctx, a, shape):
        ctx.shape = a.shape
        return a.reshape(shape)

    @staticmethod
    def backward(ctx, grad):
        return grad.reshape(ctx.shape), None


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


def view(input, *shape):
    """The same data seen with another shape; fails where strides do not allow it."""
    if len(shape) == 1 and not isinstance(shape[0], (int, tuple, list, Size)):
        return input.to(shape[0]) if shape[0] is not None else input
    shape = _infer_shape(_shape_arg(shape), input._data.size, input._data.shape)
    return _as_view(View.apply(input, shape), input)


def reshape(input, *shape):
    """The data with a new shape: a view where possible, else a copy."""
    shape = _infer_shape(_shape_arg(shape), input._data.size, input._data.shape)
    if shape == input._data.shape:
        return _as_view(View.apply(input, shape), input)
    r = Reshape.apply(input, shape)
    if np.shares_memory(r._data, input._data) if input._data.size else False:
        _as_view(r, input)
    return r


def view_as(input, other):
    """``view`` to ``other``'s shape."""
    return view(input, other._data.shape)


def reshape_as(input, other):
    """``reshape`` to ``other``'s shape."""
    return reshape(input, other._data.shape)


class Permute(Primitive):
    @staticmethod
    def forward(ctx, a, perm):
        ctx.perm = perm
        return a.transpose(perm)

    @staticmethod
    def backward(ctx, grad):
        return grad.permute(*np.argsort(ctx.perm).tolist()), None


class Transpose(Permute):
    pass


def permute(input, *dims):
    """Reorder the dimensions (a view)."""
    dims = _shape_arg(dims)
    n = input._data.ndim
    if len(dims) != n:
        raise RuntimeError(f"permute(sparse_coo): number of dimensions in the tensor input does "
                           f"not match the length of the desired ordering of dimensions i.e. "
                           f"input.dim() = {n} is not equal to len(dims) = {len(dims)}")
    perm = tuple(wrap_dim(d, n) for d in dims)
    if len(set(perm)) != n:
        raise RuntimeError("permute(): duplicate dims are not allowed.")
    return _as_view(Permute.apply(input, perm), input)


def transpose(input, dim0, dim1):
    """Swap two dimensions (a view)."""
    n = input._data.ndim
    d0, d1 = wrap_dim(dim0, n), wrap_dim(dim1, n)
    perm = list(range(n))
    perm[d0], perm[d1] = perm[d1], perm[d0]
    return _as_view(Transpose.apply(input, tuple(perm)), input)


swapaxes = swapdims = transpose


def t(input):
    """Transpose of a matrix (0-D and 1-D tensors come back as they are)."""
    if input._data.ndim > 2:
        raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is "
                           f"{input._data.ndim}D")
    if input._data.ndim < 2:
        return input
    return transpose(input, 0, 1)


class Expand(Primitive):
    @staticmethod
    def forward(ctx, a, shape):
        ctx.shape = a.shape
        return np.broadcast_to(a, shape) if isinstance(a, np.ndarray) else \
            _xp(a).broadcast_to(a, shape)

    @staticmethod
    def backward(ctx, grad):
        from .reduce import sum_to
        return sum_to(grad, ctx.shape), None


def _xp(a):
    return Tensor._xp_of(a)


def expand(input, *sizes):
    """Broadcast singleton dimensions to ``sizes`` (-1 keeps a size); a view."""
    sizes = _shape_arg(sizes)
    shape = input._data.shape
    if len(sizes) < len(shape):
        raise RuntimeError(f"expand(torch.{input.dtype.name.capitalize()}Tensor{{{_fmt(shape)}}}"
                           f", size={_fmt(sizes)}): the number of sizes provided "
                           f"({len(sizes)}) must be greater or equal to the number of "
                           f"dimensions in the tensor ({len(shape)})")
    lead = len(sizes) - len(shape)
    out = []
    for i, s in enumerate(sizes):
        if i < lead:
            if s < 0:
                raise RuntimeError(f"The expanded size of the tensor ({s}) isn't allowed in a "
                                   f"leading, non-existing dimension {i}")
            out.append(s)
            continue
        cur = shape[i - lead]
        if s == -1:
            out.append(cur)
        elif cur == 1 or cur == s:
            out.append(s)
        else:
            raise RuntimeError(f"The expanded size of the tensor ({s}) must match the existing "
                               f"size ({cur}) at non-singleton dimension {i}.  Target sizes: "
                               f"{_fmt(sizes)}.  Tensor sizes: {_fmt(shape)}")
    out = tuple(out)
    if out == shape:
        return _as_view(View.apply(input, shape), input)
    return _as_view(Expand.apply(input, out), input)


def expand_as(input, other):
    """``expand`` to ``other``'s shape."""
    return expand(input, other._data.shape)


def expand_copy(input, *sizes):
    return expand(input, *sizes).clone()


class Clone(Primitive):
    @staticmethod
    def forward(ctx, a):
        return a.copy()

    @staticmethod
    def backward(ctx, grad):
        return grad


def clone(input, *, memory_format=None):
    """A copy with its own memory (differentiable)."""
    return Clone.apply(input)


def contiguous(input, memory_format=None):
    """Self when already contiguous, else a contiguous copy."""
    if input._data.flags.c_contiguous:
        return input
    return Clone.apply(input)


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


def squeeze(input, dim=None):
    """Drop dimensions of size 1 (all, or those in ``dim``); a view."""
    shape = input._data.shape
    if dim is None:
        new = tuple(s for s in shape if s != 1)
    else:
        dims = (dim,) if isinstance(dim, int) else tuple(dim)
        dims = {wrap_dim(d, len(shape)) for d in dims}
        new = tuple(s for i, s in enumerate(shape) if not (i in dims and s == 1))
    return _as_view(View.apply(input, new), input)


def unsqueeze(input, dim):
    """Insert a dimension of size 1 at ``dim``; a view."""
    n = input._data.ndim + 1
    if not -n <= dim < n:
        raise IndexError(f"Dimension out of range (expected to be in range of [{-n}, {n - 1}], "
                         f"but got {dim})")
    d = dim % n
    shape = input._data.shape
    return _as_view(View.apply(input, shape[:d] + (1,) + shape[d:]), input)


def flatten(input, start_dim=0, end_dim=-1):
    """Merge dimensions ``start_dim..end_dim`` into one."""
    shape = input._data.shape
    if not shape:
        return reshape(input, (1,))
    s, e = wrap_dim(start_dim, len(shape)), wrap_dim(end_dim, len(shape))
    if s > e:
        raise RuntimeError("flatten() has invalid args: start_dim cannot come after end_dim")
    if s == e:
        return input
    n = 1
    for k in shape[s:e + 1]:
        n *= k
    return reshape(input, shape[:s] + (n,) + shape[e + 1:])


TENSOR_METHODS = ["view", "reshape", "view_as", "reshape_as", "permute", "transpose",
                  "swapaxes", "swapdims", "t", "expand", "expand_as", "clone", "contiguous",
                  "squeeze", "unsqueeze", "flatten"]
