"""Printing tensors the way PyTorch does: ``tensor([1., 2.], requires_grad=True)``."""
from __future__ import annotations

import math

import numpy as np

from . import _dtype as D


class _PrintOptions:
    precision = 4
    threshold = 1000
    edgeitems = 3
    linewidth = 80
    sci_mode = None


PRINT_OPTS = _PrintOptions()


def set_printoptions(precision=None, threshold=None, edgeitems=None, linewidth=None,
                     profile=None, sci_mode=None):
    """Change how tensors print (PyTorch's options and profiles)."""
    if profile == "default":
        PRINT_OPTS.precision, PRINT_OPTS.threshold = 4, 1000
        PRINT_OPTS.edgeitems, PRINT_OPTS.linewidth = 3, 80
    elif profile == "short":
        PRINT_OPTS.precision, PRINT_OPTS.threshold = 2, 1000
        PRINT_OPTS.edgeitems, PRINT_OPTS.linewidth = 2, 80
    elif profile == "full":
        PRINT_OPTS.precision, PRINT_OPTS.threshold = 4, math.inf
        PRINT_OPTS.edgeitems, PRINT_OPTS.linewidth = 3, 80
    if precision is not None:
        PRINT_OPTS.precision = precision
    if threshold is not None:
        PRINT_OPTS.threshold = threshold
    if edgeitems is not None:
        PRINT_OPTS.edgeitems = edgeitems
    if linewidth is not None:
        PRINT_OPTS.linewidth = linewidth
    PRINT_OPTS.sci_mode = sci_mode


def get_printoptions() -> dict:
    return dict(precision=PRINT_OPTS.precision, threshold=PRINT_OPTS.threshold,
                edgeitems=PRINT_OPTS.edgeitems, linewidth=PRINT_OPTS.linewidth,
                sci_mode=PRINT_OPTS.sci_mode)


class _Formatter:
    """Chooses one format (int, fixed or scientific) and one width for all elements."""

    def __init__(self, values: np.ndarray):
        self.kind = values.dtype.kind
        self.int_mode = True
        self.sci_mode = False
        self.width = 1
        p = PRINT_OPTS.precision
        if self.kind in "iub":
            self.width = max((len(self._plain(v)) for v in values.ravel()), default=1)
            return
        if self.kind == "c":
            self.width = max((len(self.format(v)) for v in values.ravel()), default=1)
            return
        vals = values.astype(np.float64).ravel()
        finite = vals[np.isfinite(vals)]
        nonzero = np.abs(finite[finite != 0])
        if finite.size == 0:
            self.width = max((len(_nonfinite(v)) for v in vals), default=1)
            return
        self.int_mode = bool(np.all(finite == np.ceil(finite)))
        if nonzero.size:
            mx, mn = float(nonzero.max()), float(nonzero.min())
            ratio = mx / mn
        else:
            mx = mn = ratio = 0.0
        if self.int_mode:
            if nonzero.size and (ratio > 1000.0 or mx > 1.0e8):
                self.sci_mode = True
        elif nonzero.size and (ratio > 1000.0 or mx > 1.0e8 or mn < 1.0e-4):
            self.sci_mode = True
        if PRINT_OPTS.sci_mode is not None:
            self.sci_mode = PRINT_OPTS.sci_mode
        self.p = p
        self.width = max(len(self.format(v)) for v in vals)

    @staticmethod
    def _plain(v):
        if isinstance(v, (bool, np.bool_)):
            return "True" if v else "False"
        return str(int(v))

    def format(self, v) -> str:
        if self.kind in "iub":
            return self._plain(v)
        if self.kind == "c":
            re, im = float(v.real), float(v.imag)
            return f"{re:.{PRINT_OPTS.precision}f}{im:+.{PRINT_OPTS.precision}f}j"
        v = float(v)
        if not math.isfinite(v):
            return _nonfinite(v)
        if self.sci_mode:
            return f"{v:.{self.p}e}"
        if self.int_mode:
            return f"{v:.0f}."
        return f"{v:.{self.p}f}"

    def pad(self, v) -> str:
        return self.format(v).rjust(self.width)


def _nonfinite(v):
    v = float(v)
    if math.isnan(v):
        return "nan"
    return "inf" if v > 0 else "-inf"


def _summarized(arr: np.ndarray) -> np.ndarray:
    """The elements that a summarized print shows (for choosing the format)."""
    e = PRINT_OPTS.edgeitems
    if arr.ndim == 0:
        return arr.reshape(1)
    if arr.ndim == 1:
        if arr.shape[0] > 2 * e:
            return np.concatenate([arr[:e], arr[-e:]])
        return arr
    if arr.shape[0] > 2 * e:
        parts = [_summarized(x) for x in list(arr[:e]) + list(arr[-e:])]
    else:
        parts = [_summarized(x) for x in arr]
    return np.concatenate(parts) if parts else arr.reshape(-1)


def _fmt_array(arr, fmt, indent, summarize):
    e = PRINT_OPTS.edgeitems
    if arr.ndim == 0:
        return fmt.pad(arr.item())
    if arr.ndim == 1:
        width = fmt.width + 2
        per_line = max(1, int(math.floor((PRINT_OPTS.linewidth - indent) / width)))
        if summarize and arr.shape[0] > 2 * e:
            items = [fmt.pad(v) for v in arr[:e]] + [" ..."] + [fmt.pad(v) for v in arr[-e:]]
        else:
            items = [fmt.pad(v) for v in arr]
        lines = [", ".join(items[i:i + per_line]) for i in range(0, len(items), per_line)]
        return "[" + ("," + "\n" + " " * (indent + 1)).join(lines) + "]"
    if summarize and arr.shape[0] > 2 * e:
        slices = [_fmt_array(x, fmt, indent + 1, summarize) for x in arr[:e]] + ["..."] + \
                 [_fmt_array(x, fmt, indent + 1, summarize) for x in arr[-e:]]
    else:
        slices = [_fmt_array(x, fmt, indent + 1, summarize) for x in arr]
    sep = "," + "\n" * (arr.ndim - 1) + " " * (indent + 1)
    return "[" + sep.join(slices) + "]"


def array_str(arr: np.ndarray, indent: int) -> str:
    """The bracketed body of a tensor's repr."""
    summarize = arr.size > PRINT_OPTS.threshold
    shown = _summarized(arr) if summarize else arr
    fmt = _Formatter(np.asarray(shown))
    return _fmt_array(arr, fmt, indent, summarize)


_DEFAULT_INT = "int64"


def tensor_repr(t, prefix: str = "tensor(") -> str:
    from ._device import CPU, move_array

    arr = move_array(t._data, CPU)
    indent = len(prefix)
    suffixes = []
    dt = t.dtype
    if t.device.type != "cpu":
        suffixes.append(f"device='{t.device}'")
    if arr.size == 0:
        body = "[]"
        if arr.ndim != 1:
            suffixes.append(f"size={tuple(arr.shape)}")
        if dt is not D.get_default_dtype() and dt.name != _DEFAULT_INT:
            suffixes.append(f"dtype={dt}")
    else:
        body = array_str(arr, indent)
        shows_dtype = not (dt is D.get_default_dtype() or dt.name in (_DEFAULT_INT, "bool") or
                           (dt.name == "complex64" and D.get_default_dtype() is D.float32) or
                           (dt.name == "complex128" and D.get_default_dtype() is D.float64))
        if shows_dtype:
            suffixes.append(f"dtype={dt}")
    if t.grad_fn is not None:
        suffixes.append(f"grad_fn=<{type(t.grad_fn).__name__}>")
    elif t.requires_grad:
        suffixes.append("requires_grad=True")
    out = prefix + body
    if suffixes:
        suffix = ", ".join(suffixes)
        last = out[out.rfind("\n") + 1:]
        if len(last) + len(suffix) + 3 > PRINT_OPTS.linewidth and "\n" in out:
            out += ",\n" + " " * indent + suffix
        else:
            out += ", " + suffix
    return out + ")"
