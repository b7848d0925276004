"""``autograd.graph``: the node type that ``grad_fn`` objects are instances of."""
from .engine import Node

__all__ = ["Node"]
