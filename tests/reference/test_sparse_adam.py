"""optim.SparseAdam against torch: a 20-step trajectory of an nn.Embedding(sparse=True) model,
the state_dict layout, maximize, and the errors for dense gradients and bad options."""
from __future__ import annotations

import numpy as np
import pytest

import ember
from helpers import DEVICE, assert_close, check_error, to_ember, to_torch

torch = pytest.importorskip("torch", reason="differential tests need PyTorch as the reference")
if DEVICE != "cpu":
    pytest.skip("ember's sparse tensors live on the CPU only", allow_module_level=True)


class _Model:
    """Embedding(sparse=True) -> mean over the sequence -> Linear, in either library."""

    def __init__(self, lib, padding_idx):
        lib.manual_seed(0)
        self.emb = lib.nn.Embedding(10, 4, padding_idx=padding_idx, sparse=True)
        self.head = lib.nn.Linear(4, 2)

    def __call__(self, x):
        return self.head(self.emb(x).mean(1))


def _copy_weights(src, dst):
    with ember.no_grad():
        dst.emb.weight.copy_(to_ember(src.emb.weight))
        dst.head.weight.copy_(to_ember(src.head.weight))
        dst.head.bias.copy_(to_ember(src.head.bias))


@pytest.mark.parametrize("options", [{}, {"lr": 0.05, "betas": (0.8, 0.99), "eps": 1e-6},
                                     {"lr": 0.01, "maximize": True}])
@pytest.mark.parametrize("padding_idx", [None, 3])
def test_trajectory_matches_torch_over_20_steps(options, padding_idx):
    t_model, e_model = _Model(torch, padding_idx), _Model(ember, padding_idx)
    _copy_weights(t_model, e_model)
    t_sparse = torch.optim.SparseAdam(list(t_model.emb.parameters()), **options)
    e_sparse = ember.optim.SparseAdam(list(e_model.emb.parameters()), **options)
    t_dense = torch.optim.Adam(t_model.head.parameters(), lr=0.01)
    e_dense = ember.optim.Adam(e_model.head.parameters(), lr=0.01)
    rng = np.random.default_rng(0)
    for _ in range(20):
        x = rng.integers(0, 10, (4, 5))  # repeats within a batch; some rows untouched
        y = rng.standard_normal((4, 2)).astype(np.float32)
        for model, sparse, dense, conv, lib in (
                (t_model, t_sparse, t_dense, to_torch, torch),
                (e_model, e_sparse, e_dense, to_ember, ember)):
            sparse.zero_grad()
            dense.zero_grad()
            loss = lib.nn.functional.mse_loss(model(conv(x)), conv(y))
            loss.backward()
            assert model.emb.weight.grad.is_sparse
            sparse.step()
            dense.step()
        assert_close(e_model.emb.weight, t_model.emb.weight, atol=1e-6, rtol=1e-5)
    e_state, t_state = e_sparse.state_dict(), t_sparse.state_dict()
    assert e_state["param_groups"] == t_state["param_groups"]
    assert set(e_state["state"]) == set(t_state["state"]) == {0}
    e0, t0 = e_state["state"][0], t_state["state"][0]
    assert list(e0) == list(t0) and e0["step"] == t0["step"] == 20
    assert type(e0["step"]) is type(t0["step"])
    assert_close(e0["exp_avg"], t0["exp_avg"], atol=1e-6)
    assert_close(e0["exp_avg_sq"], t0["exp_avg_sq"], atol=1e-7)


def test_state_dict_round_trip_continues_the_trajectory():
    t_model, e_model = _Model(torch, None), _Model(ember, None)
    _copy_weights(t_model, e_model)
    rng = np.random.default_rng(1)
    batches = [rng.integers(0, 10, (3, 4)) for _ in range(4)]
    t_opt = torch.optim.SparseAdam(list(t_model.emb.parameters()), lr=0.1)
    e_opt = ember.optim.SparseAdam(list(e_model.emb.parameters()), lr=0.1)
    for step, x in enumerate(batches):
        if step == 2:  # a fresh optimizer picks up where the saved state left off
            saved = e_opt.state_dict()
            e_opt = ember.optim.SparseAdam(list(e_model.emb.parameters()), lr=0.1)
            e_opt.load_state_dict(saved)
        for model, opt, conv in ((t_model, t_opt, to_torch), (e_model, e_opt, to_ember)):
            opt.zero_grad()
            model.emb(conv(x)).pow(2).sum().backward()
            opt.step()
    assert_close(e_model.emb.weight, t_model.emb.weight, atol=1e-6)


def test_repr_matches_torch():
    make = lambda lib: lib.optim.SparseAdam([lib.nn.Parameter(lib.ones(2))], lr=0.1)  # noqa: E731
    assert repr(make(ember)) == repr(make(torch))


def _step_with_dense_grad(lib):
    p = lib.nn.Parameter(lib.ones(2))
    opt = lib.optim.SparseAdam([p])
    p.grad = lib.ones(2)
    opt.step()


@pytest.mark.parametrize("make", [
    _step_with_dense_grad,
    lambda lib: lib.optim.SparseAdam([lib.nn.Parameter(lib.ones(2))], lr=0.0),
    lambda lib: lib.optim.SparseAdam([lib.nn.Parameter(lib.ones(2))], eps=-1.0),
    lambda lib: lib.optim.SparseAdam([lib.nn.Parameter(lib.ones(2))], betas=(0.9, 1.0)),
    lambda lib: lib.optim.SparseAdam([lib.eye(2).to_sparse()]),
], ids=["dense-grad", "lr", "eps", "beta", "sparse-param"])
def test_errors_match_torch(make):
    check_error(lambda: make(ember), lambda: make(torch))
