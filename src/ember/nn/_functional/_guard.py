"""Tensor-argument checks at the ``nn.functional`` entry points.

PyTorch refuses a NumPy array, a list or a number where a functional op (and so a layer)
expects a tensor; ember's functions would otherwise fail deep inside, or quietly work.
``guard_module`` wraps each public function of a functional module once, at import: the
call path pays one ``isinstance`` per leading tensor parameter, and the slow path (an
argument by keyword, a wrong type) binds the signature to find the culprit.
"""
from __future__ import annotations

import functools
import inspect
import sys

from ..._argtypes import not_tensor_error, type_name
from ..._tensor import Tensor

__all__ = ["guard_module"]

# the name torch's argument parser reports, where it differs from the Python function's
_ATEN_NAMES = {"cross_entropy": "cross_entropy_loss", "nll_loss": "nll_loss_nd",
               "binary_cross_entropy_with_logits": "binary_cross_entropy_with_logits"}
# (name, position) torch reports per parameter, where they differ from the signature's
_ATEN_ARGS = {"embedding": {"input": ("indices", 2), "weight": ("weight", 1)},
              "one_hot": {"tensor": ("input", 1)}}
# functions whose torch version first calls a tensor method on the input, so a wrong
# type fails with AttributeError naming that method
_METHOD_FIRST = {"softmax": "softmax", "log_softmax": "log_softmax", "softmin": "softmin",
                 "normalize": "norm"}


def _tensor_params(fn) -> list:
    """The leading parameters of ``fn`` annotated as a (required) Tensor."""
    names = []
    for p in inspect.signature(fn).parameters.values():
        if p.annotation not in ("Tensor", Tensor) or p.default is not p.empty:
            break
        names.append(p.name)
    return names


def _reject(fn, params, args, kwargs):
    """Raise torch's error for the first tensor parameter that did not get a tensor. A
    traced value of torch.fx/compile is let through: the function to call is then the one
    its module binds now (the tracer's recording wrapper while a trace runs)."""
    bound = inspect.signature(fn).bind_partial(*args, **kwargs).arguments
    from ...fx.proxy import Proxy
    if any(isinstance(bound.get(p), Proxy) for p in params):
        return getattr(sys.modules[fn.__module__], fn.__name__, fn)
    name = fn.__name__
    for i, p in enumerate(params):
        if p not in bound or isinstance(bound[p], Tensor):
            continue
        value = bound[p]
        if name in _METHOD_FIRST and i == 0:
            raise AttributeError(f"'{type_name(value)}' object has no attribute "
                                 f"'{_METHOD_FIRST[name]}'")
        arg, pos = _ATEN_ARGS.get(name, {}).get(p, (p, i + 1))
        if p in kwargs:  # torch names no position for an argument given by keyword
            pos = None
        raise not_tensor_error(_ATEN_NAMES.get(name, name), arg, pos, value)


def _guard(fn, params):
    n = len(params)
    if n == 1:
        def checked(*args, **kwargs):
            if not (args and isinstance(args[0], Tensor)):
                return _reject(fn, params, args, kwargs)(*args, **kwargs)
            return fn(*args, **kwargs)
    elif n == 2:
        def checked(*args, **kwargs):
            if len(args) < 2 or not (isinstance(args[0], Tensor) and isinstance(args[1], Tensor)):
                return _reject(fn, params, args, kwargs)(*args, **kwargs)
            return fn(*args, **kwargs)
    else:
        def checked(*args, **kwargs):
            if len(args) < n or not all(isinstance(a, Tensor) for a in args[:n]):
                return _reject(fn, params, args, kwargs)(*args, **kwargs)
            return fn(*args, **kwargs)
    checked = functools.wraps(fn)(checked)
    checked._tensor_checked = True
    return checked


def guard_module(module) -> None:
    """Replace each function in ``module.__all__`` taking leading tensors by a checked one."""
    for name in module.__all__:
        fn = getattr(module, name)
        if not inspect.isfunction(fn) or hasattr(fn, "_tensor_checked"):
            continue
        params = _tensor_params(fn)
        if params:
            setattr(module, name, _guard(fn, params))
