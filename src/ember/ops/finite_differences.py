"""``torch.gradient``: derivatives estimated by finite differences, second-order accurate
inside and first- or second-order at the edges, for uniform spacings or given coordinates.
Built from slicing ops, so it is differentiable."""
from __future__ import annotations

import numbers

from .. import _dtype as D
from .._tensor import Tensor
from ._util import wrap_dim
from .join import cat

__all__ = ["gradient"]


def _spacings(input: Tensor, spacing, dims: list, dim_given: bool) -> list:
    """One spacing per dim: a number (uniform) or a 1-D coordinates tensor."""
    if isinstance(spacing, (numbers.Number, Tensor)) and not (
            isinstance(spacing, Tensor) and spacing.ndim == 1):
        return [float(spacing)] * len(dims)
    spacing = list(spacing)
    if len(spacing) != len(dims):
        if not dim_given:
            raise RuntimeError(f"torch.gradient expected spacing to be unspecified, a scalar, or "
                               f"a list of length equal to 'self.dim() = {input.ndim}', since dim "
                               f"argument was not given, but got a list of length "
                               f"{len(spacing)}")
        raise RuntimeError(f"torch.gradient expected spacing to be unspecified, a scalar or it's "
                           f"spacing and dim arguments to have the same length, but got a "
                           f"spacing argument of length {len(spacing)} and a dim argument of "
                           f"length {len(dims)}.")
    return spacing


def _steps(step, d: int, ndim: int, first: int, count: int, dtype):
    """Spacing between consecutive samples ``first .. first+count`` along dim d, shaped to
    broadcast against slices of the input (a float for uniform spacing)."""
    if not isinstance(step, Tensor):
        return float(step)
    coords = step.to(dtype)
    diffs = coords.narrow(0, first + 1, count) - coords.narrow(0, first, count)
    return diffs.reshape([-1 if i == d else 1 for i in range(ndim)])


def _along(f: Tensor, step, d: int, edge_order: int) -> Tensor:
    n, ndim, dtype = f.shape[d], f.ndim, f.dtype

    def part(start, length):
        return f.narrow(d, start, length)

    # interior: three-point formula with left/right steps h1, h2
    h1 = _steps(step, d, ndim, 0, n - 2, dtype)
    h2 = _steps(step, d, ndim, 1, n - 2, dtype)
    inner = (-h2 / (h1 * (h1 + h2)) * part(0, n - 2) + (h2 - h1) / (h1 * h2) * part(1, n - 2)
             + h1 / (h2 * (h1 + h2)) * part(2, n - 2))
    if edge_order == 1:
        first = (part(1, 1) - part(0, 1)) / _steps(step, d, ndim, 0, 1, dtype)
        last = (part(n - 1, 1) - part(n - 2, 1)) / _steps(step, d, ndim, n - 2, 1, dtype)
    else:
        a, b = _steps(step, d, ndim, 0, 1, dtype), _steps(step, d, ndim, 1, 1, dtype)
        first = (-(2 * a + b) / (a * (a + b)) * part(0, 1) + (a + b) / (a * b) * part(1, 1)
                 - a / (b * (a + b)) * part(2, 1))
        a, b = _steps(step, d, ndim, n - 3, 1, dtype), _steps(step, d, ndim, n - 2, 1, dtype)
        last = (b / (a * (a + b)) * part(n - 3, 1) - (a + b) / (a * b) * part(n - 2, 1)
                + (2 * b + a) / (b * (a + b)) * part(n - 1, 1))
    return cat([first, inner, last], d)


def gradient(input: Tensor, *, spacing=1, dim=None, edge_order: int = 1) -> tuple:
    """Estimated partial derivatives of ``input`` along each of ``dim`` (all dims by default),
    with samples ``spacing`` apart (a number, one per dim, or coordinate tensors)."""
    if edge_order not in (1, 2):
        raise RuntimeError("torch.gradient only supports edge_order=1 and edge_order=2.")
    dims = list(range(input.ndim)) if dim is None else (
        [dim] if isinstance(dim, int) else list(dim))
    dims = [wrap_dim(d, input.ndim) for d in dims]
    steps = _spacings(input, spacing, dims, dim is not None)
    for d in dims:
        if input.shape[d] < edge_order + 1:
            raise RuntimeError("torch.gradient expected each dimension size to be at least "
                               "edge_order+1")
    if not (input.is_floating_point() or input.is_complex()):
        input = input.to(D.get_default_dtype())
    return tuple(_along(input, step, d, edge_order) for step, d in zip(steps, dims))
