"""``torch.jit.trace``: record what a module or function does on example inputs.

Tracing runs the program on real values while recording its graph (the capture of
torch.compile); Python control flow is followed for the example and frozen into the
graph, with a ``TracerWarning``, as torch's tracer does.
"""
from __future__ import annotations

import threading
import warnings

from .._dynamo.capture import ValueProxy, ValueTracer
from ..fx.proxy import user_frame_location

__all__ = ["trace", "trace_module", "TracerWarning", "is_tracing", "TracedFunction"]

_state = threading.local()


class TracerWarning(Warning):
    """A traced program did something the trace records for the example only."""


def is_tracing() -> bool:
    """True while ``torch.jit.trace`` records a program."""
    return getattr(_state, "tracing", False)


class _FrozenProxy(ValueProxy):
    __slots__ = ()

    def __bool__(self):
        warnings.warn("Converting a tensor to a Python boolean might cause the trace to be "
                      "incorrect. We can't record the data flow of Python values, so this "
                      "value will be treated as a constant in the future. At "
                      + user_frame_location(), TracerWarning, stacklevel=2)
        return bool(self.tracer.values[self.node])


class _JitTracer(ValueTracer):
    def proxy(self, node):
        return _FrozenProxy(node, self)


class TracedFunction:
    """A traced function: calls run the captured graph; ``graph`` and ``code`` show it."""

    def __init__(self, gm, name: str):
        self._gm = gm
        self.__name__ = name

    @property
    def graph(self):
        """The captured graph."""
        return self._gm.graph

    @property
    def code(self) -> str:
        """The Python code that runs the graph."""
        return self._gm.code

    def __call__(self, *args):
        return self._gm(*args)


def _as_tuple(example_inputs):
    return example_inputs if isinstance(example_inputs, tuple) else (example_inputs,)


def trace(func, example_inputs=None, optimize=None, check_trace: bool = True,
          check_inputs=None, check_tolerance: float = 1e-5, strict: bool = True,
          _force_outplace: bool = False, _module_class=None, _compilation_unit=None,
          example_kwarg_inputs=None, _store_inputs: bool = True):
    """Run ``func`` (a module or function) on ``example_inputs`` and return a traced
    module (a GraphModule with ``graph`` and ``code``) or traced function."""
    from ..fx import GraphModule
    from ..nn import Module
    if example_inputs is None and example_kwarg_inputs is None:
        raise RuntimeError("example_inputs or example_kwarg_inputs must be given to trace")
    args = _as_tuple(example_inputs) if example_inputs is not None else \
        tuple(example_kwarg_inputs.values())
    tracer = _JitTracer(args)
    prev = is_tracing()
    _state.tracing = True
    try:
        graph = tracer.trace(func)
    finally:
        _state.tracing = prev
    if isinstance(func, Module):
        gm = GraphModule(tracer.root, graph, type(func).__name__)
        gm.train(func.training)
        return gm
    return TracedFunction(GraphModule(tracer.root, graph, func.__name__), func.__name__)


def trace_module(mod, inputs: dict, **kwargs):
    """Trace ``mod.forward`` on ``inputs['forward']`` (other methods are not traced)."""
    if set(inputs) != {"forward"}:
        raise NotImplementedError("ember's trace_module traces the forward method only")
    return trace(mod, inputs["forward"], **kwargs)
