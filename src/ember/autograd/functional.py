"""Higher-order autograd helpers (``torch.autograd.functional``): vector-Jacobian and
Jacobian-vector products, full Jacobians and Hessians of Python functions of tensors.

Everything is built on reverse mode: a Jacobian-vector product is the derivative of a
vector-Jacobian product with respect to its (linear) cotangent, so it needs a second
backward pass through the first one (``create_graph``)."""
from __future__ import annotations

from typing import Callable

from .._creation import zeros_like
from .._tensor import Tensor
from . import grad as _grad
from .grad_mode import enable_grad

__all__ = ["vjp", "jvp", "jacobian", "hessian", "hvp", "vhp"]


def _as_tuple(value, what: str, fn: str) -> tuple[bool, tuple]:
    """(was it a tuple, the values as a tuple), checking they are tensors."""
    is_tuple = isinstance(value, (tuple, list))
    values = tuple(value) if is_tuple else (value,)
    for i, v in enumerate(values):
        if not isinstance(v, Tensor):
            where = f"The {what} given to {fn}" + (f" at index {i}" if is_tuple else "")
            raise TypeError(f"{where} must be either a Tensor or a tuple of Tensors but the "
                            f"value at index {i} has type {type(v)}.")
    return is_tuple, values


def _track(inputs: tuple, create_graph: bool) -> tuple:
    """Inputs that require grad: views of the caller's tensors (still in their graph when
    ``create_graph``), else detached copies."""
    if create_graph:
        return tuple(t.view_as(t) if t.requires_grad else t.detach().requires_grad_(True)
                     for t in inputs)
    return tuple(t.detach().requires_grad_(True) for t in inputs)


def _products(outputs: tuple, inputs: tuple, cotangents: tuple, create_graph: bool,
              strict: bool, fn: str) -> tuple:
    """``sum_k cotangent_k . d output_k / d input`` for every input (zeros where the
    outputs do not depend on it, unless ``strict``)."""
    wanted = [(o, c) for o, c in zip(outputs, cotangents) if o.requires_grad]
    if wanted:
        grads = _grad([o for o, _ in wanted], inputs, [c for _, c in wanted],
                      retain_graph=True, create_graph=create_graph, allow_unused=True)
    else:
        grads = (None,) * len(inputs)
    out = []
    for i, (g, x) in enumerate(zip(grads, inputs)):
        if g is None:
            if strict:
                raise RuntimeError(f"The output of the user-provided function is independent "
                                   f"of input {i}. This is not allowed in strict mode.")
            g = zeros_like(x)
        out.append(g if create_graph else g.detach())
    return tuple(out)


def _ones_check(outputs: tuple, v, fn: str, what: str) -> tuple:
    if v is None:
        if len(outputs) != 1 or outputs[0].numel() != 1:
            raise RuntimeError("The vector v can only be None if the user-provided function "
                               "returns a single Tensor with a single element.")
        return (zeros_like(outputs[0]) + 1,)
    _, vs = _as_tuple(v, what, fn)
    if len(vs) != len(outputs):
        raise RuntimeError(f"v is a tuple of invalid length: should be {len(outputs)} but got "
                           f"{len(vs)}.")
    for o, c in zip(outputs, vs):
        if tuple(o.shape) != tuple(c.shape):
            raise RuntimeError(f"Mismatch in shape: output has shape {tuple(o.shape)} and v "
                               f"has shape {tuple(c.shape)}.")
    return vs


def _call(func: Callable, inputs: tuple, fn: str) -> tuple[bool, tuple]:
    with enable_grad():
        return _as_tuple(func(*inputs), "outputs of the user-provided function", fn)


def _pack(is_tuple: bool, values: tuple):
    return values if is_tuple else values[0]


def _detach_all(values: tuple, create_graph: bool) -> tuple:
    return values if create_graph else tuple(v.detach() for v in values)


def vjp(func: Callable, inputs, v=None, create_graph: bool = False, strict: bool = False):
    """``(func(inputs), v^T J)``: the outputs and the vector-Jacobian product."""
    in_tuple, xs = _as_tuple(inputs, "inputs", "vjp")
    xs = _track(xs, create_graph)
    out_tuple, outs = _call(func, xs, "vjp")
    vs = _ones_check(outs, v, "vjp", "v")
    grads = _products(outs, xs, vs, create_graph, strict, "vjp")
    return _pack(out_tuple, _detach_all(outs, create_graph)), _pack(in_tuple, grads)


def jvp(func: Callable, inputs, v=None, create_graph: bool = False, strict: bool = False):
    """``(func(inputs), J v)``: the outputs and the Jacobian-vector product."""
    in_tuple, xs = _as_tuple(inputs, "inputs", "jvp")
    if v is None:
        if len(xs) != 1 or xs[0].numel() != 1:
            raise RuntimeError("The vector v can only be None if the input to the "
                               "user-provided function is a single Tensor with a single "
                               "element.")
        tangents = (zeros_like(xs[0]) + 1,)
    else:
        _, tangents = _as_tuple(v, "v", "jvp")
    xs = _track(xs, create_graph)
    out_tuple, outs = _call(func, xs, "jvp")
    with enable_grad():
        # u -> u^T J is linear in u; its gradient with respect to u, applied to v, is J v
        dummies = tuple(zeros_like(o).requires_grad_(True) for o in outs)
        vjps = _products(outs, xs, dummies, True, strict, "jvp")
        wanted = [(g, t) for g, t in zip(vjps, tangents) if g.requires_grad]
        if wanted:
            res = _grad([g for g, _ in wanted], dummies, [t for _, t in wanted],
                        create_graph=create_graph, allow_unused=True)
        else:
            res = (None,) * len(outs)
    res = tuple(zeros_like(o) if r is None else (r if create_graph else r.detach())
                for o, r in zip(outs, res))
    return _pack(out_tuple, _detach_all(outs, create_graph)), _pack(out_tuple, res)


def jacobian(func: Callable, inputs, create_graph: bool = False, strict: bool = False,
             vectorize: bool = False, strategy: str = "reverse-mode"):
    """The Jacobian of ``func`` at ``inputs``: for each output and input, a tensor of shape
    ``output.shape + input.shape`` (nested in tuples as the outputs and inputs are)."""
    if strategy not in ("reverse-mode", "forward-mode"):
        raise ValueError('Expected strategy to be either "forward-mode" or "reverse-mode". '
                         f'Hint: If your function is not differentiable, use "reverse-mode". '
                         f"Got {strategy} instead.")
    in_tuple, xs = _as_tuple(inputs, "inputs", "jacobian")
    xs = _track(xs, create_graph)
    out_tuple, outs = _call(func, xs, "jacobian")
    table = []
    for out in outs:
        flat = out.reshape(-1)
        rows = []
        for k in range(flat.numel()):
            basis = zeros_like(flat)
            basis[k] = 1
            rows.append(_products((out,), xs, (basis.reshape(out.shape),), create_graph,
                                  strict, "jacobian"))
        per_input = []
        for i, x in enumerate(xs):
            from ..ops.join import stack
            block = stack([r[i] for r in rows]) if rows else zeros_like(x).reshape(0, *x.shape)
            per_input.append(block.reshape(*out.shape, *x.shape))
        table.append(tuple(per_input))
    if not out_tuple:
        return _pack(in_tuple, table[0])
    return tuple(_pack(in_tuple, row) for row in table)


def hessian(func: Callable, inputs, create_graph: bool = False, strict: bool = False,
            vectorize: bool = False, outer_jacobian_strategy: str = "reverse-mode"):
    """The Hessian of a scalar ``func`` at ``inputs`` (blocks ``d2f / dx_i dx_j``)."""
    in_tuple, xs = _as_tuple(inputs, "inputs", "hessian")

    def gradient(*args):
        out = func(*args)
        if not isinstance(out, Tensor) or out.numel() != 1:
            raise RuntimeError("The function given to hessian should return a single element "
                               "Tensor")
        return _products((out.reshape(()),), args, (zeros_like(out.reshape(())) + 1,), True,
                         strict, "hessian")
    res = jacobian(gradient, xs, create_graph=create_graph, strict=strict)
    return res if in_tuple else res[0][0]


def vhp(func: Callable, inputs, v=None, create_graph: bool = False, strict: bool = False):
    """``(func(inputs), v^T H)`` for a scalar ``func``."""
    in_tuple, xs = _as_tuple(inputs, "inputs", "vhp")
    _, vs = _as_tuple(v, "v", "vhp") if v is not None else (False, None)
    xs = _track(xs, True)
    _, outs = _call(func, xs, "vhp")
    if len(outs) != 1 or outs[0].numel() != 1:
        raise RuntimeError("The function given to vhp should return a single element Tensor")
    out = outs[0].reshape(())
    grads = _products((out,), xs, (zeros_like(out) + 1,), True, strict, "vhp")
    if vs is None:
        if len(xs) != 1 or xs[0].numel() != 1:
            raise RuntimeError("The vector v can only be None if the input to the "
                               "user-provided function is a single Tensor with a single "
                               "element.")
        vs = (zeros_like(xs[0]) + 1,)
    wanted = [(g, c) for g, c in zip(grads, vs) if g.requires_grad]
    res = _grad([g for g, _ in wanted], xs, [c for _, c in wanted], create_graph=create_graph,
                allow_unused=True) if wanted else (None,) * len(xs)
    res = tuple(zeros_like(x) if r is None else (r if create_graph else r.detach())
                for x, r in zip(xs, res))
    return (out if create_graph else out.detach()), _pack(in_tuple, res)


def hvp(func: Callable, inputs, v=None, create_graph: bool = False, strict: bool = False):
    """``(func(inputs), H v)`` for a scalar ``func`` (H is symmetric: the same as vhp)."""
    return vhp(func, inputs, v, create_graph, strict)
