"""A fused primitive for one direction of one recurrent layer (RNN, LSTM, GRU).

The primitive takes the layer input itself: the input projection of every time step
is one matrix product (biases folded in through a column of ones), then a loop over
time steps runs the recurrence with one ``(batch, H) @ (H, gates * H)`` product per
step and the gate arithmetic on preallocated arrays (``out=`` everywhere). The
backward runs back-propagation through time on arrays in one loop, one product per
step as well; the weight gradients and the input gradient are single matrix products
over all steps afterwards.

Sequences use the packed layout (time-major rows, ``batch_sizes[t]`` rows at step
``t``, longest first), so a padded batch of equal lengths is the special case
``batch_sizes = (B,) * T``. The state entering a step is a view of the previous
step's output rows; only a reversed packed sequence, whose batch grows, splices in
rows of the initial state.

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


def _carry(xp, prev, init, bs):
    """The state entering a step of ``bs`` rows: the previous step's rows (a view), with
    rows of ``init`` appended for sequences that start here (reversed packed input)."""
    n = prev.shape[0]
    return prev[:bs] if n >= bs else xp.concatenate((prev, init[n:bs]))


def _settle(final, state, bs, next_bs):
    """Record the rows of sequences whose last step this is (the batch shrinks next)."""
    if next_bs < bs:
        final[next_bs:bs] = state[next_bs:bs]


def _stack_rows(xp, per_step, reverse):
    """Per-step arrays (in processing order) stacked in the packed row order."""
    return xp.concatenate(per_step[::-1] if reverse else per_step)


def _lstm_gate_constants(xp, H, dtype):
    # i, f and o are sigmoids, computed as 0.5 * tanh(z / 2) + 0.5 so that one tanh call
    # covers all four gates: ``scale`` halves their pre-activations (folded into the
    # weights), then ``a = tanh * scale + shift`` gives (i, f, g, o).
    half = xp.full(4 * H, 0.5, dtype=dtype)
    half[2 * H:3 * H] = 1
    shift = xp.full(4 * H, 0.5, dtype=dtype)
    shift[2 * H:3 * H] = 0
    return half, shift


class Recurrence(Primitive):
    """Run ``mode`` ('RNN_TANH', 'RNN_RELU', 'LSTM', 'GRU') over a packed input.

    Arguments: ``x`` (rows, I); ``w_ih``; ``b_ih`` or None; ``w_hh``; ``b_hh`` or None;
    ``h0`` (B, H_out); ``c0`` (B, H) or None; ``w_hr`` (H_out, H) or None (LSTM
    projections); then ``mode``, ``batch_sizes``, ``reverse``. Returns the packed
    outputs (rows, H_out), the last hidden state and, for LSTM, the last cell state.
    """

    node_name = "RecurrenceBackward0"

    @staticmethod
    def forward(ctx, x, w_ih, b_ih, w_hh, b_hh, h0, c0, w_hr, mode, batch_sizes, reverse):
        xp = Tensor._xp_of(x)
        rows, n_in = x.shape
        dtype = x.dtype
        lstm, gru = mode == "LSTM", mode == "GRU"
        gh = w_ih.shape[0]
        H = gh // 4 if lstm else (gh // 3 if gru else gh)
        # x with a column of ones: the projection's bias rides in the same product, and
        # the backward gets the bias gradient from the weight gradient's product
        xa = xp.empty((rows, n_in + 1), dtype=dtype)
        xa[:, :n_in] = x
        xa[:, n_in] = 1
        wa = xp.zeros((n_in + 1, gh), dtype=dtype)
        wa[:n_in] = w_ih.T
        # GRU keeps b_hh apart (its n gate scales h @ w_hn.T + b_hn by r); the others add
        # both biases to the pre-activation, so they fold into one
        for b in (b_ih,) if gru else (b_ih, b_hh):
            if b is not None:
                wa[n_in] += b
        w_t = w_hh.T
        if lstm:
            half, shift = _lstm_gate_constants(xp, H, dtype)
            wa *= half
            w_t = w_t * half
        else:
            w_t = xp.ascontiguousarray(w_t)
        acts = xa @ wa  # (rows, gates * H): projected input, then the gates in place
        out = xp.empty((rows, h0.shape[1]), dtype=dtype)
        h_n = xp.empty_like(h0)
        scr = xp.empty((h0.shape[0], gh), dtype=dtype)
        steps = _steps(batch_sizes, reverse)
        nexts = [st[2] for st in steps[1:]] + [0]
        hps = []  # the state entering each step (views), for the backward
        hp = h0
        if lstm:
            cs = xp.empty((rows, H), dtype=dtype)  # cell state after each step
            tcs = xp.empty_like(cs)  # its tanh
            ms = xp.empty_like(cs) if w_hr is not None else out  # o * tanh(c)
            tmp = xp.empty((h0.shape[0], H), dtype=dtype)
            c_n = xp.empty_like(c0)
            cps = []
            cp = c0
        elif gru:
            hhn = xp.empty((rows, H), dtype=dtype)
        for (_, s, bs), nb in zip(steps, nexts):
            hp = _carry(xp, hp, h0, bs)
            hps.append(hp)
            a = acts[s:s + bs]
            hh = xp.matmul(hp, w_t, out=scr[:bs])
            if lstm:
                cp = _carry(xp, cp, c0, bs)
                cps.append(cp)
                a += hh
                xp.tanh(a, out=a)
                a *= half
                a += shift
                c = cs[s:s + bs]
                xp.multiply(a[:, H:2 * H], cp, out=c)
                xp.multiply(a[:, :H], a[:, 2 * H:3 * H], out=tmp[:bs])
                c += tmp[:bs]
                tc = xp.tanh(c, out=tcs[s:s + bs])
                xp.multiply(a[:, 3 * H:], tc, out=ms[s:s + bs])
                if w_hr is not None:
                    xp.matmul(ms[s:s + bs], w_hr.T, out=out[s:s + bs])
                _settle(c_n, c, bs, nb)
                cp = c
            elif gru:
                if b_hh is not None:
                    hh += b_hh
                a[:, :2 * H] = _sigmoid(a[:, :2 * H] + hh[:, :2 * H])
                hhn[s:s + bs] = hh[:, 2 * H:]
                a[:, 2 * H:] = xp.tanh(a[:, 2 * H:] + a[:, :H] * hh[:, 2 * H:])
                z = a[:, H:2 * H]
                out[s:s + bs] = (1 - z) * a[:, 2 * H:] + z * hp
            else:
                a += hh
                if mode == "RNN_TANH":
                    xp.tanh(a, out=out[s:s + bs])
                else:
                    xp.maximum(a, 0, out=out[s:s + bs])
            hp = out[s:s + bs]
            _settle(h_n, hp, bs, nb)
        ctx.save_for_backward(x, w_ih, b_ih, w_hh, b_hh, h0, c0, w_hr)
        ctx.mode, ctx.batch_sizes, ctx.reverse = mode, batch_sizes, reverse
        ctx.xa, ctx.acts, ctx.hps, ctx.out = xa, acts, hps, out
        if lstm:
            ctx.cps, ctx.tcs, ctx.ms = cps, tcs, ms
            return out, h_n, c_n
        if gru:
            ctx.hhn = hhn
        return out, h_n

    @staticmethod
    def backward(ctx, gout, ghn, gcn=None):
        saved = ctx.saved_tensors
        if _state.enabled:
            return _recurrence_grad_graph(ctx, saved, (gout, ghn, gcn))
        x, w_ih, b_ih, w_hh, b_hh, h0, c0, w_hr = (None if t is None else t._data
                                                    for t in saved)
        xp = Tensor._xp_of(x)
        mode = ctx.mode
        lstm, gru = mode == "LSTM", mode == "GRU"
        acts, out, hps = ctx.acts, ctx.out, ctx.hps
        go = gout._data
        dh = ghn._data.copy()
        steps = list(reversed(_steps(ctx.batch_sizes, ctx.reverse)))
        if lstm:
            dc = gcn._data.copy()
            dpre, dout = _lstm_bptt(xp, ctx, go, dh, dc, w_hh, w_hr, steps)
            dhh = dpre
        elif gru:
            dpre = xp.empty_like(acts)
            dhh = xp.empty_like(acts)
            hhn = ctx.hhn
            H = acts.shape[1] // 3
            for (_, s, bs), hp in zip(steps, reversed(hps)):
                d = dh[:bs] + go[s:s + bs]
                a = acts[s:s + bs]
                r, z, n = a[:, :H], a[:, H:2 * H], a[:, 2 * H:]
                dn = d * (1 - z) * (1 - n * n)
                dx = dpre[s:s + bs]
                dx[:, :H] = dn * hhn[s:s + bs] * r * (1 - r)
                dx[:, H:2 * H] = d * (hp - n) * z * (1 - z)
                dx[:, 2 * H:] = dn
                dq = dhh[s:s + bs]
                dq[:, :2 * H] = dx[:, :2 * H]
                dq[:, 2 * H:] = dn * r
                dh[:bs] = d * z + dq @ w_hh
        else:
            dpre = dhh = xp.empty_like(acts)
            for _, s, bs in steps:
                d = dh[:bs]
                d += go[s:s + bs]
                hn = out[s:s + bs]
                if mode == "RNN_TANH":
                    xp.multiply(hn, hn, out=dpre[s:s + bs])
                    xp.subtract(1, dpre[s:s + bs], out=dpre[s:s + bs])
                    dpre[s:s + bs] *= d
                else:
                    xp.multiply(d, hn > 0, out=dpre[s:s + bs])
                xp.matmul(dpre[s:s + bs], w_hh, out=dh[:bs])
        need = ctx.needs_input_grad
        n_in = x.shape[1]
        g_x = _const(dpre @ w_ih) if need[0] else None
        g_wa = dpre.T @ ctx.xa if need[1] or need[2] or (need[4] and not gru) else None
        g_wih = _const(g_wa[:, :n_in]) if need[1] else None
        g_bih = _const(g_wa[:, n_in]) if need[2] else None
        g_whh = None
        if need[3]:
            g_whh = _const(dhh.T @ _stack_rows(xp, hps, ctx.reverse))
        g_bhh = None
        if need[4]:
            # outside GRU both biases enter the same sum, so they share a gradient
            g_bhh = _const(dhh.sum(0) if gru else g_wa[:, n_in].copy())
        g_c0 = _const(dc) if lstm and need[6] else None
        g_whr = None
        if lstm and w_hr is not None and need[7]:
            g_whr = _const(dout.T @ ctx.ms)
        return (g_x, g_wih, g_bih, g_whh, g_bhh, _const(dh), g_c0, g_whr, None, None, None)


def _lstm_bptt(xp, ctx, go, dh, dc, w_hh, w_hr, steps):
    """Back-propagation through time for LSTM; returns the gradient with respect to the
    gate pre-activations (rows, 4H) and, with projections, the hidden outputs' one.
    ``dh`` and ``dc`` are updated in place and end as the initial states' gradients.

    The per-step work is kept to a few whole-row operations: every factor that does not
    depend on the incoming gradient is computed beforehand over all steps at once.
    """
    acts, tcs = ctx.acts, ctx.tcs
    rows, gh = acts.shape
    H = gh // 4
    i, f, g, o = (acts[:, k * H:(k + 1) * H] for k in range(4))
    # k = d(gate)/d(pre-activation): a * (1 - a) for the sigmoids, (1 - a) * (1 + a) for
    # g, the tanh; times what the gate multiplies in c = f * c_prev + i * g and h = o * tanh(c).
    # Built in a fresh array that the loop then overwrites with the gradient itself.
    k = xp.subtract(1, acts)
    k *= acts
    kg = k[:, 2 * H:3 * H]  # (1 - g) * g + 1 - g = (1 - g) * (1 + g), no full-size temporary
    kg += 1
    kg -= g
    k[:, :H] *= g
    k[:, H:2 * H] *= _stack_rows(xp, ctx.cps, ctx.reverse)
    k[:, 2 * H:3 * H] *= i
    k[:, 3 * H:] *= tcs
    # dc_t gets d(h_t) * o * (1 - tanh(c_t)^2) from the output path
    dtanh = xp.multiply(tcs, tcs)
    xp.subtract(1, dtanh, out=dtanh)
    dtanh *= o
    k3 = k.reshape(rows, 4, H)
    # e holds, per batch row, the factors of k's four gate blocks: dc for i, f and g, and
    # dh for o; then a step's gradient is a single contiguous product (a broadcast dc
    # into a strided slice costs several times more per call)
    e = xp.empty((dc.shape[0], 4, H), dtype=k.dtype)
    e[:, 0] = dc
    tmp = xp.empty_like(dc)
    dout = xp.empty_like(ctx.out) if w_hr is not None else None
    for _, s, bs in steps:
        eb = e[:bs]
        dcs, d = eb[:, 0], eb[:, 3]
        if w_hr is None:
            xp.add(dh[:bs], go[s:s + bs], out=d)
        else:
            xp.add(dh[:bs], go[s:s + bs], out=dout[s:s + bs])
            xp.matmul(dout[s:s + bs], w_hr, out=d)
        xp.multiply(d, dtanh[s:s + bs], out=tmp[:bs])
        dcs += tmp[:bs]
        eb[:, 1] = dcs
        eb[:, 2] = dcs
        kt = k3[s:s + bs]
        kt *= eb
        dcs *= f[s:s + bs]
        xp.matmul(k[s:s + bs], w_hh, out=dh[:bs])
    dc[...] = e[:, 0]
    return k, dout


def recurrence_composite(x, w_ih, b_ih, w_hh, b_hh, h0, c0, w_hr, mode, batch_sizes, reverse):
    """``Recurrence`` written with ember operations (differentiable to any order)."""
    from .. import cat

    xw = x.matmul(w_ih.t())
    if b_ih is not None:
        xw = xw + b_ih
    h, c = h0, c0
    pieces = [None] * len(batch_sizes)
    for t, s, bs in _steps(batch_sizes, reverse):
        hp = h[:bs]
        hh = hp.matmul(w_hh.t())
        if b_hh is not None:
            hh = hh + b_hh
        xt = xw[s:s + bs]
        if mode == "LSTM":
            i, f, g, o = (xt + hh).chunk(4, 1)
            cn = f.sigmoid() * c[:bs] + i.sigmoid() * g.tanh()
            hn = o.sigmoid() * cn.tanh()
            if w_hr is not None:
                hn = hn.matmul(w_hr.t())
            c = cn if bs == c.shape[0] else cat([cn, c[bs:]], 0)
        elif mode == "GRU":
            xr, xz, xn = xt.chunk(3, 1)
            hr, hz, hn_ = hh.chunk(3, 1)
            r, z = (xr + hr).sigmoid(), (xz + hz).sigmoid()
            n = (xn + r * hn_).tanh()
            hn = (1 - z) * n + z * hp
        else:
            pre = xt + hh
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
    return tuple(next(gs) if n else None for n in need[:8]) + (None, None, None)
