"""The two ways a captured graph runs, each as ONE autograd node.

``GeneratedCall`` runs the generated array-level forward; its backward is the generated
array-level backward. ``ReplayCall`` (for graphs the generator has no rules for) replays
the captured graph with ember's ops and differentiates that inner graph when the single
outer node's backward runs.
"""
from __future__ import annotations

from ..autograd import grad_mode
from ..autograd.function import Function, Primitive

__all__ = ["GeneratedCall", "ReplayCall"]


class GeneratedCall(Primitive):
    """A compiled program: forward and backward generated over backend arrays."""

    node_name = "CompiledFunctionBackward"

    @staticmethod
    def forward(ctx, *arrays, program):
        """Run the generated forward; keep what the generated backward needs on ctx."""
        out, saved = program.forward(*arrays)
        if ctx is not None:
            ctx.program = program
            ctx.state = saved
        return out

    @staticmethod
    def backward_array(ctx, *grads):
        """Run the generated backward: one gradient array per input."""
        state = ctx.state
        if state is None:
            from ..autograd.engine import _RELEASED_MSG
            raise RuntimeError(_RELEASED_MSG)
        return ctx.program.backward(state, *grads)

    @staticmethod
    def backward(ctx, *grads):
        """Refuse higher-order gradients (the generated backward records no graph)."""
        # reached only with create_graph=True: the generated backward records no graph
        raise NotImplementedError("ember does not implement create_graph=True (higher-order "
                                  "gradients) through a torch.compile'd program yet; call the "
                                  "module uncompiled for that")


class ReplayCall(Function):
    """Replays a captured graph; its backward differentiates the replay in one step."""

    @staticmethod
    def forward(ctx, run, n_inputs, *tensors):
        """Replay ``run`` on detached inputs with grad enabled; keep the inner graph."""
        inputs = [t.detach().requires_grad_(t.requires_grad) for t in tensors[:n_inputs]]
        leaves = inputs + list(tensors[n_inputs:])
        with grad_mode.enable_grad():
            out = run(*inputs)
        multi = isinstance(out, (tuple, list))
        outs = list(out) if multi else [out]
        ctx.inner = outs
        ctx.leaves = leaves
        ctx.wanted = [i for i, t in enumerate(leaves) if t.requires_grad]
        ctx.detached = [o.detach() for o in outs]
        return tuple(ctx.detached) if multi else ctx.detached[0]

    @staticmethod
    def backward(ctx, *grads):
        """Differentiate the replay with respect to the inputs and parameters."""
        import ember
        pairs = [(o, g) for o, g in zip(ctx.inner, grads)
                 if g is not None and o.requires_grad]
        result = [None, None] + [None] * len(ctx.leaves)
        if pairs and ctx.wanted:
            got = ember.autograd.grad([o for o, _ in pairs], [ctx.leaves[i] for i in ctx.wanted],
                                      [g for _, g in pairs], allow_unused=True)
            for i, g in zip(ctx.wanted, got):
                result[2 + i] = g
        return tuple(result)
