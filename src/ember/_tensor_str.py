"""Printing tensors the way PyTorch does: ``tensor([1., 2.], requires_grad=True)``.

All elements of a tensor share one format, chosen from the values that will be shown:
integers print as they are; floats print in "integer mode" (``3.``) when every finite
value is whole, in scientific notation when the magnitudes span too much, else with
``precision`` decimals. Every element is right-aligned to one width, rows wrap at
``linewidth`` and tensors above ``threshold`` elements show only ``edgeitems`` per edge.
"""
from __future__ import annotations

import contextlib
import math
import sys
from typing import Any

import numpy as np

from . import _dtype as D

__all__ = ["set_printoptions", "get_printoptions", "printoptions"]


class _PrintOptions:
    __slots__ = ("precision", "threshold", "edgeitems", "linewidth", "sci_mode")

    def __init__(self):
        self.precision = 4
        self.threshold = 1000
        self.edgeitems = 3
        self.linewidth = 80
        self.sci_mode = None


PRINT_OPTS = _PrintOptions()

_PROFILES = {
    "default": dict(precision=4, threshold=1000, edgeitems=3, linewidth=80),
    "short": dict(precision=2, threshold=1000, edgeitems=2, linewidth=80),
    "full": dict(precision=4, threshold=math.inf, edgeitems=3, linewidth=80),
}


def set_printoptions(precision: int | None = None, threshold: float | None = None,
                     edgeitems: int | None = None, linewidth: int | None = None,
                     profile: str | None = None, sci_mode: bool | None = None) -> None:
    """Change how tensors print; a ``profile`` ('default', 'short', 'full') sets all four
    numeric options first, and the explicit ones override it. ``sci_mode`` is always reset."""
    if profile in _PROFILES:
        for name, value in _PROFILES[profile].items():
            setattr(PRINT_OPTS, name, value)
    for name, value in (("precision", precision), ("threshold", threshold),
                        ("edgeitems", edgeitems), ("linewidth", linewidth)):
        if value is not None:
            setattr(PRINT_OPTS, name, value)
    PRINT_OPTS.sci_mode = sci_mode


def get_printoptions() -> dict[str, Any]:
    """The current print options as keyword arguments for ``set_printoptions``."""
    return {name: getattr(PRINT_OPTS, name) for name in _PrintOptions.__slots__}


@contextlib.contextmanager
def printoptions(**kwargs):
    """Set print options for the duration of a ``with`` block."""
    old = get_printoptions()
    set_printoptions(**kwargs)
    try:
        yield
    finally:
        set_printoptions(**old)


class _Formatter:
    """One format and one width for a set of real values (a flat NumPy array)."""

    __slots__ = ("floating", "int_mode", "sci_mode", "width")

    def __init__(self, values: np.ndarray):
        self.floating = values.dtype.kind == "f"
        self.int_mode = True
        self.sci_mode = False
        self.width = 1
        if not self.floating:
            for v in values.tolist():
                self.width = max(self.width, len(str(v)))
            return
        vals = values[np.isfinite(values) & (values != 0)]
        if vals.size == 0:
            return  # only zeros and non-finite values: integer mode, width 1
        mags = np.abs(vals.astype(np.float64))
        lo, hi = float(mags.min()), float(mags.max())
        self.int_mode = bool(np.all(vals == np.ceil(vals)))
        if PRINT_OPTS.sci_mode is None:
            self.sci_mode = hi / lo > 1000.0 or hi > 1.0e8 or lo < 1.0e-4
        else:
            self.sci_mode = PRINT_OPTS.sci_mode
        p = PRINT_OPTS.precision
        # the trailing "." of integer mode is part of the width
        if self.sci_mode:
            strs, extra = (f"{v:.{p}e}" for v in vals.tolist()), 0
        elif self.int_mode:
            strs, extra = (f"{v:.0f}" for v in vals.tolist()), 1
        else:
            strs, extra = (f"{v:.{p}f}" for v in vals.tolist()), 0
        self.width = max(len(s) for s in strs) + extra

    def format(self, value) -> str:
        """``value`` (a Python number) in this format, right-aligned to the width."""
        if not self.floating:
            s = str(value)
        elif self.sci_mode:
            s = f"{value:{self.width}.{PRINT_OPTS.precision}e}"
        elif self.int_mode:
            s = f"{value:.0f}"
            if math.isfinite(value):
                s += "."
        else:
            s = f"{value:.{PRINT_OPTS.precision}f}"
        return s.rjust(self.width)


def _summarized(arr: np.ndarray) -> np.ndarray:
    """The elements a summarized print shows, for choosing the format."""
    e = PRINT_OPTS.edgeitems
    if arr.ndim == 0:
        return arr
    if arr.ndim == 1:
        # arr[-0:] is the whole array: with edgeitems=0 every element counts, as in PyTorch
        return np.concatenate((arr[:e], arr[-e:])) if arr.shape[0] > 2 * e else arr
    if not e:
        return arr[:0].reshape(-1)
    rows = list(arr[:e]) + list(arr[-e:]) if arr.shape[0] > 2 * e else list(arr)
    return np.concatenate([_summarized(r).reshape(-1) for r in rows])


class _Printer:
    """Formats the nested brackets with a real formatter and, for complex, an imaginary one."""

    __slots__ = ("re", "im", "summarize")

    def __init__(self, arr: np.ndarray, summarize: bool):
        self.summarize = summarize
        shown = _summarized(arr) if summarize else arr
        if arr.dtype.kind == "c":
            self.re, self.im = _Formatter(shown.real.reshape(-1)), _Formatter(
                shown.imag.reshape(-1))
        else:
            self.re, self.im = _Formatter(shown.reshape(-1)), None

    def value(self, v) -> str:
        if self.im is None:
            return self.re.format(v)
        imag = (self.im.format(v.imag) + "j").lstrip()
        sep = "" if imag[0] in "+-" else "+"
        return self.re.format(v.real) + sep + imag

    def vector(self, arr: np.ndarray, indent: int) -> str:
        per = self.re.width + 2
        if self.im is not None:
            per += self.im.width + 1
        per_line = max(1, math.floor((PRINT_OPTS.linewidth - indent) / per))
        e = PRINT_OPTS.edgeitems
        if self.summarize and not e:
            items = ["..."]
        elif self.summarize and arr.shape[0] > 2 * e:
            items = [self.value(v) for v in arr[:e].tolist()] + [" ..."] + \
                [self.value(v) for v in arr[-e:].tolist()]
        else:
            items = [self.value(v) for v in arr.tolist()]
        lines = [", ".join(items[i:i + per_line]) for i in range(0, len(items), per_line)]
        return "[" + (",\n" + " " * (indent + 1)).join(lines) + "]"

    def nested(self, arr: np.ndarray, indent: int) -> str:
        if arr.ndim == 0:
            return self.value(arr.item())
        if arr.ndim == 1:
            return self.vector(arr, indent)
        e = PRINT_OPTS.edgeitems
        n = arr.shape[0]
        if self.summarize and n > 2 * e:
            parts = [self.nested(arr[i], indent + 1) for i in range(e)] + ["..."] + \
                [self.nested(arr[i], indent + 1) for i in range(n - e, n)]
        else:
            parts = [self.nested(arr[i], indent + 1) for i in range(n)]
        return "[" + ("," + "\n" * (arr.ndim - 1) + " " * (indent + 1)).join(parts) + "]"


def _body(arr: np.ndarray, indent: int) -> str:
    """The bracketed values of a non-empty array."""
    return _Printer(arr, arr.size > PRINT_OPTS.threshold).nested(arr, indent)


def _add_suffixes(text: str, suffixes: list, indent: int) -> str:
    # PyTorch measures the last line as len - rfind("\n") + 1, i.e. two more than its
    # length; the same count decides here where a suffix wraps.
    out = [text]
    last = len(text) - text.rfind("\n") + 1
    for s in suffixes:
        if last + len(s) + 2 > PRINT_OPTS.linewidth:
            out.append(",\n" + " " * indent + s)
            last = indent + len(s)
        else:
            out.append(", " + s)
            last += len(s) + 2
    out.append(")")
    return "".join(out)


def _parameter_class():
    # Only a loaded ember.nn can have made a Parameter; importing it here would be wasted work.
    mod = sys.modules.get("ember.nn.parameter")
    return getattr(mod, "Parameter", None)


def tensor_repr(t, *, tensor_contents: str | None = None) -> str:
    """``repr(t)`` exactly as PyTorch writes it (``tensor_contents`` replaces the values)."""
    from ._device import CPU, move_array
    from ._tensor import Tensor

    param_cls = _parameter_class()
    plain = type(t) is Tensor or (param_cls is not None and type(t) is param_cls)
    prefix = "tensor(" if plain else f"{type(t).__name__}("
    indent = len(prefix)
    suffixes = []
    dev = t.device
    if dev.type != "cpu":
        suffixes.append(f"device='{dev}'")
    arr = move_array(t._data, CPU)
    dt = t.dtype
    default = D.get_default_dtype()
    if arr.size == 0:
        if arr.ndim != 1:
            suffixes.append(f"size={tuple(arr.shape)}")
        if dt is not default:
            suffixes.append(f"dtype={dt}")
        body = "[]" if tensor_contents is None else tensor_contents
    else:
        if not PRINT_OPTS.edgeitems:
            suffixes.append(f"size={tuple(arr.shape)}")
        default_complex = D.complex128 if default is D.float64 else D.complex64
        if dt not in (default, default_complex, D.int64, D.bool):
            suffixes.append(f"dtype={dt}")
        body = _body(arr, indent) if tensor_contents is None else tensor_contents
    if t.grad_fn is not None:
        suffixes.append(f"grad_fn=<{type(t.grad_fn).__name__}>")
    elif t.requires_grad:
        suffixes.append("requires_grad=True")
    text = _add_suffixes(prefix + body, suffixes, indent)
    if param_cls is not None and isinstance(t, param_cls) and not plain:
        text = f"Parameter({text})"
    return text
