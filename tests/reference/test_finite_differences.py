"""torch.gradient against torch: uniform and coordinate spacings, edge orders, dims, errors,
and its own derivative."""
from __future__ import annotations

import numpy as np
import pytest

import ember
from helpers import check_error, check_op, gradcheck_op

torch = pytest.importorskip("torch", reason="torch is not installed; differential tests skipped")

RNG = np.random.default_rng(0)


def _both(kwargs_of):
    """ember and torch callables passing the same keywords (tensors made by each library)."""
    def make(lib):
        return lambda t: lib.gradient(t, **kwargs_of(lib))
    return make(ember), make(torch)


CASES = {
    "default": lambda lib: {},
    "scalar": lambda lib: {"spacing": 0.5},
    "per-dim": lambda lib: {"spacing": [2.0, 0.25, 1.0]},
    "dim": lambda lib: {"dim": 1},
    "dims": lambda lib: {"dim": (0, -1), "edge_order": 2},
    "coords": lambda lib: {"dim": 2, "spacing": (lib.tensor([0.0, 0.5, 2.0, 2.5, 4.0]),)},
    "coords-2": lambda lib: {"dim": 2, "edge_order": 2,
                             "spacing": (lib.tensor([0.0, 0.5, 2.0, 2.5, 4.0]),)},
}


@pytest.mark.parametrize("case", list(CASES))
def test_gradient(case):
    ours, theirs = _both(CASES[case])
    x = RNG.standard_normal((3, 4, 5))
    check_op(ours, theirs, x, atol=1e-6)
    gradcheck_op(ours, x, second_order=False)


def test_gradient_of_integers_is_float():
    check_op(ember.gradient, torch.gradient, np.array([1, 4, 9, 16]), grad=False)


@pytest.mark.parametrize("shape,kwargs", [((1,), {}), ((2,), {"edge_order": 2}),
                                          ((3,), {"edge_order": 3}),
                                          ((2, 3), {"spacing": [1.0]})])
def test_gradient_errors(shape, kwargs):
    check_error(lambda t: ember.gradient(t, **kwargs), lambda t: torch.gradient(t, **kwargs),
                np.ones(shape))
