"""autocast and GradScaler against PyTorch's on the CPU."""
import warnings

import numpy as np
import pytest

import ember

torch = pytest.importorskip("torch", reason="the reference tests compare with real PyTorch")


def _train(fw, steps, inject_inf_at=()):
    """A few scaled SGD steps of a tiny linear model; returns (weights, scales)."""
    fw.manual_seed(0)
    w = fw.tensor(np.linspace(-1, 1, 6, dtype=np.float32).reshape(2, 3), requires_grad=True)
    x = fw.tensor(np.arange(12, dtype=np.float32).reshape(4, 3) / 10)
    opt = fw.optim.SGD([w], lr=0.1)
    scaler = fw.amp.GradScaler("cpu", init_scale=1024.0, growth_interval=2)
    scales = []
    for i in range(steps):
        opt.zero_grad()
        with fw.autocast("cpu", dtype=fw.float32):
            loss = (x @ w.T).pow(2).mean()
        scaler.scale(loss).backward()
        if i in inject_inf_at:
            w.grad[0, 0] = float("inf")
        scaler.step(opt)
        scaler.update()
        scales.append(scaler.get_scale())
    return w.detach().numpy().copy(), scales


def test_scaled_training_matches_torch():
    ew, es = _train(ember, 6)
    tw, ts = _train(torch, 6)
    np.testing.assert_allclose(ew, tw, rtol=1e-5, atol=1e-6)
    assert es == ts


def test_inf_gradient_skips_the_step_and_backs_off_like_torch():
    ew, es = _train(ember, 5, inject_inf_at=(1, 2))
    tw, ts = _train(torch, 5, inject_inf_at=(1, 2))
    np.testing.assert_allclose(ew, tw, rtol=1e-5, atol=1e-6)
    assert es == ts


def test_cuda_scaler_without_cuda_disables_itself_with_torchs_warning():
    with pytest.warns(UserWarning, match="CUDA is not available"):
        s = ember.cuda.amp.GradScaler()
    assert not s.is_enabled() and s.get_scale() == 1.0 and s.state_dict() == {}


def test_autocast_keeps_dtypes_and_works_as_decorator():
    @ember.autocast("cpu")
    def f(a):
        return a @ a
    assert f(ember.ones(2, 2)).dtype == ember.float32


def test_state_dict_round_trip():
    s = ember.amp.GradScaler("cpu", init_scale=8.0)
    s2 = ember.amp.GradScaler("cpu")
    s2.load_state_dict(s.state_dict())
    assert s2.get_scale() == 8.0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert set(s.state_dict()) == set(torch.amp.GradScaler("cpu").state_dict())
