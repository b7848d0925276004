"""How ember names itself to the user: as ``torch`` while the runner serves it as torch.

Under ``python -m ember.run`` a script knows only ``torch`` and ``torchvision``: its
classes print as ``torch.nn.modules.container.Sequential`` and messages say
``torch.load``. ``serve_as_torch`` switches that on (the runner calls it); messages
build their names with ``public_name``.
"""
from __future__ import annotations

import sys

__all__ = ["public_name", "serve_as_torch", "served_as_torch", "rename_loaded_classes"]

# ember's module prefixes and the torch names they stand for, most specific first
_PREFIXES = (("ember.vision", "torchvision"), ("ember", "torch"))
_state = {"torch": False, "renamed": set()}


def served_as_torch() -> bool:
    """Whether the runner serves ember as ``torch`` in this process."""
    return _state["torch"]


def torch_name(name: str) -> str:
    """``name`` (``ember.nn.modules.linear``) with ember's prefix as torch spells it."""
    for ours, theirs in _PREFIXES:
        if name == ours or name.startswith(ours + "."):
            return theirs + name[len(ours):]
    return name


def public_name(name: str) -> str:
    """The name to show for ember's ``name``: torch's under the runner, else unchanged."""
    return torch_name(name) if _state["torch"] else name


def rename_loaded_classes() -> None:
    """Under the runner, give the classes of every loaded ember module their torch module
    name, so that ``type(model)`` prints as in PyTorch (and pickles under torch's names)."""
    if not _state["torch"]:
        return
    for modname, module in list(sys.modules.items()):
        if module is None or modname in _state["renamed"] or \
                not (modname == "ember" or modname.startswith("ember.")) or \
                getattr(getattr(module, "__spec__", None), "_initializing", False):
            continue  # not ours, done already, or still running its body
        _state["renamed"].add(modname)
        new = torch_name(modname)
        for value in list(vars(module).values()):
            if isinstance(value, type) and value.__dict__.get("__module__") == modname:
                value.__module__ = new


def serve_as_torch() -> None:
    """Name ember as ``torch`` from now on, in messages and class names."""
    _state["torch"] = True
    rename_loaded_classes()
