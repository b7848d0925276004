"""Operations on boxes stored as (N, 4) tensors (``torchvision.ops.boxes``)."""
from __future__ import annotations

import numpy as np

import ember

__all__ = ["nms", "batched_nms", "remove_small_boxes", "clip_boxes_to_image", "box_convert",
           "box_area", "box_iou", "generalized_box_iou", "masks_to_boxes"]


def _check_boxes(boxes, name: str = "boxes") -> None:
    if boxes.ndim != 2 or boxes.shape[-1] != 4:
        raise RuntimeError(f"{name} should have shape (N, 4), got {tuple(boxes.shape)}")


def _nms_keep(boxes: np.ndarray, scores: np.ndarray, iou_threshold: float) -> np.ndarray:
    order = np.argsort(-scores, kind="stable")
    x1, y1, x2, y2 = boxes.T
    areas = (x2 - x1) * (y2 - y1)
    suppressed = np.zeros(len(boxes), dtype=bool)
    keep = []
    for pos, i in enumerate(order):
        if suppressed[i]:
            continue
        keep.append(i)
        rest = order[pos + 1:]
        w = np.clip(np.minimum(x2[i], x2[rest]) - np.maximum(x1[i], x1[rest]), 0, None)
        h = np.clip(np.minimum(y2[i], y2[rest]) - np.maximum(y1[i], y1[rest]), 0, None)
        inter = w * h
        iou = inter / (areas[i] + areas[rest] - inter)
        suppressed[rest[iou > iou_threshold]] = True
    return np.asarray(keep, dtype=np.int64)


def nms(boxes, scores, iou_threshold: float):
    """Indices (int64, by decreasing score) of the boxes kept by greedy non-maximum
    suppression: a box is dropped when its IoU with a kept higher-scoring box exceeds
    ``iou_threshold``. Boxes are (x1, y1, x2, y2)."""
    _check_boxes(boxes)
    if scores.ndim != 1 or scores.shape[0] != boxes.shape[0]:
        raise RuntimeError(f"scores should have shape ({boxes.shape[0]},), "
                           f"got {tuple(scores.shape)}")
    keep = _nms_keep(np.asarray(boxes.detach().cpu().numpy(), dtype=np.float64),
                     np.asarray(scores.detach().cpu().numpy(), dtype=np.float64),
                     float(iou_threshold))
    return ember.from_numpy(keep).to(boxes.device)


def batched_nms(boxes, scores, idxs, iou_threshold: float):
    """Non-maximum suppression run separately for each category in ``idxs``; the kept
    indices come back sorted by decreasing score."""
    _check_boxes(boxes)
    if boxes.shape[0] == 0:
        return ember.empty((0,), dtype=ember.int64, device=boxes.device)
    b = np.asarray(boxes.detach().cpu().numpy(), dtype=np.float64)
    s = np.asarray(scores.detach().cpu().numpy(), dtype=np.float64)
    cat = idxs.detach().cpu().numpy()
    keep = []
    for c in np.unique(cat):
        members = np.nonzero(cat == c)[0]
        keep.append(members[_nms_keep(b[members], s[members], float(iou_threshold))])
    keep = np.concatenate(keep)
    keep = keep[np.argsort(-s[keep], kind="stable")]
    return ember.from_numpy(keep.astype(np.int64)).to(boxes.device)


def remove_small_boxes(boxes, min_size: float):
    """Indices of the boxes whose width and height are both at least ``min_size``."""
    _check_boxes(boxes)
    ws = boxes[:, 2] - boxes[:, 0]
    hs = boxes[:, 3] - boxes[:, 1]
    return ember.where((ws >= min_size) & (hs >= min_size))[0]


def clip_boxes_to_image(boxes, size):
    """Clamp (x1, y1, x2, y2) boxes to an image of ``size`` = (height, width)."""
    if boxes.shape[-1] != 4:
        raise RuntimeError(f"boxes should have 4 coordinates in the last dimension, "
                           f"got {tuple(boxes.shape)}")
    height, width = size
    x = boxes[..., 0::2].clamp(min=0, max=width)
    y = boxes[..., 1::2].clamp(min=0, max=height)
    return ember.stack((x, y), dim=boxes.ndim).reshape(boxes.shape)


def _to_xyxy(boxes, fmt: str):
    a, b, c, d = boxes.unbind(-1)
    if fmt == "xyxy":
        return boxes
    if fmt == "xywh":
        return ember.stack((a, b, a + c, b + d), dim=-1)
    return ember.stack((a - 0.5 * c, b - 0.5 * d, a + 0.5 * c, b + 0.5 * d), dim=-1)


def _from_xyxy(boxes, fmt: str):
    x1, y1, x2, y2 = boxes.unbind(-1)
    if fmt == "xyxy":
        return boxes
    if fmt == "xywh":
        return ember.stack((x1, y1, x2 - x1, y2 - y1), dim=-1)
    return ember.stack(((x1 + x2) / 2, (y1 + y2) / 2, x2 - x1, y2 - y1), dim=-1)


def box_convert(boxes, in_fmt: str, out_fmt: str):
    """Convert boxes between the 'xyxy', 'xywh' and 'cxcywh' formats."""
    allowed = ("xyxy", "xywh", "cxcywh")
    if in_fmt not in allowed or out_fmt not in allowed:
        raise ValueError("Unsupported Bounding Box Conversions for given in_fmt and out_fmt")
    if in_fmt == out_fmt:
        return boxes.clone()
    return _from_xyxy(_to_xyxy(boxes, in_fmt), out_fmt)


def box_area(boxes):
    """Area of each (x1, y1, x2, y2) box."""
    return (boxes[:, 2] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 1])


def _inter_union(boxes1, boxes2):
    area1 = box_area(boxes1)
    area2 = box_area(boxes2)
    lt = ember.maximum(boxes1[:, None, :2], boxes2[None, :, :2])
    rb = ember.minimum(boxes1[:, None, 2:], boxes2[None, :, 2:])
    wh = (rb - lt).clamp(min=0)
    inter = wh[:, :, 0] * wh[:, :, 1]
    return inter, area1[:, None] + area2[None, :] - inter


def box_iou(boxes1, boxes2):
    """(N, M) matrix of intersection over union between two sets of xyxy boxes."""
    _check_boxes(boxes1, "boxes1")
    _check_boxes(boxes2, "boxes2")
    inter, union = _inter_union(boxes1, boxes2)
    return inter / union


def generalized_box_iou(boxes1, boxes2):
    """(N, M) matrix of generalised IoU: IoU minus the share of the enclosing box that the
    union leaves empty."""
    _check_boxes(boxes1, "boxes1")
    _check_boxes(boxes2, "boxes2")
    inter, union = _inter_union(boxes1, boxes2)
    lt = ember.minimum(boxes1[:, None, :2], boxes2[None, :, :2])
    rb = ember.maximum(boxes1[:, None, 2:], boxes2[None, :, 2:])
    wh = (rb - lt).clamp(min=0)
    hull = wh[:, :, 0] * wh[:, :, 1]
    return inter / union - (hull - union) / hull


def masks_to_boxes(masks):
    """The tight xyxy box around the nonzero pixels of each (H, W) mask in ``masks``."""
    arr = masks.detach().cpu().numpy()
    out = np.zeros((arr.shape[0], 4), dtype=np.float32)
    for i, m in enumerate(arr):
        ys, xs = np.nonzero(m)
        if len(xs):
            out[i] = (xs.min(), ys.min(), xs.max(), ys.max())
    return ember.from_numpy(out).to(masks.device)
