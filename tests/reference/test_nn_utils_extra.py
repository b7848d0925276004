"""The hook-based weight_norm/spectral_norm, batch-norm fusion, skip_init and the memory
format helpers of nn.utils, against torch's."""

import numpy as np
import pytest

torch = pytest.importorskip("torch", reason="differential tests need PyTorch as the reference")

import ember  # noqa: E402

_rng = np.random.default_rng(4)
W, B, X = _rng.standard_normal((4, 3)), _rng.standard_normal(4), _rng.standard_normal((2, 3))


def _linear(lib):
    m = lib.nn.Linear(3, 4).double()
    with lib.no_grad():
        m.weight.copy_(lib.tensor(W))
        m.bias.copy_(lib.tensor(B))
    return m


@pytest.mark.parametrize("dim", [0, 1, None])
def test_hook_weight_norm_matches_torch(dim):
    res = []
    for lib in (ember, torch):
        with pytest.warns(FutureWarning, match="is deprecated in favor of"):
            m = lib.nn.utils.weight_norm(_linear(lib), dim=dim)
        y = m(lib.tensor(X))
        (y ** 2).sum().backward()
        keys = list(m.state_dict())
        m = lib.nn.utils.remove_weight_norm(m)
        res.append((keys, list(m.state_dict()),
                    [y.detach().numpy(), m.weight.detach().numpy()]))
    (ek, ek2, ev), (tk, tk2, tv) = res
    assert ek == tk and ek2 == tk2
    for a, b in zip(ev, tv):
        np.testing.assert_allclose(a, b, rtol=1e-12)


def test_hook_spectral_norm_matches_torch():
    res = []
    for lib in (ember, torch):
        m = lib.nn.utils.spectral_norm(_linear(lib), n_power_iterations=2)
        with lib.no_grad():
            m.weight_u.copy_(lib.tensor(np.full(4, 0.5)))
            m.weight_v.copy_(lib.tensor(np.full(3, 3 ** -0.5)))
        y = m(lib.tensor(X))
        (y ** 2).sum().backward()
        res.append((list(m.state_dict()), [y.detach().numpy(), m.weight_orig.grad.numpy(),
                                           m.weight_u.numpy()]))
        m.eval()
        res.append((None, [m(lib.tensor(X)).detach().numpy()]))
        lib.nn.utils.remove_spectral_norm(m)
        res.append((list(m.state_dict()), []))
    for (ek, ev), (tk, tv) in zip(res[:3], res[3:]):
        assert ek == tk
        for a, b in zip(ev, tv):
            np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("transpose", [False, True])
def test_fuse_conv_bn_eval_matches_the_two_layers_and_torch(transpose):
    x = _rng.standard_normal((2, 3, 6, 6))
    res = []
    for lib in (ember, torch):
        lib.manual_seed(0)
        conv = (lib.nn.ConvTranspose2d(3, 5, 3) if transpose else lib.nn.Conv2d(3, 5, 3)).double()
        bn = lib.nn.BatchNorm2d(5).double()
        with lib.no_grad():
            conv.weight.copy_(lib.tensor(_rng.standard_normal(tuple(conv.weight.shape))))
            bn.running_mean.copy_(lib.tensor(np.linspace(-1, 1, 5)))
            bn.running_var.copy_(lib.tensor(np.linspace(0.5, 2, 5)))
            bn.weight.copy_(lib.tensor(np.linspace(1, 2, 5)))
        conv.eval()
        bn.eval()
        fused = lib.nn.utils.fuse_conv_bn_eval(conv, bn, transpose=transpose)
        xx = lib.tensor(x)
        res.append((fused(xx).detach().numpy(), bn(conv(xx)).detach().numpy()))
    np.testing.assert_allclose(res[0][0], res[0][1], rtol=1e-10, atol=1e-12)


def test_fuse_linear_bn_eval_and_the_training_error_match_torch():
    for lib in (ember, torch):
        lin, bn = _linear(lib), lib.nn.BatchNorm1d(4).double()
        with lib.no_grad():
            bn.running_mean.copy_(lib.tensor(np.linspace(-1, 1, 4)))
            bn.running_var.copy_(lib.tensor(np.linspace(0.5, 2, 4)))
        with pytest.raises(AssertionError, match="Fusion only for eval!"):
            lib.nn.utils.fuse_linear_bn_eval(lin, bn)
        lin.eval()
        bn.eval()
        fused = lib.nn.utils.fuse_linear_bn_eval(lin, bn)
        xx = lib.tensor(X)
        np.testing.assert_allclose(fused(xx).detach().numpy(), bn(lin(xx)).detach().numpy(),
                                   rtol=1e-12)


def test_skip_init_leaves_the_random_stream_alone_like_torch():
    for lib in (ember, torch):
        lib.manual_seed(5)
        expected = lib.rand(3)
        lib.manual_seed(5)
        m = lib.nn.utils.skip_init(lib.nn.Linear, 10, 4)
        assert tuple(m.weight.shape) == (4, 10)
        assert lib.equal(lib.rand(3), expected)
        with pytest.raises(RuntimeError, match="Module must support a 'device' arg"):
            lib.nn.utils.skip_init(lib.nn.ReLU)


def test_memory_format_helpers_keep_the_module_and_its_results():
    m = ember.nn.Sequential(ember.nn.Conv2d(1, 2, 3))
    x = ember.randn(1, 1, 5, 5)
    before = m(x)
    assert ember.nn.utils.convert_conv2d_weight_memory_format(m, ember.channels_last) is m
    assert ember.equal(m(x), before)
