"""``Proxy``: the stand-in value a traced program computes with; every operation on it
adds a node to the tracer's graph instead of computing anything."""
from __future__ import annotations

import linecache
import operator
import os
import sys

from .node import Node

__all__ = ["Proxy", "Attribute", "TraceError", "user_frame_location"]

_FX_DIR = os.path.dirname(os.path.abspath(__file__))
_EMBER_DIR = os.path.dirname(_FX_DIR)


class TraceError(ValueError):
    """Raised when a traced program does something a graph cannot express."""


def user_frame_location() -> str:
    """``file:line: source`` of the innermost frame outside ember's capture code."""
    f = sys._getframe(1)
    while f is not None:
        path = os.path.abspath(f.f_code.co_filename)
        inside = path.startswith(_FX_DIR) or path.startswith(os.path.join(_EMBER_DIR, "_dynamo")) \
            or path.startswith(os.path.join(_EMBER_DIR, "jit"))
        if not inside:
            src = linecache.getline(f.f_code.co_filename, f.f_lineno).strip()
            return f"{f.f_code.co_filename}:{f.f_lineno}: {src}"
        f = f.f_back
    return "<unknown>"


class Proxy:
    """A traced value: operators, tensor methods and attribute reads on it are recorded
    in ``tracer.graph`` as nodes and give new proxies."""

    __slots__ = ("node", "tracer")

    def __init__(self, node: Node, tracer=None):
        if tracer is None:
            from ._symbolic_trace import current_tracer
            tracer = current_tracer()
        object.__setattr__(self, "node", node)
        object.__setattr__(self, "tracer", tracer)

    def __repr__(self) -> str:
        return f"Proxy({self.node.name})"

    def __getattr__(self, name: str):
        if name.startswith("__") and name.endswith("__"):
            raise AttributeError(name)
        return Attribute(self, name)

    def __call__(self, *args, **kwargs):
        return self.tracer.create_proxy("call_method", "__call__", (self,) + args, kwargs)

    def __iter__(self):
        raise TraceError("Proxy object cannot be iterated: the number of values is unknown "
                         "while tracing (a loop over it, or unpacking it into *args). At "
                         + user_frame_location())

    def __bool__(self):
        raise TraceError("symbolically traced variables cannot be used as inputs to control "
                         "flow (the branch taken would depend on a tensor's value). At "
                         + user_frame_location())

    def __len__(self):
        raise RuntimeError("'len' is not supported in symbolic tracing by default. If you "
                           "want this call to be recorded, please call torch.fx.wrap('len') "
                           "at module scope. At " + user_frame_location())

    def __index__(self):
        raise TraceError("a traced value cannot be used as a Python integer (index, range, "
                         "shape). At " + user_frame_location())

    def keys(self):
        """Called by ``**proxy`` unpacking: recorded as a ``keys`` method call."""
        return self.tracer.create_proxy("call_method", "keys", (self,), {})

    def __setitem__(self, key, value):
        self.tracer.create_proxy("call_function", operator.setitem, (self, key, value), {})

    def __getstate__(self):
        raise TraceError("a traced value cannot be pickled or copied")


class Attribute(Proxy):
    """``proxy.name``: a method call when called, otherwise a ``getattr`` node made on use."""

    __slots__ = ("root", "attr", "_node")

    def __init__(self, root: Proxy, attr: str):
        object.__setattr__(self, "root", root)
        object.__setattr__(self, "attr", attr)
        object.__setattr__(self, "tracer", root.tracer)
        object.__setattr__(self, "_node", None)

    @property
    def node(self):
        """The ``getattr`` node, created the first time the attribute is used as a value."""
        if self._node is None:
            made = self.tracer.create_proxy("call_function", getattr, (self.root, self.attr), {})
            object.__setattr__(self, "_node", made.node)
        return self._node

    def __call__(self, *args, **kwargs):
        return self.tracer.create_proxy("call_method", self.attr, (self.root,) + args, kwargs)


def _binary(op, reflected=False):
    if reflected:
        def method(self, other):
            return self.tracer.create_proxy("call_function", op, (other, self), {})
    else:
        def method(self, other):
            return self.tracer.create_proxy("call_function", op, (self, other), {})
    return method


def _unary(op):
    def method(self):
        return self.tracer.create_proxy("call_function", op, (self,), {})
    return method


for _name in ("add", "sub", "mul", "truediv", "floordiv", "mod", "pow", "matmul", "and_",
              "or_", "xor", "lshift", "rshift"):
    _dunder = _name.rstrip("_")
    setattr(Proxy, f"__{_dunder}__", _binary(getattr(operator, _name)))
    setattr(Proxy, f"__r{_dunder}__", _binary(getattr(operator, _name), reflected=True))
for _name in ("eq", "ne", "lt", "le", "gt", "ge", "getitem"):
    setattr(Proxy, f"__{_name}__", _binary(getattr(operator, _name)))
for _name in ("neg", "pos", "invert", "abs"):
    setattr(Proxy, f"__{_name}__", _unary(getattr(operator, _name)))
Proxy.__hash__ = object.__hash__
