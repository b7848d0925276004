"""torch.func and torch.autograd.functional against PyTorch's: the same transforms of the
same functions give the same values."""
import numpy as np
import pytest

torch = pytest.importorskip("torch", reason="differential tests need PyTorch as the reference")

import ember  # noqa: E402

_rng = np.random.default_rng(0)
A, B = _rng.standard_normal(3), _rng.standard_normal((2, 3))


def _flat(r):
    if isinstance(r, (tuple, list)):
        return [z for q in r for z in _flat(q)]
    return [r.detach().cpu().numpy() if hasattr(r, "detach") else np.asarray(r)]


def _same(run):
    e, t = _flat(run(ember)), _flat(run(torch))
    assert len(e) == len(t)
    for a, b in zip(e, t):
        assert a.shape == b.shape
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12)


def _f(lib):
    return lambda x, y: (lib.tanh(y @ x), (x * x).sum() + y.sum())


@pytest.mark.parametrize("name", ["vjp", "jvp", "jacobian", "hessian", "hvp", "vhp"])
def test_autograd_functional_matches_torch(name):
    def run(lib):
        F, x, y = lib.autograd.functional, lib.tensor(A), lib.tensor(B)
        ones = lambda *s: lib.ones(*s, dtype=lib.float64)  # noqa: E731
        scalar = lambda x: (x ** 3).sum() * x.sum()  # noqa: E731
        if name == "vjp":
            return F.vjp(_f(lib), (x, y), (ones(2), lib.tensor(1.0, dtype=lib.float64)))
        if name == "jvp":
            return F.jvp(_f(lib), (x, y), (ones(3), ones(2, 3)))
        if name == "jacobian":
            return F.jacobian(_f(lib), (x, y)), F.jacobian(lambda x: lib.sin(x) * 2, x)
        if name == "hessian":
            return F.hessian(scalar, x)
        return getattr(F, name)(scalar, x, ones(3))
    _same(run)


def test_autograd_functional_create_graph_allows_a_second_derivative():
    def run(lib):
        x = lib.tensor(A, requires_grad=True)
        _, g = lib.autograd.functional.vjp(lambda x: (x ** 3).sum(), x, create_graph=True)
        return lib.autograd.grad(g.sum(), x)
    _same(run)


@pytest.mark.parametrize("case", ["grad", "argnums", "and_value", "aux", "nested", "vjp", "jvp",
                                  "jacrev", "jacfwd", "hessian", "vmap", "vmap_out_dims",
                                  "vmap_of_grad", "functional_call"])
def test_func_transforms_match_torch(case):
    def run(lib):
        F, x, y = lib.func, lib.tensor(A), lib.tensor(B)
        f = lambda x, y: lib.tanh(y @ x).sum() * x.sum()  # noqa: E731
        if case == "grad":
            return F.grad(f)(x, y)
        if case == "argnums":
            return F.grad(f, argnums=(0, 1))(x, y)
        if case == "and_value":
            return F.grad_and_value(f, argnums=1)(x, y)
        if case == "aux":
            return F.grad(lambda x: ((x ** 2).sum(), x.mean()), has_aux=True)(x)
        if case == "nested":
            return F.grad(lambda x: F.grad(lambda z: (z ** 3).sum())(x).sum())(x)
        if case == "vjp":
            out, fn = F.vjp(lambda x, y: y @ lib.sin(x), x, y)
            return out, fn(lib.ones(2, dtype=lib.float64))
        if case == "jvp":
            return F.jvp(lambda x: lib.sin(x) * x, (x,), (lib.ones(3, dtype=lib.float64),))
        if case == "jacrev":
            return F.jacrev(lambda x, y: y @ lib.sin(x), argnums=(0, 1))(x, y)
        if case == "jacfwd":
            return F.jacfwd(lambda x: lib.sin(x) * x.sum())(x)
        if case == "hessian":
            return F.hessian(lambda x: (x ** 3).sum() * x.sum())(x)
        if case == "vmap":
            return F.vmap(lambda r, x: (r * x).sum(), in_dims=(0, None))(y, x)
        if case == "vmap_out_dims":
            return F.vmap(lambda r: (r, r.sum()), in_dims=1, out_dims=(1, 0))(y)
        if case == "vmap_of_grad":
            return F.vmap(F.grad(lambda r: (r.sin() * r).sum()))(y)
        model = lib.nn.Linear(3, 2).double()
        params = {k: lib.tensor(np.full(v.shape, 0.5)) for k, v in model.named_parameters()}
        return F.functional_call(model, params, (x,)), model.weight
    if case == "functional_call":
        e, t = run(ember), run(torch)
        np.testing.assert_allclose(e[0].detach().numpy(), t[0].detach().numpy())
        assert not np.allclose(e[1].detach().numpy(), 0.5)  # the module's own are back
        return
    _same(run)


@pytest.mark.parametrize("call", [
    lambda lib: lib.func.grad(lambda x: x * 2)(lib.ones(3)),
    lambda lib: lib.func.vmap(lambda a, b: a + b)(lib.ones(3), lib.ones(4)),
    lambda lib: lib.func.vmap(lambda a: a, in_dims=(0, 0))(lib.ones(3)),
])
def test_func_errors_match_torch(call):
    with pytest.raises((RuntimeError, ValueError)) as t_err:
        call(torch)
    with pytest.raises((RuntimeError, ValueError)) as e_err:
        call(ember)
    assert type(e_err.value) is type(t_err.value)
    assert str(e_err.value).split(":")[0] == str(t_err.value).split(":")[0]


def test_functional_call_strict_and_tied_weights_follow_torch():
    for lib in (ember, torch):
        m = lib.nn.Linear(2, 2)
        with pytest.raises(RuntimeError, match="Missing key\\(s\\): 'bias'"):
            lib.func.functional_call(m, {"weight": lib.zeros(2, 2)}, (lib.ones(2),),
                                     strict=True)
        tied = lib.nn.Sequential(lib.nn.Linear(2, 2, bias=False), lib.nn.Linear(2, 2,
                                                                                 bias=False))
        tied[1].weight = tied[0].weight
        out = lib.func.functional_call(tied, {"0.weight": lib.eye(2)}, (lib.ones(2),))
        assert out.tolist() == [1.0, 1.0]  # the tie carries the replacement to both layers
