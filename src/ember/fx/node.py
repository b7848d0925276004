"""``Node``: one operation of an fx ``Graph``, plus helpers that walk nested arguments."""
from __future__ import annotations

from typing import Any, Callable

__all__ = ["Node", "map_arg", "map_aggregate", "Argument", "Target"]

Argument = Any
Target = Any

_OPS = ("placeholder", "get_attr", "call_function", "call_method", "call_module", "output",
        "root")


def map_aggregate(a, fn: Callable):
    """Apply ``fn`` to every leaf of nested tuples, lists, dicts and slices in ``a``."""
    if isinstance(a, tuple):
        out = tuple(map_aggregate(x, fn) for x in a)
        return type(a)(*out) if hasattr(a, "_fields") else out
    if isinstance(a, list):
        return [map_aggregate(x, fn) for x in a]
    if isinstance(a, dict):
        return {k: map_aggregate(v, fn) for k, v in a.items()}
    if isinstance(a, slice):
        return slice(map_aggregate(a.start, fn), map_aggregate(a.stop, fn),
                     map_aggregate(a.step, fn))
    return fn(a)


def map_arg(a, fn: Callable):
    """Apply ``fn`` to every ``Node`` inside the nested argument ``a``."""
    if not callable(fn):
        raise AssertionError("torch.fx.map_arg(a, fn): fn must be a callable")
    return map_aggregate(a, lambda x: fn(x) if isinstance(x, Node) else x)


class Node:
    """One operation of a graph: its kind (``op``), ``target``, ``args``/``kwargs`` (which
    may hold other nodes), the nodes that use it (``users``) and free-form ``meta``."""

    def __init__(self, graph, name: str, op: str, target, args: tuple, kwargs: dict,
                 return_type=None):
        if op not in _OPS:
            raise AssertionError(f"unknown node op {op!r}")
        self.graph = graph
        self.name = name
        self.op = op
        self.target = target
        self.type = return_type
        self.users: dict = {}
        self.meta: dict = {}
        self._input_nodes: dict = {}
        self._args: tuple = ()
        self._kwargs: dict = {}
        self._prev = self._next = self
        self._erased = False
        self._update_args_kwargs(args, kwargs)

    # -- arguments and the use lists ------------------------------------------
    def _update_args_kwargs(self, args, kwargs):
        for old in self._input_nodes:
            old.users.pop(self, None)
        self._args = tuple(args)
        self._kwargs = dict(kwargs)
        self._input_nodes = {}
        map_arg((self._args, self._kwargs), self._input_nodes.setdefault)
        for n in self._input_nodes:
            n.users.setdefault(self)

    @property
    def args(self) -> tuple:
        """The positional arguments (nodes stand for the values they compute)."""
        return self._args

    @args.setter
    def args(self, value):
        self._update_args_kwargs(value, self._kwargs)

    @property
    def kwargs(self) -> dict:
        """The keyword arguments."""
        return self._kwargs

    @kwargs.setter
    def kwargs(self, value):
        self._update_args_kwargs(self._args, value)

    @property
    def all_input_nodes(self) -> list:
        """The nodes this one reads, in order of first appearance."""
        return list(self._input_nodes)

    def update_arg(self, idx: int, arg) -> None:
        """Replace positional argument ``idx``."""
        args = list(self._args)
        args[idx] = arg
        self.args = tuple(args)

    def update_kwarg(self, key: str, arg) -> None:
        """Set keyword argument ``key``."""
        kwargs = dict(self._kwargs)
        kwargs[key] = arg
        self.kwargs = kwargs

    def replace_input_with(self, old: "Node", new: "Node") -> None:
        """Make this node read ``new`` wherever it read ``old``."""
        swap = lambda n: new if n is old else n  # noqa: E731
        self._update_args_kwargs(map_arg(self._args, swap), map_arg(self._kwargs, swap))

    def replace_all_uses_with(self, replace_with: "Node", delete_user_cb=None, *,
                              propagate_meta: bool = False) -> list:
        """Point every user of this node at ``replace_with``; returns the users changed."""
        if propagate_meta:
            for k, v in self.meta.items():
                replace_with.meta.setdefault(k, v)
        changed = []
        for user in list(self.users):
            if delete_user_cb is not None and not delete_user_cb(user):
                continue
            user.replace_input_with(self, replace_with)
            changed.append(user)
        return changed

    # -- position in the graph ---------------------------------------------------
    @property
    def next(self) -> "Node":
        """The node after this one (the graph's root sentinel at the end)."""
        return self._next

    @property
    def prev(self) -> "Node":
        """The node before this one."""
        return self._prev

    def _remove_from_list(self):
        p, n = self._prev, self._next
        p._next, n._prev = n, p
        self._prev = self._next = self

    def prepend(self, x: "Node") -> None:
        """Move node ``x`` to just before this one."""
        if x is self:
            return
        x._remove_from_list()
        p = self._prev
        p._next, x._prev = x, p
        x._next, self._prev = self, x

    def append(self, x: "Node") -> None:
        """Move node ``x`` to just after this one."""
        self._next.prepend(x)

    def is_impure(self) -> bool:
        """Whether removing this node could change behaviour even if nothing uses it."""
        if self.op in ("placeholder", "output"):
            return True
        if self.op == "call_method":
            return self.target.endswith("_") and not self.target.endswith("__")
        if self.op == "call_function":
            name = getattr(self.target, "__name__", "")
            return name.endswith("_") and not name.endswith("__") or name.startswith("set")
        if self.op == "call_module":
            mod = self.graph.owning_module
            sub = mod.get_submodule(self.target) if mod is not None else None
            return bool(getattr(sub, "_is_impure", False))
        return False

    def format_node(self) -> str:
        """A one-line description, as ``Graph.__str__`` prints it."""
        if self.op == "placeholder":
            return f"%{self.name} : [num_users={len(self.users)}] = placeholder[target={self.target}]"
        if self.op == "get_attr":
            return f"%{self.name} : [num_users={len(self.users)}] = get_attr[target={self.target}]"
        if self.op == "output":
            return f"return {_fmt(self.args[0])}"
        return (f"%{self.name} : [num_users={len(self.users)}] = {self.op}[target="
                f"{_target_str(self.target)}](args = {_fmt(self.args)}, kwargs = {_fmt(self.kwargs)})")

    def __repr__(self) -> str:
        return self.name


def _target_str(target) -> str:
    if isinstance(target, str):
        return target
    mod = getattr(target, "__module__", None) or ""
    name = getattr(target, "__qualname__", None) or getattr(target, "__name__", repr(target))
    if mod in ("_operator", "operator", "builtins"):
        return name if mod == "builtins" else f"operator.{name}"
    return f"{mod}.{name}" if mod else name


def _fmt(a) -> str:
    return repr(map_arg(a, lambda n: _Ref(n.name)))


class _Ref:
    __slots__ = ("name",)

    def __init__(self, name):
        self.name = name

    def __repr__(self):
        return "%" + self.name
