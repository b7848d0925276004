"""The Optimizer base class: parameter groups, zero_grad, step mechanics, state dicts, hooks."""
import copy

import numpy as np
import pytest

import ember
from ember.optim.optimizer import Optimizer, required


def _param(*values):
    return ember.tensor(list(values) or [1.0, 2.0], requires_grad=True)


def test_empty_parameter_list_is_refused():
    with pytest.raises(ValueError, match="optimizer got an empty parameter list"):
        ember.optim.SGD([], lr=0.1)


def test_single_tensor_instead_of_iterable_is_refused():
    with pytest.raises(TypeError, match="should be an iterable of Tensors or dicts, but got "
                                        "torch.FloatTensor"):
        ember.optim.SGD(_param(), lr=0.1)


def test_non_tensor_parameter_is_refused():
    with pytest.raises(TypeError, match="optimizer can only optimize Tensors, but one of the "
                                        "params is int"):
        ember.optim.SGD([_param(), 3], lr=0.1)


def test_non_leaf_parameter_is_refused():
    x = _param()
    with pytest.raises(ValueError, match="can't optimize a non-leaf Tensor"):
        ember.optim.SGD([x * 2], lr=0.1)


def test_parameter_set_is_refused():
    with pytest.raises(TypeError, match="ordered collections"):
        ember.optim.SGD([{"params": {_param()}}], lr=0.1)


def test_duplicate_parameter_in_a_group_warns():
    p = _param()
    with pytest.warns(UserWarning, match="duplicate parameters"):
        ember.optim.SGD([p, p], lr=0.1)


def test_parameter_in_two_groups_is_refused():
    p = _param()
    opt = ember.optim.SGD([p], lr=0.1)
    with pytest.raises(ValueError, match="some parameters appear in more than one parameter "
                                         "group"):
        opt.add_param_group({"params": [p]})


def test_add_param_group_fills_in_defaults():
    opt = ember.optim.SGD([_param()], lr=0.1, momentum=0.9)
    opt.add_param_group({"params": _param(), "lr": 0.5})
    group = opt.param_groups[1]
    assert group["lr"] == 0.5 and group["momentum"] == 0.9 and len(group["params"]) == 1


def test_required_default_must_be_given_by_each_group():
    class NeedsLr(Optimizer):
        def __init__(self, params):
            super().__init__(params, {"lr": required})

    with pytest.raises(ValueError, match="didn't specify a value of required optimization "
                                         "parameter lr"):
        NeedsLr([_param()])


def test_named_parameters_record_their_names():
    opt = ember.optim.SGD([("w", _param()), ("b", _param())], lr=0.1)
    assert opt.param_groups[0]["param_names"] == ["w", "b"]
    assert opt.state_dict()["param_groups"][0]["param_names"] == ["w", "b"]


def test_zero_grad_sets_grads_to_none_by_default():
    p = _param()
    p.grad = ember.ones(2)
    ember.optim.SGD([p], lr=0.1).zero_grad()
    assert p.grad is None


def test_zero_grad_can_fill_with_zeros_in_place():
    p = _param()
    g = ember.ones(2)
    p.grad = g
    ember.optim.SGD([p], lr=0.1).zero_grad(set_to_none=False)
    assert p.grad is g and g.tolist() == [0.0, 0.0]


def test_step_updates_parameter_in_place_and_bumps_version_once():
    p = _param(1.0, 2.0)
    data, version = p._data, p._version
    p.grad = ember.tensor([1.0, -1.0])
    ember.optim.Adam([p], lr=0.1).step()
    assert p._data is data
    assert p._version == version + 1
    np.testing.assert_allclose(p.detach().numpy(), [0.9, 2.1], rtol=1e-6)


def test_step_does_not_record_a_graph():
    p = _param()
    p.grad = ember.ones(2)
    ember.optim.SGD([p], lr=0.1, momentum=0.9).step()
    assert p.grad_fn is None and p.is_leaf and p.requires_grad


def test_step_skips_parameters_without_grad():
    p, q = _param(1.0), _param(5.0)
    p.grad = ember.ones(1)
    opt = ember.optim.Adam([p, q], lr=0.1)
    opt.step()
    assert q.tolist() == [5.0] and q not in opt.state


def test_closure_runs_with_grad_enabled_and_its_loss_is_returned():
    p = _param(3.0)
    opt = ember.optim.SGD([p], lr=0.25)
    seen = []

    def closure():
        seen.append(ember.is_grad_enabled())
        opt.zero_grad()
        loss = (p * p).sum()
        loss.backward()
        return loss

    with ember.no_grad():
        loss = opt.step(closure)
    assert seen == [True]
    assert loss.item() == 9.0
    assert p.tolist() == [1.5]  # 3 - 0.25 * 6


def test_tensor_learning_rate_is_used():
    p = _param(1.0)
    p.grad = ember.ones(1)
    ember.optim.SGD([p], lr=ember.tensor(0.5)).step()
    assert p.tolist() == [0.5]


def test_adam_state_holds_step_as_float32_scalar_tensor():
    p = _param()
    p.grad = ember.ones(2)
    opt = ember.optim.Adam([p])
    opt.step()
    opt.step()
    step = opt.state[p]["step"]
    assert isinstance(step, ember.Tensor) and step.dtype == ember.float32 and step.dim() == 0
    assert step.item() == 2.0


def test_adagrad_state_exists_before_the_first_step():
    p = _param()
    opt = ember.optim.Adagrad([p], initial_accumulator_value=0.5)
    assert opt.state[p]["sum"].tolist() == [0.5, 0.5]
    assert opt.state[p]["step"].item() == 0.0


def test_state_dict_numbers_parameters_across_groups():
    a, b, c = _param(), _param(), _param()
    opt = ember.optim.SGD([{"params": [a, b]}, {"params": [c], "lr": 1.0}], lr=0.1,
                          momentum=0.9)
    for p in (a, b, c):
        p.grad = ember.ones(2)
    opt.step()
    sd = opt.state_dict()
    assert [g["params"] for g in sd["param_groups"]] == [[0, 1], [2]]
    assert set(sd["state"]) == {0, 1, 2}
    assert sd["state"][2]["momentum_buffer"] is opt.state[c]["momentum_buffer"]


def test_load_state_dict_refuses_a_different_number_of_groups():
    opt = ember.optim.SGD([_param()], lr=0.1)
    sd = ember.optim.SGD([{"params": [_param()]}, {"params": [_param()]}], lr=0.1).state_dict()
    with pytest.raises(ValueError, match="different number of parameter groups"):
        opt.load_state_dict(sd)


def test_load_state_dict_refuses_a_group_of_another_size():
    opt = ember.optim.SGD([_param()], lr=0.1)
    sd = ember.optim.SGD([_param(), _param()], lr=0.1).state_dict()
    with pytest.raises(ValueError, match="doesn't match the size of optimizer's group"):
        opt.load_state_dict(sd)


def test_load_state_dict_casts_buffers_to_the_parameter_dtype_but_not_step():
    p64 = ember.tensor([1.0, 2.0], dtype=ember.float64, requires_grad=True)
    src = ember.optim.Adam([_param()])
    src.param_groups[0]["params"][0].grad = ember.ones(2)
    src.step()
    dst = ember.optim.Adam([p64])
    dst.load_state_dict(src.state_dict())
    assert dst.state[p64]["exp_avg"].dtype == ember.float64
    assert dst.state[p64]["step"].dtype == ember.float32


def test_load_state_dict_turns_a_numeric_step_into_a_tensor():
    p = _param()
    sd = {"state": {0: {"step": 3, "exp_avg": ember.zeros(2), "exp_avg_sq": ember.zeros(2)}},
          "param_groups": [dict(ember.optim.Adam([_param()]).state_dict()["param_groups"][0])]}
    opt = ember.optim.Adam([p])
    opt.load_state_dict(sd)
    assert isinstance(opt.state[p]["step"], ember.Tensor) and opt.state[p]["step"].item() == 3


def test_load_state_dict_fills_options_missing_from_old_groups():
    p = _param()
    sd = ember.optim.SGD([_param()], lr=0.1).state_dict()
    del sd["param_groups"][0]["maximize"]
    opt = ember.optim.SGD([p], lr=0.1)
    opt.load_state_dict(sd)
    assert opt.param_groups[0]["maximize"] is False


def test_optimizer_deepcopies_and_pickles_through_getstate():
    p = _param()
    opt = ember.optim.SGD([p], lr=0.1)
    clone = copy.deepcopy(opt)
    assert clone.param_groups[0]["lr"] == 0.1 and clone.param_groups[0]["params"][0] is not p


def test_step_hooks_run_around_the_step_and_can_be_removed():
    p = _param()
    p.grad = ember.ones(2)
    opt = ember.optim.SGD([p], lr=0.1)
    calls = []
    pre = opt.register_step_pre_hook(lambda o, a, k: calls.append(("pre", p.tolist())))
    opt.register_step_post_hook(lambda o, a, k: calls.append(("post", p.tolist())))
    opt.step()
    pre.remove()
    opt.step()
    assert [c[0] for c in calls] == ["pre", "post", "post"]
    assert calls[0][1] == [1.0, 2.0] and calls[1][1] == pytest.approx([0.9, 1.9])


def test_state_dict_post_hook_can_replace_the_result():
    opt = ember.optim.SGD([_param()], lr=0.1)
    opt.register_state_dict_post_hook(lambda o, sd: {**sd, "extra": 1})
    assert opt.state_dict()["extra"] == 1


def test_load_state_dict_hooks_run():
    opt = ember.optim.SGD([_param()], lr=0.1)
    seen = []
    opt.register_load_state_dict_pre_hook(lambda o, sd: seen.append("pre"))
    opt.register_load_state_dict_post_hook(lambda o: seen.append("post"))
    opt.load_state_dict(opt.state_dict())
    assert seen == ["pre", "post"]


def test_step_only_touches_float32_arrays_in_float32():
    p = _param()
    p.grad = ember.ones(2)
    opt = ember.optim.NAdam([p])
    opt.step()
    assert p.dtype == ember.float32
    assert all(v.dtype == ember.float32 for v in opt.state[p].values())


class _PlainSGD(Optimizer):
    """A user-style optimizer overriding step() itself, as torch tutorials write them."""

    def __init__(self, params, lr):
        super().__init__(params, {"lr": lr})

    @ember.no_grad()
    def step(self, closure=None):
        for group in self.param_groups:
            for p in group["params"]:
                p.sub_(group["lr"] * p.grad)


def test_user_defined_step_gets_hooks_and_satisfies_schedulers():
    import warnings

    p = _param(1.0)
    p.grad = ember.ones(1)
    opt = _PlainSGD([p], lr=0.5)
    calls = []
    opt.register_step_post_hook(lambda o, a, k: calls.append("post"))
    sched = ember.optim.lr_scheduler.StepLR(opt, step_size=1, gamma=0.5)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        opt.step()
        sched.step()
    assert calls == ["post"] and p.tolist() == [0.5] and opt.param_groups[0]["lr"] == 0.25


def test_hooks_run_once_when_a_subclass_step_calls_super():
    class Logged(ember.optim.SGD):
        def step(self, closure=None):
            return super().step(closure)

    p = _param()
    p.grad = ember.ones(2)
    opt = Logged([p], lr=0.1)
    calls = []
    opt.register_step_pre_hook(lambda o, a, k: calls.append("pre"))
    opt.step()
    assert calls == ["pre"]
