"""Memory-format conversions of convolution weights. ember keeps every tensor in one
(row-major) layout, so these return the module unchanged, as PyTorch does on layouts that
need no change."""
from __future__ import annotations

__all__ = ["convert_conv2d_weight_memory_format", "convert_conv3d_weight_memory_format"]


def convert_conv2d_weight_memory_format(module, memory_format):
    """Return ``module`` (its convolution weights are already usable in any format)."""
    return module


def convert_conv3d_weight_memory_format(module, memory_format):
    """Return ``module`` (its convolution weights are already usable in any format)."""
    return module
