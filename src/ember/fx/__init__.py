"""torch.fx: capture a program as a graph of operations, transform it, and turn it back
into Python code.

``symbolic_trace(module)`` runs ``forward`` on ``Proxy`` values; every operation they
meet becomes a ``Node`` of a ``Graph``, and a ``GraphModule`` runs the code generated
from that graph.
"""
from ._symbolic_trace import Tracer, symbolic_trace, wrap  # noqa: F401
from .graph import Graph, PythonCode  # noqa: F401
from .graph_module import GraphModule  # noqa: F401
from .interpreter import Interpreter, Transformer  # noqa: F401
from .node import Node, map_arg, map_aggregate  # noqa: F401
from .proxy import Proxy, TraceError  # noqa: F401
from . import passes, subgraph_rewriter  # noqa: F401
from .subgraph_rewriter import replace_pattern  # noqa: F401

__all__ = ["symbolic_trace", "Tracer", "wrap", "Graph", "GraphModule", "Interpreter",
           "Transformer", "Node", "Proxy", "map_arg", "replace_pattern", "PythonCode"]
