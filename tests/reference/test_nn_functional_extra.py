"""grid_sample / affine_grid, pdist and gumbel_softmax against torch.nn.functional."""
import warnings

import numpy as np
import pytest

torch = pytest.importorskip("torch", reason="differential tests need PyTorch as the reference")

import ember  # noqa: E402

SAMPLE_CASES = [(2, mode, pad, align) for mode in ("bilinear", "nearest", "bicubic")
                for pad in ("zeros", "border", "reflection") for align in (False, True)] + \
               [(3, mode, pad, align) for mode in ("bilinear", "nearest")
                for pad in ("zeros", "border", "reflection") for align in (False, True)]


@pytest.mark.parametrize("n,mode,padding,align", SAMPLE_CASES)
def test_grid_sample_matches_torch_with_gradients(n, mode, padding, align):
    rng = np.random.default_rng(hash((n, mode, padding, align)) % 2**32)
    shape = (2, 3, 5, 6) if n == 2 else (2, 2, 4, 5, 3)
    x = rng.standard_normal(shape)
    g = rng.uniform(-1.3, 1.3, (2, 4, 3, 2) if n == 2 else (2, 3, 2, 4, 3))
    res = []
    for lib in (ember, torch):
        xx, gg = lib.tensor(x, requires_grad=True), lib.tensor(g, requires_grad=True)
        y = lib.nn.functional.grid_sample(xx, gg, mode=mode, padding_mode=padding,
                                          align_corners=align)
        (y * y).sum().backward()
        # nearest sampling does not depend on the grid: torch reports zeros, ember None
        grid_grad = gg.grad.numpy() if gg.grad is not None else np.zeros(g.shape)
        res.append((y.detach().numpy(), xx.grad.numpy(), grid_grad))
    for e, t in zip(*res):
        np.testing.assert_allclose(e, t, rtol=1e-10, atol=1e-12)


def test_grid_sample_gradient_matches_finite_differences():
    rng = np.random.default_rng(3)
    x = ember.tensor(rng.standard_normal((1, 2, 4, 4)), requires_grad=True)
    g = ember.tensor(rng.uniform(-0.9, 0.9, (1, 3, 2, 2)), requires_grad=True)
    for mode in ("bilinear", "bicubic"):
        assert ember.autograd.gradcheck(
            lambda x, g: ember.nn.functional.grid_sample(x, g, mode=mode, align_corners=False),
            (x, g))


@pytest.mark.parametrize("size", [(2, 3, 4, 5), (2, 1, 1, 3), (2, 3, 4, 5, 2)])
@pytest.mark.parametrize("align", [False, True])
def test_affine_grid_matches_torch_with_gradients(size, align):
    n = len(size) - 2
    theta = np.random.default_rng(1).standard_normal((size[0], n, n + 1))
    res = []
    for lib in (ember, torch):
        th = lib.tensor(theta, requires_grad=True)
        grid = lib.nn.functional.affine_grid(th, size, align_corners=align)
        (grid * grid).sum().backward()
        res.append((grid.detach().numpy(), th.grad.numpy()))
    for e, t in zip(*res):
        np.testing.assert_allclose(e, t, rtol=1e-12, atol=1e-12)


def test_default_align_corners_warns_like_torch():
    for lib in (ember, torch):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            lib.nn.functional.grid_sample(lib.zeros(1, 1, 3, 3), lib.zeros(1, 2, 2, 2))
            lib.nn.functional.affine_grid(lib.zeros(1, 2, 3), (1, 1, 2, 2))
        assert len(caught) == 2 and "align_corners=False since 1.3.0" in str(caught[0].message)


@pytest.mark.parametrize("call", [
    lambda lib: lib.nn.functional.affine_grid(lib.zeros(1, 3), (1, 1, 2, 2), align_corners=False),
    lambda lib: lib.nn.functional.affine_grid(lib.zeros(1, 2, 3), (1, 1, 2), align_corners=False),
    lambda lib: lib.nn.functional.grid_sample(lib.zeros(1, 1, 3, 3), lib.zeros(1, 2, 2, 2),
                                              mode="foo", align_corners=False),
    lambda lib: lib.nn.functional.grid_sample(lib.zeros(1, 1, 3, 3), lib.zeros(1, 2, 2, 2),
                                              padding_mode="foo", align_corners=False),
    lambda lib: lib.nn.functional.grid_sample(lib.zeros(1, 1, 3, 3, 3),
                                              lib.zeros(1, 2, 2, 2, 3), mode="bicubic",
                                              align_corners=False),
    lambda lib: lib.nn.functional.grid_sample(lib.zeros(1, 1, 3, 3), lib.zeros(2, 2, 2, 2),
                                              align_corners=False),
    lambda lib: lib.nn.functional.grid_sample(lib.zeros(1, 1, 3, 3), lib.zeros(1, 2, 2, 3),
                                              align_corners=False)])
def test_grid_errors_match_torch(call):
    with pytest.raises((ValueError, RuntimeError, NotImplementedError)) as t_err:
        call(torch)
    with pytest.raises((ValueError, RuntimeError, NotImplementedError)) as e_err:
        call(ember)
    assert type(e_err.value) is type(t_err.value) and str(e_err.value) == str(t_err.value)


@pytest.mark.parametrize("p", [0, 1, 2, 3, 0.5, float("inf")])
def test_pdist_matches_torch_with_gradients(p):
    x = np.random.default_rng(2).standard_normal((5, 3))
    x[3] = x[1]  # a zero distance: its gradient is 0, as in torch
    res = []
    for lib in (ember, torch):
        xx = lib.tensor(x, requires_grad=True)
        y = lib.nn.functional.pdist(xx, p)
        y.sum().backward()
        res.append((y.detach().numpy(), xx.grad.numpy()))
    for e, t in zip(*res):
        np.testing.assert_allclose(e, t, rtol=1e-10, atol=1e-12)


def test_pdist_errors_match_torch():
    for call in (lambda lib: lib.nn.functional.pdist(lib.zeros(2, 2, 2)),
                 lambda lib: lib.nn.functional.pdist(lib.zeros(3, 2), -1.0)):
        with pytest.raises(RuntimeError) as t_err:
            call(torch)
        with pytest.raises(RuntimeError) as e_err:
            call(ember)
        assert str(e_err.value) == str(t_err.value)


@pytest.mark.parametrize("hard", [False, True])
def test_gumbel_softmax_samples_are_distributions_and_differentiable(hard):
    ember.manual_seed(0)
    logits = ember.tensor(np.log([[0.7, 0.2, 0.1]] * 4000), requires_grad=True)
    y = ember.nn.functional.gumbel_softmax(logits, tau=0.5, hard=hard)
    np.testing.assert_allclose(y.sum(-1).detach().numpy(), 1.0, rtol=1e-6)
    if hard:
        assert set(np.unique(y.detach().numpy())) <= {0.0, 1.0}
        # the argmax of logits + Gumbel noise is a sample of the categorical distribution
        np.testing.assert_allclose(y.detach().numpy().mean(0), [0.7, 0.2, 0.1], atol=0.03)
    (y[:, 0]).sum().backward()
    assert logits.grad is not None and np.isfinite(logits.grad.numpy()).all()
    assert float(logits.grad.abs().sum()) > 0
