"""Fold an evaluation-mode batch norm into the convolution or linear layer before it, so
inference runs one layer instead of two."""
from __future__ import annotations

import copy

from ..._tensor import Tensor
from ...autograd.grad_mode import no_grad
from ..parameter import Parameter

__all__ = ["fuse_conv_bn_eval", "fuse_conv_bn_weights", "fuse_linear_bn_eval",
           "fuse_linear_bn_weights"]


def _bn_scale(bn_rm, bn_rv, bn_eps, bn_w, bn_b):
    scale = (bn_rv + bn_eps).rsqrt()
    if bn_w is not None:
        scale = bn_w * scale
    shift = -bn_rm * scale
    if bn_b is not None:
        shift = shift + bn_b
    return scale, shift


def fuse_conv_bn_weights(conv_w: Tensor, conv_b: Tensor | None, bn_rm: Tensor, bn_rv: Tensor,
                         bn_eps: float, bn_w: Tensor | None, bn_b: Tensor | None,
                         transpose: bool = False) -> tuple[Parameter, Parameter]:
    """The convolution weight and bias that compute ``bn(conv(x))`` in one step."""
    with no_grad():
        scale, shift = _bn_scale(bn_rm, bn_rv, bn_eps, bn_w, bn_b)
        shape = [1] * conv_w.dim()
        shape[1 if transpose else 0] = -1
        weight = conv_w * scale.reshape(shape).to(conv_w.dtype)
        bias = (conv_b if conv_b is not None else bn_rm.new_zeros(bn_rm.shape)) * scale + shift
    return (Parameter(weight, conv_w.requires_grad),
            Parameter(bias.to(conv_w.dtype), (conv_b if conv_b is not None else conv_w)
                      .requires_grad))


def fuse_conv_bn_eval(conv, bn, transpose: bool = False):
    """A copy of ``conv`` whose weights include the evaluation-mode ``bn`` after it."""
    if conv.training or bn.training:
        raise AssertionError("Fusion only for eval!")
    fused = copy.deepcopy(conv)
    if bn.running_mean is None or bn.running_var is None:
        raise AssertionError("running_mean and running_var must be set")
    fused.weight, fused.bias = fuse_conv_bn_weights(
        fused.weight, fused.bias, bn.running_mean, bn.running_var, bn.eps, bn.weight, bn.bias,
        transpose)
    return fused


def fuse_linear_bn_weights(linear_w: Tensor, linear_b: Tensor | None, bn_rm: Tensor,
                           bn_rv: Tensor, bn_eps: float, bn_w: Tensor,
                           bn_b: Tensor) -> tuple[Parameter, Parameter]:
    """The linear weight and bias that compute ``bn(linear(x))`` in one step."""
    with no_grad():
        scale, shift = _bn_scale(bn_rm, bn_rv, bn_eps, bn_w, bn_b)
        weight = linear_w * scale.unsqueeze(-1)
        bias = (linear_b if linear_b is not None else bn_rm.new_zeros(bn_rm.shape)) * scale \
            + shift
    return (Parameter(weight, linear_w.requires_grad),
            Parameter(bias, (linear_b if linear_b is not None else linear_w).requires_grad))


def fuse_linear_bn_eval(linear, bn):
    """A copy of ``linear`` whose weights include the evaluation-mode ``bn`` after it."""
    if linear.training or bn.training:
        raise AssertionError("Fusion only for eval!")
    if linear.out_features != bn.num_features and bn.num_features != 1:
        raise AssertionError("To fuse, linear.out_features must equal bn.num_features or "
                             "bn.num_features must equal 1")
    fused = copy.deepcopy(linear)
    fused.weight, fused.bias = fuse_linear_bn_weights(
        fused.weight, fused.bias, bn.running_mean, bn.running_var, bn.eps, bn.weight, bn.bias)
    return fused
