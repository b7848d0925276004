"""nn.Module and Parameter behaviour that needs no reference framework."""
import math

import numpy as np
import pytest

import ember
import ember.nn as nn


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(3, 2)
        self.scale = nn.Parameter(ember.ones(1))
        self.register_buffer("count", ember.zeros(1))

    def forward(self, x):
        return self.fc(x) * self.scale


def test_parameter_is_a_tensor_requiring_grad_and_sharing_memory():
    data = ember.zeros(2)
    p = nn.Parameter(data)
    assert isinstance(p, ember.Tensor) and p.requires_grad and p.is_leaf
    data.add_(1)
    assert p.detach().numpy().tolist() == [1.0, 1.0]


def test_parameter_of_integers_cannot_require_grad():
    with pytest.raises(RuntimeError, match="floating point and complex"):
        nn.Parameter(ember.tensor([1, 2]))
    assert not nn.Parameter(ember.tensor([1, 2]), requires_grad=False).requires_grad


def test_operations_on_parameters_return_plain_tensors():
    p = nn.Parameter(ember.ones(2))
    assert type(p * 2) is ember.Tensor and type(p.detach()) is ember.Tensor


def test_buffer_marker_registers_on_assignment():
    m = nn.Module()
    m.stats = nn.Buffer(ember.ones(2), persistent=False)
    assert "stats" in m._buffers and "stats" not in m.state_dict()
    assert isinstance(m.stats, nn.Buffer) and not isinstance(ember.ones(1), nn.Buffer)


def test_assignment_registers_parameters_modules_and_plain_attributes():
    m = Net()
    assert [n for n, _ in m.named_parameters()] == ["scale", "fc.weight", "fc.bias"]
    assert list(m._modules) == ["fc"]
    m.note = 3
    assert m.note == 3 and "note" not in m._parameters


def test_assigning_tensor_to_buffer_name_updates_buffer():
    m = Net()
    m.count = ember.ones(1)
    assert float(m._buffers["count"]) == 1.0


def test_assigning_non_parameter_to_parameter_name_raises():
    with pytest.raises(TypeError, match=r"cannot assign 'torch.FloatTensor' as parameter "
                                        r"'scale' \(torch.nn.Parameter or None expected\)"):
        Net().scale = ember.ones(1)


def test_assigning_none_to_a_parameter_keeps_the_slot():
    m = Net()
    m.scale = None
    assert "scale" in m._parameters and m.scale is None
    assert "scale" not in m.state_dict()


def test_assigning_before_init_raises():
    class Bad(nn.Module):
        def __init__(self):
            self.w = nn.Parameter(ember.ones(1))
    with pytest.raises(AttributeError, match="cannot assign parameters before Module.__init__"):
        Bad()


@pytest.mark.parametrize("name,exc", [("a.b", KeyError), ("", KeyError), (3, TypeError),
                                      ("forward", KeyError)])
def test_register_parameter_rejects_bad_names(name, exc):
    with pytest.raises(exc):
        nn.Module().register_parameter(name, nn.Parameter(ember.ones(1)))


def test_register_parameter_rejects_non_leaf():
    with pytest.raises(ValueError, match="Cannot assign non-leaf Tensor"):
        p = nn.Parameter(ember.ones(1))
        q = p * 2
        q.__class__ = nn.Parameter
        nn.Module().register_parameter("w", q)


def test_add_module_rejects_non_modules():
    with pytest.raises(TypeError, match="int is not a Module subclass"):
        nn.Module().add_module("x", 3)


def test_delattr_removes_registered_members():
    m = Net()
    del m.fc, m.scale, m.count
    assert not m._modules and not m._parameters and not m._buffers


def test_getattr_error_names_the_class():
    with pytest.raises(AttributeError, match="'Net' object has no attribute 'nope'"):
        Net().nope


def test_dir_lists_members():
    d = dir(Net())
    assert {"fc", "scale", "count", "forward"} <= set(d)


def test_shared_parameters_are_listed_once_unless_asked():
    m = nn.Module()
    m.a = nn.Linear(2, 2)
    m.b = m.a
    assert len(list(m.parameters())) == 2
    assert len(list(m.named_parameters(remove_duplicate=False))) == 4
    assert [n for n, _ in m.named_modules()] == ["", "a"]


def test_train_eval_propagate_and_validate():
    m = nn.Sequential(nn.Dropout(), nn.Sequential(nn.Dropout()))
    m.eval()
    assert not any(x.training for x in m.modules())
    m.train()
    assert all(x.training for x in m.modules())
    with pytest.raises(ValueError, match="training mode is expected to be boolean"):
        m.train(1)


def test_zero_grad_sets_none_or_zeroes():
    m = Net()
    m(ember.ones(1, 3)).sum().backward()
    g = m.fc.weight.grad
    m.zero_grad(set_to_none=False)
    assert m.fc.weight.grad is g and not g.numpy().any()
    m.zero_grad()
    assert m.fc.weight.grad is None


def test_requires_grad_freezes_parameters():
    m = Net().requires_grad_(False)
    assert not any(p.requires_grad for p in m.parameters())


def test_apply_visits_children_first():
    seen = []
    nn.Sequential(nn.Linear(1, 1), nn.ReLU()).apply(lambda mod: seen.append(type(mod).__name__))
    assert seen == ["Linear", "ReLU", "Sequential"]


def test_double_converts_parameters_grads_and_buffers_in_place():
    m = Net()
    m(ember.ones(1, 3)).sum().backward()
    w = m.fc.weight
    m.double()
    assert m.fc.weight is w and w.dtype == ember.float64
    assert w.grad.dtype == ember.float64 and m.count.dtype == ember.float64
    assert m(ember.ones(1, 3, dtype=ember.float64)).dtype == ember.float64


def test_to_leaves_integer_buffers_alone():
    m = nn.Module()
    m.register_buffer("n", ember.tensor([1]))
    m.to(ember.float64)
    assert m.n.dtype == ember.int64


def test_get_submodule_parameter_buffer():
    m = nn.Sequential(Net())
    assert m.get_submodule("0.fc") is m[0].fc
    assert m.get_parameter("0.fc.bias") is m[0].fc.bias
    assert m.get_buffer("0.count") is m[0].count
    with pytest.raises(AttributeError, match="Net has no attribute `nope`"):
        m.get_submodule("0.nope")
    with pytest.raises(AttributeError, match="`count` is not an nn.Parameter"):
        m.get_parameter("0.count")


def test_state_dict_keep_vars_and_prefix():
    m = Net()
    assert m.state_dict(keep_vars=True)["scale"] is m.scale
    assert not m.state_dict()["scale"].requires_grad
    assert list(m.state_dict(prefix="net."))[0] == "net.scale"


def test_load_state_dict_accepts_zero_dim_from_one_element():
    m = nn.Module()
    m.s = nn.Parameter(ember.tensor(0.0))
    m.load_state_dict({"s": ember.tensor([2.0])})
    assert float(m.s) == 2.0


def test_load_state_dict_assign_replaces_the_tensors():
    m = nn.Linear(2, 2)
    w = ember.ones(2, 2)
    m.load_state_dict({"weight": w, "bias": ember.zeros(2)}, assign=True)
    assert isinstance(m.weight, nn.Parameter) and m.weight.requires_grad
    w.add_(1)
    assert float(m.weight.sum()) == 8.0


def test_removed_hooks_do_not_run():
    calls = []
    m = nn.Identity()
    h = m.register_forward_hook(lambda *a: calls.append(1))
    with m.register_forward_pre_hook(lambda *a: calls.append(0)):
        m(ember.ones(1))
    h.remove()
    m(ember.ones(1))
    assert calls == [0, 1]


def test_forward_pre_hook_can_replace_inputs():
    m = nn.Identity()
    m.register_forward_pre_hook(lambda mod, args: args[0] + 1)
    m.register_forward_pre_hook(lambda mod, args, kw: ((args[0] * 10,), kw), with_kwargs=True)
    assert float(m(ember.zeros(()))) == 10.0


def test_always_call_forward_hook_runs_when_forward_raises():
    calls = []

    class Boom(nn.Module):
        def forward(self, x):
            raise ValueError("boom")
    m = Boom()
    m.register_forward_hook(lambda *a: calls.append("always"), always_call=True)
    m.register_forward_hook(lambda *a: calls.append("normal"))
    with pytest.raises(ValueError):
        m(ember.ones(1))
    assert calls == ["always"]


def test_backward_pre_hook_can_scale_grad_output():
    m = nn.Linear(2, 1, bias=False)
    m.register_full_backward_pre_hook(lambda mod, go: (go[0] * 3,))
    x = ember.ones(1, 2, requires_grad=True)
    m(x).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), 3 * m.weight.detach().numpy())


def test_full_backward_hook_without_input_grad_gets_none():
    seen = []
    m = nn.Linear(2, 1)
    m.register_full_backward_hook(lambda mod, gi, go: seen.append(gi))
    with pytest.warns(UserWarning, match="Full backward hook is firing"):
        m(ember.ones(1, 2)).sum().backward()
    assert seen == [(None,)]


def test_mixing_backward_hook_kinds_raises():
    m = nn.Linear(1, 1)
    m.register_full_backward_hook(lambda *a: None)
    with pytest.raises(RuntimeError, match="Cannot use both regular backward hooks"):
        m.register_backward_hook(lambda *a: None)


def test_missing_forward_raises():
    with pytest.raises(NotImplementedError, match=r'Module \[Module\] is missing the required '
                                                  r'"forward" function'):
        nn.Module()(1)


def test_module_init_rejects_arguments():
    with pytest.raises(TypeError, match="got an unexpected keyword argument 'x'"):
        nn.Module(x=1)


def test_lazy_parameter_materialises():
    p = nn.UninitializedParameter()
    assert repr(p) == "<UninitializedParameter>"
    p.materialize((2, 3))
    assert type(p) is nn.Parameter and p.shape == (2, 3)


def test_identity_accepts_any_arguments():
    x = ember.ones(2)
    assert nn.Identity(3, foo=1)(x) is x


def test_linear_init_bound():
    w = nn.Linear(50, 40).weight.detach().numpy()
    assert np.abs(w).max() <= 1 / math.sqrt(50)
