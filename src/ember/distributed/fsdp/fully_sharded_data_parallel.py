"""FullyShardedDataParallel: each rank keeps a flat 1/N shard of a module's parameters.

At wrap time the module's parameters are laid end to end in one flat vector (padded to a
multiple of the group size) and each rank keeps its equal piece as the one parameter
``_flat_param``; the optimizer steps on these pieces. Each forward all-gathers the pieces
into the full vector through an autograd function and hands the module views of it in
place of its parameters; that function's backward reduce-scatters the gradient of the full
vector, so after ``backward()`` every rank holds the group's average gradient of its own
piece. Buffers stay whole on every rank. ``state_dict()`` gives the full parameters by
default, or sharded / local ones inside ``FSDP.state_dict_type``.
"""
from __future__ import annotations

import contextlib
import math

import numpy as np

from ... import distributed as dist
from ...autograd.function import Function
from ...nn.modules.module import Module
from ...nn.parameter import Parameter
from .api import (FullStateDictConfig, LocalStateDictConfig, OptimStateDictConfig,
                  ShardedStateDictConfig, StateDictSettings, StateDictType)

__all__ = ["FullyShardedDataParallel"]

_CONFIGS = {StateDictType.FULL_STATE_DICT: FullStateDictConfig,
            StateDictType.LOCAL_STATE_DICT: LocalStateDictConfig,
            StateDictType.SHARDED_STATE_DICT: ShardedStateDictConfig}


class _GatherShards(Function):
    """The full flat vector from every rank's shard; backward averages the full gradient
    over ranks and gives each rank the piece of it that belongs to its shard."""

    @staticmethod
    def forward(ctx, shard, fsdp):
        ctx.fsdp = fsdp
        return fsdp._gather(shard.detach())

    @staticmethod
    def backward(ctx, grad):
        fsdp = ctx.fsdp
        out = grad.new_empty((fsdp._shard_numel,))
        dist.reduce_scatter_tensor(out, grad.contiguous(), op=dist.ReduceOp.AVG,
                                   group=fsdp.process_group)
        return out, None


class FullyShardedDataParallel(Module):
    """Shard ``module``'s parameters over the ranks of ``process_group`` (the world).

    Every rank must wrap the same module with the same initial values (or pass
    ``sync_module_states=True`` to take rank 0's). ember shards the whole module as one unit:
    ``auto_wrap_policy``, ``sharding_strategy``, ``cpu_offload``, ``mixed_precision`` and
    prefetch options are accepted and change nothing in the result."""

    def __init__(self, module: Module, process_group=None, sharding_strategy=None,
                 cpu_offload=None, auto_wrap_policy=None, backward_prefetch=None,
                 mixed_precision=None, ignored_modules=None, param_init_fn=None,
                 device_id=None, sync_module_states: bool = False,
                 forward_prefetch: bool = False, limit_all_gathers: bool = True,
                 use_orig_params: bool = False, ignored_states=None, device_mesh=None):
        super().__init__()
        if not dist.is_initialized():
            raise ValueError("Default process group has not been initialized, please make "
                             "sure to call init_process_group.")
        self._fsdp_wrapped_module = module
        self.process_group = process_group
        self.sharding_strategy = sharding_strategy
        self._state_dict_type = StateDictType.FULL_STATE_DICT
        self._state_dict_config = FullStateDictConfig()
        self._optim_state_dict_config = OptimStateDictConfig()
        if sync_module_states:
            src = dist.get_global_rank(process_group, 0)
            for t in list(module.parameters()) + list(module.buffers()):
                dist.broadcast(t.detach(), src=src, group=process_group)
        self._shapes = {}
        self._slots = self._take_parameters(module)
        self._flatten()

    # ---- layout

    def _take_parameters(self, module):
        """(owner module, name, Parameter, offset) for each parameter slot of ``module``,
        removed from its owner (a parameter shared by two slots is stored once)."""
        slots, offsets, offset = [], {}, 0
        for owner in module.modules():
            for name, p in list(owner._parameters.items()):
                if p is None:
                    continue
                if id(p) not in offsets:
                    offsets[id(p)] = offset
                    self._shapes[id(p)] = tuple(p.shape)
                    offset += p.numel()
                slots.append((owner, name, p, offsets[id(p)]))
                del owner._parameters[name]
        dtypes = {p.dtype for _, _, p, _ in slots}
        if len(dtypes) > 1:
            raise NotImplementedError("FullyShardedDataParallel in ember needs the parameters "
                                      f"of one unit to share a dtype, got {sorted(map(str, dtypes))}")
        self._numel = offset
        return slots

    def _unique(self):
        """(Parameter, offset, shape) once for each distinct parameter."""
        seen = set()
        for _, _, p, offset in self._slots:
            if id(p) not in seen:
                seen.add(id(p))
                yield p, offset, self._shapes[id(p)]

    def _size(self, p) -> int:
        return math.prod(self._shapes[id(p)])

    def _flatten(self) -> None:
        world = dist.get_world_size(self.process_group)
        self._world = world
        self._rank = dist.get_rank(self.process_group)
        self._shard_numel = max(1, math.ceil(self._numel / world))
        ps = list(self._unique())
        dtype = ps[0][0]._data.dtype if ps else np.float32
        full = np.zeros(self._shard_numel * world, dtype)
        for p, offset, _ in ps:
            full[offset:offset + p.numel()] = p._data.reshape(-1)
        requires_grad = any(p.requires_grad for p, _, _ in ps) or not ps
        from ... import from_numpy
        mine = full[self._rank * self._shard_numel:(self._rank + 1) * self._shard_numel]
        self._flat_param = Parameter(from_numpy(mine.copy()), requires_grad=requires_grad)
        self._release()

    def _gather(self, shard):
        full = shard.new_empty((self._shard_numel * self._world,))
        dist.all_gather_into_tensor(full, shard, group=self.process_group)
        return full

    @property
    def module(self) -> Module:
        """The wrapped module."""
        return self._fsdp_wrapped_module

    # ---- forward

    def forward(self, *args, **kwargs):
        """Gather the full parameters, hand the module views of them, and run it."""
        full = _GatherShards.apply(self._flat_param, self)
        for owner, name, p, offset in self._slots:
            view = full[offset:offset + self._size(p)].view(self._shapes[id(p)])
            owner.__dict__[name] = view
        return self._fsdp_wrapped_module(*args, **kwargs)

    # ---- whole parameters on demand

    def _full_values(self) -> np.ndarray:
        from ...autograd.grad_mode import no_grad
        with no_grad():
            return self._gather(self._flat_param.detach())._data

    @contextlib.contextmanager
    def _restored(self, values: np.ndarray):
        """The original Parameters back in their modules, holding ``values`` (the full flat
        vector), for the duration of the block."""
        for p, offset, shape in self._unique():
            p._data = values[offset:offset + math.prod(shape)].reshape(shape).copy()
        for owner, name, p, _ in self._slots:
            owner.__dict__.pop(name, None)
            owner._parameters[name] = p
        try:
            yield
        finally:
            for owner, name, p, _ in self._slots:
                owner._parameters.pop(name, None)

    def _store_full(self) -> None:
        """Write this rank's piece of the (restored) original parameters into its shard."""
        full = np.zeros(self._shard_numel * self._world, self._flat_param._data.dtype)
        for p, offset, shape in self._unique():
            full[offset:offset + math.prod(shape)] = p._data.reshape(-1)
        lo = self._rank * self._shard_numel
        self._flat_param._data[...] = full[lo:lo + self._shard_numel]

    def _release(self) -> None:
        """Drop the original parameters' values (the shards hold them)."""
        for p, _, _ in self._unique():
            p._data = p._data.reshape(-1)[:0]

    @staticmethod
    @contextlib.contextmanager
    def summon_full_params(module, recurse: bool = True, writeback: bool = True,
                           rank0_only: bool = False, offload_to_cpu: bool = False,
                           with_grads: bool = False):
        """Inside the block the FSDP modules in ``module`` hold their whole parameters as
        ordinary Parameters; with ``writeback`` changes made to them are kept."""
        with contextlib.ExitStack() as stack:
            units = [m for m in module.modules() if isinstance(m, FullyShardedDataParallel)]
            for unit in units:
                stack.enter_context(unit._restored(unit._full_values()))
            try:
                yield
            finally:
                for unit in units:
                    if writeback:
                        unit._store_full()
                    unit._release()

    # ---- state dicts

    @staticmethod
    @contextlib.contextmanager
    def state_dict_type(module, state_dict_type, state_dict_config=None,
                        optim_state_dict_config=None):
        """Within the block, ``state_dict()`` of the FSDP modules in ``module`` returns
        ``state_dict_type`` with ``state_dict_config``."""
        units = [m for m in module.modules() if isinstance(m, FullyShardedDataParallel)]
        before = [(u._state_dict_type, u._state_dict_config, u._optim_state_dict_config)
                  for u in units]
        FullyShardedDataParallel.set_state_dict_type(module, state_dict_type,
                                                     state_dict_config, optim_state_dict_config)
        try:
            yield
        finally:
            for u, (kind, config, optim) in zip(units, before):
                u._state_dict_type, u._state_dict_config = kind, config
                u._optim_state_dict_config = optim

    @staticmethod
    def set_state_dict_type(module, state_dict_type, state_dict_config=None,
                            optim_state_dict_config=None) -> StateDictSettings:
        """Set the state-dict kind of the FSDP modules in ``module``; returns the old one."""
        units = [m for m in module.modules() if isinstance(m, FullyShardedDataParallel)]
        old = FullyShardedDataParallel.get_state_dict_type(module) if units else None
        config = state_dict_config or _CONFIGS[state_dict_type]()
        for u in units:
            u._state_dict_type, u._state_dict_config = state_dict_type, config
            if optim_state_dict_config is not None:
                u._optim_state_dict_config = optim_state_dict_config
        return old

    @staticmethod
    def get_state_dict_type(module) -> StateDictSettings:
        """The state-dict kind of the (first) FSDP module in ``module``."""
        for m in module.modules():
            if isinstance(m, FullyShardedDataParallel):
                return StateDictSettings(m._state_dict_type, m._state_dict_config,
                                         m._optim_state_dict_config)
        raise ValueError("no FSDP module found")

    def state_dict(self, *args, destination=None, prefix: str = "", keep_vars: bool = False):
        """The wrapped module's state dict (no FSDP prefixes), as ``state_dict_type`` says."""
        from collections import OrderedDict
        if destination is None:
            destination = OrderedDict()
            destination._metadata = OrderedDict()
        kind = self._state_dict_type
        if kind is StateDictType.LOCAL_STATE_DICT:
            self._fsdp_wrapped_module.state_dict(destination=destination, prefix=prefix)
            destination[prefix + "_flat_param"] = self._flat_param.detach()
            return destination
        values = self._full_values()
        if kind is StateDictType.FULL_STATE_DICT and \
                getattr(self._state_dict_config, "rank0_only", False) and self._rank != 0:
            return destination
        with self._restored(values):
            self._fsdp_wrapped_module.state_dict(destination=destination, prefix=prefix)
        self._release()
        if kind is StateDictType.SHARDED_STATE_DICT:
            names = {prefix + n for n, _ in self._named_slots()}
            for key in names & set(destination):
                destination[key] = destination[key].chunk(self._world)[self._rank] \
                    if destination[key].dim() and len(destination[key].chunk(self._world)) \
                    > self._rank else destination[key][:0]
        return destination

    def _named_slots(self):
        names = {id(m): n for n, m in self._fsdp_wrapped_module.named_modules()}
        for owner, name, _, _ in self._slots:
            yield (names[id(owner)] + "." if names[id(owner)] else "") + name, owner

    def load_state_dict(self, state_dict, strict: bool = True, assign: bool = False):
        """Load a state dict of this FSDP module's ``state_dict_type``."""
        kind = self._state_dict_type
        if kind is StateDictType.LOCAL_STATE_DICT:
            state_dict = dict(state_dict)
            flat = state_dict.pop("_flat_param")
            self._flat_param._data[...] = flat._data.reshape(-1)
            return self._fsdp_wrapped_module.load_state_dict(state_dict, strict=strict)
        if kind is StateDictType.SHARDED_STATE_DICT:
            state_dict = self._whole_from_pieces(state_dict)
        with self._restored(self._full_values()):
            result = self._fsdp_wrapped_module.load_state_dict(state_dict, strict=strict)
            self._store_full()
        self._release()
        return result

    def _whole_from_pieces(self, state_dict):
        """Every parameter of a sharded state dict, joined from all ranks' dim-0 pieces."""
        from ... import cat
        whole = dict(state_dict)
        for key, _ in self._named_slots():
            if key in whole:
                pieces = [None] * self._world
                dist.all_gather_object(pieces, whole[key].detach().numpy(),
                                       group=self.process_group)
                from ... import from_numpy
                whole[key] = cat([from_numpy(np.ascontiguousarray(x)) for x in pieces])
        return whole

    # ---- gradients

    def clip_grad_norm_(self, max_norm: float, norm_type: float = 2.0):
        """Scale the sharded gradients so that the norm of the whole gradient is at most
        ``max_norm``; returns that whole norm."""
        from ... import tensor
        grad = self._flat_param.grad
        local = np.zeros(1, np.float64) if grad is None else grad._data.astype(np.float64)
        norm_type = float(norm_type)
        t = tensor([float(np.abs(local).max()) if norm_type == math.inf
                    else float((np.abs(local) ** norm_type).sum())], dtype=None)
        dist.all_reduce(t, op=dist.ReduceOp.MAX if norm_type == math.inf else dist.ReduceOp.SUM,
                        group=self.process_group)
        total = t.item() if norm_type == math.inf else t.item() ** (1.0 / norm_type)
        coef = max_norm / (total + 1e-6)
        if grad is not None and coef < 1:
            grad._data *= coef
        return tensor(total)
