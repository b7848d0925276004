"""``Interpreter`` runs a ``GraphModule`` node by node; ``Transformer`` rebuilds it."""
from __future__ import annotations

from .graph import Graph
from .node import Node, map_aggregate, map_arg
from .proxy import Proxy

__all__ = ["Interpreter", "Transformer"]


class Interpreter:
    """Executes a graph one node at a time; override ``call_function``, ``call_module``
    and friends (or ``run_node``) to change what a node does."""

    def __init__(self, module, garbage_collect_values: bool = True, graph=None):
        self.module = module
        self.graph = graph if graph is not None else module.graph
        self.submodules = dict(module.named_modules())
        self.env: dict = {}
        self.garbage_collect_values = garbage_collect_values
        self.args_iter = iter(())
        self.user_to_last_uses: dict = {}
        if garbage_collect_values:
            seen = set()
            for node in reversed(self.graph.nodes):
                for inp in node.all_input_nodes:
                    if inp not in seen:
                        seen.add(inp)
                        self.user_to_last_uses.setdefault(node, []).append(inp)

    def run(self, *args, initial_env=None, enable_io_processing: bool = True):
        """Run the graph on ``args`` and return its output."""
        self.env = dict(initial_env or {})
        self.args_iter = iter(args)
        for node in self.graph.nodes:
            if node in self.env:
                continue
            self.env[node] = self.run_node(node)
            for dead in self.user_to_last_uses.get(node, ()):
                self.env.pop(dead, None)
            if node.op == "output":
                return self.env[node]
        return None

    def run_node(self, n: Node):
        """Run one node: fetch its arguments from the environment, then dispatch on op."""
        args, kwargs = self.fetch_args_kwargs_from_env(n)
        return getattr(self, n.op)(n.target, args, kwargs)

    def placeholder(self, target, args, kwargs):
        """The next positional input (or the placeholder's default)."""
        if target.startswith("*"):
            return list(self.args_iter)
        try:
            return next(self.args_iter)
        except StopIteration:
            if args:
                return args[0]
            raise RuntimeError(f"Expected positional argument for parameter {target}, but "
                               "one was not passed in!") from None

    def get_attr(self, target, args, kwargs):
        """The attribute of the module at ``target``."""
        return self.fetch_attr(target)

    def call_function(self, target, args, kwargs):
        """Call ``target(*args, **kwargs)``."""
        return target(*args, **kwargs)

    def call_method(self, target, args, kwargs):
        """Call ``args[0].target(*args[1:], **kwargs)``."""
        obj, *rest = args
        return getattr(obj, target)(*rest, **kwargs)

    def call_module(self, target, args, kwargs):
        """Call the submodule at ``target``."""
        return self.fetch_attr(target)(*args, **kwargs)

    def output(self, target, args, kwargs):
        """The graph's result."""
        return args[0]

    def fetch_attr(self, target: str):
        """The object at a dotted path of the module."""
        obj = self.module
        for i, part in enumerate(target.split(".")):
            if not hasattr(obj, part):
                raise RuntimeError(f"Node referenced nonexistent target "
                                   f"{'.'.join(target.split('.')[:i + 1])}")
            obj = getattr(obj, part)
        return obj

    def fetch_args_kwargs_from_env(self, n: Node):
        """``n``'s arguments with every node replaced by its computed value."""
        return self.map_nodes_to_values(n.args, n), self.map_nodes_to_values(n.kwargs, n)

    def map_nodes_to_values(self, args, n: Node):
        """Replace the nodes inside ``args`` by their values."""
        def load(a):
            if a not in self.env:
                raise RuntimeError(f"Node {n} referenced nonexistent value {a}! Run "
                                   "Graph.lint() to diagnose such issues")
            return self.env[a]
        return map_arg(args, load)


class Transformer(Interpreter):
    """An interpreter whose node handlers emit into a new graph; ``transform()`` returns
    the resulting ``GraphModule``."""

    def __init__(self, module):
        super().__init__(module, garbage_collect_values=False)
        from ._symbolic_trace import Tracer
        self.new_graph = Graph()
        self.tracer = Tracer()
        self.tracer.graph = self.new_graph
        self.tracer.root = module
        self.tracer._tensor_paths = {id(t): n for n, t in module.named_parameters()}
        self.tracer._tensor_paths.update({id(t): n for n, t in module.named_buffers()})
        self.tracer._module_paths = {id(m): n for n, m in module.named_modules()}

    def placeholder(self, target, args, kwargs):
        """A placeholder of the same name in the new graph."""
        default = args if args else ()
        return Proxy(self.new_graph.create_node("placeholder", target, default, {},
                                                name=target), self.tracer)

    def get_attr(self, target, args, kwargs):
        """The same attribute read in the new graph."""
        return self.tracer.create_proxy("get_attr", target, args, kwargs)

    def call_function(self, target, args, kwargs):
        """The same call in the new graph."""
        return self.tracer.create_proxy("call_function", target, args, kwargs)

    def call_method(self, target, args, kwargs):
        """The same method call in the new graph."""
        return self.tracer.create_proxy("call_method", target, args, kwargs)

    def call_module(self, target, args, kwargs):
        """The same submodule call in the new graph."""
        return self.tracer.create_proxy("call_module", target, args, kwargs)

    def transform(self):
        """Run every node through the handlers and return the new ``GraphModule``."""
        from .graph_module import GraphModule
        result = super().run()
        if result is not None:
            out = map_aggregate(result, lambda a: a.node if isinstance(a, Proxy) else a)
            self.new_graph.output(self.tracer.create_arg(out))
        return GraphModule(self.module, self.new_graph)
