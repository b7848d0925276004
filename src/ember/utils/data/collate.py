"""Collation: merging a list of samples into a batch, and converting arrays to tensors."""
from __future__ import annotations

import collections.abc
import copy
from typing import Any

import numpy as np

from ... import _creation, _dtype
from ..._tensor import Tensor

__all__ = ["default_collate", "default_convert", "collate", "default_collate_fn_map"]

_COLLATE_ERR = ("default_collate: batch must contain tensors, numpy arrays, numbers, dicts or "
                "lists; found {}")


def _is_text_array(arr: np.ndarray) -> bool:
    # bytes, str, unicode and object arrays have no tensor counterpart
    return arr.dtype.char in "SaUO"


def _is_namedtuple(obj) -> bool:
    return isinstance(obj, tuple) and hasattr(obj, "_fields")


def _array_tensor(arr):
    return _creation.as_tensor(arr)


def collate_tensor_fn(batch, *, collate_fn_map=None):
    """Stack equally shaped tensors along a new first dimension (promoting dtypes)."""
    first = batch[0]._data
    dt = batch[0].dtype
    keep_graph = False
    for i, t in enumerate(batch):
        if t._data.shape != first.shape:
            raise RuntimeError(f"stack expects each tensor to be equal size, but got "
                               f"{list(first.shape)} at entry 0 and {list(t._data.shape)} at "
                               f"entry {i}")
        if t.dtype is not dt:
            dt = _dtype.promote_types(dt, t.dtype)
        keep_graph = keep_graph or t._rg
    if keep_graph:
        from ... import stack  # keep the autograd history of samples that have one
        return stack(batch, 0)
    out = Tensor._xp_of(first).empty((len(batch),) + first.shape, dt.np)
    for i, t in enumerate(batch):  # one copy per sample, straight into the batch
        out[i] = t._data
    return Tensor._make(out, False, None, 0, [0])


def collate_numpy_array_fn(batch, *, collate_fn_map=None):
    """Arrays become tensors, then are stacked."""
    if _is_text_array(batch[0]):
        raise TypeError(_COLLATE_ERR.format(batch[0].dtype))
    return collate([_array_tensor(b) for b in batch], collate_fn_map=collate_fn_map)


def collate_numpy_scalar_fn(batch, *, collate_fn_map=None):
    """NumPy scalars become a 1-D tensor of their own dtype."""
    return _array_tensor(np.asarray(batch))


def collate_float_fn(batch, *, collate_fn_map=None):
    """Python floats become a float64 tensor."""
    return _creation.tensor(batch, dtype=_dtype.float64)


def collate_int_fn(batch, *, collate_fn_map=None):
    """Python ints (and bools) become a tensor of the dtype ``tensor()`` infers."""
    return _creation.tensor(batch)


def collate_str_fn(batch, *, collate_fn_map=None):
    """Strings and bytes stay as they are."""
    return batch


def collate(batch, *, collate_fn_map: dict | None = None):
    """Merge a list of samples using ``collate_fn_map`` (type -> function) for the leaves and
    recursing into mappings, named tuples and sequences."""
    elem = batch[0]
    elem_type = type(elem)
    if collate_fn_map is not None:
        if elem_type in collate_fn_map:
            return collate_fn_map[elem_type](batch, collate_fn_map=collate_fn_map)
        for kind, fn in collate_fn_map.items():
            if isinstance(elem, kind):
                return fn(batch, collate_fn_map=collate_fn_map)
    if isinstance(elem, collections.abc.Mapping):
        merged = {key: collate([d[key] for d in batch], collate_fn_map=collate_fn_map)
                  for key in elem}
        if isinstance(elem, collections.abc.MutableMapping):
            # a shallow copy keeps the mapping's type and any extra state it carries
            clone = copy.copy(elem)
            clone.update(merged)
            return clone
        try:
            return elem_type(merged)
        except TypeError:
            return merged
    if _is_namedtuple(elem):
        return elem_type(*(collate(s, collate_fn_map=collate_fn_map)
                           for s in zip(*batch)))
    if isinstance(elem, collections.abc.Sequence):
        size = len(elem)
        if any(len(e) != size for e in batch):
            raise RuntimeError("each element in list of batch should be of equal size")
        columns = [collate(s, collate_fn_map=collate_fn_map) for s in zip(*batch)]
        if isinstance(elem, tuple):
            return columns
        if isinstance(elem, collections.abc.MutableSequence):
            clone = copy.copy(elem)
            clone[:] = columns
            return clone
        try:
            return elem_type(columns)
        except TypeError:
            return columns
    raise TypeError(_COLLATE_ERR.format(elem_type))


# leaf types and how to batch them; user code may copy and extend this table
default_collate_fn_map: dict = {
    Tensor: collate_tensor_fn,
    np.ndarray: collate_numpy_array_fn,
    (np.bool_, np.number, np.object_): collate_numpy_scalar_fn,
    float: collate_float_fn,
    int: collate_int_fn,
    str: collate_str_fn,
    bytes: collate_str_fn,
}


def default_collate(batch: list) -> Any:
    """Merge samples into a batch: tensors, arrays and numbers are stacked into tensors with a
    new first dimension; dicts, tuples and lists are collated field by field."""
    return collate(batch, collate_fn_map=default_collate_fn_map)


def default_convert(data: Any) -> Any:
    """Turn NumPy arrays and scalars into tensors, recursing into containers; no batching."""
    if isinstance(data, Tensor):
        return data
    if isinstance(data, np.ndarray):
        return data if _is_text_array(data) else _array_tensor(data)
    if isinstance(data, (np.bool_, np.number)):
        return _array_tensor(np.asarray(data))
    if isinstance(data, collections.abc.Mapping):
        converted = {k: default_convert(v) for k, v in data.items()}
        if isinstance(data, collections.abc.MutableMapping):
            clone = copy.copy(data)
            clone.update(converted)
            return clone
        try:
            return type(data)(converted)
        except TypeError:
            return converted
    if _is_namedtuple(data):
        return type(data)(*(default_convert(d) for d in data))
    if isinstance(data, tuple):
        return [default_convert(d) for d in data]
    if isinstance(data, collections.abc.Sequence) and not isinstance(data, (str, bytes)):
        converted = [default_convert(d) for d in data]
        if isinstance(data, collections.abc.MutableSequence):
            clone = copy.copy(data)
            clone[:] = converted
            return clone
        try:
            return type(data)(converted)
        except TypeError:
            return converted
    return data

