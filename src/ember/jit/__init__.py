"""torch.jit on ember: ``trace`` captures a graph (shared with torch.compile and ONNX
export), ``script`` keeps Python semantics behind TorchScript's surface, ``save``/``load``
round-trip traced modules."""
from typing import Final  # noqa: F401  (torch.jit.Final)

from ._script import (  # noqa: F401
    ScriptFunction, ScriptModule, annotate, export, ignore, interface, is_scripting, script,
    script_if_tracing, unused,
)
from ._serialization import load, save  # noqa: F401
from ._trace import TracerWarning, is_tracing, trace, trace_module  # noqa: F401


class Future:
    """The result of ``fork``: the call already ran; ``wait`` returns its value."""

    def __init__(self, value):
        self._value = value

    def wait(self):
        """The forked call's result."""
        return self._value


def fork(func, *args, **kwargs) -> Future:
    """Run ``func`` (synchronously in ember) and return a Future for its result."""
    return Future(func(*args, **kwargs))


def wait(future: Future):
    """The value of a Future from ``fork``."""
    return future.wait()


def freeze(mod, preserved_attrs=None, optimize_numerics: bool = True):
    """Return ``mod`` in eval mode (ember has no frozen-graph optimisations)."""
    return mod.eval()


def optimize_for_inference(mod, other_methods=None):
    """Return ``mod`` in eval mode (ember has no inference-graph rewrites)."""
    return mod.eval()


__all__ = ["trace", "trace_module", "script", "save", "load", "ignore", "unused", "export",
           "Final", "is_scripting", "is_tracing", "annotate", "fork", "wait", "Future",
           "ScriptModule", "ScriptFunction", "TracerWarning", "freeze", "interface",
           "optimize_for_inference", "script_if_tracing"]
