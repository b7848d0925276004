"""torch.nn.functional's core: linear maps, activations, softmax, dropout, embedding,
distances and the loss functions.

Arguments are checked here, with PyTorch's messages; the numerics live in the fused
primitives of ``ember.ops.nn`` or are composed from differentiable ember operations.
"""
from __future__ import annotations

import functools
import math
import warnings

import numpy as np

from ..._device import as_array
from ..._random import _mt, bernoulli_values
from ... import _dtype as D
from ..._tensor import Tensor, _TYPE_SHORT
from ...autograd import grad_mode
from ...autograd.function import renamed
from ...ops import elementwise as E
from ...ops.arith import _out
from ...ops import nn as N
from ...ops.reduce import Mean, Sum
from ...ops._util import const

__all__ = [
    # linear maps and lookups
    "linear", "bilinear", "embedding", "one_hot",
    # activations
    "threshold", "threshold_", "relu", "relu_", "hardtanh", "hardtanh_", "relu6", "elu", "elu_",
    "selu", "selu_", "celu", "celu_", "leaky_relu", "leaky_relu_", "prelu", "rrelu", "rrelu_",
    "glu", "gelu", "logsigmoid", "hardshrink", "tanhshrink", "softsign", "softplus", "softmin",
    "softmax", "log_softmax", "softshrink", "tanh", "sigmoid", "hardsigmoid", "silu", "mish",
    "hardswish",
    # dropout
    "dropout", "dropout1d", "dropout2d", "dropout3d", "alpha_dropout", "feature_alpha_dropout",
    # distances
    "normalize", "cosine_similarity", "pairwise_distance",
    # losses
    "l1_loss", "mse_loss", "smooth_l1_loss", "huber_loss", "cross_entropy", "nll_loss",
    "binary_cross_entropy", "binary_cross_entropy_with_logits", "kl_div",
    "cosine_embedding_loss", "margin_ranking_loss", "triplet_margin_loss",
    "hinge_embedding_loss", "soft_margin_loss", "multilabel_soft_margin_loss",
    "poisson_nll_loss", "gaussian_nll_loss",
]

_state = grad_mode._state


def _x(shape) -> str:
    return "x".join(str(s) for s in shape)


# -- linear maps -----------------------------------------------------------------------------
def linear(input: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """``input @ weight.T + bias`` over the last dimension of ``input``."""
    x, w = input._data, weight._data
    if w.ndim != 2 or x.ndim == 0:
        out = input.matmul(weight.t() if w.ndim == 2 else weight)
        return out if bias is None else out + bias
    if x.shape[-1] != w.shape[1]:
        rows = x.size // x.shape[-1] if x.shape[-1] else int(np.prod(x.shape[:-1]))
        raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({rows}x{x.shape[-1]} "
                           f"and {w.shape[1]}x{w.shape[0]})")
    if x.dtype != w.dtype:
        a, b = _TYPE_SHORT[input.dtype.name], _TYPE_SHORT[weight.dtype.name]
        if bias is None:  # torch reports it from mm, not addmm
            raise RuntimeError(f"expected m1 and m2 to have the same dtype, but got: "
                               f"{a.lower()} != {b.lower()}")
        raise RuntimeError(f"mat1 and mat2 must have the same dtype, but got {a} and {b}")
    return _LINEAR_NODES[bias is None][min(x.ndim, 3)].apply(input, weight, bias)


# torch's grad_fn for linear by (no bias, input dims 1 / 2 / more): the last op it runs
_LINEAR_NODES = {
    has_no_bias: {nd: renamed(N.Linear, name) for nd, name in zip((1, 2, 3), names)}
    for has_no_bias, names in ((False, ("ViewBackward0", "AddmmBackward0", "ViewBackward0")),
                               (True, ("SqueezeBackward4", "MmBackward0",
                                       "UnsafeViewBackward0")))}


def bilinear(input1: Tensor, input2: Tensor, weight: Tensor,
             bias: Tensor | None = None) -> Tensor:
    """``y[..., o] = input1 @ weight[o] @ input2 + bias[o]``."""
    out_f, in1, in2 = weight.shape
    if input1.shape[-1] != in1:
        raise RuntimeError(f"bilinear(): input1 size does not match weight size: got "
                           f"{input1.shape[-1]} but expected {in1}")
    if input2.shape[-1] != in2:
        raise RuntimeError(f"bilinear(): input2 size does not match weight size: got "
                           f"{input2.shape[-1]} but expected {in2}")
    for d, (a, b) in enumerate(zip(input1.shape[:-1], input2.shape[:-1])):
        if a != b:
            raise RuntimeError(f"bilinear(): input batch dimensions do not match at dim {d}: "
                               f"got {a} and {b}")
    # one matmul against weight laid out as (in1, out * in2), then contract with input2
    t = input1.matmul(weight.permute(1, 0, 2).reshape(in1, out_f * in2))
    y = (t.reshape(tuple(input1.shape[:-1]) + (out_f, in2)) * input2.unsqueeze(-2)).sum(-1)
    return y if bias is None else y + bias


def embedding(input: Tensor, weight: Tensor, padding_idx: int | None = None,
              max_norm: float | None = None, norm_type: float = 2.0,
              scale_grad_by_freq: bool = False, sparse: bool = False) -> Tensor:
    """Rows of ``weight`` at the integer ``input`` indices; the ``padding_idx`` row gets no
    gradient; with ``max_norm`` the rows used are first renormalised in place."""
    n = weight.shape[0]
    if padding_idx is not None:
        if padding_idx > 0:
            assert padding_idx < n, "Padding_idx must be within num_embeddings"
        elif padding_idx < 0:
            assert padding_idx >= -n, "Padding_idx must be within num_embeddings"
            padding_idx = n + padding_idx
    idx = input._data
    if idx.dtype.kind not in "iu" or idx.dtype.itemsize < 4:
        raise RuntimeError("Expected tensor for argument #1 'indices' to have one of the "
                           "following scalar types: Long, Int; but got "
                           f"{input.type()} instead (while checking arguments for embedding)")
    if idx.size and (idx.min() < 0 or idx.max() >= n):
        raise IndexError("index out of range in self")
    if max_norm is not None:
        _embedding_renorm_(weight, idx, max_norm, norm_type)
    if sparse:
        from ...ops.sparse import EmbeddingSparse
        return EmbeddingSparse.apply(weight, idx, padding_idx, scale_grad_by_freq)
    return N.Embedding.apply(weight, idx, padding_idx, scale_grad_by_freq)


def _embedding_renorm_(weight: Tensor, idx, max_norm: float, norm_type: float) -> None:
    """Scale the referenced rows of ``weight`` in place so their norm is at most max_norm."""
    xp = Tensor._xp_of(idx)
    rows = xp.unique(idx)
    w = weight._data
    norms = (xp.abs(w[rows]) ** norm_type).sum(axis=1) ** (1.0 / norm_type)
    scale = xp.where(norms > max_norm, max_norm / (norms + 1e-7), 1.0).astype(w.dtype)
    w[rows] *= scale[:, None]
    weight._vc[0] += 1


def one_hot(tensor: Tensor, num_classes: int = -1) -> Tensor:
    """int64 one-hot encoding with a new last dimension of size ``num_classes`` (inferred
    as max + 1 when -1)."""
    a = tensor._data
    if a.dtype != np.int64:
        raise RuntimeError("one_hot is only applicable to index tensor of type LongTensor.")
    xp = Tensor._xp_of(a)
    if num_classes == -1:
        if a.size == 0:
            raise RuntimeError("Can not infer total number of classes from empty tensor.")
        num_classes = int(a.max()) + 1
    if a.size:
        if a.min() < 0:
            raise RuntimeError("Class values must be non-negative.")
        if a.max() >= num_classes:
            raise RuntimeError("Class values must be smaller than num_classes.")
    return const((a[..., None] == xp.arange(num_classes)).astype(np.int64))


# -- activations --------------------------------------------------------------------------------
def _elu(input, alpha=1.0):
    return N.Elu.apply(input, alpha, 1.0, 1.0)


def _hardtanh(input, min_val=-1.0, max_val=1.0):
    if min_val > max_val:
        raise ValueError("min_val cannot be greater than max_val")
    return N.Hardtanh.apply(input, min_val, max_val)


def _leaky_relu(input, negative_slope=0.01):
    return N.LeakyRelu.apply(input, negative_slope)


def _threshold(input, threshold, value):
    return N.Threshold.apply(input, threshold, value)


# in-place forms: the result is written back into the input (see elementwise._inplace)
_relu_ = E._inplace(E.relu)
_elu_ = E._inplace(_elu)
_selu_ = E._inplace(N.selu)
_celu_ = E._inplace(N.celu)
_hardtanh_ = E._inplace(_hardtanh)
_leaky_relu_ = E._inplace(_leaky_relu)
_threshold_ = E._inplace(_threshold)
_hardsigmoid_ = E._inplace(N.Hardsigmoid.apply)
_silu_ = E._inplace(N.Silu.apply)
_mish_ = E._inplace(N.Mish.apply)
_hardswish_ = E._inplace(N.Hardswish.apply)


def relu(input: Tensor, inplace: bool = False) -> Tensor:
    """``max(x, 0)`` elementwise."""
    return _relu_(input) if inplace else E.relu(input)


def relu_(input: Tensor) -> Tensor:
    """In-place ``relu``."""
    return _relu_(input)


def threshold(input: Tensor, threshold: float, value: float, inplace: bool = False) -> Tensor:
    """``x`` where ``x > threshold``, else ``value``."""
    return (_threshold_ if inplace else _threshold)(input, threshold, value)


def threshold_(input: Tensor, threshold: float, value: float) -> Tensor:
    """In-place ``threshold``."""
    return _threshold_(input, threshold, value)


def hardtanh(input: Tensor, min_val: float = -1.0, max_val: float = 1.0,
             inplace: bool = False) -> Tensor:
    """``x`` clamped to ``[min_val, max_val]``."""
    return (_hardtanh_ if inplace else _hardtanh)(input, min_val, max_val)


def hardtanh_(input: Tensor, min_val: float = -1.0, max_val: float = 1.0) -> Tensor:
    """In-place ``hardtanh``."""
    return _hardtanh_(input, min_val, max_val)


def relu6(input: Tensor, inplace: bool = False) -> Tensor:
    """``min(max(x, 0), 6)``."""
    return hardtanh(input, 0.0, 6.0, inplace)


def elu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    """``x`` for ``x > 0``, else ``alpha * (exp(x) - 1)``."""
    return (_elu_ if inplace else _elu)(input, alpha)


def elu_(input: Tensor, alpha: float = 1.0) -> Tensor:
    """In-place ``elu``."""
    return _elu_(input, alpha)


def selu(input: Tensor, inplace: bool = False) -> Tensor:
    """Scaled ELU with the self-normalising constants."""
    return (_selu_ if inplace else N.selu)(input)


def selu_(input: Tensor) -> Tensor:
    """In-place ``selu``."""
    return _selu_(input)


def celu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    """``max(0, x) + min(0, alpha * (exp(x / alpha) - 1))``."""
    return (_celu_ if inplace else N.celu)(input, alpha)


def celu_(input: Tensor, alpha: float = 1.0) -> Tensor:
    """In-place ``celu``."""
    return _celu_(input, alpha)


def leaky_relu(input: Tensor, negative_slope: float = 0.01, inplace: bool = False) -> Tensor:
    """``x`` for ``x > 0``, else ``negative_slope * x``."""
    return (_leaky_relu_ if inplace else _leaky_relu)(input, negative_slope)


def leaky_relu_(input: Tensor, negative_slope: float = 0.01) -> Tensor:
    """In-place ``leaky_relu``."""
    return _leaky_relu_(input, negative_slope)


def prelu(input: Tensor, weight: Tensor) -> Tensor:
    """Leaky ReLU with learned slopes: one per channel (dim 1) or one shared."""
    channels = input.shape[1] if input.ndim >= 2 else 1
    if weight.numel() != 1 and weight.numel() != channels:
        raise RuntimeError(f"Mismatch of parameter numbers and input channel size. Found "
                           f"parameter numbers = {weight.numel()} and channel size = "
                           f"{channels}.")
    return N.prelu(input, weight)


_RreluWithNoise = renamed(N.MaskedScale, "RreluWithNoiseBackward0")


def _rrelu(input, lower, upper, training):
    if not training:
        return N.LeakyRelu.apply(input, (lower + upper) / 2)
    a = input._data
    # as torch's CPU kernel: one float64 uniform on [lower, upper) per element <= 0, in order
    neg = as_array(a <= 0)
    slopes = np.ones(a.shape)
    slopes[neg] = _mt(None).uniform(int(neg.sum()), 53, lower, upper)
    return _RreluWithNoise.apply(input, slopes.astype(a.dtype))


_rrelu_ = E._inplace(_rrelu)


def rrelu(input: Tensor, lower: float = 1.0 / 8, upper: float = 1.0 / 3,
          training: bool = False, inplace: bool = False) -> Tensor:
    """Leaky ReLU with slopes drawn from U(lower, upper) while training, their mean
    otherwise."""
    return (_rrelu_ if inplace else _rrelu)(input, lower, upper, training)


def rrelu_(input: Tensor, lower: float = 1.0 / 8, upper: float = 1.0 / 3,
           training: bool = False) -> Tensor:
    """In-place ``rrelu``."""
    return _rrelu_(input, lower, upper, training)


def glu(input: Tensor, dim: int = -1) -> Tensor:
    """Gated linear unit: ``a * sigmoid(b)`` for the two halves of ``input`` along ``dim``."""
    if input.ndim == 0:
        raise RuntimeError("glu does not support scalars because halving size must be even")
    d = dim % input.ndim
    n = input.shape[d]
    if n % 2:
        raise RuntimeError(f"Halving dimension must be even, but dimension {d} is size {n}")
    a, b = input.chunk(2, d)
    return a * E.sigmoid(b)


def gelu(input: Tensor, approximate: str = "none") -> Tensor:
    """``x * Phi(x)`` (Phi the normal CDF); ``approximate='tanh'`` uses the tanh formula."""
    if approximate == "none":
        return N.Gelu.apply(input)
    if approximate == "tanh":
        return N.GeluTanh.apply(input)
    raise RuntimeError("approximate argument must be either none or tanh.")


def logsigmoid(input: Tensor) -> Tensor:
    """``log(sigmoid(x))``, computed without overflow."""
    return N.LogSigmoid.apply(input)


def hardshrink(input: Tensor, lambd: float = 0.5) -> Tensor:
    """``x`` where ``|x| > lambd``, else 0."""
    return N.Hardshrink.apply(input, lambd)


def softshrink(input: Tensor, lambd: float = 0.5) -> Tensor:
    """``x - lambd`` above ``lambd``, ``x + lambd`` below ``-lambd``, else 0."""
    if lambd < 0:
        raise RuntimeError(f"lambda must be greater or equal to 0, but found to be {lambd}.")
    return N.Softshrink.apply(input, lambd)


def tanhshrink(input: Tensor) -> Tensor:
    """``x - tanh(x)``."""
    return input - E.tanh(input)


def softsign(input: Tensor) -> Tensor:
    """``x / (1 + |x|)``."""
    return input / (E.abs(input) + 1)


def softplus(input: Tensor, beta: float = 1.0, threshold: float = 20.0) -> Tensor:
    """``log(1 + exp(beta * x)) / beta``, linear where ``beta * x > threshold``."""
    return N.Softplus.apply(input, beta, threshold)


def tanh(input: Tensor) -> Tensor:
    """Elementwise tanh."""
    return E.tanh(input)


def sigmoid(input: Tensor) -> Tensor:
    """Elementwise logistic sigmoid."""
    return E.sigmoid(input)


def hardsigmoid(input: Tensor, inplace: bool = False) -> Tensor:
    """``relu6(x + 3) / 6``."""
    return (_hardsigmoid_ if inplace else N.Hardsigmoid.apply)(input)


def silu(input: Tensor, inplace: bool = False) -> Tensor:
    """``x * sigmoid(x)``."""
    return (_silu_ if inplace else N.Silu.apply)(input)


def mish(input: Tensor, inplace: bool = False) -> Tensor:
    """``x * tanh(softplus(x))``."""
    return (_mish_ if inplace else N.Mish.apply)(input)


def hardswish(input: Tensor, inplace: bool = False) -> Tensor:
    """``x * relu6(x + 3) / 6``."""
    return (_hardswish_ if inplace else N.Hardswish.apply)(input)


def _softmax_dim(name: str, ndim: int, stacklevel: int) -> int:
    # one more frame than torch's: the tensor-type check wrapping each functional
    warnings.warn(f"Implicit dimension choice for {name} has been deprecated. Change the call "
                  "to include dim=X as an argument.", stacklevel=stacklevel + 1)
    return 0 if ndim in (0, 1, 3) else 1


def softmax(input: Tensor, dim: int | None = None, _stacklevel: int = 3,
            dtype=None) -> Tensor:
    """``exp(x) / sum(exp(x))`` along ``dim``, computed stably."""
    if dim is None:
        dim = _softmax_dim("softmax", input.ndim, _stacklevel)
    return N.softmax(input, dim, dtype)


def softmin(input: Tensor, dim: int | None = None, _stacklevel: int = 3,
            dtype=None) -> Tensor:
    """``softmax(-x)`` along ``dim``."""
    if dim is None:
        dim = _softmax_dim("softmin", input.ndim, _stacklevel)
    if dtype is not None:
        input = input.to(dtype)
    return N.softmax(-input, dim)


def log_softmax(input: Tensor, dim: int | None = None, _stacklevel: int = 3,
                dtype=None) -> Tensor:
    """``log(softmax(x))`` along ``dim``, computed stably."""
    if dim is None:
        dim = _softmax_dim("log_softmax", input.ndim, _stacklevel)
    return N.log_softmax(input, dim, dtype)


# -- dropout ---------------------------------------------------------------------------------------
def _check_p(p: float) -> None:
    if p < 0.0 or p > 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")


def _keep_mask(input: Tensor, p: float, shape) -> np.ndarray:
    """Bernoulli(1 - p) of ``shape`` as input's float dtype (on input's device)."""
    # torch fills an empty tensor with bernoulli_(1 - p)
    keep = bernoulli_values(None, np.full(shape, 1 - p), False)
    arr = keep.astype(input._data.dtype)
    return arr if type(input._data) is np.ndarray else Tensor._xp_of(input._data).asarray(arr)


def _dropout_with_mask(input: Tensor, p: float, shape, inplace: bool) -> Tensor:
    mask = _keep_mask(input, p, shape)
    if p < 1:
        mask *= 1.0 / (1.0 - p)
    if inplace:
        return E._inplace(N.MaskedScale.apply)(input, mask)
    return N.MaskedScale.apply(input, mask)


def dropout(input: Tensor, p: float = 0.5, training: bool = True,
            inplace: bool = False) -> Tensor:
    """Zero each element with probability ``p`` and scale the rest by ``1/(1-p)`` (training
    only; otherwise the input is returned)."""
    _check_p(p)
    if not training or p == 0:
        return input
    return _dropout_with_mask(input, p, input.shape, inplace)


def _feature_dropout(input, p, training, inplace, batched):
    _check_p(p)
    if not training or p == 0:
        return input
    lead = 2 if batched else 1
    shape = tuple(input.shape[:lead]) + (1,) * (input.ndim - lead)
    return _dropout_with_mask(input, p, shape, inplace)


def _feature_dims_warning(name, nd, spatial):
    warnings.warn(f"{name}: Received a {nd}-D input to {name}, which is deprecated and will "
                  "result in an error in a future release. To retain the behavior and silence "
                  f"this warning, please use dropout instead. Note that {name} exists to "
                  f"provide channel-wise dropout on inputs with {spatial} spatial dimensions, a "
                  "channel dimension, and an optional batch dimension (i.e. "
                  f"{spatial + 1}D or {spatial + 2}D inputs).", stacklevel=4)


def dropout1d(input: Tensor, p: float = 0.5, training: bool = True,
              inplace: bool = False) -> Tensor:
    """Zero whole channels of (N, C, L) or (C, L) inputs with probability ``p``."""
    _check_p(p)
    if input.ndim not in (2, 3):
        raise RuntimeError(f"dropout1d: Expected 2D or 3D input, but received a {input.ndim}D "
                           "input. Note that dropout1d exists to provide channel-wise dropout "
                           "on inputs with 1 spatial dimension, a channel dimension, and an "
                           "optional batch dimension (i.e. 2D or 3D inputs).")
    return _feature_dropout(input, p, training, inplace, input.ndim == 3)


def dropout2d(input: Tensor, p: float = 0.5, training: bool = True,
              inplace: bool = False) -> Tensor:
    """Zero whole channels of (N, C, H, W) or (C, H, W) inputs with probability ``p``."""
    _check_p(p)
    nd = input.ndim
    if nd == 3:
        warnings.warn("dropout2d: Received a 3D input to dropout2d and assuming that channel-"
                      "wise 1D dropout behavior is desired - input is interpreted as shape (N, "
                      "C, L), where C is the channel dim. This behavior will change in a future "
                      "release to interpret the input as one without a batch dimension, i.e. "
                      "shape (C, H, W). To maintain the 1D channel-wise dropout behavior, "
                      "please switch to using dropout1d instead.", stacklevel=3)
    elif nd != 4:
        _feature_dims_warning("dropout2d", nd, 2)
    return _feature_dropout(input, p, training, inplace, True)


def dropout3d(input: Tensor, p: float = 0.5, training: bool = True,
              inplace: bool = False) -> Tensor:
    """Zero whole channels of (N, C, D, H, W) or (C, D, H, W) inputs with probability ``p``."""
    _check_p(p)
    nd = input.ndim
    if nd not in (4, 5):
        _feature_dims_warning("dropout3d", nd, 3)
    return _feature_dropout(input, p, training, inplace, nd == 5)


_SELU_NEG = N.SELU_ALPHA * N.SELU_SCALE  # selu's limit at -inf, negated


def _alpha_dropout(input, p, training, inplace, shape):
    _check_p(p)
    if not training or p == 0:
        return input
    if p == 1:
        return input * 0.0
    # dropped units are set to selu's saturation value, then an affine map a*x + b restores
    # zero mean and unit variance
    a = 1.0 / math.sqrt((_SELU_NEG ** 2 * p + 1) * (1 - p))
    keep = _keep_mask(input, p, shape)
    b = (keep - 1) * (_SELU_NEG * a) + _SELU_NEG * a * p
    scaled = E._inplace(N.MaskedScale.apply)(input, keep * a) if inplace else \
        N.MaskedScale.apply(input, keep * a)
    return scaled.add_(const(b)) if inplace else scaled + const(b)


def alpha_dropout(input: Tensor, p: float = 0.5, training: bool = False,
                  inplace: bool = False) -> Tensor:
    """Dropout that keeps the self-normalising property of SELU networks."""
    return _alpha_dropout(input, p, training, inplace, input.shape)


def feature_alpha_dropout(input: Tensor, p: float = 0.5, training: bool = False,
                          inplace: bool = False) -> Tensor:
    """Alpha dropout of whole channels (dim 1)."""
    shape = tuple(input.shape[:2]) + (1,) * (input.ndim - 2)
    return _alpha_dropout(input, p, training, inplace, shape)


# -- distances ------------------------------------------------------------------------------------
def normalize(input: Tensor, p: float = 2.0, dim: int = 1, eps: float = 1e-12,
              out: Tensor | None = None) -> Tensor:
    """``input / max(||input||_p, eps)`` along ``dim``."""
    r = input / input.norm(p, dim, keepdim=True).clamp_min(eps)
    if out is not None:
        return _out(r, out)
    return r


def cosine_similarity(x1: Tensor, x2: Tensor, dim: int = 1, eps: float = 1e-8) -> Tensor:
    """Cosine of the angle between ``x1`` and ``x2`` along ``dim`` (norms clamped to eps)."""
    n1 = x1.norm(2, dim, keepdim=True)
    n2 = x2.norm(2, dim, keepdim=True)
    with grad_mode.no_grad():
        # clamp the values, not the gradient path: torch divides by the unclamped graph node
        n1._data = n1._xp().maximum(n1._data, eps)
        n2._data = n2._xp().maximum(n2._data, eps)
    return ((x1 / n1) * (x2 / n2)).sum(dim)


def pairwise_distance(x1: Tensor, x2: Tensor, p: float = 2.0, eps: float = 1e-6,
                      keepdim: bool = False) -> Tensor:
    """``||x1 - x2 + eps||_p`` over the last dimension."""
    dim = max(x1.ndim, x2.ndim) - 1
    return (x1 - x2 + eps).norm(p, dim, keepdim=keepdim)


# -- losses --------------------------------------------------------------------------------------
def _legacy_reduction(size_average, reduce, reduction: str) -> str:
    if size_average is None and reduce is None:
        return reduction
    size_average = True if size_average is None else size_average
    reduce = True if reduce is None else reduce
    ret = "mean" if size_average and reduce else ("sum" if reduce else "none")
    warnings.warn(f"size_average and reduce args will be deprecated, please use "
                  f"reduction='{ret}' instead.", stacklevel=4)
    return ret


def _reduce(loss: Tensor, reduction: str, node: str | None = None) -> Tensor:
    """The loss reduced; ``node`` names the result's grad_fn as torch's fused loss does."""
    if node is not None and reduction in ("mean", "sum"):
        dims = tuple(range(loss.ndim))
        if reduction == "mean":
            return _renamed_reduction(Mean, node).apply(loss, dims, False)
        return _renamed_reduction(Sum, node).apply(loss, dims, False, None)
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    if reduction == "none":
        return loss
    raise ValueError(f"{reduction} is not a valid value for reduction")


@functools.lru_cache(maxsize=None)
def _renamed_reduction(prim, node: str):
    return renamed(prim, node)


def _reduce_weighted(loss: Tensor, weight: Tensor | None, input: Tensor, reduction: str,
                     mean_over_weight: bool, node: str | None = None) -> Tensor:
    """The optional elementwise ``weight`` of l1/mse/huber, then the reduction."""
    if weight is None:
        return _reduce(loss, reduction, node)
    if weight.shape != input.shape:
        raise ValueError("Weights and input must have the same size.")
    loss = loss * weight
    if reduction == "none":
        return loss
    if reduction == "sum":
        return loss.sum()
    if reduction == "mean":
        return loss.sum() / weight.sum() if mean_over_weight else loss.mean()
    raise ValueError(f"Invalid reduction mode: {reduction}. Expected one of 'none', 'mean', "
                     "'sum'.")


def _warn_size(input: Tensor, target: Tensor) -> None:
    if target.shape != input.shape:
        warnings.warn(f"Using a target size ({target.shape}) that is different to the input "
                      f"size ({input.shape}). This will likely lead to incorrect results due to "
                      "broadcasting. Please ensure they have the same size.", stacklevel=4)


def l1_loss(input: Tensor, target: Tensor, size_average=None, reduce=None,
            reduction: str = "mean", weight: Tensor | None = None) -> Tensor:
    """Mean (or sum) absolute error."""
    _warn_size(input, target)
    reduction = _legacy_reduction(size_average, reduce, reduction)
    return _reduce_weighted(E.abs(input - target), weight, input, reduction, True)


def mse_loss(input: Tensor, target: Tensor, size_average=None, reduce=None,
             reduction: str = "mean", weight: Tensor | None = None) -> Tensor:
    """Mean (or sum) squared error."""
    _warn_size(input, target)
    reduction = _legacy_reduction(size_average, reduce, reduction)
    d = input - target
    if d._data.dtype.kind in "iub":
        raise NotImplementedError(f"\"mse_cpu\" not implemented for '{_TYPE_SHORT[d.dtype.name]}'")
    return _reduce_weighted(d * d, weight, input, reduction, True, "MseLossBackward0")


def _abs_and_masks(input, target, width):
    d = input - target
    ad = E.abs(d)
    small = N.mask_like(ad._data < width, ad)
    return d, ad, small


def smooth_l1_loss(input: Tensor, target: Tensor, size_average=None, reduce=None,
                   reduction: str = "mean", beta: float = 1.0) -> Tensor:
    """``0.5 d² / beta`` where ``|d| < beta``, else ``|d| - 0.5 beta`` (d = input - target)."""
    _warn_size(input, target)
    reduction = _legacy_reduction(size_average, reduce, reduction)
    if beta < 0:
        raise RuntimeError("smooth_l1_loss does not support negative values for beta.")
    if beta == 0:
        return _reduce(E.abs(input - target), reduction)
    d, ad, small = _abs_and_masks(input, target, beta)
    loss = small * (d * d * (0.5 / beta)) + (1 - small) * (ad - 0.5 * beta)
    return _reduce(loss, reduction)


def huber_loss(input: Tensor, target: Tensor, reduction: str = "mean", delta: float = 1.0,
               weight: Tensor | None = None) -> Tensor:
    """``0.5 d²`` where ``|d| < delta``, else ``delta (|d| - 0.5 delta)``."""
    _warn_size(input, target)
    if delta <= 0:
        raise RuntimeError("huber_loss does not support non-positive values for delta.")
    d, ad, small = _abs_and_masks(input, target, delta)
    loss = small * (d * d * 0.5) + (1 - small) * ((ad - 0.5 * delta) * delta)
    return _reduce_weighted(loss, weight, input, reduction, False)


def _check_class_target(input: Tensor, target: Tensor) -> None:
    if input.ndim < 1:
        raise ValueError(f"Expected 1 or more dimensions (got {input.ndim})")
    if input.ndim != 1 and target.ndim >= 1 and input.shape[0] != target.shape[0]:
        raise ValueError(f"Expected input batch_size ({input.shape[0]}) to match target "
                         f"batch_size ({target.shape[0]}).")
    if input.ndim <= 2:
        if target.ndim > 1 or (input.ndim == 1 and target.ndim != 0):
            raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
    else:
        want = (input.shape[0],) + tuple(input.shape[2:])
        if tuple(target.shape) != want:
            raise RuntimeError(f"Expected target size {list(want)}, got {list(target.shape)}")
    if target._data.dtype not in (np.int64, np.uint8):
        raise RuntimeError(f"expected target dtype to be Long or Byte, but got "
                           f"{_TYPE_SHORT[target.dtype.name]}")


def _check_weight(weight: Tensor | None, n_classes: int) -> None:
    if weight is not None and (weight.ndim != 1 or weight.numel() != n_classes):
        raise RuntimeError(f"weight tensor should be defined either for all {n_classes} classes "
                           f"or no classes but got weight tensor of shape: "
                           f"{list(weight.shape)}")


def _check_bounds(t, n_classes: int, ignore_index: int) -> None:
    bad = (t != ignore_index) & ((t < 0) | (t >= n_classes))
    if bad.any():
        raise IndexError(f"Target {int(t.reshape(-1)[bad.reshape(-1).argmax()])} is out of "
                         "bounds.")


def nll_loss(input: Tensor, target: Tensor, weight: Tensor | None = None, size_average=None,
             ignore_index: int = -100, reduce=None, reduction: str = "mean") -> Tensor:
    """Negative log-likelihood of class indices, given log-probabilities with classes on
    dim 1 (or dim 0 when unbatched)."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(f"{reduction} is not a valid value for reduction")
    _check_class_target(input, target)
    unbatched = input.ndim == 1
    if unbatched:
        input, target = input.unsqueeze(0), target.reshape(1)
    n_classes = input.shape[1]
    _check_weight(weight, n_classes)
    t = target._data.astype(np.int64, copy=False)
    _check_bounds(t, n_classes, ignore_index)
    w = None if weight is None else weight._data
    loss = N.NllLoss.apply(input, t, w, ignore_index, reduction)
    return loss.reshape(()) if unbatched and reduction == "none" else loss


def _class_shape(input: Tensor, n_classes: int):
    """Shape that broadcasts a per-class vector along ``input``'s class dimension."""
    return (n_classes,) + (1,) * (input.ndim - 2) if input.ndim >= 2 else (n_classes,)


def cross_entropy(input: Tensor, target: Tensor, weight: Tensor | None = None,
                  size_average=None, ignore_index: int = -100, reduce=None,
                  reduction: str = "mean", label_smoothing: float = 0.0) -> Tensor:
    """Cross-entropy between logits (classes on dim 1) and class indices or class
    probabilities, with optional class weights, ignore_index and label smoothing."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    if not 0.0 <= label_smoothing <= 1.0:
        raise RuntimeError(f"label_smoothing must be between 0.0 and 1.0. Got: "
                           f"{label_smoothing}")
    class_dim = 0 if input.ndim == 1 else 1
    n_classes = input.shape[class_dim] if input.ndim else 0
    if input.ndim >= 1 and target.shape == input.shape:
        if not target.is_floating_point():  # e.g. one-hot rows: torch wants class indices
            raise RuntimeError("Expected floating point type for target with class "
                               f"probabilities, got {_TYPE_SHORT[target.dtype.name]}")
        _check_weight(weight, n_classes)
        if reduction not in ("none", "mean", "sum"):
            raise ValueError(f"{reduction} is not a valid value for reduction")
        logp = N.log_softmax(input, class_dim)
        if label_smoothing > 0:
            target = target * (1 - label_smoothing) + label_smoothing / n_classes
        terms = logp * target
        if weight is not None:
            terms = terms * weight.reshape(_class_shape(input, n_classes))
        return _reduce(-terms.sum(class_dim), reduction)
    _check_class_target(input, target)
    _check_weight(weight, n_classes)
    logp = N.log_softmax(input, class_dim)
    loss = nll_loss(logp, target, weight, None, ignore_index, None, reduction)
    if label_smoothing <= 0:
        return loss
    # the smoothing term: the (weighted) mean over classes of -logp, on non-ignored targets
    terms = logp if weight is None else logp * weight.reshape(_class_shape(input, n_classes))
    t = target._data
    valid = t != ignore_index
    smooth = -terms.sum(class_dim) * N.mask_like(valid, logp)
    if reduction == "mean":
        if weight is None:
            denom = valid.sum()
        else:
            denom = weight._data[t[valid].astype(np.int64)].sum()
        smooth = smooth.sum() / float(denom)
    elif reduction == "sum":
        smooth = smooth.sum()
    return loss * (1 - label_smoothing) + smooth * (label_smoothing / n_classes)


def binary_cross_entropy(input: Tensor, target: Tensor, weight: Tensor | None = None,
                         size_average=None, reduce=None, reduction: str = "mean") -> Tensor:
    """``-w (t log(x) + (1 - t) log(1 - x))`` for probabilities ``x`` (logs clamped at -100)."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    if target.shape != input.shape:
        raise ValueError(f"Using a target size ({target.shape}) that is different to the input "
                         f"size ({input.shape}) is deprecated. Please ensure they have the same "
                         "size.")
    if target.dtype != input.dtype:
        raise RuntimeError(f"Found dtype {_TYPE_SHORT[target.dtype.name]} but expected "
                           f"{_TYPE_SHORT[input.dtype.name]}")
    x = input._data
    if x.size and ((x < 0) | (x > 1)).any():
        raise RuntimeError("all elements of input should be between 0 and 1")
    loss = N.BinaryCrossEntropy.apply(input, target)
    if weight is not None:
        loss = loss * weight
    return _reduce(loss, reduction, "BinaryCrossEntropyBackward0")


def binary_cross_entropy_with_logits(input: Tensor, target: Tensor,
                                     weight: Tensor | None = None, size_average=None,
                                     reduce=None, reduction: str = "mean",
                                     pos_weight: Tensor | None = None) -> Tensor:
    """Binary cross-entropy of ``sigmoid(input)``, computed stably from the logits;
    ``pos_weight`` scales the positive term."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    if target.shape != input.shape:
        raise ValueError(f"Target size ({target.shape}) must be the same as input size "
                         f"({input.shape})")
    _check_float_target(input, target)
    logsig = N.LogSigmoid.apply(input)
    if pos_weight is None:
        loss = (1 - target) * input - logsig
    else:
        loss = (1 - target) * input - ((pos_weight - 1) * target + 1) * logsig
    if weight is not None:
        loss = loss * weight
    return _reduce(loss, reduction, "BinaryCrossEntropyWithLogitsBackward0")


def _check_float_target(input: Tensor, target: Tensor) -> None:
    """torch computes the logits loss into a tensor of the target's dtype: a float one."""
    kind = target._data.dtype.kind
    if kind == "b":
        raise RuntimeError("Subtraction, the `-` operator, with two bool tensors is not "
                           "supported. Use the `^` or `logical_xor()` operator instead.")
    if kind in "iu":
        res = D.promote_types(input.dtype, target.dtype)
        raise RuntimeError(f"result type {_TYPE_SHORT[res.name]} can't be cast to the desired "
                           f"output type {_TYPE_SHORT[target.dtype.name]}")


def kl_div(input: Tensor, target: Tensor, size_average=None, reduce=None,
           reduction: str = "mean", log_target: bool = False) -> Tensor:
    """Kullback-Leibler divergence ``target * (log(target) - input)`` with ``input`` given
    as log-probabilities (``target`` too when ``log_target``)."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    if reduction == "mean":
        warnings.warn("reduction: 'mean' divides the total loss by both the batch size and the "
                      "support size.'batchmean' divides only by the batch size, and aligns with "
                      "the KL div math definition.'mean' will be changed to behave the same as "
                      "'batchmean' in the next major release.", stacklevel=3)
    if input._data.dtype.kind in "iub" or target._data.dtype.kind in "iub":
        raise RuntimeError("kl_div: Integral inputs not supported.")
    if log_target:
        loss = E.exp(target) * (target - input)
    else:
        loss = E.xlogy(target, target) - target * input
    if reduction == "batchmean":
        total = loss.sum()
        return total / input.shape[0] if input.ndim else total
    return _reduce(loss, reduction)


def cosine_embedding_loss(input1: Tensor, input2: Tensor, target: Tensor, margin: float = 0,
                          size_average=None, reduce=None, reduction: str = "mean") -> Tensor:
    """``1 - cos(x1, x2)`` for target 1, ``max(0, cos(x1, x2) - margin)`` for target -1."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    dim = 1 if input1.ndim == 2 else 0
    prod = (input1 * input2).sum(dim)
    mag = ((input1 * input1).sum(dim) + 1e-12) * ((input2 * input2).sum(dim) + 1e-12)
    cos = prod / E.sqrt(mag)
    t = target._data
    pos = N.mask_like(t == 1, cos)
    neg = N.mask_like(t == -1, cos)
    loss = pos * (1 - cos) + neg * (cos - margin).clamp_min(0)
    return _reduce(loss, reduction)


def margin_ranking_loss(input1: Tensor, input2: Tensor, target: Tensor, margin: float = 0,
                        size_average=None, reduce=None, reduction: str = "mean") -> Tensor:
    """``max(0, -target * (input1 - input2) + margin)``."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    if not (input1.ndim == input2.ndim == target.ndim):
        raise RuntimeError(f"margin_ranking_loss : All input tensors should have same dimension "
                           f"but got sizes: input1: {input1.shape}, input2: {input2.shape}, "
                           f"target: {target.shape} ")
    return _reduce((-target * (input1 - input2) + margin).clamp_min(0), reduction)


def triplet_margin_loss(anchor: Tensor, positive: Tensor, negative: Tensor, margin: float = 1.0,
                        p: float = 2, eps: float = 1e-6, swap: bool = False, size_average=None,
                        reduce=None, reduction: str = "mean") -> Tensor:
    """``max(0, d(a, p) - d(a, n) + margin)`` with ``d`` the pairwise p-norm distance."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    d_pos = pairwise_distance(anchor, positive, p, eps)
    d_neg = pairwise_distance(anchor, negative, p, eps)
    if swap:
        d_neg = E.minimum(d_neg, pairwise_distance(positive, negative, p, eps))
    return _reduce((d_pos - d_neg + margin).clamp_min(0), reduction)


def hinge_embedding_loss(input: Tensor, target: Tensor, margin: float = 1.0, size_average=None,
                         reduce=None, reduction: str = "mean") -> Tensor:
    """``x`` where target is 1, ``max(0, margin - x)`` where target is -1."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    t = target._data
    not_pos = N.mask_like(t != 1, input)
    not_neg = N.mask_like(t != -1, input)
    loss = not_pos * (margin - input).clamp_min(0) + not_neg * input
    return _reduce(loss, reduction)


def soft_margin_loss(input: Tensor, target: Tensor, size_average=None, reduce=None,
                     reduction: str = "mean") -> Tensor:
    """``log(1 + exp(-target * input))``."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    return _reduce(-N.LogSigmoid.apply(target * input), reduction)


def multilabel_soft_margin_loss(input: Tensor, target: Tensor, weight: Tensor | None = None,
                                size_average=None, reduce=None,
                                reduction: str = "mean") -> Tensor:
    """Per-class binary logistic loss averaged over classes (the last dimension)."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    loss = -(target * N.LogSigmoid.apply(input) + (1 - target) * N.LogSigmoid.apply(-input))
    if weight is not None:
        loss = loss * weight
    class_dim = input.ndim - 1
    loss = loss.sum(class_dim) / input.shape[class_dim]
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(reduction + " is not valid")
    return _reduce(loss, reduction)


def poisson_nll_loss(input: Tensor, target: Tensor, log_input: bool = True, full: bool = False,
                     size_average=None, eps: float = 1e-8, reduce=None,
                     reduction: str = "mean") -> Tensor:
    """Poisson negative log-likelihood: ``exp(x) - t x`` (log input) or ``x - t log(x + eps)``,
    plus Stirling's term for ``t > 1`` when ``full``."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(reduction + " is not a valid value for reduction")
    if log_input:
        loss = E.exp(input) - target * input
    else:
        loss = input - target * E.log(input + eps)
    if full:
        # Stirling's approximation of log(t!), only where t > 1; elsewhere t is replaced by 1
        # so that no log(0) reaches the values or the gradient
        big = N.mask_like(target._data > 1, target)
        ts = target * big + (1 - big)
        loss = loss + (ts * E.log(ts) - ts + 0.5 * E.log(2 * math.pi * ts)) * big
    return _reduce(loss, reduction)


def gaussian_nll_loss(input: Tensor, target: Tensor, var, full: bool = False,
                      eps: float = 1e-6, reduction: str = "mean") -> Tensor:
    """Gaussian negative log-likelihood ``0.5 (log(var) + (input - target)² / var)`` with
    ``var`` clamped below at ``eps`` (its gradient passes unclamped)."""
    if not isinstance(var, Tensor):
        var = const(np.full(input.shape, var, dtype=input._data.dtype))
    if var.shape != input.shape:
        if tuple(input.shape[:-1]) == tuple(var.shape):
            var = var.unsqueeze(-1)
        elif not (input.shape[:-1] == var.shape[:-1] and var.shape[-1] == 1):
            raise ValueError("var is of incorrect size")
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(reduction + " is not valid")
    if (var._data < 0).any():
        raise ValueError("var has negative entry/entries")
    var = var.clone()
    with grad_mode.no_grad():
        var._data = var._xp().maximum(var._data, eps)
    d = input - target
    loss = 0.5 * (E.log(var) + d * d / var)
    if full:
        loss = loss + 0.5 * math.log(2 * math.pi)
    return _reduce(loss, reduction)

