"""Small helpers the op modules share: argument checks and dtype handling."""
from __future__ import annotations

import numpy as np

from .. import _dtype as D
from .._argtypes import not_tensor_error
from .._device import as_array
from .._tensor import Tensor, _wrap_dim

wrap_dim = _wrap_dim
make = Tensor._make
_np_to_dtype = D._BY_NP


def const(arr) -> Tensor:
    """A tensor with no history around a backend array (a NumPy scalar becomes 0-dim)."""
    return Tensor._make(arr if type(arr) is np.ndarray else as_array(arr), False, None, 0, [0])


def as_tensor_like(value, like: Tensor) -> Tensor:
    """``value`` (tensor or scalar) as a tensor on ``like``'s device."""
    if isinstance(value, Tensor):
        return value
    xp = like._xp()
    return const(xp.asarray(value, dtype=D.default_for_category(D.scalar_category(value)).np))


def dims_tuple(dim, ndim: int) -> tuple:
    """Normalise an int / sequence / None ``dim`` argument to a sorted tuple of axes."""
    if dim is None:
        return tuple(range(ndim))
    if isinstance(dim, (int, np.integer)):
        return (wrap_dim(int(dim), ndim),)
    out = tuple(sorted(wrap_dim(int(d), ndim) for d in dim))
    if len(set(out)) != len(out):
        raise RuntimeError(f"dim {out[0]} appears multiple times in the list of dims")
    return out


def float_dtype_for(t: Tensor) -> D.dtype:
    """The dtype a float-valued op returns for ``t`` (ints and bools become the default)."""
    d = t.dtype
    return d if d.category >= 2 else D.get_default_dtype()


def to_float(t: Tensor) -> Tensor:
    """``t`` cast to its float dtype (no copy when it already is one)."""
    if t._data.dtype.kind in "fc":
        return t
    from .arith import _cast
    return _cast(t, D.get_default_dtype())


def shape_str(shape) -> str:
    return "[" + ", ".join(str(s) for s in shape) + "]"


def check_tensor(x, fname: str, arg: str = "input"):
    if not isinstance(x, Tensor):
        raise not_tensor_error(fname, arg, 1, x)
