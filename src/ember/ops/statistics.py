"""Order statistics and sample statistics: kthvalue, quantile/nanquantile, cov, corrcoef
and histogram. Composites of sorting, gathering and arithmetic, so they differentiate
like their parts."""
from __future__ import annotations

import warnings

import numpy as np

from .. import return_types
from .._device import as_array
from .._tensor import Tensor
from ._util import const, wrap_dim

__all__ = ["kthvalue", "quantile", "nanquantile", "cov", "corrcoef", "histogram"]

_INTERPOLATIONS = ("linear", "lower", "higher", "midpoint", "nearest")


def kthvalue(input: Tensor, k: int, dim: int = -1, keepdim: bool = False, *, out=None):
    """The ``k``-th smallest value along ``dim`` and its index (named tuple)."""
    d = wrap_dim(dim, max(input.dim(), 1))
    n = input.shape[d] if input.dim() else 1
    if not 1 <= k <= n:
        raise RuntimeError(f"kthvalue(): selected number k out of range for dimension {dim}")
    x = input.reshape(1) if input.dim() == 0 else input
    values, indices = x.sort(d, stable=True)
    value = values.narrow(d, k - 1, 1)
    index = indices.narrow(d, k - 1, 1)
    if not keepdim or input.dim() == 0:
        value, index = value.squeeze(d), index.squeeze(d)
    if input.dim() == 0:
        value, index = value.reshape(()), index.reshape(())
    return return_types.kthvalue((value, index))


def _check_quantile(input: Tensor, q, name: str, interpolation: str):
    if not input.is_floating_point():
        raise RuntimeError(f"{name}() input tensor must be either float or double dtype")
    if interpolation not in _INTERPOLATIONS:
        raise ValueError(f"{name}() interpolation must be one of linear, lower, higher, "
                         f"midpoint or nearest. Got {interpolation}")
    if isinstance(q, Tensor):
        if q.dim() > 1:
            raise RuntimeError(f"{name}() q must be a scalar or 1D tensor")
        if q.dtype != input.dtype:
            raise RuntimeError(f"{name}() q tensor must be same dtype as the input tensor")
        qs = np.asarray(q.detach().cpu()._data, dtype=np.float64)
    else:
        qs = as_array(float(q))
    bad = qs.reshape(-1)[((qs < 0) | (qs > 1)).reshape(-1)]
    if bad.size:
        raise RuntimeError(f"{name}() q must be in the range [0, 1] but got {float(bad[0])}")
    return qs, isinstance(q, Tensor) and q.dim() == 1


def _quantile(input: Tensor, q, dim, keepdim: bool, interpolation: str, ignore_nan: bool,
              name: str) -> Tensor:
    qs, vector_q = _check_quantile(input, q, name, interpolation)
    if input.numel() == 0:
        raise RuntimeError(f"{name}() input tensor must be non-empty")
    if dim is None:
        x, d = input.reshape(-1), 0
    else:
        d = wrap_dim(dim, max(input.dim(), 1))
        x = input.reshape(1) if input.dim() == 0 else input
    x = x.movedim(d, -1)
    n = x.shape[-1]
    srt = x.sort(-1)[0]                            # NaNs sort last
    nans = np.isnan(as_array(srt._data))
    count = (~nans).sum(-1, keepdims=True) if ignore_nan else np.full(nans.shape[:-1] + (1,), n)
    q_flat = qs.reshape(-1)
    rank = q_flat * (count - 1)                     # (..., len(q))
    if interpolation == "lower":
        rank = np.floor(rank)
    elif interpolation == "higher":
        rank = np.ceil(rank)
    elif interpolation == "nearest":
        rank = np.round(rank)
    rank = np.clip(rank, 0, None)
    lo = np.floor(rank).astype(np.int64)
    hi = np.minimum(np.ceil(rank).astype(np.int64), n - 1)
    xp = srt._xp()
    lo_v = srt.gather(-1, const(xp.asarray(np.clip(lo, 0, n - 1))))
    hi_v = srt.gather(-1, const(xp.asarray(hi)))
    if interpolation == "linear":
        frac = rank - lo
        if isinstance(q, Tensor) and q.requires_grad:  # the position moves with q
            spread = q.reshape(-1) * const(srt._xp().asarray((count - 1).astype(
                srt._data.dtype)))
            frac = spread - const(srt._xp().asarray(lo.astype(srt._data.dtype)))
    elif interpolation == "midpoint":
        frac = np.where(hi > lo, 0.5, 0.0)
    else:
        frac = np.zeros(rank.shape)
    if not isinstance(frac, Tensor):
        frac = const(xp.asarray(frac.astype(srt._data.dtype)))
    out = lo_v.lerp(hi_v, frac)
    invalid = (count == 0) if ignore_nan else nans.any(-1, keepdims=True)
    if invalid.any():
        nan = const(xp.asarray(np.broadcast_to(invalid, out.shape)))
        out = out.masked_fill(nan, float("nan"))
    # (..., len(q)) -> q first, then the kept or removed dimension
    out = out.movedim(-1, 0)
    if keepdim:
        if dim is None:
            out = out.reshape((out.shape[0],) + (1,) * input.dim())
        else:
            out = out.unsqueeze(d + 1) if input.dim() else out
    if not vector_q:
        out = out.squeeze(0)
    return out


def quantile(input: Tensor, q, dim: int | None = None, keepdim: bool = False, *,
             interpolation: str = "linear", out=None) -> Tensor:
    """The ``q``-quantiles of ``input`` (over everything, or along ``dim``); a vector ``q``
    adds a leading dimension. Any NaN in a slice makes its quantiles NaN."""
    return _quantile(input, q, dim, keepdim, interpolation, False, "quantile")


def nanquantile(input: Tensor, q, dim: int | None = None, keepdim: bool = False, *,
                interpolation: str = "linear", out=None) -> Tensor:
    """``quantile`` ignoring NaN values (NaN only where a slice holds nothing else)."""
    return _quantile(input, q, dim, keepdim, interpolation, True, "nanquantile")


def cov(input: Tensor, *, correction: int = 1, fweights: Tensor | None = None,
        aweights: Tensor | None = None) -> Tensor:
    """The covariance matrix of the variables in the rows of ``input`` (observations in the
    columns), with optional frequency and importance weights."""
    if input.dim() > 2:
        raise RuntimeError(f"cov(): expected input to have two or fewer dimensions but got an "
                           f"input with {input.dim()} dimensions")
    x = input.reshape(1, -1) if input.dim() < 2 else input
    n_obs = x.shape[1]
    w = None
    for weights, what in ((fweights, "fweights"), (aweights, "aweights")):
        if weights is None:
            continue
        if weights.dim() > 1:
            raise ValueError(f"cov(): expected {what} to have one or fewer dimensions but got "
                             f"{what} with {weights.dim()} dimensions")
        if weights.numel() != n_obs:
            raise ValueError(f"cov(): expected {what} to have the same numel as there are "
                             f"observations in the input but got {weights.numel()} != {n_obs}")
        if what == "fweights" and weights.is_floating_point():
            raise ValueError("cov(): expected fweights to have integral dtype but got "
                             f"fweights with {str(weights.dtype).split('.')[-1]} dtype")
        w = weights if w is None else w * weights
    if not x.is_floating_point() and not x.is_complex():
        x = x.float()
    if w is None:
        avg = x.mean(1)
        w_sum = float(n_obs)
        norm = w_sum - correction
    else:
        w_sum = w.sum()
        avg = (x * w).sum(1) / w_sum
        if correction == 0:
            norm = w_sum
        elif aweights is None:
            norm = w_sum - correction
        else:
            norm = w_sum - correction * (w * aweights).sum() / w_sum
    if float(norm) <= 0:
        warnings.warn("cov(): degrees of freedom is <= 0. Correction should be strictly less "
                      "than the number of observations.", stacklevel=2)
        norm = norm * 0 if isinstance(norm, Tensor) else 0.0
    xm = x - avg.unsqueeze(1)
    xw = xm if w is None else xm * w
    c = xw @ xm.transpose(0, 1).conj() / norm
    return c.squeeze()


def corrcoef(input: Tensor) -> Tensor:
    """Pearson correlation coefficients of the rows of ``input``, clipped to [-1, 1]."""
    c = cov(input)
    if c.dim() == 0:
        return c / c
    d = c.diagonal()
    std = d.real.sqrt() if c.is_complex() else d.sqrt()
    c = c / std.unsqueeze(1)
    c = c / std.unsqueeze(0)
    # PyTorch also clips the parts of complex coefficients; ember leaves those as computed
    return c if c.is_complex() else c.clamp(-1, 1)


def histogram(input: Tensor, bins=100, *, range=None, weight: Tensor | None = None,
              density: bool = False, out=None):
    """Counts of ``input`` in ``bins`` equal bins over ``range`` (default: the data's span),
    or in the bins a tensor of edges gives; returns (hist, bin_edges)."""
    if not input.is_floating_point():
        raise RuntimeError(f"torch.histogram: input tensor and bins tensors should have the "
                           f"same dtype, but got input {str(input.dtype).split('.')[-1]} and "
                           "bins float")
    data = np.asarray(input.detach().cpu()._data).reshape(-1)
    w = None if weight is None else np.asarray(weight.detach().cpu()._data).reshape(-1)
    edges = np.asarray(bins.detach().cpu()._data) if isinstance(bins, Tensor) else int(bins)
    if range is not None:
        lo, hi = float(range[0]), float(range[1])
    elif data.size:
        lo, hi = float(data.min()), float(data.max())
    else:
        lo, hi = 0.0, 1.0
    if not isinstance(edges, np.ndarray) and lo == hi:
        lo, hi = lo - 0.5, hi + 0.5  # numpy's rule, which PyTorch also follows
    hist, edge = np.histogram(data, bins=edges, range=None if isinstance(edges, np.ndarray)
                              else (lo, hi), weights=w, density=density)
    dt = input._data.dtype
    xp = input._xp()
    return return_types.histogram((Tensor._make(xp.asarray(hist.astype(dt)), False, None, 0, [0]),
                                   Tensor._make(xp.asarray(edge.astype(dt)), False, None, 0,
                                                [0])))


TENSOR_METHODS = ["kthvalue", "quantile", "nanquantile", "cov", "corrcoef", "histogram"]
