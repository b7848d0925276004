"""Fused primitives behind ``nn.functional``: linear, the softmax family, negative
log-likelihood, pointwise activations with parameters, dropout masks and embedding lookup.

Each forward runs on backend arrays in one pass; each backward is written with ember
operations on the saved tensors (or on constant masks, where the derivative is piecewise
constant), so ``create_graph=True`` differentiates it again.
"""
from __future__ import annotations

import math

import numpy as np

from .._tensor import Tensor
from ..autograd.function import Primitive
from ._util import const, wrap_dim
from ._special import erf as _erf_np
from .unary import erf, exp, sigmoid, tanh

__all__ = ["softmax", "log_softmax", "selu", "celu", "prelu", "hardshrink", "threshold"]

_SQRT2 = math.sqrt(2.0)
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)
_GELU_K = math.sqrt(2.0 / math.pi)
SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946


def _xp(a):
    return Tensor._xp_of(a)


def _as(out, like):
    """``out`` as an array of ``like``'s dtype (NumPy turns 0-d results into scalars)."""
    return _xp(like).asarray(out, dtype=like.dtype)


# -- linear -----------------------------------------------------------------------
class Linear(Primitive):
    """``x @ w.T + b`` in one BLAS call (x: (*, in), w: (out, in), b: (out,) or None)."""

    node_name = "AddmmBackward0"

    @staticmethod
    def forward(ctx, x, w, b):
        ctx.save_for_backward(x, w)
        out = x @ w.T
        if b is not None:
            out += b
        return out

    @staticmethod
    def backward(ctx, grad):
        x, w = ctx.saved_tensors
        nx, nw, nb = ctx.needs_input_grad
        gx = grad.matmul(w) if nx else None
        gw = None
        if nw:
            rows = math.prod(x.shape[:-1])  # explicit: -1 cannot be inferred for 0 features
            gw = grad.reshape(rows, w.shape[0]).t().matmul(x.reshape(rows, w.shape[1]))
        # the bias gradient is the output gradient: the engine sums it over the batch dims
        return gx, gw, (grad if nb else None)

    @staticmethod
    def backward_array(ctx, grad):
        x, w = ctx.saved_arrays
        nx, nw, nb = ctx.needs_input_grad
        gx = grad @ w if nx else None
        rows = math.prod(x.shape[:-1])  # explicit: -1 cannot be inferred for 0 features
        g2 = grad.reshape(rows, w.shape[0])
        gw = g2.T @ x.reshape(rows, w.shape[1]) if nw else None
        return gx, gw, (g2.sum(axis=0) if nb else None)


# -- softmax family -----------------------------------------------------------------
class Softmax(Primitive):
    node_name = "SoftmaxBackward0"

    @staticmethod
    def forward(ctx, a, dim):
        ctx.dim = dim
        e = _xp(a).exp(a - a.max(axis=dim, keepdims=True))
        e /= e.sum(axis=dim, keepdims=True)
        ctx.save_for_backward(e)
        return e

    @staticmethod
    def backward(ctx, grad):
        (y,) = ctx.saved_tensors
        gy = grad * y
        return gy - y * gy.sum(ctx.dim, keepdim=True), None

    @staticmethod
    def backward_array(ctx, grad):
        (y,) = ctx.saved_arrays
        gy = grad * y
        gy -= y * gy.sum(axis=ctx.dim, keepdims=True)
        return gy, None


class LogSoftmax(Primitive):
    node_name = "LogSoftmaxBackward0"

    @staticmethod
    def forward(ctx, a, dim):
        ctx.dim = dim
        xp = _xp(a)
        shifted = a - a.max(axis=dim, keepdims=True)
        out = shifted - xp.log(xp.exp(shifted).sum(axis=dim, keepdims=True))
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        return grad - exp(out) * grad.sum(ctx.dim, keepdim=True), None

    @staticmethod
    def backward_array(ctx, grad):
        (out,) = ctx.saved_arrays
        return grad - _xp(out).exp(out) * grad.sum(axis=ctx.dim, keepdims=True), None


def _softmax_input(input: Tensor, dim: int, dtype):
    if dtype is not None:
        input = input.to(dtype)
    elif input._data.dtype.kind not in "fc":
        # torch: integer inputs are not supported without an explicit dtype
        from .._tensor import _TYPE_SHORT
        raise RuntimeError(f'"softmax_lastdim_kernel_impl" not implemented for '
                           f"'{_TYPE_SHORT[input.dtype.name]}'")
    return input, wrap_dim(dim, input._data.ndim)


def _apply_on_dim(cls, input, dim):
    if input._data.ndim == 0:  # a scalar is a one-element set
        return cls.apply(input.reshape(1), 0).reshape(())
    return cls.apply(input, dim)


def softmax(input: Tensor, dim: int, dtype=None) -> Tensor:
    """``exp(x) / exp(x).sum(dim)``, computed stably (shifted by the max)."""
    input, dim = _softmax_input(input, dim, dtype)
    return _apply_on_dim(Softmax, input, dim)


def log_softmax(input: Tensor, dim: int, dtype=None) -> Tensor:
    """``log(softmax(x, dim))`` computed stably (no overflow for large logits)."""
    input, dim = _softmax_input(input, dim, dtype)
    return _apply_on_dim(LogSoftmax, input, dim)


# -- negative log-likelihood --------------------------------------------------------------
class NllLoss(Primitive):
    """``-logp[n, target[n]] * weight[target[n]]`` with ignore_index and reduction, for
    logp of shape (N, C, d1, ...) and target of shape (N, d1, ...)."""

    node_name = "NllLossBackward0"

    @staticmethod
    def forward(ctx, logp, target, weight, ignore_index, reduction):
        xp = _xp(logp)
        valid = target != ignore_index
        safe = xp.where(valid, target, 0)
        idx = xp.expand_dims(safe, 1)
        picked = xp.take_along_axis(logp, idx, axis=1).squeeze(1)
        w = valid.astype(logp.dtype) if weight is None else \
            xp.where(valid, weight[safe], 0).astype(logp.dtype, copy=False)
        loss = -picked * w
        if reduction == "none":
            scale = -w
        elif reduction == "sum":
            loss = loss.sum()
            scale = -w
        else:
            total = w.sum()
            # every target ignored: the mean is 0/0 = nan, the gradient zero (as torch)
            with np.errstate(invalid="ignore", divide="ignore"):
                loss = loss.sum() / total
            scale = -w / total if total else -w
        # d loss / d logp: the scale at each target's class, zero elsewhere
        coef = xp.zeros_like(logp)
        xp.put_along_axis(coef, idx, xp.expand_dims(scale, 1), axis=1)
        ctx.none = reduction == "none"
        ctx.save_for_backward(coef)
        return xp.asarray(loss, dtype=logp.dtype)

    @staticmethod
    def backward(ctx, grad):
        (coef,) = ctx.saved_tensors
        g = grad.unsqueeze(1) if ctx.none else grad
        return coef * g, None, None, None, None

    @staticmethod
    def backward_array(ctx, grad):
        (coef,) = ctx.saved_arrays
        return coef * (_xp(coef).expand_dims(grad, 1) if ctx.none else grad), None, None, \
            None, None


class BinaryCrossEntropy(Primitive):
    """Elementwise ``-(t log(x) + (1 - t) log(1 - x))`` with both logs clamped at -100, so
    saturated probabilities give finite losses and gradients (as PyTorch does)."""

    node_name = "BinaryCrossEntropyBackward0"

    @staticmethod
    def forward(ctx, x, t):
        xp = _xp(x)
        with np.errstate(divide="ignore"):
            log_x = xp.maximum(xp.log(x), -100)
            log_1mx = xp.maximum(xp.log(1 - x), -100)
        ctx.save_for_backward(x, t)
        return _as(-(t * log_x + (1 - t) * log_1mx), x)

    @staticmethod
    def backward(ctx, grad):
        x, t = ctx.saved_tensors
        nx, nt = ctx.needs_input_grad
        gx = gt = None
        if nx:
            gx = grad * (x - t) / (x * (1 - x)).clamp_min(1e-12)
        if nt:
            # unclamped, as PyTorch's target derivative
            gt = grad * ((1 - x).log() - x.log())
        return gx, gt

    @staticmethod
    def backward_array(ctx, grad):
        x, t = ctx.saved_arrays
        nx, nt = ctx.needs_input_grad
        xp = _xp(x)
        gx = grad * (x - t) / xp.maximum(x * (1 - x), 1e-12) if nx else None
        gt = None
        if nt:
            with np.errstate(divide="ignore"):
                gt = grad * (xp.log(1 - x) - xp.log(x))
        return gx, gt


# -- pointwise activations ------------------------------------------------------------------
class _MaskGrad(Primitive):
    """Activations whose derivative is piecewise constant: the backward multiplies by a
    constant array (the derivative evaluated in forward), itself free of second order."""

    @staticmethod
    def backward(ctx, grad):
        (d,) = ctx.saved_tensors
        return (grad * d,) + (None,) * ctx.n_params

    @staticmethod
    def backward_array(ctx, grad):
        (d,) = ctx.saved_arrays
        return (grad * d,) + (None,) * ctx.n_params


def _mask_act(name, node, fwd, deriv):
    """A primitive ``name`` with ``fwd(a, *params)`` and constant ``deriv(a, *params)``."""
    def forward(ctx, a, *params):
        ctx.n_params = len(params)
        ctx.save_for_backward(_as(deriv(a, *params), a))
        return _as(fwd(a, *params), a)
    return type(name, (_MaskGrad,), {"forward": staticmethod(forward), "node_name": node,
                                     "__module__": __name__})


LeakyRelu = _mask_act("LeakyRelu", "LeakyReluBackward0",
                      lambda a, s: np.where(a > 0, a, a * s),
                      lambda a, s: np.where(a > 0, 1.0, s))
Hardtanh = _mask_act("Hardtanh", "HardtanhBackward0",
                     lambda a, lo, hi: np.clip(a, lo, hi),
                     lambda a, lo, hi: (a > lo) & (a < hi))
Threshold = _mask_act("Threshold", "ThresholdBackward0",
                      lambda a, th, v: np.where(a > th, a, v),
                      lambda a, th, v: a > th)
Hardshrink = _mask_act("Hardshrink", "HardshrinkBackward0",
                       lambda a, lam: np.where(np.abs(a) > lam, a, 0),
                       lambda a, lam: np.abs(a) > lam)
Softshrink = _mask_act("Softshrink", "SoftshrinkBackward0",
                       lambda a, lam: np.where(a > lam, a - lam, np.where(a < -lam, a + lam, 0)),
                       lambda a, lam: np.abs(a) > lam)
Hardsigmoid = _mask_act("Hardsigmoid", "HardsigmoidBackward0",
                        lambda a: np.clip(a / 6 + 0.5, 0, 1),
                        lambda a: ((a > -3) & (a < 3)) / 6.0)


class _Smooth(Primitive):
    """Activations with a smooth derivative: ``deriv(x, out, *params)`` (ember ops on the
    saved input and output) keeps second derivatives correct."""

    @staticmethod
    def backward(ctx, grad):
        x, out = ctx.saved_tensors
        return (grad * ctx.deriv(x, out, *ctx.params),) + (None,) * len(ctx.params)


def _smooth_act(name, node, fwd, deriv):
    def forward(ctx, a, *params):
        out = _as(fwd(a, *params), a)
        ctx.params, ctx.deriv = params, deriv
        ctx.save_for_backward(a, out)
        return out
    return type(name, (_Smooth,), {"forward": staticmethod(forward), "node_name": node,
                                   "__module__": __name__})


def mask_like(cond, like: Tensor) -> Tensor:
    """The boolean array ``cond`` as a constant 0/1 tensor of ``like``'s dtype."""
    return const(_as(cond, like._data))


def _mask(x: Tensor, cond) -> Tensor:
    """A constant 0/1 tensor of ``x``'s dtype from a condition on its values."""
    return mask_like(cond(x._data), x)


def _softplus_np(a, beta, threshold):
    xp = _xp(a)
    z = a * beta
    # log1p(exp(z)) = max(z, 0) + log1p(exp(-|z|)) never overflows
    soft = (xp.maximum(z, 0) + xp.log1p(xp.exp(-xp.abs(z)))) / beta
    return xp.where(z > threshold, a, soft)


def _elu_deriv(x, out, alpha, scale, input_scale):
    pos = _mask(x, lambda a: a > 0)
    return pos * scale + (1 - pos) * (out + alpha * scale) * input_scale


Elu = _smooth_act(
    "Elu", "EluBackward0",
    lambda a, alpha, scale, input_scale: np.where(
        a > 0, a * scale, alpha * scale * np.expm1(np.minimum(a, 0) * input_scale)),
    _elu_deriv)
Gelu = _smooth_act(
    "Gelu", "GeluBackward0",
    lambda a: 0.5 * a * (1 + _erf_np(a / _SQRT2)),
    lambda x, out: 0.5 * (1 + erf(x / _SQRT2)) + x * exp(-0.5 * x * x) * _INV_SQRT_2PI)


def _gelu_tanh_fwd(a):
    return 0.5 * a * (1 + np.tanh(_GELU_K * (a + 0.044715 * a * a * a)))


def _gelu_tanh_deriv(x, out):
    t = tanh(_GELU_K * (x + 0.044715 * x * x * x))
    return 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * _GELU_K * (1 + 3 * 0.044715 * x * x)


GeluTanh = _smooth_act("GeluTanh", "GeluBackward0", _gelu_tanh_fwd, _gelu_tanh_deriv)


def _sigmoid_np(a):
    e = np.exp(-np.abs(a))
    return np.where(a >= 0, 1 / (1 + e), e / (1 + e))


def _silu_deriv(x, out):
    s = sigmoid(x)
    return s * (1 + x * (1 - s))


Silu = _smooth_act("Silu", "SiluBackward0", lambda a: a * _sigmoid_np(a), _silu_deriv)


def _mish_deriv(x, out):
    t = tanh(Softplus.apply(x, 1.0, 20.0))
    return t + x * sigmoid(x) * (1 - t * t)


Mish = _smooth_act("Mish", "MishBackward0",
                   lambda a: a * np.tanh(_softplus_np(a, 1.0, 20.0)), _mish_deriv)


def _softplus_deriv(x, out, beta, threshold):
    small = _mask(x, lambda a: a * beta <= threshold)
    return small * sigmoid(x * beta) + (1 - small)


Softplus = _smooth_act("Softplus", "SoftplusBackward0", _softplus_np, _softplus_deriv)
LogSigmoid = _smooth_act("LogSigmoid", "LogSigmoidBackward0",
                         lambda a: -_softplus_np(-a, 1.0, math.inf),
                         lambda x, out: sigmoid(-x))


def _hardswish_deriv(x, out):
    mid = _mask(x, lambda a: (a >= -3) & (a <= 3))
    hi = _mask(x, lambda a: a > 3)
    return hi + mid * (x / 3 + 0.5)


Hardswish = _smooth_act("Hardswish", "HardswishBackward0",
                        lambda a: a * np.clip(a + 3, 0, 6) / 6, _hardswish_deriv)


class Prelu(Primitive):
    """``max(0, x) + w * min(0, x)`` with ``w`` broadcast over the channel dimension."""

    node_name = "PreluKernelBackward0"

    @staticmethod
    def forward(ctx, x, w):
        ctx.save_for_backward(x, w)
        return _as(np.where(x > 0, x, w * x), x)

    @staticmethod
    def backward(ctx, grad):
        x, w = ctx.saved_tensors
        pos = _mask(x, lambda a: a > 0)
        neg = 1 - pos
        nx, nw = ctx.needs_input_grad
        gx = grad * (pos + neg * w) if nx else None
        gw = grad * neg * x if nw else None
        return gx, gw

    @staticmethod
    def backward_array(ctx, grad):
        x, w = ctx.saved_arrays
        nx, nw = ctx.needs_input_grad
        pos = x > 0
        gx = _xp(x).where(pos, grad, grad * w) if nx else None
        gw = _xp(x).where(pos, 0, grad * x) if nw else None
        return gx, gw


def celu(input: Tensor, alpha: float = 1.0) -> Tensor:
    """``max(0, x) + min(0, alpha * (exp(x / alpha) - 1))``."""
    return Elu.apply(input, alpha, 1.0, 1.0 / alpha)


def selu(input: Tensor) -> Tensor:
    """``scale * elu(x, alpha)`` with the self-normalising constants."""
    return Elu.apply(input, SELU_ALPHA, SELU_SCALE, 1.0)


def prelu(input: Tensor, weight: Tensor) -> Tensor:
    """Leaky ReLU with a learned slope per channel (dim 1) or one shared slope."""
    if input._data.ndim >= 2 and weight.numel() > 1:
        weight = weight.reshape((-1,) + (1,) * (input._data.ndim - 2))
    return Prelu.apply(input, weight)


def hardshrink(input: Tensor, lambd: float = 0.5) -> Tensor:
    """``x`` where ``|x| > lambd``, else 0."""
    return Hardshrink.apply(input, lambd)


def threshold(input: Tensor, threshold: float, value: float, inplace: bool = False) -> Tensor:
    """``x`` where ``x > threshold``, else ``value``."""
    out = Threshold.apply(input, threshold, value)
    return input._inplace_from(out) if inplace else out


# -- dropout and embedding ---------------------------------------------------------------------
class MaskedScale(Primitive):
    """``x * mask`` with a constant mask (dropout's kept-and-rescaled units)."""

    node_name = "MulBackward0"  # torch's CPU dropout multiplies by the scaled mask

    @staticmethod
    def forward(ctx, x, mask):
        ctx.save_for_backward(mask)
        return _as(x * mask, x)

    @staticmethod
    def backward(ctx, grad):
        (mask,) = ctx.saved_tensors
        return grad * mask, None

    @staticmethod
    def backward_array(ctx, grad):
        (mask,) = ctx.saved_arrays
        return grad * mask, None


class Embedding(Primitive):
    """Rows of ``weight`` picked by integer ``indices``."""

    node_name = "EmbeddingBackward0"

    @staticmethod
    def forward(ctx, weight, indices, padding_idx, scale_grad_by_freq):
        ctx.args = (indices, weight.shape[0], padding_idx, scale_grad_by_freq)
        return weight[indices]

    @staticmethod
    def backward(ctx, grad):
        return (EmbeddingDenseBackward.apply(grad, *ctx.args), None, None, None)

    @staticmethod
    def backward_array(ctx, grad):
        return (_scatter_rows(grad, *ctx.args)[0], None, None, None)


def _scatter_rows(grad, indices, num_weights, padding_idx, scale_grad_by_freq):
    """Sum the rows of ``grad`` (one per index) into a (num_weights, dim) array; also
    return each row's factor (0 for padding_idx, 1/count with scale_grad_by_freq) or None."""
    xp = _xp(grad)
    flat = indices.reshape(-1)
    g = grad.reshape(flat.shape[0], -1)
    factor = None
    if scale_grad_by_freq or padding_idx is not None:
        factor = xp.ones(flat.shape[0], dtype=grad.dtype)
        if scale_grad_by_freq:
            factor /= xp.bincount(flat, minlength=num_weights)[flat]
        if padding_idx is not None:
            factor[flat == padding_idx] = 0
        g = g * factor[:, None]
    out = xp.zeros((num_weights, g.shape[1]), dtype=grad.dtype)
    xp.add.at(out, flat, g)
    return out, factor


class EmbeddingDenseBackward(Primitive):
    """Scatter-add of the rows' gradients into a (num_weights, dim) gradient."""

    @staticmethod
    def forward(ctx, grad, indices, num_weights, padding_idx, scale_grad_by_freq):
        out, factor = _scatter_rows(grad, indices, num_weights, padding_idx, scale_grad_by_freq)
        ctx.indices = indices
        ctx.factor = None if factor is None else factor.reshape(indices.shape + (1,))
        return out

    @staticmethod
    def backward(ctx, grad):
        rows = Embedding.apply(grad, ctx.indices, None, False)
        if ctx.factor is not None:
            rows = rows * const(ctx.factor)
        return rows, None, None, None, None


TENSOR_METHODS = ["softmax", "log_softmax", "prelu", "hardshrink"]
