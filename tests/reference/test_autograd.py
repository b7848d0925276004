"""Autograd against PyTorch: the engine, hooks, higher-order gradients, in-place ops on
graph tensors and views, user-defined Functions, and the errors autograd raises."""
import warnings

import numpy as np
import pytest

torch = pytest.importorskip("torch", reason="differential autograd tests need PyTorch")

import ember  # noqa: E402
from hypothesis import given, settings  # noqa: E402
from hypothesis.extra import numpy as hnp  # noqa: E402


def _plain(x):
    """Tensors (either framework) as nested lists; containers element by element."""
    if isinstance(x, (ember.Tensor, torch.Tensor)):
        return x.detach().tolist()
    if isinstance(x, (tuple, list)):
        return [_plain(v) for v in x]
    return x


def same_in_both(scenario, atol=1e-5, rtol=1e-5):
    """Run ``scenario(module)`` with ember and with torch and compare what it returns."""
    got, want = _plain(scenario(ember)), _plain(scenario(torch))
    _compare(got, want, atol, rtol)
    return got


def _compare(got, want, atol, rtol):
    if isinstance(want, list):
        assert isinstance(got, list) and len(got) == len(want), (got, want)
        for g, w in zip(got, want):
            _compare(g, w, atol, rtol)
    elif isinstance(want, float):
        np.testing.assert_allclose(got, want, atol=atol, rtol=rtol)
    else:
        assert got == want


def same_error(scenario, exc=RuntimeError):
    """Both frameworks raise ``exc`` with the same message from ``scenario(module)``."""
    with pytest.raises(exc) as want:
        scenario(torch)
    with pytest.raises(exc) as got:
        scenario(ember)
    assert str(got.value) == str(want.value)


# -- the engine ------------------------------------------------------------------------------
def test_diamond_graph_sums_both_paths():
    def scenario(t):
        x = t.tensor([0.5, -1.0, 2.0], requires_grad=True)
        a = x * 2
        (a.exp() * a.sin()).sum().backward()
        return x.grad
    same_in_both(scenario, rtol=1e-5)


def test_shared_subexpression_used_three_times():
    def scenario(t):
        x = t.tensor([0.3, 0.7], requires_grad=True)
        s = x.tanh()
        (s * s + s).sum().backward()
        return x.grad
    same_in_both(scenario)


def test_leaf_used_several_times():
    def scenario(t):
        x = t.tensor([1.0, 2.0], requires_grad=True)
        (x * x * x + x - x / 2).sum().backward()
        return x.grad
    same_in_both(scenario)


def test_multiple_roots_accumulate_into_one_grad():
    def scenario(t):
        x = t.tensor([1.0, 2.0], requires_grad=True)
        a = x * 2
        t.autograd.backward([a, a * a], [t.ones(2), t.full((2,), 0.5)])
        return x.grad
    same_in_both(scenario)


def test_gradients_accumulate_over_backward_calls():
    def scenario(t):
        x = t.tensor([1.0, 2.0], requires_grad=True)
        (x * 3).sum().backward()
        (x * x).sum().backward()
        return x.grad
    same_in_both(scenario)


def test_leaf_root_gets_the_given_gradient():
    def scenario(t):
        x = t.tensor([1.0, 2.0], requires_grad=True)
        x.backward(t.tensor([3.0, 4.0]))
        return x.grad
    same_in_both(scenario)


def test_grad_never_aliases_the_gradient_passed_in():
    x = ember.tensor([1.0, 2.0], requires_grad=True)
    g = ember.tensor([1.0, 1.0])
    x.backward(g)
    x.grad.add_(1)
    assert g.tolist() == [1.0, 1.0]


def test_grads_of_two_leaves_from_one_add_do_not_alias():
    x = ember.tensor([1.0, 2.0], requires_grad=True)
    y = ember.tensor([3.0, 4.0], requires_grad=True)
    (x + y).sum().backward()
    x.grad.add_(1)
    assert y.grad.tolist() == [1.0, 1.0]


def test_grad_of_broadcast_leaf_is_owned_and_writable():
    x = ember.tensor(1.0, requires_grad=True)
    x.expand(3).sum().backward()
    x.grad.add_(1)
    assert x.grad.item() == 4.0
    assert x.grad.is_contiguous()


def test_accumulated_grad_updates_in_place():
    x = ember.tensor([1.0, 2.0], requires_grad=True)
    (x * 2).sum().backward()
    held = x.grad
    (x * 2).sum().backward()
    assert held.tolist() == [4.0, 4.0]


def test_unbroadcast_to_leaf_shapes():
    def scenario(t):
        a = t.ones(3, 1, requires_grad=True)
        b = t.arange(4.0, requires_grad=True)
        c = t.tensor(2.0, requires_grad=True)
        ((a * b) * c).sum().backward()
        return a.grad, b.grad, c.grad
    same_in_both(scenario)


@settings(max_examples=20, deadline=None)
@given(shapes=hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=3,
                                                 max_side=3))
def test_broadcast_gradients_match_torch(shapes):
    rng = np.random.default_rng(0)
    arrays = [rng.standard_normal(s).astype(np.float32) for s in shapes.input_shapes]

    def scenario(t):
        a, b = (t.tensor(x, requires_grad=True) for x in arrays)
        (a * b + a).sum().backward()
        return a.grad, b.grad
    same_in_both(scenario)


def test_graph_is_freed_after_backward():
    same_error(lambda t: _backward_twice(t, retain=False))


def _backward_twice(t, retain):
    x = t.tensor([1.0, 2.0], requires_grad=True)
    y = x.exp().sum()
    y.backward(retain_graph=retain)
    y.backward()
    return x.grad


def test_retain_graph_allows_a_second_backward():
    same_in_both(lambda t: _backward_twice(t, retain=True))


def test_saved_tensors_are_released_after_backward():
    x = ember.tensor([1.0, 2.0], requires_grad=True)
    y = x * x
    y.sum().backward()
    with pytest.raises(RuntimeError, match="backward through the graph a second time"):
        y.grad_fn.saved_tensors


# -- autograd.grad ---------------------------------------------------------------------------
def test_grad_returns_without_accumulating():
    def scenario(t):
        x = t.tensor([1.0, 2.0], requires_grad=True)
        g, = t.autograd.grad((x ** 2).sum(), x)
        return g, x.grad
    same_in_both(scenario)


def test_grad_with_respect_to_an_intermediate():
    def scenario(t):
        x = t.tensor([1.0, 2.0], requires_grad=True)
        a = x * 2
        return t.autograd.grad((a.exp() + a).sum(), [a, x])
    same_in_both(scenario)


def test_grad_runs_only_the_part_of_the_graph_it_needs():
    x = ember.tensor([1.0, 2.0], requires_grad=True)
    w = ember.tensor([3.0, 4.0], requires_grad=True)
    calls = []
    u = w * 2
    u.register_hook(lambda g: calls.append("u"))
    ember.autograd.grad((x * 3 + u).sum(), x)
    assert calls == []


def test_grad_unused_input_raises():
    def scenario(t):
        x = t.tensor([1.0], requires_grad=True)
        z = t.tensor([1.0], requires_grad=True)
        t.autograd.grad((x * 2).sum(), [x, z])
    same_error(scenario)


def test_grad_allow_unused_gives_none():
    def scenario(t):
        x = t.tensor([1.0], requires_grad=True)
        z = t.tensor([1.0], requires_grad=True)
        return t.autograd.grad((x * 2).sum(), [x, z], allow_unused=True)
    same_in_both(scenario)


def test_grad_materialize_grads_gives_zeros():
    def scenario(t):
        x = t.tensor([1.0], requires_grad=True)
        z = t.tensor([1.0, 2.0], requires_grad=True)
        return t.autograd.grad((x * 2).sum(), [x, z], materialize_grads=True)
    same_in_both(scenario)


def test_grad_input_not_requiring_grad_raises():
    same_error(lambda t: t.autograd.grad((t.ones(2, requires_grad=True) * 2).sum(),
                                         [t.ones(2)]))


def test_grad_empty_inputs_raise():
    same_error(lambda t: t.autograd.grad((t.ones(2, requires_grad=True) * 2).sum(), []))


def test_grad_output_shape_mismatch_raises():
    def scenario(t):
        x = t.ones(2, requires_grad=True)
        t.autograd.grad(x * 2, x, t.ones(3))
    same_error(scenario)


def test_grad_output_of_other_dtype_is_cast():
    def scenario(t):
        x = t.ones(2, requires_grad=True)
        g, = t.autograd.grad(x * 2, x, t.ones(2, dtype=t.float64))
        return g, str(g.dtype)
    same_in_both(scenario)


def test_backward_inputs_accumulates_only_into_them():
    def scenario(t):
        x = t.tensor([1.0, 2.0], requires_grad=True)
        w = t.tensor([3.0, 4.0], requires_grad=True)
        (x * w).sum().backward(inputs=[w])
        return x.grad, w.grad
    same_in_both(scenario)


# -- higher-order derivatives ----------------------------------------------------------------
_SECOND_ORDER = {
    "cube": lambda x: x ** 3,
    "tanh": lambda x: x.tanh(),
    "sigmoid": lambda x: x.sigmoid(),
    "exp": lambda x: x.exp(),
    "product": lambda x: x * x.sin(),
}


@pytest.mark.parametrize("name", sorted(_SECOND_ORDER))
def test_second_and_third_derivatives(name):
    fn = _SECOND_ORDER[name]

    def scenario(t):
        x = t.tensor([0.3, -1.2, 0.8], dtype=t.float64, requires_grad=True)
        g1, = t.autograd.grad(fn(x).sum(), x, create_graph=True)
        g2, = t.autograd.grad(g1.sum(), x, create_graph=True)
        g3, = t.autograd.grad(g2.sum(), x)
        return g1, g2, g3
    same_in_both(scenario, atol=1e-12, rtol=1e-10)


def test_backward_create_graph_gives_differentiable_grad():
    def scenario(t):
        x = t.tensor([0.5, 2.0], dtype=t.float64, requires_grad=True)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            (x ** 3).sum().backward(create_graph=True)
        g = x.grad
        x.grad = None
        g.sum().backward()
        return g, x.grad
    same_in_both(scenario)


@pytest.mark.parametrize("name", sorted(_SECOND_ORDER))
def test_gradcheck_and_gradgradcheck_pass(name):
    x = ember.tensor([0.3, -1.2, 0.8], dtype=ember.float64, requires_grad=True)
    assert ember.autograd.gradcheck(_SECOND_ORDER[name], (x,))
    assert ember.autograd.gradgradcheck(_SECOND_ORDER[name], (x,))


def test_gradcheck_catches_a_wrong_derivative():
    class Wrong(ember.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * x

        @staticmethod
        def backward(ctx, g):
            return g  # should be 2 * x * g

    x = ember.tensor([0.3, 1.5], dtype=ember.float64, requires_grad=True)
    from ember.autograd.gradcheck import GradcheckError
    with pytest.raises(GradcheckError, match="Jacobian mismatch"):
        ember.autograd.gradcheck(Wrong.apply, (x,))


def test_gradcheck_perturbs_non_contiguous_inputs():
    x = ember.tensor([[0.3, 1.5], [0.2, -0.7]], dtype=ember.float64).t().requires_grad_()
    assert ember.autograd.gradcheck(lambda a: (a * a).sum(0), (x,))


# -- hooks and retained grads ----------------------------------------------------------------
def test_leaf_hook_replaces_gradient():
    def scenario(t):
        x = t.tensor([1.0, 2.0], requires_grad=True)
        x.register_hook(lambda g: g * 10)
        (x * 3).sum().backward()
        return x.grad
    same_in_both(scenario)


def test_non_leaf_hook_changes_what_flows_on():
    def scenario(t):
        x = t.tensor([1.0, 2.0], requires_grad=True)
        y = x * 3
        seen = []
        y.register_hook(lambda g: seen.append(g.clone()) or g * 10)
        (y * y).sum().backward()
        return x.grad, seen
    same_in_both(scenario)


def test_removed_hook_does_not_run():
    def scenario(t):
        x = t.tensor([1.0, 2.0], requires_grad=True)
        h = x.register_hook(lambda g: g * 10)
        h.remove()
        (x * 3).sum().backward()
        return x.grad
    same_in_both(scenario)


def test_hooks_apply_to_autograd_grad_results():
    def scenario(t):
        x = t.tensor([1.0, 2.0], requires_grad=True)
        y = x * 2
        y.register_hook(lambda g: g * 10)
        return t.autograd.grad((y * 2).sum(), y)
    same_in_both(scenario)


def test_retain_grad_keeps_non_leaf_grad():
    def scenario(t):
        x = t.tensor([1.0, 2.0], requires_grad=True)
        y = x * 3
        y.retain_grad()
        (y * y).sum().backward()
        return y.grad, x.grad, y.retains_grad, y.is_leaf
    same_in_both(scenario)


def test_retained_grad_accumulates():
    def scenario(t):
        x = t.tensor([1.0, 2.0], requires_grad=True)
        y = x * 2
        y.retain_grad()
        y.sum().backward(retain_graph=True)
        y.sum().backward()
        return y.grad
    same_in_both(scenario)


def test_retained_grad_does_not_alias_leaf_grad():
    x = ember.tensor([1.0, 2.0], requires_grad=True)
    y = x.clone()
    y.retain_grad()
    (y * 1).sum().backward()
    y.grad.add_(5)
    assert x.grad.tolist() == [1.0, 1.0]


def test_non_leaf_grad_access_warns():
    x = ember.tensor([1.0], requires_grad=True)
    y = x * 2
    with pytest.warns(UserWarning, match="is not a leaf Tensor is being accessed"):
        assert y.grad is None


def test_node_hook_sees_input_and_output_grads():
    def scenario(t):
        x = t.tensor([1.0, 2.0], requires_grad=True)
        z = (x * 2).exp()
        seen = []
        z.grad_fn.register_hook(lambda gi, go: seen.append((gi[0].clone(), go[0].clone())))
        z.sum().backward()
        return seen
    same_in_both(scenario)


def test_node_prehook_replaces_output_grads():
    def scenario(t):
        x = t.tensor([1.0, 2.0], requires_grad=True)
        z = (x * 2).exp()
        z.grad_fn.register_prehook(lambda go: (go[0] * 0,))
        z.sum().backward()
        return x.grad
    same_in_both(scenario)


def test_hook_on_tensor_without_grad_raises():
    same_error(lambda t: t.ones(2).register_hook(lambda g: g))


def test_retain_grad_on_tensor_without_grad_raises():
    same_error(lambda t: t.ones(2).retain_grad())


# -- graph inspection -------------------------------------------------------------------------
def test_grad_fn_names_and_next_functions():
    def scenario(t):
        x = t.tensor([1.0, 2.0], requires_grad=True)
        y = (x * 2).exp().sum()
        nxt = y.grad_fn.next_functions
        return y.grad_fn.name(), [(type(n).__name__, k) for n, k in nxt]
    same_in_both(scenario)


def test_next_functions_lists_untracked_tensor_inputs_as_none():
    def scenario(t):
        x = t.tensor([1.0, 2.0], requires_grad=True)
        y = x + t.ones(2)
        return [(n is None, k) for n, k in y.grad_fn.next_functions]
    same_in_both(scenario)


def test_accumulate_grad_node_points_at_the_leaf():
    x = ember.tensor([1.0], requires_grad=True)
    node = (x * 2).grad_fn.next_functions[0][0]
    assert (node.name(), node.variable is x) == ("torch::autograd::AccumulateGrad", True)


def test_grad_fn_is_an_autograd_graph_node():
    x = ember.tensor([1.0], requires_grad=True)
    assert isinstance((x * 2).grad_fn, ember.autograd.graph.Node)


# -- in-place operations inside the graph ----------------------------------------------------
def test_inplace_ops_on_non_leaf():
    def scenario(t):
        x = t.tensor([1.0, 2.0, 3.0], requires_grad=True)
        y = x * 2
        y.add_(1)
        y[0] = 0
        (y * y).sum().backward()
        return x.grad
    same_in_both(scenario)


def test_inplace_through_slice_view_updates_base_graph():
    def scenario(t):
        x = t.tensor([1.0, 2.0, 3.0], requires_grad=True)
        y = x * 2
        y[1:].mul_(3)
        (y * y).sum().backward()
        return x.grad, type(y.grad_fn).__name__
    same_in_both(scenario)


def test_inplace_unary_on_row_view():
    def scenario(t):
        x = t.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
        y = x * 1
        y[0].exp_()
        y.sum().backward()
        return x.grad
    same_in_both(scenario)


def test_setitem_through_view_reaches_base():
    def scenario(t):
        x = t.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
        y = x * 1
        y[0][1] = 5.0
        y.sum().backward()
        return x.grad
    same_in_both(scenario)


def test_view_written_with_tracked_value_makes_base_require_grad():
    def scenario(t):
        x = t.tensor([1.0, 2.0, 3.0], requires_grad=True)
        out = t.zeros(2, 3)
        out[1][1:] = x[1:] * 2
        (out * out).sum().backward()
        return x.grad, out.requires_grad
    same_in_both(scenario)


def test_inplace_through_transposed_view():
    def scenario(t):
        x = t.tensor([[1.0, 2.0], [3.0, 4.0]], dtype=t.float64, requires_grad=True)
        y = x * 1
        y.t()[0].mul_(3)
        (y * y).sum().backward()
        return x.grad
    same_in_both(scenario)


def test_older_view_sees_later_inplace_on_base():
    def scenario(t):
        x = t.arange(6.0, requires_grad=True)
        y = x * 1
        v = y.view(2, 3)
        y.mul_(2)
        (v * v).sum().backward()
        return x.grad
    same_in_both(scenario)


def test_view_of_view_inplace():
    def scenario(t):
        x = t.arange(12.0, requires_grad=True)
        y = x * 1
        y.view(3, 4)[1:, ::2].pow_(2)
        (y.view(2, 6) * t.arange(12.0).view(2, 6)).sum().backward()
        return x.grad
    same_in_both(scenario)


def test_inplace_view_second_derivative():
    def scenario(t):
        x = t.tensor([1.0, 2.0, 3.0], dtype=t.float64, requires_grad=True)
        y = x * 1
        y[1:].pow_(3)
        g, = t.autograd.grad(y.sum(), x, create_graph=True)
        return g, t.autograd.grad(g.sum(), x)[0]
    same_in_both(scenario)


def test_inplace_value_of_other_dtype_gets_its_own_dtype_grad():
    def scenario(t):
        x = t.tensor([1.0, 2.0], requires_grad=True)
        d = t.tensor([1.0, 2.0], dtype=t.float64, requires_grad=True)
        y = x * 1
        y[0:1].add_(d[:1] * 3)
        y.sum().backward()
        return x.grad, d.grad, str(d.grad.dtype)
    same_in_both(scenario)


def test_retained_grad_follows_inplace_write():
    def scenario(t):
        x = t.ones(2, requires_grad=True)
        y = x * 2
        y.retain_grad()
        y.mul_(3)
        (y * y).sum().backward()
        return y.grad, x.grad
    same_in_both(scenario)


def test_retained_grad_of_view_follows_inplace_write_to_base():
    def scenario(t):
        x = t.ones(4, requires_grad=True)
        y = x * 2
        v = y[:2]
        v.retain_grad()
        y.mul_(3)
        (v * v).sum().backward()
        return v.grad, x.grad
    same_in_both(scenario)


def test_inplace_on_expanded_view_raises():
    def scenario(t):
        y = (t.ones(2, requires_grad=True) * 1).expand(3, 2)
        y.mul_(2)
    same_error(scenario)


def test_inplace_on_leaf_requiring_grad_raises():
    def scenario(t):
        x = t.ones(2, requires_grad=True)
        x.add_(1)
    same_error(scenario)


def test_inplace_on_view_of_leaf_raises():
    def scenario(t):
        x = t.ones(2, 2, requires_grad=True)
        x[0].mul_(2)
    same_error(scenario)


def test_inplace_on_leaf_allowed_under_no_grad():
    def scenario(t):
        x = t.ones(2, requires_grad=True)
        with t.no_grad():
            x.add_(1)
        return x, x.requires_grad, x.is_leaf
    same_in_both(scenario)


def test_modified_saved_input_raises_at_backward():
    def scenario(t):
        x = t.ones(2, requires_grad=True)
        y = x * 1
        z = y * y
        y.add_(1)
        z.sum().backward()
    same_error(scenario)


def test_modified_saved_output_raises_at_backward():
    def scenario(t):
        x = t.ones(2, requires_grad=True)
        z = x.exp()
        z.add_(1)
        z.sum().backward()
    same_error(scenario)


def test_modified_saved_leaf_raises_at_backward():
    def scenario(t):
        x = t.ones((), dtype=t.float64, requires_grad=True)
        y = x * x
        with t.no_grad():
            x.add_(1)
        y.backward()
    same_error(scenario)


def test_version_counter_shared_by_views():
    def scenario(t):
        x = t.zeros(3)
        v = x[1:]
        v.add_(1)
        return x._version, v._version
    same_in_both(scenario)


# -- user-defined Functions --------------------------------------------------------------------
def _square_fn(t):
    class Square(t.autograd.Function):
        @staticmethod
        def forward(ctx, x, k):
            ctx.save_for_backward(x)
            ctx.k = k
            return x * x * k

        @staticmethod
        def backward(ctx, g):
            x, = ctx.saved_tensors
            return g * 2 * x * ctx.k, None
    return Square


def test_function_forward_and_backward():
    def scenario(t):
        x = t.tensor([1.0, 2.0], dtype=t.float64, requires_grad=True)
        y = _square_fn(t).apply(x, 3.0)
        y.sum().backward()
        return y, x.grad, type(y.grad_fn).__name__, y.grad_fn.needs_input_grad
    same_in_both(scenario)


def test_function_setup_context_style_and_double_backward():
    def scenario(t):
        class Exp(t.autograd.Function):
            @staticmethod
            def forward(x):
                return x.exp()

            @staticmethod
            def setup_context(ctx, inputs, output):
                ctx.save_for_backward(output)

            @staticmethod
            def backward(ctx, g):
                y, = ctx.saved_tensors
                return g * y
        x = t.tensor([0.5, 1.0], dtype=t.float64, requires_grad=True)
        g, = t.autograd.grad(Exp.apply(x).sum(), x, create_graph=True)
        return g, t.autograd.grad(g.sum(), x)[0]
    same_in_both(scenario)


def test_function_non_differentiable_output():
    def scenario(t):
        class Twice(t.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                a, b = x * 2, x * 3
                ctx.mark_non_differentiable(b)
                return a, b

            @staticmethod
            def backward(ctx, ga, gb):
                return ga * 2 + gb
        x = t.tensor([1.0, 3.0], requires_grad=True)
        a, b = Twice.apply(x)
        a.sum().backward()
        return x.grad, b.requires_grad
    same_in_both(scenario)


def _dirty_double(t):
    """A user Function that doubles its input in place and marks it dirty."""
    class Double(t.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            x.mul_(2)
            ctx.mark_dirty(x)
            return x

        @staticmethod
        def backward(ctx, g):
            return g * 2
    return Double


def test_function_mark_dirty_returns_the_input():
    def scenario(t):
        Double = _dirty_double(t)
        x = t.tensor([1.0, 3.0], requires_grad=True)
        y = x * 1
        z = Double.apply(y)
        z.sum().backward()
        return x.grad, z is y, y._version
    same_in_both(scenario)


def test_function_mark_dirty_on_leaf_raises():
    def scenario(t):
        Double = _dirty_double(t)
        Double.apply(t.ones(2, requires_grad=True))
    same_error(scenario)


def test_function_materializes_missing_grads_as_zeros():
    def scenario(t):
        seen = []

        class Split(t.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                return x * 2, x * 3

            @staticmethod
            def backward(ctx, g1, g2):
                seen.append(g2.clone())
                return g1 * 2 + g2 * 3
        x = t.tensor([1.0], requires_grad=True)
        Split.apply(x)[0].sum().backward()
        return seen, x.grad
    same_in_both(scenario)


def test_function_set_materialize_grads_false_passes_none():
    def scenario(t):
        seen = []

        class Split(t.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                ctx.set_materialize_grads(False)
                return x * 2, x * 3

            @staticmethod
            def backward(ctx, g1, g2):
                seen.append((g1 is None, g2 is None))
                return g1 * 2
        x = t.tensor([1.0], requires_grad=True)
        Split.apply(x)[0].sum().backward()
        return seen, x.grad
    same_in_both(scenario)


def test_function_wrong_number_of_grads_raises():
    def scenario(t):
        class Mul(t.autograd.Function):
            @staticmethod
            def forward(ctx, a, b):
                return a * b

            @staticmethod
            def backward(ctx, g):
                return g
        Mul.apply(t.ones(1, requires_grad=True), t.ones(1)).sum().backward()
    same_error(scenario)


def test_function_saved_tensor_modified_raises():
    def scenario(t):
        class Keep(t.autograd.Function):
            @staticmethod
            def forward(ctx, a):
                ctx.save_for_backward(a)
                return a * 2

            @staticmethod
            def backward(ctx, g):
                a, = ctx.saved_tensors
                return g * a
        a = t.ones(1, requires_grad=True) * 1
        y = Keep.apply(a)
        a.add_(1)
        y.sum().backward()
    same_error(scenario)


def test_function_without_tracked_inputs_records_nothing():
    def scenario(t):
        y = _square_fn(t).apply(t.ones(2), 2.0)
        return y.requires_grad, y.grad_fn is None
    same_in_both(scenario)


def test_once_differentiable_backward_is_not_differentiated():
    def scenario(t):
        class Sq(t.autograd.Function):
            @staticmethod
            def forward(ctx, a):
                ctx.save_for_backward(a)
                return a * a

            @staticmethod
            @t.autograd.function.once_differentiable
            def backward(ctx, g):
                a, = ctx.saved_tensors
                return 2 * a * g
        a = t.tensor([1.5], requires_grad=True)
        g, = t.autograd.grad(Sq.apply(a).sum(), a, create_graph=True)
        return g, g.requires_grad
    same_in_both(scenario)


def test_function_non_tensor_output_passes_through():
    def scenario(t):
        class WithCount(t.autograd.Function):
            @staticmethod
            def forward(ctx, a):
                return a * 2, 5

            @staticmethod
            def backward(ctx, g, _):
                return g * 2
        a = t.tensor([1.0], requires_grad=True)
        y, k = WithCount.apply(a)
        y.sum().backward()
        return k, a.grad
    same_in_both(scenario)


def test_legacy_variable_is_a_detached_alias():
    def scenario(t):
        x = t.ones(2)
        v = t.autograd.Variable(x, requires_grad=True)
        (v * 2).sum().backward()
        return v is x, v.requires_grad, x.requires_grad, isinstance(x, t.autograd.Variable), \
            v.grad
    same_in_both(scenario)


# -- anomaly detection -------------------------------------------------------------------------
def _nan_backward(t):
    x = t.tensor([0.0, 1.0], requires_grad=True)
    with np.errstate(all="ignore"):  # the infinities are the point here
        (x.sqrt() * 0).sum().backward()


def test_detect_anomaly_names_the_op_that_made_nan():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with torch.autograd.detect_anomaly(), pytest.raises(RuntimeError) as want:
            _nan_backward(torch)
    with pytest.warns(UserWarning) as record, ember.autograd.detect_anomaly(), \
            pytest.raises(RuntimeError) as got:
        _nan_backward(ember)
    assert str(got.value) == str(want.value)
    trace = [str(w.message) for w in record if "Traceback of forward call" in str(w.message)]
    assert trace and "x.sqrt()" in trace[0]


def test_without_anomaly_mode_nan_passes_silently():
    _nan_backward(ember)


def test_set_detect_anomaly_switches_and_restores():
    with ember.autograd.set_detect_anomaly(True):
        inside = ember.autograd.is_anomaly_enabled()
    assert (inside, ember.autograd.is_anomaly_enabled()) == (True, False)


def test_anomaly_mode_changes_the_modified_tensor_hint():
    def scenario(t):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with t.autograd.detect_anomaly():
                x = t.ones(2, requires_grad=True)
                y = x * 1
                z = y * y
                y.add_(1)
                z.sum().backward()
    same_error(scenario)


# -- errors --------------------------------------------------------------------------------------
def test_implicit_gradient_needs_a_scalar():
    same_error(lambda t: (t.ones(2, requires_grad=True) * 2).backward())


def test_backward_on_tensor_without_grad_raises():
    same_error(lambda t: t.ones(2).sum().backward())


def test_backward_on_integer_scalar_raises():
    same_error(lambda t: t.tensor(2).backward())


def test_backward_gradient_shape_mismatch_raises():
    same_error(lambda t: (t.ones(2, requires_grad=True) * 2).backward(t.ones(3)))


def test_autograd_backward_names_the_offending_root():
    def scenario(t):
        x = t.ones(2, requires_grad=True)
        t.autograd.backward([(x * 2).sum(), t.ones(())])
    same_error(scenario)


def test_integer_tensor_cannot_require_grad_via_setter():
    same_error(lambda t: setattr(t.tensor([1]), "requires_grad", True))


def test_integer_tensor_cannot_require_grad_via_method():
    same_error(lambda t: t.tensor([1]).requires_grad_())


def test_non_leaf_requires_grad_cannot_be_switched_off():
    same_error(lambda t: setattr(t.ones(1, requires_grad=True) * 2, "requires_grad", False))
