"""Shared helpers for differential tests: run the same inputs through ember and real torch.

``check_op`` compares outputs (values, dtype, shape) and, for float inputs, the gradients
that the same random upstream gradient produces; ``gradcheck_op`` runs ember's own
finite-difference checks (first and second order) in float64; ``check_error`` compares
the exception type and message the two raise.

With ``EMBER_TEST_DEVICE`` set (``cuda``), ember's side runs on that device: ``to_ember``
puts tensors there, results come back with ``.cpu()`` before they are compared, and
``check_op`` asserts that outputs stay on the inputs' device. ``EMBER_FAKE_CUDA=1`` serves
``cuda`` from a strict NumPy stand-in for CuPy (see ``ember.testing._fake_cupy``).
"""
from __future__ import annotations

import os
import re

import numpy as np
import pytest

import ember

torch = pytest.importorskip("torch", reason="differential tests need PyTorch as the reference")

# where ember's side of every differential test runs ("cpu" unless EMBER_TEST_DEVICE says)
DEVICE = os.environ.get("EMBER_TEST_DEVICE", "cpu")

__all__ = ["DEVICE", "to_torch", "to_ember", "assert_close", "check_op", "gradcheck_op",
           "check_error"]


def _is_float_array(x) -> bool:
    return isinstance(x, np.ndarray) and x.dtype.kind in "fc"


def to_torch(t, requires_grad: bool = False):
    """A torch tensor with ``t``'s values and dtype (``t``: ember tensor or numpy array), copied."""
    if isinstance(t, ember.Tensor):
        t = t.detach().cpu().numpy()
    out = torch.from_numpy(np.array(t, copy=True))
    return out.requires_grad_(requires_grad) if requires_grad else out


def to_ember(t, requires_grad: bool = False):
    """An ember tensor with ``t``'s values and dtype (``t``: torch tensor or numpy array), copied."""
    if isinstance(t, torch.Tensor):
        t = t.detach().cpu().numpy()
    out = ember.from_numpy(np.array(t, copy=True))
    if DEVICE != "cpu":
        out = out.to(DEVICE)
    return out.requires_grad_(requires_grad) if requires_grad else out


def _dtype_name(dt) -> str:
    return str(dt).rsplit(".", 1)[-1]


def assert_close(actual, expected, atol: float = 1e-5, rtol: float = 1e-4,
                 check_dtype: bool = True, equal_nan: bool = True) -> None:
    """Assert an ember tensor matches a torch tensor in shape, dtype and values.

    Non-tensor results (Python numbers, bools, ``torch.Size``) are compared by value.
    """
    if not isinstance(expected, torch.Tensor):
        assert not isinstance(actual, ember.Tensor), f"ember returned a tensor, torch {expected!r}"
        if isinstance(expected, float) and isinstance(actual, float):
            np.testing.assert_allclose(actual, expected, atol=atol, rtol=rtol,
                                       equal_nan=equal_nan)
        else:
            assert type(actual) is type(expected) or isinstance(expected, tuple), \
                f"type {type(actual).__name__} != {type(expected).__name__}"
            assert actual == expected, f"{actual!r} != {expected!r}"
        return
    assert isinstance(actual, ember.Tensor), f"expected an ember tensor, got {type(actual)}"
    assert tuple(actual.shape) == tuple(expected.shape), \
        f"shape {tuple(actual.shape)} != torch {tuple(expected.shape)}"
    if check_dtype:
        assert _dtype_name(actual.dtype) == _dtype_name(expected.dtype), \
            f"dtype {actual.dtype} != torch {expected.dtype}"
    a = actual.detach().cpu().numpy()
    e = expected.detach().cpu().resolve_conj()
    # torch may hand back a lazily-zero gradient ("ZeroTensor"), which needs force=True
    e = e.numpy(force=True) if e._is_zerotensor() else e.numpy()
    if e.dtype.kind in "fc" or a.dtype.kind in "fc":
        np.testing.assert_allclose(a.astype(np.complex128 if a.dtype.kind == "c" else np.float64),
                                   e, atol=atol, rtol=rtol, equal_nan=equal_nan)
    else:
        np.testing.assert_array_equal(a, e)


def _flatten(out) -> list:
    """Outputs as a flat list (tuples, lists and named tuples are unpacked)."""
    if isinstance(out, (tuple, list)):
        return [x for o in out for x in _flatten(o)]
    return [out]


def _prepare(np_inputs, grad: bool):
    """Matching ember and torch arguments; float arrays require grad when ``grad``."""
    e_args, t_args, diff = [], [], []
    for i, x in enumerate(np_inputs):
        if isinstance(x, np.generic):  # a NumPy scalar input is a 0-dim array
            x = np.asarray(x)
        if isinstance(x, np.ndarray):
            rg = grad and _is_float_array(x)
            e_args.append(to_ember(x, rg))
            t_args.append(to_torch(x, rg))
            if rg:
                diff.append(i)
        else:
            e_args.append(x)
            t_args.append(x)
    return e_args, t_args, diff


def check_op(ember_fn, torch_fn, *np_inputs, grad: bool = True, atol: float = 1e-5,
             rtol: float = 1e-4, check_dtype: bool = True, grad_atol: float | None = None,
             grad_rtol: float | None = None, seed: int = 0):
    """Run ``ember_fn`` and ``torch_fn`` on the same inputs and compare outputs and gradients.

    ``np_inputs``: numpy arrays become tensors (float ones requiring grad when ``grad``),
    anything else is passed unchanged. Outputs may be tensors, numbers or (named) tuples.
    Gradients come from one random upstream gradient per float output, shared by both.
    Returns ``(ember_out, torch_out)`` for further checks.
    """
    e_args, t_args, diff = _prepare(np_inputs, grad)
    e_out = ember_fn(*e_args)
    t_out = torch_fn(*t_args)
    e_flat, t_flat = _flatten(e_out), _flatten(t_out)
    assert len(e_flat) == len(t_flat), f"{len(e_flat)} outputs != torch {len(t_flat)}"
    for e, t in zip(e_flat, t_flat):
        assert_close(e, t, atol=atol, rtol=rtol, check_dtype=check_dtype)
    if DEVICE != "cpu" and any(isinstance(a, ember.Tensor) for a in e_args):
        for e in e_flat:
            if isinstance(e, ember.Tensor):
                assert e.device.type == DEVICE, f"an output is on {e.device}, not on {DEVICE}"
    if not diff:
        return e_out, t_out
    pairs = [(e, t) for e, t in zip(e_flat, t_flat)
             if isinstance(t, torch.Tensor) and t.requires_grad]
    for e, t in pairs:
        assert e.requires_grad, "torch's output requires grad but ember's does not"
    if not pairs:
        return e_out, t_out
    rng = np.random.default_rng(seed)
    ups = [rng.standard_normal(t.shape).astype(t.detach().numpy().dtype) for _, t in pairs]
    e_grads = ember.autograd.grad([e for e, _ in pairs], [e_args[i] for i in diff],
                                  [to_ember(u) for u in ups], allow_unused=True)
    t_grads = torch.autograd.grad([t for _, t in pairs], [t_args[i] for i in diff],
                                  [to_torch(u) for u in ups], allow_unused=True)
    ga = atol if grad_atol is None else grad_atol
    gr = rtol if grad_rtol is None else grad_rtol
    for i, eg, tg in zip(diff, e_grads, t_grads):
        # an input the output does not depend on: torch says None, a zero tensor is as good
        if tg is None:
            tg = torch.zeros_like(t_args[i])
        if eg is None:
            eg = ember.zeros_like(e_args[i])
        assert_close(eg, tg, atol=ga, rtol=gr)
    return e_out, t_out


def gradcheck_op(ember_fn, *np_inputs, second_order: bool = True, eps: float = 1e-6,
                 atol: float = 1e-5, rtol: float = 1e-3) -> None:
    """Finite-difference check of ``ember_fn``'s first (and second) derivatives in float64.

    Float arrays in ``np_inputs`` become float64 tensors requiring grad; anything else
    is passed unchanged.
    """
    args = [to_ember(x.astype(np.float64), True) if _is_float_array(x)
            else (to_ember(x) if isinstance(x, np.ndarray) else x) for x in np_inputs]
    assert ember.autograd.gradcheck(ember_fn, tuple(args), eps=eps, atol=atol, rtol=rtol)
    if not second_order:
        return
    n = len(args)
    diff = [i for i, a in enumerate(args) if isinstance(a, ember.Tensor) and a.requires_grad]
    outs = [o for o in _flatten(ember_fn(*args)) if isinstance(o, ember.Tensor)
            and o.requires_grad]
    rng = np.random.default_rng(1)
    ups = [to_ember(rng.standard_normal(tuple(o.shape)), True) for o in outs]

    def first_grad(*xs):
        # grad mode on explicitly: the numerical Jacobian evaluates this under no_grad
        with ember.enable_grad():
            ins, gos = list(xs[:n]), xs[n:]
            res = [o for o in _flatten(ember_fn(*ins)) if isinstance(o, ember.Tensor)
                   and o.requires_grad]
            gs = ember.autograd.grad(res, [ins[i] for i in diff], list(gos), create_graph=True,
                                     allow_unused=True)
            return tuple(g if g is not None else ins[i] * 0 for g, i in zip(gs, diff))

    assert ember.autograd.gradcheck(first_grad, tuple(args) + tuple(ups), eps=eps, atol=atol,
                                    rtol=rtol)


def check_error(ember_fn, torch_fn, *np_inputs, match: str | None = None) -> None:
    """Assert both raise the same exception type and message.

    With ``match`` (a regex), both messages must contain it; otherwise ember's first
    line must equal torch's.
    """
    e_args, t_args, _ = _prepare(np_inputs, False)
    with pytest.raises(Exception) as t_info:
        torch_fn(*t_args)
    t_exc = t_info.value
    # torch's own error classes subclass the builtin ones ember raises
    base = next(c for c in type(t_exc).__mro__ if c.__module__ == "builtins")
    with pytest.raises(base) as e_info:
        ember_fn(*e_args)
    e_msg, t_msg = str(e_info.value), str(t_exc)
    if match is not None:
        assert re.search(match, t_msg), f"torch's message {t_msg!r} lacks {match!r}"
        assert re.search(match, e_msg), f"ember's message {e_msg!r} lacks {match!r}"
    else:
        assert e_msg.splitlines()[0] == t_msg.splitlines()[0], \
            f"ember: {e_msg!r}\ntorch: {t_msg!r}"
