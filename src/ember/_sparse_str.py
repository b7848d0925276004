"""``repr`` of sparse tensors, laid out as PyTorch prints them: each part as a nested
``tensor(...)`` under its name, then the size, nnz, dtype and layout."""
from __future__ import annotations

from . import _dtype as D
from ._device import CPU, move_array
from ._tensor_str import PRINT_OPTS, _body

_INDENT = len("tensor(")


def _part(name: str, t, indent: int) -> str:
    """``name=tensor([...])`` with continuation lines aligned under the brackets."""
    prefix = f"{name}=tensor("
    arr = move_array(t.detach()._data, CPU)
    if arr.size == 0:
        body = f"[], size={tuple(arr.shape)}"
    else:
        body = _body(arr, indent + len(prefix))
    return prefix + body + ")"


def _suffixes(t) -> list:
    out = []
    if t.device.type != "cpu":
        out.append(f"device='{t.device}'")
    out += [f"size={tuple(t.shape)}", f"nnz={t._nnz()}"]
    default = D.get_default_dtype()
    default_complex = D.complex128 if default is D.float64 else D.complex64
    if t.dtype not in (default, default_complex, D.int64, D.bool):
        out.append(f"dtype={t.dtype}")
    out.append(f"layout={t.layout}")
    if t.grad_fn is not None:
        out.append(f"grad_fn=<{type(t.grad_fn).__name__}>")
    elif t.requires_grad:
        out.append("requires_grad=True")
    return out


def _join(text: str, suffixes: list, first_on_new_line: bool) -> str:
    # torch counts the last line as two longer than it is; the wrap points follow that
    pieces = [text]
    last = len(text) - text.rfind("\n") + 1
    for s in suffixes:
        if first_on_new_line or last + len(s) + 2 > PRINT_OPTS.linewidth:
            pieces.append(",\n" + " " * _INDENT + s)
            last = _INDENT + len(s)
            first_on_new_line = False
        else:
            pieces.append(", " + s)
            last += len(s) + 2
    return "".join(pieces) + ")"


def coo_repr(t) -> str:
    """``tensor(indices=..., values=..., size=..., nnz=..., layout=torch.sparse_coo)``."""
    sep = ",\n" + " " * _INDENT
    text = "tensor(" + _part("indices", t._indices(), _INDENT) + sep + \
        _part("values", t._values(), _INDENT)
    return _join(text, _suffixes(t), True)


def csr_repr(t) -> str:
    """``tensor(crow_indices=..., col_indices=..., values=..., size=..., nnz=...,
    layout=torch.sparse_csr)``."""
    sep = ",\n" + " " * _INDENT
    text = "tensor(" + _part("crow_indices", t.crow_indices(), _INDENT) + sep + \
        _part("col_indices", t.col_indices(), _INDENT) + sep + \
        _part("values", t.values(), _INDENT)
    return _join(text, _suffixes(t), False)
