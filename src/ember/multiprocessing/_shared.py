"""Tensor storage in POSIX shared memory, and the reducer that sends tensors through queues.

``share_memory_`` moves a tensor's array into a ``multiprocessing.shared_memory`` segment.
Pickled by a multiprocessing queue or pipe, a shared tensor travels as the segment's name and
its place in it; the receiving process maps the same segment, so both update one storage.
A segment made by ``share_memory_`` is unlinked by its creator when its array is collected
or the process exits. A tensor that is not shared yet when it is sent (a DataLoader batch)
gets a segment handed to the receiver, which unlinks its name on arrival (the sender may be
gone by then); sending such a tensor on again copies it into a fresh segment. Mappings live
on in every process until it exits.
"""
from __future__ import annotations

import os
import weakref
from multiprocessing import resource_tracker, shared_memory
from multiprocessing.reduction import ForkingPickler

import numpy as np

from .._tensor import Tensor

_segments: dict = {}  # id(array over a segment) -> its SharedMemory (while the array lives)
_attached: dict = {}  # segment name -> SharedMemory this process mapped
_handed: dict = {}  # segment name -> False until the segment is sent (then the receiver owns it)


def _owner(arr):
    """The registered shared array ``arr`` is (or views), else None."""
    while arr is not None:
        if id(arr) in _segments and _segments[id(arr)][0]() is arr:
            return arr
        arr = arr.base if isinstance(arr.base, np.ndarray) else None
    return None


def _register(arr, shm) -> None:
    key = id(arr)
    _segments[key] = (weakref.ref(arr), shm)
    weakref.finalize(arr, _segments.pop, key, None)


def is_shared(tensor) -> bool:
    """Whether ``tensor``'s values live in a shared memory segment."""
    return type(tensor._data) is np.ndarray and _owner(tensor._data) is not None


def share_memory_(tensor, handoff: bool = False):
    """Move ``tensor``'s values into a new shared memory segment (once); returns ``tensor``.

    With ``handoff`` the segment's name is left for the process it is sent to to unlink."""
    if tensor.device.type != "cpu":
        raise RuntimeError(f"share_memory_: ember shares CPU tensors only, got {tensor.device}")
    if is_shared(tensor):
        return tensor
    old = tensor._data
    shm = shared_memory.SharedMemory(create=True, size=max(old.nbytes, 1))
    arr = np.ndarray(old.shape, old.dtype, buffer=shm.buf)
    arr[...] = old
    _register(arr, shm)
    if handoff:
        _handed[shm.name] = False
    else:
        weakref.finalize(arr, _unlink, shm)
    tensor._data = arr
    return tensor


def _unlink(shm) -> None:
    try:
        shm.unlink()
    except FileNotFoundError:
        pass


def _attach(name: str, owner: bool):
    """The segment ``name`` mapped into this process (once); an ``owner`` unlinks its name."""
    shm = _attached.get(name)
    if shm is None:
        shm = _attached[name] = shared_memory.SharedMemory(name=name)
        if owner:
            shm.unlink()
            _handed[name] = True  # sent on from here, the values need a fresh segment
    return shm


def _rebuild_shared(name, offset, shape, strides, dtype, requires_grad, is_param, owner):
    shm = _attach(name, owner)
    arr = np.ndarray(shape, dtype, buffer=shm.buf, offset=offset, strides=strides)
    _register(arr, shm)
    t = Tensor._make(arr, False, None, 0, [0])
    if is_param:
        from ..nn.parameter import Parameter
        return Parameter(t, requires_grad)
    return t.requires_grad_(requires_grad)


def reduce_tensor(tensor):
    """Pickle ``tensor`` for another process as a reference to its shared segment."""
    if tensor.device.type != "cpu" or type(tensor._data) is not np.ndarray:
        return tensor.__reduce_ex__(2)
    if _handed.get(_segment_name(tensor)):
        # the segment's name is unlinked already: send the values in a fresh segment
        tensor._data = tensor._data.copy()
    share_memory_(tensor, handoff=True)
    arr = tensor._data
    owner = _owner(arr)
    shm = _segments[id(owner)][1]
    handoff = shm.name in _handed
    if handoff:
        _handed[shm.name] = True
    offset = arr.__array_interface__["data"][0] - owner.__array_interface__["data"][0]
    return _rebuild_shared, (shm.name, offset, arr.shape, arr.strides, arr.dtype.str,
                             tensor.requires_grad, type(tensor) is not Tensor, handoff)


def _segment_name(tensor):
    """The name of the segment ``tensor`` lives in, or None."""
    owner = _owner(tensor._data) if type(tensor._data) is np.ndarray else None
    return None if owner is None else _segments[id(owner)][1].name


def init_reductions() -> None:
    """Make multiprocessing's queues and pipes send ember tensors through shared memory."""
    from ..nn.parameter import Parameter
    for cls in (Tensor, Parameter):
        ForkingPickler.register(cls, reduce_tensor)
    # A queue's feeder thread registers segments with the resource tracker under its lock; a
    # fork at that moment would give the child a lock nobody releases, and the child would
    # hang on its first shared tensor. Holding the lock across fork rules that out.
    lock = resource_tracker._resource_tracker._lock
    os.register_at_fork(before=lock.acquire, after_in_parent=lock.release,
                        after_in_child=lock.release)
