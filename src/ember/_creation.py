"""Tensor factories: tensor, as_tensor, from_numpy, zeros/ones/full/empty, arange, linspace …"""
from __future__ import annotations

import math
import numbers

import numpy as np

from . import _dtype as D
from ._device import CPU, array_module, canonical, device_of_array, move_array
from ._tensor import Size, Tensor

__all__ = ["tensor", "as_tensor", "asarray", "from_numpy", "zeros", "ones", "full", "empty",
           "zeros_like", "ones_like", "full_like", "empty_like", "arange", "range", "linspace",
           "logspace", "eye", "scalar_tensor", "empty_strided", "frombuffer"]

_builtin_range = range


def _infer_dtype(data):
    """The dtype PyTorch infers for nested Python data."""
    cat = -1
    stack = [data]
    seen_tensor_dtype = None
    while stack:
        x = stack.pop()
        if isinstance(x, bool) or isinstance(x, np.bool_):
            cat = max(cat, 0)
        elif isinstance(x, numbers.Integral):
            cat = max(cat, 1)
        elif isinstance(x, numbers.Real):
            cat = max(cat, 2)
        elif isinstance(x, numbers.Complex):
            cat = max(cat, 3)
        elif isinstance(x, Tensor):
            d = x.dtype
            seen_tensor_dtype = d if seen_tensor_dtype is None else \
                D.promote_types(seen_tensor_dtype, d)
            cat = max(cat, d.category)
        elif isinstance(x, np.ndarray):
            d = D.from_numpy_dtype(x.dtype)
            seen_tensor_dtype = d if seen_tensor_dtype is None else \
                D.promote_types(seen_tensor_dtype, d)
            cat = max(cat, d.category)
        elif isinstance(x, (list, tuple)):
            stack.extend(x)
        else:
            raise TypeError(f"Could not infer dtype of {type(x).__name__}")
    if seen_tensor_dtype is not None and seen_tensor_dtype.category == cat:
        return seen_tensor_dtype
    if cat == -1:
        return D.get_default_dtype()
    return D.default_for_category(cat)


def _to_array(data, dtype: D.dtype | None = None) -> np.ndarray:
    """A NumPy array (a new one) holding ``data``, in ``dtype`` or the inferred dtype."""
    if isinstance(data, Tensor):
        arr = move_array(data._data, CPU)
        return arr.astype(dtype.np) if dtype is not None else arr.copy()
    if isinstance(data, np.ndarray):
        if dtype is None:
            dtype = D.from_numpy_dtype(data.dtype)
        return np.array(data, dtype=dtype.np)
    if dtype is None:
        dtype = _infer_dtype(data)
    if isinstance(data, (list, tuple)):
        data = _flatten_tensors(data)
        _check_ragged(data)
    elif not isinstance(data, (numbers.Number, np.generic)):
        if hasattr(data, "__array__"):
            return np.array(data, dtype=dtype.np)
        raise TypeError(f"new(): data must be a sequence (got {type(data).__name__})")
    return np.array(data, dtype=dtype.np)


def _flatten_tensors(data):
    """Replace tensors inside nested lists with their values."""
    if isinstance(data, (list, tuple)):
        return [_flatten_tensors(x) for x in data]
    if isinstance(data, Tensor):
        if data._data.ndim == 0:
            return data.item()
        return move_array(data._data, CPU).tolist()
    return data


def _check_ragged(data, depth=0):
    if not isinstance(data, list) or not data:
        return
    first = data[0]
    if isinstance(first, list):
        n = len(first)
        for x in data:
            if not isinstance(x, list) or len(x) != n:
                got = len(x) if isinstance(x, list) else type(x).__name__
                raise ValueError(f"expected sequence of length {n} at dim {depth + 1} "
                                 f"(got {got})")
            _check_ragged(x, depth + 1)
    else:
        for x in data:
            if isinstance(x, list):
                raise ValueError(f"expected sequence of length {len(x)} at dim {depth + 1} "
                                 f"(got {type(first).__name__})")


def _finish(arr, device, requires_grad):
    if device is not None:
        dev = canonical(device)
        if dev is not CPU:
            arr = move_array(arr, dev)
    t = Tensor._make(arr, False, None, 0, [0])
    if requires_grad:
        t.requires_grad = True
    return t


def tensor(data, *, dtype=None, device=None, requires_grad=False, pin_memory=False) -> Tensor:
    """A new tensor copying ``data`` (nested lists, numbers, arrays, tensors)."""
    dt = D.to_dtype(dtype) if dtype is not None else None
    return _finish(_to_array(data, dt), device, requires_grad)


def as_tensor(data, dtype=None, device=None) -> Tensor:
    """Like ``tensor`` but shares memory with a tensor or NumPy array when it can."""
    dt = D.to_dtype(dtype) if dtype is not None else None
    if isinstance(data, Tensor):
        return data.to(device=device, dtype=dt) if (dt or device) else data
    if isinstance(data, np.ndarray) and (dt is None or dt.np == data.dtype):
        D.from_numpy_dtype(data.dtype)
        return _finish(data, device, False)
    return tensor(data, dtype=dt, device=device)


def asarray(obj, *, dtype=None, device=None, copy=None, requires_grad=False) -> Tensor:
    """``as_tensor`` with an explicit ``copy`` choice."""
    t = tensor(obj, dtype=dtype, device=device) if copy else as_tensor(obj, dtype, device)
    if requires_grad:
        t.requires_grad_()
    return t


def from_numpy(ndarray: np.ndarray) -> Tensor:
    """A tensor sharing memory with a NumPy array."""
    if not isinstance(ndarray, np.ndarray):
        raise TypeError(f"expected np.ndarray (got {type(ndarray).__name__})")
    D.from_numpy_dtype(ndarray.dtype)
    if ndarray.dtype.kind == "u" and ndarray.dtype != np.uint8:
        raise TypeError(f"can't convert np.ndarray of type numpy.{ndarray.dtype}. The only "
                        "supported types are: float64, float32, float16, complex64, "
                        "complex128, int64, int32, int16, int8, uint8, and bool.")
    return Tensor._make(ndarray, False, None, 0, [0])


def frombuffer(buffer, *, dtype, count=-1, offset=0, requires_grad=False) -> Tensor:
    """A 1-D tensor over a Python buffer (shares its memory)."""
    arr = np.frombuffer(buffer, dtype=D.to_dtype(dtype).np, count=count, offset=offset)
    return _finish(arr, None, requires_grad)


def _size(size):
    if len(size) == 1 and isinstance(size[0], (tuple, list, Size)):
        size = size[0]
    out = []
    for s in size:
        if isinstance(s, Tensor):
            s = int(s.item())
        if not isinstance(s, (int, np.integer)):
            raise TypeError(f"empty(): argument 'size' must be tuple of ints, but found element "
                            f"of type {type(s).__name__}")
        if s < 0:
            raise RuntimeError(f"Trying to create tensor with negative dimension {s}: "
                               f"[{', '.join(str(x) for x in size)}]")
        out.append(int(s))
    return tuple(out)


def _xp_for(device):
    if device is None:
        return np, None
    dev = canonical(device)
    return array_module(dev), dev


def _factory(fill):
    def fn(*size, out=None, dtype=None, layout=None, device=None, requires_grad=False,
           pin_memory=False, memory_format=None):
        shape = _size(size)
        dt = D.to_dtype(dtype) if dtype is not None else D.get_default_dtype()
        xp, _ = _xp_for(device)
        arr = fill(xp, shape, dt.np)
        t = Tensor._make(arr, False, None, 0, [0])
        if requires_grad:
            t.requires_grad = True
        return t
    return fn


zeros = _factory(lambda xp, s, d: xp.zeros(s, dtype=d))
zeros.__name__, zeros.__doc__ = "zeros", "A tensor of zeros of the given size."
ones = _factory(lambda xp, s, d: xp.ones(s, dtype=d))
ones.__name__, ones.__doc__ = "ones", "A tensor of ones of the given size."
empty = _factory(lambda xp, s, d: xp.empty(s, dtype=d))
empty.__name__, empty.__doc__ = "empty", "An uninitialised tensor of the given size."


def empty_strided(size, stride, *, dtype=None, device=None, requires_grad=False):
    return empty(*size, dtype=dtype, device=device, requires_grad=requires_grad)


def full(size, fill_value, *, out=None, dtype=None, layout=None, device=None,
         requires_grad=False, pin_memory=False) -> Tensor:
    """A tensor of ``size`` filled with ``fill_value`` (dtype inferred from it)."""
    shape = _size((size,) if isinstance(size, (int, np.integer)) else tuple(size))
    if isinstance(fill_value, Tensor):
        fill_value = fill_value.item()
    dt = D.to_dtype(dtype) if dtype is not None else \
        D.default_for_category(D.scalar_category(fill_value))
    xp, _ = _xp_for(device)
    return _finish(xp.full(shape, fill_value, dtype=dt.np), None, requires_grad)


def scalar_tensor(s, *, dtype=None, device=None, requires_grad=False) -> Tensor:
    """A 0-D tensor holding ``s`` (default float dtype)."""
    dt = D.to_dtype(dtype) if dtype is not None else D.get_default_dtype()
    return _finish(np.asarray(s, dtype=dt.np), device, requires_grad)


def _like(fill_name):
    def fn(input, *, dtype=None, layout=None, device=None, requires_grad=False,
           memory_format=None):
        dt = D.to_dtype(dtype) if dtype is not None else input.dtype
        xp = Tensor._xp_of(input._data) if device is None else _xp_for(device)[0]
        arr = getattr(xp, fill_name)(input._data.shape, dtype=dt.np)
        t = Tensor._make(arr, False, None, 0, [0])
        if requires_grad:
            t.requires_grad = True
        return t
    fn.__name__ = fill_name + "_like"
    fn.__doc__ = f"``{fill_name}`` with the shape (and by default dtype/device) of ``input``."
    return fn


zeros_like = _like("zeros")
ones_like = _like("ones")
empty_like = _like("empty")


def full_like(input, fill_value, *, dtype=None, layout=None, device=None, requires_grad=False,
              memory_format=None) -> Tensor:
    """``full`` with the shape (and by default dtype/device) of ``input``."""
    dt = D.to_dtype(dtype) if dtype is not None else input.dtype
    xp = Tensor._xp_of(input._data) if device is None else _xp_for(device)[0]
    return _finish(xp.full(input._data.shape, fill_value, dtype=dt.np), None, requires_grad)


def arange(start=0, end=None, step=1, *, out=None, dtype=None, layout=None, device=None,
           requires_grad=False) -> Tensor:
    """Values ``start, start+step, …`` below ``end`` (int64 for integer arguments)."""
    if end is None:
        start, end = 0, start
    vals = [v.item() if isinstance(v, Tensor) else v for v in (start, end, step)]
    start, end, step = vals
    if step == 0:
        raise RuntimeError("step must be nonzero")
    if (end - start) * step < 0:
        raise RuntimeError(f"upper bound and larger bound inconsistent with step sign")
    if dtype is not None:
        dt = D.to_dtype(dtype)
    elif all(isinstance(v, (int, np.integer)) for v in vals):
        dt = D.int64
    else:
        dt = D.get_default_dtype()
    n = max(0, math.ceil((end - start) / step))
    xp, _ = _xp_for(device)
    if dt.category >= 2:
        arr = (start + step * xp.arange(n, dtype=np.float64)).astype(dt.np)
    else:
        arr = xp.arange(start, start + n * step, step, dtype=dt.np)[:n]
    return _finish(arr, None, requires_grad)


def range(start=0, end=None, step=1, *, dtype=None, device=None, requires_grad=False):
    """Deprecated inclusive ``arange`` kept for old code (float dtype)."""
    if end is None:
        start, end = 0, start
    n = int(math.floor((end - start) / step)) + 1
    dt = D.to_dtype(dtype) if dtype is not None else D.get_default_dtype()
    arr = (start + step * np.arange(n, dtype=np.float64)).astype(dt.np)
    return _finish(arr, device, requires_grad)


def linspace(start, end, steps, *, out=None, dtype=None, layout=None, device=None,
             requires_grad=False) -> Tensor:
    """``steps`` evenly spaced values from ``start`` to ``end`` inclusive."""
    if not isinstance(steps, (int, np.integer)):
        raise TypeError(f"linspace(): argument 'steps' must be int, not {type(steps).__name__}")
    if steps < 0:
        raise RuntimeError("linspace(): number of steps must be non-negative")
    start = start.item() if isinstance(start, Tensor) else start
    end = end.item() if isinstance(end, Tensor) else end
    dt = D.to_dtype(dtype) if dtype is not None else D.get_default_dtype()
    xp, _ = _xp_for(device)
    arr = xp.linspace(start, end, steps, dtype=np.float64)
    if dt.category < 2:
        arr = np.trunc(arr)
    return _finish(arr.astype(dt.np), None, requires_grad)


def logspace(start, end, steps, base=10.0, *, out=None, dtype=None, layout=None, device=None,
             requires_grad=False) -> Tensor:
    """``base ** linspace(start, end, steps)``."""
    dt = D.to_dtype(dtype) if dtype is not None else D.get_default_dtype()
    xp, _ = _xp_for(device)
    arr = base ** xp.linspace(start, end, steps, dtype=np.float64)
    return _finish(arr.astype(dt.np), None, requires_grad)


def eye(n, m=None, *, out=None, dtype=None, layout=None, device=None,
        requires_grad=False) -> Tensor:
    """An ``n x m`` identity matrix."""
    if n < 0:
        raise RuntimeError(f"n must be greater or equal to 0, got {n}")
    dt = D.to_dtype(dtype) if dtype is not None else D.get_default_dtype()
    xp, _ = _xp_for(device)
    return _finish(xp.eye(n, m, dtype=dt.np), None, requires_grad)


_ = device_of_array
