"""Helpers shared by the distributions: broadcasting parameters, probs/logits conversion,
cached properties and summing over trailing event dimensions."""
from __future__ import annotations

import functools
import numbers

import ember

__all__ = ["broadcast_all", "logits_to_probs", "probs_to_logits", "clamp_probs",
           "lazy_property"]

euler_constant = 0.57721566490153286060


def broadcast_all(*values):
    """Broadcast tensors and numbers to one shape; numbers take the tensors' float dtype."""
    tensors = [v for v in values if isinstance(v, ember.Tensor)]
    for v in values:
        if not isinstance(v, (ember.Tensor, numbers.Number)):
            raise ValueError("Input arguments must all be instances of numbers.Number, "
                             "torch.Tensor or objects implementing __torch_function__.")
    if not tensors:
        dtype = ember.get_default_dtype()
        return ember.broadcast_tensors(*[ember.tensor(float(v), dtype=dtype) for v in values])
    ref = tensors[0]
    dtype = ref.dtype if ref.is_floating_point() else ember.get_default_dtype()
    return ember.broadcast_tensors(*[
        v if isinstance(v, ember.Tensor) else ember.tensor(v, dtype=dtype, device=ref.device)
        for v in values])


def _standard_normal(shape, dtype, device):
    """Standard normal draws of ``shape`` from the default generator."""
    return ember.empty(shape, dtype=dtype, device=device).normal_()


def _sum_rightmost(value, dim: int):
    """Sum out the last ``dim`` dimensions of ``value``."""
    if dim == 0:
        return value
    return value.reshape(value.shape[:value.dim() - dim] + (-1,)).sum(-1)


def _check_probs_or_logits(probs, logits) -> None:
    """Exactly one of ``probs`` and ``logits`` must be given."""
    if (probs is None) == (logits is None):
        raise ValueError("Either `probs` or `logits` must be specified, but not both.")


def clamp_probs(probs):
    """Keep probabilities inside (0, 1) by the dtype's resolution."""
    eps = ember.finfo(probs.dtype).eps
    return probs.clamp(min=eps, max=1 - eps)


def logits_to_probs(logits, is_binary: bool = False):
    """Probabilities from logits (sigmoid when binary, softmax over the last dim otherwise)."""
    if is_binary:
        return ember.sigmoid(logits)
    return ember.nn.functional.softmax(logits, dim=-1)


def probs_to_logits(probs, is_binary: bool = False):
    """Logits from probabilities (log-odds when binary, log-probabilities otherwise)."""
    p = clamp_probs(probs)
    if is_binary:
        return ember.log(p) - ember.log1p(-p)
    return ember.log(p)


class lazy_property:
    """A property computed once per instance and then stored on it as a plain attribute."""

    def __init__(self, wrapped):
        self.wrapped = wrapped
        functools.update_wrapper(self, wrapped)

    def __get__(self, instance, obj_type=None):
        if instance is None:
            return _lazy_property_and_property(self.wrapped)
        with ember.enable_grad():
            value = self.wrapped(instance)
        setattr(instance, self.wrapped.__name__, value)
        return value


class _lazy_property_and_property(lazy_property, property):
    """What the class sees: a property object, so introspection finds it."""

    def __init__(self, wrapped):
        property.__init__(self, wrapped)
