"""LBFGS against torch.optim.LBFGS: the same closure-driven problem, step by step, with and
without the strong-Wolfe line search, and its state dict both ways."""
import copy

import numpy as np
import pytest

torch = pytest.importorskip("torch", reason="differential tests need PyTorch as the reference")

import ember  # noqa: E402

_rng = np.random.default_rng(5)
A = _rng.standard_normal((6, 4))
B = _rng.standard_normal(6)
INIT = [_rng.standard_normal(4) * 2, _rng.standard_normal(1)]


def _problem(lib, dtype, init=INIT):
    """A small non-quadratic least-squares fit: parameters and the closure."""
    a, b = lib.tensor(A, dtype=dtype), lib.tensor(B, dtype=dtype)
    w = lib.tensor(init[0], dtype=dtype, requires_grad=True)
    c = lib.tensor(init[1], dtype=dtype, requires_grad=True)
    return [w, c], lambda: ((lib.tanh(a @ w) + c - b) ** 2).sum() + 0.1 * (w ** 4).sum()


def _closure(opt, params, loss_fn):
    def closure():
        opt.zero_grad()
        loss = loss_fn()
        loss.backward()
        return loss
    return closure


def _run(lib, dtype, kw, steps, params_and_loss=None):
    params, loss_fn = params_and_loss or _problem(lib, dtype)
    opt = lib.optim.LBFGS(params, **kw)
    losses = [opt.step(_closure(opt, params, loss_fn)).item() for _ in range(steps)]
    return params, opt, losses


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("kw", [dict(), dict(lr=0.5, max_iter=5, history_size=3),
                                dict(line_search_fn="strong_wolfe"),
                                dict(line_search_fn="strong_wolfe", max_iter=4, history_size=2,
                                     tolerance_change=1e-12)],
                         ids=["fixed", "short-history", "wolfe", "wolfe-short"])
def test_trajectory_matches_torch(kw, dtype):
    ep, eo, e_losses = _run(ember, getattr(ember, dtype), kw, 4)
    tp, to, t_losses = _run(torch, getattr(torch, dtype), kw, 4)
    tol = dict(rtol=1e-9, atol=1e-11) if dtype == "float64" else dict(rtol=2e-4, atol=2e-5)
    np.testing.assert_allclose(e_losses, t_losses, **tol)
    for e, t in zip(ep, tp):
        assert e.dtype == getattr(ember, dtype)
        np.testing.assert_allclose(e.detach().numpy(), t.detach().numpy(), **tol)
    if dtype == "float64":
        # near convergence float32 rounding decides how many extra evaluations the line
        # search makes; in float64 the two take the same path
        es, ts = eo.state[ep[0]], to.state[tp[0]]
        assert es["func_evals"] == ts["func_evals"] and es["n_iter"] == ts["n_iter"]


def test_state_dict_round_trips_both_ways():
    ep, eo, _ = _run(ember, ember.float64, dict(line_search_fn="strong_wolfe", max_iter=3), 1)
    tp, to, _ = _run(torch, torch.float64, dict(line_search_fn="strong_wolfe", max_iter=3), 1)
    esd, tsd = eo.state_dict(), to.state_dict()
    assert esd["param_groups"] == tsd["param_groups"]
    assert set(esd["state"][0]) == set(tsd["state"][0])
    assert len(esd["state"][0]["old_dirs"]) == len(tsd["state"][0]["old_dirs"])

    def to_torch(v):
        if isinstance(v, ember.Tensor):
            return torch.from_numpy(v.detach().numpy().copy())
        if isinstance(v, list):
            return [to_torch(x) for x in v]
        if isinstance(v, dict):
            return {k: to_torch(x) for k, x in v.items()}
        return v

    def to_ember(v):
        if isinstance(v, torch.Tensor):
            return ember.from_numpy(v.detach().numpy().copy())
        if isinstance(v, list):
            return [to_ember(x) for x in v]
        if isinstance(v, dict):
            return {k: to_ember(x) for k, x in v.items()}
        return v

    # torch continues from ember's state, ember from torch's: both match torch going on
    kw = dict(line_search_fn="strong_wolfe", max_iter=3)
    init = [p.detach().numpy().copy() for p in tp]
    t2 = _problem(torch, torch.float64, init)
    t2_opt = torch.optim.LBFGS(t2[0], **kw)
    t2_opt.load_state_dict(to_torch(copy.deepcopy(esd)))
    e2 = _problem(ember, ember.float64, init)
    e2_opt = ember.optim.LBFGS(e2[0], **kw)
    e2_opt.load_state_dict(to_ember(copy.deepcopy(tsd)))
    for _ in range(2):
        to.step(_closure(to, tp, _problem_loss(torch, tp)))
        t2_opt.step(_closure(t2_opt, t2[0], t2[1]))
        e2_opt.step(_closure(e2_opt, e2[0], e2[1]))
    for straight, from_ember, from_torch in zip(tp, t2[0], e2[0]):
        np.testing.assert_allclose(from_ember.detach().numpy(), straight.detach().numpy(),
                                   rtol=1e-9, atol=1e-11)
        np.testing.assert_allclose(from_torch.detach().numpy(), straight.detach().numpy(),
                                   rtol=1e-9, atol=1e-11)


def _problem_loss(lib, params):
    a, b = lib.tensor(A, dtype=params[0].dtype), lib.tensor(B, dtype=params[0].dtype)
    w, c = params
    return lambda: ((lib.tanh(a @ w) + c - b) ** 2).sum() + 0.1 * (w ** 4).sum()


def test_closure_is_reevaluated_as_torch_does():
    counts = {}
    for lib in (ember, torch):
        params, loss_fn = _problem(lib, lib.float64)
        opt = lib.optim.LBFGS(params, line_search_fn="strong_wolfe", max_iter=7)
        calls = []

        def closure():
            calls.append(1)
            opt.zero_grad()
            loss = loss_fn()
            loss.backward()
            return loss
        opt.step(closure)
        counts[lib.__name__] = len(calls)
    assert counts["ember"] == counts["torch"] > 7


def test_parameter_groups_are_refused_like_torch():
    with pytest.raises(ValueError) as t_err:
        torch.optim.LBFGS([{"params": [torch.zeros(1, requires_grad=True)]},
                           {"params": [torch.zeros(1, requires_grad=True)]}])
    with pytest.raises(ValueError) as e_err:
        ember.optim.LBFGS([{"params": [ember.zeros(1, requires_grad=True)]},
                           {"params": [ember.zeros(1, requires_grad=True)]}])
    assert str(e_err.value) == str(t_err.value)


def test_unknown_line_search_is_refused_like_torch():
    for lib in (ember, torch):
        params, loss_fn = _problem(lib, lib.float64)
        opt = lib.optim.LBFGS(params, line_search_fn="armijo")
        with pytest.raises(RuntimeError, match="only 'strong_wolfe' is supported"):
            opt.step(_closure(opt, params, loss_fn))
