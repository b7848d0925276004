"""``torch.onnx.export``: capture the model on the example inputs (the capture that
torch.compile and torch.jit.trace use) and write each node as ONNX operators."""
from __future__ import annotations

import numpy as np

from ..fx.node import Node, map_aggregate
from ._convert import FUNCTION_RULES, METHOD_RULES, MODULE_RULES

__all__ = ["export", "UnsupportedOperatorError"]

_DEFAULT_OPSET = 17


class UnsupportedOperatorError(RuntimeError):
    """The model uses an operation ember cannot write at the requested opset."""


def _onnx():
    try:
        import onnx
    except ImportError:
        raise ImportError("torch.onnx.export needs the 'onnx' package: pip install onnx "
                          "(or pip install 'ember[onnx]')") from None
    return onnx


class _Context:
    """State of one export: the ONNX nodes, initializers and names made so far."""

    def __init__(self, onnx, tracer, opset: int, export_params: bool):
        self.onnx = onnx
        self.tracer = tracer
        self.values = tracer.values if tracer is not None else {}
        self.opset = opset
        self.export_params = export_params
        self.nodes: list = []
        self.initializers: list = []
        self.param_inputs: list = []
        self.used: set = set()  # ONNX value and node names handed out
        self._params: dict = {}
        self.node = None

    def unsupported(self, what: str) -> UnsupportedOperatorError:
        """The error for an operation without an ONNX rule at this opset."""
        return UnsupportedOperatorError(
            f"Exporting the operator '{what}' to ONNX opset version {self.opset} is not "
            "supported by ember")

    def need_opset(self, version: int, op: str) -> None:
        """Raise unless the export's opset is at least ``version``."""
        if self.opset < version:
            raise UnsupportedOperatorError(
                f"Exporting the operator '{op}' to ONNX opset version {self.opset} is not "
                f"supported: it needs opset {version} or later")

    def _fresh(self, base: str) -> str:
        name = base
        k = 0
        while name in self.used:
            k += 1
            name = f"{base}_{k}"
        self.used.add(name)
        return name

    def emit(self, op: str, inputs: list, node, suffix=None, **attrs) -> str:
        """Add one ONNX node; returns its output name."""
        out = self._fresh(node.name if suffix is None else f"{node.name}_{suffix}")
        name = self._fresh(f"/{node.name}/{op}" if suffix is None else f"/{node.name}/{suffix}")
        self.nodes.append(self.onnx.helper.make_node(op, inputs, [out], name=name, **attrs))
        return out

    def const(self, array, base: str) -> str:
        """An initializer holding ``array``."""
        name = self._fresh(base)
        self.initializers.append(self.onnx.numpy_helper.from_array(np.asarray(array), name))
        return name

    def scalar(self, value, dtype) -> str:
        """A 0-d initializer of ``dtype``."""
        return self.const(np.asarray(value, dtype=dtype), "const")

    def param(self, tensor) -> str:
        """The initializer (or graph input, without export_params) of a parameter."""
        key = id(tensor)
        if key not in self._params:
            name = self._fresh(self.tracer._tensor_paths.get(key) or "param")
            array = tensor.detach().numpy()
            if self.export_params:
                self.initializers.append(self.onnx.numpy_helper.from_array(array, name))
            else:
                self.param_inputs.append(self.onnx.helper.make_tensor_value_info(
                    name, self.onnx.helper.np_dtype_to_tensor_dtype(array.dtype), array.shape))
            self._params[key] = name
        return self._params[key]

    def dtype_of(self, node):
        """NumPy dtype of the tensor ``node`` produced."""
        return self.values[node].detach().numpy().dtype

    def shape_of(self, node) -> tuple:
        """Shape of the tensor ``node`` produced during capture."""
        return tuple(self.values[node].shape)

    def shape_of_input(self, node) -> tuple:
        """Shape of ``node``'s first input."""
        return tuple(self.values[node.args[0]].shape)

    def operand(self, a, node) -> str:
        """A node input as an ONNX name; Python numbers become constants of the op's dtype."""
        if isinstance(a, str):
            return a
        return self.scalar(a, self.dtype_of(node))

    def reshape(self, node, x, shape) -> str:
        """A Reshape to ``shape`` (the batch dimension copied when axes are dynamic)."""
        shape = list(shape)
        src = self.shape_of_input(node)
        if self.dynamic_batch and shape and src and shape[0] == src[0]:
            shape[0] = 0  # copy the (dynamic) batch dimension from the input
        return self.emit("Reshape", [x, self.const(np.array(shape, np.int64), "shape")], node)

    def reduce(self, op, node, x, axes, keepdim) -> str:
        """A Reduce* node, with axes as attribute or input as the opset wants."""
        attrs = {"keepdims": int(bool(keepdim))}
        if axes is None:
            return self.emit(op, [x], node, **attrs)
        axes_as_input = op == "ReduceSum" or self.opset >= 18
        if axes_as_input:
            return self.emit(op, [x, self.const(np.array(axes, np.int64), "axes")], node, **attrs)
        return self.emit(op, [x], node, axes=list(axes), **attrs)

    def index(self, node, x, index) -> str:
        """Basic indexing (ints and slices) as Slice and Gather nodes."""
        items = index if isinstance(index, tuple) else (index,)
        if any(i is Ellipsis or i is None for i in items):
            raise self.unsupported("indexing with ... or None")
        starts, ends, axes, steps, gathers = [], [], [], [], []
        for axis, it in enumerate(items):
            if isinstance(it, slice):
                if it == slice(None):
                    continue
                starts.append(0 if it.start is None else it.start)
                ends.append(np.iinfo(np.int64).max if it.stop is None else it.stop)
                steps.append(1 if it.step is None else it.step)
                axes.append(axis)
            elif isinstance(it, int):
                gathers.append((axis, it))
            else:
                raise self.unsupported("indexing with a tensor")
        out = x
        if axes:
            c = lambda v: self.const(np.array(v, np.int64), "slice")  # noqa: E731
            out = self.emit("Slice", [out, c(starts), c(ends), c(axes), c(steps)], node,
                            suffix="slice" if gathers else None)
        for k, (axis, i) in enumerate(reversed(gathers)):
            last = k == len(gathers) - 1
            out = self.emit("Gather", [out, self.const(np.array(i, np.int64), "index")], node,
                            suffix=None if last else f"gather{k}", axis=axis)
        return out if out is not x else self.emit("Identity", [x], node)


def _rule_for(node, root):
    if node.op == "call_module":
        mod = root.get_submodule(node.target)
        return "module", MODULE_RULES.get(type(mod).__name__), type(mod).__name__, mod
    if node.op == "call_function":
        name = getattr(node.target, "__name__", str(node.target))
        rule = FUNCTION_RULES.get(node.target) or FUNCTION_RULES.get(name)
        return "function", rule, name, None
    return "method", METHOD_RULES.get(node.target), node.target, None


def export(model, args, f=None, *, kwargs=None, export_params: bool = True,
           verbose=None, input_names=None, output_names=None, opset_version=None,
           dynamic_axes=None, keep_initializers_as_inputs: bool = False,
           do_constant_folding: bool = True, dynamo: bool = False, training=None,
           operator_export_type=None, custom_opsets=None, external_data: bool = True,
           **unused):
    """Capture ``model`` on ``args`` and write it to ``f`` (a path or binary file) as an
    ONNX model checked with ``onnx.checker``; returns the ``onnx.ModelProto``."""
    onnx = _onnx()
    from .._dynamo.capture import ValueTracer
    from .._tensor import Tensor
    from ..autograd.grad_mode import no_grad
    opset = _DEFAULT_OPSET if opset_version is None else int(opset_version)
    if not 13 <= opset <= 21:
        raise ValueError(f"ember exports ONNX opset versions 13 to 21, not {opset}")
    args = args if isinstance(args, tuple) else (args,)
    if kwargs:
        raise NotImplementedError("ember does not implement keyword inputs to onnx.export yet")
    from ..nn import Module
    if isinstance(model, Module) and type(model).__name__ not in MODULE_RULES and \
            ValueTracer([]).is_leaf_module(model, ""):
        raise _Context(onnx, None, opset, export_params).unsupported(type(model).__name__)
    was_training = getattr(model, "training", False)
    if hasattr(model, "eval"):
        model.eval()
    try:
        tracer = ValueTracer(args)
        with no_grad():
            graph = tracer.trace(model)
    finally:
        if hasattr(model, "train"):
            model.train(was_training)
    cx = _Context(onnx, tracer, opset, export_params)
    dynamic_axes = dynamic_axes or {}
    cx.dynamic_batch = bool(dynamic_axes)
    placeholders = [n for n in graph.nodes if n.op == "placeholder"]
    input_names = list(input_names or []) + [n.name for n in placeholders[len(input_names or []):]]
    cx.used.update(input_names)
    cx.used.update(output_names or [])
    env: dict = {}
    graph_inputs = []
    for node, name, value in zip(placeholders, input_names, args):
        if not isinstance(value, Tensor):
            raise UnsupportedOperatorError("onnx.export takes tensor inputs only")
        env[node] = name
        graph_inputs.append(_value_info(onnx, name, value, dynamic_axes.get(name)))
    root = tracer.root
    out_node = None
    for node in graph.nodes:
        if node.op == "placeholder":
            continue
        if node.op == "output":
            out_node = node
            break
        value = cx.values.get(node)
        if not _holds_tensor(value, Tensor):
            continue  # shapes and sizes: their recorded values are used as constants
        if node.op == "get_attr":
            env[node] = cx.param(value)
            continue
        kind, rule, name, mod = _rule_for(node, root)
        if rule is None:
            raise cx.unsupported(name)
        ins = map_aggregate(node.args, lambda a: _lookup(a, env, cx))
        kw = map_aggregate(node.kwargs, lambda a: _lookup(a, env, cx))
        env[node] = rule(cx, mod, node, *ins, **kw) if kind == "module" else \
            rule(cx, node, *ins, **kw)
    result = out_node.args[0]
    outs = list(result) if isinstance(result, (tuple, list)) else [result]
    output_names = list(output_names or []) + [
        f"output{i}" if len(outs) > 1 else "output" for i in range(len(output_names or []),
                                                                   len(outs))]
    graph_outputs = []
    for o, name in zip(outs, output_names):
        cx.nodes.append(onnx.helper.make_node("Identity", [env[o]], [name],
                                              name=f"/output/{name}"))
        graph_outputs.append(_value_info(onnx, name, cx.values[o], dynamic_axes.get(name)))
    g = onnx.helper.make_graph(cx.nodes, "main_graph", graph_inputs + cx.param_inputs,
                               graph_outputs, cx.initializers)
    model_proto = onnx.helper.make_model(
        g, opset_imports=[onnx.helper.make_opsetid("", opset)], producer_name="ember",
        producer_version="2.13.0")
    model_proto.ir_version = min(model_proto.ir_version, 9)
    onnx.checker.check_model(model_proto)
    if f is not None:
        data = model_proto.SerializeToString()
        if isinstance(f, (str, bytes)) or hasattr(f, "__fspath__"):
            with open(f, "wb") as fh:
                fh.write(data)
        else:
            f.write(data)
    return model_proto


def _holds_tensor(value, tensor_cls) -> bool:
    found = []
    map_aggregate(value, lambda v: found.append(v) if isinstance(v, tensor_cls) else v)
    return bool(found)


def _lookup(a, env, cx):
    if isinstance(a, Node):
        if a in env:
            return env[a]
        return cx.values[a]  # a recorded non-tensor value (a size, a shape)
    return a


def _value_info(onnx, name, tensor, axes):
    shape = list(tensor.shape)
    if axes:
        named = axes if isinstance(axes, dict) else {a: f"{name}_dim{a}" for a in axes}
        for axis, label in named.items():
            shape[axis] = label
    dtype = onnx.helper.np_dtype_to_tensor_dtype(tensor.detach().numpy().dtype)
    return onnx.helper.make_tensor_value_info(name, dtype, shape)
