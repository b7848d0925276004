"""DistributedDataParallel: one model replica per rank, gradients averaged over the group."""
from __future__ import annotations

import contextlib

from ..modules.module import Module
from ._reducer import Reducer

__all__ = ["DistributedDataParallel"]


class DistributedDataParallel(Module):
    """Wrap ``module`` so that backward leaves every rank with the group's average gradient.

    Rank 0's parameters and buffers are copied to every rank at wrap time; buffers again
    before each forward when ``broadcast_buffers``. The wrapped module is ``.module``, so
    state dicts carry the ``module.`` prefix."""

    def __init__(self, module: Module, device_ids=None, output_device=None, dim: int = 0,
                 broadcast_buffers: bool = True, init_sync: bool = True, process_group=None,
                 bucket_cap_mb=None, find_unused_parameters: bool = False,
                 check_reduction: bool = False, gradient_as_bucket_view: bool = False,
                 static_graph: bool = False, **kwargs):
        super().__init__()
        from ... import distributed as dist
        if not dist.is_initialized():
            raise ValueError("Default process group has not been initialized, please make "
                             "sure to call init_process_group.")
        self.module = module
        self.device_ids = device_ids
        self.output_device = output_device
        self.dim = dim
        self.broadcast_buffers = broadcast_buffers
        self.find_unused_parameters = find_unused_parameters
        self.process_group = process_group
        self.bucket_cap_mb = 25 if bucket_cap_mb is None else bucket_cap_mb
        self._dist = dist
        self._require_sync = True
        if init_sync:
            for t in list(module.parameters()) + list(module.buffers()):
                dist.broadcast(t.detach(), src=dist.get_global_rank(process_group, 0),
                               group=process_group)
        params = [p for p in module.parameters() if p.requires_grad]
        self.reducer = Reducer(params, process_group, self.bucket_cap_mb,
                               find_unused_parameters)

    def forward(self, *inputs, **kwargs):
        """Run the module; when gradients are to be synchronized, arm the reducer."""
        if self.broadcast_buffers and self._require_sync:
            for b in self.module.buffers():
                self._dist.broadcast(b.detach(), src=self._dist.get_global_rank(
                    self.process_group, 0), group=self.process_group)
        out = self.module(*inputs, **kwargs)
        from ...autograd.grad_mode import is_grad_enabled
        if self._require_sync and is_grad_enabled():
            self.reducer.prepare(out)
        else:
            self.reducer.disarm()
        return out

    @contextlib.contextmanager
    def no_sync(self):
        """Inside this context backward only accumulates gradients locally."""
        previous = self._require_sync
        self._require_sync = False
        try:
            yield
        finally:
            self._require_sync = previous
