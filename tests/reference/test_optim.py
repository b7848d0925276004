"""Optimizers against torch.optim: 50-step trajectories on identical gradients, including a
state_dict round trip halfway (ember -> ember, torch -> ember and ember -> torch)."""
import copy

import numpy as np
import pytest

torch = pytest.importorskip("torch", reason="differential tests need PyTorch as the reference")

import ember  # noqa: E402

STEPS = 50
HALF = 25

CONFIGS = [
    ("SGD", dict(lr=0.05)),
    ("SGD", dict(lr=0.05, momentum=0.9)),
    ("SGD", dict(lr=0.05, momentum=0.9, dampening=0.2, weight_decay=0.1)),
    ("SGD", dict(lr=0.05, momentum=0.9, nesterov=True, maximize=True)),
    ("Adam", dict(lr=0.05)),
    ("Adam", dict(lr=0.05, amsgrad=True, weight_decay=0.1)),
    ("Adam", dict(lr=0.05, betas=(0.8, 0.9), maximize=True, decoupled_weight_decay=True,
                  weight_decay=0.2)),
    ("AdamW", dict(lr=0.05)),
    ("AdamW", dict(lr=0.05, amsgrad=True, weight_decay=0.3)),
    ("RMSprop", dict(lr=0.01)),
    ("RMSprop", dict(lr=0.01, centered=True, momentum=0.5, weight_decay=0.1)),
    ("RMSprop", dict(lr=0.01, alpha=0.9, maximize=True)),
    ("Adagrad", dict(lr=0.1)),
    ("Adagrad", dict(lr=0.1, lr_decay=0.01, initial_accumulator_value=0.1, weight_decay=0.1)),
    ("Adadelta", dict()),
    ("Adadelta", dict(lr=0.5, rho=0.8, weight_decay=0.1, maximize=True)),
    ("Adamax", dict(lr=0.05)),
    ("Adamax", dict(lr=0.05, weight_decay=0.1, betas=(0.7, 0.99))),
    ("NAdam", dict(lr=0.05)),
    ("NAdam", dict(lr=0.05, weight_decay=0.1, momentum_decay=0.01)),
    ("NAdam", dict(lr=0.05, weight_decay=0.1, decoupled_weight_decay=True)),
    ("RAdam", dict(lr=0.05)),
    ("RAdam", dict(lr=0.05, weight_decay=0.1, decoupled_weight_decay=True)),
    ("RAdam", dict(lr=0.05, weight_decay=0.1, maximize=True)),
    ("Rprop", dict(lr=0.05)),
    ("Rprop", dict(lr=0.01, etas=(0.3, 1.5), step_sizes=(1e-3, 0.2), maximize=True)),
    ("ASGD", dict(lr=0.05)),
    ("ASGD", dict(lr=0.05, lambd=0.01, alpha=0.5, t0=10, weight_decay=0.1)),
    ("ASGD", dict(lr=0.05, t0=0, maximize=True)),
    ("Adafactor", dict(lr=0.05)),
    ("Adafactor", dict(lr=0.05, beta2_decay=-0.5, eps=(1e-6, 1e-2), d=0.5 + 1.0,
                       weight_decay=0.1)),
    ("Adafactor", dict(lr=0.1, maximize=True)),
]
IDS = [f"{name}-{i}" for i, (name, _) in enumerate(CONFIGS)]

_rng = np.random.default_rng(1234)
INIT = [_rng.standard_normal((3, 4)), _rng.standard_normal(4)]
TARGET = [_rng.standard_normal((3, 4)), _rng.standard_normal(4)]


def _grad(values, i):
    """The same gradient for both frameworks: a quadratic pull towards TARGET plus a
    non-linear term, so the trajectory depends on every step being right."""
    return 2.0 * (values - TARGET[i]) + 0.3 * np.sin(3.0 * values)


def _ember_params(dtype, values=INIT):
    return [ember.tensor(v, dtype=dtype, requires_grad=True) for v in values]


def _torch_params(dtype, values=INIT):
    return [torch.tensor(v, dtype=dtype, requires_grad=True) for v in values]


def _step_ember(opt, params):
    for i, p in enumerate(params):
        p.grad = ember.tensor(_grad(p.detach().cpu().numpy().astype(np.float64), i),
                              dtype=p.dtype)
    opt.step()


def _step_torch(opt, params):
    for i, p in enumerate(params):
        p.grad = torch.tensor(_grad(p.detach().cpu().numpy().astype(np.float64), i), dtype=p.dtype)
    opt.step()


def _tol(dtype):
    return dict(rtol=1e-10, atol=1e-12) if dtype == "float64" else dict(rtol=2e-5, atol=2e-6)


def _compare(e_params, t_params, dtype, where):
    for e, t in zip(e_params, t_params):
        assert e.dtype == getattr(ember, dtype)
        np.testing.assert_allclose(e.detach().cpu().numpy(), t.detach().cpu().numpy(),
                                   **_tol(dtype), err_msg=where)


def _to_ember(obj):
    if isinstance(obj, torch.Tensor):
        return ember.from_numpy(obj.detach().cpu().numpy().copy())
    if isinstance(obj, dict):
        return {k: _to_ember(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return type(obj)(_to_ember(v) for v in obj)
    return obj


def _to_torch(obj):
    if isinstance(obj, ember.Tensor):
        return torch.from_numpy(obj.detach().cpu().numpy().copy())
    if isinstance(obj, dict):
        return {k: _to_torch(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return type(obj)(_to_torch(v) for v in obj)
    return obj


def _make(lib, name, params, kw):
    # two groups, the second with its own learning rate, to exercise per-group options
    lr = kw.get("lr", 1.0)
    return getattr(lib.optim, name)([{"params": [params[0]]},
                                     {"params": [params[1]], "lr": lr * 0.5}], **kw)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name,kw", CONFIGS, ids=IDS)
def test_trajectory_matches_torch(name, kw, dtype):
    ep, tp = _ember_params(getattr(ember, dtype)), _torch_params(getattr(torch, dtype))
    eo, to = _make(ember, name, ep, kw), _make(torch, name, tp, kw)
    for step in range(STEPS):
        _step_ember(eo, ep)
        _step_torch(to, tp)
        _compare(ep, tp, dtype, f"step {step}")


@pytest.mark.parametrize("name,kw", CONFIGS, ids=IDS)
def test_state_dict_layout_matches_torch(name, kw):
    ep, tp = _ember_params(ember.float32), _torch_params(torch.float32)
    eo, to = _make(ember, name, ep, kw), _make(torch, name, tp, kw)
    for _ in range(3):
        _step_ember(eo, ep)
        _step_torch(to, tp)
    esd, tsd = eo.state_dict(), to.state_dict()
    assert esd["param_groups"] == tsd["param_groups"]
    assert esd["state"].keys() == tsd["state"].keys()
    for k in tsd["state"]:
        assert esd["state"][k].keys() == tsd["state"][k].keys()
        for key, tv in tsd["state"][k].items():
            ev = esd["state"][k][key]
            assert str(ev.dtype) == str(tv.dtype), key
            assert tuple(ev.shape) == tuple(tv.shape), key
            np.testing.assert_allclose(ev.cpu().numpy(), tv.numpy(), rtol=1e-5, atol=1e-6)


def _resume_run(name, kw, dtype, restore):
    """Run both frameworks HALF steps, rebuild the ember optimizer through ``restore``,
    then run to STEPS and compare every step."""
    edt, tdt = getattr(ember, dtype), getattr(torch, dtype)
    ep, tp = _ember_params(edt), _torch_params(tdt)
    eo, to = _make(ember, name, ep, kw), _make(torch, name, tp, kw)
    for _ in range(HALF):
        _step_ember(eo, ep)
        _step_torch(to, tp)
    ep, eo = restore(name, kw, edt, ep, eo, to)
    to = _torch_reloaded(name, kw, tp, to)
    for step in range(HALF, STEPS):
        _step_ember(eo, ep)
        _step_torch(to, tp)
        _compare(ep, tp, dtype, f"step {step} after restore")


def _torch_reloaded(name, kw, tp, to):
    """torch's optimizer rebuilt from its own state dict: loading casts floating state to
    the parameters' dtype (ASGD's float32 ``eta`` becomes float64), so a resumed run is
    compared with a run resumed the same way."""
    reloaded = _make(torch, name, tp, kw)
    reloaded.load_state_dict(copy.deepcopy(to.state_dict()))
    return reloaded


def _fresh(name, kw, edt, ep):
    params = _ember_params(edt, [p.detach().cpu().numpy().copy() for p in ep])
    # a different lr at construction: load_state_dict must restore the saved one
    return params, _make(ember, name, params, {**kw, "lr": 123.0})


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name,kw", CONFIGS, ids=IDS)
def test_resume_from_ember_state_dict(name, kw, dtype):
    def restore(name, kw, edt, ep, eo, to):
        params, opt = _fresh(name, kw, edt, ep)
        opt.load_state_dict(copy.deepcopy(eo.state_dict()))
        return params, opt
    _resume_run(name, kw, dtype, restore)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name,kw", CONFIGS, ids=IDS)
def test_resume_from_torch_state_dict(name, kw, dtype):
    def restore(name, kw, edt, ep, eo, to):
        params, opt = _fresh(name, kw, edt, ep)
        opt.load_state_dict(_to_ember(copy.deepcopy(to.state_dict())))
        return params, opt
    _resume_run(name, kw, dtype, restore)


@pytest.mark.parametrize("name,kw", CONFIGS, ids=IDS)
def test_torch_resumes_from_ember_state_dict(name, kw):
    ep, tp = _ember_params(ember.float64), _torch_params(torch.float64)
    eo, to = _make(ember, name, ep, kw), _make(torch, name, tp, kw)
    for _ in range(HALF):
        _step_ember(eo, ep)
        _step_torch(to, tp)
    tp2 = _torch_params(torch.float64, [p.detach().cpu().numpy().copy() for p in ep])
    to2 = _make(torch, name, tp2, {**kw, "lr": 123.0})
    to2.load_state_dict(_to_torch(eo.state_dict()))
    to = _torch_reloaded(name, kw, tp, to)
    for step in range(HALF, STEPS):
        _step_torch(to, tp)
        _step_torch(to2, tp2)
    for resumed, straight in zip(tp2, tp):
        np.testing.assert_allclose(resumed.detach().cpu().numpy(), straight.detach().cpu().numpy(),
                                   **_tol("float64"))


@pytest.mark.parametrize("name", ["SGD", "Adam", "RMSprop", "Adagrad", "Adadelta", "Adamax",
                                  "NAdam", "RAdam", "AdamW", "Rprop", "ASGD"])
def test_complex_parameters_follow_torch(name):
    kw = dict(lr=0.05, momentum=0.5) if name in ("SGD", "RMSprop") else dict(lr=0.05)
    z0 = INIT[0] + 1j * TARGET[0]
    ep = [ember.tensor(z0, dtype=ember.complex128, requires_grad=True)]
    tp = [torch.tensor(z0, dtype=torch.complex128, requires_grad=True)]
    eo, to = getattr(ember.optim, name)(ep, **kw), getattr(torch.optim, name)(tp, **kw)
    for _ in range(20):
        ep[0].grad = ember.tensor(np.conj(ep[0].detach().cpu().numpy()) * 0.5 + 0.1)
        tp[0].grad = torch.tensor(np.conj(tp[0].detach().cpu().numpy()) * 0.5 + 0.1)
        eo.step()
        to.step()
    np.testing.assert_allclose(ep[0].detach().cpu().numpy(), tp[0].detach().cpu().numpy(),
                               rtol=1e-10, atol=1e-12)


def test_params_without_grad_are_skipped_like_torch():
    ep, tp = _ember_params(ember.float64), _torch_params(torch.float64)
    eo, to = ember.optim.Adam(ep, lr=0.1), torch.optim.Adam(tp, lr=0.1)
    ep[0].grad = ember.tensor(_grad(INIT[0], 0))
    tp[0].grad = torch.tensor(_grad(INIT[0], 0))
    eo.step()
    to.step()
    assert list(eo.state_dict()["state"]) == list(to.state_dict()["state"]) == [0]
    _compare(ep, tp, "float64", "one param without grad")


@pytest.mark.parametrize("name,kw,message", [
    ("SGD", dict(lr=-1), "Invalid learning rate: -1"),
    ("SGD", dict(lr=0.1, momentum=-0.5), "Invalid momentum value: -0.5"),
    ("SGD", dict(lr=0.1, nesterov=True), "Nesterov momentum requires a momentum and zero "
                                          "dampening"),
    ("Adam", dict(betas=(1.0, 0.9)), "Invalid beta parameter at index 0: 1.0"),
    ("Adam", dict(eps=-1e-8), "Invalid epsilon value: -1e-08"),
    ("AdamW", dict(weight_decay=-0.1), "Invalid weight_decay value: -0.1"),
    ("RMSprop", dict(alpha=-0.1), "Invalid alpha value: -0.1"),
    ("Adagrad", dict(lr_decay=-1.0), "Invalid lr_decay value: -1.0"),
    ("Adagrad", dict(initial_accumulator_value=-1.0),
     "Invalid initial_accumulator_value value: -1.0"),
    ("Adadelta", dict(rho=1.5), "Invalid rho value: 1.5"),
    ("NAdam", dict(momentum_decay=-1.0), "Invalid momentum_decay value: -1.0"),
    ("RAdam", dict(betas=(0.9, 1.0)), "Invalid beta parameter at index 1: 1.0"),
    ("Rprop", dict(etas=(1.5, 2.0)), "Invalid eta values: 1.5, 2.0"),
    ("ASGD", dict(weight_decay=-1.0), "Invalid weight_decay value: -1.0"),
    ("Adafactor", dict(beta2_decay=0.5), "beta2_decay should be <= 0 but is: 0.5"),
    ("Adafactor", dict(eps=(-1.0, 1e-3)), "epsilon1 should be >= 0 but is: -1.0"),
    ("Adafactor", dict(d=0.5), "Clipping threshold d should be >= 1 but is: 0.5"),
    ("LBFGS", dict(lr=-0.5), "Invalid learning rate: -0.5"),
])
def test_invalid_hyperparameters_raise_torchs_error(name, kw, message):
    with pytest.raises(ValueError) as t_err:
        getattr(torch.optim, name)([torch.zeros(1, requires_grad=True)], **kw)
    with pytest.raises(ValueError) as e_err:
        getattr(ember.optim, name)([ember.zeros(1, requires_grad=True)], **kw)
    assert str(e_err.value) == str(t_err.value) == message


def test_non_tensor_param_error_matches_torch():
    with pytest.raises(TypeError) as t_err:
        torch.optim.SGD([torch.zeros(1), 3.0], lr=0.1)
    with pytest.raises(TypeError) as e_err:
        ember.optim.SGD([ember.zeros(1), 3.0], lr=0.1)
    assert str(e_err.value) == str(t_err.value)


def test_repr_matches_torch():
    eo = ember.optim.Adam([ember.zeros(1, requires_grad=True)], lr=0.01)
    to = torch.optim.Adam([torch.zeros(1, requires_grad=True)], lr=0.01)
    assert repr(eo) == repr(to)


@pytest.mark.parametrize("name,kw", [("SGD", dict(lr=0.05, momentum=0.9)),
                                     ("Adam", dict(lr=0.01)), ("AdamW", dict(lr=0.01)),
                                     ("RMSprop", dict(lr=0.01)), ("NAdam", dict(lr=0.01))])
def test_training_a_linear_module_follows_torch(name, kw):
    rng = np.random.default_rng(7)
    x, y = rng.standard_normal((16, 5)), rng.standard_normal((16, 2))
    t_model = torch.nn.Linear(5, 2).double()
    e_model = ember.nn.Linear(5, 2).double()
    with ember.no_grad():
        e_model.weight.copy_(ember.tensor(t_model.weight.detach().cpu().numpy()))
        e_model.bias.copy_(ember.tensor(t_model.bias.detach().cpu().numpy()))
    t_opt = getattr(torch.optim, name)(t_model.parameters(), **kw)
    e_opt = getattr(ember.optim, name)(e_model.parameters(), **kw)
    tx, ty, ex, ey = torch.tensor(x), torch.tensor(y), ember.tensor(x), ember.tensor(y)
    # the two autograds round differently; adaptive steps amplify that slightly, hence a
    # looser tolerance than the identical-gradient tests above
    for _ in range(STEPS):
        for model, opt, a, b in ((t_model, t_opt, tx, ty), (e_model, e_opt, ex, ey)):
            opt.zero_grad()
            ((model(a) - b) ** 2).mean().backward()
            opt.step()
    np.testing.assert_allclose(e_model.weight.detach().cpu().numpy(),
                               t_model.weight.detach().cpu().numpy(), rtol=1e-7, atol=1e-9)
