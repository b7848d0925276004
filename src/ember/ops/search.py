"""Finding elements: set membership (``torch.isin``) and the fixed-size ``nonzero_static``."""
from __future__ import annotations

import numpy as np

from .._device import as_array
from .._tensor import _TYPE_SHORT, Tensor
from ._util import const

__all__ = ["isin", "nonzero_static"]
TENSOR_METHODS = ["nonzero_static"]


def _as_operand(value) -> Tensor:
    from .._creation import as_tensor
    return value if isinstance(value, Tensor) else as_tensor(value)


def isin(elements, test_elements, *, assume_unique: bool = False, invert: bool = False,
         out=None) -> Tensor:
    """Boolean tensor shaped like ``elements``: True where the element occurs in
    ``test_elements`` (False with ``invert``). Either side may be a Python number."""
    if not isinstance(elements, Tensor) and not isinstance(test_elements, Tensor):
        raise TypeError(f"isin() received an invalid combination of arguments - got "
                        f"({type(elements).__name__}, {type(test_elements).__name__}), but "
                        f"expected at least one Tensor")
    a, b = _as_operand(elements), _as_operand(test_elements)
    from .._dtype import result_type
    common = result_type(a, b)
    if common.is_complex or common.name == "bool":
        raise RuntimeError(f"Unsupported input type encountered for isin(): "
                           f"{_TYPE_SHORT[common.name]}")
    found = np.isin(as_array(a._data, dtype=common.np), as_array(b._data, dtype=common.np),
                    assume_unique=assume_unique, invert=invert)
    result = const(as_array(found))
    if out is not None:
        from .arith import _out
        return _out(result, out)
    return result


def nonzero_static(input: Tensor, *, size: int, fill_value: int = -1) -> Tensor:
    """``nonzero(input)`` with exactly ``size`` rows: truncated, or padded with ``fill_value``."""
    if not isinstance(size, int) or size < 0:
        raise RuntimeError("nonzero_static: 'size' must be an non-negative integer")
    found = np.argwhere(as_array(input._data))[:size]
    padded = np.full((size, found.shape[1]), fill_value, dtype=np.int64)
    padded[:found.shape[0]] = found
    return const(padded)
