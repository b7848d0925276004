"""nn.Parameter (a tensor a Module registers as learnable), nn.Buffer, and lazy parameters."""
from __future__ import annotations

import numpy as np

from .. import _dtype as D
from .._tensor import Tensor

__all__ = ["Parameter", "Buffer", "UninitializedParameter", "UninitializedBuffer", "is_lazy"]

_new = object.__new__


def _empty(dtype=None) -> Tensor:
    dt = D.get_default_dtype() if dtype is None else D.to_dtype(dtype)
    return Tensor._make(np.empty((0,), dtype=dt.np), False, None, 0, [0])


class Parameter(Tensor):
    """A tensor that a ``Module`` registers as a parameter when assigned as an attribute.

    It shares memory (and version counter) with ``data``; ``requires_grad`` defaults to True.
    """

    __slots__ = ()

    def __new__(cls, data: Tensor | None = None, requires_grad: bool = True):
        if data is None:
            data = _empty()
        p = _new(cls)
        p._init(data._data)
        p._vc = data._vc
        p.requires_grad = requires_grad  # the setter refuses integer dtypes, as torch does
        return p

    def __init__(self, data: Tensor | None = None, requires_grad: bool = True):
        pass  # everything happens in __new__; Tensor.__init__ must not run again

    def __repr__(self):
        return "Parameter containing:\n" + super().__repr__()


class _BufferMeta(type):
    # A Buffer is a plain Tensor flagged for registration: isinstance looks at the flag.
    def __instancecheck__(cls, obj):
        if cls is Buffer:
            return isinstance(obj, Tensor) and getattr(obj, "_is_buffer", False)
        return super().__instancecheck__(obj)


class Buffer(Tensor, metaclass=_BufferMeta):
    """Marks a tensor to be registered as a buffer when assigned to a Module attribute.

    ``Buffer(data, persistent=False)`` keeps it out of the ``state_dict``.
    """

    __slots__ = ()

    def __new__(cls, data: Tensor | None = None, *, persistent: bool = True):
        if data is None:
            data = _empty()
        t = data.detach()
        t._rg = data.requires_grad
        t.persistent = persistent
        t._is_buffer = True
        return t


class _Uninitialized:
    """What lazy parameters and buffers share: no shape yet, ``materialize`` gives one."""

    __slots__ = ()
    cls_to_become: type = Tensor

    def materialize(self, shape, device=None, dtype=None) -> None:
        """Give the tensor its shape (uninitialised values) and make it an ordinary one."""
        dt = self._data.dtype if dtype is None else D.to_dtype(dtype).np
        self._data = np.empty(tuple(shape), dtype=dt)
        self.__class__ = self.cls_to_become

    def __repr__(self):
        return f"<{type(self).__name__}>"


class UninitializedParameter(_Uninitialized, Parameter):
    """A parameter whose shape is not known yet (lazy modules)."""

    __slots__ = ()
    cls_to_become = Parameter

    def __new__(cls, requires_grad: bool = True, device=None, dtype=None):
        return Parameter.__new__(cls, _empty(dtype), requires_grad)

    def __init__(self, requires_grad: bool = True, device=None, dtype=None):
        pass


class UninitializedBuffer(_Uninitialized, Tensor):
    """A buffer whose shape is not known yet (lazy modules)."""

    __slots__ = ()
    cls_to_become = Tensor

    def __new__(cls, requires_grad: bool = False, device=None, dtype=None):
        b = _new(cls)
        b._init(_empty(dtype)._data, requires_grad)
        return b

    def __init__(self, requires_grad: bool = False, device=None, dtype=None):
        pass


def is_lazy(param) -> bool:
    """Whether ``param`` is a not-yet-materialised lazy parameter or buffer."""
    return isinstance(param, _Uninitialized)
