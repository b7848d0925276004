"""``fully_shard`` (FSDP2): each parameter split along dim 0 over the ranks, as a DTensor.

``fully_shard(module)`` replaces every parameter of ``module`` that no inner
``fully_shard``-ed module manages by this rank's rows of it (``Shard(0)``, torch.chunk's
split), and changes the module's class to ``FSDP<Class>`` (a subclass of ``FSDPModule`` and
of the old class). Before each forward the module all-gathers its parameters through an
autograd function and puts the whole tensors where the parameters were; after the forward
the sharded ones go back. The function's backward reduce-scatters the gradient (averaged
over ranks) into the sharded parameter's ``.grad``, so an optimizer built on
``module.parameters()`` steps on this rank's rows only. With
``set_requires_gradient_sync(False)`` the whole gradients are kept instead and join the
next synchronised backward. ``state_dict()`` gives the sharded parameters (DTensors, the
plain module's keys); ``full_tensor()`` of each value gathers it whole.
"""
from __future__ import annotations

from dataclasses import dataclass

from ... import distributed as dist
from ...autograd.function import Function
from ...autograd.grad_mode import no_grad
from ...nn.modules.module import Module
from ...nn.parameter import Parameter
from ..tensor import DTensor, Shard, _Spec, as_dtensor, init_device_mesh

__all__ = ["fully_shard", "FSDPModule", "MixedPrecisionPolicy", "OffloadPolicy",
           "CPUOffloadPolicy"]


@dataclass(frozen=True)
class MixedPrecisionPolicy:
    """Accepted; ember computes in the parameters' own dtype."""
    param_dtype: object = None
    reduce_dtype: object = None
    output_dtype: object = None
    cast_forward_inputs: bool = True


@dataclass
class OffloadPolicy:
    """No offloading (the parameters live on the CPU already)."""


@dataclass
class CPUOffloadPolicy(OffloadPolicy):
    """Accepted; ember's parameters live on the CPU already."""
    pin_memory: bool = True


class _ShardedParameter(Parameter, DTensor):
    """A parameter that holds this rank's rows of the whole one."""


class _Unshard(Function):
    """The whole parameter from every rank's rows; backward averages the gradient over the
    ranks and gives this rank its rows (or keeps it while gradient sync is off)."""

    @staticmethod
    def forward(ctx, local, spec, state):
        ctx.spec, ctx.state = spec, state
        return spec.gather(local.detach())

    @staticmethod
    def backward(ctx, grad):
        spec, state = ctx.spec, ctx.state
        kept = state.unsynced.pop(id(spec), None)
        if kept is not None:
            grad = grad + kept
        if not state.sync:
            state.unsynced[id(spec)] = grad
            return None, None, None
        return spec.reduce_scatter_mean(grad), None, None


class _State:
    """What one ``fully_shard`` call manages: (owner module, name, sharded parameter)."""

    def __init__(self, slots: list):
        self.slots = slots
        self.sync = True
        self.unsynced: dict = {}  # id(spec) -> whole gradient kept while sync is off


class FSDPModule:
    """Mixed into the class of a module given to ``fully_shard``."""

    def unshard(self, async_op: bool = False):
        """Put the whole parameters in place (outside autograd) until ``reshard()``."""
        with no_grad():
            for owner, name, p in self._fsdp_state.slots:
                owner._parameters[name] = p._spec.gather(p.detach())
        return None

    def reshard(self) -> None:
        """Put the sharded parameters back."""
        for owner, name, p in self._fsdp_state.slots:
            owner._parameters[name] = p

    def set_requires_gradient_sync(self, requires_gradient_sync: bool, *,
                                   recurse: bool = True) -> None:
        """Off: backward keeps whole gradients, added into the next synchronised one."""
        for m in (self.modules() if recurse else [self]):
            if isinstance(m, FSDPModule):
                m._fsdp_state.sync = bool(requires_gradient_sync)

    def set_reshard_after_forward(self, reshard_after_forward: bool, recurse: bool = True):
        """Accepted: ember always reshards after forward."""

    def set_reshard_after_backward(self, reshard_after_backward: bool, *, recurse=True):
        """Accepted: ember's parameters are sharded again once forward ends."""

    def set_is_last_backward(self, is_last_backward: bool) -> None:
        """Accepted: gradients are reduce-scattered during every synchronised backward."""

    def set_modules_to_forward_prefetch(self, modules) -> None:
        """Accepted: ember gathers each module's parameters when its forward starts."""

    def set_modules_to_backward_prefetch(self, modules) -> None:
        """Accepted: ember gathers each module's parameters when its forward starts."""

    def state_dict(self, *args, **kwargs):
        out = super().state_dict(*args, **kwargs)
        specs = {id(p): p._spec for m in self.modules() if isinstance(m, FSDPModule)
                 for _, _, p in m._fsdp_state.slots}
        for prefix, m in self.named_modules():
            for name, p in m._parameters.items():
                key = f"{prefix}.{name}" if prefix else name
                if p is not None and id(p) in specs and key in out \
                        and not isinstance(out[key], DTensor):
                    out[key] = as_dtensor(out[key], specs[id(p)])
        return out


_classes: dict = {}


def _fsdp_class(cls: type) -> type:
    if cls not in _classes:
        _classes[cls] = type(f"FSDP{cls.__name__}", (FSDPModule, cls), {})
    return _classes[cls]


def _managed_elsewhere(module: Module) -> set:
    """ids of the parameters that inner ``fully_shard``-ed modules manage."""
    out = set()
    for m in module.modules():
        if m is not module and isinstance(m, FSDPModule):
            out.update(id(p) for _, _, p in m._fsdp_state.slots)
    return out


def _shard(p: Parameter, mesh) -> _ShardedParameter:
    spec = _Spec(mesh, Shard(0), tuple(p.shape))
    with no_grad():
        mine = spec.local_of(p.detach()).clone()
    out = _ShardedParameter(mine, requires_grad=p.requires_grad)
    out._spec = spec
    return out


def _gather_hook(module, args):
    state = module._fsdp_state
    whole = {}
    for owner, name, p in state.slots:
        if id(p) not in whole:
            whole[id(p)] = _Unshard.apply(p, p._spec, state)
        owner._parameters[name] = whole[id(p)]


def _reshard_hook(module, args, output):
    module.reshard()


def fully_shard(module, *, mesh=None, reshard_after_forward=None, shard_placement_fn=None,
                mp_policy=MixedPrecisionPolicy(), offload_policy=OffloadPolicy(),
                ignored_params=None):
    """Shard ``module``'s parameters over the ranks of ``mesh`` (the world); returns it."""
    if isinstance(module, (list, tuple)):
        raise NotImplementedError("ember's fully_shard takes one module at a time")
    if not dist.is_initialized():
        raise ValueError("Default process group has not been initialized, please make sure "
                         "to call init_process_group.")
    if shard_placement_fn is not None:
        raise NotImplementedError("ember's fully_shard shards every parameter on dim 0; "
                                  "shard_placement_fn is not supported")
    mesh = mesh or init_device_mesh("cpu", (dist.get_world_size(),))
    skip = _managed_elsewhere(module) | {id(p) for p in (ignored_params or ())}
    slots, sharded = [], {}
    for owner in module.modules():
        for name, p in list(owner._parameters.items()):
            if p is None or id(p) in skip:
                continue
            if id(p) not in sharded:
                sharded[id(p)] = _shard(p, mesh)
            owner._parameters[name] = sharded[id(p)]
            slots.append((owner, name, sharded[id(p)]))
    module.__class__ = _fsdp_class(type(module))
    module._fsdp_state = _State(slots)
    module.register_forward_pre_hook(_gather_hook)
    module.register_forward_hook(_reshard_hook)
    return module
