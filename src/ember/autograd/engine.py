"""The autograd graph and the engine that walks it backwards.

Every differentiable operation leaves a ``Node`` (the tensor's ``grad_fn``). A node
knows the edges to the nodes that produced its inputs, written ``(node, output_nr)``;
a leaf tensor that requires grad is itself the end of an edge. ``run_backward``
counts how many edges point at each node, then processes nodes whose count has
reached zero, so every node runs once with the sum of the gradients of its outputs.
"""
from __future__ import annotations

import threading
import traceback
import warnings

from . import grad_mode

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
    __slots__ = ("_edges", "_shapes", "_saved", "_n_outputs", "needs_input_grad",
                 "_out_meta", "__dict__", "__weakref__")

    _fn = None  # the Function class whose backward this node runs
    _hooks = _pre_hooks = _tensor_hooks = _retain = _trace = _non_diff = None
    _released = False
    _materialize = True

    def __init__(self):
        self._edges = ()
        self._shapes = ()
        self._saved = None
        self._n_outputs = 1
        self._out_meta = ()
        self.needs_input_grad = ()

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
        """Accepted for compatibility: in-place user Functions are rebased by ``apply``."""

    @property
    def saved_tensors(self):
        saved = self._saved
        if saved is None:
            if self._released:
                raise RuntimeError(_RELEASED_MSG)
            return ()
        return tuple(_unpack(self, s) for s in saved)

    # -- graph inspection ---------------------------------------------------
    @property
    def next_functions(self):
        return tuple(
            (None, 0) if e is None else
            ((AccumulateGrad(e[0]), 0) if not isinstance(e[0], Node) else e)
            for e in self._edges)

    def name(self) -> str:
        return type(self).__name__

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

    __slots__ = ("variable",)

    def __init__(self, variable):
        self.variable = variable

    def name(self):
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

    def remove(self):
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
    __slots__ = ("tensor", "version")

    def __init__(self, tensor):
        self.tensor = tensor
        self.version = tensor._vc[0]


class SavedOutput:
    __slots__ = ("array", "index", "vc", "version", "requires_grad")

    def __init__(self, array, index, vc, requires_grad):
        self.array, self.index, self.vc, self.requires_grad = array, index, vc, requires_grad
        self.version = vc[0]


def _unpack(node, s):
    from .._tensor import Tensor

    if type(s) is SavedInput:
        t = s.tensor
        if t._vc[0] != s.version:
            _raise_modified(node, t, s.version)
        return t
    if type(s) is SavedOutput:
        if s.vc[0] != s.version:
            raise RuntimeError(
                "one of the variables needed for gradient computation has been modified by an "
                f"inplace operation: output {s.index} of {type(node).__name__}, is at version "
                f"{s.vc[0]}; expected version {s.version} instead.")
        return Tensor._make(s.array, s.requires_grad, node if s.requires_grad else None,
                            s.index, s.vc)
    return s


def _raise_modified(node, t, expected):
    shape = "x".join(str(d) for d in t.shape)
    raise RuntimeError(
        "one of the variables needed for gradient computation has been modified by an "
        f"inplace operation: [{_type_name(t)} [{shape}]] is at version {t._vc[0]}; expected "
        f"version {expected} instead. Hint: the backtrace further above can point to the "
        "operation that failed to compute its gradient. The variable in question was changed "
        "in there or anywhere later. Good luck!")


def _type_name(t):
    return {"float32": "torch.FloatTensor", "float64": "torch.DoubleTensor",
            "float16": "torch.HalfTensor", "int64": "torch.LongTensor",
            "int32": "torch.IntTensor"}.get(t.dtype.name, "torch.Tensor")


# -- anomaly mode -------------------------------------------------------------
class _Anomaly(threading.local):
    enabled = False
    check_nan = True


anomaly = _Anomaly()


def record_trace(node):
    node._trace = "".join(traceback.format_stack()[:-3])


# -- the engine ---------------------------------------------------------------
def run_backward(roots, root_grads, retain_graph=False, create_graph=False, inputs=None,
                 allow_unused=False, accumulate=True):
    """Propagate ``root_grads`` from ``roots`` (tensors) through the graph.

    With ``accumulate`` the gradients of leaves (or of ``inputs`` when given) are
    added to their ``.grad``; without it, the gradients reaching ``inputs`` are
    returned in order (``autograd.grad``).
    """
    from .._tensor import Tensor

    # the gradient buffer of each node: one slot per output
    buffers: dict = {}
    leaf_buf: dict = {}
    ready = []
    for t, g in zip(roots, root_grads):
        fn = t.grad_fn
        if fn is None:
            if not t.requires_grad:
                raise RuntimeError(
                    "element 0 of tensors does not require grad and does not have a grad_fn")
            leaf_buf[t] = _add(leaf_buf.get(t), g)
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
    for node in buffers:
        if deps.get(node, 0) == 0:
            ready.append(node)

    # what autograd.grad captures: leaves by tensor, non-leaves by (node, output_nr)
    capture = None
    if inputs is not None:
        capture = {}
        for i, t in enumerate(inputs):
            key = t if t.grad_fn is None else (t.grad_fn, t._output_nr)
            capture.setdefault(key, []).append(i)
    results = [None] * (len(inputs) if inputs is not None else 0)
    stored = set()  # ids of arrays already given to a .grad: a second owner copies

    prev = grad_mode._state.enabled
    grad_mode._state.enabled = bool(create_graph)
    try:
        leaves_done = []
        while ready:
            node = ready.pop()
            grads = buffers.pop(node)
            if node._tensor_hooks or node._retain:
                _run_tensor_hooks(node, grads)
            if capture is not None:
                for k in range(node._n_outputs):
                    idx = capture.get((node, k))
                    if idx is not None:
                        for i in idx:
                            results[i] = grads[k]
            if node._pre_hooks:
                for hook in node._pre_hooks:
                    new = hook(tuple(grads))
                    if new is not None:
                        grads = list(new)
            if any(g is not None for g in grads):
                in_grads = _call_backward(node, grads)
            else:
                in_grads = (None,) * len(node._edges)
            if node._hooks:
                for hook in node._hooks:
                    new = hook(in_grads, tuple(grads))
                    if new is not None:
                        in_grads = tuple(new)
            if not retain_graph and node._saved is not None:
                node._saved = None
                node._released = True
            edges, shapes = node._edges, node._shapes
            for i, e in enumerate(edges):
                if e is None:
                    continue
                child, k = e
                g = in_grads[i] if i < len(in_grads) else None
                if g is not None:
                    if g.shape != shapes[i]:
                        g = _sum_to(g, shapes[i])
                    if type(child) is Tensor:
                        leaf_buf[child] = _add(leaf_buf.get(child), g)
                    else:
                        buf = buffers.get(child)
                        if buf is None:
                            buf = buffers[child] = [None] * child._n_outputs
                        buf[k] = _add(buf[k], g)
                n = deps[child] - 1
                deps[child] = n
                if n == 0:
                    if type(child) is Tensor:
                        leaves_done.append(child)
                    elif child in buffers:
                        ready.append(child)
                    else:
                        _skip_subgraph(child, deps, buffers, ready, leaves_done)
        for t in list(leaf_buf):
            if deps.get(t, 0) == 0 and not any(t is d for d in leaves_done):
                leaves_done.append(t)
        for t in leaves_done:
            g = leaf_buf.pop(t, None)
            if g is None:
                continue
            if t._hooks:
                for hook in t._hooks:
                    new = hook(g)
                    if new is not None:
                        g = new
            if capture is not None:
                idx = capture.get(t)
                if idx is not None:
                    for i in idx:
                        results[i] = g
                continue
            if accumulate:
                _accumulate(t, g, create_graph, stored)
    finally:
        grad_mode._state.enabled = prev

    if inputs is not None:
        if accumulate:
            return None
        for i, r in enumerate(results):
            if r is None and not allow_unused:
                raise RuntimeError(
                    "One of the differentiated Tensors appears to not have been used in the "
                    "graph. Set allow_unused=True if this is the desired behavior.")
        return tuple(results)
    return None


def _skip_subgraph(node, deps, buffers, ready, leaves_done):
    """A node all of whose consumers sent no gradient: release its children's counts."""
    from .._tensor import Tensor

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
                if type(child) is Tensor:
                    leaves_done.append(child)
                elif child in buffers:
                    ready.append(child)
                else:
                    stack.append(child)


def _call_backward(node, grads):
    from .._tensor import Tensor

    if node._materialize:
        for k, g in enumerate(grads):
            if g is None:
                meta = node._out_meta[k]
                grads[k] = Tensor._make(meta[0].zeros(meta[1], meta[2]), False, None, 0, [0])
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
                if node._trace:
                    warnings.warn(
                        f"Error detected in {type(node).__name__}. Traceback of forward call "
                        f"that caused the error:\n{node._trace}", RuntimeWarning, stacklevel=2)
                raise RuntimeError(
                    f"Function '{type(node).__name__}' returned nan values in its {i}th output.")
    return out


def _run_tensor_hooks(node, grads):
    hooks = node._tensor_hooks
    if hooks:
        for k, lst in hooks.items():
            if grads[k] is None:
                continue
            for hook in list(lst):
                new = hook(grads[k])
                if new is not None:
                    grads[k] = new
    if node._retain:
        for k, ref in node._retain.items():
            t = ref()
            if t is not None and grads[k] is not None:
                g = grads[k]
                if not grad_mode._state.enabled:
                    g = g.detach()
                t.grad = g if t.grad is None else t.grad + g


def _add(a, b):
    if a is None:
        return b
    return a + b


def _sum_to(g, shape):
    from ..ops.reduce import sum_to
    return sum_to(g, shape)


def _accumulate(t, g, create_graph, stored):
    from .._tensor import Tensor

    if not create_graph:
        arr = g._data
        if t.grad is None:
            if id(arr) in stored or not _owns(arr) or arr.shape != t._data.shape:
                arr = arr.copy() if arr.shape == t._data.shape else \
                    t._xp().broadcast_to(arr, t._data.shape).copy()
            stored.add(id(arr))
            if arr.dtype != t._data.dtype:
                arr = arr.astype(t._data.dtype)
            t.grad = Tensor._make(arr, False, None, 0, [0])
        else:
            grad = t.grad
            if grad.requires_grad:
                t.grad = grad + g.detach()
            else:
                # accumulate in place, as PyTorch does, so a held reference sees it
                grad._data += arr
    else:
        t.grad = g if t.grad is None else t.grad + g


def _owns(arr):
    flags = arr.flags
    return flags.owndata and flags.writeable and flags.c_contiguous
