"""Finite-difference gradient checks (``gradcheck``, ``gradgradcheck``) in float64."""
from __future__ import annotations

import warnings

import numpy as np

__all__ = ["gradcheck", "gradgradcheck", "GradcheckError"]


class GradcheckError(RuntimeError):
    """Analytical and numerical gradients disagree."""


def _as_tuple(x):
    from .._tensor import Tensor
    return (x,) if isinstance(x, Tensor) else tuple(x)


def _diff_outputs(outs):
    """The outputs that can carry a gradient (floating point tensors)."""
    from .._tensor import Tensor
    return [o for o in outs if isinstance(o, Tensor) and o._data.dtype.kind in "fc"]


def _host64(t):
    """A tensor's values as a flat float64 NumPy array (copied from a GPU: the Jacobians are
    compared on the host, whatever device computed them)."""
    from .._device import CPU, move_array
    return move_array(t._data, CPU).astype(np.float64).ravel()


def _numerical_jacobian(fn, inputs, i, eps):
    """d(flattened outputs)/d(inputs[i]) by central differences, shape (n_in, n_out)."""
    arr = inputs[i]._data
    cols = []
    # index the array itself (not a flattened copy) so strided inputs are perturbed too; grad
    # mode stays on because ``fn`` may itself differentiate (gradgradcheck)
    for idx in np.ndindex(arr.shape):
        orig = arr[idx].copy()
        arr[idx] = orig + eps
        plus = [_host64(o) for o in _diff_outputs(_as_tuple(fn(*inputs)))]
        arr[idx] = orig - eps
        minus = [_host64(o) for o in _diff_outputs(_as_tuple(fn(*inputs)))]
        arr[idx] = orig
        cols.append(np.concatenate([(p - m) / (2 * eps) for p, m in zip(plus, minus)]
                                   or [np.zeros(0)]))
    return np.array(cols).reshape(arr.size, -1)


def _analytical_jacobian(outputs, inp):
    """The same Jacobian from one backward pass per output element."""
    from . import grad as autograd_grad
    from .._creation import zeros_like

    rows = []
    for out in outputs:
        for k in range(out._data.size):
            if not out.requires_grad:
                rows.append(np.zeros(inp._data.size))
                continue
            g = zeros_like(out)
            g._data.reshape(-1)[k] = 1
            res = autograd_grad([out], [inp], [g], retain_graph=True, allow_unused=True)[0]
            rows.append(np.zeros(inp._data.size) if res is None
                        else _host64(res))
    return np.array(rows).T.reshape(inp._data.size, -1)


def gradcheck(func, inputs, *, eps: float = 1e-6, atol: float = 1e-5, rtol: float = 1e-3,
              raise_exception: bool = True, nondet_tol: float = 0.0,
              check_undefined_grad: bool = True, check_grad_dtypes: bool = False,
              check_batched_grad: bool = False, fast_mode: bool = False, **kwargs) -> bool:
    """Compare the autograd gradients of ``func`` at ``inputs`` with finite differences."""
    inputs = _as_tuple(inputs)
    outputs = _diff_outputs(_as_tuple(func(*inputs)))
    for i, x in enumerate(inputs):
        if not getattr(x, "requires_grad", False):
            continue
        if x._data.dtype != np.float64:
            warnings.warn(f"Input #{i} requires gradient and is not a double precision floating "
                          "point or complex. This check will likely fail if all the inputs are "
                          "not of double precision floating point or complex. ", UserWarning,
                          stacklevel=2)
        num = _numerical_jacobian(func, inputs, i, eps)
        ana = _analytical_jacobian(outputs, x)
        if not np.allclose(ana, num, rtol=rtol, atol=atol):
            if raise_exception:
                raise GradcheckError(
                    f"Jacobian mismatch for output 0 with respect to input {i},\n"
                    f"numerical:{num}\nanalytical:{ana}\n")
            return False
    return True


def gradgradcheck(func, inputs, grad_outputs=None, *, eps: float = 1e-6, atol: float = 1e-5,
                  rtol: float = 1e-3, raise_exception: bool = True, **kwargs) -> bool:
    """``gradcheck`` of the first derivative (checks second-order gradients)."""
    from . import grad as autograd_grad
    from .._creation import zeros_like
    from .._random import randn

    inputs = _as_tuple(inputs)
    outs = _diff_outputs(_as_tuple(func(*inputs)))
    if grad_outputs is None:
        grad_outputs = tuple(randn(*o.shape, dtype=o.dtype, device=o.device,
                                   requires_grad=True) for o in outs)
    grad_outputs = _as_tuple(grad_outputs)
    n = len(inputs)

    def first_grad(*args):
        ins, gos = args[:n], args[n:]
        diff_ins = [x for x in ins if getattr(x, "requires_grad", False)]
        outs = _diff_outputs(_as_tuple(func(*ins)))
        gs = autograd_grad(outs, diff_ins, gos, create_graph=True, allow_unused=True)
        return tuple(zeros_like(x) if g is None else g for g, x in zip(gs, diff_ins))

    return gradcheck(first_grad, tuple(inputs) + grad_outputs, eps=eps, atol=atol, rtol=rtol,
                     raise_exception=raise_exception)
