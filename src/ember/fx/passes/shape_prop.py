"""``ShapeProp``: run a graph on example inputs and record each node's tensor metadata."""
from __future__ import annotations

from typing import NamedTuple

from ..interpreter import Interpreter
from ..node import map_aggregate

__all__ = ["ShapeProp", "TensorMetadata"]


class TensorMetadata(NamedTuple):
    """Shape, dtype and layout facts of a tensor a node produced."""
    shape: tuple
    dtype: object
    requires_grad: bool
    stride: tuple
    memory_format: object
    is_quantized: bool
    qparams: dict


def _extract(t) -> TensorMetadata:
    import ember
    fmt = getattr(ember, "contiguous_format", None) if t.is_contiguous() else None
    return TensorMetadata(t.shape, t.dtype, t.requires_grad, t.stride(), fmt, False, {})


class ShapeProp(Interpreter):
    """After ``propagate(*args)``, every node that produced tensors has
    ``meta['tensor_meta']`` (and ``meta['type']``)."""

    def run_node(self, n):
        """Run the node and record the metadata of what it returned."""
        import ember
        result = super().run_node(n)
        found = [False]

        def meta(x):
            if isinstance(x, ember.Tensor):
                found[0] = True
                return _extract(x)
            return x
        tm = map_aggregate(result, meta)
        if found[0]:
            n.meta["tensor_meta"] = tm
        n.meta["type"] = type(result)
        return result

    def propagate(self, *args):
        """Run the graph on ``args`` (recording metadata) and return its output."""
        return self.run(*args)
