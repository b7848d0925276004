"""The ``torch.nn.modules.batchnorm`` path: its layers live in ``normalization.py``."""
from .normalization import BatchNorm1d, BatchNorm2d, BatchNorm3d  # noqa: F401
from .lazy import LazyBatchNorm1d, LazyBatchNorm2d, LazyBatchNorm3d  # noqa: F401

__all__ = ["BatchNorm1d", "BatchNorm2d", "BatchNorm3d", "LazyBatchNorm1d", "LazyBatchNorm2d",
           "LazyBatchNorm3d"]
