"""utils.checkpoint against torch.utils.checkpoint: the same values and gradients as the
block run plainly, dropout replayed with the same mask, and torch's warnings and errors."""
import warnings

import numpy as np
import pytest

torch = pytest.importorskip("torch", reason="differential tests need PyTorch as the reference")

import ember  # noqa: E402

_rng = np.random.default_rng(0)
W1, B1 = _rng.standard_normal((8, 4)), _rng.standard_normal(8)
W2, B2 = _rng.standard_normal((3, 8)), _rng.standard_normal(3)
X = _rng.standard_normal((5, 4))


def _layers(lib):
    l1, l2 = lib.nn.Linear(4, 8).double(), lib.nn.Linear(8, 3).double()
    with lib.no_grad():
        for layer, w, b in ((l1, W1, B1), (l2, W2, B2)):
            layer.weight.copy_(lib.tensor(w))
            layer.bias.copy_(lib.tensor(b))
    return l1, l2


def _run(lib, mode, x_requires_grad):
    l1, l2 = _layers(lib)
    x = lib.tensor(X, requires_grad=x_requires_grad)

    def block(h, scale=1.0):
        return lib.tanh(l2(lib.relu(l1(h)))) * scale
    if mode == "plain":
        y = block(x)
    else:
        y = lib.utils.checkpoint.checkpoint(block, x, use_reentrant=(mode == "reentrant"))
    if not y.requires_grad:
        return y.detach().numpy(), None, None
    (y ** 2).sum().backward()
    return (y.detach().numpy(), l1.weight.grad.numpy(),
            x.grad.numpy() if x_requires_grad else None)


@pytest.mark.parametrize("mode", ["reentrant", "non-reentrant"])
@pytest.mark.parametrize("x_requires_grad", [True, False])
def test_checkpoint_matches_torch_and_the_plain_block(mode, x_requires_grad):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        e, t = _run(ember, mode, x_requires_grad), _run(torch, mode, x_requires_grad)
        plain = _run(ember, "plain", x_requires_grad)
    for a, b in zip(e, t):
        assert (a is None) == (b is None)
        if a is not None:
            np.testing.assert_allclose(a, b, rtol=1e-12)
    if e[1] is not None:
        for a, b in zip(e, plain):
            if a is not None:  # recomputed, so equal up to BLAS's summation order
                np.testing.assert_allclose(a, b, rtol=1e-13, atol=1e-15)


def test_checkpoint_replays_dropout_with_the_same_mask():
    ember.manual_seed(0)
    x = ember.randn(64, 32, requires_grad=True)
    drop = ember.nn.Dropout(0.5)
    y = ember.utils.checkpoint.checkpoint(lambda h: drop(h) * h, x, use_reentrant=False)
    y.sum().backward()
    kept = (y.detach() != 0)
    # d(drop(h) * h)/dh = 2 * h * mask / (1 - p): zero exactly where the forward dropped
    np.testing.assert_array_equal((x.grad != 0).numpy(), kept.numpy())
    np.testing.assert_allclose(x.grad.numpy()[kept.numpy()],
                               (4 * x.detach()).numpy()[kept.numpy()], rtol=1e-6)


def test_checkpoint_warnings_and_errors_follow_torch():
    for lib in (ember, torch):
        x = lib.randn(3, requires_grad=True)
        with pytest.warns(UserWarning, match="use_reentrant parameter should be passed"):
            lib.utils.checkpoint.checkpoint(lambda a: a.sin(), x)
        with pytest.raises(ValueError, match="Unexpected keyword arguments: scale"):
            lib.utils.checkpoint.checkpoint(lambda a, scale=1: a * scale, x,
                                            use_reentrant=True, scale=2)
        out = lib.utils.checkpoint.checkpoint(lambda a, scale=1: a * scale, x,
                                              use_reentrant=False, scale=2)
        assert out.requires_grad


def test_checkpoint_sequential_matches_the_plain_model():
    grads = []
    for use_ckpt in (True, False):
        ember.manual_seed(3)
        model = ember.nn.Sequential(*[ember.nn.Linear(6, 6) for _ in range(4)])
        x = ember.randn(2, 6, requires_grad=True)
        y = ember.utils.checkpoint.checkpoint_sequential(model, 2, x, use_reentrant=True) \
            if use_ckpt else model(x)
        y.sum().backward()
        grads.append((y.detach().numpy(), x.grad.numpy(), model[0].weight.grad.numpy()))
    for a, b in zip(*grads):
        np.testing.assert_array_equal(a, b)
