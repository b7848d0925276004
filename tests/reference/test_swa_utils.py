"""optim.swa_utils against torch's: averaged models (equal-weight and EMA), the SWA
learning-rate schedule and batch-norm re-estimation."""
import numpy as np
import pytest

torch = pytest.importorskip("torch", reason="differential tests need PyTorch as the reference")

import ember  # noqa: E402

_rng = np.random.default_rng(11)
STATES = [(_rng.standard_normal((3, 4)), _rng.standard_normal(3)) for _ in range(6)]


def _models(lib):
    """A model with a batch norm (so there are buffers) in both frameworks."""
    return lib.nn.Sequential(lib.nn.Linear(4, 3), lib.nn.BatchNorm1d(3))


def _load(lib, model, weight, bias, step):
    with lib.no_grad():
        model[0].weight.copy_(lib.tensor(weight, dtype=lib.float32))
        model[0].bias.copy_(lib.tensor(bias, dtype=lib.float32))
        model[1].running_mean.fill_(0.1 * step)


def _average(lib, **kw):
    model = _models(lib)
    averaged = lib.optim.swa_utils.AveragedModel(model, **kw)
    for step, (w, b) in enumerate(STATES):
        _load(lib, model, w, b, step)
        averaged.update_parameters(model)
    return averaged


@pytest.mark.parametrize("kind", ["swa", "ema-avg_fn", "ema-multi", "swa-buffers"])
def test_averaged_model_matches_torch(kind):
    def kwargs(lib):
        su = lib.optim.swa_utils
        return {"swa": {}, "ema-avg_fn": {"avg_fn": su.get_ema_avg_fn(0.9)},
                "ema-multi": {"multi_avg_fn": su.get_ema_multi_avg_fn(0.8)},
                "swa-buffers": {"use_buffers": True}}[kind]
    e, t = _average(ember, **kwargs(ember)), _average(torch, **kwargs(torch))
    esd, tsd = e.state_dict(), t.state_dict()
    assert list(esd) == list(tsd)
    for key in tsd:
        assert str(esd[key].dtype) == str(tsd[key].dtype), key
        np.testing.assert_allclose(esd[key].numpy(), tsd[key].numpy(), rtol=1e-6, atol=1e-7,
                                   err_msg=key)


def test_averaged_model_forwards_to_its_copy():
    e = _average(ember)
    x = ember.randn(5, 4)
    e.eval()
    assert ember.equal(e(x), e.module(x))


def test_invalid_decay_and_both_fns_are_refused_like_torch():
    for lib in (ember, torch):
        with pytest.raises(ValueError, match=r"Invalid decay value 1.5 provided"):
            lib.optim.swa_utils.get_ema_avg_fn(1.5)
        with pytest.raises(AssertionError, match="Only one of avg_fn and multi_avg_fn"):
            su = lib.optim.swa_utils
            su.AveragedModel(_models(lib), avg_fn=su.get_swa_avg_fn(),
                             multi_avg_fn=su.get_swa_multi_avg_fn())


@pytest.mark.parametrize("kw", [dict(swa_lr=0.05), dict(swa_lr=[0.05, 0.01], anneal_epochs=3,
                                                         anneal_strategy="linear"),
                                dict(swa_lr=0.2, anneal_epochs=0)])
def test_swalr_schedule_matches_torch(kw):
    rates = {}
    for lib in (ember, torch):
        params = [lib.zeros(1, requires_grad=True), lib.zeros(1, requires_grad=True)]
        opt = lib.optim.SGD([{"params": [params[0]]}, {"params": [params[1]], "lr": 0.3}],
                            lr=0.5)
        sched = lib.optim.swa_utils.SWALR(opt, **kw)
        seen = []
        for _ in range(15):
            opt.step()
            sched.step()
            seen.append(sched.get_last_lr())
        rates[lib.__name__] = seen
        state = sched.state_dict()
        assert "anneal_func" not in state and "optimizer" not in state
    np.testing.assert_allclose(rates["ember"], rates["torch"], rtol=1e-12)


def test_swalr_bad_arguments_raise_torchs_errors():
    for lib in (ember, torch):
        opt = lib.optim.SGD([lib.zeros(1, requires_grad=True)], lr=0.1)
        with pytest.raises(ValueError, match="anneal_strategy must be one of 'cos' or 'linear'"):
            lib.optim.swa_utils.SWALR(opt, swa_lr=0.1, anneal_strategy="exp")
        with pytest.raises(ValueError, match="anneal_epochs must be equal or greater than 0"):
            lib.optim.swa_utils.SWALR(opt, swa_lr=0.1, anneal_epochs=-1)


def test_update_bn_matches_torch():
    batches = [_rng.standard_normal((8, 4)) for _ in range(3)]
    stats = {}
    for lib in (ember, torch):
        model = _models(lib)
        _load(lib, model, *STATES[0], step=5)
        loader = [(lib.tensor(b, dtype=lib.float32), 0) for b in batches]
        model.eval()
        lib.optim.swa_utils.update_bn(loader, model)
        assert not model.training and model[1].momentum == 0.1
        stats[lib.__name__] = (model[1].running_mean.numpy().copy(),
                               model[1].running_var.numpy().copy(),
                               int(model[1].num_batches_tracked))
    for e, t in zip(stats["ember"], stats["torch"]):
        np.testing.assert_allclose(e, t, rtol=1e-5, atol=1e-6)
