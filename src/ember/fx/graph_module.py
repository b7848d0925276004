"""``GraphModule``: a module whose ``forward`` is Python generated from a ``Graph``."""
from __future__ import annotations

import copy
import linecache

from ..nn.modules.module import Module
from .graph import Graph

__all__ = ["GraphModule"]

_counter = [0]


def _copy_attr(src: Module, dst: Module, target: str) -> None:
    """Copy the submodule, parameter, buffer or attribute at ``target`` from src to dst,
    creating empty intermediate modules on the way."""
    *prefix, field = target.split(".")
    for part in prefix:
        src = getattr(src, part)
        nxt = dst._modules.get(part) if isinstance(dst, Module) else None
        if nxt is None:
            nxt = Module()
            setattr(dst, part, nxt)
        dst = nxt
    value = getattr(src, field)
    if isinstance(src, Module) and field in src._buffers and not isinstance(value, Module):
        dst.register_buffer(field, value, field not in src._non_persistent_buffers_set)
    else:
        setattr(dst, field, value)


def _assign_attr(value, dst: Module, target: str) -> None:
    *prefix, field = target.split(".")
    for part in prefix:
        nxt = dst._modules.get(part)
        if nxt is None:
            nxt = Module()
            setattr(dst, part, nxt)
        dst = nxt
    setattr(dst, field, value)


class GraphModule(Module):
    """A module built from a root module (or a dict of attributes) and a graph: it keeps
    the submodules and tensors the graph reads, and runs the graph's generated code."""

    def __new__(cls, *args, **kwargs):
        # each instance gets its own class, so that ``forward`` can be set on it
        if not getattr(cls, "_is_instance_class", False):
            cls = type(cls.__name__, (cls,), {"_is_instance_class": True,
                                              "__module__": cls.__module__})
        return super().__new__(cls)

    def __init__(self, root, graph: Graph, class_name: str = "GraphModule"):
        super().__init__()
        type(self).__name__ = class_name
        type(self).__qualname__ = class_name
        if isinstance(root, Module):
            if hasattr(root, "training"):
                self.training = root.training
            for node in graph.nodes:
                if node.op in ("get_attr", "call_module"):
                    _copy_attr(root, self, node.target)
        elif isinstance(root, dict):
            for node in graph.nodes:
                if node.op in ("get_attr", "call_module"):
                    if node.target not in root:
                        raise RuntimeError(f"Node {node} referenced target {node.target} but "
                                           "that target was not provided in ``root``!")
                    _assign_attr(root[node.target], self, node.target)
        else:
            raise RuntimeError("Unsupported type " + str(root) + " passed for root!")
        self.graph = graph

    @property
    def graph(self) -> Graph:
        """The graph this module runs; assigning one regenerates the code."""
        return self.__dict__["_graph"]

    @graph.setter
    def graph(self, g: Graph) -> None:
        self.__dict__["_graph"] = g
        g.owning_module = self
        self.recompile()

    @property
    def code(self) -> str:
        """The generated Python source of ``forward``."""
        return self._code

    def recompile(self):
        """Regenerate ``forward`` from the (possibly edited) graph."""
        python_code = self.graph.python_code(root_module="self")
        self.__dict__["_code"] = python_code.src
        _counter[0] += 1
        filename = f"<eval_with_key>.{_counter[0]}"
        linecache.cache[filename] = (len(python_code.src), None,
                                     python_code.src.splitlines(True), filename)
        ns = dict(python_code.globals)
        exec(compile(python_code.src, filename, "exec"), ns)
        type(self).forward = ns["forward"]
        return python_code

    def print_readable(self, print_output: bool = True, include_stride=False,
                       include_device=False, colored=False) -> str:
        """The generated code wrapped in a class definition (printed unless asked not to)."""
        body = "\n".join("    " + line if line else line for line in self.code.strip("\n")
                         .splitlines())
        text = f"class {type(self).__name__}(torch.nn.Module):\n{body}\n"
        if print_output:
            print(text)
        return text

    def __reduce__(self):
        state = {k: v for k, v in self.__dict__.items() if k not in ("_graph", "_code")}
        return (_rebuild, (state, self.graph, type(self).__name__))

    def __deepcopy__(self, memo):
        fake = Module.__new__(Module)
        fake.__dict__ = copy.deepcopy({k: v for k, v in self.__dict__.items()
                                       if k not in ("_graph", "_code")}, memo)
        return _rebuild(fake.__dict__, copy.deepcopy(self.graph, memo), type(self).__name__)

    def __copy__(self):
        return _rebuild(dict(self.__dict__), self.graph, type(self).__name__)

    def __str__(self) -> str:
        return super().__str__() + "\n\n\n" + self.code


def _rebuild(state: dict, graph: Graph, class_name: str):
    holder = Module()
    holder.__dict__.update({k: v for k, v in state.items() if k not in ("_graph", "_code")})
    return GraphModule(holder, graph, class_name)
