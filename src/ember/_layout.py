"""Layouts and memory formats: the ``torch.strided`` / ``torch.channels_last`` style
constants that code passes to factories and conversions.

Every ember tensor is strided and row-major; the memory formats are accepted wherever
PyTorch takes them and leave the data as it is."""
from __future__ import annotations

__all__ = ["layout", "memory_format", "strided", "sparse_coo", "sparse_csr", "sparse_csc",
           "sparse_bsr", "sparse_bsc", "jagged", "contiguous_format", "preserve_format",
           "channels_last", "channels_last_3d"]


class _Named:
    """A named constant that prints as ``torch.<name>`` and pickles by name."""

    __slots__ = ("name",)
    _registry: dict = {}

    def __init__(self, name: str) -> None:
        self.name = name
        type(self)._registry[name] = self

    def __repr__(self) -> str:
        return f"torch.{self.name}"

    def __reduce__(self):
        return self.name


class layout(_Named):
    """How a tensor's elements are stored (strided, or one of the sparse formats)."""

    __slots__ = ()
    _registry: dict = {}


class memory_format(_Named):
    """The order in which a dense tensor's dimensions are laid out in memory."""

    __slots__ = ()
    _registry: dict = {}


strided = layout("strided")
sparse_coo = layout("sparse_coo")
sparse_csr = layout("sparse_csr")
sparse_csc = layout("sparse_csc")
sparse_bsr = layout("sparse_bsr")
sparse_bsc = layout("sparse_bsc")
jagged = layout("jagged")

contiguous_format = memory_format("contiguous_format")
preserve_format = memory_format("preserve_format")
channels_last = memory_format("channels_last")
channels_last_3d = memory_format("channels_last_3d")
