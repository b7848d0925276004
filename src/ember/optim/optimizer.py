"""The Optimizer base class: parameter groups, per-parameter state, state dicts and hooks.

Subclasses implement ``_step_group(group)``, which updates the parameters of one group in
place, working directly on the backend arrays (``p._data``) so that a step costs a few
array operations per parameter and records nothing in the autograd graph.
"""
from __future__ import annotations

import copy
import functools
import itertools
import warnings
from collections import OrderedDict, defaultdict
from typing import Any, Callable, Iterable

import numpy as np

from .._argtypes import is_real_torch, real_torch_error
from .._dtype import float64, get_default_dtype
from .._tensor import Tensor
from ..autograd.grad_mode import _state as _grad_state

__all__ = ["Optimizer", "required"]


class _Required:
    """Marks a default that every parameter group must set itself (``lr`` of SGD in old code)."""

    def __repr__(self):
        return "<required parameter>"


required = _Required()


class _HookHandle:
    """Returned by the ``register_*_hook`` methods; ``remove()`` unregisters the hook."""

    _next_id = itertools.count()

    def __init__(self, hooks: OrderedDict, hook, prepend: bool = False):
        self._hooks = hooks
        self.id = next(self._next_id)
        hooks[self.id] = hook
        if prepend:
            hooks.move_to_end(self.id, last=False)

    def remove(self) -> None:
        self._hooks.pop(self.id, None)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.remove()


def _typename(obj) -> str:
    if isinstance(obj, Tensor):
        return obj.type()
    kind = type(obj)
    return kind.__qualname__ if kind.__module__ == "builtins" else \
        f"{kind.__module__}.{kind.__qualname__}"


def _scalar_state(value: float) -> Tensor:
    """A 0-d CPU tensor (float32, or float64 when that is the default dtype): the form
    PyTorch keeps ``step``-like counters in."""
    dt = np.float64 if get_default_dtype() is float64 else np.float32
    return Tensor._make(np.array(value, dtype=dt), False, None, 0, [0])


class Optimizer:
    """Base class of all optimizers: holds ``param_groups`` (each a dict of parameters
    and their options) and ``state`` (a dict of per-parameter buffers keyed by parameter)."""

    def __init__(self, params, defaults: dict[str, Any]) -> None:
        self.defaults = defaults
        self._step_pre_hooks: OrderedDict = OrderedDict()
        self._step_post_hooks: OrderedDict = OrderedDict()
        self._state_dict_pre_hooks: OrderedDict = OrderedDict()
        self._state_dict_post_hooks: OrderedDict = OrderedDict()
        self._load_pre_hooks: OrderedDict = OrderedDict()
        self._load_post_hooks: OrderedDict = OrderedDict()
        if isinstance(params, Tensor):
            raise TypeError("params argument given to the optimizer should be an iterable of "
                            f"Tensors or dicts, but got {_typename(params)}")
        self.state: defaultdict = defaultdict(dict)
        self.param_groups: list[dict[str, Any]] = []
        groups = list(params)
        if not groups:
            raise ValueError("optimizer got an empty parameter list")
        if not isinstance(groups[0], dict):
            groups = [{"params": groups}]
        for group in groups:
            self.add_param_group(group)

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        # a user-defined step() gets the hooks (and the bookkeeping schedulers rely on) too
        if "step" in cls.__dict__:
            cls.step = _with_step_hooks(cls.__dict__["step"])

    # The step the built-in optimizers inherit: closure, no_grad, one update per group.
    def step(self, closure: Callable[[], Any] | None = None):
        """Update the parameters from their ``.grad``; ``closure`` (re-evaluating the loss)
        is called first with gradients enabled and its result returned."""
        loss = None
        if closure is not None:
            prev = _grad_state.enabled
            _grad_state.enabled = True
            try:
                loss = closure()
            finally:
                _grad_state.enabled = prev
        prev = _grad_state.enabled
        _grad_state.enabled = False
        try:
            for group in self.param_groups:
                self._step_group(group)
        finally:
            _grad_state.enabled = prev
        return loss

    def _step_group(self, group: dict[str, Any]) -> None:
        raise NotImplementedError

    def __getstate__(self) -> dict[str, Any]:
        return {"defaults": self.defaults, "state": self.state,
                "param_groups": self.param_groups}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        for name in ("_step_pre_hooks", "_step_post_hooks", "_state_dict_pre_hooks",
                     "_state_dict_post_hooks", "_load_pre_hooks", "_load_post_hooks"):
            self.__dict__.setdefault(name, OrderedDict())

    def __repr__(self) -> str:
        lines = [self.__class__.__name__ + " ("]
        for i, group in enumerate(self.param_groups):
            lines.extend([""] * (i > 0) + [f"Parameter Group {i}"])  # groups apart by a blank line
            lines.extend(f"    {key}: {group[key]}" for key in sorted(group) if key != "params")
        return "\n".join(lines) + "\n)"

    # -- parameter groups ------------------------------------------------------
    def add_param_group(self, param_group: dict[str, Any]) -> None:
        """Add a group of parameters with its own options (missing ones take the defaults)."""
        if not isinstance(param_group, dict):
            raise TypeError(f"param_group must be a dict, but got {type(param_group)}")
        params = param_group["params"]
        if isinstance(params, Tensor):
            params = [params]
        elif isinstance(params, set):
            raise TypeError("optimizer parameters need to be organized in ordered collections, "
                            "but the ordering of tensors in sets will change between runs. "
                            "Please use a list instead.")
        else:
            params = list(params)
        named = [p for p in params if isinstance(p, tuple)]
        if named:
            if len(named) != len(params):
                raise ValueError("all optimizer params should be with/without names. Some "
                                 "param names are missing")
            param_group["param_names"] = [name for name, _ in named]
            params = [p for _, p in named]
        param_group["params"] = params
        for p in params:
            if not isinstance(p, Tensor):
                if is_real_torch(p):
                    raise real_torch_error(p, f"{type(self).__name__}")
                raise TypeError("optimizer can only optimize Tensors, but one of the params is "
                                + _typename(p))
            if not self.defaults.get("differentiable") and not (p.is_leaf or p.retains_grad):
                raise ValueError("can't optimize a non-leaf Tensor")
        for name, default in self.defaults.items():
            if default is required and name not in param_group:
                raise ValueError("parameter group didn't specify a value of required "
                                 f"optimization parameter {name}")
            param_group.setdefault(name, default)
        ids = {id(p) for p in params}
        if len(ids) != len(params):
            warnings.warn("optimizer contains a parameter group with duplicate parameters; in "
                          "future, this will cause an error; see "
                          "github.com/pytorch/pytorch/issues/40967 for more information",
                          stacklevel=3)
        for group in self.param_groups:
            if ("param_names" in group) != ("param_names" in param_group):
                which = "with names" if "param_names" in param_group else "without names"
                raise ValueError("all optimizer param groups should be with/without names. "
                                 f"cannot add param group {which} to the optimizer")
            if any(id(p) in ids for p in group["params"]):
                raise ValueError("some parameters appear in more than one parameter group")
        self.param_groups.append(param_group)

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Clear the gradients: drop them (``set_to_none=True``) or fill them with zeros."""
        for group in self.param_groups:
            for p in group["params"]:
                g = p._grad
                if g is None:
                    continue
                if set_to_none:
                    p._grad = None
                else:
                    if g.grad_fn is not None:
                        g.detach_()
                    else:
                        g._rg = False
                    g._data[...] = 0
                    g._vc[0] += 1

    # -- state dicts -----------------------------------------------------------
    def state_dict(self) -> dict[str, Any]:
        """The optimizer's state in PyTorch's layout: ``{'state': {index: {...}},
        'param_groups': [{..., 'params': [indices]}]}``, parameters replaced by their
        position across all groups."""
        for hook in list(self._state_dict_pre_hooks.values()):
            hook(self)
        index: dict[int, int] = {}
        groups = []
        for group in self.param_groups:
            packed = {k: v for k, v in group.items() if k != "params"}
            for p in group["params"]:
                index.setdefault(id(p), len(index))
            packed["params"] = [index[id(p)] for p in group["params"]]
            groups.append(packed)
        state = {(index[id(k)] if isinstance(k, Tensor) else k): v
                 for k, v in self.state.items()}
        result = {"state": state, "param_groups": groups}
        for hook in list(self._state_dict_post_hooks.values()):
            replaced = hook(self, result)
            if replaced is not None:
                result = replaced
        return result

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore a state dict from :meth:`state_dict` (of ember or of PyTorch); floating
        buffers are cast to their parameter's dtype and device, ``step`` counters kept."""
        for hook in list(self._load_pre_hooks.values()):
            replaced = hook(self, state_dict)
            if replaced is not None:
                state_dict = replaced
        saved_groups = copy.deepcopy(state_dict["param_groups"])
        if len(saved_groups) != len(self.param_groups):
            raise ValueError("loaded state dict has a different number of parameter groups")
        if any(len(g["params"]) != len(s["params"])
               for g, s in zip(self.param_groups, saved_groups)):
            raise ValueError("loaded state dict contains a parameter group that doesn't match "
                             "the size of optimizer's group")
        by_index = dict(zip(itertools.chain.from_iterable(s["params"] for s in saved_groups),
                            itertools.chain.from_iterable(g["params"]
                                                          for g in self.param_groups)))
        state: defaultdict = defaultdict(dict)
        for key, value in state_dict["state"].items():
            param = by_index.get(key)
            state[param if param is not None else key] = \
                _cast_state(param, value) if param is not None else value
        for group, saved in zip(self.param_groups, saved_groups):
            saved["params"] = group["params"]
            if "param_names" in group:
                saved.setdefault("param_names", group["param_names"])
            for name, default in self.defaults.items():  # groups saved by older versions
                saved.setdefault(name, default)
        self.state = state
        self.param_groups = saved_groups
        for hook in list(self._load_post_hooks.values()):
            hook(self)

    # -- hooks -----------------------------------------------------------------
    def register_step_pre_hook(self, hook: Callable) -> _HookHandle:
        """Call ``hook(optimizer, args, kwargs)`` before each step; it may return new
        ``(args, kwargs)``."""
        return _HookHandle(self._step_pre_hooks, hook)

    def register_step_post_hook(self, hook: Callable) -> _HookHandle:
        """Call ``hook(optimizer, args, kwargs)`` after each step."""
        return _HookHandle(self._step_post_hooks, hook)

    def register_state_dict_pre_hook(self, hook: Callable, prepend: bool = False) -> _HookHandle:
        """Call ``hook(optimizer)`` before :meth:`state_dict` builds its result."""
        return _HookHandle(self._state_dict_pre_hooks, hook, prepend)

    def register_state_dict_post_hook(self, hook: Callable, prepend: bool = False) -> _HookHandle:
        """Call ``hook(optimizer, state_dict)`` on the result; it may return a replacement."""
        return _HookHandle(self._state_dict_post_hooks, hook, prepend)

    def register_load_state_dict_pre_hook(self, hook: Callable,
                                          prepend: bool = False) -> _HookHandle:
        """Call ``hook(optimizer, state_dict)`` before loading; it may return a replacement."""
        return _HookHandle(self._load_pre_hooks, hook, prepend)

    def register_load_state_dict_post_hook(self, hook: Callable,
                                           prepend: bool = False) -> _HookHandle:
        """Call ``hook(optimizer)`` after :meth:`load_state_dict`."""
        return _HookHandle(self._load_post_hooks, hook, prepend)


def _with_step_hooks(step: Callable) -> Callable:
    """``step`` surrounded by the optimizer's step pre/post hooks; it also marks the
    optimizer as stepped, which LR schedulers check to warn about a wrong call order."""

    @functools.wraps(step)
    def hooked(self, *args, **kwargs):
        if self.__dict__.get("_in_step"):  # a subclass step() calling super().step()
            return step(self, *args, **kwargs)
        for hook in list(self._step_pre_hooks.values()):
            result = hook(self, args, kwargs)
            if result is not None:
                args, kwargs = result
        self._in_step = True
        try:
            out = step(self, *args, **kwargs)
        finally:
            self._in_step = False
        self._opt_called = True
        for hook in list(self._step_post_hooks.values()):
            hook(self, args, kwargs)
        return out

    return hooked


Optimizer.step = _with_step_hooks(Optimizer.step)


def _cast_state(param: Tensor, value, key=None):
    """One parameter's saved state, its tensors moved to the parameter's device and (when
    floating) dtype; counters stay float32 CPU tensors as PyTorch keeps them."""
    if isinstance(value, Tensor):
        if key == "step":
            return value
        if param.is_floating_point():
            return value.to(dtype=param.dtype, device=param.device)
        return value.to(device=param.device)
    if isinstance(value, dict):
        out = {k: _cast_state(param, v, k) for k, v in value.items()}
        step = out.get("step")
        if step is not None and not isinstance(step, Tensor):  # a count from older versions
            out["step"] = _scalar_state(float(step))
        return out
    if isinstance(value, (list, tuple)):
        return type(value)(_cast_state(param, v) for v in value)
    return value


def _params_with_grad(group: dict[str, Any]) -> Iterable[Tensor]:
    """The group's parameters that have a gradient this step."""
    return [p for p in group["params"] if p._grad is not None]
