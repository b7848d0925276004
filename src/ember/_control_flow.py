"""``torch.cond`` and ``torch.while_loop``, the control-flow operators that graph capture
keeps as single nodes; in eager ember they run their branches and loop bodies directly."""
from __future__ import annotations

from ._tensor import Tensor

__all__ = ["cond", "while_loop"]


def _truth(value, what: str) -> bool:
    if isinstance(value, Tensor) and value.numel() != 1:
        raise RuntimeError(f"Expected {what} to be bool or single-element tensor, but got a "
                           f"tensor of shape {tuple(value.shape)}")
    return bool(value)


def cond(pred, true_fn, false_fn, operands=()):
    """``true_fn(*operands)`` when ``pred`` holds, else ``false_fn(*operands)``."""
    if not isinstance(operands, (tuple, list)):
        raise RuntimeError(f"Expect operands to be a tuple or list, but got {type(operands)}")
    branch = true_fn if _truth(pred, "pred") else false_fn
    return branch(*operands)


def while_loop(cond_fn, body_fn, carried_inputs):
    """Apply ``body_fn`` to the carried values while ``cond_fn`` of them holds; the final
    carried values as a tuple."""
    if not isinstance(carried_inputs, (tuple, list)):
        raise RuntimeError(f"carried_inputs must be a tuple or list, got {type(carried_inputs)}")
    carried = tuple(carried_inputs)
    while _truth(cond_fn(*carried), "cond_fn's output"):
        out = body_fn(*carried)
        out = tuple(out) if isinstance(out, (tuple, list)) else (out,)
        if len(out) != len(carried):
            raise RuntimeError(f"body_fn should return as many values as carried_inputs has "
                               f"({len(carried)}), but it returned {len(out)}")
        carried = out
    return carried
