"""Shared handling of the region boxes that roi_align and roi_pool take."""
from __future__ import annotations

import ember


def rois_as_tensor(boxes):
    """(K, 5) rows of (batch index, x1, y1, x2, y2) from either that tensor or a list of
    per-image (L, 4) tensors."""
    if isinstance(boxes, (list, tuple)):
        for b in boxes:
            if b.ndim != 2 or b.shape[1] != 4:
                raise AssertionError("The shape of the tensor in the boxes list is not correct "
                                     "as List[Tensor[L, 4]]")
        idx = [ember.full((b.shape[0], 1), i, dtype=b.dtype, device=b.device)
               for i, b in enumerate(boxes)]
        return ember.cat([ember.cat(idx, 0), ember.cat(list(boxes), 0)], 1)
    if boxes.ndim != 2 or boxes.shape[1] != 5:
        raise AssertionError("The boxes tensor shape is not correct as Tensor[K, 5]")
    return boxes


def pair(output_size) -> tuple[int, int]:
    """``output_size`` as (height, width)."""
    if isinstance(output_size, int):
        return output_size, output_size
    return int(output_size[0]), int(output_size[1])
