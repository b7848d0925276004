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

__all__ = ["Function", "FunctionCtx", "Primitive", "once_differentiable", "renamed"]

_ndarray = np.ndarray
_state = grad_mode._state

# ember._tensor binds its Tensor class here once the class exists (see engine.Tensor).
Tensor = None


def _make_node_class(cls, name):
    # torch's built-in nodes are C++ classes: they print as <class 'MulBackward0'>
    return type(name, (Node,), {"__slots__": (), "_fn": cls, "__module__": "builtins"})


def _device_error(arrays):
    from .._device import device_of_array

    devs = []
    for a in arrays:
        if hasattr(a, "shape") and not isinstance(a, (int, float)):
            d = str(device_of_array(a))
            if d not in devs:
                devs.append(d)
    devs.sort(key=lambda d: d == "cpu")  # torch names the accelerator first
    raise RuntimeError("Expected all tensors to be on the same device, but found at least two "
                       f"devices, {devs[0]} and {devs[-1]}!")


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
        """The op on backend arrays; returns an array or a tuple of arrays."""
        raise NotImplementedError

    @staticmethod
    def backward(ctx, *grads):
        """One gradient (a tensor, or None) per forward argument, from the output grads."""
        raise NotImplementedError

    # An optional array-level twin of ``backward`` (same arguments, arrays in and out),
    # used when no graph of the backward is wanted; ``ctx.saved_arrays`` gives what
    # forward saved as arrays. ``create_graph=True`` always goes through ``backward``.
    backward_array = None

    @classmethod
    def apply(cls, *args, **kwargs):
        """Run the op on tensors, recording it when an input requires grad."""
        arrays = []
        record = False
        for a in args:
            if isinstance(a, Tensor):
                arrays.append(a._data)
                if a._rg:
                    record = True
            else:
                arrays.append(a)
        node = _new(cls._node_cls)  # graph fields are set by _record, if it runs
        node._saved = None
        try:
            out = cls.forward(node, *arrays, **kwargs)
        except TypeError:
            # NumPy and CuPy arrays meet as a TypeError: a 0-dim CPU tensor joins CUDA
            # operands as a scalar would, as in torch; any other mix raises torch's error
            moved = _scalars_to_device(args)
            if moved is None:
                raise
            arrays = moved
            out = cls.forward(node, *arrays, **kwargs)
        if not (record and _state.enabled):
            if type(out) is tuple:
                return tuple(_wrap(o) for o in out)
            if type(out) is not _ndarray:
                out = _asarray(out)
            t = _new(Tensor)
            t._data = out
            t._rg = False
            t.grad_fn = None
            t._output_nr = 0
            t._vc = [0]
            return t
        return _record(node, args, arrays, out)


_new = object.__new__


def renamed(prim, node_name: str):
    """``prim`` recorded under another graph-node name: torch tells an op's overloads apart
    in ``grad_fn`` (``sum()`` is SumBackward0, ``sum(dim)`` SumBackward1)."""
    return type(prim.__name__, (prim,), {"node_name": node_name, "__module__": prim.__module__})


def _wrap(o):
    return Tensor._make(o if type(o) is _ndarray else _asarray(o), False, None, 0, [0])


def _scalars_to_device(args):
    """The arrays of ``args`` with 0-dim CPU tensors copied to the one CUDA device the other
    tensors share (torch takes those as scalars); None when all share a device already.
    Raises PyTorch's same-device error for any other mix."""
    from .._device import move_array

    devs = {a.device for a in args if isinstance(a, Tensor)}
    if len(devs) < 2:
        return None
    gpus = [d for d in devs if d.type != "cpu"]
    if len(gpus) != 1 or any(a._data.ndim for a in args
                             if isinstance(a, Tensor) and a.device.type == "cpu"):
        _device_error([a._data for a in args if isinstance(a, Tensor)])
    return [(move_array(a._data, gpus[0]) if a.device.type == "cpu" else a._data)
            if isinstance(a, Tensor) else a for a in args]


def _asarray(o):
    if isinstance(o, np.generic) or not hasattr(o, "__array_priority__"):
        return np.asarray(o)
    return o  # a CuPy array


def _record(node, args, arrays, out):
    """Wire ``node`` into the graph and wrap the forward's output arrays."""
    node._edges, node._shapes, node.needs_input_grad = _edges_of(args)
    if anomaly.enabled:
        record_trace(node)
    if type(out) is not tuple:
        if type(out) is not _ndarray:
            out = _asarray(out)
        result = _new(Tensor)
        result._data = out
        result._output_nr = 0
        result._vc = [0]
        if out.dtype.kind in "fc" and not node._non_diff:
            result._rg = True
            result.grad_fn = node
        else:
            result._rg = False
            result.grad_fn = None
        if node._saved is not None:
            node._saved = _resolve_saved(node._saved, args, arrays, (result,))
        return result
    non_diff = node._non_diff
    results = []
    for i, o in enumerate(out):
        if type(o) is not _ndarray:
            o = _asarray(o)
        rg = o.dtype.kind in "fc" and not (non_diff and any(o is n for n in non_diff))
        results.append(Tensor._make(o, rg, node if rg else None, i, [0]))
    node._n_outputs = len(out)
    node._out_meta = tuple((Tensor._xp_of(r._data), r._data.shape, r._data.dtype)
                           for r in results)
    if node._saved is not None:
        node._saved = _resolve_saved(node._saved, args, arrays, results)
    return tuple(results)


def _edges_of(args):
    """The graph edge, shape and needs-grad flag of each argument of an op.

    A tensor argument always gets its shape (``next_functions`` lists it, as ``(None, 0)``
    when it needs no grad); a non-tensor argument gets neither edge nor shape.
    """
    edges = []
    shapes = []
    needs = []
    for a in args:
        if isinstance(a, Tensor):
            shapes.append(a._data.shape)
            if a._rg:
                fn = a.grad_fn
                edges.append((fn, a._output_nr) if fn is not None else (a, 0))
                needs.append(True)
                continue
        else:
            shapes.append(None)
        edges.append(None)
        needs.append(False)
    return edges, shapes, tuple(needs)


def _resolve_saved(saved, args, arrays, results):
    """What forward saved, as kept for backward: an input array becomes its tensor
    (version-checked), an output array a reference to that output, another array a
    constant tensor; other values stay as they are."""
    kept = []
    for s in saved:
        if type(s) is not _ndarray and (s is None or not hasattr(s, "dtype")
                                        or isinstance(s, np.generic)):
            kept.append(s)
            continue
        for a, d in zip(args, arrays):
            if d is s and d is not a:  # the array of a tensor argument
                kept.append(SavedInput(a))
                break
        else:
            for r in results:
                if r._data is s:
                    kept.append(SavedOutput(s, r._output_nr, r._vc, r._rg))
                    break
            else:
                kept.append(Tensor._make(s, False, None, 0, [0]))
    return tuple(kept)


# -- the public, tensor-level Function ------------------------------------------
class FunctionCtx(Node):
    """The ``ctx`` a user-defined Function receives (documented for type hints)."""

    __slots__ = ()


class _FunctionMeta(type):
    def __init__(cls, name, bases, ns):
        super().__init__(name, bases, ns)
        if "vjp" in ns and "backward" not in ns:
            cls.backward = ns["vjp"]
        cls._node_cls = type(name + "Backward", (FunctionCtx,),
                             {"__slots__": (), "_fn": cls, "__module__": cls.__module__})


class Function(metaclass=_FunctionMeta):
    """Base class for user-defined differentiable operations.

    Subclasses define ``forward(ctx, *args)`` (on tensors, run without recording
    a graph) and ``backward(ctx, *grad_outputs)`` returning one gradient per
    forward argument (None for non-tensors); call them with ``.apply(...)``.
    ``forward(*args)`` plus ``setup_context(ctx, inputs, output)`` works too.
    """

    backward_array = None  # user Functions always run their tensor-level backward

    @staticmethod
    def forward(ctx, *args, **kwargs):
        """The computation, on tensors; subclasses define it."""
        raise NotImplementedError("You must implement the forward function for custom "
                                  "autograd.Function.")

    @staticmethod
    def setup_context(ctx, inputs, output):
        """Optional: fill ``ctx`` from the inputs and output of a ``forward(*args)``."""
        raise NotImplementedError("setup_context is not implemented.")

    @staticmethod
    def backward(ctx, *grad_outputs):
        """Gradients of the inputs from those of the outputs; subclasses define it."""
        raise NotImplementedError("You must implement either the backward or vjp method for "
                                  "your custom autograd.Function to use it with backward "
                                  "mode AD.")

    def __init__(self, *args, **kwargs):
        pass

    def __call__(self, *args, **kwargs):
        raise RuntimeError(
            "Legacy autograd function with non-static forward method is deprecated. Please "
            "use new-style autograd function with static forward method. (Example: "
            "https://pytorch.org/docs/stable/autograd.html#torch.autograd.Function)")

    @classmethod
    def apply(cls, *args, **kwargs):
        """Run ``forward`` and, when an input requires grad, record ``backward`` for it."""
        node = cls._node_cls()
        edges, shapes, needs = _edges_of(args)
        node.needs_input_grad = needs
        prev = _state.enabled
        _state.enabled = False
        try:
            if cls._separate_setup():
                out = cls.forward(*args, **kwargs)
                cls.setup_context(node, args, out)
            else:
                out = cls.forward(node, *args, **kwargs)
        finally:
            _state.enabled = prev
        if not (prev and any(needs)):
            return out
        node._edges, node._shapes = edges, shapes
        if anomaly.enabled:
            record_trace(node)
        multi = isinstance(out, tuple)
        outs = out if multi else (out,)
        non_diff = node._non_diff or ()
        dirty = node._dirty or ()
        node._n_outputs = len(outs)
        results, meta = [], []
        for i, o in enumerate(outs):
            if not isinstance(o, Tensor):
                results.append(o)
                meta.append(None)
                continue
            rg = o._data.dtype.kind in "fc" and not any(o is n for n in non_diff)
            if any(o is d for d in dirty):
                r = _rebase_dirty(o, node, i, rg)
            else:
                r = Tensor._make(o._data, rg, node if rg else None, i, o._vc)
            results.append(r)
            meta.append((Tensor._xp_of(o._data), o._data.shape, o._data.dtype))
        node._out_meta = tuple(meta)
        if node._saved is not None:
            node._saved = tuple(_saved_for_function(s, args, outs, results, Tensor)
                                for s in node._saved)
        return tuple(results) if multi else results[0]

    @classmethod
    def _separate_setup(cls) -> bool:
        """Whether this Function uses the ``forward(*args)`` + ``setup_context`` style."""
        for klass in cls.__mro__:
            if klass is Function:
                return False
            if "setup_context" in klass.__dict__:
                return True
        return False


def _rebase_dirty(t, node, index, rg):
    """An input the forward modified in place (``ctx.mark_dirty``) becomes the output."""
    if t._rg and t.grad_fn is None:
        raise RuntimeError("a leaf Variable that requires grad has been used in an in-place "
                           "operation.")
    t._vc[0] += 1  # PyTorch counts the marking as one more write
    if rg:
        t._take_graph_position(node, index)
    return t


def _saved_for_function(s, args, outs, results, Tensor):
    """What ``ctx.save_for_backward`` keeps of one tensor of a user Function."""
    if not isinstance(s, Tensor):
        return s
    for k, o in enumerate(outs):
        if o is s:
            r = results[k]
            return SavedOutput(r._data, k, r._vc, r._rg)
    return SavedInput(s)


def once_differentiable(fn):
    """Mark a backward as not itself differentiable: it runs without recording."""
    @functools.wraps(fn)
    def wrapper(ctx, *args):
        with grad_mode.no_grad():
            return fn(ctx, *args)
    return wrapper
