"""The ``torch.nn.modules.batchnorm`` path: BatchNorm1d/2d/3d live in ``normalization.py``;
``SyncBatchNorm`` is here: batch normalisation whose statistics cover the whole batch split
across the ranks of a process group (``torch.distributed``, on MPI)."""
from __future__ import annotations

from ..._tensor import Tensor
from ...autograd.function import Function
from .lazy import LazyBatchNorm1d, LazyBatchNorm2d, LazyBatchNorm3d  # noqa: F401
from .normalization import BatchNorm1d, BatchNorm2d, BatchNorm3d, _BatchNorm  # noqa: F401

__all__ = ["BatchNorm1d", "BatchNorm2d", "BatchNorm3d", "LazyBatchNorm1d", "LazyBatchNorm2d",
           "LazyBatchNorm3d", "SyncBatchNorm"]


def _all_reduce(t: Tensor, group) -> Tensor:
    from ... import distributed as dist
    dist.all_reduce(t, group=group)
    return t


class _SyncBatchNormFunction(Function):
    """Normalise with the group's mean and variance; backward sums the two reductions the
    input gradient needs over the group (the weight and bias gradients stay local sums,
    as in torch: DistributedDataParallel averages them)."""

    @staticmethod
    def forward(ctx, x, weight, bias, running_mean, running_var, eps, momentum, group):
        dims = [0] + list(range(2, x.dim()))
        shape = [1, -1] + [1] * (x.dim() - 2)
        from ... import cat, tensor
        count = tensor([float(x.numel() // x.shape[1])], dtype=x.dtype)
        stats = _all_reduce(cat([x.sum(dims), (x * x).sum(dims), count]), group)
        c = x.shape[1]
        n = stats[-1]
        mean = stats[:c] / n
        var = (stats[c:2 * c] / n - mean * mean).clamp(min=0)
        if running_mean is not None:
            running_mean.mul_(1 - momentum).add_(mean, alpha=momentum)
        if running_var is not None:
            running_var.mul_(1 - momentum).add_(var * n / (n - 1).clamp(min=1), alpha=momentum)
        invstd = (var + eps).rsqrt()
        xhat = (x - mean.reshape(shape)) * invstd.reshape(shape)
        ctx.save_for_backward(xhat, weight, invstd)
        ctx.dims, ctx.shape, ctx.n, ctx.group = dims, shape, n, group
        out = xhat
        if weight is not None:
            out = out * weight.reshape(shape)
        if bias is not None:
            out = out + bias.reshape(shape)
        return out

    @staticmethod
    def backward(ctx, grad):
        xhat, weight, invstd = ctx.saved_tensors
        dims, shape = ctx.dims, ctx.shape
        from ... import cat
        sum_dy, sum_dy_xhat = grad.sum(dims), (grad * xhat).sum(dims)
        c = sum_dy.shape[0]
        total = _all_reduce(cat([sum_dy, sum_dy_xhat]), ctx.group) / ctx.n
        mean_dy, mean_dy_xhat = total[:c].reshape(shape), total[c:].reshape(shape)
        scale = invstd if weight is None else invstd * weight
        grad_x = (grad - mean_dy - xhat * mean_dy_xhat) * scale.reshape(shape)
        grad_w = sum_dy_xhat if weight is not None and ctx.needs_input_grad[1] else None
        grad_b = sum_dy if ctx.needs_input_grad[2] else None
        return grad_x, grad_w, grad_b, None, None, None, None, None


class SyncBatchNorm(_BatchNorm):
    """Batch normalisation over an (N, C, +) input with statistics from the whole process
    group's batch in training; a plain batch norm in eval mode, alone, or without an
    initialised process group."""

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float = 0.1,
                 affine: bool = True, track_running_stats: bool = True, process_group=None,
                 device=None, dtype=None) -> None:
        super().__init__(num_features, eps, momentum, affine, track_running_stats, device,
                         dtype)
        self.process_group = process_group

    def _check_input_dim(self, input: Tensor) -> None:
        if input.dim() < 2:
            raise ValueError(f"expected at least 2D input (got {input.dim()}D input)")

    def _check_non_zero_input_channels(self, input: Tensor) -> None:
        if input.size(1) == 0:
            raise ValueError("SyncBatchNorm number of input channels should be non-zero")

    def _group_size(self) -> int:
        from ... import distributed as dist
        if not (dist.is_available() and dist.is_initialized()):
            return 1
        return dist.get_world_size(self.process_group)

    def forward(self, input: Tensor) -> Tensor:
        self._check_non_zero_input_channels(input)
        if not (self.training and self._group_size() > 1):
            return super().forward(input)
        self._check_input_dim(input)
        factor = 0.0 if self.momentum is None else self.momentum
        if self.track_running_stats and self.num_batches_tracked is not None:
            self.num_batches_tracked.add_(1)
            if self.momentum is None:
                factor = 1.0 / float(self.num_batches_tracked.item())
        keep = self.track_running_stats
        return _SyncBatchNormFunction.apply(
            input, self.weight, self.bias, self.running_mean if keep else None,
            self.running_var if keep else None, self.eps, factor, self.process_group)

    @classmethod
    def convert_sync_batchnorm(cls, module, process_group=None):
        """``module`` with every batch-norm layer in it replaced by a ``SyncBatchNorm`` that
        keeps its parameters, statistics and mode (the module itself if it is one)."""
        out = module
        if isinstance(module, _BatchNorm) and not isinstance(module, SyncBatchNorm):
            out = cls(module.num_features, module.eps, module.momentum, module.affine,
                      module.track_running_stats, process_group)
            if module.affine:
                from ...autograd import grad_mode
                with grad_mode.no_grad():
                    out.weight = module.weight
                    out.bias = module.bias
            out.running_mean = module.running_mean
            out.running_var = module.running_var
            out.num_batches_tracked = module.num_batches_tracked
            out.training = module.training
        for name, child in module.named_children():
            out.add_module(name, cls.convert_sync_batchnorm(child, process_group))
        return out
