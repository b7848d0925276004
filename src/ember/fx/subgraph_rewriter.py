"""``replace_pattern``: find every occurrence of a traced pattern in a graph and replace
it with a traced replacement."""
from __future__ import annotations

from typing import Callable, NamedTuple

from .graph_module import GraphModule
from .node import Node

__all__ = ["replace_pattern", "Match"]


class Match(NamedTuple):
    """One replaced occurrence: the node that produced its output and the mapping from
    pattern nodes to matched nodes."""
    anchor: Node
    nodes_map: dict


def _as_graph(obj):
    from ._symbolic_trace import symbolic_trace
    return obj.graph if isinstance(obj, GraphModule) else symbolic_trace(obj).graph


def _match(p: Node, n, env: dict) -> bool:
    """Whether pattern node ``p`` matches value ``n``, extending ``env`` (pattern -> graph)."""
    if p in env:
        return env[p] is n
    if p.op == "placeholder":
        env[p] = n
        return True
    if not isinstance(n, Node) or p.op != n.op or p.target != n.target:
        return False
    if len(p.args) != len(n.args) or set(p.kwargs) != set(n.kwargs):
        return False
    env[p] = n
    pairs = list(zip(p.args, n.args)) + [(p.kwargs[k], n.kwargs[k]) for k in p.kwargs]
    for pa, na in pairs:
        if isinstance(pa, Node):
            if not _match(pa, na, env):
                return False
        elif isinstance(pa, (tuple, list)):
            if not isinstance(na, (tuple, list)) or len(pa) != len(na):
                return False
            for x, y in zip(pa, na):
                if isinstance(x, Node) and not _match(x, y, env) or \
                        not isinstance(x, Node) and x != y:
                    return False
        elif pa != na:
            return False
    return True


def replace_pattern(gm: GraphModule, pattern: Callable, replacement: Callable) -> list:
    """Replace each non-overlapping match of ``pattern`` in ``gm``'s graph by
    ``replacement`` (both functions or GraphModules with the same inputs); returns the
    matches and recompiles ``gm``."""
    pg = _as_graph(pattern)
    rg = _as_graph(replacement)
    p_inputs = [n for n in pg.nodes if n.op == "placeholder"]
    p_out = next(n for n in pg.nodes if n.op == "output").args[0]
    if not isinstance(p_out, Node):
        raise NotImplementedError("replace_pattern supports patterns with one output")
    graph = gm.graph
    matches = []
    used: set = set()
    for node in list(graph.nodes):
        if node._erased or node in used:
            continue
        env: dict = {}
        if not _match(p_out, node, env):
            continue
        inner = [v for k, v in env.items() if k.op != "placeholder"]
        # an interior value used outside the match cannot be replaced
        if any(u not in inner for v in inner if v is not node for u in v.users) or \
                any(v in used for v in inner):
            continue
        used.update(inner)
        val_map = {rp: env[pp] for rp, pp in
                   zip([n for n in rg.nodes if n.op == "placeholder"], p_inputs)}
        with graph.inserting_before(node):
            new_out = graph.graph_copy(_without_placeholders(rg, val_map), val_map)
        node.replace_all_uses_with(new_out)
        for v in reversed(sorted(inner, key=_position(graph))):
            if not v.users:
                graph.erase_node(v)
        matches.append(Match(anchor=node, nodes_map=env))
    gm.recompile()
    return matches


def _without_placeholders(g, val_map):
    class _View:
        @property
        def nodes(self):
            return [n for n in g.nodes if n not in val_map]
    return _View()


def _position(graph):
    order = {n: i for i, n in enumerate(graph.nodes)}
    return lambda n: order.get(n, -1)
