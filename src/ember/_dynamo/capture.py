"""Capture for torch.compile: an fx tracer whose proxies also carry the real values.

Every recorded operation also runs on the example inputs, so the capture doubles as the
first eager call (its output is returned to the caller, its side effects such as
batch-norm statistics happen once), every node gets the value it produced (shapes and
dtypes for the code generator), and a proxy holding a tuple can be unpacked — as dynamo
allows ``out, _ = self.lstm(x)`` where plain fx cannot. Branching on a tensor value
still raises ``TraceError``: the branch could differ on the next call.
"""
from __future__ import annotations

from ..fx._symbolic_trace import Tracer
from ..fx.node import map_aggregate
from ..fx.proxy import Attribute, Proxy

__all__ = ["ValueTracer", "ValueProxy"]


class ValueProxy(Proxy):
    """A proxy whose real value is known; a tuple value can be unpacked."""

    __slots__ = ()

    def __iter__(self):
        value = self.tracer.values[self.node]
        if isinstance(value, (tuple, list)):
            return iter([self[i] for i in range(len(value))])
        return super().__iter__()

    def __len__(self):
        value = self.tracer.values[self.node]
        if isinstance(value, (tuple, list)):
            return len(value)
        return super().__len__()


class ValueTracer(Tracer):
    """Traces while computing every node's value on the example inputs."""

    def __init__(self, example_inputs):
        super().__init__()
        self.example_inputs = list(example_inputs)
        self.values: dict = {}
        self._n_inputs = 0

    def trace(self, root, concrete_args=None):
        from ..nn import Module
        self._function_root = not isinstance(root, Module)
        return super().trace(root, concrete_args)

    def call_module(self, m, forward, args, kwargs):
        """A module a traced function reaches through its closure or globals joins the
        program's root (under ``_closure_<n>``), so that its layers are captured as in a
        module root instead of being traced through."""
        if self._function_root and id(m) not in self._module_paths:
            name = f"_closure_{sum(n.startswith('_closure_') for n in self.root._modules)}"
            self.root.add_module(name, m)
            for sub_name, sub in m.named_modules(prefix=name):
                self._module_paths.setdefault(id(sub), sub_name)
            for t_name, t in list(m.named_parameters(prefix=name)) + \
                    list(m.named_buffers(prefix=name)):
                self._tensor_paths.setdefault(id(t), t_name)
        return super().call_module(m, forward, args, kwargs)

    def _placeholders(self, fn, skip_self, concrete_args):
        # parameters the call leaves at their defaults are constants, not graph inputs
        import inspect
        params = list(inspect.signature(fn).parameters.values())[1 if skip_self else 0:]
        fixed = dict(concrete_args)
        for p in params[len(self.example_inputs):]:
            if p.default is not p.empty:
                fixed.setdefault(p.name, p.default)
        return super()._placeholders(fn, skip_self, fixed)

    def _value(self, a):
        def get(x):
            if isinstance(x, Attribute):
                return getattr(get(x.root), x.attr)
            if isinstance(x, Proxy):
                return self.values[x.node]
            return x
        return map_aggregate(a, get)

    def create_proxy(self, kind, target, args, kwargs, name=None, type_expr=None,
                     proxy_factory_fn=None):
        """Record the operation and run it on the real values."""
        node = self.create_node(kind, target, self.create_arg(tuple(args)),
                                self.create_arg(dict(kwargs)), name, type_expr)
        a, k = self._value(tuple(args)), self._value(dict(kwargs))
        self._concrete += 1
        try:
            if kind == "call_function":
                value = target(*a, **k)
            elif kind == "call_method":
                value = getattr(a[0], target)(*a[1:], **k)
            elif kind == "call_module":
                value = self._module_call(self.root.get_submodule(target), *a, **k)
            else:
                value = self.values.get(node)
        finally:
            self._concrete -= 1
        self.values[node] = value
        return self.proxy(node)

    def create_node(self, kind, target, args, kwargs, name=None, type_expr=None):
        """Add a node; placeholders take the example inputs, attributes their values."""
        node = super().create_node(kind, target, args, kwargs, name, type_expr)
        if kind == "get_attr":
            self._concrete += 1
            try:
                value = self.root
                for part in target.split("."):
                    value = getattr(value, part)
            finally:
                self._concrete -= 1
            self.values[node] = value
        elif kind == "placeholder":
            i = self._n_inputs
            self.values[node] = self.example_inputs[i] if i < len(self.example_inputs) else \
                (args[0] if args else None)
            self._n_inputs += 1
        return node

    def proxy(self, node):
        """A proxy that knows its value."""
        return ValueProxy(node, self)

    def output_value(self):
        """The value the traced program returned."""
        from ..fx.node import map_arg
        out = next(n for n in self.graph.nodes if n.op == "output")
        return map_arg(out.args[0], lambda n: self.values[n])
