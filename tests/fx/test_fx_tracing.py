"""ember.fx: tracing, graph editing, code generation, interpreters and passes."""
import operator

import numpy as np
import pytest

import ember
import ember.nn as nn
import ember.nn.functional as F
from ember import fx
from ember.fx.passes.shape_prop import ShapeProp


def _scaled_sum(x, y):
    return x * 3 + y


fx.wrap("_scaled_sum")


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(4, 4)
        self.register_buffer("shift", ember.ones(4))

    def forward(self, x):
        h = F.relu(self.fc(x)) + self.shift
        return _scaled_sum(h, x).sum(dim=1)


def test_trace_records_node_kinds_and_runs_like_the_module():
    m = Net()
    gm = fx.symbolic_trace(m)
    ops = [n.op for n in gm.graph.nodes]
    assert ops == ["placeholder", "call_module", "call_function", "get_attr",
                   "call_function", "call_function", "call_method", "output"]
    x = ember.randn(3, 4)
    assert ember.equal(gm(x), m(x))
    assert "_scaled_sum(" in gm.code and "self.fc(x)" in gm.code
    assert set(gm.state_dict()) == set(m.state_dict())


def test_node_users_args_and_replace_all_uses_with():
    gm = fx.symbolic_trace(Net())
    relu = next(n for n in gm.graph.nodes if n.target is F.relu)
    add = next(iter(relu.users))
    assert add.args[0] is relu and relu in add.all_input_nodes
    fc = relu.args[0]
    relu.replace_all_uses_with(fc)
    assert not relu.users and add.args[0] is fc
    gm.graph.erase_node(relu)
    gm.graph.lint()
    gm.recompile()
    m = gm
    x = ember.randn(2, 4)
    expected = ((m.fc(x) + m.shift) * 3 + x).sum(dim=1)
    assert ember.allclose(gm(x), expected)


def test_inserting_after_and_dead_code():
    gm = fx.symbolic_trace(Net())
    g = gm.graph
    fc = next(n for n in g.nodes if n.op == "call_module")
    with g.inserting_after(fc):
        neg = g.call_function(operator.neg, (fc,))
    unused = g.call_method("exp", (neg,))
    relu = next(iter(fc.users - {neg} if isinstance(fc.users, set) else
                     [u for u in fc.users if u is not neg]))
    relu.replace_input_with(fc, neg)
    assert g.eliminate_dead_code()
    assert unused._erased
    g.lint()
    gm.recompile()
    x = ember.randn(2, 4)
    expected = ((F.relu(-gm.fc(x)) + gm.shift) * 3 + x).sum(dim=1)
    assert ember.allclose(gm(x), expected)


def test_erase_node_with_users_raises():
    gm = fx.symbolic_trace(Net())
    fc = next(n for n in gm.graph.nodes if n.op == "call_module")
    with pytest.raises(RuntimeError, match="still had 1 users"):
        gm.graph.erase_node(fc)


def test_lint_catches_use_before_definition():
    g = fx.Graph()
    x = g.placeholder("x")
    with g.inserting_before(x):
        g.call_function(ember.relu, (x,))
    with pytest.raises(RuntimeError, match="used before it has been defined"):
        g.lint()


def test_hand_built_graph_generates_code():
    g = fx.Graph()
    x = g.placeholder("x")
    y = g.call_function(ember.sigmoid, (x,))
    z = g.call_method("mul", (y, 2.0))
    g.output(z)
    gm = fx.GraphModule(nn.Module(), g)
    assert "torch.sigmoid(x)" in gm.code and "sigmoid.mul(2.0)" in gm.code
    t = ember.randn(5)
    assert ember.allclose(gm(t), ember.sigmoid(t) * 2)
    assert "class GraphModule" in gm.print_readable(print_output=False)


def test_control_flow_error_names_the_line():
    def f(x):
        if x.sum() > 0:  # the line the error names
            return x
        return x
    with pytest.raises(fx.TraceError, match="the line the error names"):
        fx.symbolic_trace(f)


def test_iterating_a_proxy_raises():
    def f(x):
        a, b = x
        return a
    with pytest.raises(fx.TraceError, match="cannot be iterated"):
        fx.symbolic_trace(f)


class _Inner(nn.Module):
    def forward(self, x):
        return ember.relu(x) + 1


def test_custom_leaf_module():
    class Tracer(fx.Tracer):
        def is_leaf_module(self, m, name):
            return isinstance(m, _Inner) or super().is_leaf_module(m, name)
    m = nn.Sequential(nn.Linear(3, 3), _Inner())
    ops = [(n.op, n.target) for n in Tracer().trace(m).nodes]
    assert ("call_module", "1") in ops and ("call_function", ember.relu) not in ops
    ops = [(n.op, n.target) for n in fx.Tracer().trace(m).nodes]
    assert ("call_module", "1") not in ops and ("call_function", ember.relu) in ops


def test_interpreter_and_transformer():
    m = nn.Sequential(nn.Linear(3, 3), nn.Tanh())
    gm = fx.symbolic_trace(m)
    x = ember.randn(2, 3)
    assert ember.equal(fx.Interpreter(gm).run(x), m(x))

    class Negate(fx.Transformer):
        def call_module(self, target, args, kwargs):
            return -super().call_module(target, args, kwargs)
    out = Negate(gm).transform()
    assert ember.allclose(out(x), -ember.tanh(-m[0](x)))


def test_map_arg_and_shape_prop():
    gm = fx.symbolic_trace(Net())
    node = next(n for n in gm.graph.nodes if n.op == "output")
    assert fx.map_arg((node.args, [1]), lambda n: n.name) == ((node.args[0].name,), [1])
    ShapeProp(gm).propagate(ember.randn(2, 4))
    meta = {n.name: n.meta["tensor_meta"] for n in gm.graph.nodes if "tensor_meta" in n.meta}
    assert meta["fc"].shape == (2, 4) and meta["fc"].dtype == ember.float32
    assert meta["sum_1"].shape == (2,)


def test_replace_pattern():
    def f(x, y):
        return ember.relu(x + y) * 2

    def pattern(a, b):
        return ember.relu(a + b)

    def replacement(a, b):
        return ember.sigmoid(a - b)
    gm = fx.symbolic_trace(f)
    matches = fx.replace_pattern(gm, pattern, replacement)
    assert len(matches) == 1
    x, y = ember.randn(3), ember.randn(3)
    assert ember.allclose(gm(x, y), ember.sigmoid(x - y) * 2)
    assert "relu" not in gm.code


def test_tensor_constant_becomes_get_attr():
    const = ember.tensor([1.0, 2.0])

    def f(x):
        return x + const
    gm = fx.symbolic_trace(f)
    assert [n.op for n in gm.graph.nodes][1] == "get_attr"
    assert np.allclose(gm(ember.zeros(2)).numpy(), [1.0, 2.0])


def test_graph_module_deepcopy_keeps_code():
    import copy
    gm = fx.symbolic_trace(Net())
    gm2 = copy.deepcopy(gm)
    x = ember.randn(2, 4)
    assert ember.equal(gm(x), gm2(x)) and gm2.code == gm.code
