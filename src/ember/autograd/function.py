"""Differentiable operations: ember's array-level ``Primitive`` and the public ``Function``.

A ``Primitive`` (every op under ``ember.ops``) computes its forward on backend arrays
and its backward with ember's own tensor operations, so that ``create_graph=True``
differentiates the backward again. The public ``autograd.Function`` is the same
machinery with tensors in the forward, as PyTorch users write it.
"""
from __future__ import annotations

import functools

import numpy as np

from . import grad_mode
from .engine import Node, SavedInput, SavedOutput, anomaly, record_trace

__all__ = ["Function", "FunctionCtx", "Primitive", "once_differentiable"]

_ndarray = np.ndarray
_state = grad_mode._state


def _make_node_class(cls, name):
    return type(name, (Node,), {"__slots__": (), "_fn": cls, "__module__": cls.__module__})


def _device_error(arrays):
    from .._device import device_of_array

    devs = []
    for a in arrays:
        if hasattr(a, "shape") and not isinstance(a, (int, float)):
            d = str(device_of_array(a))
            if d not in devs:
                devs.append(d)
    raise RuntimeError("Expected all tensors to be on the same device, but found at least two "
                       f"devices, {devs[-1]} and {devs[0]}!")


class Primitive:
    """Base of ember's ops: ``forward(ctx, *arrays)`` and ``backward(ctx, *grads)``.

    Tensor arguments reach ``forward`` as arrays, anything else as given. Arrays that
    ``forward`` saves with ``ctx.save_for_backward`` come back in backward as tensors:
    the input or output tensor itself when the array is one of those (so the graph
    stays connected for higher-order gradients), a constant tensor otherwise.
    """

    _node_cls = Node
    differentiable = True

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        cls._node_cls = _make_node_class(cls, cls.__dict__.get("node_name",
                                                                 cls.__name__ + "Backward0"))

    @staticmethod
    def forward(ctx, *args, **kwargs):
        raise NotImplementedError

    @staticmethod
    def backward(ctx, *grads):
        raise NotImplementedError

    @classmethod
    def apply(cls, *args, **kwargs):
        from .._tensor import Tensor

        arrays = []
        record = False
        atype = None
        for a in args:
            if isinstance(a, Tensor):
                d = a._data
                if atype is None:
                    atype = type(d)
                elif type(d) is not atype:
                    _device_error([x._data for x in args if isinstance(x, Tensor)])
                arrays.append(d)
                if a.requires_grad:
                    record = True
            else:
                arrays.append(a)
        record = record and _state.enabled
        node = cls._node_cls()
        out = cls.forward(node, *arrays, **kwargs)
        make = Tensor._make
        if not record:
            if type(out) is tuple:
                return tuple(make(o if type(o) is _ndarray else _asarray(o), False, None, 0, [0])
                             for o in out)
            return make(out if type(out) is _ndarray else _asarray(out), False, None, 0, [0])
        return _record(node, args, out, make, Tensor)


def _asarray(o):
    if isinstance(o, np.generic) or not hasattr(o, "__array_priority__"):
        return np.asarray(o)
    return o  # a CuPy array


def _record(node, args, out, make, Tensor):
    """Wire ``node`` into the graph and wrap the forward's output arrays."""
    edges = []
    shapes = []
    needs = []
    for a in args:
        if isinstance(a, Tensor) and a.requires_grad:
            fn = a.grad_fn
            edges.append((fn, a._output_nr) if fn is not None else (a, 0))
            shapes.append(a._data.shape)
            needs.append(True)
        else:
            edges.append(None)
            shapes.append(None)
            needs.append(False)
    node._edges = tuple(edges)
    node._shapes = tuple(shapes)
    node.needs_input_grad = tuple(needs)
    if anomaly.enabled:
        record_trace(node)
    multi = type(out) is tuple
    outs = out if multi else (out,)
    non_diff = node._non_diff
    results = []
    for i, o in enumerate(outs):
        if type(o) is not _ndarray:
            o = _asarray(o)
        rg = o.dtype.kind in "fc" and not (non_diff and any(o is n for n in non_diff))
        results.append(make(o, rg, node if rg else None, i, [0]))
    if multi:
        node._n_outputs = len(outs)
        node._out_meta = tuple((type(r)._xp_of(r._data), r._data.shape, r._data.dtype)
                               for r in results)
    saved = node._saved
    if saved is not None:
        node._saved = tuple(_resolve_saved(s, args, results, Tensor) for s in saved)
    return tuple(results) if multi else results[0]


def _resolve_saved(s, args, results, Tensor):
    if s is None or not hasattr(s, "dtype") or isinstance(s, np.generic):
        return s
    for a in args:
        if isinstance(a, Tensor) and a._data is s:
            return SavedInput(a)
    for r in results:
        if r._data is s:
            return SavedOutput(s, r._output_nr, r._vc, r.requires_grad)
    return Tensor._make(s, False, None, 0, [0])


# -- the public, tensor-level Function ------------------------------------------
class FunctionCtx(Node):
    """The ``ctx`` a user-defined Function receives (documented for type hints)."""

    __slots__ = ()


class _FunctionMeta(type):
    def __init__(cls, name, bases, ns):
        super().__init__(name, bases, ns)
        cls._node_cls = type(name + "Backward", (FunctionCtx,),
                             {"__slots__": (), "_fn": cls, "__module__": cls.__module__})


class Function(metaclass=_FunctionMeta):
    """Base class for user-defined differentiable operations.

    Subclasses define ``forward(ctx, *args)`` (on tensors, run without recording
    a graph) and ``backward(ctx, *grad_outputs)`` returning one gradient per
    forward argument (None for non-tensors); call them with ``.apply(...)``.
    """

    @staticmethod
    def forward(ctx, *args, **kwargs):
        raise NotImplementedError("You must implement the forward function for custom "
                                  "autograd.Function.")

    @staticmethod
    def setup_context(ctx, inputs, output):
        raise NotImplementedError

    @staticmethod
    def backward(ctx, *grad_outputs):
        raise NotImplementedError("You must implement either the backward or vjp method for "
                                  "your custom autograd.Function to use it with backward "
                                  "mode AD.")

    vjp = backward

    def __init__(self, *args, **kwargs):
        pass

    def __call__(self, *args, **kwargs):
        raise RuntimeError(
            "Legacy autograd function with non-static forward method is deprecated. Please "
            "use new-style autograd function with static forward method.")

    @classmethod
    def apply(cls, *args, **kwargs):
        from .._tensor import Tensor

        node = cls._node_cls()
        node.needs_input_grad = tuple(isinstance(a, Tensor) and a.requires_grad for a in args)
        record = _state.enabled and any(node.needs_input_grad)
        separate = "setup_context" in _own_attrs(cls)
        prev = _state.enabled
        _state.enabled = False
        try:
            if separate:
                out = cls.forward(*args, **kwargs)
            else:
                out = cls.forward(node, *args, **kwargs)
        finally:
            _state.enabled = prev
        if separate:
            cls.setup_context(node, args, out)
        multi = isinstance(out, tuple)
        outs = out if multi else (out,)
        if not record:
            return out
        edges, shapes = [], []
        for a in args:
            if isinstance(a, Tensor) and a.requires_grad:
                fn = a.grad_fn
                edges.append((fn, a._output_nr) if fn is not None else (a, 0))
                shapes.append(a._data.shape)
            else:
                edges.append(None)
                shapes.append(None)
        node._edges, node._shapes = tuple(edges), tuple(shapes)
        if anomaly.enabled:
            record_trace(node)
        non_diff = node._non_diff or ()
        results = []
        tensor_outs = [o for o in outs if isinstance(o, Tensor)]
        node._n_outputs = len(outs)
        meta = []
        for i, o in enumerate(outs):
            if not isinstance(o, Tensor):
                results.append(o)
                meta.append(None)
                continue
            rg = o.dtype.category >= 2 and not any(o is n for n in non_diff)
            r = Tensor._make(o._data, rg, node if rg else None, i, o._vc)
            results.append(r)
            meta.append((Tensor._xp_of(o._data), o._data.shape, o._data.dtype))
        node._out_meta = tuple(meta)
        saved = node._saved
        if saved is not None:
            resolved = []
            for s in saved:
                if not isinstance(s, Tensor):
                    resolved.append(s)
                elif any(s is a for a in args):
                    resolved.append(SavedInput(s))
                else:
                    k = next((i for i, o in enumerate(outs) if o is s), None)
                    if k is None:
                        resolved.append(SavedInput(s))
                    else:
                        r = results[k]
                        resolved.append(SavedOutput(r._data, k, r._vc, r.requires_grad))
            node._saved = tuple(resolved)
        del tensor_outs
        return tuple(results) if multi else results[0]


def _own_attrs(cls):
    names = set()
    for klass in cls.__mro__:
        if klass is Function:
            break
        names.update(klass.__dict__)
    return names


def once_differentiable(fn):
    """Mark a backward as not itself differentiable: it runs without recording."""
    @functools.wraps(fn)
    def wrapper(ctx, *args):
        with grad_mode.no_grad():
            return fn(ctx, *args)
    return wrapper
