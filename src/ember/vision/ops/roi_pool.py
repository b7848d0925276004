"""RoI Pool (Fast R-CNN): the maximum over each bin of each region."""
from __future__ import annotations

import math

import numpy as np

import ember
from ember import nn

from ._roi import pair, rois_as_tensor

__all__ = ["roi_pool", "RoIPool"]


def _round(v: float) -> int:
    # half away from zero, as C's round()
    return int(math.floor(v + 0.5)) if v >= 0 else -int(math.floor(-v + 0.5))


def _bin_edges(start: int, length: int, bins: int, size: int) -> list[tuple[int, int]]:
    step = length / bins
    return [(min(max(math.floor(i * step) + start, 0), size),
             min(max(math.ceil((i + 1) * step) + start, 0), size)) for i in range(bins)]


def roi_pool(input, boxes, output_size, spatial_scale: float = 1.0):
    """Max-pool each region of ``boxes`` (K, 5 tensor or list of (L, 4) tensors) from
    ``input`` (N, C, H, W) into a (K, C, *output_size) tensor; empty bins give 0."""
    if input.ndim != 4:
        raise RuntimeError(f"roi_pool expects a 4-D input (N, C, H, W), got {tuple(input.shape)}")
    rois = rois_as_tensor(boxes)
    ph, pw = pair(output_size)
    height, width = input.shape[-2:]
    outs = []
    for b, x1, y1, x2, y2 in rois.detach().cpu().numpy().astype(np.float64):
        xs, ys = _round(x1 * spatial_scale), _round(y1 * spatial_scale)
        xe, ye = _round(x2 * spatial_scale), _round(y2 * spatial_scale)
        hbins = _bin_edges(ys, max(ye - ys + 1, 1), ph, height)
        wbins = _bin_edges(xs, max(xe - xs + 1, 1), pw, width)
        feat = input[int(b)]
        cells = []
        for h0, h1 in hbins:
            for w0, w1 in wbins:
                if h1 <= h0 or w1 <= w0:
                    cells.append(feat.new_zeros((feat.shape[0],)))
                else:
                    cells.append(feat[:, h0:h1, w0:w1].amax(dim=(1, 2)))
        outs.append(ember.stack(cells, dim=1).reshape(feat.shape[0], ph, pw))
    if not outs:
        return input.new_zeros((0, input.shape[1], ph, pw))
    return ember.stack(outs)


class RoIPool(nn.Module):
    """Module form of :func:`roi_pool`."""

    def __init__(self, output_size, spatial_scale: float):
        super().__init__()
        self.output_size = output_size
        self.spatial_scale = spatial_scale

    def forward(self, input, rois):
        """RoI Pool of ``rois`` over ``input``."""
        return roi_pool(input, rois, self.output_size, self.spatial_scale)

    def __repr__(self):
        return (f"{type(self).__name__}(output_size={self.output_size}, "
                f"spatial_scale={self.spatial_scale})")
