"""DataParallel: the single-process multi-device wrapper.

ember runs the wrapped module on the first of its devices (the CPU when no GPU is there),
which gives the results PyTorch's scatter/replicate/gather would give; the wrapper keeps
PyTorch's attributes and its ``module.`` prefix in state dicts, so code and checkpoints
written for it work unchanged.
"""
from __future__ import annotations

from ... import cuda
from ..._device import device as _device
from ..modules.module import Module

__all__ = ["DataParallel", "data_parallel"]


def _device_ids(device_ids) -> list:
    if device_ids is None:
        return list(range(cuda.device_count()))
    return [d.index if hasattr(d, "index") else int(d) for d in device_ids]


class DataParallel(Module):
    """Wrap ``module`` for data-parallel use; ``forward`` runs it on the first device and
    the wrapped module stays reachable as ``.module``."""

    def __init__(self, module: Module, device_ids=None, output_device=None, dim: int = 0):
        super().__init__()
        self.module = module
        self.dim = dim
        if not cuda.is_available():
            self.device_ids = []
            self.output_device = None
            self.src_device_obj = _device("cpu")
            return
        self.device_ids = _device_ids(device_ids)
        self.output_device = self.device_ids[0] if output_device is None else \
            _device_ids([output_device])[0]
        self.src_device_obj = _device("cuda", self.device_ids[0])
        self.module.to(self.src_device_obj)

    def forward(self, *inputs, **kwargs):
        """Move the inputs to the module's device and run it there."""
        if self.device_ids:
            inputs = tuple(_to(x, self.src_device_obj) for x in inputs)
            kwargs = {k: _to(v, self.src_device_obj) for k, v in kwargs.items()}
        return self.module(*inputs, **kwargs)


def _to(value, device):
    """``value`` with every tensor in it (through lists, tuples and dicts) on ``device``."""
    if hasattr(value, "to") and hasattr(value, "device"):
        return value.to(device)
    if isinstance(value, (list, tuple)):
        return type(value)(_to(v, device) for v in value)
    if isinstance(value, dict):
        return {k: _to(v, device) for k, v in value.items()}
    return value


def data_parallel(module: Module, inputs, device_ids=None, output_device=None, dim: int = 0,
                  module_kwargs=None):
    """Run ``module(*inputs)`` as :class:`DataParallel` would (functional form)."""
    if not isinstance(inputs, tuple):
        inputs = (inputs,)
    wrapper = DataParallel(module, device_ids, output_device, dim)
    return wrapper(*inputs, **(module_kwargs or {}))
