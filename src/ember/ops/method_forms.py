"""Tensor methods that are other operations in method form: ``type_as``, the sliding
window ``unfold``, ``sum_to_size``, in-place forms of out-of-place ops, ``new``, the
Python-callback ``apply_``/``map_``, resizing, and the device flags of other backends."""
from __future__ import annotations

import math

import numpy as np

from .._tensor import Tensor
from ._util import const, wrap_dim

__all__: list = []


def type_as(self: Tensor, other: Tensor) -> Tensor:
    """``self`` converted to ``other``'s dtype."""
    return self.to(other.dtype)


def unfold(self: Tensor, dimension: int, size: int, step: int) -> Tensor:
    """Every window of ``size`` elements taken every ``step`` along ``dimension``, as a new
    last dimension (the dimension itself then counts windows)."""
    d = wrap_dim(dimension, max(self.dim(), 1))
    length = self.shape[d] if self.dim() else 1
    if size > length:
        raise RuntimeError(f"maximum size for tensor at dimension {d} is {length} but size "
                           f"is {size}")
    if step <= 0:
        raise RuntimeError(f"step is {step} but must be > 0")
    if self.dim() == 0:
        return self.reshape(1)
    windows = (length - size) // step + 1
    index = (np.arange(windows)[:, None] * step + np.arange(size)[None, :]).reshape(-1)
    picked = self.index_select(d, const(self._xp().asarray(index)))
    shape = list(self.shape)
    shape[d:d + 1] = [windows, size]
    return picked.reshape(shape).movedim(d + 1, -1)


def sum_to_size(self: Tensor, *size) -> Tensor:
    """``self`` summed down to ``size`` (which must broadcast to ``self``'s shape)."""
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = tuple(size[0])
    shape = tuple(self.shape)
    lead = len(shape) - len(size)
    if lead < 0 or any(s not in (1, t) for s, t in zip(size, shape[lead:])):
        raise RuntimeError(f"size {{{list(size)}}} is not expandable to size {{{list(shape)}}}.")
    out = self.sum(tuple(range(lead))) if lead else self
    keep = tuple(i for i, (s, t) in enumerate(zip(size, out.shape)) if s == 1 and t != 1)
    return out.sum(keep, keepdim=True) if keep else out


def _in_place(self: Tensor, op) -> Tensor:
    """``self`` overwritten with ``op(self)``: computed on a copy, so that what the
    operation saves for backward is not the tensor the write changes."""
    return self.copy_(op(self.clone()))


def cumsum_(self: Tensor, dim: int, *, dtype=None) -> Tensor:
    """In-place cumulative sum."""
    return _in_place(self, lambda t: t.cumsum(dim, dtype=dtype))


def cumprod_(self: Tensor, dim: int, *, dtype=None) -> Tensor:
    """In-place cumulative product."""
    return _in_place(self, lambda t: t.cumprod(dim, dtype=dtype))


def put_(self: Tensor, index: Tensor, source: Tensor, accumulate: bool = False) -> Tensor:
    """In-place :func:`put`."""
    return _in_place(self, lambda t: t.put(index, source, accumulate))


def renorm_(self: Tensor, p: float, dim: int, maxnorm: float) -> Tensor:
    """In-place :func:`renorm`."""
    return _in_place(self, lambda t: t.renorm(p, dim, maxnorm))


def index_reduce_(self: Tensor, dim: int, index: Tensor, source: Tensor, reduce: str, *,
                  include_self: bool = True) -> Tensor:
    """In-place :func:`index_reduce`."""
    return _in_place(self, lambda t: t.index_reduce(dim, index, source, reduce,
                                                    include_self=include_self))


def fill_diagonal_(self: Tensor, fill_value, wrap: bool = False) -> Tensor:
    """Fill the main diagonal (all indices equal) in place; with ``wrap``, a tall matrix's
    diagonal starts again below every square block."""
    if self.dim() < 2:
        raise RuntimeError("dimensions must larger than 1")
    if self.dim() > 2 and len(set(self.shape)) != 1:
        raise RuntimeError("all dimensions of input must be of equal length")
    n = min(self.shape)
    if self.dim() == 2 and wrap and self.shape[0] > self.shape[1]:
        cols = self.shape[1]
        rows = [r for r in range(self.shape[0]) if r % (cols + 1) < cols]
        index = (np.array(rows), np.array([r % (cols + 1) for r in rows]))
    else:
        index = tuple(np.arange(n) for _ in range(self.dim()))
    xp = self._xp()
    at = tuple(const(xp.asarray(i)) for i in index)
    values = self.new_full((len(index[0]),), fill_value)
    return self.index_put_(at, values)


def new(self: Tensor, *args, **kwargs) -> Tensor:
    """The legacy constructor: ``t.new(sizes...)`` (uninitialised), ``t.new(data)`` or
    ``t.new(tensor)``, with ``t``'s dtype and device."""
    if not args:
        return self.new_empty((0,), **kwargs)
    first = args[0]
    if isinstance(first, Tensor):
        return first.to(self.dtype)
    if len(args) == 1 and isinstance(first, (list, tuple)):
        return self.new_tensor(first, **kwargs)  # data, as PyTorch reads a sequence
    return self.new_empty(tuple(args), **kwargs)


def new_empty_strided(self: Tensor, size, stride, *, dtype=None, device=None,
                      requires_grad: bool = False, **kwargs) -> Tensor:
    """An uninitialised tensor of ``size`` (ember's tensors are always row-major)."""
    return self.new_empty(tuple(size), dtype=dtype, device=device,
                          requires_grad=requires_grad)


def apply_(self: Tensor, callable) -> Tensor:
    """Replace each element by ``callable(element)`` in place (slow; CPU only)."""
    if self.device.type != "cpu":
        raise TypeError("apply_ is only implemented on CPU tensors")
    flat = self._data.reshape(-1)
    flat[...] = [callable(v) for v in flat.tolist()]
    self._vc[0] += 1
    return self


def map_(self: Tensor, tensor: Tensor, callable) -> Tensor:
    """Replace each element by ``callable(element, other_element)`` in place (CPU only)."""
    if self.device.type != "cpu":
        raise TypeError("map_ is only implemented on CPU tensors")
    other = np.broadcast_to(tensor._data, self._data.shape).reshape(-1).tolist()
    flat = self._data.reshape(-1)
    flat[...] = [callable(a, b) for a, b in zip(flat.tolist(), other)]
    self._vc[0] += 1
    return self


def map2_(self: Tensor, x: Tensor, y: Tensor, callable) -> Tensor:
    """Replace each element by ``callable(element, x_element, y_element)`` in place."""
    xs = np.broadcast_to(x._data, self._data.shape).reshape(-1).tolist()
    ys = np.broadcast_to(y._data, self._data.shape).reshape(-1).tolist()
    flat = self._data.reshape(-1)
    flat[...] = [callable(a, b, c) for a, b, c in zip(flat.tolist(), xs, ys)]
    self._vc[0] += 1
    return self


def resize_(self: Tensor, *sizes, memory_format=None) -> Tensor:
    """Give ``self`` the shape ``sizes`` in place, keeping the leading elements (new ones
    are uninitialised)."""
    if len(sizes) == 1 and isinstance(sizes[0], (tuple, list)):
        sizes = tuple(sizes[0])
    if self.requires_grad:
        raise RuntimeError("cannot resize variables that require grad")
    n = math.prod(sizes)
    flat = self._data.reshape(-1)
    data = self._xp().empty(n, dtype=flat.dtype)
    keep = min(n, flat.size)
    data[:keep] = flat[:keep]
    self._data = data.reshape(sizes)
    self._vc[0] += 1
    return self


def resize_as_(self: Tensor, other: Tensor, memory_format=None) -> Tensor:
    """Give ``self`` the shape of ``other`` in place."""
    return resize_(self, tuple(other.shape))


def unsafe_chunk(self: Tensor, chunks: int, dim: int = 0) -> tuple:
    """``chunk`` (ember's views need no unsafe variant)."""
    return self.chunk(chunks, dim)


def unsafe_split(self: Tensor, split_size, dim: int = 0) -> tuple:
    """``split`` (ember's views need no unsafe variant)."""
    return self.split(split_size, dim)


def unsafe_split_with_sizes(self: Tensor, split_sizes, dim: int = 0) -> tuple:
    """``split_with_sizes`` (ember's views need no unsafe variant)."""
    return self.split_with_sizes(split_sizes, dim)


def _false(self: Tensor) -> bool:
    return False


_OTHER_BACKENDS = ("is_mps", "is_xpu", "is_ipu", "is_xla", "is_mtia", "is_maia",
                   "is_vulkan", "is_mkldnn", "is_nested", "is_sparse_csr")


def _attach_properties(cls) -> None:
    """Flags for backends and layouts ember does not have: always False."""
    for name in _OTHER_BACKENDS:
        if not hasattr(cls, name):
            setattr(cls, name, property(_false, doc=f"Always False: ember has no {name[3:]}"))


def is_distributed(self: Tensor) -> bool:
    """Always False (the old distributed tensors are gone from PyTorch too)."""
    return False


def storage(self: Tensor):
    """The tensor's memory as elements of its dtype (``TypedStorage``, deprecated)."""
    from ..storage import typed_storage_of
    return typed_storage_of(self)


def untyped_storage(self: Tensor):
    """The tensor's memory as bytes (shared with the tensor and its views)."""
    from ..storage import UntypedStorage
    return UntypedStorage(self._data)


def storage_type(self: Tensor):
    """The class of ``storage()``."""
    from ..storage import TypedStorage
    return TypedStorage


def __reversed__(self: Tensor) -> Tensor:
    """``self`` flipped along dimension 0 (a 0-d tensor is returned as is)."""
    return self if self.dim() == 0 else self.flip(0)


def __dlpack__(self: Tensor, *args, **kwargs):
    """DLPack capsule of the underlying array (for ``from_dlpack`` elsewhere)."""
    return self._data.__dlpack__(*args, **kwargs)


def __dlpack_device__(self: Tensor):
    """The DLPack device of the underlying array."""
    return self._data.__dlpack_device__()


TENSOR_METHODS = ["type_as", "unfold", "sum_to_size", "cumsum_", "cumprod_", "put_",
                  "renorm_", "index_reduce_", "fill_diagonal_", "new", "new_empty_strided",
                  "apply_", "map_", "map2_", "resize_", "resize_as_", "unsafe_chunk",
                  "unsafe_split", "unsafe_split_with_sizes", "is_distributed", "storage",
                  "untyped_storage", "storage_type", "__reversed__",
                  "__dlpack__", "__dlpack_device__"]
_attach_properties(Tensor)
