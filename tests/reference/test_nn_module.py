"""nn.Module against torch.nn.Module: state dicts, repr, load errors, hooks, conversion."""
import copy
import pickle
from collections import OrderedDict

import numpy as np
import pytest

torch = pytest.importorskip("torch", reason="differential tests need PyTorch as the reference")

import ember  # noqa: E402
import ember.nn as enn  # noqa: E402
from helpers import assert_close  # noqa: E402


def _build(nn):
    """The same small model built from either framework's nn."""
    class Block(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = nn.Linear(4, 4)
            self.register_buffer("steps", (torch if nn is torch.nn else ember).zeros(1))
            self.register_buffer("scratch", (torch if nn is torch.nn else ember).zeros(2),
                                 persistent=False)

        def forward(self, x):
            return self.fc(x).relu()

    return nn.Sequential(OrderedDict([
        ("embed", nn.Linear(3, 4)),
        ("act", nn.ReLU()),
        ("blocks", nn.ModuleList([Block(), Block()])),
        ("heads", nn.ModuleDict({"a": nn.Linear(4, 2, bias=False), "b": nn.Identity()})),
        ("drop", nn.Dropout(0.1)),
    ]))


def _copy_weights(e_model, t_model):
    for (en, ep), (tn, tp) in zip(e_model.state_dict().items(), t_model.state_dict().items()):
        assert en == tn
        with torch.no_grad():
            tp.copy_(torch.from_numpy(ep.numpy().copy()))


def test_state_dict_keys_and_shapes_match_torch():
    e, t = _build(enn), _build(torch.nn)
    es, ts = e.state_dict(), t.state_dict()
    assert list(es) == list(ts)
    assert [tuple(v.shape) for v in es.values()] == [tuple(v.shape) for v in ts.values()]
    assert isinstance(es, OrderedDict)


def test_state_dict_metadata_matches_torch():
    e, t = _build(enn), _build(torch.nn)
    assert dict(e.state_dict()._metadata) == dict(t.state_dict()._metadata)


def test_named_parameters_and_buffers_match_torch():
    e, t = _build(enn), _build(torch.nn)
    assert [n for n, _ in e.named_parameters()] == [n for n, _ in t.named_parameters()]
    assert [n for n, _ in e.named_buffers()] == [n for n, _ in t.named_buffers()]
    assert [n for n, _ in e.named_modules()] == [n for n, _ in t.named_modules()]
    assert [n for n, _ in e.named_children()] == [n for n, _ in t.named_children()]


def test_named_parameters_prefix_and_no_recurse():
    e, t = _build(enn), _build(torch.nn)
    assert [n for n, _ in e.named_parameters(prefix="m")] == \
        [n for n, _ in t.named_parameters(prefix="m")]
    assert [n for n, _ in e.blocks[0].named_parameters(recurse=False)] == []


def test_repr_matches_torch():
    assert repr(_build(enn)) == repr(_build(torch.nn))


def test_module_list_repr_compresses_repeats_like_torch():
    e = enn.ModuleList([enn.Linear(2, 2) for _ in range(3)] + [enn.ReLU()])
    t = torch.nn.ModuleList([torch.nn.Linear(2, 2) for _ in range(3)] + [torch.nn.ReLU()])
    assert repr(e) == repr(t)


def test_parameter_containers_repr_match_torch():
    e = enn.ParameterList([enn.Parameter(ember.zeros(2, 3)), ember.zeros(4)])
    t = torch.nn.ParameterList([torch.nn.Parameter(torch.zeros(2, 3)), torch.zeros(4)])
    assert repr(e) == repr(t)
    e = enn.ParameterDict({"b": enn.Parameter(ember.zeros(2)), "a": ember.zeros(1, 2)})
    t = torch.nn.ParameterDict({"b": torch.nn.Parameter(torch.zeros(2)), "a": torch.zeros(1, 2)})
    assert repr(e) == repr(t)
    assert list(e.keys()) == list(t.keys())


def test_forward_and_gradients_match_torch_with_copied_weights():
    e, t = _build(enn), _build(torch.nn)
    _copy_weights(e, t)
    e.eval(), t.eval()
    x = np.random.default_rng(0).standard_normal((5, 3)).astype(np.float32)
    eo = e.blocks[1](e.blocks[0](e.act(e.embed(ember.tensor(x)))))
    to = t.blocks[1](t.blocks[0](t.act(t.embed(torch.tensor(x)))))
    assert_close(eo, to)
    eo.sum().backward()
    to.sum().backward()
    for (n, ep), (_, tp) in zip(e.named_parameters(), t.named_parameters()):
        if tp.grad is not None:
            assert_close(ep.grad, tp.grad, atol=1e-5)


def test_load_state_dict_from_torch_copies_values_in_place():
    e, t = _build(enn), _build(torch.nn)
    w = e.embed.weight
    res = e.load_state_dict({k: ember.tensor(v.numpy()) for k, v in t.state_dict().items()})
    assert repr(res) == "<All keys matched successfully>"
    assert e.embed.weight is w
    np.testing.assert_array_equal(w.detach().numpy(), t.embed.weight.detach().numpy())


def _load_error(model, sd, **kw):
    with pytest.raises(Exception) as info:
        model.load_state_dict(sd, **kw)
    return type(info.value), str(info.value)


def test_load_state_dict_size_mismatch_error_matches_torch():
    e, t = enn.Linear(784, 10), torch.nn.Linear(784, 10)
    e_err = _load_error(e, {"weight": ember.zeros(10, 100), "bias": ember.zeros(10)})
    t_err = _load_error(t, {"weight": torch.zeros(10, 100), "bias": torch.zeros(10)})
    assert e_err == t_err


def test_load_state_dict_missing_and_unexpected_error_matches_torch():
    e, t = enn.Linear(2, 3), torch.nn.Linear(2, 3)
    e_err = _load_error(e, {"weight": ember.zeros(3, 2), "extra": ember.zeros(1)})
    t_err = _load_error(t, {"weight": torch.zeros(3, 2), "extra": torch.zeros(1)})
    assert e_err == t_err


def test_load_state_dict_non_strict_returns_keys_like_torch():
    e, t = _build(enn), _build(torch.nn)
    e_res = e.load_state_dict({"embed.weight": ember.zeros(4, 3), "junk.x": ember.zeros(1)},
                              strict=False)
    t_res = t.load_state_dict({"embed.weight": torch.zeros(4, 3), "junk.x": torch.zeros(1)},
                              strict=False)
    assert e_res.missing_keys == t_res.missing_keys
    assert e_res.unexpected_keys == t_res.unexpected_keys


def _record_hooks(nn):
    calls = []
    lin = nn.Linear(2, 2)
    lin.register_forward_pre_hook(lambda m, a: calls.append("pre1"))
    lin.register_forward_pre_hook(lambda m, a: calls.append("pre0"), prepend=True)
    lin.register_forward_pre_hook(lambda m, a, k: calls.append("prekw"), with_kwargs=True)
    lin.register_forward_hook(lambda m, a, o: calls.append("fwd1"))
    lin.register_forward_hook(lambda m, a, o: calls.append("fwd0"), prepend=True)
    lin.register_forward_hook(lambda m, a, k, o: calls.append("fwdkw"), with_kwargs=True)
    lin.register_full_backward_pre_hook(lambda m, go: calls.append("bwpre"))
    lin.register_full_backward_hook(lambda m, gi, go: calls.append("bw"))
    return lin, calls


def test_hook_order_matches_torch():
    e, e_calls = _record_hooks(enn)
    t, t_calls = _record_hooks(torch.nn)
    e(ember.ones(1, 2, requires_grad=True)).sum().backward()
    t(torch.ones(1, 2, requires_grad=True)).sum().backward()
    assert e_calls == t_calls


def test_full_backward_hook_sees_same_grads_as_torch():
    seen = {}

    def hook(name):
        def fn(m, gi, go):
            seen[name] = (gi, go)
        return fn
    e, t = enn.Linear(3, 2), torch.nn.Linear(3, 2)
    _copy_weights(e, t)
    e.register_full_backward_hook(hook("e"))
    t.register_full_backward_hook(hook("t"))
    x = np.arange(6, dtype=np.float32).reshape(2, 3)
    (e(ember.tensor(x, requires_grad=True)) ** 2).sum().backward()
    (t(torch.tensor(x, requires_grad=True)) ** 2).sum().backward()
    (egi,), (ego,) = seen["e"]
    (tgi,), (tgo,) = seen["t"]
    assert_close(egi, tgi)
    assert_close(ego, tgo)


def test_backward_hook_can_replace_grad_input_like_torch():
    def run(nn, lib):
        m = nn.Linear(3, 3)
        m.register_full_backward_hook(lambda mod, gi, go: (gi[0] * 0 + 1,))
        x = lib.ones(2, 3, requires_grad=True)
        m(x).sum().backward()
        return x.grad
    assert_close(run(enn, ember), run(torch.nn, torch))


def test_forward_hook_replaces_output_like_torch():
    e, t = enn.Identity(), torch.nn.Identity()
    e.register_forward_hook(lambda m, a, o: o * 2)
    t.register_forward_hook(lambda m, a, o: o * 2)
    assert_close(e(ember.ones(2)), t(torch.ones(2)))


def test_to_double_keeps_parameter_identity_like_torch():
    e = enn.Linear(2, 2)
    w = e.weight
    e.double()
    assert e.weight is w and str(w.dtype) == str(torch.nn.Linear(2, 2).double().weight.dtype)


def test_to_rejects_integer_dtype_like_torch():
    with pytest.raises(TypeError) as te:
        torch.nn.Linear(2, 2).to(torch.int64)
    with pytest.raises(TypeError) as ee:
        enn.Linear(2, 2).to(ember.int64)
    assert str(ee.value) == str(te.value)


def test_setattr_non_parameter_on_parameter_name_raises_like_torch():
    with pytest.raises(TypeError) as te:
        torch.nn.Linear(2, 2).weight = torch.zeros(2, 2)
    with pytest.raises(TypeError) as ee:
        enn.Linear(2, 2).weight = ember.zeros(2, 2)
    assert str(ee.value) == str(te.value)


def test_parameter_repr_matches_torch():
    assert repr(enn.Parameter(ember.ones(2))) == repr(torch.nn.Parameter(torch.ones(2)))


def test_deepcopy_and_pickle_keep_parameters():
    m = enn.Sequential(enn.Linear(2, 2), enn.ReLU())
    for clone in (copy.deepcopy(m), pickle.loads(pickle.dumps(m))):
        assert isinstance(clone[0].weight, enn.Parameter)
        assert clone[0].weight is not m[0].weight
        np.testing.assert_array_equal(clone[0].weight.detach().numpy(),
                                      m[0].weight.detach().numpy())
