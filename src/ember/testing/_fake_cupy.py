"""A strict stand-in for CuPy that runs on the CPU: ember's CUDA path, tested without a GPU.

``EMBER_FAKE_CUDA=1`` (or ``=2`` for two devices) makes ``ember._device.cupy_module()``
return this module, so ``ember.cuda.is_available()`` is True and ``tensor.to("cuda")``
lands here. Its ``ndarray`` holds a NumPy array but is no NumPy array, and it is as strict
as CuPy's:

- ``np.asarray(x)``, ``np.array(x)`` and anything else that converts it implicitly raise
  CuPy's TypeError; ``x.get()`` and ``asnumpy(x)`` copy to the host explicitly;
- NumPy ufuncs and functions applied to it run and return device arrays (CuPy's
  ``__array_ufunc__`` / ``__array_function__``), but refuse a NumPy array among the
  operands, as CuPy does;
- the functions of this module (``fake.exp``, ``fake.zeros`` …) are NumPy's, returning
  device arrays and refusing NumPy arrays, except ``array``/``asarray``, which copy them over;
- reductions and scalar indexing give 0-d device arrays, not NumPy scalars.

Every copy between host and device is counted in ``copies`` (``"h2d"``, ``"d2h"``), so a
test can assert that an operation moved nothing (``reset_copies()`` zeroes them). Reading
a value into Python (``float(x)``, ``bool(x)``, ``x.item()``) counts as a device-to-host copy.
"""
from __future__ import annotations

import os

import numpy as np

__all__ = ["ndarray", "array", "asarray", "asnumpy", "get_array_module", "cuda", "copies",
           "reset_copies", "get_default_memory_pool", "get_default_pinned_memory_pool"]

_IMPLICIT_MSG = ("Implicit conversion to a NumPy array is not allowed. Please use `.get()` to "
                 "construct a NumPy array explicitly.")

copies = {"h2d": 0, "d2h": 0}
_current = [0]  # the current device index (CuPy keeps one per thread; one is enough here)


def reset_copies() -> None:
    """Zero the host<->device copy counters."""
    copies["h2d"] = copies["d2h"] = 0


def _device_count() -> int:
    value = os.environ.get("EMBER_FAKE_CUDA", "1")
    return int(value) if value.isdigit() and int(value) > 0 else 1


# -- the array ---------------------------------------------------------------------------

def _wrap(a, dev: int):
    """A device array around the host array (or NumPy scalar) ``a``."""
    out = object.__new__(ndarray)
    object.__setattr__(out, "_a", np.asarray(a) if isinstance(a, np.generic) else a)
    object.__setattr__(out, "_dev", dev)
    return out


def _unwrap(x, dev_seen: list, allow_host: bool = False):
    """The host array inside ``x``, recursing into lists and tuples; a NumPy array is
    refused (CuPy does not take host arrays) unless ``allow_host``."""
    if type(x) is ndarray:
        dev_seen.append(x._dev)
        return x._a
    if isinstance(x, np.ndarray):
        if not allow_host:
            raise TypeError(f"Unsupported type {type(x)}")
        copies["h2d"] += 1
        return x
    if isinstance(x, (list, tuple)) and x:
        items = [_unwrap(v, dev_seen, allow_host) for v in x]
        if isinstance(x, tuple):
            return type(x)(*items) if hasattr(x, "_fields") else tuple(items)
        return items
    return x


def _rewrap(res, dev: int):
    """``res`` with every host array (and NumPy scalar) in it made a device array."""
    if isinstance(res, (np.ndarray, np.generic)):
        return _wrap(res, dev)
    if isinstance(res, tuple):
        items = [_rewrap(v, dev) for v in res]
        return type(res)(*items) if hasattr(res, "_fields") else tuple(items)
    if isinstance(res, list):
        return [_rewrap(v, dev) for v in res]
    return res


def _device_for(seen: list) -> int:
    """The device the operands live on, checked against the current one as CuPy does."""
    cur = _current[0]
    for d in seen:
        if d != cur:
            raise ValueError(f"The device where the array resides ({d}) is different from "
                             f"the current device ({cur}). Peer access is unavailable between "
                             "these devices.")
    return cur


def _call(fn, args, kwargs, allow_host: bool = False):
    seen: list = []
    uargs = _unwrap(tuple(args), seen, allow_host)
    ukwargs = {k: _unwrap(v, seen, allow_host) for k, v in kwargs.items()}
    dev = _device_for(seen)
    return _rewrap(fn(*uargs, **ukwargs), dev)


class _Pointer:
    __slots__ = ("ptr",)

    def __init__(self, ptr):
        self.ptr = ptr


class ndarray:
    """A device array: a NumPy array behind a wall that only explicit copies cross."""

    __slots__ = ("_a", "_dev", "__weakref__")
    __array_priority__ = 100
    __hash__ = None

    def __init__(self, shape, dtype=float, memptr=None, strides=None, order="C"):
        object.__setattr__(self, "_a", np.empty(shape, dtype=dtype, order=order))
        object.__setattr__(self, "_dev", _current[0])

    # the wall: NumPy may not read the values without a copy
    def __array__(self, dtype=None, copy=None):
        raise TypeError(_IMPLICIT_MSG)

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        out = kwargs.get("out")
        res = _call(getattr(ufunc, method), inputs, kwargs)
        if out is not None:
            return out[0] if isinstance(out, tuple) and len(out) == 1 else out
        return res

    def __array_function__(self, func, types, args, kwargs):
        return _call(func, args, kwargs)

    def __getattr__(self, name):
        if name.startswith("__"):  # never hand out __array_interface__ and friends
            raise AttributeError(name)
        attr = getattr(self._a, name)
        if callable(attr):
            return lambda *args, **kwargs: _call(attr, args, kwargs)
        return _rewrap(attr, self._dev)

    def __setattr__(self, name, value):
        seen: list = []
        setattr(self._a, name, _unwrap(value, seen))

    def __dir__(self):
        return sorted(set(dir(self._a)) | {"get", "set", "device", "data"})

    # -- CuPy's own members
    @property
    def device(self):
        return cuda.Device(self._dev)

    @property
    def data(self):
        return _Pointer(self._a.__array_interface__["data"][0])

    @property
    def __cuda_array_interface__(self):
        face = dict(self._a.__array_interface__)
        face["version"] = 3
        face["stream"] = 1
        return face

    def get(self, stream=None, order="C", out=None, blocking=True):
        """A NumPy copy of the array (a counted device-to-host copy)."""
        copies["d2h"] += 1
        if out is not None:
            out[...] = self._a
            return out
        return np.array(self._a, order=order, copy=True)

    def set(self, arr, stream=None):
        """Copy a NumPy array of the same shape into the array (host-to-device)."""
        copies["h2d"] += 1
        self._a[...] = arr

    def item(self, *args):
        copies["d2h"] += 1
        return self._a.item(*args)

    def tolist(self):
        copies["d2h"] += 1
        return self._a.tolist()

    def tobytes(self, order="C"):
        copies["d2h"] += 1
        return self._a.tobytes(order)

    # -- reading a value into Python is a copy
    def __bool__(self):
        copies["d2h"] += 1
        return bool(self._a)

    def __float__(self):
        copies["d2h"] += 1
        return float(self._a)

    def __int__(self):
        copies["d2h"] += 1
        return int(self._a)

    def __complex__(self):
        copies["d2h"] += 1
        return complex(self._a)

    def __index__(self):
        copies["d2h"] += 1
        return self._a.__index__()

    def __repr__(self):
        copies["d2h"] += 1
        return repr(self._a)

    def __str__(self):
        copies["d2h"] += 1
        return str(self._a)

    def __format__(self, spec):
        copies["d2h"] += 1
        return format(self._a, spec)

    def __reduce__(self):
        return (_from_host, (self.get(),))

    def __copy__(self):
        return _wrap(self._a.copy(), self._dev)

    def __deepcopy__(self, memo):
        return _wrap(self._a.copy(), self._dev)

    # -- shape and indexing
    def __len__(self):
        return len(self._a)

    def __iter__(self):
        if self._a.ndim == 0:
            raise TypeError("iteration over a 0-d array")
        return (self[i] for i in range(len(self._a)))

    def __getitem__(self, key):
        seen: list = []
        return _rewrap(self._a[_unwrap(key, seen, allow_host=True)], self._dev)

    def __setitem__(self, key, value):
        seen: list = []
        self._a[_unwrap(key, seen, allow_host=True)] = _unwrap(value, seen, allow_host=True)


def _from_host(arr):
    return asarray(arr)


def _binary(ufunc):
    def op(self, other):
        return ufunc(self, other)

    def rop(self, other):
        return ufunc(other, self)

    def iop(self, other):
        ufunc(self, other, out=(self,))
        return self
    return op, rop, iop


for _name, _uf in [("add", np.add), ("sub", np.subtract), ("mul", np.multiply),
                   ("truediv", np.true_divide), ("floordiv", np.floor_divide),
                   ("mod", np.remainder), ("pow", np.power), ("matmul", np.matmul),
                   ("and", np.bitwise_and), ("or", np.bitwise_or), ("xor", np.bitwise_xor),
                   ("lshift", np.left_shift), ("rshift", np.right_shift)]:
    _op, _rop, _iop = _binary(_uf)
    setattr(ndarray, f"__{_name}__", _op)
    setattr(ndarray, f"__r{_name}__", _rop)
    setattr(ndarray, f"__i{_name}__", _iop)
for _name, _uf in [("lt", np.less), ("le", np.less_equal), ("gt", np.greater),
                   ("ge", np.greater_equal), ("eq", np.equal), ("ne", np.not_equal)]:
    setattr(ndarray, f"__{_name}__", _binary(_uf)[0])
for _name, _uf in [("neg", np.negative), ("pos", np.positive), ("abs", np.absolute),
                   ("invert", np.invert)]:
    setattr(ndarray, f"__{_name}__", lambda self, _uf=_uf: _uf(self))
ndarray.__divmod__ = lambda self, other: np.divmod(self, other)


# -- module-level functions --------------------------------------------------------------

class _Ufunc:
    """A NumPy ufunc taking and giving device arrays only."""

    def __init__(self, uf):
        self._uf = uf
        self.__name__ = uf.__name__

    def __call__(self, *args, **kwargs):
        return _call(self._uf, args, kwargs)

    def __getattr__(self, name):
        attr = getattr(self._uf, name)
        if name in ("reduce", "accumulate", "reduceat", "outer", "at"):
            return lambda *args, **kwargs: _call(attr, args, kwargs)
        return attr


def _function(fn):
    def call(*args, **kwargs):
        return _call(fn, args, kwargs)
    call.__name__ = getattr(fn, "__name__", "function")
    call.__doc__ = getattr(fn, "__doc__", None)
    return call


class _Namespace:
    """A NumPy namespace (``linalg``, ``fft``, ``random`` …) on device arrays."""

    def __init__(self, module, name):
        self._module = module
        self.__name__ = name

    def __getattr__(self, name):
        return _forward(getattr(self._module, name), f"{self.__name__}.{name}", self.__dict__,
                        name)


def _forward(attr, qualname, cache, name):
    if isinstance(attr, np.ufunc):
        out = _Ufunc(attr)
    elif isinstance(attr, type) or not callable(attr):
        out = _Namespace(attr, qualname) if type(attr).__name__ == "module" else attr
    else:
        out = _function(attr)
    cache[name] = out
    return out


def array(obj, dtype=None, copy=True, order="K", subok=False, ndmin=0):
    """A device array holding ``obj`` (a host array or Python data is copied over)."""
    if type(obj) is ndarray:
        a = np.array(obj._a, dtype=dtype, copy=copy, order=order, ndmin=ndmin)
        return _wrap(a, obj._dev if a is obj._a else _current[0])
    copies["h2d"] += 1
    return _wrap(np.array(obj, dtype=dtype, copy=True, order=order, ndmin=ndmin), _current[0])


def asarray(a, dtype=None, order=None, *, blocking=False):
    """``a`` as a device array (copied over from the host when it is not one)."""
    if type(a) is ndarray:
        if a._dev != _current[0]:
            return _wrap(np.array(a._a, dtype=dtype, copy=True, order=order or "K"), _current[0])
        if dtype is None or np.dtype(dtype) == a._a.dtype:
            return a
        return _wrap(a._a.astype(dtype), a._dev)
    copies["h2d"] += 1
    return _wrap(np.array(a, dtype=dtype, copy=True, order=order or "K"), _current[0])


asanyarray = asarray


def asnumpy(a, stream=None, order="C", out=None, blocking=True):
    """A NumPy copy of a device array (anything else goes through ``numpy.asarray``)."""
    if type(a) is ndarray:
        return a.get(order=order, out=out)
    return np.asarray(a, order=order)


def get_array_module(*args):
    """This module when any argument is a device array, else NumPy."""
    import sys
    for a in args:
        if type(a) is ndarray:
            return sys.modules[__name__]
    return np


class _MemoryPool:
    def used_bytes(self) -> int:
        return 0

    def total_bytes(self) -> int:
        return 0

    def free_bytes(self) -> int:
        return 0

    def free_all_blocks(self, stream=None) -> None:
        pass

    def n_free_blocks(self) -> int:
        return 0

    def set_limit(self, size=None, fraction=None) -> None:
        pass

    def get_limit(self) -> int:
        return 0


_POOL = _MemoryPool()
_PINNED_POOL = _MemoryPool()


def get_default_memory_pool():
    return _POOL


def get_default_pinned_memory_pool():
    return _PINNED_POOL


# -- cupy.cuda ---------------------------------------------------------------------------

class _Device:
    """``cupy.cuda.Device``: select a device (as a context manager or with ``use()``)."""

    def __init__(self, device=None):
        self.id = _current[0] if device is None else int(device)
        self._prev: list = []

    def use(self):
        _check_ordinal(self.id)
        _current[0] = self.id

    def synchronize(self):
        pass

    @property
    def compute_capability(self) -> str:
        return "80"

    def __enter__(self):
        _check_ordinal(self.id)
        self._prev.append(_current[0])
        _current[0] = self.id
        return self

    def __exit__(self, *exc):
        _current[0] = self._prev.pop()
        return False

    def __eq__(self, other):
        return isinstance(other, _Device) and other.id == self.id

    def __hash__(self):
        return hash(self.id)

    def __repr__(self):
        return f"<CUDA Device {self.id}>"


class CUDARuntimeError(RuntimeError):
    pass


def _check_ordinal(i: int) -> None:
    if not 0 <= i < _device_count():
        raise CUDARuntimeError("cudaErrorInvalidDevice: invalid device ordinal")


class _Stream:
    """A stream that is always idle: work on the stand-in finishes when it is queued."""

    null = None

    def __init__(self, null=False, non_blocking=False, priority=0):
        self.ptr = 0

    def synchronize(self):
        pass

    def use(self):
        return self

    def query(self) -> bool:
        return True

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


class _Event:
    def __init__(self, block=False, disable_timing=False, interprocess=False):
        pass

    def record(self, stream=None):
        pass

    def synchronize(self):
        pass

    def query(self) -> bool:
        return True


class _Runtime:
    CUDARuntimeError = CUDARuntimeError

    @staticmethod
    def getDeviceCount() -> int:
        return _device_count()

    @staticmethod
    def getDeviceProperties(i: int) -> dict:
        _check_ordinal(i)
        return {"name": b"ember stand-in CUDA device (NumPy)", "totalGlobalMem": 16 * 2**30,
                "major": 8, "minor": 0, "multiProcessorCount": 1}

    @staticmethod
    def deviceSynchronize() -> None:
        pass

    @staticmethod
    def getDevice() -> int:
        return _current[0]

    @staticmethod
    def setDevice(i: int) -> None:
        _Device(i).use()

    @staticmethod
    def runtimeGetVersion() -> int:
        return 12000


class _Cuda:
    """``cupy.cuda``: devices, streams, events and the runtime."""

    Device = _Device
    Stream = _Stream
    Event = _Event
    runtime = _Runtime()
    CUDARuntimeError = CUDARuntimeError

    @staticmethod
    def get_current_stream(device=None):
        return _Stream.null

    @staticmethod
    def is_available() -> bool:
        return True


_Stream.null = _Stream(null=True)
cuda = _Cuda()
newaxis = None


def _install_cupyx() -> None:
    """Serve ``import cupyx`` (CuPy's companion package: ``scatter_add`` …) where the real
    one is not installed."""
    import importlib.util
    import sys
    import types

    if "cupyx" in sys.modules or importlib.util.find_spec("cupyx") is not None:
        return
    cupyx = types.ModuleType("cupyx", "ember's stand-in for CuPy's cupyx (scatter ops)")

    def scatter(ufunc):
        def op(a, slices, value):
            seen: list = []
            ufunc.at(_unwrap(a, seen), _unwrap(slices, seen, allow_host=True),
                     _unwrap(value, seen))
        return op

    cupyx.scatter_add = scatter(np.add)
    cupyx.scatter_max = scatter(np.maximum)
    cupyx.scatter_min = scatter(np.minimum)
    sys.modules["cupyx"] = cupyx


_install_cupyx()


def __getattr__(name):
    # everything else is NumPy's, on device arrays
    if name.startswith("__"):
        raise AttributeError(name)
    try:
        attr = getattr(np, name)
    except AttributeError:
        raise AttributeError(f"module 'cupy' has no attribute '{name}'") from None
    return _forward(attr, name, globals(), name)
