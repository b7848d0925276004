"""Finite-difference gradient checks (``gradcheck``, ``gradgradcheck``) in float64."""
from __future__ import annotations

import numpy as np

__all__ = ["gradcheck", "gradgradcheck", "GradcheckError"]


class GradcheckError(RuntimeError):
    """Analytical and numerical gradients disagree."""


def _as_tuple(x):
    from .._tensor import Tensor
    return (x,) if isinstance(x, Tensor) else tuple(x)


def _numerical_jacobian(fn, inputs, i, eps):
    """d(flattened outputs)/d(inputs[i]) by central differences, shape (n_in, n_out)."""
    from .grad_mode import no_grad

    x = inputs[i]
    flat = x._data.reshape(-1)
    cols = []
    with no_grad():
        for k in range(flat.size):
            orig = flat[k].copy()
            flat[k] = orig + eps
            plus = [o._data.astype(np.float64).ravel() for o in _as_tuple(fn(*inputs))]
            flat[k] = orig - eps
            minus = [o._data.astype(np.float64).ravel() for o in _as_tuple(fn(*inputs))]
            flat[k] = orig
            cols.append(np.concatenate([(p - m) / (2 * eps) for p, m in zip(plus, minus)]))
    return np.array(cols)


def _analytical_jacobian(outputs, inp, n_out):
    from . import grad as autograd_grad
    from .._creation import zeros_like

    rows = []
    for o_idx, out in enumerate(outputs):
        for k in range(out._data.size):
            g = zeros_like(out)
            g._data.reshape(-1)[k] = 1
            res = autograd_grad([out], [inp], [g], retain_graph=True, allow_unused=True)[0]
            rows.append(np.zeros(inp._data.size) if res is None
                        else res._data.astype(np.float64).ravel())
    return np.array(rows).T if rows else np.zeros((inp._data.size, 0))


def gradcheck(func, inputs, *, eps=1e-6, atol=1e-5, rtol=1e-3, raise_exception=True,
              nondet_tol=0.0, check_undefined_grad=True, check_grad_dtypes=False,
              check_batched_grad=False, fast_mode=False, **kwargs) -> bool:
    """Compare the autograd gradients of ``func`` at ``inputs`` with finite differences."""
    inputs = _as_tuple(inputs)
    outputs = [o for o in _as_tuple(func(*inputs)) if o.requires_grad]
    n_out = sum(o._data.size for o in outputs)
    for i, x in enumerate(inputs):
        if not getattr(x, "requires_grad", False):
            continue
        if x._data.dtype != np.float64:
            import warnings
            warnings.warn("Input #%d requires gradient and is not a double precision floating "
                          "point. This check will likely fail if all the inputs are not of "
                          "double precision floating point. " % i, UserWarning, stacklevel=2)
        num = _numerical_jacobian(func, inputs, i, eps)
        ana = _analytical_jacobian(outputs, x, n_out)
        if num.shape != ana.shape or not np.allclose(ana, num, rtol=rtol, atol=atol):
            if raise_exception:
                raise GradcheckError(
                    f"Jacobian mismatch for output 0 with respect to input {i},\n"
                    f"numerical:{num}\nanalytical:{ana}\n")
            return False
    return True


def gradgradcheck(func, inputs, grad_outputs=None, *, eps=1e-6, atol=1e-5, rtol=1e-3,
                  raise_exception=True, **kwargs) -> bool:
    """``gradcheck`` of the first derivative (checks second-order gradients)."""
    from . import grad as autograd_grad
    from .._creation import ones_like
    from .._random import randn

    inputs = _as_tuple(inputs)
    outs = _as_tuple(func(*inputs))
    if grad_outputs is None:
        grad_outputs = tuple(randn(*o.shape, dtype=o.dtype, requires_grad=True) for o in outs)
    diff_inputs = [x for x in inputs if getattr(x, "requires_grad", False)]

    def first_grad(*args):
        ins, gos = args[:len(inputs)], args[len(inputs):]
        outs = _as_tuple(func(*ins))
        gs = autograd_grad(outs, [x for x in ins if getattr(x, "requires_grad", False)], gos,
                           create_graph=True, allow_unused=True)
        return tuple(g if g is not None else ones_like(x) * 0
                     for g, x in zip(gs, diff_inputs))

    return gradcheck(first_grad, tuple(inputs) + tuple(grad_outputs), eps=eps, atol=atol,
                     rtol=rtol, raise_exception=raise_exception)
