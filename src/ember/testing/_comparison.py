"""``assert_close``: are two tensors (or numbers, or nested sequences and mappings of them)
equal up to tolerances chosen by dtype? Failures say where and by how much, as PyTorch's."""
from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np

from .. import _dtype as D
from .._tensor import Tensor

__all__ = ["assert_close", "assert_allclose"]

# (rtol, atol) by dtype; exact for integers and booleans
_TOLERANCES = {"float16": (1e-3, 1e-5), "bfloat16": (1.6e-2, 1e-5), "float32": (1.3e-6, 1e-5),
               "float64": (1e-7, 1e-7), "complex32": (1e-3, 1e-5),
               "complex64": (1.3e-6, 1e-5), "complex128": (1e-7, 1e-7)}


def _tolerances(dtype, rtol, atol):
    if (rtol is None) != (atol is None):
        raise ValueError(f"Both 'rtol' and 'atol' must be either specified or omitted, but got "
                         f"no {'rtol' if rtol is None else 'atol'}.")
    if rtol is not None:
        return rtol, atol
    return _TOLERANCES.get(str(dtype).split(".")[-1], (0.0, 0.0))


def _fail(msg: str, path: str) -> None:
    if path:
        msg += f"\n\nThe failure occurred for item {path}"
    raise AssertionError(msg)


def _index(flat_index: int, shape) -> str:
    """A flat position as PyTorch prints it: a tuple of indices."""
    idx = tuple(int(i) for i in np.unravel_index(flat_index, shape)) if shape else ()
    return str(idx)


def _compare_tensors(actual: Tensor, expected: Tensor, rtol, atol, equal_nan, check_dtype,
                     check_device, path, msg) -> None:
    for attr in ("shape",) + (("dtype",) if check_dtype else ()) + \
            (("device",) if check_device else ()):
        a, e = getattr(actual, attr), getattr(expected, attr)
        if a != e:
            _fail(msg or f"The values for attribute '{attr}' do not match: {a} != {e}.", path)
    rtol, atol = _tolerances(actual.dtype, rtol, atol)
    a = np.asarray(actual.detach().cpu()._data)
    e = np.asarray(expected.detach().cpu()._data)
    if not check_dtype and a.dtype != e.dtype:
        common = np.promote_types(a.dtype, e.dtype)
        a, e = a.astype(common), e.astype(common)
    if a.dtype == np.bool_:
        a, e = a.astype(np.int64), e.astype(np.int64)
    close = np.isclose(a, e, rtol=rtol, atol=atol, equal_nan=equal_nan)
    if close.all():
        return
    exact = rtol == 0 and atol == 0
    bad = ~close
    with np.errstate(divide="ignore", invalid="ignore"):
        diff = np.abs(a.astype(np.complex128 if a.dtype.kind == "c" else np.float64)
                      - e.astype(np.complex128 if e.dtype.kind == "c" else np.float64))
        rel = diff / np.abs(e.astype(np.float64 if e.dtype.kind != "c" else np.complex128))
    diff = np.where(bad, diff, 0)
    rel = np.where(bad, rel, 0)
    ia, ir = int(np.argmax(diff)), int(np.argmax(rel))
    kind = "equal" if exact else "close"
    as_int = a.dtype.kind in "iub" and e.dtype.kind in "iub"
    abs_val = int(diff.reshape(-1)[ia]) if as_int else float(diff.reshape(-1)[ia])
    rel_val = rel.reshape(-1)[ir]
    # PyTorch computes the relative difference in the tensors' dtype (float32 for integers)
    rel_val = float(np.float32(rel_val)) if a.dtype == np.float32 or as_int else float(rel_val)
    lines = [f"Tensor-likes are not {kind}!", "",
             f"Mismatched elements: {int(bad.sum())} / {bad.size} "
             f"({100 * bad.sum() / bad.size:.1f}%)",
             f"Greatest absolute difference: {abs_val} at index {_index(ia, a.shape)}"
             + ("" if exact else f" (up to {atol} allowed)"),
             f"Greatest relative difference: {rel_val} at index {_index(ir, a.shape)}"
             + ("" if exact else f" (up to {rtol} allowed)")]
    _fail(msg or "\n".join(lines), path)


def _compare(actual, expected, rtol, atol, equal_nan, check_dtype, check_device, path,
             msg) -> None:
    if isinstance(expected, Tensor) or isinstance(actual, Tensor):
        if not (isinstance(actual, Tensor) and isinstance(expected, Tensor)):
            _fail(msg or f"No comparison pair was able to handle inputs of type "
                  f"{type(actual)} and {type(expected)}.", path)
        _compare_tensors(actual, expected, rtol, atol, equal_nan, check_dtype, check_device,
                         path, msg)
        return
    if isinstance(expected, (bool, int, float, complex)) and \
            isinstance(actual, (bool, int, float, complex)):
        if check_dtype and type(actual) is not type(expected):
            _fail(msg or f"The values for attribute 'dtype' do not match: {type(actual)} != "
                  f"{type(expected)}.", path)
        kind = {bool: D.bool, int: D.int64, float: D.float64, complex: D.complex128}
        r, t = _tolerances(kind[type(expected)], rtol, atol)
        if (equal_nan and isinstance(actual, float) and math.isnan(actual)
                and math.isnan(expected)):
            return
        diff = abs(actual - expected)
        if diff <= t + r * abs(expected):
            return
        rel = diff / abs(expected) if expected else math.inf
        _fail(msg or f"Scalars are not close!\n\nExpected {expected} but got {actual}.\n"
              f"Absolute difference: {diff} (up to {t} allowed)\n"
              f"Relative difference: {rel} (up to {r} allowed)", path)
        return
    if isinstance(expected, Mapping) and isinstance(actual, Mapping):
        if set(actual) != set(expected):
            _fail(msg or "The keys of the mappings do not match:\n"
                  f"Missing keys in the actual mapping: {sorted(set(expected) - set(actual))}\n"
                  f"Additional keys in the actual mapping: "
                  f"{sorted(set(actual) - set(expected))}", path)
        for key in expected:
            _compare(actual[key], expected[key], rtol, atol, equal_nan, check_dtype,
                     check_device, f"{path}[{key!r}]", msg)
        return
    if isinstance(expected, Sequence) and isinstance(actual, Sequence) and \
            not isinstance(expected, str):
        if len(actual) != len(expected):
            _fail(msg or f"The length of the sequences mismatch: {len(actual)} != "
                  f"{len(expected)}", path)
        for i, (a, e) in enumerate(zip(actual, expected)):
            _compare(a, e, rtol, atol, equal_nan, check_dtype, check_device, f"{path}[{i}]",
                     msg)
        return
    if actual != expected:
        _fail(msg or f"{actual!r} != {expected!r}", path)


def assert_close(actual, expected, *, allow_subclasses: bool = True, rtol=None, atol=None,
                 equal_nan: bool = False, check_device: bool = True, check_dtype: bool = True,
                 check_layout: bool = True, check_stride: bool = False, msg=None) -> None:
    """Raise AssertionError unless ``actual`` and ``expected`` (tensors, numbers or nested
    sequences/mappings of them) match in shape, dtype and device and their values are
    within ``atol + rtol * |expected|`` (defaults by dtype; exact for integers)."""
    _compare(actual, expected, rtol, atol, equal_nan, check_dtype, check_device, "", msg)


def assert_allclose(actual, expected, rtol=None, atol=None, equal_nan: bool = True,
                    msg: str = "") -> None:
    """The deprecated form of :func:`assert_close` (no dtype check, NaNs equal)."""
    from .. import tensor
    if not isinstance(actual, Tensor):
        actual = tensor(actual)
    if not isinstance(expected, Tensor):
        expected = tensor(expected, dtype=actual.dtype)
    assert_close(actual, expected, rtol=rtol, atol=atol, equal_nan=equal_nan,
                 check_dtype=False, msg=msg or None)
