"""nn.utils.parametrize and nn.utils.parametrizations against torch's: the same state-dict
layout, values and gradients, and the parametrization life cycle."""
import numpy as np
import pytest

torch = pytest.importorskip("torch", reason="differential tests need PyTorch as the reference")

import ember  # noqa: E402

_rng = np.random.default_rng(0)
W, WSQ, BIAS, X = (_rng.standard_normal((4, 3)), _rng.standard_normal((3, 3)),
                   _rng.standard_normal(4), _rng.standard_normal((2, 3)))


def _linear(lib, square: bool):
    m = lib.nn.Linear(3, 3 if square else 4).double()
    with lib.no_grad():
        m.weight.copy_(lib.tensor(WSQ if square else W))
        m.bias.copy_(lib.tensor(BIAS[:3] if square else BIAS))
    return m


CASES = {
    "weight_norm": (False, lambda P, m: P.weight_norm(m)),
    "weight_norm_dim1": (False, lambda P, m: P.weight_norm(m, dim=1)),
    "weight_norm_whole": (False, lambda P, m: P.weight_norm(m, dim=None)),
    "spectral_norm": (False, lambda P, m: P.spectral_norm(m)),
    "orthogonal_matrix_exp": (True, lambda P, m: P.orthogonal(m)),
    "orthogonal_cayley": (True, lambda P, m: P.orthogonal(m, orthogonal_map="cayley")),
    "orthogonal_householder": (False, lambda P, m: P.orthogonal(m)),
    "orthogonal_no_trivialization": (False, lambda P, m: P.orthogonal(
        m, orthogonal_map="householder", use_trivialization=False)),
}


@pytest.mark.parametrize("case", list(CASES))
def test_parametrizations_match_torch(case):
    square, register = CASES[case]
    res, base = [], None
    for lib in (torch, ember):
        m = _linear(lib, square)
        register(lib.nn.utils.parametrizations, m)
        if case == "orthogonal_householder":
            # a non-square base is completed with random columns: share torch's
            chain = m.parametrizations.weight[0]
            if base is None:
                base = chain.base.numpy().copy()
            else:
                chain.base = lib.tensor(base)
        if case == "spectral_norm":  # the same starting vectors (they are drawn at random)
            with lib.no_grad():
                m.parametrizations.weight[0]._u.copy_(lib.tensor(np.full(4, 0.5)))
                m.parametrizations.weight[0]._v.copy_(lib.tensor(np.full(3, 3 ** -0.5)))
        y = m(lib.tensor(X))
        (y ** 2).sum().backward()
        res.append((list(m.state_dict()), type(m).__name__,
                    [y.detach().numpy(), m.weight.detach().numpy()] +
                    [p.grad.numpy() for p in m.parameters()]))
    (t_keys, t_cls, t_vals), (e_keys, e_cls, e_vals) = res
    assert e_keys == t_keys and e_cls == t_cls == "ParametrizedLinear"
    for a, b in zip(e_vals, t_vals):
        np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-10)


def test_orthogonal_weight_is_orthogonal_and_stays_so_under_sgd():
    m = ember.nn.utils.parametrizations.orthogonal(ember.nn.Linear(5, 5).double())
    opt = ember.optim.SGD(m.parameters(), lr=0.1)
    for _ in range(3):
        opt.zero_grad()
        (m(ember.randn(4, 5, dtype=ember.float64)) ** 2).sum().backward()
        opt.step()
    w = m.weight.detach().numpy()
    np.testing.assert_allclose(w @ w.T, np.eye(5), atol=1e-10)


def test_weight_norm_loads_the_older_g_v_state_dict():
    old = torch.nn.utils.weight_norm(torch.nn.Linear(3, 4))
    state = {k: ember.tensor(v.detach().numpy()) for k, v in old.state_dict().items()}
    assert set(state) == {"bias", "weight_g", "weight_v"}
    new = ember.nn.utils.parametrizations.weight_norm(ember.nn.Linear(3, 4))
    new.load_state_dict(state)
    x = np.random.default_rng(1).standard_normal((2, 3)).astype(np.float32)
    np.testing.assert_allclose(new(ember.tensor(x)).detach().numpy(),
                               old(torch.tensor(x)).detach().numpy(), rtol=1e-5, atol=1e-6)


def test_custom_parametrization_life_cycle_matches_torch():
    seen = {}
    for lib in (ember, torch):
        P = lib.nn.utils.parametrize

        class Symmetric(lib.nn.Module):
            def forward(self, X):
                return X.triu() + X.triu(1).transpose(-1, -2)

            def right_inverse(self, A):
                return A.triu()

        m = _linear(lib, True)
        original = m.weight
        P.register_parametrization(m, "weight", Symmetric())
        assert m.parametrizations.weight.original is original  # optimizers keep their tensor
        w = m.weight.detach().numpy()
        np.testing.assert_array_equal(w, w.T)
        m.weight = lib.tensor(WSQ + WSQ.T)        # assignment goes through right_inverse
        assigned = m.weight.detach().numpy().copy()
        with P.cached():
            assert m.weight is m.weight
        P.remove_parametrizations(m, "weight")
        seen[lib.__name__] = (assigned, type(m).__name__, list(m.state_dict()),
                              P.is_parametrized(m), m.weight is original)
    e, t = seen["ember"], seen["torch"]
    np.testing.assert_allclose(e[0], t[0])
    assert e[1:] == t[1:]


@pytest.mark.parametrize("call", [
    lambda lib: lib.nn.utils.parametrize.register_parametrization(
        lib.nn.Linear(2, 2), "nope", lib.nn.Identity()),
    lambda lib: lib.nn.utils.parametrize.register_parametrization(
        lib.nn.Linear(2, 3), "weight", lib.nn.Flatten(0)),
    lambda lib: lib.nn.utils.parametrize.remove_parametrizations(lib.nn.Linear(2, 2), "weight"),
    lambda lib: lib.nn.utils.parametrizations.orthogonal(lib.nn.Linear(2, 2), "bias"),
    lambda lib: lib.nn.utils.parametrizations.spectral_norm(lib.nn.Linear(2, 2),
                                                            n_power_iterations=0),
])
def test_parametrize_errors_match_torch(call):
    with pytest.raises((ValueError, RuntimeError, IndexError)) as t_err:
        call(torch)
    with pytest.raises((ValueError, RuntimeError, IndexError)) as e_err:
        call(ember)
    assert type(e_err.value) is type(t_err.value)
    assert str(e_err.value).split("'")[0] == str(t_err.value).split("'")[0]
