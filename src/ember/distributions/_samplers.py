"""NumPy-backed samplers for the distributions whose draws ember cannot take the way torch
does: the gamma sampler (with its implicit reparameterisation gradient) and binomial draws.

Both draw from ember's default generator, so ``ember.manual_seed`` makes them reproducible;
the streams differ from PyTorch's. The gradient of a gamma sample with respect to its
concentration needs the regularised incomplete gamma function, so it requires SciPy.
"""
from __future__ import annotations

import numpy as np

from .._random import _gen
from .._tensor import Tensor
from ..autograd.function import Primitive
from ..ops._gamma import lgamma as _lgamma


def _gamma_sample_grad(x, alpha):
    """d(sample)/d(alpha) of a unit-rate gamma sample at a fixed CDF value:
    -(dF/dalpha) / (dF/dx), F the regularised lower incomplete gamma function."""
    try:
        from scipy.special import gammainc
    except ImportError:
        raise ImportError("the gradient of Gamma/Beta/Dirichlet rsample with respect to the "
                          "concentration needs SciPy: pip install scipy") from None
    x = np.maximum(np.asarray(x, dtype=np.float64), np.finfo(np.float64).tiny)
    a = np.asarray(alpha, dtype=np.float64)
    h = 1e-5 * np.maximum(a, 1.0)  # central difference in alpha: error O(h^2)
    dcdf_da = (gammainc(a + h, x) - gammainc(a - h, x)) / (2 * h)
    log_pdf = (a - 1) * np.log(x) - x - _lgamma(a)
    return -dcdf_da / np.exp(log_pdf)


class StandardGamma(Primitive):
    """A Gamma(alpha, 1) draw; its backward is the implicit reparameterisation gradient."""

    node_name = "StandardGammaBackward0"

    @staticmethod
    def forward(ctx, alpha):
        x = _gen(None).standard_gamma(np.asarray(alpha, dtype=np.float64))
        out = np.asarray(np.maximum(x, np.finfo(alpha.dtype).tiny), dtype=alpha.dtype)
        ctx.saved_alpha, ctx.saved_x = alpha, out
        return out

    @staticmethod
    def backward(ctx, grad):
        g = _gamma_sample_grad(ctx.saved_x, ctx.saved_alpha).astype(ctx.saved_alpha.dtype)
        return (grad * Tensor._make(g, False, None, 0, [0]),)


def standard_gamma(alpha: Tensor) -> Tensor:
    """Gamma(alpha, 1) samples from ember's default generator, differentiable in alpha."""
    return StandardGamma.apply(alpha)


def binomial_draw(total_count: Tensor, probs: Tensor) -> Tensor:
    """Binomial draws from the default generator, in ``probs``' dtype (no gradient)."""
    n = np.asarray(total_count.detach().numpy(), dtype=np.int64)
    p = np.asarray(probs.detach().numpy(), dtype=np.float64)
    out = _gen(None).binomial(n, p)
    return Tensor._make(np.asarray(out, dtype=probs.numpy().dtype), False, None, 0, [0])
