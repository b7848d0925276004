"""Top-level PyTorch names that only forward to another ember object (deprecated spellings,
``unsafe_`` variants whose safety difference does not exist in ember, trivial predicates)."""
from __future__ import annotations

import warnings

from ._dtype import set_default_dtype
from .amp import GradScaler  # noqa: F401  (torch.GradScaler is torch.amp.GradScaler)
from .futures import Future  # noqa: F401  (torch.Future is torch.futures.Future)
from ._typed import __all__ as _typed_names
from ._tensor import Tensor

__all__ = ["GradScaler", "Future", "unsafe_chunk", "unsafe_split", "unsafe_split_with_sizes",
           "set_default_tensor_type", "is_signed", "set_warn_always", "is_warn_always_enabled",
           "vmap", "empty_permuted"]

_warn_always = {"on": False}


def unsafe_chunk(input: Tensor, chunks: int, dim: int = 0):
    """``torch.chunk``; ember's views need no unsafe variant."""
    return input.chunk(chunks, dim)


def unsafe_split(tensor: Tensor, split_size_or_sections, dim: int = 0):
    """``torch.split`` with an int size; ember's views need no unsafe variant."""
    if not isinstance(split_size_or_sections, int):
        raise TypeError("unsafe_split(): argument 'split_size' (position 2) must be int, not "
                        f"{type(split_size_or_sections).__name__}")
    return tensor.split(split_size_or_sections, dim)


def unsafe_split_with_sizes(input: Tensor, split_sizes, dim: int = 0):
    """``torch.split`` with a list of sizes; ember's views need no unsafe variant."""
    return input.split(list(split_sizes), dim)


def set_default_tensor_type(t) -> None:
    """Deprecated: set the default float dtype from a tensor type such as ``torch.DoubleTensor``."""
    warnings.warn("torch.set_default_tensor_type() is deprecated as of PyTorch 2.1, please use "
                  "torch.set_default_dtype() and torch.set_default_device() as alternatives.",
                  UserWarning, stacklevel=2)
    from . import _typed
    if isinstance(t, str):
        name = t.rsplit(".", 1)[-1]
        if name not in _typed_names:
            raise AttributeError(f"module 'torch' has no attribute '{name}'")
        t = getattr(_typed, name)
    dt = getattr(t, "_typed_dtype", None)
    if dt is None:
        raise TypeError(f"invalid type: '{t}'")
    set_default_dtype(dt)


def is_signed(input: Tensor) -> bool:
    """Whether the tensor's dtype can hold negative values."""
    return input.dtype.is_signed


def set_warn_always(b: bool) -> None:
    """Record whether warnings PyTorch gives once should be given every time."""
    _warn_always["on"] = bool(b)


def is_warn_always_enabled() -> bool:
    """The flag ``set_warn_always`` sets."""
    return _warn_always["on"]


def vmap(func, in_dims=0, out_dims=0, randomness: str = "error", *, chunk_size=None):
    """``torch.func.vmap`` (loaded on first use, as ``ember.func`` pulls in ``nn``)."""
    from .func import vmap as func_vmap
    return func_vmap(func, in_dims, out_dims, randomness, chunk_size=chunk_size)


def empty_permuted(size, physical_layout, *, dtype=None, layout=None, device=None,
                   requires_grad: bool = False, pin_memory: bool = False) -> Tensor:
    """An uninitialized tensor of shape ``size`` whose dims lie in memory in the order
    ``physical_layout`` (outermost first): an ``empty`` of the permuted shape, permuted back."""
    size, physical_layout = tuple(size), tuple(physical_layout)
    if len(size) != len(physical_layout):
        raise RuntimeError(f"Number of dimensions in size does not match the length of the "
                           f"physical_layout; i.e. len(size) = {len(size)} is not equal to "
                           f"len(physical_layout) = {len(physical_layout)}")
    from ._creation import empty
    stored = empty([size[d] for d in physical_layout], dtype=dtype, layout=layout, device=device,
                   pin_memory=pin_memory)
    inverse = sorted(range(len(size)), key=physical_layout.__getitem__)
    return stored.permute(*inverse).requires_grad_(requires_grad)
