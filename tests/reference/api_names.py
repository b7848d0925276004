"""Collect the public names of PyTorch's main namespaces, from torch or from ember, as JSON.

Run as ``python api_names.py torch`` or ``python api_names.py ember`` in a fresh interpreter, so
that what other tests happened to import does not change the answer. Prints
``{namespace: [names...]}`` on stdout: for torch every public name of the namespace, for ember
the public names of torch's namespace that ember has (torch's list is read from stdin).
"""
from __future__ import annotations

import importlib
import json
import sys
import types

# namespace key -> module path inside the library ("" for the top level); "Tensor" is the class
NAMESPACES = {
    "torch": "",
    "torch.Tensor": "Tensor",
    "torch.nn": ".nn",
    "torch.nn.functional": ".nn.functional",
    "torch.optim": ".optim",
    "torch.linalg": ".linalg",
    "torch.fft": ".fft",
    "torch.special": ".special",
    "torch.distributions": ".distributions",
    "torch.utils.data": ".utils.data",
    "torch.autograd": ".autograd",
}

# names whose objects come from these modules are imports of the namespace, not its API
_FOREIGN_MODULES = {"typing", "typing_extensions", "collections.abc", "builtins", "dataclasses"}


def _namespace(lib: str, key: str):
    """The library's object for ``key``; None when that namespace does not import."""
    path = NAMESPACES[key]
    top = importlib.import_module(lib)
    if path == "Tensor":
        return top.Tensor
    if not path:
        return top
    try:
        return importlib.import_module(lib + path)
    except ImportError:
        return None


def _is_import(namespace, key: str, name: str) -> bool:
    """True when ``name`` in torch's namespace is something it merely imports (os, Optional...)."""
    obj = getattr(namespace, name)
    if isinstance(obj, types.ModuleType):
        return obj.__name__ != f"{key}.{name}"
    return getattr(obj, "__module__", None) in _FOREIGN_MODULES


def torch_names() -> dict[str, list[str]]:
    """Every public name of each of torch's namespaces, less the modules/typing names it imports."""
    out = {}
    for key in NAMESPACES:
        ns = _namespace("torch", key)
        out[key] = sorted(n for n in dir(ns)
                          if not n.startswith("_") and not _is_import(ns, key, n))
    return out


def _has(obj, name: str, instance=None) -> bool:
    """hasattr that also treats other exceptions as 'absent' and looks on an instance."""
    try:
        if hasattr(obj, name):
            return True
    except Exception:  # a lazy attribute that fails to load counts as missing
        return False
    return instance is not None and hasattr(instance, name)


def ember_names(wanted: dict[str, list[str]]) -> dict[str, list[str]]:
    """Of the names torch has (``wanted``), those ember has; the top level is checked first."""
    import ember
    out = {"torch": [n for n in wanted["torch"] if _has(ember, n)]}
    instance = ember.zeros(2, 2, requires_grad=True)
    out["torch.Tensor"] = [n for n in wanted["torch.Tensor"] if _has(ember.Tensor, n, instance)]
    for key in NAMESPACES:
        if key in out:
            continue
        ns = _namespace("ember", key)
        out[key] = [] if ns is None else [n for n in wanted[key] if _has(ns, n)]
    return out


if __name__ == "__main__":
    import warnings
    warnings.simplefilter("ignore")
    if sys.argv[1] == "torch":
        result = torch_names()
    else:
        result = ember_names(json.load(sys.stdin))
    json.dump(result, sys.stdout)
