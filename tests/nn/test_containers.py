"""Containers: Sequential, ModuleList, ModuleDict, ParameterList, ParameterDict."""
from collections import OrderedDict

import pytest

import ember
import ember.nn as nn


def test_sequential_from_ordered_dict_keeps_names():
    s = nn.Sequential(OrderedDict([("a", nn.ReLU()), ("b", nn.Tanh())]))
    assert list(s._modules) == ["a", "b"] and isinstance(s.b, nn.Tanh)


def test_sequential_indexing_slicing_and_errors():
    s = nn.Sequential(nn.ReLU(), nn.Tanh(), nn.Sigmoid())
    assert isinstance(s[-1], nn.Sigmoid)
    assert isinstance(s[1:], nn.Sequential) and len(s[1:]) == 2
    with pytest.raises(IndexError, match="index 3 is out of range"):
        s[3]


def test_sequential_setitem_delitem_renumbers():
    s = nn.Sequential(nn.ReLU(), nn.Tanh(), nn.Sigmoid())
    s[0] = nn.Identity()
    del s[1]
    assert list(s._modules) == ["0", "1"] and isinstance(s[1], nn.Sigmoid)


def test_sequential_add_mul_and_forward():
    s = nn.Sequential(nn.Linear(2, 2)) + nn.Sequential(nn.ReLU())
    assert len(s) == 2 and len(s * 2) == 4
    assert s(ember.ones(3, 2)).shape == (3, 2)
    with pytest.raises(ValueError, match="Non-positive multiplication factor"):
        s * 0


def test_sequential_insert_checks():
    s = nn.Sequential(nn.ReLU())
    with pytest.raises(AssertionError):
        s.insert(0, 3)
    with pytest.raises(IndexError, match="Index out of range: 5"):
        s.insert(5, nn.ReLU())


def test_module_list_operations():
    ml = nn.ModuleList([nn.ReLU()])
    ml.append(nn.Tanh()).extend([nn.Sigmoid()])
    ml.insert(0, nn.Identity())
    ml += [nn.ReLU()]
    assert [type(m).__name__ for m in ml] == ["Identity", "ReLU", "Tanh", "Sigmoid", "ReLU"]
    assert isinstance(ml.pop(1), nn.ReLU) and len(ml) == 4
    assert isinstance(ml[1:3], nn.ModuleList) and len(ml[1:3]) == 2
    with pytest.raises(TypeError, match="ModuleList.extend should be called with an iterable"):
        ml.extend(3)


def test_module_list_parameters_are_registered():
    ml = nn.ModuleList([nn.Linear(2, 2), nn.Linear(2, 2)])
    assert [n for n, _ in ml.named_parameters()] == ["0.weight", "0.bias", "1.weight", "1.bias"]


def test_module_dict_operations():
    md = nn.ModuleDict({"a": nn.ReLU()})
    md.update([("b", nn.Tanh())])
    md["c"] = nn.Sigmoid()
    assert list(md) == ["a", "b", "c"] and "b" in md and len(md) == 3
    assert isinstance(md.pop("a"), nn.ReLU)
    assert list(md.keys()) == ["b", "c"]
    with pytest.raises(ValueError, match="has length 1; 2 is required"):
        md.update([("x",)])
    md.clear()
    assert len(md) == 0


def test_parameter_list_wraps_tensors():
    pl = nn.ParameterList([ember.ones(2)])
    pl.append(ember.zeros(3))
    assert all(isinstance(p, nn.Parameter) for p in pl) and len(pl) == 2
    assert len(list(nn.Sequential(nn.Identity()).parameters())) == 0
    with pytest.raises(RuntimeError, match="ParameterList should not be called."):
        pl()


def test_parameter_dict_operations():
    pd = nn.ParameterDict({"b": ember.ones(1), "a": ember.ones(2)})
    assert list(pd) == ["a", "b"]  # a plain dict is added in sorted order
    assert isinstance(pd["a"], nn.Parameter)
    assert pd.get("zz") is None and pd.setdefault("c", ember.zeros(1)).shape == (1,)
    k, _ = pd.popitem()
    assert k == "c" and len(pd) == 2
    merged = pd | nn.ParameterDict({"d": ember.ones(1)})
    assert list(merged) == ["a", "b", "d"]
    with pytest.raises(TypeError, match="not a string"):
        pd[1]
