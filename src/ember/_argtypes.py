"""How PyTorch names a wrong argument type, and the error for a real PyTorch tensor.

PyTorch's argument parser names a type by its C-level ``tp_name``: ``numpy.ndarray``,
``list``, ``Tensor``. A real ``torch.Tensor`` reaching ember (a script that imports
ember as ``torch`` and also real ``torch.nn``) gets its own message, since "must be
Tensor, not Tensor" would not help anyone.
"""
from __future__ import annotations

import functools
import inspect

import numpy as np

__all__ = ["type_name", "is_real_torch", "not_tensor_error", "real_torch_error",
           "guard_namespace", "accept_axis"]

_HEAPTYPE = 1 << 9  # Py_TPFLAGS_HEAPTYPE: classes written in Python


def type_name(obj) -> str:
    """The type name PyTorch prints for ``obj`` (its ``tp_name``: ``numpy.ndarray``, ``list``)."""
    cls = type(obj)
    if cls.__flags__ & _HEAPTYPE or cls.__module__ == "builtins":
        return cls.__name__
    return f"{cls.__module__}.{cls.__name__}"


def is_real_torch(obj) -> bool:
    """Whether ``obj`` is a real PyTorch tensor (checked without importing torch).

    Its class derives from ``torch._C.TensorBase``; ember's own classes only borrow
    torch's public names for printing, never ``torch._C``.
    """
    return any(k.__module__ == "torch._C" for k in type(obj).__mro__)


def real_torch_error(obj, where: str = "ember") -> TypeError:
    """The error for a real PyTorch tensor handed to ember (``where``: who received it)."""
    return TypeError(
        f"{where} received a real PyTorch tensor ({type(obj).__module__}."
        f"{type(obj).__qualname__}), not an ember one: the two cannot be mixed. This happens "
        "when a script imports ember as torch but also imports real PyTorch (e.g. `import "
        "torch.nn as nn`). Run the unmodified script with `python -m ember.run script.py` so "
        "that every torch import is served by ember.")


def not_tensor_error(fname: str, arg: str, pos: int | None, obj) -> TypeError:
    """PyTorch's ``fname(): argument 'arg' (position N) must be Tensor, not T`` error."""
    if is_real_torch(obj):
        return real_torch_error(obj, f"{fname}(): argument '{arg}'")
    where = "" if pos is None else f" (position {pos})"
    return TypeError(f"{fname}(): argument '{arg}'{where} must be Tensor, not {type_name(obj)}")


# what a beginner hands to ``torch.sum(...)`` in place of a tensor: refused up front, as
# torch refuses it (numbers still reach the ops, some of which take them)
_NOT_TENSORS = (np.ndarray, list, tuple)


def guard_namespace(namespace: dict) -> None:
    """Wrap the public functions of a torch-like namespace whose first parameter is
    ``input`` so that an array, a list or a real PyTorch tensor there raises torch's
    TypeError (the call path pays one ``isinstance`` for a tensor argument)."""
    from ._tensor import Tensor
    for name, fn in list(namespace.items()):
        if name.startswith("_") or not inspect.isfunction(fn) or hasattr(fn, "__wrapped__"):
            continue
        params = list(inspect.signature(fn).parameters)
        if not params or params[0] != "input":
            namespace[name] = accept_axis(fn)  # cat(tensors, axis=…) and the like
            continue
        namespace[name] = _first_tensor(fn, name, Tensor)


def _first_tensor(fn, name: str, tensor_cls):
    takes_dim = "dim" in inspect.signature(fn).parameters

    def checked(*args, **kwargs):
        if args and not isinstance(args[0], tensor_cls) and \
                (isinstance(args[0], _NOT_TENSORS) or is_real_torch(args[0])):
            raise not_tensor_error(name, "input", 1, args[0])
        if kwargs and takes_dim and "axis" in kwargs:
            kwargs["dim"] = kwargs.pop("axis")
        return fn(*args, **kwargs)
    return functools.wraps(fn)(checked)


def accept_axis(fn):
    """``fn`` also accepting NumPy's ``axis=`` for its ``dim`` parameter, as PyTorch's
    argument parser does (``fn`` itself when it has no ``dim``)."""
    try:
        if "dim" not in inspect.signature(fn).parameters:
            return fn
    except (TypeError, ValueError):
        return fn

    def with_axis(*args, **kwargs):
        if kwargs and "axis" in kwargs:
            kwargs["dim"] = kwargs.pop("axis")
        return fn(*args, **kwargs)
    return functools.wraps(fn)(with_axis)
