"""torch.special: special mathematical functions.

The gamma family, the modified Bessel functions I0/I1, the error functions and the
elementary ones run on NumPy alone. The Bessel J/Y/K functions, Airy, the incomplete
gamma functions, ``erfcx``, ``ndtri``, ``log_ndtr`` and the orthogonal polynomials take
their numerics from SciPy, an optional dependency (``pip install scipy``) imported only
when one of them is called.
"""
from __future__ import annotations

import math

import numpy as np

from . import _dtype as D
from ._tensor import Tensor
from .ops import elementwise as E
from .ops import special as S
from .ops._util import const
from .ops.arith import _out
from .ops.reduce import logsumexp  # noqa: F401
from .ops.nn import log_softmax as _log_softmax, softmax as _softmax

__all__ = [
    "airy_ai", "bessel_j0", "bessel_j1", "bessel_y0", "bessel_y1", "chebyshev_polynomial_t",
    "chebyshev_polynomial_u", "chebyshev_polynomial_v", "chebyshev_polynomial_w", "digamma",
    "entr", "erf", "erfc", "erfcx", "erfinv", "exp2", "expit", "expm1", "gammainc",
    "gammaincc", "gammaln", "hermite_polynomial_h", "hermite_polynomial_he", "i0", "i0e",
    "i1", "i1e", "laguerre_polynomial_l", "legendre_polynomial_p", "log1p", "log_ndtr",
    "log_softmax", "logit", "logsumexp", "modified_bessel_i0", "modified_bessel_i1",
    "modified_bessel_k0", "modified_bessel_k1", "multigammaln", "ndtr", "ndtri", "polygamma",
    "psi", "round", "scaled_modified_bessel_k0", "scaled_modified_bessel_k1",
    "shifted_chebyshev_polynomial_t", "shifted_chebyshev_polynomial_u",
    "shifted_chebyshev_polynomial_v", "shifted_chebyshev_polynomial_w", "sinc", "softmax",
    "spherical_bessel_j0", "xlog1py", "xlogy", "zeta",
]

erf, erfc, erfinv, exp2, expm1, log1p = E.erf, E.erfc, E.erfinv, E.exp2, E.expm1, E.log1p
expit, logit, xlogy, round = E.sigmoid, E.logit, E.xlogy, E.round
digamma = psi = S.digamma
gammaln = S.lgamma
polygamma = S.polygamma
i0, i0e, i1, i1e = S.i0, S.i0e, S.i1, S.i1e
modified_bessel_i0, modified_bessel_i1 = S.i0, S.i1


def multigammaln(input, p: int, *, out=None) -> Tensor:
    """The log of the multivariate gamma function of dimension ``p``."""
    return S.mvlgamma(input, p, out=out)


def sinc(input, *, out=None) -> Tensor:
    """The normalised sinc ``sin(pi x) / (pi x)``, 1 at 0."""
    return S.sinc(input, out=out)


def softmax(input, dim: int, *, dtype=None) -> Tensor:
    """Softmax along ``dim``."""
    return _softmax(input, dim, dtype=dtype)


def log_softmax(input, dim: int, *, dtype=None) -> Tensor:
    """Log-softmax along ``dim``."""
    return _log_softmax(input, dim, dtype=dtype)


def entr(input, *, out=None) -> Tensor:
    """Elementwise entropy ``-x log x`` (0 at 0, -inf for negative x)."""
    x = S._floated(input, "entr")
    r = -E.xlogy(x, x)
    return _out(E.where(x < 0, -math.inf, r), out)


def xlog1py(input, other, *, out=None) -> Tensor:
    """``input * log1p(other)``, 0 where ``input`` is 0 (unless ``other`` is NaN)."""
    return S.xlog1py(input, other, out=out)


def ndtr(input, *, out=None) -> Tensor:
    """The standard normal cumulative distribution function."""
    x = S._floated(input, "ndtr")
    return _out(0.5 * E.erfc(x * (-1 / math.sqrt(2))), out)


def zeta(input, other, *, out=None) -> Tensor:
    """The Hurwitz zeta function ``sum_k (other + k) ** -input``."""
    return S.zeta(input, other, out=out)


# -- SciPy-backed --------------------------------------------------------------------
def _scipy():
    try:
        import scipy.special
    except ImportError:
        raise ImportError("this torch.special function needs SciPy: pip install scipy "
                          "(or pip install 'ember[special]')") from None
    return scipy.special


def _from_scipy(name: str, scipy_name: str, doc: str, arg=lambda x: x):
    """A function that evaluates ``scipy.special.<scipy_name>`` on the float tensor."""
    def fn(input, *, out=None):
        x = S._floated(input, name)
        with np.errstate(all="ignore"):
            r = getattr(_scipy(), scipy_name)(arg(x._data))
        return _out(const(np.asarray(r).astype(x._data.dtype, copy=False)), out)

    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = doc
    return fn


def airy_ai(input, *, out=None) -> Tensor:
    """The Airy function Ai."""
    x = S._floated(input, "airy_ai")
    r = _scipy().airy(x._data)[0]
    return _out(const(np.asarray(r).astype(x._data.dtype, copy=False)), out)


bessel_j0 = _from_scipy("bessel_j0", "j0", "The Bessel function of the first kind, order 0.")
bessel_j1 = _from_scipy("bessel_j1", "j1", "The Bessel function of the first kind, order 1.")
bessel_y0 = _from_scipy("bessel_y0", "y0", "The Bessel function of the second kind, order 0.")
bessel_y1 = _from_scipy("bessel_y1", "y1", "The Bessel function of the second kind, order 1.")
modified_bessel_k0 = _from_scipy("modified_bessel_k0", "k0",
                                 "The modified Bessel function of the second kind, order 0.")
modified_bessel_k1 = _from_scipy("modified_bessel_k1", "k1",
                                 "The modified Bessel function of the second kind, order 1.")
scaled_modified_bessel_k0 = _from_scipy("scaled_modified_bessel_k0", "k0e",
                                        "``modified_bessel_k0`` scaled by ``exp(x)``.")
scaled_modified_bessel_k1 = _from_scipy("scaled_modified_bessel_k1", "k1e",
                                        "``modified_bessel_k1`` scaled by ``exp(x)``.")
erfcx = _from_scipy("erfcx", "erfcx", "The scaled complementary error function "
                    "``exp(x**2) erfc(x)``.")
ndtri = _from_scipy("ndtri", "ndtri", "The inverse of ``ndtr``.")
log_ndtr = _from_scipy("log_ndtr", "log_ndtr", "The log of ``ndtr``, accurate in the tails.")


def spherical_bessel_j0(input, *, out=None) -> Tensor:
    """The spherical Bessel function of the first kind, order 0: ``sin(x) / x``."""
    x = S._floated(input, "spherical_bessel_j0")
    a = x._data
    with np.errstate(all="ignore"):
        r = np.where(a == 0, 1.0, np.sin(a) / np.where(a == 0, 1.0, a))
    return _out(const(r.astype(a.dtype, copy=False)), out)


def _binary_scipy(name, doc, compute):
    def fn(input, other, *, out=None):
        if not isinstance(input, Tensor):
            input = const(np.asarray(input))
        if not isinstance(other, Tensor):
            other = const(np.asarray(other))
        dt = D.result_type(input, other)
        if dt.category < 2:
            dt = D.get_default_dtype()
        with np.errstate(all="ignore"):
            r = compute(_scipy(), input._data.astype(np.float64), other._data.astype(np.float64))
        return _out(const(np.asarray(r).astype(dt.np)), out)

    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = doc
    return fn


gammainc = _binary_scipy("gammainc", "The regularised lower incomplete gamma function.",
                         lambda sp, a, x: sp.gammainc(a, x))
gammaincc = _binary_scipy("gammaincc", "The regularised upper incomplete gamma function.",
                          lambda sp, a, x: sp.gammaincc(a, x))


def _poly(name, doc, evaluate):
    return _binary_scipy(name, doc, lambda sp, x, n: np.where(
        n < 0, 0.0, evaluate(sp, np.maximum(n, 0), x)))


chebyshev_polynomial_t = _poly("chebyshev_polynomial_t", "Chebyshev polynomial T_n(x).",
                               lambda sp, n, x: sp.eval_chebyt(n, x))
chebyshev_polynomial_u = _poly("chebyshev_polynomial_u", "Chebyshev polynomial U_n(x).",
                               lambda sp, n, x: sp.eval_chebyu(n, x))
shifted_chebyshev_polynomial_t = _poly(
    "shifted_chebyshev_polynomial_t", "Shifted Chebyshev polynomial T_n(2x - 1).",
    lambda sp, n, x: sp.eval_chebyt(n, 2 * x - 1))
shifted_chebyshev_polynomial_u = _poly(
    "shifted_chebyshev_polynomial_u", "Shifted Chebyshev polynomial U_n(2x - 1).",
    lambda sp, n, x: sp.eval_chebyu(n, 2 * x - 1))
hermite_polynomial_h = _poly("hermite_polynomial_h", "Physicists' Hermite polynomial H_n(x).",
                             lambda sp, n, x: sp.eval_hermite(n.astype(np.int64), x))
hermite_polynomial_he = _poly("hermite_polynomial_he",
                              "Probabilists' Hermite polynomial He_n(x).",
                              lambda sp, n, x: sp.eval_hermitenorm(n.astype(np.int64), x))
laguerre_polynomial_l = _poly("laguerre_polynomial_l", "Laguerre polynomial L_n(x).",
                              lambda sp, n, x: sp.eval_laguerre(n, x))
legendre_polynomial_p = _poly("legendre_polynomial_p", "Legendre polynomial P_n(x).",
                              lambda sp, n, x: sp.eval_legendre(n, x))


def _not_yet(name):
    def fn(input, n, *, out=None):
        raise NotImplementedError(f"ember does not implement torch.special.{name} yet")

    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = f"Not implemented yet: torch.special.{name}."
    return fn


chebyshev_polynomial_v = _not_yet("chebyshev_polynomial_v")
chebyshev_polynomial_w = _not_yet("chebyshev_polynomial_w")
shifted_chebyshev_polynomial_v = _not_yet("shifted_chebyshev_polynomial_v")
shifted_chebyshev_polynomial_w = _not_yet("shifted_chebyshev_polynomial_w")


def __getattr__(name):
    if name.startswith("_"):  # submodule imports look for these first
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from ._left_out import missing_in_module
    raise missing_in_module("torch.special", __name__, name)
