"""``torch.func``: function transforms on Python functions of tensors.

``grad``, ``vjp``, ``jvp``, ``jacrev``/``jacfwd`` and ``hessian`` are built on reverse-mode
autograd (``autograd.functional``); ``vmap`` maps a function over a batch dimension by
calling it once per slice and stacking the results, which gives the same values as
PyTorch's batching rules; ``functional_call`` runs a module with given parameters."""
from __future__ import annotations

import functools
from typing import Callable

from ._tensor import Tensor
from .autograd import functional as _F
from .autograd import grad as _grad
from .autograd.grad_mode import enable_grad
from .nn.utils.stateless import functional_call as _functional_call

__all__ = ["functional_call", "grad", "grad_and_value", "vjp", "jvp", "jacrev", "jacfwd",
           "hessian", "vmap", "stack_module_state"]


def functional_call(module, parameter_and_buffer_dicts, args=None, kwargs=None, *,
                    tie_weights: bool = True, strict: bool = False):
    """``module(*args, **kwargs)`` with the given tensors as its parameters and buffers."""
    return _functional_call(module, parameter_and_buffer_dicts, args, kwargs,
                            tie_weights=tie_weights, strict=strict)


# -- pytrees: nested tuples, lists and dicts of tensors ----------------------------------------
def _flatten(tree) -> tuple[list, Callable]:
    """The leaves of ``tree`` and a function that rebuilds it from new leaves."""
    if isinstance(tree, (tuple, list)):
        parts = [_flatten(t) for t in tree]
        kind = type(tree)

        def rebuild(leaves):
            out, i = [], 0
            for flat, make in parts:
                out.append(make(leaves[i:i + len(flat)]))
                i += len(flat)
            return kind(out) if kind in (tuple, list) else kind(*out)
        return [leaf for flat, _ in parts for leaf in flat], rebuild
    if isinstance(tree, dict):
        keys = list(tree)
        flat, make = _flatten([tree[k] for k in keys])
        return flat, lambda leaves: dict(zip(keys, make(leaves)))
    return [tree], lambda leaves: leaves[0]


def _argnums(argnums, n: int, fn: str) -> tuple[int, ...]:
    nums = (argnums,) if isinstance(argnums, int) else tuple(argnums)
    for a in nums:
        if not -n <= a < n:
            raise RuntimeError(f"Got argnums={argnums} for a function with {n} positional "
                               f"inputs. Expected argnums to be in [-{n}, {n})")
    return tuple(a % n for a in nums)


def _prepare(args: tuple, nums: tuple) -> tuple[list, list, list]:
    """The arguments with every differentiated leaf made to require grad (staying in the
    caller's graph when it already does, so transforms nest)."""
    args = list(args)
    leaves_per_arg, rebuilders = [], []
    for a in nums:
        leaves, rebuild = _flatten(args[a])
        fresh = [t.view_as(t) if t.requires_grad else t.detach().requires_grad_(True)
                 for t in leaves]
        args[a] = rebuild(fresh)
        leaves_per_arg.append(fresh)
        rebuilders.append(rebuild)
    return args, leaves_per_arg, rebuilders


def grad_and_value(func: Callable, argnums=0, has_aux: bool = False) -> Callable:
    """A function returning ``(gradient, value)`` of the scalar ``func`` with respect to
    the argument(s) ``argnums`` (``((gradient, (value, aux))`` with ``has_aux``)."""
    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        nums = _argnums(argnums, len(args), "grad_and_value")
        with enable_grad():
            call_args, leaves, rebuilders = _prepare(args, nums)
            out = func(*call_args, **kwargs)
            aux = None
            if has_aux:
                if not (isinstance(out, tuple) and len(out) == 2):
                    raise RuntimeError("grad_and_value(f)(*args): output of function f should "
                                       "be a tuple: (output, aux) if has_aux is True")
                out, aux = out
            if not isinstance(out, Tensor):
                raise RuntimeError("grad_and_value(f)(*args): Expected f(*args) to return a "
                                   f"Tensor, got {type(out)}")
            if out.dim() != 0:
                raise RuntimeError("grad_and_value(f)(*args): Expected f(*args) to return a "
                                   f"scalar Tensor, got tensor with {out.dim()} dims. Maybe "
                                   "you wanted to use the vjp or jacrev APIs instead?")
            flat = [t for group in leaves for t in group]
            # inside another transform the leaves are views in its graph: keep ours too
            nested = any(t.grad_fn is not None for t in flat)
            if out.requires_grad:
                grads = _grad(out, flat, create_graph=nested, allow_unused=True)
            else:
                grads = (None,) * len(flat)
        from ._creation import zeros_like
        grads = [zeros_like(t) if g is None else (g if nested else g.detach())
                 for t, g in zip(flat, grads)]
        per_arg, i = [], 0
        for group, rebuild in zip(leaves, rebuilders):
            per_arg.append(rebuild(grads[i:i + len(group)]))
            i += len(group)
        result = per_arg[0] if isinstance(argnums, int) else tuple(per_arg)
        value = out if nested else out.detach()
        return (result, (value, aux)) if has_aux else (result, value)
    return wrapper


def grad(func: Callable, argnums=0, has_aux: bool = False) -> Callable:
    """A function returning the gradient of the scalar ``func`` with respect to the
    argument(s) ``argnums`` (and ``aux`` with ``has_aux``)."""
    both = grad_and_value(func, argnums, has_aux)

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        g, value = both(*args, **kwargs)
        return (g, value[1]) if has_aux else g
    return wrapper


def vjp(func: Callable, *primals, has_aux: bool = False):
    """``(func(*primals), vjp_fn)``: ``vjp_fn(cotangents)`` gives the vector-Jacobian
    product for each primal (a tuple)."""
    with enable_grad():
        args, leaves, rebuilders = _prepare(primals, tuple(range(len(primals))))
        out = func(*args)
        aux = None
        if has_aux:
            out, aux = out
    outs, rebuild_out = _flatten(out)
    flat_in = [t for group in leaves for t in group]

    def vjp_fn(cotangents, retain_graph: bool = True, create_graph: bool | None = None):
        cots, _ = _flatten(cotangents)
        for o, c in zip(outs, cots):
            if tuple(o.shape) != tuple(c.shape):
                raise RuntimeError(f"Mismatch in shape: grad_output[0] has a shape of "
                                   f"{c.shape} and output[0] has a shape of {o.shape}.")
        grads = _F._products(tuple(outs), tuple(flat_in), tuple(cots), True, False, "vjp")
        res, i = [], 0
        for group, rebuild in zip(leaves, rebuilders):
            res.append(rebuild(list(grads[i:i + len(group)])))
            i += len(group)
        return tuple(res)
    detached = rebuild_out([o.detach() for o in outs])
    return (detached, vjp_fn, aux) if has_aux else (detached, vjp_fn)


def jvp(func: Callable, primals, tangents, *, strict: bool = False, has_aux: bool = False):
    """``(func(*primals), J @ tangents)`` (forward-mode result, computed in reverse mode)."""
    if not isinstance(primals, tuple) or not isinstance(tangents, tuple):
        raise RuntimeError("jvp(f, primals, tangents): Expected primals to be a tuple. E.g. "
                           "it should be valid to call f(*primals).")
    aux = []

    def plain(*args):
        out = func(*args)
        if has_aux:
            out, extra = out
            aux.append(extra)
        return out
    out, tangent_out = _F.jvp(plain, primals, tangents, create_graph=False, strict=strict)
    return (out, tangent_out, aux[0]) if has_aux else (out, tangent_out)


def jacrev(func: Callable, argnums=0, *, has_aux: bool = False, chunk_size=None,
           _preallocate_and_copy: bool = False) -> Callable:
    """A function returning the Jacobian of ``func`` with respect to ``argnums``."""
    @functools.wraps(func)
    def wrapper(*args):
        nums = _argnums(argnums, len(args), "jacrev")
        aux = []

        def restricted(*diff):
            full = list(args)
            for a, d in zip(nums, diff):
                full[a] = d
            out = func(*full)
            if has_aux:
                out, extra = out
                aux.append(extra)
            return out
        jac = _F.jacobian(restricted, tuple(args[a] for a in nums), create_graph=any(
            args[a].requires_grad for a in nums))
        if isinstance(argnums, int):
            jac = jac[0] if not isinstance(jac[0], tuple) else tuple(j[0] for j in jac)
        return (jac, aux[0]) if has_aux else jac
    return wrapper


jacfwd = jacrev  # the same Jacobian; ember computes both in reverse mode


def hessian(func: Callable, argnums=0) -> Callable:
    """A function returning the Hessian of the scalar ``func`` with respect to ``argnums``."""
    return jacrev(jacrev(func, argnums), argnums)


def vmap(func: Callable, in_dims=0, out_dims=0, randomness: str = "error", *,
         chunk_size=None) -> Callable:
    """``func`` mapped over dimension ``in_dims`` of its arguments (None: not mapped), the
    results stacked along ``out_dims``."""
    if randomness not in ("error", "different", "same"):
        raise RuntimeError("Only allowed values for randomness are 'error', 'different', or "
                           f"'same'. Got {randomness}")

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        dims = in_dims if isinstance(in_dims, (tuple, list)) else (in_dims,) * len(args)
        name = getattr(func, "__name__", "f")
        if len(dims) != len(args):
            raise ValueError(f"vmap({name}, in_dims={in_dims}, ...)(<inputs>): in_dims is not "
                             f"compatible with the structure of `inputs`. in_dims has "
                             f"structure {len(dims)} but inputs has structure {len(args)}.")
        sizes = set()
        plan = []
        for a, d in zip(args, dims):
            leaves, rebuild = _flatten(a)
            leaf_dims = _flatten(d)[0] if isinstance(d, (tuple, list, dict)) else \
                [d] * len(leaves)
            for leaf, ld in zip(leaves, leaf_dims):
                if ld is not None:
                    if not isinstance(leaf, Tensor):
                        raise ValueError(f"vmap({name}, in_dims={in_dims}, ...)(<inputs>): Got "
                                         f"in_dim={ld} for an input but the input is of type "
                                         f"{type(leaf)}. We cannot vmap over non-Tensor "
                                         "arguments, please use None as the respective in_dim")
                    sizes.add(leaf.shape[ld])
            plan.append((leaves, rebuild, leaf_dims))
        if not sizes:
            raise ValueError(f"vmap({name}, in_dims={in_dims}, ...)(<inputs>): at least one input "
                             "must be mapped over (got in_dims with only None)")
        if len(sizes) > 1:
            raise ValueError("vmap: Expected all tensors to have the same size in the mapped "
                             f"dimension, got sizes {sorted(sizes)} for the mapped dimension")
        n = sizes.pop()
        results = []
        for i in range(n):
            call = [rebuild([leaf.select(ld, i) if ld is not None else leaf
                             for leaf, ld in zip(leaves, leaf_dims)])
                    for leaves, rebuild, leaf_dims in plan]
            results.append(func(*call, **kwargs))
        first, rebuild_out = _flatten(results[0])
        per_result = [_flatten(r)[0] for r in results]
        odims = _flatten(out_dims)[0] if isinstance(out_dims, (tuple, list)) else \
            [out_dims] * len(first)
        from .ops.join import stack
        from ._creation import tensor as _tensor
        stacked = []
        for k in range(len(first)):
            column = [r[k] if isinstance(r[k], Tensor) else _tensor(r[k]) for r in per_result]
            stacked.append(stack(column, odims[k]))
        return rebuild_out(stacked)
    return wrapper


def stack_module_state(models) -> tuple[dict[str, Tensor], dict[str, Tensor]]:
    """The parameters and buffers of same-structured ``models`` stacked along a new first
    dimension (parameters as new leaves that require grad), for ensembling with vmap."""
    from .ops.join import stack
    models = list(models)
    if not models:
        raise RuntimeError("stack_module_state: Expected at least one model, got 0.")
    params = {name: stack([dict(m.named_parameters())[name].detach() for m in models])
              .requires_grad_(True) for name, _ in models[0].named_parameters()}
    buffers = {name: stack([dict(m.named_buffers())[name] for m in models])
               for name, _ in models[0].named_buffers()}
    return params, buffers
