"""Activation checkpointing: keep a block's inputs, drop its intermediate results after
the forward pass, and run the block again during backward to get its gradients.

ember runs the block once with the graph recorded to learn which parameters it uses, then
releases that graph; a single node stands in for the block, and its backward replays the
block (with the random state of the first run) and differentiates the replay. Gradients
reach the inputs and every parameter the block used; as in PyTorch, the reentrant variant
(``use_reentrant=True``) gives no gradients at all when no input requires grad.
"""
from __future__ import annotations

import warnings
from typing import Any, Callable

from .._tensor import Tensor
from ..autograd import grad as _grad
from ..autograd.function import Function
from ..autograd.grad_mode import enable_grad, is_grad_enabled, no_grad

__all__ = ["checkpoint", "checkpoint_sequential"]


def _leaves(outputs: list[Tensor], exclude: set[int]) -> list[Tensor]:
    """The leaf tensors requiring grad that ``outputs`` were computed from."""
    found, stack = [], [o.grad_fn for o in outputs if o.grad_fn is not None]
    seen = {}  # id -> node, holding each node so that no later one can reuse its id
    while stack:
        node = stack.pop()
        if node is None or id(node) in seen:
            continue
        seen[id(node)] = node
        variable = getattr(node, "variable", None)
        if variable is not None:
            if id(variable) not in exclude:
                found.append(variable)
            continue
        stack.extend(n for n, _ in node.next_functions)
    return found


class _Replay(Function):
    """One graph node for a checkpointed block: its backward runs the block again."""

    @staticmethod
    def forward(ctx, block, *tensors):
        ctx.block = block
        values = block.outputs
        block.outputs = None  # release the first run's graph
        return tuple(v.detach() for v in values)

    @staticmethod
    def backward(ctx, *grads):
        block = ctx.block
        inputs, leaves = block.replay()
        outs = [o for o in block.rerun_outputs if o.requires_grad]
        wanted = [g for o, g in zip(block.rerun_outputs, grads) if o.requires_grad]
        targets = [t for t in inputs if t.requires_grad] + leaves
        if not outs or not targets:
            return (None,) * (1 + len(block.tensor_args) + len(leaves))
        found = iter(_grad(outs, targets, wanted, allow_unused=True))
        arg_grads = [next(found) if t.requires_grad else None for t in inputs]
        return (None, *arg_grads, *[next(found) for _ in leaves])


class _Block:
    """A checkpointed call: the function, its arguments and the random state it saw."""

    def __init__(self, function: Callable, args: tuple, kwargs: dict, preserve_rng: bool):
        from .. import get_rng_state
        self.function, self.args, self.kwargs = function, args, kwargs
        self.tensor_args = [a for a in args if isinstance(a, Tensor)]
        self.rng_state = get_rng_state() if preserve_rng else None
        self.outputs = None        # the first run's outputs, until the node takes them
        self.leaves: list = []     # the parameters (leaf tensors) the block used
        self.rerun_outputs = None

    def replay(self):
        """Run the function again on detached inputs, under the first run's random state."""
        from .. import get_rng_state, set_rng_state
        inputs = [a.detach().requires_grad_(a.requires_grad) for a in self.tensor_args]
        it = iter(inputs)
        args = [next(it) if isinstance(a, Tensor) else a for a in self.args]
        current = get_rng_state() if self.rng_state is not None else None
        if self.rng_state is not None:
            set_rng_state(self.rng_state)
        try:
            with enable_grad():
                out = self.function(*args, **self.kwargs)
        finally:
            if current is not None:
                set_rng_state(current)
        self.rerun_outputs = [o for o in _as_list(out) if isinstance(o, Tensor)]
        return inputs, self.leaves


def _as_list(out) -> list:
    return list(out) if isinstance(out, (tuple, list)) else [out]


def checkpoint(function: Callable, *args, use_reentrant: bool | None = None,
               context_fn: Callable | None = None, determinism_check: str = "default",
               debug: bool = False, early_stop: bool = True, preserve_rng_state: bool = True,
               **kwargs) -> Any:
    """``function(*args, **kwargs)`` whose intermediate activations are recomputed during
    backward instead of being kept."""
    if use_reentrant is None:
        warnings.warn(
            "torch.utils.checkpoint: the use_reentrant parameter should be passed explicitly. "
            "Starting in PyTorch 2.9, calling checkpoint without use_reentrant will raise an "
            "exception. use_reentrant=False is recommended, but if you need to preserve the "
            "current default behavior, you can pass use_reentrant=True. Refer to docs for more "
            "details on the differences between the two variants.", stacklevel=2)
        use_reentrant = True
    if use_reentrant and kwargs:
        raise ValueError("Unexpected keyword arguments: " + ",".join(kwargs))
    if not is_grad_enabled():
        return function(*args, **kwargs)
    block = _Block(function, args, kwargs, preserve_rng_state)
    if use_reentrant and not any(a.requires_grad for a in block.tensor_args):
        # PyTorch's reentrant variant connects the outputs through the inputs only
        warnings.warn("None of the inputs have requires_grad=True. Gradients will be None",
                      stacklevel=2)
        with no_grad():
            return function(*args, **kwargs)
    with enable_grad():
        out = function(*args, **kwargs)
    items = _as_list(out)
    tensors = [o for o in items if isinstance(o, Tensor)]
    if not any(t.requires_grad for t in tensors):
        return out
    block.leaves = _leaves(tensors, {id(a) for a in block.tensor_args})
    block.outputs = tensors
    replaced = iter(_Replay.apply(block, *block.tensor_args, *block.leaves))
    rebuilt = [next(replaced) if isinstance(o, Tensor) else o for o in items]
    return type(out)(rebuilt) if isinstance(out, (tuple, list)) else rebuilt[0]


def checkpoint_sequential(functions, segments: int, input, use_reentrant: bool | None = None,
                          **kwargs):
    """Run a sequence of modules (or an ``nn.Sequential``) in ``segments`` chunks, each
    but the last checkpointed."""
    if use_reentrant is None:
        warnings.warn(
            "torch.utils.checkpoint.checkpoint_sequential: the use_reentrant parameter should "
            "be passed explicitly. In version 2.9 we will raise an exception if "
            "use_reentrant is not passed. use_reentrant=False is recommended, but if you need "
            "to preserve the current default behavior, you can pass use_reentrant=True. Refer "
            "to docs for more details on the differences between the two variants.",
            stacklevel=2)
        use_reentrant = True
    if hasattr(functions, "children") and not isinstance(functions, (list, tuple)):
        functions = list(functions.children())
    functions = list(functions)

    def run(start: int, end: int):
        def forward(x):
            for f in functions[start:end + 1]:
                x = f(x)
            return x
        return forward

    size = len(functions) // segments
    end = -1
    for start in range(0, size * (segments - 1), size):
        end = start + size - 1
        input = checkpoint(run(start, end), input, use_reentrant=use_reentrant, **kwargs)
    return run(end + 1, len(functions) - 1)(input)
