"""Gamma-family and modified-Bessel numerics in float64 on NumPy arrays.

NumPy has none of these and SciPy is optional, so they are ours:

* lgamma and digamma: shift the argument up by the recurrences
  ``Gamma(x + 1) = x Gamma(x)`` and ``psi(x + 1) = psi(x) + 1/x`` until it is at least 10,
  then sum their Stirling asymptotic series; reflection formulas below 0.5.
* the Hurwitz zeta function ``zeta(s, q)`` (``polygamma(n, x)`` is
  ``(-1)**(n+1) n! zeta(n + 1, x)``): the first terms summed directly, the tail by the
  Euler-Maclaurin formula with twelve Bernoulli terms.
* the modified Bessel functions ``I0`` and ``I1`` (optionally scaled by ``exp(-|x|)``):
  their power series (all terms positive, so no cancellation) up to ``|x| = 30``, the
  Hankel asymptotic expansion beyond.
"""
from __future__ import annotations

import math

import numpy as np

from .._device import as_array

__all__ = ["lgamma", "digamma", "zeta", "polygamma", "bessel_i"]

_HALF_LOG_2PI = 0.5 * math.log(2 * math.pi)
_SHIFT = 10.0

# Bernoulli numbers B_2, B_4, ..., B_24
_BERNOULLI = (1 / 6, -1 / 30, 1 / 42, -1 / 30, 5 / 66, -691 / 2730, 7 / 6, -3617 / 510,
              43867 / 798, -174611 / 330, 854513 / 138, -236364091 / 2730)


def _f64(a):
    return as_array(a, np.float64)


def _abs_sinpi(x):
    """|sin(pi x)| with the argument reduced to [-1/2, 1/2] first (exactly 0 at integers)."""
    return np.abs(np.sin(np.pi * (x - np.round(x))))


def _shift_up(x, step, start=0.0):
    """``x`` moved to at least ``_SHIFT`` by unit steps, and ``step`` folded over the
    skipped points from ``start``: returns (shifted x, accumulated value)."""
    z = x.copy()
    acc = np.full_like(x, start)
    low = (z < _SHIFT) & np.isfinite(z)
    while low.any():
        acc = np.where(low, step(acc, z), acc)
        z = np.where(low, z + 1.0, z)
        low = z < _SHIFT
    return z, acc


def _lgamma_pos(x):
    """log Gamma(x) for x >= 0.5."""
    # the product of the skipped points stays below 10! here, so one log at the end
    z, prod = _shift_up(x, lambda acc, z: acc * z, 1.0)
    r = 1.0 / z
    r2 = r * r
    series = r * (1 / 12 + r2 * (-1 / 360 + r2 * (1 / 1260 + r2 * (
        -1 / 1680 + r2 * (1 / 1188 + r2 * (-691 / 360360 + r2 / 156))))))
    with np.errstate(invalid="ignore"):
        stirling = (z - 0.5) * np.log(z) - z + _HALF_LOG_2PI + np.where(np.isinf(z), 0.0, series)
    return stirling - np.log(prod)


def lgamma(a):
    """log |Gamma(x)| of a float64 array (+inf at the poles and at +-inf)."""
    x = _f64(a)
    refl = x < 0.5
    with np.errstate(divide="ignore", invalid="ignore"):
        pos = _lgamma_pos(np.where(refl, 1.0 - x, x))
        reflected = np.log(np.pi / _abs_sinpi(x)) - pos
    out = np.where(refl, reflected, pos)
    # near 0, where sin(pi x) would underflow: log Gamma(x) = -log|x| - euler_gamma x + O(x^2)
    with np.errstate(divide="ignore"):
        out = np.where(np.abs(x) < 1e-8, -np.log(np.abs(x)) - 0.5772156649015329 * x, out)
    out = np.where((x == 1.0) | (x == 2.0), 0.0, out)  # exact zeros, as in torch
    return np.where(np.isinf(x), np.inf, out)


def _digamma_pos(x):
    """psi(x) for x >= 0.5."""
    z, acc = _shift_up(x, lambda acc, z: acc + 1.0 / z)
    r = 1.0 / z
    r2 = r * r
    series = r2 * (1 / 12 - r2 * (1 / 120 - r2 * (1 / 252 - r2 * (
        1 / 240 - r2 * (1 / 132 - r2 * (691 / 32760))))))
    with np.errstate(invalid="ignore"):
        return np.log(z) - 0.5 * r - series - acc


def digamma(a):
    """The digamma function psi = d/dx log Gamma of a float64 array (-inf at 0, NaN at the
    negative integers)."""
    x = _f64(a)
    refl = x < 0.5
    with np.errstate(divide="ignore", invalid="ignore"):
        pos = _digamma_pos(np.where(refl, 1.0 - x, x))
        # psi(x) = psi(1 - x) - pi cot(pi x)
        r = x - np.round(x)
        reflected = pos - np.pi / np.tan(np.pi * r)
        out = np.where(refl, reflected, pos)
    out = np.where((x <= 0) & (x == np.floor(x)), np.nan, out)
    out = np.where(x == 0, -np.inf, out)
    return np.where(x == -np.inf, np.nan, out)


def zeta(s, q):
    """The Hurwitz zeta function ``sum_k (q + k)**-s`` of float64 arrays (broadcast)."""
    s, q = np.broadcast_arrays(_f64(s), _f64(q))
    with np.errstate(all="ignore"):
        z, total = _shift_up(q, lambda acc, z: acc + z ** -s)
        # Euler-Maclaurin tail from z: z^(1-s)/(s-1) + z^-s/2 + sum_j B_2j/(2j)! (s)_(2j-1) z^(-s-2j+1)
        term = z ** -s
        tail = z * term / (s - 1.0) + 0.5 * term
        rising = s.copy()  # (s)_(2j-1)
        zpow = term / z
        fact = 2.0
        for j, b in enumerate(_BERNOULLI, start=1):
            tail = tail + b / fact * rising * zpow
            rising = rising * (s + 2 * j - 1) * (s + 2 * j)
            zpow = zpow / (z * z)
            fact *= (2 * j + 1) * (2 * j + 2)
        out = total + tail
    out = np.where(q == np.inf, 0.0, out)
    pole = (q <= 0) & (q == np.floor(q)) & (q > -np.inf)
    out = np.where(pole, np.inf, out)
    out = np.where(((q <= 0) & (s != np.floor(s)) & ~pole) | (s < 1), np.nan, out)
    return np.where(s == 1, np.inf, out)


def polygamma(n: int, a):
    """The n-th derivative of digamma of a float64 array."""
    if n == 0:
        return digamma(a)
    return (-1) ** (n + 1) * math.factorial(n) * zeta(float(n + 1), a)


def bessel_i(order: int, a, scaled: bool = False):
    """The modified Bessel function I_0 or I_1 of a float64 array, times ``exp(-|x|)``
    when ``scaled``."""
    x = _f64(a)
    ax = np.abs(x)
    small = ax <= 30.0
    xs = np.where(small, ax, 0.0)
    # power series: sum_k (x/2)^(2k+order) / (k! (k+order)!)
    h2 = 0.25 * xs * xs
    term = np.ones_like(xs) if order == 0 else 0.5 * xs
    total = term.copy()
    for k in range(1, 80):
        term = term * h2 / (k * (k + order))
        total = total + term
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        series = total * np.exp(-xs) if scaled else total
        # Hankel: I_v(x) ~ e^x / sqrt(2 pi x) sum_k (-1)^k a_k(v) / x^k
        xl = np.where(small, 31.0, ax)
        mu = 4.0 * order * order
        t = np.ones_like(xl)
        acc = t.copy()
        for k in range(1, 30):
            t = -t * (mu - (2 * k - 1) ** 2) / (k * 8.0 * xl)
            acc = acc + t
        big = acc / np.sqrt(2 * np.pi * xl)
        if not scaled:
            big = big * np.exp(xl)
        out = np.where(small, series, big)
        out = np.where(ax == np.inf, 0.0 if scaled else np.inf, out)
    if order == 1:
        out = np.copysign(out, x)
    return np.where(np.isnan(x), np.nan, out)
