"""torchvision.ops: box operations and region pooling against plain NumPy references written
from the documented semantics, plus the shared model layers."""
import math

import numpy as np
import pytest

import ember
from ember.vision import ops

rng = np.random.default_rng(0)


def random_boxes(n, scale=20.0):
    xy = rng.random((n, 2)) * scale
    wh = rng.random((n, 2)) * scale / 2 + 0.5
    return np.concatenate([xy, xy + wh], 1).astype(np.float32)


def ref_iou(a, b):
    out = np.zeros((len(a), len(b)))
    for i, p in enumerate(a):
        for j, q in enumerate(b):
            w = max(0.0, min(p[2], q[2]) - max(p[0], q[0]))
            h = max(0.0, min(p[3], q[3]) - max(p[1], q[1]))
            inter = w * h
            union = (p[2] - p[0]) * (p[3] - p[1]) + (q[2] - q[0]) * (q[3] - q[1]) - inter
            out[i, j] = inter / union
    return out


def ref_nms(boxes, scores, thr):
    order = sorted(range(len(boxes)), key=lambda i: -scores[i])
    keep = []
    for i in order:
        if all(ref_iou(boxes[i:i + 1], boxes[k:k + 1])[0, 0] <= thr for k in keep):
            keep.append(i)
    return keep


def test_box_iou_area_and_gradient():
    a, b = random_boxes(7), random_boxes(5)
    np.testing.assert_allclose(ops.box_iou(ember.tensor(a), ember.tensor(b)).numpy(),
                               ref_iou(a, b), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(ops.box_area(ember.tensor(a)).numpy(),
                               (a[:, 2] - a[:, 0]) * (a[:, 3] - a[:, 1]), rtol=1e-6)
    t = ember.tensor(a.astype(np.float64), requires_grad=True)
    ops.box_iou(t, ember.tensor(b.astype(np.float64))).sum().backward()
    assert t.grad.shape == (7, 4)
    with pytest.raises(RuntimeError, match=r"shape \(N, 4\)"):
        ops.box_iou(ember.zeros(3, 3), ember.zeros(2, 4))


@pytest.mark.parametrize("thr", [0.2, 0.5, 0.8])
def test_nms_matches_reference(thr):
    boxes = random_boxes(40)
    scores = rng.random(40).astype(np.float32)
    keep = ops.nms(ember.tensor(boxes), ember.tensor(scores), thr)
    assert keep.dtype == ember.int64
    assert keep.tolist() == ref_nms(boxes, scores, thr)


def test_batched_nms_is_per_category():
    boxes = random_boxes(30)
    scores = rng.random(30).astype(np.float32)
    cats = rng.integers(0, 3, 30)
    keep = ops.batched_nms(ember.tensor(boxes), ember.tensor(scores), ember.tensor(cats), 0.3)
    expected = []
    for c in range(3):
        idx = np.nonzero(cats == c)[0]
        expected += [idx[k] for k in ref_nms(boxes[idx], scores[idx], 0.3)]
    expected.sort(key=lambda i: -scores[i])
    assert keep.tolist() == expected
    assert ops.batched_nms(ember.zeros(0, 4), ember.zeros(0), ember.zeros(0), 0.5).shape == (0,)


def test_box_convert_clip_and_remove_small():
    b = ember.tensor([[1.0, 2.0, 5.0, 10.0]])
    assert ops.box_convert(b, "xyxy", "xywh").tolist() == [[1.0, 2.0, 4.0, 8.0]]
    assert ops.box_convert(b, "xyxy", "cxcywh").tolist() == [[3.0, 6.0, 4.0, 8.0]]
    for fmt in ("xywh", "cxcywh"):
        back = ops.box_convert(ops.box_convert(b, "xyxy", fmt), fmt, "xyxy")
        assert back.tolist() == b.tolist()
    with pytest.raises(ValueError):
        ops.box_convert(b, "xyxy", "polar")
    clipped = ops.clip_boxes_to_image(ember.tensor([[-3.0, 2.0, 50.0, 70.0]]), (40, 30))
    assert clipped.tolist() == [[0.0, 2.0, 30.0, 40.0]]
    small = ember.tensor([[0, 0, 1, 5], [0, 0, 3, 3], [0, 0, 2, 0.5]])
    assert ops.remove_small_boxes(small, 2.0).tolist() == [1]


def ref_bilinear(img, y, x):
    h, w = img.shape[-2:]
    if y < -1.0 or y > h or x < -1.0 or x > w:
        return np.zeros(img.shape[0])
    y, x = max(y, 0.0), max(x, 0.0)
    y0, x0 = int(y), int(x)
    if y0 >= h - 1:
        y0 = y1 = h - 1
        y = float(y0)
    else:
        y1 = y0 + 1
    if x0 >= w - 1:
        x0 = x1 = w - 1
        x = float(x0)
    else:
        x1 = x0 + 1
    ly, lx = y - y0, x - x0
    return ((1 - ly) * (1 - lx) * img[:, y0, x0] + (1 - ly) * lx * img[:, y0, x1]
            + ly * (1 - lx) * img[:, y1, x0] + ly * lx * img[:, y1, x1])


def ref_roi_align(feat, rois, out, scale, ratio, aligned):
    res = np.zeros((len(rois), feat.shape[1], out, out))
    off = 0.5 if aligned else 0.0
    for r, (b, x1, y1, x2, y2) in enumerate(rois):
        sx, sy = x1 * scale - off, y1 * scale - off
        rw, rh = x2 * scale - off - sx, y2 * scale - off - sy
        if not aligned:
            rw, rh = max(rw, 1.0), max(rh, 1.0)
        bh, bw = rh / out, rw / out
        gh = ratio if ratio > 0 else math.ceil(rh / out)
        gw = ratio if ratio > 0 else math.ceil(rw / out)
        for ph in range(out):
            for pw in range(out):
                acc = np.zeros(feat.shape[1])
                for iy in range(gh):
                    for ix in range(gw):
                        y = sy + ph * bh + (iy + 0.5) * bh / gh
                        x = sx + pw * bw + (ix + 0.5) * bw / gw
                        acc += ref_bilinear(feat[int(b)], y, x)
                res[r, :, ph, pw] = acc / max(gh * gw, 1)
    return res


@pytest.mark.parametrize("ratio,aligned,scale", [(-1, False, 1.0), (2, True, 0.5),
                                                 (-1, True, 0.25)])
def test_roi_align_matches_reference(ratio, aligned, scale):
    feat = rng.standard_normal((2, 3, 10, 12))
    rois = np.array([[0, 1.0, 1.5, 8.0, 7.0], [1, -2.0, 3.0, 30.0, 12.0],
                     [1, 4.0, 4.0, 4.5, 4.2], [0, 0.0, 0.0, 48.0, 40.0]])
    got = ops.roi_align(ember.tensor(feat), ember.tensor(rois), 3, scale, ratio, aligned)
    np.testing.assert_allclose(got.numpy(), ref_roi_align(feat, rois, 3, scale, ratio, aligned),
                               rtol=1e-9, atol=1e-12)


def test_roi_align_list_boxes_and_gradient():
    feat = ember.tensor(rng.standard_normal((2, 2, 6, 6)), requires_grad=True)
    boxes = [ember.tensor([[0.5, 0.5, 4.0, 5.0]], dtype=ember.float64),
             ember.tensor([[1.0, 0.0, 5.5, 3.0]], dtype=ember.float64)]
    out = ops.RoIAlign(2, 1.0, 2)(feat, boxes)
    weights = rng.standard_normal(out.shape)
    (out * ember.tensor(weights)).sum().backward()
    # the output is linear in the input: the gradient is the same linear map's transpose
    eps, base = 1e-6, feat.detach().numpy().copy()
    idx = (1, 0, 1, 2)
    bumped = base.copy()
    bumped[idx] += eps
    out2 = ops.roi_align(ember.tensor(bumped), boxes, 2, 1.0, 2).numpy()
    numeric = ((out2 - out.detach().numpy()) * weights).sum() / eps
    assert abs(numeric - feat.grad.numpy()[idx]) < 1e-5


def test_roi_pool_matches_reference():
    feat = rng.standard_normal((1, 2, 8, 8))
    rois = np.array([[0, 1.0, 1.0, 6.0, 4.0], [0, 0.0, 0.0, 7.0, 7.0]])
    got = ops.roi_pool(ember.tensor(feat), ember.tensor(rois), (2, 2), 1.0).numpy()
    for r, (_, x1, y1, x2, y2) in enumerate(rois):
        xs, ys, xe, ye = int(round(x1)), int(round(y1)), int(round(x2)), int(round(y2))
        h, w = ye - ys + 1, xe - xs + 1
        for ph in range(2):
            for pw in range(2):
                h0, h1 = ys + math.floor(ph * h / 2), ys + math.ceil((ph + 1) * h / 2)
                w0, w1 = xs + math.floor(pw * w / 2), xs + math.ceil((pw + 1) * w / 2)
                np.testing.assert_allclose(got[r, :, ph, pw],
                                           feat[0, :, h0:h1, w0:w1].max(axis=(1, 2)))


def test_feature_pyramid_network():
    fpn = ops.FeaturePyramidNetwork([4, 8, 16], 6,
                                    extra_blocks=ops.feature_pyramid_network.LastLevelMaxPool())
    assert "inner_blocks.0.0.weight" in fpn.state_dict()
    assert tuple(fpn.state_dict()["layer_blocks.2.0.weight"].shape) == (6, 6, 3, 3)
    x = {"a": ember.randn(1, 4, 16, 16), "b": ember.randn(1, 8, 8, 8),
         "c": ember.randn(1, 16, 4, 4)}
    out = fpn(x)
    assert list(out) == ["a", "b", "c", "pool"]
    assert [tuple(v.shape) for v in out.values()] == [(1, 6, 16, 16), (1, 6, 8, 8),
                                                      (1, 6, 4, 4), (1, 6, 2, 2)]


def test_misc_layers():
    block = ops.Conv2dNormActivation(3, 8, kernel_size=3, stride=2)
    assert [type(m).__name__ for m in block] == ["Conv2d", "BatchNorm2d", "ReLU"]
    assert block[0].padding == (1, 1) and block[0].bias is None and block.out_channels == 8
    assert ops.Conv2dNormActivation(3, 8, norm_layer=None)[0].bias is not None
    se = ops.SqueezeExcitation(8, 2)
    x = ember.randn(2, 8, 5, 5)
    scale = ember.sigmoid(se.fc2(ember.relu(se.fc1(x.mean((2, 3), keepdim=True)))))
    np.testing.assert_allclose(se(x).detach().numpy(), (x * scale).detach().numpy(), rtol=1e-5)
    mlp = ops.MLP(4, [8, 3], dropout=0.1)
    assert [type(m).__name__ for m in mlp] == ["Linear", "ReLU", "Dropout", "Linear", "Dropout"]
    assert tuple(ops.Permute([0, 2, 3, 1])(x).shape) == (2, 5, 5, 8)
    frozen = ops.FrozenBatchNorm2d(8)
    bn = ember.nn.BatchNorm2d(8).eval()
    with ember.no_grad():
        for t in (bn.running_mean, bn.running_var, bn.weight, bn.bias):
            t.copy_(ember.rand(8) + 0.5)
    state = bn.state_dict()
    frozen.load_state_dict(state)  # num_batches_tracked is accepted and dropped
    np.testing.assert_allclose(frozen(x).numpy(), bn(x).detach().numpy(), rtol=1e-5, atol=1e-6)


def test_stochastic_depth():
    x = ember.ones(1000, 3)
    assert ops.stochastic_depth(x, 0.5, "row", training=False) is x
    y = ops.stochastic_depth(x, 0.3, "row").numpy()
    assert (y == y[:, :1]).all()  # whole rows are kept or dropped
    kept = y[:, 0] != 0
    np.testing.assert_allclose(y[kept], 1 / 0.7, rtol=1e-6)
    assert 0.2 < (y[:, 0] == 0).mean() < 0.4
    z = ops.stochastic_depth(x, 0.5, "batch").numpy()
    assert len(np.unique(z)) == 1
    assert ops.stochastic_depth(x, 1.0, "row").abs().sum().item() == 0
    with pytest.raises(ValueError, match="drop probability"):
        ops.stochastic_depth(x, 1.5, "row")
    with pytest.raises(ValueError, match="mode"):
        ops.StochasticDepth(0.1, "col")(x)
