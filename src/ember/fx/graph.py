"""``Graph``: an ordered list of ``Node``s, with the editing API of ``torch.fx.Graph`` and
the code generator that turns it into a readable Python ``forward``."""
from __future__ import annotations

import builtins
import contextlib
import inspect
import keyword
import math
import operator
import re
from typing import Callable, Optional

from .node import Node, _target_str, map_aggregate, map_arg

__all__ = ["Graph", "PythonCode"]

# operator functions written infix / prefix in the generated code
_BINARY = {operator.add: "+", operator.sub: "-", operator.mul: "*", operator.truediv: "/",
           operator.floordiv: "//", operator.mod: "%", operator.pow: "**",
           operator.matmul: "@", operator.and_: "&", operator.or_: "|", operator.xor: "^",
           operator.lshift: "<<", operator.rshift: ">>", operator.eq: "==",
           operator.ne: "!=", operator.lt: "<", operator.le: "<=", operator.gt: ">",
           operator.ge: ">="}
_UNARY = {operator.neg: "-", operator.pos: "+", operator.invert: "~"}


class _Name:
    """A node reference by name inside a pickled graph."""

    def __init__(self, name):
        self.name = name


class PythonCode:
    """Generated source of a graph's ``forward`` and the globals it needs to run."""

    def __init__(self, src: str, globals: dict):
        self.src = src
        self.globals = globals


class _Namespace:
    """Hands out unique, valid Python names."""

    def __init__(self):
        self._used: dict = {}

    def create_name(self, candidate: str) -> str:
        name = re.sub(r"[^0-9a-zA-Z_]+", "_", candidate) or "_unnamed"
        if name[0].isdigit():
            name = "_" + name
        base = re.sub(r"_\d+$", "", name) if name not in self._used else name
        if name in self._used or keyword.iskeyword(name) or name in dir(builtins) or \
                name in ("self", "torch"):
            n = self._used.get(base, 0) + 1
            while f"{base}_{n}" in self._used:
                n += 1
            name = f"{base}_{n}"
            self._used[base] = n
        self._used.setdefault(name, 0)
        return name


class _NodeList:
    """Live view of a graph's nodes in order (erasing during iteration is allowed)."""

    def __init__(self, root: Node, reverse: bool = False):
        self._root = root
        self._reverse = reverse

    def __iter__(self):
        root = self._root
        step = "_prev" if self._reverse else "_next"
        cur = getattr(root, step)
        while cur is not root:
            nxt = getattr(cur, step)
            if not cur._erased:
                yield cur
            cur = nxt

    def __reversed__(self):
        return iter(_NodeList(self._root, not self._reverse))

    def __len__(self):
        return sum(1 for _ in self)

    def __repr__(self):
        return repr(list(self))


class Graph:
    """The operations of a traced program, in execution order."""

    def __init__(self, owning_module=None, tracer_cls=None, tracer_extras=None):
        self._root = Node(self, "", "root", "", (), {})
        self._insert = self._root.prepend  # new nodes go before the insertion point
        self._ns = _Namespace()
        self.owning_module = owning_module
        self._tracer_cls = tracer_cls

    @property
    def nodes(self) -> _NodeList:
        """The nodes, in order."""
        return _NodeList(self._root)

    def find_nodes(self, *, op: str, target=None) -> list:
        """The nodes of kind ``op`` (and ``target``, when given)."""
        return [n for n in self.nodes if n.op == op and (target is None or n.target == target)]

    # -- building ------------------------------------------------------------------
    def create_node(self, op: str, target, args: Optional[tuple] = None,
                    kwargs: Optional[dict] = None, name: Optional[str] = None,
                    type_expr=None) -> Node:
        """Add a node of kind ``op`` at the insertion point and return it."""
        if name is None:
            name = _candidate_name(op, target)
        node = Node(self, self._ns.create_name(name), op, target, args or (), kwargs or {},
                    type_expr)
        self._insert(node)
        return node

    def placeholder(self, name: str, type_expr=None, default_value=inspect.Signature.empty):
        """An input of the graph named ``name``."""
        args = () if default_value is inspect.Signature.empty else (default_value,)
        return self.create_node("placeholder", name, args, type_expr=type_expr, name=name)

    def get_attr(self, qualified_name: str, type_expr=None) -> Node:
        """A read of the parameter, buffer or attribute at ``qualified_name``."""
        return self.create_node("get_attr", qualified_name, type_expr=type_expr)

    def call_function(self, the_function: Callable, args=None, kwargs=None,
                      type_expr=None) -> Node:
        """A call of a free function."""
        return self.create_node("call_function", the_function, args, kwargs,
                                type_expr=type_expr)

    def call_method(self, method_name: str, args=None, kwargs=None, type_expr=None) -> Node:
        """A call of ``args[0].method_name(*args[1:], **kwargs)``."""
        return self.create_node("call_method", method_name, args, kwargs, type_expr=type_expr)

    def call_module(self, module_name: str, args=None, kwargs=None, type_expr=None) -> Node:
        """A call of the submodule at ``module_name``."""
        return self.create_node("call_module", module_name, args, kwargs, type_expr=type_expr)

    def output(self, result, type_expr=None) -> Node:
        """The value the graph returns."""
        return self.create_node("output", "output", (result,), type_expr=type_expr,
                                name="output")

    def node_copy(self, node: Node, arg_transform: Callable = lambda x: x) -> Node:
        """Copy ``node`` from another graph, mapping its input nodes with ``arg_transform``."""
        args = map_arg(node.args, arg_transform)
        kwargs = map_arg(node.kwargs, arg_transform)
        new = self.create_node(node.op, node.target, args, kwargs, node.name, node.type)
        new.meta = dict(node.meta)
        return new

    def graph_copy(self, g: "Graph", val_map: dict, return_output_node: bool = False):
        """Copy all nodes of ``g`` but its output; returns the copied output value."""
        for node in g.nodes:
            if node.op == "output":
                out = map_arg(node.args[0], lambda n: val_map[n])
                return (out, node) if return_output_node else out
            val_map[node] = self.node_copy(node, lambda n: val_map[n])
        return None

    def __getstate__(self):
        # nodes as plain records (node references by name): pickles without recursion
        rows = [(n.name, n.op, n.target, map_arg(n.args, lambda a: _Name(a.name)),
                 map_arg(n.kwargs, lambda a: _Name(a.name)), n.type, n.meta)
                for n in self.nodes]
        return {"rows": rows}

    def __setstate__(self, state):
        self.__init__()
        env: dict = {}
        for name, op, target, args, kwargs, type_expr, meta in state["rows"]:
            load = lambda a: env[a.name] if isinstance(a, _Name) else a  # noqa: E731
            node = self.create_node(op, target, map_aggregate(args, load),
                                    map_aggregate(kwargs, load), name, type_expr)
            node.meta = meta
            env[name] = node

    def __deepcopy__(self, memo):
        g = Graph(tracer_cls=self._tracer_cls)
        out = g.graph_copy(self, {}, return_output_node=True)
        if out is not None:
            g.output(out[0], out[1].type)
        return g

    @contextlib.contextmanager
    def _inserting(self, fn):
        old = self._insert
        self._insert = fn
        try:
            yield
        finally:
            self._insert = old

    def inserting_before(self, n: Optional[Node] = None):
        """Context manager: new nodes go just before ``n`` (the graph's start if None)."""
        if n is None:
            return self.inserting_after(self._root)
        return self._inserting(n.prepend)

    def inserting_after(self, n: Optional[Node] = None):
        """Context manager: new nodes go just after ``n`` (the graph's end if None)."""
        if n is None:
            return self.inserting_before(self._root)
        state = {"last": n}

        def put(node):
            state["last"].append(node)
            state["last"] = node
        return self._inserting(put)

    # -- editing -------------------------------------------------------------------
    def erase_node(self, to_erase: Node) -> None:
        """Remove a node that nothing uses any more."""
        if to_erase.users:
            raise RuntimeError(f"Tried to erase Node {to_erase} but it still had "
                               f"{len(to_erase.users)} users in the graph: {to_erase.users}!")
        if to_erase.graph is not self:
            raise RuntimeError(f"Attempting to remove {to_erase} from wrong graph!")
        to_erase._remove_from_list()
        to_erase._erased = True
        to_erase._update_args_kwargs((), {})

    def eliminate_dead_code(self, is_impure_node: Optional[Callable] = None) -> bool:
        """Remove the nodes whose results are unused and that have no side effect."""
        impure = is_impure_node or (lambda n: n.is_impure())
        changed = False
        for node in reversed(self.nodes):
            if not node.users and not impure(node):
                self.erase_node(node)
                changed = True
        return changed

    def lint(self) -> None:
        """Check the graph is well formed: inputs defined before use, one output last,
        names unique, targets of module nodes present on the owning module."""
        seen = set()
        names = set()
        nodes = list(self.nodes)
        for i, node in enumerate(nodes):
            if node.graph is not self:
                raise RuntimeError(f"Node '{node}' does not belong to this Graph!")
            if node.name in names:
                raise RuntimeError(f"Node redefined name {node.name}!")
            names.add(node.name)
            for inp in node.all_input_nodes:
                if inp not in seen:
                    raise RuntimeError(f"Argument '{inp}' of Node '{node}' was used before it "
                                       "has been defined! Please check that Nodes in the graph "
                                       "are topologically ordered")
                if node not in inp.users:
                    raise RuntimeError(f"Node {node} is missing from the users of {inp}")
            if node.op == "output" and i != len(nodes) - 1:
                raise RuntimeError("Output node is not the last node of the graph")
            if node.op in ("get_attr", "call_module") and self.owning_module is not None:
                _check_target(self.owning_module, node)
            seen.add(node)

    # -- code generation -------------------------------------------------------------
    def python_code(self, root_module: str = "self", *, verbose=None) -> PythonCode:
        """Python source of a ``forward(self, ...)`` that runs this graph."""
        return _CodeGen(self, root_module).run()

    def print_tabular(self) -> None:
        """Print one row per node: op, name, target, args, kwargs."""
        rows = [(n.op, n.name, _target_str(n.target), str(n.args), str(n.kwargs))
                for n in self.nodes]
        head = ("opcode", "name", "target", "args", "kwargs")
        widths = [max(len(r[i]) for r in rows + [head]) for i in range(5)]
        for r in [head] + rows:
            print("  ".join(c.ljust(w) for c, w in zip(r, widths)))

    def __str__(self) -> str:
        params = ", ".join(n.name for n in self.nodes if n.op == "placeholder")
        lines = [f"graph({params}):"] + ["    " + n.format_node() for n in self.nodes]
        return "\n".join(lines)


def _check_target(root, node):
    obj = root
    for part in node.target.split("."):
        if not hasattr(obj, part):
            raise RuntimeError(f"Node {node} target {node.target} references nonexistent "
                               "attribute of the owning module")
        obj = getattr(obj, part)


def _candidate_name(op, target) -> str:
    if op in ("call_module", "get_attr"):
        return target.replace(".", "_")
    if isinstance(target, str):
        return target.strip("_") or target
    name = getattr(target, "__name__", "fn")
    return name.strip("_") or "fn"


class _CodeGen:
    def __init__(self, graph, root):
        import ember
        self.graph = graph
        self.root = root
        self.globals = {"torch": ember, "operator": operator, "inf": math.inf,
                        "nan": math.nan, "device": ember.device}
        self.names = _Namespace()
        for n in graph.nodes:
            self.names.create_name(n.name)

    def _global(self, obj, hint: str) -> str:
        for k, v in self.globals.items():
            if v is obj:
                return k
        name = self.names.create_name(hint)
        self.globals[name] = obj
        return name

    def fn_expr(self, fn) -> str:
        import ember
        import ember.nn.functional as F
        name = getattr(fn, "__name__", None)
        if name and getattr(ember, name, None) is fn:
            return f"torch.{name}"
        if name and getattr(F, name, None) is fn:
            return f"torch.nn.functional.{name}"
        if getattr(builtins, name or "", None) is fn:
            return name
        if getattr(operator, name or "", None) is fn:
            return f"operator.{name}"
        return self._global(fn, name or "fn")

    def arg(self, a) -> str:
        if isinstance(a, Node):
            return a.name
        if isinstance(a, tuple):
            inner = ", ".join(self.arg(x) for x in a)
            return f"({inner},)" if len(a) == 1 else f"({inner})"
        if isinstance(a, list):
            return "[" + ", ".join(self.arg(x) for x in a) + "]"
        if isinstance(a, dict):
            return "{" + ", ".join(f"{k!r}: {self.arg(v)}" for k, v in a.items()) + "}"
        if isinstance(a, slice):
            return f"slice({self.arg(a.start)}, {self.arg(a.stop)}, {self.arg(a.step)})"
        if isinstance(a, float) and not math.isfinite(a):
            return repr(a)
        if a is None or a is Ellipsis or isinstance(a, (bool, int, float, str, complex)):
            return repr(a)
        import ember
        if isinstance(a, ember.dtype):
            return repr(a)
        return self._global(a, type(a).__name__.lower())

    def call_args(self, args, kwargs) -> str:
        parts = [self.arg(a) for a in args] + [f"{k} = {self.arg(v)}" for k, v in kwargs.items()]
        return ", ".join(parts)

    def body_line(self, node) -> str:
        op, t = node.op, node.target
        if op == "get_attr":
            return f"{node.name} = {_path(self.root, t)}"
        if op == "call_module":
            return f"{node.name} = {_path(self.root, t)}({self.call_args(node.args, node.kwargs)})"
        if op == "call_method":
            obj, *rest = node.args
            return f"{node.name} = {self.arg(obj)}.{t}({self.call_args(rest, node.kwargs)})"
        if op == "output":
            return f"return {self.arg(node.args[0])}"
        a = node.args
        if not node.kwargs:
            if t in _BINARY and len(a) == 2:
                return f"{node.name} = {self.arg(a[0])} {_BINARY[t]} {self.arg(a[1])}"
            if t in _UNARY and len(a) == 1:
                return f"{node.name} = {_UNARY[t]}{self.arg(a[0])}"
            if t is operator.getitem and len(a) == 2:
                return f"{node.name} = {self.arg(a[0])}[{self.arg(a[1])}]"
            if t is builtins.getattr and len(a) == 2 and isinstance(a[1], str) \
                    and a[1].isidentifier():
                return f"{node.name} = {self.arg(a[0])}.{a[1]}"
        return f"{node.name} = {self.fn_expr(t)}({self.call_args(a, node.kwargs)})"

    def run(self) -> PythonCode:
        nodes = list(self.graph.nodes)
        params = []
        for n in nodes:
            if n.op != "placeholder":
                continue
            if n.target.startswith("*"):
                params.append(n.target)
            elif n.args:
                params.append(f"{n.name} = {self.arg(n.args[0])}")
            else:
                params.append(n.name)
        # free each value after its last use, as eager code would
        last_use: dict = {}
        for n in nodes:
            for inp in n.all_input_nodes:
                last_use[inp] = n
        frees: dict = {}
        for v, user in last_use.items():
            frees.setdefault(user, []).append(v.name)
        body = []
        for n in nodes:
            if n.op == "placeholder":
                continue
            line = self.body_line(n)
            if n.op != "output" and frees.get(n):
                line += ";  " + " = ".join(frees[n]) + " = None"
            body.append("    " + line)
        if not any(n.op == "output" for n in nodes):
            body.append("    return None")
        src = f"\n\n\ndef forward({', '.join([self.root] + params)}):\n" + "\n".join(body) + "\n"
        return PythonCode(src, self.globals)


def _path(root: str, qualname: str) -> str:
    out = root
    for part in qualname.split("."):
        if part.isidentifier() and not keyword.iskeyword(part):
            out = f"{out}.{part}"
        else:
            out = f"getattr({out}, {part!r})"
    return out

