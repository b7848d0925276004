"""Learning-rate schedulers against torch.optim.lr_scheduler: the same learning rates (and
cycled momenta) for 50 steps, also after a state_dict round trip halfway."""
import copy
import warnings

import numpy as np
import pytest

torch = pytest.importorskip("torch", reason="differential tests need PyTorch as the reference")

import ember  # noqa: E402

STEPS = 50
HALF = 23


def _scale(epoch):
    return 0.95 ** epoch


class Halving:
    """A callable object: its __dict__ goes into the state dict (plain functions do not)."""

    def __init__(self):
        self.factor = 0.5

    def __call__(self, epoch):
        return self.factor if epoch % 10 == 0 else 1.0


def _simple(name, **kw):
    return lambda lib, opt: getattr(lib.optim.lr_scheduler, name)(opt, **kw)


def _sequential(lib, opt):
    L = lib.optim.lr_scheduler
    return L.SequentialLR(opt, [L.LinearLR(opt, start_factor=0.1, total_iters=5),
                                L.ExponentialLR(opt, gamma=0.9),
                                L.CosineAnnealingLR(opt, T_max=6)], milestones=[5, 17])


def _chained(lib, opt):
    L = lib.optim.lr_scheduler
    return L.ChainedScheduler([L.ExponentialLR(opt, gamma=0.97),
                               L.StepLR(opt, step_size=4, gamma=0.5)])


SCHEDULERS = {
    "StepLR": _simple("StepLR", step_size=3, gamma=0.5),
    "MultiStepLR": _simple("MultiStepLR", milestones=[2, 5, 5, 30], gamma=0.3),
    "ExponentialLR": _simple("ExponentialLR", gamma=0.93),
    "CosineAnnealingLR": _simple("CosineAnnealingLR", T_max=7, eta_min=0.01),
    "CosineAnnealingWarmRestarts": _simple("CosineAnnealingWarmRestarts", T_0=4, T_mult=2,
                                           eta_min=0.001),
    "LambdaLR": _simple("LambdaLR", lr_lambda=_scale),
    "LambdaLR-per-group": _simple("LambdaLR", lr_lambda=[_scale, lambda e: 1.0 / (e + 1)]),
    "MultiplicativeLR": _simple("MultiplicativeLR", lr_lambda=lambda e: 0.97),
    "LinearLR": _simple("LinearLR", start_factor=0.2, end_factor=0.9, total_iters=30),
    "ConstantLR": _simple("ConstantLR", factor=0.4, total_iters=26),
    "PolynomialLR": _simple("PolynomialLR", total_iters=40, power=2.0),
    "OneCycleLR": _simple("OneCycleLR", max_lr=1.0, total_steps=STEPS),
    "OneCycleLR-3phase": _simple("OneCycleLR", max_lr=[1.0, 2.0], epochs=5, steps_per_epoch=10,
                                 three_phase=True, anneal_strategy="linear"),
    "CyclicLR": _simple("CyclicLR", base_lr=0.01, max_lr=0.1, step_size_up=5,
                        mode="triangular2"),
    "CyclicLR-exp": _simple("CyclicLR", base_lr=[0.01, 0.02], max_lr=0.1, step_size_up=4,
                            step_size_down=7, mode="exp_range", gamma=0.97),
    "SequentialLR": _sequential,
    "ChainedScheduler": _chained,
}


def _optimizer(lib, kind="SGD"):
    params = [lib.zeros(2, requires_grad=True), lib.zeros(1, requires_grad=True)]
    kw = dict(momentum=0.9) if kind == "SGD" else {}
    return getattr(lib.optim, kind)([{"params": [params[0]]}, {"params": [params[1]],
                                                                "lr": 0.5}], lr=0.1, **kw)


def _record(opt, sched):
    momenta = [g.get("momentum", g.get("betas", (None,))[0]) for g in opt.param_groups]
    return list(sched.get_last_lr()) + [g["lr"] for g in opt.param_groups] + momenta


def _run(lib, build, steps, kind="SGD"):
    opt = _optimizer(lib, kind)
    sched = build(lib, opt)
    rows = [_record(opt, sched)]
    for _ in range(steps):
        opt.step()
        sched.step()
        rows.append(_record(opt, sched))
    return opt, sched, rows


def _to_ember(obj):
    if isinstance(obj, torch.Tensor):
        return ember.from_numpy(obj.detach().numpy().copy())
    if isinstance(obj, dict):
        out = copy.copy(obj)  # keeps the mapping type (MultiStepLR's Counter)
        out.update((k, _to_ember(v)) for k, v in obj.items())
        return out
    if isinstance(obj, (list, tuple)):
        return type(obj)(_to_ember(v) for v in obj)
    return obj


@pytest.mark.parametrize("name", sorted(SCHEDULERS))
def test_learning_rates_match_torch(name):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # normal use warns in neither framework
        _, _, expected = _run(torch, SCHEDULERS[name], STEPS)
        _, _, actual = _run(ember, SCHEDULERS[name], STEPS)
    assert actual == expected  # identical floats: the same recursive formulas


@pytest.mark.parametrize("name", ["OneCycleLR", "CyclicLR"])
def test_cycled_beta1_matches_torch_for_adam(name):
    _, _, expected = _run(torch, SCHEDULERS[name], 40, kind="Adam")
    _, _, actual = _run(ember, SCHEDULERS[name], 40, kind="Adam")
    assert actual == expected


def _resume(name, convert):
    """Run torch and ember HALF steps; rebuild ember's optimizer and scheduler from a state
    dict (``convert`` picks the source), then both run to STEPS."""
    t_opt, t_sched, expected = _run(torch, SCHEDULERS[name], HALF)
    e_opt, e_sched, _ = _run(ember, SCHEDULERS[name], HALF)
    opt_sd, sched_sd = convert(t_opt, t_sched, e_opt, e_sched)
    opt = _optimizer(ember)
    sched = SCHEDULERS[name](ember, opt)
    opt.load_state_dict(opt_sd)
    sched.load_state_dict(sched_sd)
    actual = []
    for _ in range(HALF, STEPS):
        t_opt.step()
        t_sched.step()
        expected.append(_record(t_opt, t_sched))
        opt.step()
        sched.step()
        actual.append(_record(opt, sched))
    assert actual == expected[HALF + 1:]


@pytest.mark.parametrize("name", sorted(SCHEDULERS))
def test_resume_from_ember_state_dicts(name):
    _resume(name, lambda to, ts, eo, es: (copy.deepcopy(eo.state_dict()),
                                          copy.deepcopy(es.state_dict())))


@pytest.mark.parametrize("name", sorted(SCHEDULERS))
def test_resume_from_torch_state_dicts(name):
    _resume(name, lambda to, ts, eo, es: (_to_ember(copy.deepcopy(to.state_dict())),
                                          _to_ember(copy.deepcopy(ts.state_dict()))))


@pytest.mark.parametrize("name", sorted(SCHEDULERS))
def test_state_dict_keys_match_torch(name):
    _, t_sched, _ = _run(torch, SCHEDULERS[name], 3)
    _, e_sched, _ = _run(ember, SCHEDULERS[name], 3)
    t_sd, e_sd = t_sched.state_dict(), e_sched.state_dict()
    t_sd.pop("_scale_fn_ref", None)  # a bound method torch keeps only for itself
    assert set(e_sd) <= set(t_sd)


def test_callable_object_lambda_state_round_trips():
    t_opt, e_opt = _optimizer(torch), _optimizer(ember)
    t_fn, e_fn = Halving(), Halving()
    t_fn.factor = e_fn.factor = 0.25
    t_sd = torch.optim.lr_scheduler.MultiplicativeLR(t_opt, t_fn).state_dict()
    e_sd = ember.optim.lr_scheduler.MultiplicativeLR(e_opt, e_fn).state_dict()
    assert e_sd["lr_lambdas"] == t_sd["lr_lambdas"] == [{"factor": 0.25}, {"factor": 0.25}]
    fresh = Halving()
    ember.optim.lr_scheduler.MultiplicativeLR(_optimizer(ember), fresh).load_state_dict(e_sd)
    assert fresh.factor == 0.25


def test_reduce_lr_on_plateau_matches_torch():
    metrics = [1.0, 0.9, 0.95, 0.95, 0.95, 0.94, 0.96, 0.97, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5,
               0.51, 0.52, 0.53, 0.54, 0.2, 0.2, 0.2, 0.2, 0.2, 0.2, 0.2, 0.2]
    rows = []
    for lib in (torch, ember):
        opt = _optimizer(lib)
        sched = lib.optim.lr_scheduler.ReduceLROnPlateau(opt, patience=2, cooldown=1,
                                                         factor=0.5, min_lr=[0.01, 0.1])
        out = []
        for m in metrics:
            opt.step()
            sched.step(m)
            out.append(list(sched.get_last_lr()) + [sched.num_bad_epochs, sched.best])
        rows.append(out)
    assert rows[1] == rows[0]


@pytest.mark.parametrize("mode,threshold_mode", [("max", "rel"), ("min", "abs"),
                                                 ("max", "abs")])
def test_reduce_lr_on_plateau_modes_match_torch(mode, threshold_mode):
    values = np.sin(np.arange(30) * 0.7).tolist()
    rows = []
    for lib in (torch, ember):
        opt = _optimizer(lib)
        sched = lib.optim.lr_scheduler.ReduceLROnPlateau(opt, mode=mode, patience=1,
                                                         threshold=0.05,
                                                         threshold_mode=threshold_mode)
        rows.append([(sched.step(v), sched.get_last_lr())[1] for v in values])
    assert rows[1] == rows[0]


def test_epoch_argument_uses_the_closed_form_like_torch():
    rows = []
    for lib in (torch, ember):
        opt = _optimizer(lib)
        sched = lib.optim.lr_scheduler.StepLR(opt, step_size=3, gamma=0.5)
        opt.step()
        with pytest.warns(UserWarning, match="epoch parameter"):
            sched.step(7)
        rows.append(sched.get_last_lr())
    assert rows[1] == rows[0]


def test_warm_restarts_with_explicit_fractional_epochs_match_torch():
    rows = []
    for lib in (torch, ember):
        opt = _optimizer(lib)
        sched = lib.optim.lr_scheduler.CosineAnnealingWarmRestarts(opt, T_0=3, T_mult=2)
        out = []
        for i in range(40):
            sched.step(i * 0.37)
            out.append(sched.get_last_lr())
        rows.append(out)
    assert rows[1] == rows[0]


@pytest.mark.parametrize("build,message", [
    (lambda L, o: L.ConstantLR(o, factor=2.0), "Constant multiplicative factor"),
    (lambda L, o: L.LinearLR(o, start_factor=0.0), "Starting multiplicative factor"),
    (lambda L, o: L.CosineAnnealingWarmRestarts(o, T_0=0), "Expected positive integer T_0"),
    (lambda L, o: L.OneCycleLR(o, max_lr=1.0), "You must define either total_steps"),
    (lambda L, o: L.ReduceLROnPlateau(o, factor=1.5), "Factor should be < 1.0."),
    (lambda L, o: L.LambdaLR(o, [lambda e: 1.0]), "Expected 2 lr_lambdas, but got 1"),
    (lambda L, o: L.SequentialLR(o, [L.StepLR(o, 2)], milestones=[3]),
     "Sequential Schedulers expects number of schedulers"),
])
def test_invalid_arguments_raise_torchs_error(build, message):
    with pytest.raises(ValueError, match=message) as t_err:
        build(torch.optim.lr_scheduler, _optimizer(torch))
    with pytest.raises(ValueError) as e_err:
        build(ember.optim.lr_scheduler, _optimizer(ember))
    assert str(e_err.value) == str(t_err.value)


def test_scheduler_step_before_optimizer_step_warns_like_torch():
    for lib in (torch, ember):
        sched = lib.optim.lr_scheduler.StepLR(_optimizer(lib), step_size=2)
        with pytest.warns(UserWarning, match="before `optimizer.step\\(\\)`"):
            sched.step()


def test_get_lr_outside_step_warns_like_torch():
    for lib in (torch, ember):
        sched = lib.optim.lr_scheduler.StepLR(_optimizer(lib), step_size=2)
        with pytest.warns(UserWarning, match="please use `get_last_lr\\(\\)`"):
            sched.get_lr()
