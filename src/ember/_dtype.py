"""dtype objects, their NumPy mapping and PyTorch's type-promotion rules."""
from __future__ import annotations

import numpy as np

__all__ = [
    "dtype", "float16", "half", "bfloat16", "float32", "float", "float64", "double",
    "complex64", "cfloat", "complex128", "cdouble",
    "int8", "int16", "short", "int32", "int", "int64", "long", "uint8", "bool",
    "get_default_dtype", "set_default_dtype", "promote_types", "result_type",
    "can_cast", "finfo", "iinfo",
]

# Categories order the kinds for promotion: a higher category always wins.
_BOOL, _INT, _FLOAT, _COMPLEX = 0, 1, 2, 3


class dtype:
    """A tensor element type (``ember.float32`` …), mapped onto a NumPy dtype."""

    __slots__ = ("name", "np", "category", "itemsize", "_torch_name")

    def __init__(self, name: str, np_dtype, category: int, itemsize: int | None = None):
        self.name = name
        self.np = np.dtype(np_dtype)
        self.category = category
        # PyTorch's size, which differs from the storage type's for bfloat16
        self.itemsize = itemsize or self.np.itemsize
        self._torch_name = "torch." + name

    @property
    def is_floating_point(self) -> bool:
        return self.category == _FLOAT

    @property
    def is_complex(self) -> bool:
        return self.category == _COMPLEX

    @property
    def is_signed(self) -> bool:
        return self.name != "uint8" and self.name != "bool"

    def to_real(self) -> "dtype":
        """The real counterpart of a complex dtype (other dtypes map to themselves)."""
        return {"complex64": float32, "complex128": float64}.get(self.name, self)

    def to_complex(self) -> "dtype":
        """The complex dtype with this dtype's precision."""
        found = {"float32": complex64, "float64": complex128, "complex64": complex64,
                 "complex128": complex128}.get(self.name)
        if found is None:  # ember has no complex32 for the half types
            from ._tensor import _TYPE_SHORT
            raise RuntimeError(f"Unknown Complex ScalarType for {_TYPE_SHORT[self.name]}")
        return found

    def __repr__(self) -> str:
        return self._torch_name

    def __reduce__(self):
        return (_dtype_by_name, (self.name,))


def _dtype_by_name(name: str) -> dtype:
    return _BY_NAME[name]


float16 = half = dtype("float16", np.float16, _FLOAT)
# NumPy has no bfloat16; it is stored as float32 so that code naming it still runs.
bfloat16 = dtype("bfloat16", np.float32, _FLOAT, itemsize=2)
float32 = float = dtype("float32", np.float32, _FLOAT)
float64 = double = dtype("float64", np.float64, _FLOAT)
complex64 = cfloat = dtype("complex64", np.complex64, _COMPLEX)
complex128 = cdouble = dtype("complex128", np.complex128, _COMPLEX)
int8 = dtype("int8", np.int8, _INT)
int16 = short = dtype("int16", np.int16, _INT)
int32 = int = dtype("int32", np.int32, _INT)
int64 = long = dtype("int64", np.int64, _INT)
uint8 = dtype("uint8", np.uint8, _INT)
bool = dtype("bool", np.bool_, _BOOL)

_ALL = (float16, bfloat16, float32, float64, complex64, complex128,
        int8, int16, int32, int64, uint8, bool)
_BY_NAME = {d.name: d for d in _ALL}
# bfloat16 shares float32's storage type, so the reverse map must prefer float32.
_BY_NP = {d.np: d for d in _ALL if d is not bfloat16}


def from_numpy_dtype(np_dtype) -> dtype:
    """The ember dtype for a NumPy dtype; TypeError for ones PyTorch lacks."""
    try:
        return _BY_NP[np_dtype]
    except KeyError:
        pass
    np_dtype = np.dtype(np_dtype)
    if np_dtype in _BY_NP:
        return _BY_NP[np_dtype]
    if np_dtype.kind == "u":  # uint16/32/64 have no full PyTorch counterpart; widen
        return int64
    raise TypeError(
        f"can't convert np.ndarray of type numpy.{np_dtype}. The only supported types are: "
        "float64, float32, float16, complex64, complex128, int64, int32, int16, int8, uint8, "
        "and bool.")


def dtype_arg(obj, fname: str) -> dtype:
    """A factory's ``dtype=`` argument: a dtype or a Python type, as torch takes it (a
    NumPy dtype or a name is refused with torch's message)."""
    if isinstance(obj, dtype) or any(obj is t for t in (builtins_float, builtins_int,
                                                         builtins_bool, builtins_complex)):
        return to_dtype(obj)  # (by identity: np.dtype("float64") == float holds)
    from ._argtypes import type_name
    raise TypeError(f"{fname}(): argument 'dtype' must be torch.dtype, not {type_name(obj)}")


def to_dtype(obj) -> dtype:
    """Accept an ember dtype, a NumPy dtype, a Python type or a dtype name."""
    if isinstance(obj, dtype):
        return obj
    if obj is builtins_float:  # torch reads Python's float as double, whatever the default
        return float64
    if obj is builtins_int:
        return int64
    if obj is builtins_bool:
        return bool
    if obj is builtins_complex:
        return complex128
    if isinstance(obj, str):
        name = obj[6:] if obj.startswith("torch.") else obj
        if name in _BY_NAME:
            return _BY_NAME[name]
        if name in _ALIASES:
            return _ALIASES[name]
    try:
        return from_numpy_dtype(np.dtype(obj))
    except TypeError:
        raise
    except Exception:
        raise TypeError(f"invalid dtype: {obj!r}") from None


import builtins as _b  # noqa: E402

builtins_float, builtins_int, builtins_bool, builtins_complex = _b.float, _b.int, _b.bool, _b.complex
_ALIASES = {"float": float32, "double": float64, "half": float16, "int": int32, "long": int64,
            "short": int16, "cfloat": complex64, "cdouble": complex128}

# process-wide, as in PyTorch (not per thread): worker threads see the user's choice
_default_dtype = float32


def get_default_dtype() -> dtype:
    """The dtype Python floats become (float32 unless changed)."""
    return _default_dtype


def set_default_dtype(d) -> None:
    """Set the dtype that Python floats and float factories produce."""
    d = to_dtype(d)
    if not d.is_floating_point:
        raise TypeError("only floating-point types are supported as the default type")
    global _default_dtype
    _default_dtype = d


def _promote_same_or_cross(a: dtype, b: dtype) -> dtype:
    if a is b:
        return a
    if a.category != b.category:
        hi, lo = (a, b) if a.category > b.category else (b, a)
        if hi.category == _COMPLEX and lo is float64:
            return complex128
        return hi
    if a is bfloat16 or b is bfloat16:
        other = b if a is bfloat16 else a
        return float32 if other is float16 else other
    return _BY_NP[np.promote_types(a.np, b.np)]


_PROMOTE = {}
for _x in _ALL:
    for _y in _ALL:
        _PROMOTE[_x, _y] = _promote_same_or_cross(_x, _y)


def promote_types(a: dtype, b: dtype) -> dtype:
    """The dtype PyTorch gives an operation on two tensors of these dtypes."""
    return _PROMOTE[a, b]


def scalar_category(value) -> int:
    if isinstance(value, _b.bool):
        return _BOOL
    if isinstance(value, _b.int):
        return _INT
    if isinstance(value, _b.float):
        return _FLOAT
    if isinstance(value, _b.complex):
        return _COMPLEX
    if isinstance(value, np.generic):
        return from_numpy_dtype(value.dtype).category
    raise TypeError(f"unsupported scalar type {type(value).__name__}")


def default_for_category(cat: int) -> dtype:
    if cat == _FLOAT:
        return get_default_dtype()
    if cat == _INT:
        return int64
    if cat == _BOOL:
        return bool
    return complex128 if get_default_dtype() is float64 else complex64


def result_type(*operands) -> dtype:
    """PyTorch's result dtype for tensors and scalars: dimensioned tensors outrank
    zero-dim tensors, which outrank Python scalars, unless a lower tier holds a
    higher category (bool < int < float < complex)."""
    from ._tensor import Tensor

    tiers = [None, None, None]  # dimensioned, zero-dim, scalar
    for op in operands:
        if isinstance(op, Tensor):
            d = op.dtype
            t = 0 if op._data.ndim else 1
        else:
            d = default_for_category(scalar_category(op))
            t = 2
        tiers[t] = d if tiers[t] is None else _PROMOTE[tiers[t], d]
    result = None
    for d in tiers:
        if d is None:
            continue
        if result is None:
            result = d
        elif d.category > result.category:
            # a lower tier only matters when it lifts the category
            result = complex128 if d.category == _COMPLEX and result is float64 else d
    return result


def can_cast(from_: dtype, to: dtype) -> _b.bool:
    """Whether PyTorch's same-kind rule allows casting ``from_`` to ``to``."""
    return from_.category <= to.category


# NumPy has no bfloat16: its limits (8 exponent bits, 7 mantissa bits) written out
_BFLOAT16_INFO = dict(bits=16, eps=2.0 ** -7, max=3.3895313892515355e+38,
                      tiny=2.0 ** -126, resolution=0.01)


class finfo:
    """Machine limits of a floating-point dtype (``ember.finfo(ember.float32).eps``)."""

    def __init__(self, type: dtype = None):
        d = get_default_dtype() if type is None else to_dtype(type)
        if not (d.is_floating_point or d.is_complex):
            raise TypeError("torch.finfo() requires a floating point input type. Use "
                            "torch.iinfo to handle 'torch.finfo'")
        real = d.to_real()
        if real is bfloat16:
            info = _BFLOAT16_INFO
        else:
            npi = np.finfo(real.np)
            info = dict(bits=npi.bits, eps=_b.float(npi.eps), max=_b.float(npi.max),
                        tiny=_b.float(npi.tiny), resolution=10.0 ** -npi.precision)
        self.bits = info["bits"]
        self.eps = info["eps"]
        self.max = info["max"]
        self.min = -info["max"]
        self.tiny = self.smallest_normal = info["tiny"]
        self.resolution = info["resolution"]
        self.dtype = real.name

    def __repr__(self):
        return (f"finfo(resolution={self.resolution}, min={self.min:g}, max={self.max:g}, "
                f"eps={self.eps:g}, smallest_normal={self.tiny:g}, tiny={self.tiny:g}, "
                f"dtype={self.dtype})")


class iinfo:
    """Machine limits of an integer dtype (``ember.iinfo(ember.int64).max``)."""

    def __init__(self, type: dtype):
        d = to_dtype(type)
        if d is bool:
            raise TypeError("torch.bool is not supported by torch.iinfo")
        if d.category != _INT:
            raise TypeError("torch.iinfo() requires an integer input type. Use torch.finfo to "
                            "handle 'torch.iinfo'")
        info = np.iinfo(d.np)
        self.bits = info.bits
        self.max = _b.int(info.max)
        self.min = _b.int(info.min)
        self.dtype = d.name

    def __repr__(self):
        return f"iinfo(min={self.min:g}, max={self.max:g}, dtype={self.dtype})"
