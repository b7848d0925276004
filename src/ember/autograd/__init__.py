"""ember.autograd: the graph engine, user-defined Functions and gradient utilities."""
from __future__ import annotations

from .. import _tensor
from .engine import anomaly as _anomaly, run_backward as _run_backward
from .function import Function, FunctionCtx, once_differentiable
from .grad_mode import (enable_grad, inference_mode, is_grad_enabled, no_grad,
                        set_grad_enabled)

__all__ = ["backward", "grad", "Function", "FunctionCtx", "once_differentiable", "no_grad",
           "enable_grad", "set_grad_enabled", "inference_mode", "is_grad_enabled",
           "set_detect_anomaly", "detect_anomaly", "is_anomaly_enabled", "gradcheck",
           "gradgradcheck"]


def _seq(x):
    if x is None:
        return None
    return [x] if isinstance(x, _tensor.Tensor) else list(x)


def _grads_for(outputs, grad_outputs):
    from .._creation import ones_like
    grads = []
    for i, out in enumerate(outputs):
        g = grad_outputs[i] if grad_outputs is not None and i < len(grad_outputs) else None
        if g is None:
            if out._data.size != 1:
                raise RuntimeError("grad can be implicitly created only for scalar outputs")
            g = ones_like(out)
        elif g._data.shape != out._data.shape:
            raise RuntimeError(
                f"Mismatch in shape: grad_output[{i}] has a shape of {g.shape} and "
                f"output[{i}] has a shape of {out.shape}.")
        grads.append(g)
    return grads


def backward(tensors, grad_tensors=None, retain_graph=None, create_graph=False, inputs=None):
    """Accumulate gradients of ``tensors`` into the leaves' ``.grad``."""
    tensors = _seq(tensors)
    grads = _grads_for(tensors, _seq(grad_tensors))
    if retain_graph is None:
        retain_graph = create_graph
    for i, t in enumerate(tensors):
        if not t.requires_grad:
            raise RuntimeError(f"element {i} of tensors does not require grad and does not "
                               "have a grad_fn")
    _run_backward(tensors, grads, retain_graph, create_graph, _seq(inputs), accumulate=True)


def grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph=False,
         only_inputs=True, allow_unused=None, is_grads_batched=False, materialize_grads=False):
    """The gradients of ``outputs`` with respect to ``inputs``, returned (not accumulated)."""
    outputs = _seq(outputs)
    inputs = _seq(inputs)
    for t in inputs:
        if not t.requires_grad:
            raise RuntimeError("One of the differentiated Tensors does not require grad")
    for i, t in enumerate(outputs):
        if not t.requires_grad:
            raise RuntimeError(f"element {i} of tensors does not require grad and does not "
                               "have a grad_fn")
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


class set_detect_anomaly:
    """Turn anomaly detection on or off (also a context manager)."""

    def __init__(self, mode: bool, check_nan: bool = True):
        self.prev = (_anomaly.enabled, _anomaly.check_nan)
        _anomaly.enabled = bool(mode)
        _anomaly.check_nan = check_nan

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        _anomaly.enabled, _anomaly.check_nan = self.prev
        return False


class detect_anomaly:
    """Context manager: record forward tracebacks and fail on NaN gradients."""

    def __init__(self, check_nan: bool = True):
        self.check_nan = check_nan

    def __enter__(self):
        self.prev = (_anomaly.enabled, _anomaly.check_nan)
        _anomaly.enabled, _anomaly.check_nan = True, self.check_nan
        return self

    def __exit__(self, *exc):
        _anomaly.enabled, _anomaly.check_nan = self.prev
        return False


def is_anomaly_enabled() -> bool:
    return _anomaly.enabled


from .gradcheck import gradcheck, gradgradcheck  # noqa: E402
from . import graph  # noqa: E402,F401
