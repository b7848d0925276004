"""Loss functions (functional and module forms) against torch: values, gradients of inputs
and targets, reductions, options and errors; float64 finite differences."""
import warnings

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

torch = pytest.importorskip("torch", reason="differential tests need PyTorch as the reference")

import ember  # noqa: E402
import ember.nn as enn  # noqa: E402
import ember.nn.functional as EF  # noqa: E402
import torch.nn.functional as TF  # noqa: E402
from helpers import assert_close, check_error, check_op, gradcheck_op  # noqa: E402

REDUCTIONS = ["none", "mean", "sum"]


def _rng(seed=0):
    return np.random.default_rng(seed)


def _f32(*shape, seed=0):
    return _rng(seed).standard_normal(shape).astype(np.float32)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("name,kw", [("mse_loss", {}), ("l1_loss", {}),
                                     ("smooth_l1_loss", {"beta": 0.7}),
                                     ("smooth_l1_loss", {"beta": 0.0}),
                                     ("huber_loss", {"delta": 0.6})])
@settings(max_examples=15, deadline=None)
@given(shape=st.lists(st.integers(1, 4), min_size=1, max_size=3), seed=st.integers(0, 50))
def test_regression_losses_match_torch(name, kw, reduction, shape, seed):
    check_op(lambda x, y: getattr(EF, name)(x, y, reduction=reduction, **kw),
             lambda x, y: getattr(TF, name)(x, y, reduction=reduction, **kw),
             _f32(*shape, seed=seed), _f32(*shape, seed=seed + 1))


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_soft_margin_loss_matches_torch(reduction):
    y = np.sign(_f32(3, 4, seed=1))  # torch does not differentiate w.r.t. the target
    check_op(lambda x: EF.soft_margin_loss(x, ember.tensor(y), reduction=reduction),
             lambda x: TF.soft_margin_loss(x, torch.tensor(y), reduction=reduction), _f32(3, 4))


@pytest.mark.parametrize("name", ["mse_loss", "l1_loss", "huber_loss"])
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_weighted_regression_losses_match_torch(name, reduction):
    w = np.abs(_f32(3, 4, seed=5))
    check_op(lambda x, y, w: getattr(EF, name)(x, y, reduction=reduction, weight=w),
             lambda x, y, w: getattr(TF, name)(x, y, reduction=reduction, weight=w),
             _f32(3, 4), _f32(3, 4, seed=1), w)


def test_mse_size_mismatch_warns_like_torch():
    with pytest.warns(UserWarning, match=r"Using a target size \(torch.Size\(\[3\]\)\) that is "
                                         r"different to the input size \(torch.Size\(\[3, 1\]\)\)"):
        EF.mse_loss(ember.zeros(3, 1), ember.zeros(3))


def test_invalid_reduction_error_matches_torch():
    check_error(lambda x, y: EF.mse_loss(x, y, reduction="foo"),
                lambda x, y: TF.mse_loss(x, y, reduction="foo"), _f32(2), _f32(2))


def test_legacy_size_average_reduce_give_torchs_reduction():
    x, y = _f32(3, 2), _f32(3, 2, seed=1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for sa, rd in [(False, None), (None, False), (True, True)]:
            check_op(lambda a, b: EF.mse_loss(a, b, size_average=sa, reduce=rd),
                     lambda a, b: TF.mse_loss(a, b, size_average=sa, reduce=rd), x, y)
            assert enn.L1Loss(sa, rd).reduction == torch.nn.L1Loss(sa, rd).reduction


def _ce_case(shape_kind, seed):
    rng = _rng(seed)
    n, c = 4, 5
    shape = {"1d": (c,), "2d": (n, c), "kd": (n, c, 3, 2)}[shape_kind]
    x = rng.standard_normal(shape).astype(np.float32) * 3
    tshape = () if shape_kind == "1d" else (shape[0],) + shape[2:]
    t = rng.integers(0, c, tshape).astype(np.int64)
    return x, t, c


@pytest.mark.parametrize("shape_kind", ["1d", "2d", "kd"])
@pytest.mark.parametrize("reduction", REDUCTIONS)
@settings(max_examples=10, deadline=None)
@given(seed=st.integers(0, 100), weighted=st.booleans(), smoothing=st.sampled_from([0.0, 0.3]),
       ignore=st.booleans())
def test_cross_entropy_class_indices_matches_torch(shape_kind, reduction, seed, weighted,
                                                    smoothing, ignore):
    x, t, c = _ce_case(shape_kind, seed)
    if ignore and t.ndim:
        t.reshape(-1)[0] = -100
    w = _rng(seed).uniform(0.5, 2.0, c).astype(np.float32) if weighted else None

    def fn(F, lib):  # torch does not differentiate w.r.t. the class weights
        weight = None if w is None else lib.tensor(w)
        return lambda x, t: F.cross_entropy(x, t, weight, reduction=reduction,
                                            label_smoothing=smoothing)
    check_op(fn(EF, ember), fn(TF, torch), x, t, atol=1e-5)


@pytest.mark.parametrize("shape_kind", ["2d", "kd"])
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_cross_entropy_probability_targets_match_torch(shape_kind, reduction):
    x, _, c = _ce_case(shape_kind, 3)
    p = TF.softmax(torch.tensor(_f32(*x.shape, seed=4)), 1).numpy()
    w = _rng(1).uniform(0.5, 2.0, c).astype(np.float32)
    for weighted, kw in [(False, {}), (True, {"label_smoothing": 0.2})]:
        ew, tw = (ember.tensor(w), torch.tensor(w)) if weighted else (None, None)
        check_op(lambda x, p: EF.cross_entropy(x, p, ew, reduction=reduction, **kw),
                 lambda x, p: TF.cross_entropy(x, p, tw, reduction=reduction, **kw), x, p)


def test_cross_entropy_is_stable_for_huge_logits():
    x = np.array([[1e4, 0.0, -1e4], [-1e4, 1e4, 0.0]], dtype=np.float32)
    check_op(EF.cross_entropy, TF.cross_entropy, x, np.array([0, 2]))


def test_cross_entropy_all_ignored_mean_is_nan_like_torch():
    check_op(EF.cross_entropy, TF.cross_entropy, _f32(3, 4), np.full(3, -100))


def test_cross_entropy_finite_differences():
    x, t, c = _ce_case("kd", 7)
    w = _rng(2).uniform(0.5, 2.0, c)
    gradcheck_op(lambda x: EF.cross_entropy(x, ember.tensor(t), ember.tensor(w),
                                            label_smoothing=0.2), x.astype(np.float64))
    p = _rng(3).dirichlet(np.ones(c), (4,))
    gradcheck_op(EF.cross_entropy, x[:, :, 0, 0].astype(np.float64), p)


@pytest.mark.parametrize("target", [np.array([1, 5, 2]), np.array([1, -1, 2]),
                                    np.array([1.0, 2.0, 2.0], np.float32),
                                    np.array([1, 2, 2], np.int32), np.array([1, 2]),
                                    np.zeros((3, 4), np.float32)])
def test_cross_entropy_target_errors_match_torch(target):
    check_error(EF.cross_entropy, TF.cross_entropy, _f32(3, 5), target)


def test_cross_entropy_weight_and_smoothing_errors_match_torch():
    check_error(lambda x, t, w: EF.cross_entropy(x, t, w),
                lambda x, t, w: TF.cross_entropy(x, t, w),
                _f32(3, 4), np.array([1, 2, 3]), np.ones(3, np.float32))
    check_error(lambda x, t: EF.cross_entropy(x, t, label_smoothing=1.5),
                lambda x, t: TF.cross_entropy(x, t, label_smoothing=1.5),
                _f32(3, 4), np.array([1, 2, 3]))


def test_nll_loss_kd_target_shape_error_matches_torch():
    check_error(EF.nll_loss, TF.nll_loss, _f32(2, 3, 4), np.zeros((2, 3), np.int64))


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_nll_loss_matches_torch_and_finite_differences(reduction):
    x = TF.log_softmax(torch.tensor(_f32(4, 3, 2)), 1).numpy()
    t = np.array([[0, 2], [1, -100], [2, 2], [0, 1]])
    w = np.array([0.5, 1.0, 2.0], np.float32)
    check_op(lambda x, t: EF.nll_loss(x, t, ember.tensor(w), reduction=reduction),
             lambda x, t: TF.nll_loss(x, t, torch.tensor(w), reduction=reduction), x, t)
    gradcheck_op(lambda x: EF.nll_loss(x, ember.tensor(t), reduction=reduction),
                 x.astype(np.float64))


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_bce_matches_torch_including_saturation(reduction):
    p = np.array([[0.0, 0.3, 1.0], [0.999, 0.5, 1e-8]], dtype=np.float32)
    t = np.array([[0.0, 1.0, 0.5], [1.0, 0.2, 0.0]], dtype=np.float32)
    w = np.array([1.0, 2.0, 0.5], dtype=np.float32)
    check_op(lambda p, t: EF.binary_cross_entropy(p, t, reduction=reduction),
             lambda p, t: TF.binary_cross_entropy(p, t, reduction=reduction), p, t,
             grad_atol=1e-2, grad_rtol=1e-4)
    check_op(lambda p, t: EF.binary_cross_entropy(p, t, ember.tensor(w), reduction=reduction),
             lambda p, t: TF.binary_cross_entropy(p, t, torch.tensor(w), reduction=reduction),
             np.full((2, 3), 0.4, np.float32), t)


def test_bce_finite_differences():
    gradcheck_op(EF.binary_cross_entropy, _rng(0).uniform(0.1, 0.9, (3, 4)),
                 _rng(1).uniform(0, 1, (3, 4)))


def test_bce_errors_match_torch():
    check_error(EF.binary_cross_entropy, TF.binary_cross_entropy,
                np.full(3, 0.5, np.float32), np.zeros(4, np.float32))
    check_error(EF.binary_cross_entropy, TF.binary_cross_entropy,
                np.full(3, 1.5, np.float32), np.zeros(3, np.float32))


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_bce_with_logits_matches_torch(reduction):
    x = _f32(4, 3) * 30
    t = _rng(1).uniform(0, 1, (4, 3)).astype(np.float32)
    w = np.array([1.0, 2.0, 0.5], dtype=np.float32)
    pw = np.array([3.0, 0.5, 1.0], dtype=np.float32)
    # torch does not differentiate w.r.t. weight and pos_weight
    check_op(lambda x, t: EF.binary_cross_entropy_with_logits(
                 x, t, ember.tensor(w), reduction=reduction, pos_weight=ember.tensor(pw)),
             lambda x, t: TF.binary_cross_entropy_with_logits(
                 x, t, torch.tensor(w), reduction=reduction, pos_weight=torch.tensor(pw)), x, t)
    gradcheck_op(lambda x, t: EF.binary_cross_entropy_with_logits(x, t, reduction=reduction),
                 x / 10, t)


def test_bce_with_logits_size_error_matches_torch():
    check_error(EF.binary_cross_entropy_with_logits, TF.binary_cross_entropy_with_logits,
                _f32(3), _f32(4))


@pytest.mark.parametrize("reduction", ["none", "sum", "batchmean", "mean"])
@pytest.mark.parametrize("log_target", [False, True])
def test_kl_div_matches_torch(reduction, log_target):
    x = TF.log_softmax(torch.tensor(_f32(3, 4)), 1).numpy()
    t = TF.softmax(torch.tensor(_f32(3, 4, seed=1)), 1).numpy()
    t[0, 0] = 0.0
    if log_target:
        t = np.log(t + 1e-3)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        check_op(lambda x, t: EF.kl_div(x, t, reduction=reduction, log_target=log_target),
                 lambda x, t: TF.kl_div(x, t, reduction=reduction, log_target=log_target), x, t)


def test_margin_losses_match_torch():
    a, b = _f32(5, 4), _f32(5, 4, seed=1)
    y = np.array([1, -1, 1, -1, -1], np.float32)
    for reduction in REDUCTIONS:
        check_op(lambda a, b, y: EF.cosine_embedding_loss(a, b, y, 0.2, reduction=reduction),
                 lambda a, b, y: TF.cosine_embedding_loss(a, b, y, 0.2, reduction=reduction),
                 a, b, y)
        check_op(lambda a, b, y: EF.margin_ranking_loss(a, b, y, 0.3, reduction=reduction),
                 lambda a, b, y: TF.margin_ranking_loss(a, b, y, 0.3, reduction=reduction),
                 a[:, 0], b[:, 0], y)
        check_op(lambda a, y: EF.hinge_embedding_loss(a, y, 0.5, reduction=reduction),
                 lambda a, y: TF.hinge_embedding_loss(a, y, 0.5, reduction=reduction),
                 a[:, 0], y)


@pytest.mark.parametrize("swap", [False, True])
@pytest.mark.parametrize("p", [1.0, 2.0])
def test_triplet_margin_loss_matches_torch(swap, p):
    a, b, c = _f32(5, 4), _f32(5, 4, seed=1), _f32(5, 4, seed=2)
    check_op(lambda a, b, c: EF.triplet_margin_loss(a, b, c, margin=0.5, p=p, swap=swap),
             lambda a, b, c: TF.triplet_margin_loss(a, b, c, margin=0.5, p=p, swap=swap),
             a, b, c)


def test_multilabel_soft_margin_loss_matches_torch():
    x = _f32(4, 3)
    t = (_rng(1).uniform(size=(4, 3)) > 0.5).astype(np.float32)
    w = np.array([1.0, 0.5, 2.0], np.float32)
    for reduction in REDUCTIONS:
        check_op(lambda x, t, w: EF.multilabel_soft_margin_loss(x, t, w, reduction=reduction),
                 lambda x, t, w: TF.multilabel_soft_margin_loss(x, t, w, reduction=reduction),
                 x, t, w)


@pytest.mark.parametrize("log_input,full", [(True, False), (False, True), (True, True)])
def test_poisson_nll_loss_matches_torch(log_input, full):
    x = np.abs(_f32(4, 3)) + 0.1
    # (no zero targets: torch's Stirling term then has a 0 * log(0) = nan target gradient)
    t = _rng(1).integers(1, 5, (4, 3)).astype(np.float32)
    check_op(lambda x, t: EF.poisson_nll_loss(x, t, log_input=log_input, full=full),
             lambda x, t: TF.poisson_nll_loss(x, t, log_input=log_input, full=full), x, t)


@pytest.mark.parametrize("var_shape", [(4, 3), (4,), (4, 1)])
def test_gaussian_nll_loss_matches_torch(var_shape):
    x, t = _f32(4, 3), _f32(4, 3, seed=1)
    v = np.abs(_f32(*var_shape, seed=2))
    v.reshape(-1)[0] = 1e-9  # clamped to eps, as torch does
    for reduction in REDUCTIONS:
        check_op(lambda x, t, v: EF.gaussian_nll_loss(x, t, v, full=True, reduction=reduction),
                 lambda x, t, v: TF.gaussian_nll_loss(x, t, v, full=True, reduction=reduction),
                 x, t, v, grad_rtol=1e-3)


def test_loss_modules_match_functional_and_register_weight_buffers():
    w = ember.tensor([1.0, 2.0, 3.0])
    e = enn.CrossEntropyLoss(weight=w, ignore_index=1, label_smoothing=0.1)
    t = torch.nn.CrossEntropyLoss(weight=torch.tensor([1.0, 2.0, 3.0]), ignore_index=1,
                                  label_smoothing=0.1)
    assert list(e.state_dict()) == list(t.state_dict()) == ["weight"]
    assert repr(e) == repr(t)
    x, y = _f32(4, 3), np.array([0, 1, 2, 2])
    assert_close(e(ember.tensor(x), ember.tensor(y)), t(torch.tensor(x), torch.tensor(y)))
    pw = enn.BCEWithLogitsLoss(pos_weight=ember.ones(3))
    assert list(pw.state_dict()) == list(torch.nn.BCEWithLogitsLoss(
        pos_weight=torch.ones(3)).state_dict())


@pytest.mark.parametrize("name,args", [
    ("MSELoss", ()), ("L1Loss", ()), ("SmoothL1Loss", ()), ("HuberLoss", ()),
    ("KLDivLoss", ()), ("BCEWithLogitsLoss", ())])
def test_pairwise_loss_modules_match_torch(name, args):
    x, y = _f32(3, 4), np.abs(_f32(3, 4, seed=1)) / 4
    e = getattr(enn, name)(reduction="sum")
    t = getattr(torch.nn, name)(reduction="sum")
    assert_close(e(ember.tensor(x), ember.tensor(y)), t(torch.tensor(x), torch.tensor(y)))
