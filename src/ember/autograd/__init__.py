"""ember.autograd: the graph engine, user-defined Functions and gradient utilities."""
from __future__ import annotations

import warnings

from .. import _tensor
from .engine import anomaly as _anomaly, run_backward as _run_backward
from .function import Function, FunctionCtx, once_differentiable
from .grad_mode import (enable_grad, inference_mode, is_grad_enabled, no_grad,
                        set_grad_enabled)

__all__ = ["backward", "grad", "Variable", "Function", "FunctionCtx", "once_differentiable", "no_grad",
           "enable_grad", "set_grad_enabled", "inference_mode", "is_grad_enabled",
           "set_detect_anomaly", "detect_anomaly", "is_anomaly_enabled",
           "is_anomaly_check_nan_enabled", "gradcheck",
           "gradgradcheck"]


def _seq(x):
    if x is None:
        return None
    return list(x) if isinstance(x, (tuple, list)) else [x]


def _grads_for(outputs, grad_outputs):
    """One gradient per output: ones for scalar outputs that need one, cast to its dtype."""
    from .._creation import ones_like
    grads = []
    for i, out in enumerate(outputs):
        g = grad_outputs[i] if grad_outputs is not None and i < len(grad_outputs) else None
        if g is None:
            if not out._rg:
                raise RuntimeError(f"element {i} of tensors does not require grad and does not "
                                   "have a grad_fn")
            if out._data.size != 1:
                raise RuntimeError("grad can be implicitly created only for scalar outputs")
            if out._data.dtype.kind not in "fc":
                raise RuntimeError("grad can be implicitly created only for real scalar "
                                   f"outputs but got {out.dtype}")
            g = ones_like(out)
        elif not isinstance(g, _tensor.Tensor):
            raise TypeError("gradients can be either Tensors or None, but got "
                            f"{type(g).__name__}")
        elif g._data.shape != out._data.shape:
            raise RuntimeError(
                f"Mismatch in shape: grad_output[{i}] has a shape of {g.shape} and "
                f"output[{i}] has a shape of {out.shape}.")
        elif g._data.dtype != out._data.dtype:
            g = g.to(out.dtype)
        grads.append(g)
    return grads


def _check_inputs(inputs, fname):
    if inputs is not None and not inputs:
        raise RuntimeError(f"`inputs` argument to `{fname}()` cannot be empty.")


def backward(tensors, grad_tensors=None, retain_graph: bool | None = None,
             create_graph: bool = False, grad_variables=None, inputs=None) -> None:
    """Accumulate the gradients of ``tensors`` into the ``.grad`` of the leaves (or of
    ``inputs`` only); ``grad_tensors`` is needed for non-scalar ``tensors``."""
    tensors = _seq(tensors)
    inputs = _seq(inputs)
    _check_inputs(inputs, "backward")
    grads = _grads_for(tensors, _seq(grad_tensors))
    if retain_graph is None:
        retain_graph = create_graph
    if create_graph:
        warnings.warn(
            "Using backward() with create_graph=True will create a reference cycle between the "
            "parameter and its gradient which can cause a memory leak. We recommend using "
            "autograd.grad when creating the graph to avoid this. If you have to use this "
            "function, make sure to reset the .grad fields of your parameters to None after "
            "use to break the cycle and avoid the leak.", UserWarning, stacklevel=2)
    _run_backward(tensors, grads, retain_graph, create_graph, inputs, accumulate=True)


def grad(outputs, inputs, grad_outputs=None, retain_graph: bool | None = None,
         create_graph: bool = False, only_inputs: bool = True, allow_unused: bool | None = None,
         is_grads_batched: bool = False, materialize_grads: bool = False) -> tuple:
    """The gradients of ``outputs`` with respect to ``inputs``, returned (not accumulated)."""
    outputs = _seq(outputs)
    inputs = _seq(inputs)
    _check_inputs(inputs, "grad")
    if is_grads_batched:
        raise NotImplementedError("ember's autograd.grad does not support is_grads_batched")
    if allow_unused is False and materialize_grads:
        raise ValueError("Expected allow_unused to be True or not passed when "
                         "materialize_grads=True, but got: allow_unused=False.")
    for t in inputs:
        if not t._rg:
            raise RuntimeError("One of the differentiated Tensors does not require grad")
    grads = _grads_for(outputs, _seq(grad_outputs))
    if retain_graph is None:
        retain_graph = create_graph
    if allow_unused is None:
        allow_unused = materialize_grads
    res = _run_backward(outputs, grads, retain_graph, create_graph, inputs,
                        allow_unused=allow_unused, accumulate=False)
    if materialize_grads:
        from .._creation import zeros_like
        res = tuple(zeros_like(i) if r is None else r for i, r in zip(inputs, res))
    return res


class _VariableMeta(type):
    def __instancecheck__(cls, obj):
        return isinstance(obj, _tensor.Tensor)


class Variable(metaclass=_VariableMeta):
    """Legacy wrapper kept for old scripts: ``Variable(t, requires_grad)`` is a tensor that
    shares ``t``'s memory, cut off from the graph, with the given ``requires_grad``; every
    tensor counts as a Variable."""

    def __new__(cls, data, requires_grad: bool = False, volatile: bool = False):
        return data.detach().requires_grad_(requires_grad)


class set_detect_anomaly:
    """Turn anomaly detection on or off; as a context manager, restore it afterwards."""

    def __init__(self, mode: bool, check_nan: bool = True) -> None:
        self.prev = (_anomaly.enabled, _anomaly.check_nan)
        _anomaly.enabled = bool(mode)
        _anomaly.check_nan = bool(check_nan)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        _anomaly.enabled, _anomaly.check_nan = self.prev
        return False


class detect_anomaly(set_detect_anomaly):
    """Context manager: record where each op's forward ran, name it when its backward
    fails, and fail on NaN gradients (``check_nan``)."""

    def __init__(self, check_nan: bool = True) -> None:
        self.check_nan = check_nan

    def __enter__(self):
        warnings.warn("Anomaly Detection has been enabled. This mode will increase the runtime "
                      "and should only be enabled for debugging.", UserWarning, stacklevel=2)
        super().__init__(True, self.check_nan)
        return self


def is_anomaly_enabled() -> bool:
    """Whether anomaly detection is on."""
    return _anomaly.enabled


def is_anomaly_check_nan_enabled() -> bool:
    """Whether anomaly detection also checks gradients for NaN."""
    return _anomaly.check_nan


from .gradcheck import gradcheck, gradgradcheck  # noqa: E402
from . import graph  # noqa: E402,F401


def __getattr__(name):
    # autograd.functional builds on tensor creation, which imports this package first
    if name in ("functional", "profiler", "variable", "anomaly_mode"):
        import importlib
        return importlib.import_module(f"{__name__}.{name}")
    if name.startswith("_"):  # submodule imports look for these first
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from .._left_out import missing_in_module
    raise missing_in_module("torch.autograd", __name__, name)
