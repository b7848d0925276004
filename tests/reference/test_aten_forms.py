"""torch.X forms of nn.functional ops (ATen argument orders, numeric reductions) and the
function forms of in-place tensor methods, against torch."""
import warnings

import numpy as np
import pytest

torch = pytest.importorskip("torch", reason="differential tests need PyTorch as the reference")

import ember  # noqa: E402

_rng = np.random.default_rng(0)
X = _rng.standard_normal((2, 3, 4, 4))
W, B = _rng.standard_normal(3), _rng.standard_normal(3)

CASES = [
    ("batch_norm", lambda L, x, w, b: L.batch_norm(
        x, w, b, L.zeros(3, dtype=L.float64), L.ones(3, dtype=L.float64), True, 0.1, 1e-5,
        False), [X, W, B]),
    ("instance_norm", lambda L, x, w, b: L.instance_norm(x, w, b, None, None, True, 0.1, 1e-5,
                                                         False), [X, W, B]),
    ("layer_norm", lambda L, x: L.layer_norm(x, [4, 4]), [X]),
    ("group_norm", lambda L, x, w, b: L.group_norm(x, 3, w, b), [X, W, B]),
    ("embedding", lambda L, t: L.embedding(t, L.tensor([[0, 2], [1, 1]])),
     [_rng.standard_normal((3, 4))]),
    ("embedding_padding", lambda L, t: L.embedding(t, L.tensor([0, 2, 1]), 1),
     [_rng.standard_normal((3, 4))]),
    ("conv2d", lambda L, x, w: L.conv2d(x, w, None, 1, 1), [X, _rng.standard_normal((2, 3, 3,
                                                                                     3))]),
    ("max_pool2d", lambda L, x: L.max_pool2d(x, 2), [X]),
    ("max_pool1d_with_indices", lambda L, x: L.max_pool1d_with_indices(x[0], 2), [X]),
    ("avg_pool1d", lambda L, x: L.avg_pool1d(x[0], 2), [X]),
    ("adaptive_max_pool1d", lambda L, x: L.adaptive_max_pool1d(x[0], 2), [X]),
    ("kl_div", lambda L, x: L.kl_div(x.log_softmax(1), x.softmax(1)), [X]),
    ("kl_div_mean", lambda L, x: L.kl_div(x.log_softmax(1), x.softmax(1), 1), [X]),
    ("kl_div_sum", lambda L, x: L.kl_div(x.log_softmax(1), x.softmax(1).log(), 2, log_target=True), [X]),
    ("bce_logits_sum", lambda L, x: L.binary_cross_entropy_with_logits(
        x, (x > 0).double(), None, None, 2), [X]),
    ("hinge_embedding_loss", lambda L, x: L.hinge_embedding_loss(x, (x > 0).double() * 2 - 1,
                                                                 1.0, 0), [X]),
    ("triplet_margin_loss", lambda L, x: L.triplet_margin_loss(x[0, 0], x[0, 1], x[1, 0]),
     [X]),
    ("triplet_margin_loss_mean", lambda L, x: L.triplet_margin_loss(
        x[0, 0], x[0, 1], x[1, 0], 1.0, 2, 1e-6, False, 1), [X]),
    ("cosine_embedding_loss", lambda L, x: L.cosine_embedding_loss(
        x[0, 0], x[0, 1], L.tensor([1.0, -1.0, 1.0, -1.0], dtype=L.float64)), [X]),
    ("margin_ranking_loss", lambda L, x: L.margin_ranking_loss(
        x[0, 0, 0], x[0, 1, 0], L.tensor([1.0, -1.0, 1.0, -1.0], dtype=L.float64), 0.5, 2),
     [X]),
    ("ctc_loss", lambda L, x: L.ctc_loss(
        x[0].reshape(3, 4, 4).log_softmax(2), L.tensor([[1, 2], [1, 1], [3, 2], [2, 1]]),
        [3, 3, 3, 3], [2, 2, 2, 2], 0, 1, False), [X]),
    ("grid_sampler", lambda L, x, g: L.grid_sampler(x, g, 0, 1, False),
     [X, _rng.uniform(-1, 1, (2, 3, 3, 2))]),
    ("affine_grid_generator", lambda L, t: L.affine_grid_generator(t, [2, 3, 4, 5], False),
     [_rng.standard_normal((2, 2, 3))]),
    ("constant_pad_nd", lambda L, x: L.constant_pad_nd(x, [1, 2], 3.0), [X]),
    ("pixel_shuffle", lambda L, x: L.pixel_shuffle(x.reshape(2, 12, 2, 2), 2), [X]),
    ("pdist", lambda L, x: L.pdist(x[0, 0]), [X]),
    ("rrelu_eval", lambda L, x: L.rrelu(x), [X]),
]


@pytest.mark.parametrize("name,call,args", CASES, ids=[c[0] for c in CASES])
def test_aten_forms_match_torch(name, call, args):
    res = []
    for lib in (ember, torch):
        ts = [lib.tensor(a, requires_grad=True) for a in args]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            out = call(lib, *ts)
        outs = list(out) if isinstance(out, tuple) else [out]
        floats = [o for o in outs if o.is_floating_point()]
        sum(o.sum() for o in floats).backward()
        res.append([o.detach().cpu().numpy() for o in outs] + [t.grad.cpu().numpy() for t in ts])
    for e, t in zip(*res):
        assert e.shape == t.shape
        np.testing.assert_allclose(e, t, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("name", ["abs_", "neg_", "sigmoid_", "zero_", "clamp_", "trunc_",
                                  "fill_", "nan_to_num_"])
def test_in_place_function_forms_match_torch(name):
    args = {"clamp_": (-0.5, 0.5), "fill_": (2.0,)}.get(name, ())
    res = []
    for lib in (ember, torch):
        t = lib.tensor(X.copy())
        out = getattr(lib, name)(t, *args)
        assert out is t
        res.append(t.cpu().numpy())
    np.testing.assert_allclose(res[0], res[1], rtol=1e-12)


def test_lazy_state_queries_match_torch():
    for lib in (ember, torch):
        t = lib.tensor(X)
        assert (lib.is_conj(t), t.is_neg(), lib.is_inference(t)) == (False, False, False)
        assert lib.resolve_conj(t) is t or lib.equal(lib.resolve_conj(t), t)
        assert lib.conj_physical(t) is t
        assert lib.equal(lib.fill(t, 1.5), lib.full_like(t, 1.5))
