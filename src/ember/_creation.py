"""Tensor factories: tensor, as_tensor, from_numpy, zeros/ones/full/empty, arange, linspace …"""
from __future__ import annotations

import math
import numbers
import warnings

import numpy as np

from . import _dtype as D
from ._device import CPU, _default_device, array_module, canonical, move_array
from ._tensor import Size, Tensor

__all__ = ["tensor", "as_tensor", "asarray", "from_numpy", "zeros", "ones", "full", "empty",
           "zeros_like", "ones_like", "full_like", "empty_like", "arange", "range", "linspace",
           "logspace", "eye", "scalar_tensor", "empty_strided", "frombuffer"]

_builtin_range = range


def _element_dtype(x) -> D.dtype:
    """The dtype one leaf of nested data contributes: its own for tensors and NumPy values,
    the default of its kind for a Python number."""
    if isinstance(x, Tensor):
        return x.dtype
    if isinstance(x, (np.ndarray, np.generic)):
        return D.from_numpy_dtype(x.dtype)
    if isinstance(x, bool):
        return D.bool
    if isinstance(x, numbers.Integral):
        return D.int64
    if isinstance(x, numbers.Real):
        return D.get_default_dtype()
    if isinstance(x, numbers.Complex):
        return D.default_for_category(3)
    raise TypeError(f"new(): invalid data type '{type(x).__name__}'")


def _infer_dtype(data) -> D.dtype:
    """The dtype PyTorch infers for (nested) data: the promotion of its leaves' dtypes."""
    result = None
    stack = [data]
    while stack:
        x = stack.pop()
        if isinstance(x, (list, tuple)):
            stack.extend(x)
            continue
        d = _element_dtype(x)
        result = d if result is None else D.promote_types(result, d)
    return D.get_default_dtype() if result is None else result


def _to_array(data, dtype: D.dtype | None = None) -> np.ndarray:
    """A NumPy array (a new one) holding ``data``, in ``dtype`` or the inferred dtype."""
    if isinstance(data, Tensor):
        arr = move_array(data._data, CPU)
        return arr.astype(dtype.np) if dtype is not None else arr.copy()
    if isinstance(data, np.ndarray):
        return np.array(data, dtype=(dtype or D.from_numpy_dtype(data.dtype)).np)
    if dtype is None:
        dtype = _infer_dtype(data)
    if isinstance(data, (list, tuple)):
        flat = _scalarize_tensors(data)
        try:
            arr = np.array(flat, dtype=dtype.np)
        except (ValueError, TypeError):
            arr = None
        if arr is None or arr.dtype == object:
            _check_nested(flat, _nested_shape(flat), 0, dtype)
            raise TypeError(f"new(): invalid data for a tensor of {dtype}")
        return arr
    if isinstance(data, (numbers.Number, np.generic)):
        return np.array(data, dtype=dtype.np)
    if hasattr(data, "__array__"):
        return np.array(data, dtype=dtype.np)
    raise TypeError(f"new(): data must be a sequence (got {type(data).__name__})")


def _scalarize_tensors(data):
    """Nested lists with every tensor inside replaced by its single value, as PyTorch
    reads tensors in a list: one-element tensors only."""
    if isinstance(data, (list, tuple)):
        return [_scalarize_tensors(x) for x in data]
    if isinstance(data, Tensor):
        if data._data.size != 1:
            if data._data.dtype.kind in "iub":
                raise TypeError("only integer tensors of a single element can be converted to "
                                "an index")
            raise ValueError("only one element tensors can be converted to Python scalars")
        return float(data) if data._data.dtype.kind == "f" else data.item()  # warns as torch
    return data


def _nested_shape(data) -> list:
    """The shape PyTorch reads off nested data by following the first element down."""
    shape = []
    x = data
    while isinstance(x, (list, tuple, np.ndarray)):
        if isinstance(x, np.ndarray):
            return shape + list(x.shape)
        shape.append(len(x))
        if not x:
            break
        x = x[0]
    return shape


def _check_nested(x, shape, dim: int, dtype: D.dtype) -> None:
    """Raise PyTorch's error for nested data that does not fill ``shape``."""
    if dim == len(shape):
        if isinstance(x, (list, tuple, np.ndarray)):
            name = type(x).__name__
            if dtype.category == 1:
                raise TypeError(f"'{name}' object cannot be interpreted as an integer")
            raise TypeError(f"must be real number, not {name}")
        return
    if not isinstance(x, (list, tuple, np.ndarray)):
        raise TypeError("not a sequence")
    if len(x) != shape[dim]:
        raise ValueError(f"expected sequence of length {shape[dim]} at dim {dim} "
                         f"(got {len(x)})")
    for y in x:
        _check_nested(y, shape, dim + 1, dtype)


def _finish(arr, device, requires_grad):
    if device is None:
        device = _default_device[0]  # set_default_device's choice (None: the CPU)
    if device is not None:
        dev = canonical(device)
        if dev is not CPU:
            arr = move_array(arr, dev)
    t = Tensor._make(arr, False, None, 0, [0])
    if requires_grad:
        if arr.dtype.kind not in "fc":
            raise RuntimeError("Only Tensors of floating point and complex dtype can require "
                               "gradients")
        t.requires_grad = True
    return t


def tensor(data, *, dtype=None, device=None, requires_grad=False, pin_memory=False) -> Tensor:
    """A new tensor copying ``data`` (nested lists, numbers, arrays, tensors)."""
    if isinstance(data, Tensor):
        warnings.warn("To copy construct from a tensor, it is recommended to use "
                      "sourceTensor.detach().clone() or "
                      "sourceTensor.detach().clone().requires_grad_(True), rather than "
                      "torch.tensor(sourceTensor).", stacklevel=2)
    if dtype is not None:
        D.dtype_arg(dtype, "tensor")
    return copy_construct(data, dtype, device, requires_grad)


def copy_construct(data, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    """``tensor(data)`` without its warning about tensors, for callers that copy one on
    purpose (``asarray(copy=True)``) or warn in their own words (``new_tensor``)."""
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
    """``as_tensor`` with an explicit ``copy`` choice; a storage is read as ``dtype``'s
    elements (its bytes reinterpreted), sharing its memory unless ``copy``."""
    from .storage import UntypedStorage
    if isinstance(obj, UntypedStorage):
        obj = obj._array.view(D.to_dtype(dtype).np if dtype is not None else np.uint8)
        dtype = None
    t = copy_construct(obj, dtype, device) if copy else as_tensor(obj, dtype, device)
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


def _size(size: tuple, fname: str = "empty") -> tuple:
    """A shape from ``f(2, 3)``, ``f((2, 3))`` or ``f([2, 3])``, checked as PyTorch does."""
    if len(size) == 1 and isinstance(size[0], (tuple, list, Size)):
        size = size[0]
    out = []
    for s in size:
        if isinstance(s, Tensor) and s._data.ndim == 0 and s._data.dtype.kind in "iu":
            s = int(s.item())
        if isinstance(s, bool) or not isinstance(s, (int, np.integer)):
            raise TypeError(f"{fname}(): argument 'size' (position 1) must be tuple of ints, "
                            f"not {type(s).__name__}")
        out.append(int(s))
    if any(s < 0 for s in out):
        if fname == "zeros":
            raise RuntimeError("zeros: Dimension size must be non-negative.")
        bad = next(s for s in out if s < 0)
        raise RuntimeError(f"Trying to create tensor with negative dimension {bad}: {out}")
    return tuple(out)


def _xp_for(device):
    if device is None:
        device = _default_device[0]
    if device is None:
        return np, None
    dev = canonical(device)
    return array_module(dev), dev


def _factory(fill: str, doc: str):
    """``zeros``/``ones``/``empty``: a shape in, a tensor of the default (or given) dtype out."""
    def fn(*size, out=None, dtype=None, layout=None, device=None, requires_grad=False,
           pin_memory=False, memory_format=None, **kw) -> Tensor:
        if "size" in kw:  # zeros(size=(2, 3))
            size = (kw.pop("size"),)
        if kw:
            raise TypeError(f"{fill}() got an unexpected keyword argument '{next(iter(kw))}'")
        shape = _size(size, fill)
        dt = D.dtype_arg(dtype, fill) if dtype is not None else D.get_default_dtype()
        xp, _ = _xp_for(device)
        return _finish(getattr(xp, fill)(shape, dtype=dt.np), None, requires_grad)
    fn.__name__ = fn.__qualname__ = fill
    fn.__doc__ = doc
    return fn


zeros = _factory("zeros", "A tensor of zeros of the given size.")
ones = _factory("ones", "A tensor of ones of the given size.")
empty = _factory("empty", "An uninitialised tensor of the given size.")


def empty_strided(size, stride, *, dtype=None, layout=None, device=None, requires_grad=False,
                  pin_memory=False) -> Tensor:
    """An uninitialised tensor of ``size`` (ember's tensors are always dense; the strides are
    those of a contiguous tensor)."""
    return empty(*size, dtype=dtype, device=device, requires_grad=requires_grad)


def full(size, fill_value, *, out=None, dtype=None, layout=None, device=None,
         requires_grad=False, pin_memory=False) -> Tensor:
    """A tensor of ``size`` filled with ``fill_value`` (dtype inferred from it)."""
    if not isinstance(size, (tuple, list, Size)):
        raise TypeError(f"full(): argument 'size' (position 1) must be tuple of ints, not "
                        f"{type(size).__name__}")
    shape = _size(tuple(size), "full")
    if isinstance(fill_value, Tensor):
        fill_value = fill_value.item()
    dt = D.dtype_arg(dtype, "full") if dtype is not None else \
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
        dt = D.dtype_arg(dtype, fill_name + "_like") if dtype is not None else input.dtype
        xp = Tensor._xp_of(input._data) if device is None else _xp_for(device)[0]
        return _finish(getattr(xp, fill_name)(input._data.shape, dtype=dt.np), None,
                       requires_grad)
    fn.__name__ = fill_name + "_like"
    fn.__doc__ = f"``{fill_name}`` with the shape (and by default dtype/device) of ``input``."
    return fn


zeros_like = _like("zeros")
ones_like = _like("ones")
empty_like = _like("empty")


def full_like(input, fill_value, *, dtype=None, layout=None, device=None, requires_grad=False,
              memory_format=None) -> Tensor:
    """``full`` with the shape (and by default dtype/device) of ``input``."""
    dt = D.dtype_arg(dtype, "full_like") if dtype is not None else input.dtype
    xp = Tensor._xp_of(input._data) if device is None else _xp_for(device)[0]
    return _finish(xp.full(input._data.shape, fill_value, dtype=dt.np), None, requires_grad)


def arange(start=0, end=None, step=1, *, out=None, dtype=None, layout=None, device=None,
           requires_grad=False) -> Tensor:
    """Values ``start, start+step, …`` below ``end`` (int64 for integer arguments)."""
    if end is None:
        start, end = 0, start
    vals = [v.item() if isinstance(v, Tensor) else v for v in (start, end, step)]
    if dtype is not None:
        dt = D.to_dtype(dtype)
    elif all(isinstance(v, (int, np.integer)) for v in vals):
        dt = D.int64
    else:
        dt = D.get_default_dtype()
    if dt is D.int64 and not all(isinstance(v, (int, np.integer)) for v in vals):
        # PyTorch reads every argument as an int64 here, truncating
        vals = [int(v) for v in vals]
        if vals[2] == 0:
            raise ValueError("step must be nonzero")
    start, end, step = vals
    if step == 0:
        raise RuntimeError("step must be nonzero")
    if (end - start) * step < 0:
        raise RuntimeError("upper bound and lower bound inconsistent with step sign")
    # the length is computed in double precision, as PyTorch does
    n = max(0, math.ceil((end - start) / step))
    xp, _ = _xp_for(device)
    if dt.category >= 2:
        arr = (start + step * xp.arange(n, dtype=np.float64)).astype(dt.np)
    else:
        arr = (int(start) + int(step) * xp.arange(n, dtype=np.int64)).astype(dt.np)
    return _finish(arr, None, requires_grad)


def range(start=0, end=None, step=1, *, dtype=None, device=None, requires_grad=False):
    """Deprecated inclusive ``arange`` kept for old code (float dtype)."""
    if end is None:
        start, end = 0, start
    n = int(math.floor((end - start) / step)) + 1
    dt = D.to_dtype(dtype) if dtype is not None else D.get_default_dtype()
    arr = (start + step * np.arange(n, dtype=np.float64)).astype(dt.np)
    return _finish(arr, device, requires_grad)


def _even_steps(start, end, steps: int, work) -> np.ndarray:
    """``steps`` points from start to end, filled from both ends towards the middle as
    PyTorch does (so both endpoints are exact), in dtype ``work``.

    PyTorch's kernel rounds ``start + step * i`` once (a fused multiply-add); for single
    precision, double arithmetic on the single-precision operands is exact and gives that.
    """
    if steps == 1:
        return np.array([start], dtype=work)
    start, end = work.type(start), work.type(end)
    step = (end - start) / work.type(steps - 1)
    wide = np.float64 if work.itemsize < 8 else work.type
    idx = np.arange(steps, dtype=wide)
    head = wide(start) + wide(step) * idx
    tail = wide(end) - wide(step) * (steps - 1 - idx)
    return np.where(np.arange(steps) < steps // 2, head, tail).astype(work)


def _spaced(start, end, steps, dtype, device, requires_grad, fn: str, base=None) -> Tensor:
    if not isinstance(steps, (int, np.integer)):
        raise TypeError(f"{fn}(): argument 'steps' must be int, not {type(steps).__name__}")
    if steps < 0:
        raise RuntimeError("number of steps must be non-negative")
    start = start.item() if isinstance(start, Tensor) else start
    end = end.item() if isinstance(end, Tensor) else end
    dt = D.to_dtype(dtype) if dtype is not None else D.get_default_dtype()
    # float results are computed in their own precision (half in single), as PyTorch does
    work = np.dtype(np.float32) if dt is D.float16 else \
        dt.np if dt.category == 2 and base is None else np.dtype(np.float64)
    arr = _even_steps(start, end, int(steps), work)
    if base is not None:
        arr = base ** arr
    if dt.category < 2:
        arr = np.trunc(arr)
    return _finish(arr.astype(dt.np), device, requires_grad)


def linspace(start, end, steps: int, *, out=None, dtype=None, layout=None, device=None,
             requires_grad=False) -> Tensor:
    """``steps`` evenly spaced values from ``start`` to ``end`` inclusive."""
    return _spaced(start, end, steps, dtype, device, requires_grad, "linspace")


def logspace(start, end, steps: int, base: float = 10.0, *, out=None, dtype=None, layout=None,
             device=None, requires_grad=False) -> Tensor:
    """``base ** linspace(start, end, steps)``."""
    return _spaced(start, end, steps, dtype, device, requires_grad, "logspace", base)


def eye(n, m=None, *, out=None, dtype=None, layout=None, device=None,
        requires_grad=False) -> Tensor:
    """An ``n x m`` identity matrix."""
    if n < 0:
        raise RuntimeError(f"n must be greater or equal to 0, got {n}")
    dt = D.to_dtype(dtype) if dtype is not None else D.get_default_dtype()
    xp, _ = _xp_for(device)
    return _finish(xp.eye(n, m, dtype=dt.np), None, requires_grad)

