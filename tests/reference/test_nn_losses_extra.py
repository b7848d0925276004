"""Margin losses, the triplet loss with a custom distance and CTC against torch: values,
gradients (finite differences in float64 too) and errors."""
import numpy as np
import pytest

torch = pytest.importorskip("torch", reason="differential tests need PyTorch as the reference")

import ember  # noqa: E402

_rng = np.random.default_rng(21)


def _both(fn, arrays, ints=(), grad=True):
    """fn(lib, *tensors) in both frameworks: outputs and input gradients."""
    out = {}
    for lib in (ember, torch):
        ts = [lib.tensor(a, requires_grad=grad) for a in arrays] + [lib.tensor(i) for i in ints]
        y = fn(lib, *ts)
        if grad:
            y.sum().backward()
        out[lib.__name__] = (y.detach().numpy(), [t.grad.numpy() for t in ts[:len(arrays)]]
                             if grad else [])
    return out["ember"], out["torch"]


def _close(e, t, rtol=1e-10, atol=1e-12):
    np.testing.assert_allclose(e[0], t[0], rtol=rtol, atol=atol)
    for a, b in zip(e[1], t[1]):
        np.testing.assert_allclose(a, b, rtol=rtol, atol=atol)


@pytest.mark.parametrize("p", [1, 2])
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("weighted", [False, True])
def test_multi_margin_loss_matches_torch(p, reduction, weighted):
    x, y = _rng.standard_normal((5, 4)), _rng.integers(0, 4, 5)
    w = np.linspace(0.5, 2.0, 4)

    def fn(lib, x, y):
        weight = lib.tensor(w) if weighted else None
        return lib.nn.MultiMarginLoss(p=p, margin=0.8, weight=weight, reduction=reduction)(x, y)
    _close(*_both(fn, [x], [y]))


def test_multi_margin_loss_of_one_sample_matches_torch():
    x = _rng.standard_normal(4)
    _close(*_both(lambda lib, x, y: lib.nn.functional.multi_margin_loss(x, y, reduction="none"),
                  [x], [np.int64(2)]))


def test_multilabel_margin_loss_matches_torch():
    x = _rng.standard_normal((4, 5))
    y = np.array([[3, 0, -1, 1, 1], [4, 3, 2, 1, 0], [-1, 2, 2, 2, 2], [1, 1, -1, 0, 0]])
    for reduction in ("mean", "sum", "none"):
        _close(*_both(lambda lib, x, y: lib.nn.MultiLabelMarginLoss(reduction=reduction)(x, y),
                      [x], [y]))


@pytest.mark.parametrize("swap", [False, True])
def test_triplet_margin_with_distance_loss_matches_torch(swap):
    a, p, n = (_rng.standard_normal((6, 3)) for _ in range(3))

    def fn(lib, a, p, n):
        dist = lambda u, v: 1.0 - lib.nn.functional.cosine_similarity(u, v)  # noqa: E731
        default = lib.nn.TripletMarginWithDistanceLoss(swap=swap)(a, p, n)
        custom = lib.nn.TripletMarginWithDistanceLoss(distance_function=dist, margin=0.5,
                                                      swap=swap, reduction="sum")(a, p, n)
        return default + custom
    _close(*_both(fn, [a, p, n]), rtol=1e-9)


def test_margin_loss_errors_match_torch():
    cases = [
        lambda lib: lib.nn.MultiMarginLoss(p=3),
        lambda lib: lib.nn.TripletMarginWithDistanceLoss(margin=0.0),
        lambda lib: lib.nn.functional.triplet_margin_with_distance_loss(
            lib.zeros(2, 3), lib.zeros(3), lib.zeros(2, 3)),
    ]
    for case in cases:
        with pytest.raises((ValueError, RuntimeError)) as t_err:
            case(torch)
        with pytest.raises((ValueError, RuntimeError)) as e_err:
            case(ember)
        assert type(e_err.value) is type(t_err.value)
        assert str(e_err.value) == str(t_err.value)


def _ctc_case(T=10, N=3, C=5, S=4, seed=0):
    rng = np.random.default_rng(seed)
    logits = rng.standard_normal((T, N, C))
    targets = rng.integers(1, C, (N, S))
    targets[0, 1] = targets[0, 0]  # a repeated label needs a blank between
    return logits, targets, np.array([T, T - 2, 6])[:N], np.array([S, 2, 3])[:N]


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_ctc_loss_matches_torch_through_log_softmax(reduction, dtype):
    logits, targets, il, tl = _ctc_case()
    res = {}
    for lib in (ember, torch):
        x = lib.tensor(logits, dtype=getattr(lib, dtype), requires_grad=True)
        lp = lib.nn.functional.log_softmax(x, 2)
        lp.retain_grad()
        loss = lib.nn.CTCLoss(reduction=reduction)(lp, lib.tensor(targets), lib.tensor(il),
                                                  lib.tensor(tl))
        loss.sum().backward()
        assert str(loss.dtype).endswith(dtype)
        res[lib.__name__] = (loss.detach().numpy(), x.grad.numpy(), lp.grad.numpy())
    tol = dict(rtol=1e-10, atol=1e-12) if dtype == "float64" else dict(rtol=1e-4, atol=1e-5)
    for e, t in zip(res["ember"], res["torch"]):
        np.testing.assert_allclose(e, t, **tol)


def test_ctc_loss_with_concatenated_targets_and_one_sample_matches_torch():
    logits, targets, il, tl = _ctc_case()
    flat = np.concatenate([targets[i, :k] for i, k in enumerate(tl)])
    values = {}
    for lib in (ember, torch):
        lp = lib.nn.functional.log_softmax(lib.tensor(logits), 2)
        batched = lib.nn.functional.ctc_loss(lp, lib.tensor(flat), tuple(il), tuple(tl))
        single = lib.nn.functional.ctc_loss(lp[:, 0], lib.tensor(targets[0]),
                                            lib.tensor(il[0]), lib.tensor(tl[0]),
                                            reduction="none")
        values[lib.__name__] = (batched.item(), single.shape, single.item())
    assert values["ember"][1] == values["torch"][1]
    np.testing.assert_allclose(values["ember"][0], values["torch"][0], rtol=1e-10)
    np.testing.assert_allclose(values["ember"][2], values["torch"][2], rtol=1e-10)


def test_ctc_loss_impossible_alignment_is_inf_or_zeroed_like_torch():
    logits = _rng.standard_normal((3, 1, 4))
    targets = np.array([[1, 2, 3, 1]])  # 4 labels cannot fit in 3 frames
    for zero_infinity in (False, True):
        out = {}
        for lib in (ember, torch):
            x = lib.tensor(logits, requires_grad=True)
            lp = lib.nn.functional.log_softmax(x, 2)
            loss = lib.nn.functional.ctc_loss(lp, lib.tensor(targets), [3], [4],
                                              zero_infinity=zero_infinity)
            out[lib.__name__] = loss.item()
            if zero_infinity:
                loss.backward()
                out[lib.__name__ + "grad"] = x.grad.numpy()
        assert out["ember"] == out["torch"]
        if zero_infinity:
            np.testing.assert_array_equal(out["embergrad"], out["torchgrad"])


def test_ctc_loss_gradient_matches_finite_differences_through_log_softmax():
    logits, targets, il, tl = _ctc_case(T=6, N=2, C=4, S=2, seed=3)
    x = ember.tensor(logits, requires_grad=True)

    def f(x):
        lp = ember.nn.functional.log_softmax(x, 2)
        return ember.nn.functional.ctc_loss(lp, ember.tensor(targets), tuple(il[:2]),
                                            tuple(tl[:2]))
    assert ember.autograd.gradcheck(f, (x,))


def test_ctc_loss_refuses_numpy_lengths_like_torch():
    logits, targets, il, tl = _ctc_case()
    for lib in (ember, torch):
        lp = lib.nn.functional.log_softmax(lib.tensor(logits), 2)
        with pytest.raises(TypeError, match="input_lengths"):
            lib.nn.functional.ctc_loss(lp, lib.tensor(targets), il, tl)
