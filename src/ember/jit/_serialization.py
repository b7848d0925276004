"""``torch.jit.save`` / ``torch.jit.load`` for ember's traced modules (a zip archive);
PyTorch's TorchScript archives are recognised and refused with a clear error."""
from __future__ import annotations

import io
import os
import pickle
import zipfile

__all__ = ["save", "load"]

_ROOT = "ember_traced"
_VERSION = "1"


def save(m, f, _extra_files=None) -> None:
    """Write a traced module (from ``torch.jit.trace``) to ``f`` (a path or binary file)."""
    from ..fx import GraphModule
    if not isinstance(m, GraphModule):
        raise NotImplementedError("ember's torch.jit.save writes traced modules (from "
                                  "torch.jit.trace); scripted modules run Python code and "
                                  "cannot be saved")
    data = pickle.dumps(m, protocol=pickle.HIGHEST_PROTOCOL)
    with zipfile.ZipFile(f if not isinstance(f, (str, os.PathLike)) else os.fspath(f),
                         "w") as z:
        z.writestr(f"{_ROOT}/version", _VERSION)
        z.writestr(f"{_ROOT}/data.pkl", data)
        z.writestr(f"{_ROOT}/code.py", m.code)
        for name, content in (_extra_files or {}).items():
            z.writestr(f"{_ROOT}/extra/{name}", content)


def load(f, map_location=None, _extra_files=None):
    """Read a module written by ``torch.jit.save`` of ember."""
    if isinstance(f, (str, os.PathLike)):
        with open(f, "rb") as fh:
            raw = fh.read()
    else:
        raw = f.read()
    try:
        z = zipfile.ZipFile(io.BytesIO(raw))
    except zipfile.BadZipFile:
        raise RuntimeError("torch.jit.load: the file is not a zip archive written by "
                           "torch.jit.save") from None
    names = z.namelist()
    if f"{_ROOT}/data.pkl" not in names:
        if any("/code/" in n or n.endswith("constants.pkl") for n in names):
            raise RuntimeError("torch.jit.load: this is a TorchScript archive written by "
                               "PyTorch; ember cannot run TorchScript programs (not "
                               "supported). Save the model's state_dict with torch.save and "
                               "load it into the same nn.Module in ember instead.")
        raise RuntimeError("torch.jit.load: the archive was not written by torch.jit.save")
    module = pickle.loads(z.read(f"{_ROOT}/data.pkl"))
    if _extra_files is not None:
        for name in _extra_files:
            path = f"{_ROOT}/extra/{name}"
            if path in names:
                _extra_files[name] = z.read(path)
    return module
