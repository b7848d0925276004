"""RoI Align (Mask R-CNN): average bilinear samples over each bin of each region."""
from __future__ import annotations

import math

import numpy as np

import ember
from ember import nn

from ._roi import pair, rois_as_tensor

__all__ = ["roi_align", "RoIAlign"]


def _axis_weights(start: float, length: float, bins: int, grid: int, size: int) -> np.ndarray:
    """(bins, size) matrix: row b averages the bilinear samples of bin b along one axis."""
    out = np.zeros((bins, size))
    if grid <= 0:
        return out
    step = length / bins
    for b in range(bins):
        for i in range(grid):
            p = start + b * step + (i + 0.5) * step / grid
            if p < -1.0 or p > size:
                continue
            p = max(p, 0.0)
            low = int(p)
            if low >= size - 1:
                out[b, size - 1] += 1.0 / grid
                continue
            frac = p - low
            out[b, low] += (1.0 - frac) / grid
            out[b, low + 1] += frac / grid
    return out


def roi_align(input, boxes, output_size, spatial_scale: float = 1.0,
              sampling_ratio: int = -1, aligned: bool = False):
    """Pool each region of ``boxes`` (K, 5 tensor or a list of per-image (L, 4) tensors,
    in input coordinates before ``spatial_scale``) from ``input`` (N, C, H, W) into a
    (K, C, *output_size) tensor by averaging bilinearly interpolated samples."""
    if input.ndim != 4:
        raise RuntimeError(f"roi_align expects a 4-D input (N, C, H, W), got {tuple(input.shape)}")
    rois = rois_as_tensor(boxes)
    ph, pw = pair(output_size)
    height, width = input.shape[-2:]
    offset = 0.5 if aligned else 0.0
    rows = rois.detach().cpu().numpy().astype(np.float64)
    outs = []
    for b, x1, y1, x2, y2 in rows:
        sx, sy = x1 * spatial_scale - offset, y1 * spatial_scale - offset
        rw, rh = x2 * spatial_scale - offset - sx, y2 * spatial_scale - offset - sy
        if not aligned:
            rw, rh = max(rw, 1.0), max(rh, 1.0)
        gh = sampling_ratio if sampling_ratio > 0 else math.ceil(rh / ph)
        gw = sampling_ratio if sampling_ratio > 0 else math.ceil(rw / pw)
        ay = ember.tensor(_axis_weights(sy, rh, ph, gh, height), dtype=input.dtype,
                          device=input.device)
        ax = ember.tensor(_axis_weights(sx, rw, pw, gw, width).T, dtype=input.dtype,
                          device=input.device)
        outs.append(ay @ input[int(b)] @ ax)
    if not outs:
        return input.new_zeros((0, input.shape[1], ph, pw))
    return ember.stack(outs)


class RoIAlign(nn.Module):
    """Module form of :func:`roi_align`."""

    def __init__(self, output_size, spatial_scale: float, sampling_ratio: int,
                 aligned: bool = False):
        super().__init__()
        self.output_size = output_size
        self.spatial_scale = spatial_scale
        self.sampling_ratio = sampling_ratio
        self.aligned = aligned

    def forward(self, input, rois):
        """RoI Align of ``rois`` over ``input``."""
        return roi_align(input, rois, self.output_size, self.spatial_scale,
                         self.sampling_ratio, self.aligned)

    def __repr__(self):
        return (f"{type(self).__name__}(output_size={self.output_size}, "
                f"spatial_scale={self.spatial_scale}, sampling_ratio={self.sampling_ratio}, "
                f"aligned={self.aligned})")
