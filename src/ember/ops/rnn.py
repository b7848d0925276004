"""A fused primitive for one direction of one recurrent layer (RNN, LSTM, GRU).

The input projection of every time step is done beforehand in one matrix product;
this primitive runs the recurrence itself, looping over time steps only, and its
backward runs back-propagation through time on arrays in one loop, with the weight
gradients as single matrix products over all steps. Sequences use the packed layout
(time-major rows, ``batch_sizes[t]`` rows at step ``t``, longest first), so a padded
batch of equal lengths is the special case ``batch_sizes = (B,) * T``.

When a graph is being recorded during the backward (``create_graph=True``), the
gradient comes from the same recurrence written with ember operations instead.
"""
from __future__ import annotations

import numpy as np

from .._tensor import Tensor
from ..autograd import grad_mode
from ..autograd.function import Primitive

__all__ = []

_state = grad_mode._state


def _sigmoid(a):
    # through tanh: no overflow for large |a|, and the same code on NumPy and CuPy
    return 0.5 * (Tensor._xp_of(a).tanh(0.5 * a) + 1)


def _const(arr):
    return Tensor._make(arr, False, None, 0, [0])


def _steps(batch_sizes, reverse):
    """(time index, first row, row count) in processing order."""
    starts = np.concatenate(([0], np.cumsum(batch_sizes)[:-1])).tolist()
    steps = list(zip(range(len(batch_sizes)), starts, batch_sizes))
    return steps[::-1] if reverse else steps


class Recurrence(Primitive):
    """Run ``mode`` ('RNN_TANH', 'RNN_RELU', 'LSTM', 'GRU') over packed projected inputs.

    Arguments: ``xw`` (rows, gates * H) = input @ w_ih.T + b_ih; ``w_hh``; ``b_hh`` or
    None; ``h0`` (B, H_out); ``c0`` (B, H) or None; ``w_hr`` (H_out, H) or None (LSTM
    projections); then ``mode``, ``batch_sizes``, ``reverse``. Returns the packed
    outputs (rows, H_out), the last hidden state and, for LSTM, the last cell state.
    """

    node_name = "RecurrenceBackward0"

    @staticmethod
    def forward(ctx, xw, w_hh, b_hh, h0, c0, w_hr, mode, batch_sizes, reverse):
        xp = Tensor._xp_of(xw)
        rows, gh = xw.shape
        h = h0.copy()
        out = xp.empty((rows, h0.shape[1]), dtype=xw.dtype)
        hprev = xp.empty_like(out)
        w_t = w_hh.T
        lstm, gru = mode == "LSTM", mode == "GRU"
        if lstm:
            H = gh // 4
            c = c0.copy()
            acts = xp.empty_like(xw)
            cprev = xp.empty((rows, H), dtype=xw.dtype)
            tcs = xp.empty_like(cprev)
        elif gru:
            H = gh // 3
            acts = xp.empty_like(xw)  # r, z, n
            hhn = xp.empty((rows, H), dtype=xw.dtype)
        for _, s, bs in _steps(batch_sizes, reverse):
            hp = h[:bs]
            hprev[s:s + bs] = hp
            hh = hp @ w_t
            if b_hh is not None:
                hh += b_hh
            if lstm:
                g = xw[s:s + bs] + hh
                a = acts[s:s + bs]
                a[:, :2 * H] = _sigmoid(g[:, :2 * H])
                a[:, 2 * H:3 * H] = xp.tanh(g[:, 2 * H:3 * H])
                a[:, 3 * H:] = _sigmoid(g[:, 3 * H:])
                cp = c[:bs]
                cprev[s:s + bs] = cp
                cn = a[:, H:2 * H] * cp + a[:, :H] * a[:, 2 * H:3 * H]
                tc = xp.tanh(cn)
                tcs[s:s + bs] = tc
                c[:bs] = cn
                hn = a[:, 3 * H:] * tc
                if w_hr is not None:
                    hn = hn @ w_hr.T
            elif gru:
                x = xw[s:s + bs]
                a = acts[s:s + bs]
                a[:, :2 * H] = _sigmoid(x[:, :2 * H] + hh[:, :2 * H])
                hhn[s:s + bs] = hh[:, 2 * H:]
                a[:, 2 * H:] = xp.tanh(x[:, 2 * H:] + a[:, :H] * hh[:, 2 * H:])
                z = a[:, H:2 * H]
                hn = (1 - z) * a[:, 2 * H:] + z * hp
            else:
                pre = xw[s:s + bs] + hh
                hn = xp.tanh(pre) if mode == "RNN_TANH" else xp.maximum(pre, 0)
            h[:bs] = hn
            out[s:s + bs] = hn
        ctx.save_for_backward(xw, w_hh, b_hh, h0, c0, w_hr)
        ctx.mode, ctx.batch_sizes, ctx.reverse = mode, batch_sizes, reverse
        ctx.hprev, ctx.out = hprev, out
        if lstm:
            ctx.acts, ctx.cprev, ctx.tcs = acts, cprev, tcs
            return out, h, c
        if gru:
            ctx.acts, ctx.hhn = acts, hhn
        return out, h

    @staticmethod
    def backward(ctx, gout, ghn, gcn=None):
        saved = ctx.saved_tensors
        if _state.enabled:
            return _recurrence_grad_graph(ctx, saved, (gout, ghn, gcn))
        xw, w_hh, b_hh, h0, c0, w_hr = (None if t is None else t._data for t in saved)
        xp = Tensor._xp_of(xw)
        mode = ctx.mode
        lstm, gru = mode == "LSTM", mode == "GRU"
        rows, gh = xw.shape
        hprev, out = ctx.hprev, ctx.out
        go = gout._data
        dh = ghn._data.copy()
        dxw = xp.empty_like(xw)
        dhh = xp.empty_like(xw) if gru else dxw
        if lstm:
            H = gh // 4
            acts, cprev, tcs = ctx.acts, ctx.cprev, ctx.tcs
            dc = gcn._data.copy()
            dhout = xp.empty_like(out) if w_hr is not None else None
        elif gru:
            H = gh // 3
            acts, hhn = ctx.acts, ctx.hhn
        for _, s, bs in reversed(_steps(ctx.batch_sizes, ctx.reverse)):
            d = dh[:bs] + go[s:s + bs]
            if lstm:
                a = acts[s:s + bs]
                i, f, g, o = a[:, :H], a[:, H:2 * H], a[:, 2 * H:3 * H], a[:, 3 * H:]
                if w_hr is not None:
                    dhout[s:s + bs] = d
                    d = d @ w_hr
                tc = tcs[s:s + bs]
                dcn = dc[:bs] + d * o * (1 - tc * tc)
                dg = dxw[s:s + bs]
                dg[:, :H] = dcn * g * i * (1 - i)
                dg[:, H:2 * H] = dcn * cprev[s:s + bs] * f * (1 - f)
                dg[:, 2 * H:3 * H] = dcn * i * (1 - g * g)
                dg[:, 3 * H:] = d * tc * o * (1 - o)
                dc[:bs] = dcn * f
                dh[:bs] = dg @ w_hh
            elif gru:
                a = acts[s:s + bs]
                r, z, n = a[:, :H], a[:, H:2 * H], a[:, 2 * H:]
                hp = hprev[s:s + bs]
                dn = d * (1 - z) * (1 - n * n)
                dx = dxw[s:s + bs]
                dx[:, :H] = dn * hhn[s:s + bs] * r * (1 - r)
                dx[:, H:2 * H] = d * (hp - n) * z * (1 - z)
                dx[:, 2 * H:] = dn
                dq = dhh[s:s + bs]
                dq[:, :2 * H] = dx[:, :2 * H]
                dq[:, 2 * H:] = dn * r
                dh[:bs] = d * z + dq @ w_hh
            else:
                hn = out[s:s + bs]
                dp = dxw[s:s + bs]
                if mode == "RNN_TANH":
                    xp.multiply(d, 1 - hn * hn, out=dp)
                else:
                    xp.multiply(d, hn > 0, out=dp)
                dh[:bs] = dp @ w_hh
        need = ctx.needs_input_grad
        g_whh = _const(dhh.T @ hprev) if need[1] else None
        g_bhh = _const(dhh.sum(0)) if need[2] else None
        g_c0 = _const(dc) if lstm and need[4] else None
        g_whr = None
        if lstm and w_hr is not None and need[5]:
            # the projection's input was o * tanh(c)
            g_whr = _const(dhout.T @ (acts[:, 3 * H:] * tcs))
        return (_const(dxw), g_whh, g_bhh, _const(dh), g_c0, g_whr, None, None, None)


def recurrence_composite(xw, w_hh, b_hh, h0, c0, w_hr, mode, batch_sizes, reverse):
    """``Recurrence`` written with ember operations (differentiable to any order)."""
    from .. import cat

    h, c = h0, c0
    pieces = [None] * len(batch_sizes)
    for t, s, bs in _steps(batch_sizes, reverse):
        hp = h[:bs]
        hh = hp.matmul(w_hh.t())
        if b_hh is not None:
            hh = hh + b_hh
        x = xw[s:s + bs]
        if mode == "LSTM":
            i, f, g, o = (x + hh).chunk(4, 1)
            cn = f.sigmoid() * c[:bs] + i.sigmoid() * g.tanh()
            hn = o.sigmoid() * cn.tanh()
            if w_hr is not None:
                hn = hn.matmul(w_hr.t())
            c = cn if bs == c.shape[0] else cat([cn, c[bs:]], 0)
        elif mode == "GRU":
            xr, xz, xn = x.chunk(3, 1)
            hr, hz, hn_ = hh.chunk(3, 1)
            r, z = (xr + hr).sigmoid(), (xz + hz).sigmoid()
            n = (xn + r * hn_).tanh()
            hn = (1 - z) * n + z * hp
        else:
            pre = x + hh
            hn = pre.tanh() if mode == "RNN_TANH" else pre.relu()
        h = hn if bs == h.shape[0] else cat([hn, h[bs:]], 0)
        pieces[t] = hn
    out = cat(pieces, 0)
    return (out, h, c) if mode == "LSTM" else (out, h)


def _recurrence_grad_graph(ctx, saved, grads):
    from ..autograd import grad as autograd_grad

    need = ctx.needs_input_grad
    inputs = [t for t, n in zip(saved, need) if n]
    outs = recurrence_composite(*saved, ctx.mode, ctx.batch_sizes, ctx.reverse)
    gs = iter(autograd_grad(list(outs), inputs, list(grads[:len(outs)]), create_graph=True,
                            allow_unused=True))
    return tuple(next(gs) if n else None for n in need[:6]) + (None, None, None)
