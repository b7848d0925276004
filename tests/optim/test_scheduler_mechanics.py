"""LRScheduler mechanics on their own (the numbers are checked against torch elsewhere)."""
import pytest

import ember
from ember.optim import lr_scheduler as L


def _opt(lr=0.1):
    return ember.optim.SGD([ember.zeros(1, requires_grad=True)], lr=lr, momentum=0.9)


def test_scheduler_records_initial_lr_in_each_group():
    opt = _opt(0.3)
    L.StepLR(opt, step_size=2)
    assert opt.param_groups[0]["initial_lr"] == 0.3


def test_resuming_without_initial_lr_raises_key_error():
    with pytest.raises(KeyError, match="initial_lr"):
        L.StepLR(_opt(), step_size=2, last_epoch=4)


def test_non_optimizer_is_refused():
    with pytest.raises(TypeError, match="list is not an Optimizer"):
        L.StepLR([], step_size=2)


def test_get_last_lr_follows_the_steps():
    opt = _opt(1.0)
    sched = L.StepLR(opt, step_size=2, gamma=0.5)
    lrs = []
    for _ in range(5):
        opt.step()
        sched.step()
        lrs.append(sched.get_last_lr()[0])
    assert lrs == [1.0, 0.5, 0.5, 0.25, 0.25]


def test_tensor_learning_rate_is_updated_in_place():
    lr = ember.tensor(1.0)
    opt = ember.optim.SGD([ember.zeros(1, requires_grad=True)], lr=lr)
    sched = L.ExponentialLR(opt, gamma=0.5)
    opt.step()
    sched.step()
    assert opt.param_groups[0]["lr"] is lr and lr.item() == 0.5


def test_state_dict_excludes_the_optimizer_and_round_trips():
    opt = _opt()
    sched = L.CosineAnnealingLR(opt, T_max=10)
    for _ in range(3):
        opt.step()
        sched.step()
    sd = sched.state_dict()
    assert "optimizer" not in sd and sd["last_epoch"] == 3
    other = L.CosineAnnealingLR(_opt(), T_max=99)
    other.load_state_dict(sd)
    assert other.T_max == 10 and other.last_epoch == 3


def test_composite_state_dicts_nest_their_children():
    opt = _opt()
    sched = L.ChainedScheduler([L.ExponentialLR(opt, gamma=0.9), L.StepLR(opt, step_size=2)])
    sd = sched.state_dict()
    assert [s["last_epoch"] for s in sd["_schedulers"]] == [0, 0]


def test_plain_function_lambdas_are_not_saved():
    sched = L.LambdaLR(_opt(), lr_lambda=lambda e: 1.0)
    assert sched.state_dict()["lr_lambdas"] == [None]


def test_reduce_on_plateau_respects_min_lr():
    opt = _opt(1.0)
    sched = L.ReduceLROnPlateau(opt, patience=0, factor=0.1, min_lr=0.05)
    for _ in range(5):
        sched.step(1.0)
    assert opt.param_groups[0]["lr"] == 0.05


def test_cyclic_lr_needs_momentum_when_cycling_it():
    opt = ember.optim.Adagrad([ember.zeros(1, requires_grad=True)])
    with pytest.raises(ValueError, match="optimizer must support momentum or beta1"):
        L.CyclicLR(opt, base_lr=0.01, max_lr=0.1)


def test_one_cycle_refuses_to_step_past_total_steps():
    opt = _opt()
    sched = L.OneCycleLR(opt, max_lr=1.0, total_steps=2)
    opt.step()
    sched.step()
    sched.step()
    with pytest.raises(ValueError, match="Tried to step 3 times"):
        sched.step()
