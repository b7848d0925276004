"""Lowering a captured graph to two generated Python functions on backend arrays.

``forward(*arrays)`` computes the outputs and returns what backward needs;
``backward(saved, *grads)`` returns one gradient array per input. Both are plain NumPy
code: no Tensor objects, no graph recording, no dtype promotion at run time. Shapes are
fixed by the guards, so broadcasting is undone only where the recorded shapes differ and
shape arithmetic is folded into constants. A graph with a node outside the table below
raises ``Unsupported`` and runs on the replay path instead.
"""
from __future__ import annotations

import operator

import numpy as np

from ..autograd.engine import sum_to_array
from ..ops.unary import _sigmoid

__all__ = ["Unsupported", "lower"]


class Unsupported(Exception):
    """A node the array code generator has no rule for."""


def _arg(node, i, name, default=None):
    if len(node.args) > i:
        return node.args[i]
    return node.kwargs.get(name, default)


def _kind(node, gm, F, E):
    """``(kind, operands, attrs)`` for a node, or raise Unsupported."""
    op, t = node.op, node.target
    if op == "call_module":
        mod = gm.get_submodule(t)
        name = type(mod).__name__
        x = node.args[0] if node.args else None
        if name == "Linear" and len(node.args) == 1:
            return "linear", [x, ("param", mod.weight), ("param", mod.bias)], {}
        if name in ("ReLU", "Tanh", "Sigmoid"):
            return name.lower(), [x], {}
        if name == "Flatten" or name == "Identity":
            return "reshape", [x], {}
        if name.startswith("Dropout") and (not mod.training or mod.p == 0):
            return "reshape", [x], {}
        raise Unsupported(f"module {name}")
    if op == "call_function":
        if t in _BINARY_FN:
            if node.kwargs:
                raise Unsupported(f"{t.__name__} with keywords")
            return _BINARY_FN[t], list(node.args), {}
        if t is operator.neg:
            return "neg", list(node.args), {}
        if t in (E.relu, F.relu, E.tanh, F.tanh, E.sigmoid, F.sigmoid) and \
                not _arg(node, 1, "inplace", False):
            return t.__name__, [node.args[0]], {}
        if t is F.linear:
            return "linear", [node.args[0], _arg(node, 1, "weight"), _arg(node, 2, "bias")], {}
        if t in (E.sum, E.mean):
            return _reduction(node, t.__name__, 1)
        if t is F.mse_loss and _arg(node, 2, "size_average") is None and \
                _arg(node, 3, "reduce") is None and _arg(node, 4, "reduction", "mean") == "mean":
            return "mse", [node.args[0], _arg(node, 1, "target")], {}
        if t is F.cross_entropy and len(node.args) <= 2 and set(node.kwargs) <= {"target"}:
            return "cross_entropy", [node.args[0], _arg(node, 1, "target")], {}
        if t in (E.flatten, E.reshape):
            return "reshape", [node.args[0]], {}
        raise Unsupported(getattr(t, "__name__", str(t)))
    if op == "call_method":
        if t in ("relu", "tanh", "sigmoid") and len(node.args) == 1 and not node.kwargs:
            return t, [node.args[0]], {}
        if t in ("sum", "mean"):
            return _reduction(node, t, 1)
        if t in ("view", "reshape", "flatten", "contiguous"):
            return "reshape", [node.args[0]], {}
        if t in _METHOD_BINARY and len(node.args) == 2 and not node.kwargs:
            return _METHOD_BINARY[t], list(node.args), {}
        raise Unsupported(f"method {t}")
    raise Unsupported(op)


def _reduction(node, name, first):
    dim = _arg(node, first, "dim")
    keep = _arg(node, first + 1, "keepdim", False)
    if "dtype" in node.kwargs or len(node.args) > first + 2:
        raise Unsupported(f"{name} with dtype")
    if isinstance(dim, int):
        dim = (dim,)
    return name, [node.args[0]], {"dim": None if dim is None else tuple(dim), "keep": bool(keep)}


_BINARY_FN = {operator.add: "add", operator.sub: "sub", operator.mul: "mul",
              operator.truediv: "div", operator.matmul: "matmul"}
_METHOD_BINARY = {"add": "add", "sub": "sub", "mul": "mul", "div": "div", "matmul": "matmul",
                  "__add__": "add", "__mul__": "mul"}


class _Gen:
    """Accumulates forward lines, and backward blocks in reverse order."""

    def __init__(self):
        self.fwd: list = []
        self.bwd_blocks: list = []
        self.assigned: set = set()
        self.needs: set = set()  # variables whose gradient is wanted

    def acc(self, lines, var, expr):
        """Add ``expr`` into the gradient of ``var`` (resolved once backward order is known)."""
        if isinstance(var, str) and var in self.needs:
            lines.append((var, expr))

    def emit(self, items) -> list:
        """Backward lines of one block, in execution (reverse) order."""
        lines = []
        for item in items:
            if isinstance(item, str):
                lines.append(item)
                continue
            var, expr = item
            if var in self.assigned:
                lines.append(f"g_{var} = g_{var} + {expr}")
            else:
                lines.append(f"g_{var} = {expr}")
                self.assigned.add(var)
        return lines


def lower(gm, values: dict, input_nodes: list, input_rg: list):
    """Generate the array-level forward and backward of ``gm``'s graph.

    ``values`` maps each node to the value it produced on the example inputs (their
    shapes and dtypes are what the guards pin down). Returns ``(forward, backward,
    params, source)`` where ``params`` are extra tensors (parameters) appended to the
    inputs of both functions.
    """
    import ember
    import ember.nn.functional as F
    from .._tensor import Tensor
    g = _Gen()
    var: dict = {}
    shapes: dict = {}
    params: list = []
    param_vars: dict = {}
    args = []
    for node, rg in zip(input_nodes, input_rg):
        name = f"i{len(args)}"
        var[node] = name
        args.append(name)
        shapes[name] = tuple(values[node].shape)
        if rg:
            g.needs.add(name)

    def param(t):
        if t is None:
            return None
        key = id(t)
        if key not in param_vars:
            name = f"p{len(params)}"
            param_vars[key] = name
            params.append(t)
            args.append(name)
            shapes[name] = tuple(t.shape)
            if t.requires_grad:
                g.needs.add(name)
        return param_vars[key]

    folded: set = set()  # shape arithmetic, constant under the shape guards

    def operand(a):
        if isinstance(a, tuple) and len(a) == 2 and a[0] == "param":
            return param(a[1])
        if a in folded and isinstance(values[a], (int, float)):
            a = values[a]
        if a is None or isinstance(a, (int, float)) and not isinstance(a, bool):
            return a
        if a in var:
            return var[a]
        raise Unsupported(f"operand {a!r}")

    out_node = None
    for node in gm.graph.nodes:
        if node.op == "placeholder":
            if node not in var:
                raise Unsupported("non-tensor input")
            continue
        if node.op == "output":
            out_node = node
            break
        value = values[node]
        if node.op == "get_attr":
            if not isinstance(value, Tensor):
                raise Unsupported("non-tensor attribute")
            var[node] = param(value)
            continue
        if not isinstance(value, Tensor) and _shape_only(node, folded):
            folded.add(node)
            continue
        if not isinstance(value, Tensor) or not value.is_floating_point():
            raise Unsupported(f"{node.name} gives a {type(value).__name__}")
        kind, ops, attrs = _kind(node, gm, F, ember)
        ins = [operand(a) for a in ops]
        out = f"v{len(var)}"
        var[node] = out
        shapes[out] = tuple(value.shape)
        if any(isinstance(i, str) and i in g.needs for i in ins):
            g.needs.add(out)
        _RULES[kind](g, out, ins, shapes, attrs, value)
    if out_node is None:
        raise Unsupported("no output")
    result = out_node.args[0]
    outs = list(result) if isinstance(result, (tuple, list)) else [result]
    if not all(o in var for o in outs):
        raise Unsupported("non-tensor output")
    out_vars = [var[o] for o in outs]
    return _assemble(g, args, out_vars, isinstance(result, (tuple, list)), params)


def _shape_only(node, folded) -> bool:
    """Whether a non-tensor node is computed from shapes alone (never from values)."""
    if node.op == "call_function" and node.target is getattr:
        return node.args[1] in ("shape", "ndim")
    if node.op == "call_method" and node.target in ("size", "dim", "numel"):
        return True
    if node.op == "call_function" and (node.target in _BINARY_FN or
                                       node.target is operator.getitem):
        return all(n in folded for n in node.all_input_nodes)
    return False


def _assemble(g, args, out_vars, multi, params):
    names = sorted({v for v in g.needs} | set(args) | {
        line.split(" ", 1)[0] for line in g.fwd})
    saved = ", ".join(names) + ("," if names else "")
    fwd = [f"def forward({', '.join(args)}):"] + ["    " + ln for ln in g.fwd]
    ret = ", ".join(out_vars) if multi else out_vars[0]
    fwd.append(f"    return ({ret}{',' if multi and len(out_vars) == 1 else ''}), ({saved})")
    grads = [f"g_{o}" for o in out_vars]
    bwd = [f"def backward(saved, {', '.join(grads)}):", f"    ({saved}) = saved"]
    # an output that is also consumed inside the graph: its two gradients add up
    seen = set()
    for o in out_vars:
        if o in seen:
            raise Unsupported("an output listed twice")
        seen.add(o)
    g.assigned.update(out_vars)
    for out, block in reversed(g.bwd_blocks):
        if out in g.needs:
            bwd += ["    " + ln for ln in g.emit(block)]
    back = ", ".join(f"g_{a}" if a in g.assigned and a in g.needs else "None" for a in args)
    bwd.append(f"    return ({back}{',' if len(args) == 1 else ''})")
    src = "\n".join(fwd) + "\n\n\n" + "\n".join(bwd) + "\n"
    ns = {"np": np, "_sum_to": sum_to_array, "_sigmoid": _sigmoid, "_expand": _expand}
    exec(compile(src, "<ember.compile generated>", "exec"), ns)
    return ns["forward"], ns["backward"], params, src


def _expand(g, shape):
    """``g`` broadcast to ``shape`` as a fresh, writable array."""
    out = np.empty(shape, g.dtype)
    out[...] = g
    return out


# -- one rule per kind: forward line(s), backward block ------------------------------
def _unbroadcast(expr, from_shape, to_shape):
    if from_shape == to_shape:
        return expr
    return f"_sum_to({expr}, {to_shape!r})"


def _binary(g, out, ins, shapes, attrs, value, fwd_op, grads):
    a, b = ins
    g.fwd.append(f"{out} = {_lit(a)} {fwd_op} {_lit(b)}")
    block = []
    for k, (x, expr) in enumerate(zip(ins, grads(a, b, out))):
        if isinstance(x, str) and expr is not None:
            g.acc(block, x, _unbroadcast(expr, shapes[out], shapes[x]))
    g.bwd_blocks.append((out, block))


def _lit(x):
    return x if isinstance(x, str) else repr(x)


def _rule_add(g, out, ins, shapes, attrs, value):
    _binary(g, out, ins, shapes, attrs, value, "+", lambda a, b, o: (f"g_{o}", f"g_{o}"))


def _rule_sub(g, out, ins, shapes, attrs, value):
    _binary(g, out, ins, shapes, attrs, value, "-", lambda a, b, o: (f"g_{o}", f"-g_{o}"))


def _rule_mul(g, out, ins, shapes, attrs, value):
    _binary(g, out, ins, shapes, attrs, value, "*",
            lambda a, b, o: (f"g_{o} * {_lit(b)}", f"g_{o} * {_lit(a)}"))


def _rule_div(g, out, ins, shapes, attrs, value):
    _binary(g, out, ins, shapes, attrs, value, "/",
            lambda a, b, o: (f"g_{o} / {_lit(b)}", f"-g_{o} * {o} / {_lit(b)}"))


def _rule_matmul(g, out, ins, shapes, attrs, value):
    a, b = ins
    if not all(isinstance(x, str) and len(shapes[x]) == 2 for x in ins):
        raise Unsupported("matmul of non-matrices")
    g.fwd.append(f"{out} = {a} @ {b}")
    block = []
    g.acc(block, a, f"g_{out} @ {b}.T")
    g.acc(block, b, f"{a}.T @ g_{out}")
    g.bwd_blocks.append((out, block))


def _rule_neg(g, out, ins, shapes, attrs, value):
    g.fwd.append(f"{out} = -{ins[0]}")
    block = []
    g.acc(block, ins[0], f"-g_{out}")
    g.bwd_blocks.append((out, block))


def _rule_linear(g, out, ins, shapes, attrs, value):
    x, w, b = ins
    if len(shapes[x]) != 2:
        raise Unsupported("linear on a batch of more than one dimension")
    g.fwd.append(f"{out} = {x} @ {w}.T")
    if b is not None:
        g.fwd.append(f"{out} += {b}")  # in place on the fresh product
    block = []
    g.acc(block, x, f"g_{out} @ {w}")
    g.acc(block, w, f"g_{out}.T @ {x}")
    if b is not None:
        g.acc(block, b, f"g_{out}.sum(0)")
    g.bwd_blocks.append((out, block))


def _unary(fwd, grad):
    def rule(g, out, ins, shapes, attrs, value):
        x = ins[0]
        g.fwd.append(f"{out} = " + fwd.format(x=x))
        block = []
        g.acc(block, x, grad.format(g=f"g_{out}", y=out, x=x))
        g.bwd_blocks.append((out, block))
    return rule


def _rule_reduce(g, out, ins, shapes, attrs, value, mean):
    x = ins[0]
    dim, keep = attrs["dim"], attrs["keep"]
    xs = shapes[x]
    axes = tuple(range(len(xs))) if dim is None or dim == () else \
        tuple(sorted(d % len(xs) for d in dim))
    n = int(np.prod([xs[d] for d in axes])) if xs else 1
    fn = "mean" if mean else "sum"
    if dim is None:
        g.fwd.append(f"{out} = np.asarray({x}.{fn}())")
    else:
        g.fwd.append(f"{out} = {x}.{fn}(axis={axes!r}, keepdims={keep})")
    kept = tuple(1 if d in axes else s for d, s in enumerate(xs))
    expr = f"g_{out}.reshape({kept!r})"
    if mean:
        expr = f"({expr} / {n})"
    block = []
    g.acc(block, x, f"_expand({expr}, {xs!r})")
    g.bwd_blocks.append((out, block))


def _rule_reshape(g, out, ins, shapes, attrs, value):
    x = ins[0]
    g.fwd.append(f"{out} = {x}.reshape({shapes[out]!r})")
    block = []
    g.acc(block, x, f"g_{out}.reshape({shapes[x]!r})")
    g.bwd_blocks.append((out, block))


def _rule_mse(g, out, ins, shapes, attrs, value):
    a, b = ins
    if shapes[a] != shapes[b]:
        raise Unsupported("mse_loss with broadcasting")
    n = int(np.prod(shapes[a]))
    d = f"{out}_d"
    g.fwd += [f"{d} = {a} - {b}", f"{out} = np.asarray(({d} * {d}).mean())"]
    block = [f"{out}_g = {d} * (g_{out} * {2.0 / n!r})"]
    g.acc(block, a, f"{out}_g")
    g.acc(block, b, f"-{out}_g")
    g.bwd_blocks.append((out, block))


def _rule_cross_entropy(g, out, ins, shapes, attrs, value):
    logits, target = ins
    if len(shapes[logits]) != 2 or target in g.needs:
        raise Unsupported("cross_entropy beyond (N, C) logits with class indices")
    n = shapes[logits][0]
    g.fwd += [f"{out}_s = {logits} - {logits}.max(axis=1, keepdims=True)",
              f"{out}_e = np.exp({out}_s)",
              f"{out}_z = {out}_e.sum(axis=1, keepdims=True)",
              f"{out}_r = np.arange({n})",
              f"{out} = np.asarray((np.log({out}_z[:, 0]) - {out}_s[{out}_r, {target}])"
              f".mean(), dtype={logits}.dtype)"]
    block = [f"{out}_p = {out}_e / {out}_z", f"{out}_p[{out}_r, {target}] -= 1",
             f"{out}_p *= g_{out} / {n}"]
    g.acc(block, logits, f"{out}_p")
    g.bwd_blocks.append((out, block))


_RULES = {
    "add": _rule_add, "sub": _rule_sub, "mul": _rule_mul, "div": _rule_div,
    "matmul": _rule_matmul, "neg": _rule_neg, "linear": _rule_linear,
    "relu": _unary("np.maximum({x}, 0)", "{g} * ({y} > 0)"),
    "tanh": _unary("np.tanh({x})", "{g} * (1 - {y} * {y})"),
    "sigmoid": _unary("_sigmoid({x})", "{g} * {y} * (1 - {y})"),
    "sum": lambda *a: _rule_reduce(*a, mean=False),
    "mean": lambda *a: _rule_reduce(*a, mean=True),
    "reshape": _rule_reshape, "mse": _rule_mse, "cross_entropy": _rule_cross_entropy,
}
