"""torch.compiler: the public switches around torch.compile."""
from .._dynamo import compile, disable, is_compiling, reset  # noqa: F401


def is_dynamo_compiling() -> bool:
    """True while a graph is being captured."""
    return is_compiling()


def allow_in_graph(fn):
    """Accepted for compatibility: returns ``fn``."""
    return fn


__all__ = ["compile", "disable", "is_compiling", "is_dynamo_compiling", "reset",
           "allow_in_graph"]
