"""Queries and no-op resolutions of tensor states that PyTorch keeps lazily (pending
conjugation or negation, inference-mode creation); ember applies everything eagerly."""
from __future__ import annotations

from .._tensor import Tensor

__all__ = ["is_conj", "is_neg", "resolve_conj", "resolve_neg", "conj_physical",
           "is_inference"]


def is_conj(input: Tensor) -> bool:
    """Whether a lazy conjugation is pending (never, in ember)."""
    return False


def is_neg(input: Tensor) -> bool:
    """Whether a lazy negation is pending (never, in ember)."""
    return False


def resolve_conj(input: Tensor) -> Tensor:
    """``input`` with any pending conjugation applied: ``input`` itself."""
    return input


def resolve_neg(input: Tensor) -> Tensor:
    """``input`` with any pending negation applied: ``input`` itself."""
    return input


def conj_physical(input: Tensor) -> Tensor:
    """The complex conjugate as a new tensor (``input`` itself for real tensors)."""
    return input.conj().clone() if input.is_complex() else input


def is_inference(input: Tensor) -> bool:
    """Whether ``input`` was created under ``inference_mode``."""
    return bool(getattr(input, "_inference", False))


TENSOR_METHODS = list(__all__)
