"""Checkpoints: ``ember.save`` and ``ember.load``, interchangeable with PyTorch's files.

Three formats:

* PyTorch's zip checkpoint (the default): ``<prefix>/data.pkl`` is a protocol-2 pickle in
  which every tensor is a ``torch._utils._rebuild_tensor_v2`` call on a *persistent id*
  ``('storage', <torch XStorage>, key, location, numel)``; the storage bytes, raw and
  little-endian, are the record ``<prefix>/data/<key>``. Tensors that share memory (a
  tensor and its slices) share one storage and still share after loading.
* PyTorch's legacy format (read only): consecutive pickles (magic number, protocol,
  system info, the object, the storage keys) followed by the raw storages.
* safetensors (by the ``.safetensors`` extension or ``format="safetensors"``): an 8-byte
  header length, a JSON header, then the tensors' bytes; a flat dict of tensors only.

Loading is safe by default (``weights_only=True``): the unpickler resolves only tensors,
containers, plain values and PyTorch's known rebuild functions, dtypes, ``Size`` and
``device``; any other global is refused before anything runs. Saving to a path is atomic:
the file is written beside the target and renamed over it only once complete.
"""
from __future__ import annotations

import _compat_pickle
import codecs
import collections
import io
import json
import os
import pickle
import secrets
import struct
import warnings
import zipfile
from typing import IO, Any, Callable

import numpy as np

from . import _dtype as D
from ._naming import public_name
from ._device import CPU, canonical, cupy_module, device, move_array
from ._layout import layout, sparse_coo, sparse_csr
from ._tensor import Size, Tensor

__all__ = ["save", "load", "add_safe_globals", "get_safe_globals", "clear_safe_globals",
           "safe_globals"]

FileLike = "str | os.PathLike | IO[bytes]"

# -- dtype tables ------------------------------------------------------------------------

_STORAGE_NAMES = {
    "float32": "FloatStorage", "float64": "DoubleStorage", "float16": "HalfStorage",
    "bfloat16": "BFloat16Storage", "complex64": "ComplexFloatStorage",
    "complex128": "ComplexDoubleStorage", "int8": "CharStorage", "int16": "ShortStorage",
    "int32": "IntStorage", "int64": "LongStorage", "uint8": "ByteStorage",
    "bool": "BoolStorage",
}
# bfloat16 has no NumPy type: its storages are read as raw 16-bit words and widened.
_BF16 = "bfloat16"

_SAFETENSORS_CODES = {
    "float32": "F32", "float64": "F64", "float16": "F16", "int64": "I64", "int32": "I32",
    "int16": "I16", "int8": "I8", "uint8": "U8", "bool": "BOOL",
}
_SAFETENSORS_DTYPES = {code: name for name, code in _SAFETENSORS_CODES.items()}
_SAFETENSORS_DTYPES["BF16"] = _BF16


def _np_dtype(name: str) -> np.dtype:
    """The little-endian NumPy dtype that stores dtype ``name`` on disk."""
    return np.dtype("<u2") if name == _BF16 else D._BY_NAME[name].np.newbyteorder("<")


def _widen_bf16(words: np.ndarray) -> np.ndarray:
    """bfloat16 bit patterns (uint16) as float32 values: they are float32's top halves."""
    return (words.astype(np.uint32) << 16).view(np.float32)


# -- saving -----------------------------------------------------------------------------

class _Global:
    """A reference to a global by name, pickled as a GLOBAL opcode without importing it
    (so that ``torch._utils._rebuild_tensor_v2`` can be named while torch is absent)."""

    __slots__ = ("module", "name")

    def __init__(self, module: str, name: str):
        self.module, self.name = module, name

    def __call__(self, *args):
        # pickle insists that a reduce function be callable; this one is only ever written
        raise TypeError(f"{self.module}.{self.name} is a reference for pickling only")


_G_REBUILD_TENSOR = _Global("torch._utils", "_rebuild_tensor_v2")
_G_REBUILD_PARAMETER = _Global("torch._utils", "_rebuild_parameter")
_G_REBUILD_SPARSE = _Global("torch._utils", "_rebuild_sparse_tensor")
_G_GET_LAYOUT = _Global("torch.serialization", "_get_layout")
_G_SIZE = _Global("torch", "Size")
_G_DEVICE = _Global("torch", "device")
_G_STORAGES = {name: _Global("torch", s) for name, s in _STORAGE_NAMES.items()}
_G_DTYPES = {name: _Global("torch", name) for name in D._BY_NAME}


def _parameter_class():
    """ember.nn.Parameter (imported on first use: ember.nn is loaded lazily)."""
    from .nn.parameter import Parameter
    return Parameter


def _memory_block(arr: np.ndarray):
    """``(root, block, offset, strides)``: the array owning the memory ``arr`` views, that
    memory as a 1-D array, and ``arr``'s element offset and strides within it. A copy
    stands in when ``arr`` cannot be expressed that way (negative strides, another dtype,
    misaligned, empty); it then gets a storage of its own."""
    root = arr
    while isinstance(root.base, np.ndarray):
        root = root.base
    if arr.size and root.dtype == arr.dtype and (root.flags.c_contiguous
                                                  or root.flags.f_contiguous):
        block = root.reshape(-1, order="A")
        size = arr.itemsize
        offset = arr.__array_interface__["data"][0] - block.__array_interface__["data"][0]
        if offset >= 0 and not offset % size and all(s >= 0 and not s % size
                                                     for s in arr.strides):
            return root, block, offset // size, tuple(s // size for s in arr.strides)
    copy = np.ascontiguousarray(arr)
    return copy, copy.reshape(-1), 0, _contiguous_strides(arr.shape)


class _Pickler(pickle._Pickler):
    """Protocol-2 pickler writing tensors, dtypes, ``Size`` and devices the way PyTorch
    does; the storages it meets are collected in ``self.storages`` (key -> 1-D array)."""

    dispatch = dict(pickle._Pickler.dispatch)

    def __init__(self, file, protocol: int = 2):
        super().__init__(file, protocol)
        self.storages: dict[str, np.ndarray] = {}
        self._keys: dict[int, str] = {}
        self._owners: list = []  # keeps each root alive so that its id() stays unique
        self._parameter = _parameter_class()

    def _write_global(self, ref: _Global) -> None:
        self.write(pickle.GLOBAL + ref.module.encode() + b"\n" + ref.name.encode() + b"\n")
        self.memoize(ref)

    dispatch[_Global] = _write_global

    def _write_dtype(self, dt: D.dtype) -> None:
        self.save(_G_DTYPES[dt.name])

    dispatch[D.dtype] = _write_dtype

    def persistent_id(self, obj):
        return obj if type(obj) is tuple and obj[:1] == ("storage",) and \
            len(obj) == 5 and isinstance(obj[1], _Global) else None

    def _storage_of(self, t: Tensor):
        """The persistent id of ``t``'s storage, its element offset and strides."""
        arr = t._data
        location = str(t.device)
        if location != "cpu":
            arr = move_array(arr, CPU)
        root, block, offset, strides = _memory_block(arr)
        key = self._keys.get(id(root))
        if key is None:
            key = self._keys[id(root)] = str(len(self.storages))
            self.storages[key] = block
            self._owners.append(root)
        pid = ("storage", _G_STORAGES[t.dtype.name], key, location, int(block.size))
        return pid, offset, strides

    def reducer_override(self, obj):
        cls = type(obj)
        if cls is Size:
            return _G_SIZE, (tuple(obj),)
        if cls is device:
            return _G_DEVICE, (str(obj),)
        if cls is layout:
            return _G_GET_LAYOUT, (repr(obj),)
        if isinstance(obj, Tensor):
            if obj._sparse:
                return _G_REBUILD_SPARSE, _sparse_parts(obj)
            if isinstance(obj, self._parameter):
                plain = Tensor._make(obj._data, False, None, 0, obj._vc)
                return _G_REBUILD_PARAMETER, (plain, obj.requires_grad,
                                              collections.OrderedDict())
            pid, offset, strides = self._storage_of(obj)
            return _G_REBUILD_TENSOR, (pid, offset, tuple(obj._data.shape), strides,
                                       obj.requires_grad, collections.OrderedDict())
        return NotImplemented


def _sparse_parts(t) -> tuple:
    """torch's ``_rebuild_sparse_tensor`` arguments: the layout and the parts."""
    values = t._sp_vals.detach()
    if t.layout is sparse_coo:
        return (sparse_coo, (t._indices(), values, Size(t.shape), t.is_coalesced()))
    return (sparse_csr, (t.crow_indices(), t.col_indices(), values, Size(t.shape)))


def _rebuild_sparse_tensor(layout, parts):
    """A sparse tensor from its saved parts (PyTorch's ``_rebuild_sparse_tensor``)."""
    from ._sparse_tensor import make_coo, make_csr
    if layout is sparse_coo:
        indices, values, size = parts[:3]
        coalesced = bool(parts[3]) if len(parts) > 3 and parts[3] is not None else False
        return make_coo(indices._data, values, size, coalesced)
    if layout is sparse_csr:
        crow, col, values, size = parts
        return make_csr(crow._data, col._data, values, size)
    raise NotImplementedError(f"ember cannot load a {layout} tensor (COO and CSR only)")


def _get_layout(name: str):
    """The layout object a saved ``"torch.<name>"`` names."""
    return layout._registry[name.rsplit(".", 1)[-1]]


def _contiguous_strides(shape) -> tuple:
    strides, step = [], 1
    for n in reversed(shape):
        strides.append(step)
        step *= max(n, 1)
    return tuple(reversed(strides))


_ALIGN = 64
_PAD_ID = 0x4246  # an unregistered extra-field id; readers skip it


def _write_record(zf: zipfile.ZipFile, name: str, data, align: bool = False) -> None:
    """Add one stored (uncompressed) record; with ``align`` its bytes start on a 64-byte
    boundary so that the storage can be memory-mapped in place."""
    view = memoryview(data).cast("B")
    info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
    info.compress_type = zipfile.ZIP_STORED
    info.file_size = view.nbytes
    if align:
        zip64 = info.file_size * 1.05 > zipfile.ZIP64_LIMIT
        start = zf.fp.tell() + 30 + len(name.encode()) + 4 + (20 if zip64 else 0)
        pad = -start % _ALIGN
        info.extra = struct.pack("<HH", _PAD_ID, pad) + b"Z" * pad
    with zf.open(info, "w") as out:
        out.write(view)


def _write_zip(fileobj, data_pkl: bytes, storages: dict[str, np.ndarray]) -> None:
    with zipfile.ZipFile(fileobj, "w", zipfile.ZIP_STORED, allowZip64=True) as zf:
        _write_record(zf, "archive/data.pkl", data_pkl)
        _write_record(zf, "archive/.format_version", b"1")
        _write_record(zf, "archive/.storage_alignment", str(_ALIGN).encode())
        _write_record(zf, "archive/byteorder", b"little")
        for key, block in storages.items():
            if block.dtype.byteorder == ">":
                block = block.astype(block.dtype.newbyteorder("<"))
            _write_record(zf, f"archive/data/{key}", block.view(np.uint8), align=True)
        _write_record(zf, "archive/version", b"3\n")
        _write_record(zf, "archive/.data/serialization_id",
                      f"{secrets.randbelow(10 ** 40):040d}".encode())


def _write_safetensors(fileobj, obj, metadata) -> None:
    if not isinstance(obj, dict) or not all(isinstance(k, str) and isinstance(v, Tensor)
                                            for k, v in obj.items()):
        raise TypeError("safetensors can only store a flat dict mapping str to Tensor, got "
                        f"{type(obj).__name__}")
    header: dict[str, Any] = {}
    if metadata:
        if not all(isinstance(k, str) and isinstance(v, str) for k, v in metadata.items()):
            raise TypeError("safetensors metadata must map str to str")
        header["__metadata__"] = dict(metadata)
    arrays, offset = [], 0
    for name, t in obj.items():
        code = _SAFETENSORS_CODES.get(t.dtype.name)
        if code is None:
            raise TypeError(f"safetensors cannot store tensor '{name}' of dtype {t.dtype}")
        arr = np.ascontiguousarray(move_array(t._data, CPU), dtype=_np_dtype(t.dtype.name))
        header[name] = {"dtype": code, "shape": list(arr.shape),
                        "data_offsets": [offset, offset + arr.nbytes]}
        offset += arr.nbytes
        arrays.append(arr)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)  # the data section starts 8-byte aligned
    fileobj.write(struct.pack("<Q", len(text)))
    fileobj.write(text)
    for arr in arrays:
        fileobj.write(memoryview(arr.reshape(-1)).cast("B"))


def _is_path(f) -> bool:
    return isinstance(f, (str, os.PathLike))


def _wants_safetensors(f, format: str | None) -> bool:
    if format is not None:
        if format not in ("torch", "safetensors"):
            raise ValueError(f"unknown checkpoint format '{format}': expected 'torch' or "
                             "'safetensors'")
        return format == "safetensors"
    return _is_path(f) and os.fspath(f).endswith(".safetensors")


def _atomic_write(path, write: Callable[[IO[bytes]], None]) -> None:
    """Write through ``write`` into a temporary file beside ``path`` and rename it over
    ``path`` once complete, so a failure never leaves a partial file at ``path``."""
    path = os.fspath(path)
    parent = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(parent):
        raise RuntimeError(f"Parent directory {os.path.dirname(path) or parent} does not "
                           "exist.")
    tmp = os.path.join(parent, f".{os.path.basename(path)}.{secrets.token_hex(8)}.tmp")
    # mode 0o666 lets the umask decide the permissions, as for a plain open()
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0),
                 0o666)
    try:
        with os.fdopen(fd, "wb") as out:
            write(out)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


def save(obj: Any, f: FileLike, pickle_module: Any = None, pickle_protocol: int = 2,
         _use_new_zipfile_serialization: bool = True, _disable_byteorder_record: bool = False,
         *, format: str | None = None, metadata: dict[str, str] | None = None) -> None:
    """Save ``obj`` (tensors, state dicts, containers, any picklable object) to a path or
    binary file object in PyTorch's checkpoint format, or as safetensors."""
    if pickle_module not in (None, pickle):
        raise ValueError(f"{public_name('ember.save')} supports only the standard pickle module")
    if not _use_new_zipfile_serialization:
        raise NotImplementedError(f"{public_name('ember.save')} writes only the zip checkpoint "
                                  "format; the legacy format can be read but not written")
    if _wants_safetensors(f, format):
        def write(out):
            _write_safetensors(out, obj, metadata)
    else:
        if metadata is not None:
            raise ValueError("metadata is only stored by the safetensors format")
        buf = io.BytesIO()
        pickler = _Pickler(buf, pickle_protocol)
        pickler.dump(obj)
        data_pkl, storages = buf.getvalue(), pickler.storages

        def write(out):
            _write_zip(out, data_pkl, storages)
    if _is_path(f):
        _atomic_write(f, write)
    elif f.seekable():
        write(f)
    else:  # zip writing seeks back to patch headers: build it in memory first
        staged = io.BytesIO()
        write(staged)
        f.write(staged.getvalue())


# -- loading ----------------------------------------------------------------------------

class _StorageType:
    """What ``torch.FloatStorage`` & co. resolve to: the dtype name they stand for."""

    __slots__ = ("dtype",)

    def __init__(self, dtype: str):
        self.dtype = dtype


class _Storage:
    """A loaded storage: a 1-D array (NumPy, on the CPU) and the device it goes to."""

    __slots__ = ("array", "dtype", "device")

    def __init__(self, array: np.ndarray, dtype: str, dev: device):
        self.array, self.dtype, self.device = array, dtype, dev


def _values(storage: _Storage) -> np.ndarray:
    """The storage's elements with ember's dtype (bfloat16 widened to float32)."""
    arr = storage.array
    if storage.dtype == _BF16:
        return _widen_bf16(arr)
    return arr if arr.dtype.isnative else arr.byteswap().view(arr.dtype.newbyteorder("="))


def _rebuild_tensor(storage: _Storage, storage_offset: int, size, stride,
                    requires_grad: bool = False, backward_hooks=None, metadata=None) -> Tensor:
    """A tensor viewing ``storage`` (PyTorch's ``_rebuild_tensor_v2``)."""
    if not isinstance(storage, _Storage):
        raise pickle.UnpicklingError("corrupted checkpoint: a tensor refers to something that "
                                     "is not a storage")
    size, stride = tuple(int(s) for s in size), tuple(int(s) for s in stride)
    values = _values(storage)
    if len(size) != len(stride) or storage_offset < 0 or any(s < 0 for s in size + stride):
        raise pickle.UnpicklingError(f"corrupted checkpoint: invalid tensor geometry size="
                                     f"{list(size)} stride={list(stride)}")
    if 0 in size:
        arr = np.empty(size, dtype=values.dtype)
    else:
        # the farthest element must lie inside the storage: never view memory beyond it
        last = storage_offset + sum((n - 1) * s for n, s in zip(size, stride))
        if last >= values.size:
            raise pickle.UnpicklingError(
                f"corrupted checkpoint: a tensor of size {list(size)} at offset "
                f"{storage_offset} overruns its storage of {values.size} elements")
        arr = np.lib.stride_tricks.as_strided(values[storage_offset:], size,
                                              tuple(s * values.itemsize for s in stride))
    if storage.device != CPU:
        arr = move_array(arr, storage.device)
    t = Tensor._make(arr, False, None, 0, [0])
    if requires_grad:
        t.requires_grad_(True)
    return t


def _rebuild_tensor_v3(storage, storage_offset, size, stride, requires_grad, backward_hooks,
                       dtype=None, metadata=None) -> Tensor:
    """PyTorch's ``_rebuild_tensor_v3`` (the dtype is also given by the storage)."""
    return _rebuild_tensor(storage, storage_offset, size, stride, requires_grad)


def _rebuild_parameter(data: Tensor, requires_grad: bool, backward_hooks=None) -> Tensor:
    """An ``nn.Parameter`` around ``data`` (PyTorch's ``_rebuild_parameter``)."""
    return _parameter_class()(data, requires_grad)


def _rebuild_parameter_with_state(data, requires_grad, backward_hooks, state) -> Tensor:
    """A parameter that also carried Python attributes."""
    param = _rebuild_parameter(data, requires_grad)
    _set_state(param, state)
    return param


def _rebuild_from_type_v2(func, new_type, args, state):
    """A tensor (or subclass) rebuilt by ``func(*args)`` with extra attributes ``state``."""
    if func not in _REBUILD_FUNCTIONS:
        raise pickle.UnpicklingError(f"unsupported tensor rebuild function {func!r}")
    result = func(*args)
    _set_state(result, state)
    return result


def _set_state(obj, state) -> None:
    if isinstance(state, tuple) and len(state) == 2:  # (dict state, slot state)
        state = {**(state[0] or {}), **(state[1] or {})}
    if isinstance(state, dict):
        for key, value in state.items():
            if not (isinstance(key, str) and key.startswith("_")):
                setattr(obj, key, value)


_REBUILD_FUNCTIONS = (_rebuild_tensor, _rebuild_tensor_v3, _rebuild_parameter,
                      _rebuild_parameter_with_state)

# Everything a weights-only load may resolve, by PyTorch's qualified names.
_ALLOWED: dict[str, Any] = {
    "collections.OrderedDict": collections.OrderedDict,
    "collections.Counter": collections.Counter,
    "builtins.set": set,
    "builtins.frozenset": frozenset,
    "builtins.complex": complex,
    "builtins.bytearray": bytearray,
    "builtins.slice": slice,
    "_codecs.encode": codecs.encode,  # protocol 2 pickles bytes through it
    "torch.Size": Size,
    "torch.device": device,
    "torch.Tensor": Tensor,
    "torch._utils._rebuild_tensor_v2": _rebuild_tensor,
    "torch._utils._rebuild_tensor_v3": _rebuild_tensor_v3,
    "torch._utils._rebuild_parameter": _rebuild_parameter,
    "torch._utils._rebuild_parameter_with_state": _rebuild_parameter_with_state,
    "torch._tensor._rebuild_from_type_v2": _rebuild_from_type_v2,
    "torch._utils._rebuild_sparse_tensor": _rebuild_sparse_tensor,
    "torch.serialization._get_layout": _get_layout,
}
_ALLOWED.update({f"torch.{name}": _StorageType(dt) for dt, name in _STORAGE_NAMES.items()})
_ALLOWED.update({f"torch.{name}": D._BY_NAME[name] for name in D._BY_NAME})
_TENSOR_TYPES = {"float32": "FloatTensor", "float64": "DoubleTensor", "float16": "HalfTensor",
                 "int64": "LongTensor", "int32": "IntTensor", "int16": "ShortTensor",
                 "int8": "CharTensor", "uint8": "ByteTensor", "bool": "BoolTensor"}
_ALLOWED.update({f"torch.{name}": Tensor for name in _TENSOR_TYPES.values()})

_user_safe_globals: dict[str, Any] = {}


def add_safe_globals(safe_globals: list) -> None:
    """Allow these classes/functions (or ``(obj, "module.name")`` pairs) in weights-only
    loads, in addition to tensors and plain containers."""
    for entry in safe_globals:
        obj, name = entry if isinstance(entry, tuple) else \
            (entry, f"{entry.__module__}.{entry.__qualname__}")
        _user_safe_globals[name] = obj


def get_safe_globals() -> list:
    """The objects added with :func:`add_safe_globals`."""
    return list(_user_safe_globals.values())


def clear_safe_globals() -> None:
    """Forget everything added with :func:`add_safe_globals`."""
    _user_safe_globals.clear()


class safe_globals:
    """Within the block, these globals are also allowed in weights-only loads."""

    def __init__(self, safe_globals: list) -> None:
        self.safe_globals = safe_globals
        self._added: list = []

    def __enter__(self):
        before = set(_user_safe_globals)
        add_safe_globals(self.safe_globals)
        self._added = [k for k in _user_safe_globals if k not in before]

    def __exit__(self, *exc) -> None:
        for key in self._added:
            _user_safe_globals.pop(key, None)


_TRUE = ("1", "y", "yes", "true")


def _resolve_weights_only(weights_only: bool | None) -> bool:
    """The weights_only a load uses: the argument (default True), unless
    ``TORCH_FORCE_WEIGHTS_ONLY_LOAD`` forces True or ``TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD``
    turns the default (only the default) to False, as PyTorch's switches do."""
    force = os.getenv("TORCH_FORCE_WEIGHTS_ONLY_LOAD", "0").lower() in _TRUE
    force_no = os.getenv("TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD", "0").lower() in _TRUE
    if force and force_no:
        raise RuntimeError("Only one of `TORCH_FORCE_WEIGHTS_ONLY_LOAD` or "
                           "`TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD` should be set, but both were "
                           "set.")
    if force:
        return True
    if weights_only is None:
        if force_no:
            warnings.warn("Environment variable TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD detected, "
                          "since the`weights_only` argument was not explicitly passed to "
                          "`torch.load`, forcing weights_only=False.", UserWarning, stacklevel=3)
            return False
        return True
    return bool(weights_only)


def _refusal(full_name: str) -> str:
    return (f"Weights only load failed. Unsupported global: GLOBAL {full_name} was not an "
            "allowed global by default: a weights-only load resolves only tensors, "
            "containers, plain values and PyTorch's tensor rebuild functions, so nothing of "
            f"this file was executed. Re-running `{public_name('ember.load')}` with "
            "`weights_only=False` will likely succeed, but it can result in arbitrary code "
            "execution. Do it only if you got the file from a trusted source (or allow the "
            f"global with {public_name('ember.serialization')}.add_safe_globals).")


def _ember_global(module: str, name: str):
    """The ember counterpart of a ``torch.*`` global, for full (unsafe) loads."""
    import importlib
    target = "ember" + module[len("torch"):]
    try:
        obj = importlib.import_module(target)
        for part in name.split("."):
            obj = getattr(obj, part)
    except (ImportError, AttributeError):
        raise pickle.UnpicklingError(f"the checkpoint needs {module}.{name}, which ember "
                                     f"does not provide (looked for {target}.{name})") from None
    return obj


class _Unpickler(pickle.Unpickler):
    """Unpickler resolving PyTorch's globals to ember and, in weights-only mode, refusing
    every global not on the allow list."""

    def __init__(self, file, weights_only: bool, load_storage: Callable, **kwargs):
        super().__init__(file, **kwargs)
        self._weights_only = weights_only
        self._load_storage = load_storage

    def find_class(self, module: str, name: str):
        # protocol-2 pickles name Python 2 modules; map them as the default would
        if (module, name) in _compat_pickle.NAME_MAPPING:
            module, name = _compat_pickle.NAME_MAPPING[(module, name)]
        elif module in _compat_pickle.IMPORT_MAPPING:
            module = _compat_pickle.IMPORT_MAPPING[module]
        full = f"{module}.{name}"
        if full in _ALLOWED:
            return _ALLOWED[full]
        if full in _user_safe_globals:
            return _user_safe_globals[full]
        if self._weights_only:
            raise pickle.UnpicklingError(_refusal(full))
        if module == "torch" or module.startswith("torch."):
            return _ember_global(module, name)
        return super().find_class(module, name)

    def persistent_load(self, pid):
        if not (isinstance(pid, tuple) and len(pid) >= 5 and pid[0] == "storage"
                and isinstance(pid[1], _StorageType)):
            raise pickle.UnpicklingError(f"unsupported persistent id in checkpoint: {pid!r}")
        return self._load_storage(*pid[1:])


def _target_device(map_location, location: str, storage: _Storage | None = None):
    """Where a storage saved at ``location`` is restored, following ``map_location``."""
    if map_location is None:
        where = location
    elif isinstance(map_location, dict):
        where = map_location.get(location, location)
    elif callable(map_location) and not isinstance(map_location, (str, device)):
        # PyTorch passes a storage; here a 1-D tensor over the loaded bytes stands in
        stand_in = None if storage is None else Tensor._make(_values(storage), False, None, 0,
                                                              [0])
        result = map_location(stand_in, location)
        if result is None:
            where = location
        elif isinstance(result, Tensor):
            return result.device
        else:
            where = result
    else:
        where = map_location
    where = device(where) if isinstance(where, str) else where
    if where.type == "cuda" and cupy_module() is None:
        raise RuntimeError(
            "Attempting to deserialize object on a CUDA device but torch.cuda.is_available() "
            "is False. If you are running on a CPU-only machine, please use torch.load with "
            "map_location=torch.device('cpu') to map your storages to the CPU.")
    return canonical(where)


def _unpickle(fileobj, weights_only: bool, load_storage, desc: str, pickle_load_args):
    try:
        return _Unpickler(fileobj, weights_only, load_storage, **pickle_load_args).load()
    except pickle.UnpicklingError:
        raise
    except (EOFError, ValueError, KeyError, IndexError, struct.error, zipfile.BadZipFile) as e:
        raise pickle.UnpicklingError(
            f"{desc} is corrupted: its pickled data could not be read "
            f"({type(e).__name__}: {e})") from None


def _read_exact(src, n: int, desc: str) -> np.ndarray:
    """``n`` bytes from ``src`` into a fresh writable array; RuntimeError if fewer remain."""
    buf = np.empty(n, dtype=np.uint8)
    view, got = memoryview(buf), 0
    while got < n:
        k = src.readinto(view[got:])
        if not k:
            raise RuntimeError(f"{desc} is truncated: a storage needs {n} bytes, only {got} "
                               "remain")
        got += k
    return buf


def _load_zip(fileobj, desc: str, map_location, weights_only: bool, mmap_path,
              pickle_load_args) -> Any:
    try:
        zf = zipfile.ZipFile(fileobj)
        names = zf.namelist()
    except (zipfile.BadZipFile, OSError, EOFError, ValueError) as e:
        raise RuntimeError(f"{desc} is not a readable checkpoint: the zip archive is truncated "
                           f"or corrupted ({e})") from None
    with zf:
        prefix = names[0].split("/", 1)[0] if names else ""
        if f"{prefix}/data.pkl" not in names:
            raise RuntimeError(f"{desc} is a zip archive but not a checkpoint: it has no "
                               "'data.pkl' record")
        little = True
        if f"{prefix}/byteorder" in names:
            little = zf.read(f"{prefix}/byteorder").strip() != b"big"
        loaded: dict[str, _Storage] = {}

        def load_storage(kind: _StorageType, key, location, numel, *_):
            key = str(key)
            if key in loaded:
                return loaded[key]
            record = f"{prefix}/data/{key}"
            dt = _np_dtype(kind.dtype)
            if not little:
                dt = dt.newbyteorder(">")
            try:
                info = zf.getinfo(record)
            except KeyError:
                raise RuntimeError(f"{desc} is corrupted: storage record '{record}' is "
                                   "missing") from None
            if info.file_size != int(numel) * dt.itemsize:
                raise RuntimeError(f"{desc} is corrupted: storage '{key}' has {info.file_size}"
                                   f" bytes, expected {int(numel) * dt.itemsize}")
            try:
                raw = _record_bytes(zf, info, desc, mmap_path)
            except (zipfile.BadZipFile, EOFError, OSError) as e:
                raise RuntimeError(f"{desc} is corrupted: storage '{key}' cannot be read "
                                   f"({e})") from None
            storage = _Storage(raw.view(dt), kind.dtype, CPU)
            storage.device = _target_device(map_location, str(location), storage)
            loaded[key] = storage
            return storage

        try:
            data = zf.open(f"{prefix}/data.pkl")
        except (zipfile.BadZipFile, OSError) as e:
            raise RuntimeError(f"{desc} is corrupted: 'data.pkl' cannot be read ({e})") from None
        with data:
            return _unpickle(data, weights_only, load_storage, desc, pickle_load_args)


def _record_bytes(zf: zipfile.ZipFile, info: zipfile.ZipInfo, desc: str, mmap_path):
    """A record's bytes as a writable uint8 array: read, or mapped copy-on-write when
    ``mmap_path`` is set and the record is stored uncompressed."""
    if mmap_path is not None and info.compress_type == zipfile.ZIP_STORED and info.file_size:
        zf.fp.seek(info.header_offset)
        header = zf.fp.read(30)
        name_len, extra_len = struct.unpack("<HH", header[26:30])
        start = info.header_offset + 30 + name_len + extra_len
        return np.memmap(mmap_path, dtype=np.uint8, mode="c", offset=start,
                         shape=(info.file_size,))
    with zf.open(info) as src:
        return _read_exact(src, info.file_size, desc)


_LEGACY_MAGIC = 0x1950a86a20f9469cfc6c
_LEGACY_PROTOCOL = 1001


def _load_legacy(fileobj, desc: str, map_location, weights_only: bool, pickle_load_args):
    def plain():
        return _unpickle(fileobj, True, None, desc, pickle_load_args)

    if plain() != _LEGACY_MAGIC:
        raise RuntimeError(f"{desc} is not a checkpoint: invalid magic number")
    if plain() != _LEGACY_PROTOCOL:
        raise RuntimeError(f"{desc}: unsupported legacy checkpoint protocol version")
    if not isinstance(plain(), dict):
        raise RuntimeError(f"{desc} is corrupted: missing system information")
    storages: dict[str, _Storage] = {}

    def load_storage(kind: _StorageType, key, location, numel, view_metadata=None):
        key = str(key)
        storage = storages.get(key)
        if storage is None:
            # filled in place from the raw section once the object is unpickled
            storage = _Storage(np.empty(int(numel), _np_dtype(kind.dtype)), kind.dtype, CPU)
            if _target_device(map_location, str(location), storage) != CPU:
                # tensors are built before their bytes are read, so they cannot move yet
                raise NotImplementedError("legacy checkpoints load onto the CPU only; pass "
                                          "map_location='cpu'")
            storages[key] = storage
        if view_metadata is not None:
            _, offset, size = view_metadata
            storage = _Storage(storage.array[offset:offset + size], kind.dtype, storage.device)
        return storage

    result = _unpickle(fileobj, weights_only, load_storage, desc, pickle_load_args)
    keys = plain()
    for key in keys:
        storage = storages.get(str(key))
        if storage is None:
            raise RuntimeError(f"{desc} is corrupted: unknown storage key {key!r}")
        header = fileobj.read(8)
        if len(header) != 8:
            raise RuntimeError(f"{desc} is truncated: storage {key!r} is missing")
        (count,) = struct.unpack("<q", header)
        if count != storage.array.size:
            raise RuntimeError(f"{desc} is corrupted: storage {key!r} has {count} elements, "
                               f"expected {storage.array.size}")
        raw = _read_exact(fileobj, storage.array.nbytes, desc)
        storage.array.view(np.uint8)[...] = raw
    return result


def _load_safetensors(fileobj, desc: str, map_location) -> dict[str, Tensor]:
    head = fileobj.read(8)
    if len(head) != 8:
        raise RuntimeError(f"{desc} is not a safetensors file: too short for its header")
    (n,) = struct.unpack("<Q", head)
    start = fileobj.tell()
    end = fileobj.seek(0, io.SEEK_END)
    fileobj.seek(start)
    if n > end - start:
        raise RuntimeError(f"{desc} is not a valid safetensors file: its header length {n} "
                           f"exceeds the file size (truncated?)")
    try:
        header = json.loads(fileobj.read(n))
    except ValueError as e:
        raise RuntimeError(f"{desc} has a corrupted safetensors header ({e})") from None
    if not isinstance(header, dict):
        raise RuntimeError(f"{desc} has a corrupted safetensors header (not a JSON object)")
    base = start + n
    target = _target_device(map_location, "cpu")
    out = {}
    for name, entry in header.items():
        if name == "__metadata__":
            continue
        try:
            dtype = _SAFETENSORS_DTYPES[entry["dtype"]]
            shape = tuple(int(s) for s in entry["shape"])
            begin, stop = (int(x) for x in entry["data_offsets"])
        except (KeyError, TypeError, ValueError) as e:
            if isinstance(e, KeyError) and entry.get("dtype") not in _SAFETENSORS_DTYPES:
                raise TypeError(f"{desc}: tensor '{name}' has dtype {entry.get('dtype')}, "
                                "which ember does not support") from None
            raise RuntimeError(f"{desc} has a corrupted safetensors entry for '{name}'") \
                from None
        dt = _np_dtype(dtype)
        count = int(np.prod(shape, dtype=np.int64))
        if stop - begin != count * dt.itemsize or begin < 0 or base + stop > end:
            raise RuntimeError(f"{desc} is corrupted or truncated: tensor '{name}' of shape "
                               f"{list(shape)} does not fit its data offsets [{begin}, {stop}]")
        fileobj.seek(base + begin)
        arr = _read_exact(fileobj, stop - begin, desc).view(dt)
        arr = _widen_bf16(arr) if dtype == _BF16 else arr.astype(dt.newbyteorder("="),
                                                                  copy=False)
        arr = arr.reshape(shape)
        if target != CPU:
            arr = move_array(arr, target)
        out[name] = Tensor._make(arr, False, None, 0, [0])
    return out


def load(f: FileLike, map_location: Any = None, pickle_module: Any = None, *,
         weights_only: bool | None = None, mmap: bool | None = None, format: str | None = None,
         **pickle_load_args: Any) -> Any:
    """Load an object saved by ``ember.save`` or ``torch.save`` (zip or legacy format) or a
    safetensors file. Only tensors and plain data are unpickled unless
    ``weights_only=False``; ``map_location`` (device, str, dict or callable) moves storages."""
    if pickle_module not in (None, pickle):
        raise ValueError(f"{public_name('ember.load')} supports only the standard pickle module")
    weights_only = _resolve_weights_only(weights_only)
    if _is_path(f):
        desc = f"checkpoint file '{os.fspath(f)}'"
        with open(f, "rb") as fileobj:
            return _load_from(fileobj, desc, map_location, weights_only,
                              os.fspath(f) if mmap else None, format, pickle_load_args,
                              _wants_safetensors(f, format))
    if mmap:
        raise ValueError("mmap=True needs a file path, not a file object")
    if not f.seekable():
        f = io.BytesIO(f.read())
    return _load_from(f, "checkpoint", map_location, weights_only, None, format,
                      pickle_load_args, _wants_safetensors(f, format))


def _load_from(fileobj, desc, map_location, weights_only, mmap_path, format, pickle_load_args,
               safetensors: bool):
    start = fileobj.tell()
    magic = fileobj.read(9)
    fileobj.seek(start)
    if safetensors or (format is None and _looks_like_safetensors(magic)):
        return _load_safetensors(fileobj, desc, map_location)
    if not magic:
        raise RuntimeError(f"{desc} is empty: it is not a checkpoint")
    if magic[:2] == b"PK":
        return _load_zip(fileobj, desc, map_location, weights_only, mmap_path,
                         pickle_load_args)
    if magic[:1] == pickle.PROTO:
        return _load_legacy(fileobj, desc, map_location, weights_only, pickle_load_args)
    raise RuntimeError(f"{desc} is not a checkpoint: it is neither a zip checkpoint, a legacy "
                       "PyTorch file nor a safetensors file")


def _looks_like_safetensors(head: bytes) -> bool:
    """An 8-byte little-endian length followed by a JSON object."""
    return len(head) == 9 and head[8:9] == b"{" and struct.unpack("<Q", head[:8])[0] > 1
