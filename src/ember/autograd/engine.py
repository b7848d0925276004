"""The autograd graph and the engine that walks it backwards.

Every differentiable operation leaves a ``Node`` (the tensor's ``grad_fn``). A node
knows the edges to the nodes that produced its inputs, written ``(node, output_nr)``;
a leaf tensor that requires grad is itself the end of an edge. ``run_backward``
counts how many edges point at each node, then processes nodes whose count has
reached zero, so every node runs once with the sum of the gradients of its outputs.
"""
from __future__ import annotations

import os
import threading
import traceback
import warnings

import numpy as np

from . import grad_mode

# ember._tensor binds its Tensor class here once the class exists (the two modules import
# each other; a module-level name keeps imports off the hot path).
Tensor = None

_RELEASED_MSG = (
    "Trying to backward through the graph a second time (or directly access saved tensors "
    "after they have already been freed). Saved intermediate values of the graph are freed "
    "when you call .backward() or autograd.grad(). Specify retain_graph=True if you need to "
    "backward through the graph a second time or if you need to access saved tensors after "
    "calling backward.")


class Node:
    """A recorded operation: the ``ctx`` of its forward and the ``grad_fn`` of its outputs.

    Subclasses are generated per operation (``MulBackward0`` …) so that
    ``type(t.grad_fn).__name__`` reads as in PyTorch.
    """

    # Hot fields are slots; the rarely used ones default on the class and land in
    # the instance __dict__ only when set, which keeps creating a node cheap.
    __slots__ = ("_edges", "_shapes", "_saved", "__dict__", "__weakref__")

    _fn = None  # the Function class whose backward this node runs
    _hooks = _pre_hooks = _tensor_hooks = _retain = _trace = _non_diff = _dirty = None
    _released = False
    _materialize = True
    _n_outputs = 1
    _out_meta = ()
    needs_input_grad = ()

    def __init__(self):
        self._edges = ()
        self._shapes = ()
        self._saved = None

    # -- what forward stores ------------------------------------------------
    def save_for_backward(self, *values):
        """Keep values (arrays in a primitive, tensors in a user Function) for backward."""
        self._saved = values

    def mark_non_differentiable(self, *outputs):
        """Declare outputs that have no gradient (e.g. indices)."""
        self._non_diff = outputs

    def set_materialize_grads(self, value: bool):
        """Whether missing output gradients reach backward as zeros (default) or None."""
        self._materialize = bool(value)

    def mark_dirty(self, *tensors):
        """Declare inputs that forward modified in place (and returns as outputs)."""
        self._dirty = tensors

    @property
    def saved_tensors(self):
        """What forward saved, as tensors; raises once backward has freed them."""
        saved = self._saved
        if saved is None:
            if self._released:
                raise RuntimeError(_RELEASED_MSG)
            return ()
        return tuple(_unpack(self, s) for s in saved)

    @property
    def saved_arrays(self):
        """What forward saved, as backend arrays (for array-level backward fast paths)."""
        saved = self._saved
        if saved is None:
            if self._released:
                raise RuntimeError(_RELEASED_MSG)
            return ()
        out = []
        for s in saved:
            kind = type(s)
            if kind is SavedInput:
                if s.tensor._vc[0] != s.version:
                    _unpack(self, s)  # raises the modified-in-place error
                out.append(s.tensor._data)
            elif kind is SavedOutput:
                if s.vc[0] != s.version:
                    _unpack(self, s)
                out.append(s.array)
            else:
                out.append(s._data if isinstance(s, Tensor) else s)
        return out

    # -- graph inspection ---------------------------------------------------
    @property
    def next_functions(self):
        """``(node, output_nr)`` per tensor input: ``AccumulateGrad`` for a leaf that
        requires grad, ``None`` for one that does not."""
        out = []
        for e, shape in zip(self._edges, self._shapes):
            if e is not None:
                out.append(e if isinstance(e[0], Node) else (AccumulateGrad(e[0]), 0))
            elif shape is not None:
                out.append((None, 0))
        return tuple(out)

    def name(self) -> str:
        """The node's PyTorch-style name, e.g. ``MulBackward0`` (torch's hand-written
        C++ nodes carry their namespace: ``torch::autograd::CopySlices``)."""
        name = type(self).__name__
        return "torch::autograd::" + name if name == "CopySlices" else name

    def register_hook(self, hook):
        """``hook(grad_inputs, grad_outputs)`` runs after this node's backward."""
        if self._hooks is None:
            self._hooks = []
        self._hooks.append(hook)
        return _RemovableHandle(self._hooks, hook)

    def register_prehook(self, hook):
        """``hook(grad_outputs)`` runs before this node's backward and may replace them."""
        if self._pre_hooks is None:
            self._pre_hooks = []
        self._pre_hooks.append(hook)
        return _RemovableHandle(self._pre_hooks, hook)

    def __repr__(self):
        return f"<{type(self).__name__} object at {hex(id(self))}>"

    def __call__(self, *grads):
        return self._fn.backward(self, *grads)


class AccumulateGrad:
    """What ``next_functions`` shows for a leaf tensor: the sink for its gradient."""

    __module__ = "builtins"  # a C++ class in torch: <class 'AccumulateGrad'>

    __slots__ = ("variable",)

    def __init__(self, variable):
        self.variable = variable

    def name(self) -> str:
        """The name PyTorch gives the node that accumulates into a leaf's ``.grad``."""
        return "torch::autograd::AccumulateGrad"

    def __eq__(self, other):
        return isinstance(other, AccumulateGrad) and other.variable is self.variable

    def __hash__(self):
        return id(self.variable)

    def __repr__(self):
        return f"<AccumulateGrad object at {hex(id(self))}>"


class _RemovableHandle:
    __slots__ = ("_list", "_item")

    def __init__(self, lst, item):
        self._list, self._item = lst, item

    def remove(self) -> None:
        """Unregister the hook (a second call does nothing)."""
        try:
            self._list.remove(self._item)
        except ValueError:
            pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.remove()


# A saved value: either an input tensor with the version it had when saved, or an
# output of the node itself (kept as its array, re-wrapped on unpack, so the node
# holds no reference to its own output tensor and the graph has no cycles).
class SavedInput:
    """An input tensor saved for backward, with the version it had then."""

    __slots__ = ("tensor", "version")

    def __init__(self, tensor):
        self.tensor = tensor
        self.version = tensor._vc[0]


class SavedOutput:
    """An output of the node saved for backward: its array, re-wrapped when unpacked."""

    __slots__ = ("array", "index", "vc", "version", "requires_grad")

    def __init__(self, array, index, vc, requires_grad):
        self.array, self.index, self.vc, self.requires_grad = array, index, vc, requires_grad
        self.version = vc[0]


def _unpack(node, s):
    if type(s) is SavedInput:
        t = s.tensor
        if t._vc[0] != s.version:
            fn = t.grad_fn
            _raise_modified(t.type(), t.shape, fn and (t._output_nr, fn), t._vc[0], s.version)
        return t
    if type(s) is SavedOutput:
        if s.vc[0] != s.version:
            from .._tensor import _TYPE_NAMES
            kind = "torch." + _TYPE_NAMES.get(s.array.dtype.name, "Tensor")
            _raise_modified(kind, s.array.shape, (s.index, node), s.vc[0], s.version)
        return Tensor._make(s.array, s.requires_grad, node if s.requires_grad else None,
                            s.index, s.vc)
    return s


def _raise_modified(kind, shape, producer, version, expected):
    """PyTorch's error for a saved tensor changed in place before backward used it."""
    where = ""
    if producer:
        where = f", which is output {producer[0]} of {_op_name(producer[1])},"
    hint = ("Hint: the backtrace further above shows the operation that failed to compute its "
            "gradient. The variable in question was changed in there or anywhere later. Good "
            "luck!" if anomaly.enabled else
            "Hint: enable anomaly detection to find the operation that failed to compute its "
            "gradient, with torch.autograd.set_detect_anomaly(True, check_nan=False).")
    raise RuntimeError(
        "one of the variables needed for gradient computation has been modified by an "
        f"inplace operation: [{kind} [{', '.join(str(d) for d in shape)}]]{where} is at "
        f"version {version}; expected version {expected} instead. {hint}")


def _op_name(node):
    """``MulBackward0`` -> ``Mul``: how PyTorch names the producing op in errors."""
    name = type(node).__name__
    cut = name.rfind("Backward")
    return name[:cut] if cut > 0 and name[cut + 8:].isdigit() else name


# -- anomaly mode -------------------------------------------------------------
class _Anomaly(threading.local):
    enabled = False
    check_nan = True


anomaly = _Anomaly()
_PACKAGE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def record_trace(node):
    """Remember where the forward of ``node`` was called from (user frames only)."""
    frames = [f for f in traceback.extract_stack()
              if not os.path.abspath(f.filename).startswith(_PACKAGE_DIR + os.sep)]
    node._trace = "".join(traceback.format_list(frames))


def _warn_trace(node):
    if node._trace:
        warnings.warn(f"Error detected in {type(node).__name__}. Traceback of forward call that "
                      f"caused the error:\n{node._trace}", UserWarning, stacklevel=3)


# -- the engine ---------------------------------------------------------------
class _ArrayGrads:
    """Gradients as backend arrays: the usual case, when no one asked for a graph of the
    backward (``create_graph=False``). Primitives with a ``backward_array`` run on
    arrays directly; the others get constant tensors and give tensors back."""

    @staticmethod
    def of(t):
        return t._data

    @staticmethod
    def tensor(v):
        return Tensor._make(_as_array(v), False, None, 0, [0])

    @staticmethod
    def sum_to(v, shape):
        return sum_to_array(v, shape)

    @staticmethod
    def call(node, grads):
        fast = node._fn.backward_array
        if fast is not None and not anomaly.enabled:
            if len(grads) > 1 and node._materialize:
                grads = [_zeros_for(node, k) if g is None else g for k, g in enumerate(grads)]
            out = fast(node, *grads)
            if type(out) is not tuple:
                out = (out,)
            return out
        out = _call_backward(node, [None if g is None else _ArrayGrads.tensor(g)
                                    for g in grads])
        return tuple(None if g is None else g._data for g in out)


def _zeros_for(node, k):
    """The zero gradient of output ``k`` (what backward sees for an unused output)."""
    xp, shape, dtype = node._out_meta[k]
    return xp.zeros(shape, dtype)


class _TensorGrads:
    """Gradients as tensors recorded in the graph (``create_graph=True``)."""

    @staticmethod
    def of(t):
        return t

    @staticmethod
    def tensor(v):
        return v

    @staticmethod
    def sum_to(v, shape):
        from ..ops.reduce import sum_to
        return sum_to(v, shape)

    @staticmethod
    def call(node, grads):
        return _call_backward(node, grads)


def run_backward(roots, root_grads, retain_graph=False, create_graph=False, inputs=None,
                 allow_unused=False, accumulate=True):
    """Propagate ``root_grads`` from ``roots`` (tensors) through the graph.

    With ``accumulate`` the gradients of the leaves (or of ``inputs`` when given) are
    added to their ``.grad``; without it, the gradients reaching ``inputs`` are
    returned in order (``autograd.grad``). With ``inputs``, only the part of the
    graph that leads to them runs.
    """
    V = _TensorGrads if create_graph else _ArrayGrads
    buffers: dict = {}  # node -> one gradient slot per output
    leaf_buf: dict = {}  # leaf tensor -> its summed gradient
    # arrays that someone outside the engine may hold: never stored into a .grad as they are
    stored = set()
    root_leaf = False
    for i, (t, g) in enumerate(zip(roots, root_grads)):
        if not t._rg:
            raise RuntimeError(f"element {i} of tensors does not require grad and does not "
                               "have a grad_fn")
        stored.add(id(g._data))
        g = V.of(g)
        fn = t.grad_fn
        if fn is None:
            leaf_buf[t] = _add(leaf_buf.get(t), g)
            root_leaf = True
            continue
        buf = buffers.get(fn)
        if buf is None:
            buf = buffers[fn] = [None] * fn._n_outputs
        buf[t._output_nr] = _add(buf[t._output_nr], g)

    # count the edges pointing at every reachable node and leaf
    deps: dict = {}
    stack = list(buffers)
    seen = set(stack)
    while stack:
        node = stack.pop()
        for e in node._edges:
            if e is None:
                continue
            child = e[0]
            deps[child] = deps.get(child, 0) + 1
            if child not in seen and type(child) is not Tensor and isinstance(child, Node):
                seen.add(child)
                stack.append(child)
    ready = [node for node in buffers if node not in deps]

    # what is captured for ``inputs``: leaves by tensor, non-leaves by (node, output_nr)
    capture = active = None
    if inputs is not None:
        capture = {}
        for i, t in enumerate(inputs):
            key = t if t.grad_fn is None else (t.grad_fn, t._output_nr)
            capture.setdefault(key, []).append(i)
        active = _nodes_leading_to(capture, seen)
    results = [None] * (len(inputs) if inputs is not None else 0)

    prev = grad_mode._state.enabled
    grad_mode._state.enabled = bool(create_graph)
    try:
        leaves_done = []
        plain = capture is None
        while ready:
            node = ready.pop()
            grads = buffers.pop(node)
            if plain and not (node._tensor_hooks or node._retain or node._pre_hooks
                              or node._hooks):
                # the common case: no hooks, nothing captured
                if len(grads) == 1 and grads[0] is None:
                    in_grads = ()
                else:
                    in_grads = V.call(node, grads)
                ran = True
            else:
                in_grads, ran = _run_node(node, grads, V, capture, active, results)
            if ran and not retain_graph and node._saved is not None:
                node._saved = None
                node._released = True
            n_in = len(in_grads)
            shapes = node._shapes
            for i, e in enumerate(node._edges):
                if e is None:
                    continue
                child, k = e
                leaf = isinstance(child, Tensor)
                g = in_grads[i] if i < n_in else None
                if g is not None:
                    if g.shape != shapes[i]:
                        g = V.sum_to(g, shapes[i])
                    if leaf:
                        prev_g = leaf_buf.get(child)
                        leaf_buf[child] = g if prev_g is None else prev_g + g
                    else:
                        buf = buffers.get(child)
                        if buf is None:
                            buf = buffers[child] = [None] * child._n_outputs
                        buf[k] = g if buf[k] is None else buf[k] + g
                n = deps[child] - 1
                deps[child] = n
                if n == 0:
                    if leaf:
                        leaves_done.append(child)
                    elif child in buffers:
                        ready.append(child)
                    else:
                        _skip_subgraph(child, deps, buffers, ready, leaves_done)
        # leaves that are roots themselves and feed no node
        if root_leaf:
            leaves_done.extend(t for t in leaf_buf if t not in deps)
        for t in leaves_done:
            g = leaf_buf.pop(t, None)
            if g is None:
                continue
            if t._hooks:
                for hook in t._hooks:
                    new = hook(V.tensor(g))
                    if new is not None:
                        g = V.of(new)
            if capture is None:
                _accumulate(t, g, create_graph, stored)
            elif t in capture:
                for i in capture[t]:
                    results[i] = g
    finally:
        grad_mode._state.enabled = prev

    if inputs is None:
        return None
    if accumulate:
        for t, g in zip(inputs, results):
            if g is not None:
                _accumulate(t, g, create_graph, stored)
        return None
    if not allow_unused:
        for i, r in enumerate(results):
            if r is None:
                raise RuntimeError(
                    f"The differentiated Tensor at index {i} appears to not have been used in "
                    "the graph. Set allow_unused=True if this is the desired behavior.")
    return tuple(None if r is None else V.tensor(r) for r in results)


def _run_node(node, grads, V, capture, active, results):
    """One node's backward with its hooks, and what ``autograd.grad`` captures there;
    returns the input gradients and whether the backward ran (``autograd.grad`` skips
    the nodes that lead to none of its inputs)."""
    runs = active is None or node in active
    if capture is not None:
        wanted = [k for k in range(node._n_outputs) if (node, k) in capture]
        if not runs and not wanted:
            grads = [None] * node._n_outputs
    if node._tensor_hooks or node._retain:
        grads = _run_tensor_hooks(node, grads, V)
    if capture is not None:
        for k in wanted:
            for i in capture[(node, k)]:
                results[i] = grads[k]
    if not runs:
        return (), False
    if node._pre_hooks or node._hooks:
        return _call_with_node_hooks(node, grads, V), True
    if any(g is not None for g in grads):
        return V.call(node, grads), True
    return (), True


def _call_with_node_hooks(node, grads, V):
    """Run a node's backward between its pre-hooks and hooks (they see tensors)."""
    grads_t = [None if g is None else V.tensor(g) for g in grads]
    if node._pre_hooks:
        for hook in node._pre_hooks:
            new = hook(tuple(grads_t))
            if new is not None:
                grads_t = list(new)
    grads = [None if g is None else V.of(g) for g in grads_t]
    if any(g is not None for g in grads):
        in_grads = V.call(node, grads)
    else:
        in_grads = (None,) * len(node._edges)
    if node._hooks:
        in_t = tuple(None if g is None else V.tensor(g) for g in in_grads)
        for hook in node._hooks:
            new = hook(in_t, tuple(grads_t))
            if new is not None:
                in_t = tuple(new)
        in_grads = tuple(None if g is None else V.of(g) for g in in_t)
    return in_grads


def _nodes_leading_to(capture, nodes):
    """The nodes among ``nodes`` whose backward must run to reach a captured input."""
    active = set()
    done = set()
    for root in nodes:
        if root in done:
            continue
        # iterative post-order: a node is active when one of its edges reaches a target
        stack = [(root, False)]
        while stack:
            node, expanded = stack.pop()
            if expanded:
                for e in node._edges:
                    if e is None:
                        continue
                    child = e[0]
                    if (child in capture if isinstance(child, Tensor) else
                            (child, e[1]) in capture or child in active):
                        active.add(node)
                        break
                done.add(node)
                continue
            if node in done:
                continue
            stack.append((node, True))
            for e in node._edges:
                if e is not None and isinstance(e[0], Node) and e[0] not in done:
                    stack.append((e[0], False))
    return active


def _skip_subgraph(node, deps, buffers, ready, leaves_done):
    """A node all of whose consumers sent no gradient: release its children's counts."""
    stack = [node]
    while stack:
        n = stack.pop()
        for e in n._edges:
            if e is None:
                continue
            child = e[0]
            c = deps[child] - 1
            deps[child] = c
            if c == 0:
                if isinstance(child, Tensor):
                    leaves_done.append(child)
                elif child in buffers:
                    ready.append(child)
                else:
                    stack.append(child)


def _call_backward(node, grads):
    if node._materialize:
        for k, g in enumerate(grads):
            if g is None and node._out_meta[k] is not None:
                grads[k] = Tensor._make(_zeros_for(node, k), False, None, 0, [0])
    if anomaly.enabled:
        try:
            out = node._fn.backward(node, *grads)
        except Exception:
            _warn_trace(node)
            raise
    else:
        out = node._fn.backward(node, *grads)
    if not isinstance(out, tuple):
        out = (out,)
    n = len(node._edges)
    if len(out) != n and not (len(out) > n and all(o is None for o in out[n:])):
        raise RuntimeError(
            f"function {type(node).__name__} returned an incorrect number of gradients "
            f"(expected {n}, got {len(out)})")
    if anomaly.enabled and anomaly.check_nan:
        for i, g in enumerate(out):
            if g is not None and bool((g._data != g._data).any()):
                _warn_trace(node)
                raise RuntimeError(
                    f"Function '{type(node).__name__}' returned nan values in its {i}th output.")
    return out


def _run_tensor_hooks(node, grads, V):
    """Tensor hooks and ``retain_grad`` of a node's outputs; returns the (new) grads."""
    grads = list(grads)
    hooks = node._tensor_hooks
    if hooks:
        for k, lst in hooks.items():
            if grads[k] is None:
                continue
            for hook in list(lst):
                new = hook(V.tensor(grads[k]))
                if new is not None:
                    grads[k] = V.of(new)
    if node._retain:
        for k, ref in node._retain.items():
            t = ref()
            if t is not None and grads[k] is not None:
                g = V.tensor(grads[k])
                # the retained .grad is the tensor's own copy, as in PyTorch
                g = g.clone() if grad_mode._state.enabled else g.detach().clone()
                t._grad = g if t._grad is None else t._grad + g
    return grads


def _as_array(v):
    """NumPy turns 0-d results into scalars; the engine keeps arrays."""
    return np.asarray(v) if isinstance(v, np.generic) else v


def _add(a, b):
    if a is None:
        return b
    return a + b


def sum_to_array(g, shape):
    """Sum an array down to ``shape``, undoing broadcasting."""
    shape = tuple(shape)
    lead = g.ndim - len(shape)
    axes = tuple(range(lead)) + tuple(
        lead + i for i, n in enumerate(shape) if n == 1 and g.shape[lead + i] != 1)
    if axes:
        g = g.sum(axis=axes, keepdims=True)
    return g.reshape(shape) if g.shape != shape else g


def _accumulate(t, g, create_graph, stored):
    """Add ``g`` (a tensor with ``create_graph``, else an array) into ``t.grad``; a new
    ``.grad`` never aliases memory that others hold."""
    grad = t._grad
    if create_graph or getattr(g, "_sparse", False):  # a sparse gradient stays sparse
        t._grad = g if grad is None else grad + g
        return
    arr = _as_array(g)
    if grad is None:
        if id(arr) in stored or not _owns(arr) or arr.shape != t._data.shape:
            arr = arr.copy() if arr.shape == t._data.shape else \
                t._xp().broadcast_to(arr, t._data.shape).copy()
        stored.add(id(arr))
        if arr.dtype != t._data.dtype:
            arr = arr.astype(t._data.dtype)
        t._grad = Tensor._make(arr, False, None, 0, [0])
    elif grad._rg:
        t._grad = grad + Tensor._make(arr, False, None, 0, [0])
    else:
        # accumulate in place, as PyTorch does, so a held reference sees it
        grad._data += arr


def _owns(arr):
    flags = arr.flags
    return flags.owndata and flags.writeable and flags.c_contiguous
