"""nn.utils: gradient clipping and parameter vectors."""
import math

import numpy as np
import pytest

import ember
import ember.nn as nn
from ember.nn.utils import (clip_grad_norm_, clip_grad_value_, parameters_to_vector,
                            vector_to_parameters)


def _params_with_grads(*grads):
    ps = []
    for g in grads:
        p = nn.Parameter(ember.zeros(len(g)))
        p.grad = ember.tensor(g, dtype=ember.float32)
        ps.append(p)
    return ps


def test_clip_grad_norm_scales_to_max_norm_and_returns_total():
    ps = _params_with_grads([3.0, 0.0], [4.0])
    total = clip_grad_norm_(ps, 1.0)
    assert float(total) == pytest.approx(5.0)
    np.testing.assert_allclose(ps[0].grad.numpy(), [3 / (5 + 1e-6), 0.0], rtol=1e-6)


def test_clip_grad_norm_leaves_small_gradients():
    ps = _params_with_grads([0.3, 0.4])
    clip_grad_norm_(ps, 1.0)
    np.testing.assert_allclose(ps[0].grad.numpy(), [0.3, 0.4])


def test_clip_grad_norm_inf_norm_and_single_tensor():
    (p,) = _params_with_grads([-6.0, 2.0])
    assert float(clip_grad_norm_(p, 3.0, norm_type=math.inf)) == 6.0
    np.testing.assert_allclose(p.grad.numpy(), [-3.0, 1.0], rtol=1e-5)


def test_clip_grad_norm_nonfinite_error():
    ps = _params_with_grads([math.nan, 1.0])
    with pytest.raises(RuntimeError, match="non-finite"):
        clip_grad_norm_(ps, 1.0, error_if_nonfinite=True)


def test_clip_grad_norm_without_grads_is_zero():
    assert float(clip_grad_norm_([nn.Parameter(ember.ones(2))], 1.0)) == 0.0


def test_clip_grad_value_clamps_in_place():
    ps = _params_with_grads([-3.0, 0.5, 2.0])
    g = ps[0].grad
    clip_grad_value_(ps, 1.0)
    assert ps[0].grad is g
    np.testing.assert_allclose(g.numpy(), [-1.0, 0.5, 1.0])


def test_parameters_to_vector_and_back():
    m = nn.Linear(3, 2)
    v = parameters_to_vector(m.parameters())
    assert v.shape == (8,) and v.requires_grad
    vector_to_parameters(ember.arange(8.0), m.parameters())
    np.testing.assert_array_equal(m.weight.detach().numpy(), np.arange(6.0).reshape(2, 3))
    np.testing.assert_array_equal(m.bias.detach().numpy(), [6.0, 7.0])


def test_vector_to_parameters_type_error():
    with pytest.raises(TypeError, match="expected torch.Tensor, but got: list"):
        vector_to_parameters([1.0], [nn.Parameter(ember.ones(1))])
