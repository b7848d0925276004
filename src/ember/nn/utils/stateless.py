"""Run a module with other tensors in place of its parameters and buffers.

``functional_call(module, {"fc.weight": w, ...}, args)`` swaps the named tensors in for
the duration of one call and puts the module's own back afterwards, even if the call
raises; gradients then flow to the tensors given, not to the module's parameters."""
from __future__ import annotations

import contextlib
from typing import Any

from ..._tensor import Tensor

__all__ = ["functional_call"]

_MISSING = object()


def _owner(module, name: str):
    """The submodule holding the dotted ``name``, and the last part of the name."""
    *path, attr = name.split(".")
    for part in path:
        module = getattr(module, part)
    return module, attr


def _swap(owner, attr: str, value):
    """Put ``value`` under ``attr`` of ``owner``; returns what was there."""
    for store in (owner._parameters, owner._buffers):
        if attr in store:
            old = store[attr]
            store[attr] = value
            return store, old
    old = owner.__dict__.get(attr, _MISSING)
    object.__setattr__(owner, attr, value)
    return owner.__dict__, old


def _tied_names(module) -> dict[int, list[str]]:
    names: dict[int, list[str]] = {}
    for name, t in list(module.named_parameters(remove_duplicate=False)) + \
            list(module.named_buffers(remove_duplicate=False)):
        names.setdefault(id(t), []).append(name)
    return names


@contextlib.contextmanager
def _reparametrize_module(module, values: dict[str, Any], tie_weights: bool = False,
                          strict: bool = False):
    """Within the block, ``module``'s named tensors are the ``values`` given."""
    values = dict(values)
    if tie_weights:
        for names in _tied_names(module).values():
            given = [n for n in names if n in values]
            if not given:
                continue
            first = values[given[0]]
            for n in given[1:]:
                if values[n] is not first:
                    raise ValueError(f"functional_call got multiple values for keys {given}, "
                                     "which are tied. Consider using tie_weights=False")
            for n in names:
                values.setdefault(n, first)
    if strict:
        known = {n for names in _tied_names(module).values() for n in names}
        missing = sorted(known - set(values))
        unexpected = sorted(set(values) - known)
        errors = []
        if unexpected:
            errors.append("Unexpected key(s): " + ", ".join(f"'{k}'" for k in unexpected) + ".")
        if missing:
            errors.append("Missing key(s): " + ", ".join(f"'{k}'" for k in missing) + ".")
        if errors:
            raise RuntimeError(f"Error(s) in reparametrizing for {module._get_name()}:\n\t"
                               + "\n\t".join(errors))
    undo = []
    try:
        for name, value in values.items():
            owner, attr = _owner(module, name)
            store, old = _swap(owner, attr, value)
            undo.append((store, attr, old))
        yield
    finally:
        for store, attr, old in reversed(undo):
            if old is _MISSING:
                store.pop(attr, None)
            else:
                store[attr] = old


def functional_call(module, parameters_and_buffers, args=None, kwargs=None, *,
                    tie_weights: bool = True, strict: bool = False):
    """``module(*args, **kwargs)`` with the tensors of ``parameters_and_buffers`` (a dict
    of dotted names, or a tuple of such dicts) in place of the module's own."""
    if isinstance(parameters_and_buffers, (list, tuple)):
        merged: dict[str, Tensor] = {}
        for d in parameters_and_buffers:
            for k, v in d.items():
                if k in merged:
                    raise ValueError(f"{k} appeared in multiple dictionaries; behavior of "
                                     "functional call is ambiguous")
                merged[k] = v
        parameters_and_buffers = merged
    if args is None:
        args = ()
    elif not isinstance(args, tuple):
        args = (args,)
    with _reparametrize_module(module, parameters_and_buffers, tie_weights, strict):
        return module(*args, **(kwargs or {}))
