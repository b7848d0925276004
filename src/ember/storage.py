"""Storages: the flat memory behind tensors. ``t.untyped_storage()`` is its bytes and
``t.storage()`` (deprecated in PyTorch) the same memory seen as elements of ``t``'s dtype.
Both share memory with the tensor and every view of it."""
from __future__ import annotations

import warnings

import numpy as np

__all__ = ["UntypedStorage", "TypedStorage"]


def _root(array):
    """The array that owns the memory ``array`` views (through NumPy's ``base`` chain)."""
    while isinstance(getattr(array, "base", None), type(array)):
        array = array.base
    return array


class UntypedStorage:
    """The bytes of a tensor's memory."""

    def __init__(self, array) -> None:
        root = _root(array)
        self._array = root.reshape(-1).view(np.uint8) if root.flags.c_contiguous else \
            np.ascontiguousarray(root).reshape(-1).view(np.uint8)

    @property
    def device(self):
        from ._device import CPU
        return CPU

    def nbytes(self) -> int:
        """Size in bytes."""
        return int(self._array.size)

    def size(self) -> int:
        """Size in bytes (an untyped storage counts bytes)."""
        return self.nbytes()

    __len__ = size

    def element_size(self) -> int:
        """One byte."""
        return 1

    def __sizeof__(self) -> int:
        return object.__sizeof__(self) + self.nbytes()

    def data_ptr(self) -> int:
        """The address of the first byte."""
        return int(self._array.__array_interface__["data"][0])

    @classmethod
    def from_file(cls, filename, shared: bool = False, nbytes: int = 0) -> "UntypedStorage":
        """``nbytes`` bytes of a file, memory-mapped: writes reach the file when ``shared``,
        else they stay private to this storage (copy-on-write)."""
        array = np.memmap(filename, dtype=np.uint8, mode="r+" if shared else "c",
                          shape=(int(nbytes),) if nbytes else None)
        out = cls.__new__(cls)
        out._array = array
        return out

    def untyped(self) -> "UntypedStorage":
        """Itself (a typed storage's ``untyped()`` gives its bytes)."""
        return self

    def __getitem__(self, index):
        if isinstance(index, slice):  # a storage over the same bytes, as torch's
            out = type(self).__new__(type(self))
            out._array = self._array[index]
            return out
        return int(self._array[index])

    def tolist(self) -> list:
        """The bytes as Python ints."""
        return self._array.tolist()

    def is_shared(self) -> bool:
        """Whether the memory is shared between processes."""
        return False

    def __repr__(self) -> str:
        body = "\n".join(f" {v}" for v in self._array[:20].tolist())
        more = "\n ..." if self._array.size > 20 else ""
        return f"{body}{more}\n[torch.storage.UntypedStorage(device=cpu) of size " \
            f"{self._array.size}]"


class TypedStorage:
    """A tensor's memory as elements of its dtype."""

    def __init__(self, tensor) -> None:
        self._tensor_dtype = tensor.dtype
        root = _root(tensor._data)
        self._array = root.reshape(-1) if root.flags.c_contiguous else root.ravel()

    @property
    def dtype(self):
        return self._tensor_dtype

    @property
    def device(self):
        from ._device import CPU
        return CPU

    def size(self) -> int:
        """Number of elements."""
        return int(self._array.size)

    __len__ = size

    def element_size(self) -> int:
        """Bytes per element."""
        return int(self._array.itemsize)

    def nbytes(self) -> int:
        """Size in bytes."""
        return int(self._array.nbytes)

    def __sizeof__(self) -> int:
        return object.__sizeof__(self) + self.nbytes()

    def data_ptr(self) -> int:
        """The address of the first element."""
        return int(self._array.__array_interface__["data"][0])

    @classmethod
    def from_file(cls, filename, shared: bool = False, nbytes: int = 0) -> "UntypedStorage":
        """``nbytes`` bytes of a file, memory-mapped: writes reach the file when ``shared``,
        else they stay private to this storage (copy-on-write)."""
        array = np.memmap(filename, dtype=np.uint8, mode="r+" if shared else "c",
                          shape=(int(nbytes),) if nbytes else None)
        out = cls.__new__(cls)
        out._array = array
        return out

    def untyped(self) -> "UntypedStorage":
        """Itself (a typed storage's ``untyped()`` gives its bytes)."""
        return self

    def __getitem__(self, index):
        if isinstance(index, slice):  # a storage over the same bytes, as torch's
            out = type(self).__new__(type(self))
            out._array = self._array[index]
            return out
        return int(self._array[index])

    def tolist(self) -> list:
        """The elements as Python numbers."""
        return self._array.tolist()

    def is_shared(self) -> bool:
        """Whether the memory is shared between processes."""
        return False

    def __repr__(self) -> str:
        body = "\n".join(f" {v}" for v in self._array[:20].tolist())
        more = "\n ..." if self._array.size > 20 else ""
        return f"{body}{more}\n[torch.storage.TypedStorage(dtype={self._tensor_dtype}, " \
            f"device=cpu) of size {self._array.size}]"


_warned = [False]


def typed_storage_of(tensor) -> TypedStorage:
    """``tensor.storage()``, with PyTorch's one-time deprecation warning."""
    if not _warned[0]:
        _warned[0] = True
        warnings.warn("TypedStorage is deprecated. It will be removed in the future and "
                      "UntypedStorage will be the only storage class. This should only matter "
                      "to you if you are using storages directly.  To access UntypedStorage "
                      "directly, use tensor.untyped_storage() instead of tensor.storage()",
                      UserWarning, stacklevel=3)
    return TypedStorage(tensor)
