"""Recurrent layers, cells and sequence packing against PyTorch (same weights)."""
import math

import numpy as np
import pytest

torch = pytest.importorskip("torch", reason="differential tests need PyTorch as the reference")
from hypothesis import given, settings, strategies as st  # noqa: E402

import ember  # noqa: E402
import ember.nn as nn  # noqa: E402
from ember.nn.utils import rnn as ru  # noqa: E402
from ember.ops.rnn import Recurrence  # noqa: E402
from helpers import assert_close, check_error, check_op, gradcheck_op, to_ember  # noqa: E402

rng = np.random.default_rng(0)
trnn = torch.nn.utils.rnn


def randn(*shape):
    return rng.standard_normal(shape).astype(np.float32)


def _pair(name, *args, **kwargs):
    torch.manual_seed(0)
    tm = getattr(torch.nn, name)(*args, **kwargs)
    em = getattr(nn, name)(*args, **kwargs)
    em.load_state_dict({k: to_ember(v) for k, v in tm.state_dict().items()})
    return em, tm


def _flat(out):
    """Outputs as a list of tensors (a PackedSequence contributes its data)."""
    if hasattr(out, "batch_sizes"):
        return [out.data]
    if isinstance(out, (tuple, list)):
        return [t for o in out for t in _flat(o)]
    return [out]


@settings(max_examples=15, deadline=None)
@given(name=st.sampled_from(["RNN", "LSTM", "GRU"]), layers=st.integers(1, 2),
       bidirectional=st.booleans(), batch_first=st.booleans(), bias=st.booleans(),
       with_hx=st.booleans())
def test_recurrent_layer_matches_torch(name, layers, bidirectional, batch_first, bias, with_hx):
    em, tm = _pair(name, 3, 4, num_layers=layers, bidirectional=bidirectional,
                   batch_first=batch_first, bias=bias)
    x = randn(2, 5, 3) if batch_first else randn(5, 2, 3)
    d = layers * (2 if bidirectional else 1)
    hx = [randn(d, 2, 4)] + ([randn(d, 2, 4)] if name == "LSTM" else []) if with_hx else []

    def run(mod, pack):
        def fn(x, *h):
            if not h:
                return _flat(mod(x))
            return _flat(mod(x, pack(h)))
        return fn
    check_op(run(em, lambda h: tuple(h) if len(h) == 2 else h[0]),
             run(tm, lambda h: tuple(h) if len(h) == 2 else h[0]), x, *hx, atol=1e-5)


def test_lstm_projections_match_torch():
    em, tm = _pair("LSTM", 3, 5, num_layers=2, bidirectional=True, proj_size=2)
    check_op(lambda x, h, c: _flat(em(x, (h, c))), lambda x, h, c: _flat(tm(x, (h, c))),
             randn(4, 2, 3), randn(4, 2, 2), randn(4, 2, 5))


def test_rnn_relu_matches_torch():
    em, tm = _pair("RNN", 3, 4, nonlinearity="relu")
    check_op(lambda x: _flat(em(x)), lambda x: _flat(tm(x)), randn(5, 2, 3))


@pytest.mark.parametrize("name", ["RNN", "LSTM", "GRU"])
def test_unbatched_input(name):
    em, tm = _pair(name, 3, 4)
    check_op(lambda x: _flat(em(x)), lambda x: _flat(tm(x)), randn(5, 3))


@pytest.mark.parametrize("name", ["LSTM", "GRU"])
@pytest.mark.parametrize("batch_first", [False, True])
def test_packed_sequence_input(name, batch_first):
    em, tm = _pair(name, 3, 4, num_layers=2, bidirectional=True, batch_first=batch_first)
    lengths = [2, 5, 1]
    x = randn(3, 5, 3) if batch_first else randn(5, 3, 3)

    def run(mod, utils, lib):
        def fn(x):
            packed = utils.pack_padded_sequence(x, lib.tensor(lengths), batch_first=batch_first,
                                                enforce_sorted=False)
            out, h = mod(packed)
            padded, lens = utils.pad_packed_sequence(out, batch_first=batch_first)
            return [padded] + _flat(h) + [lens]
        return fn
    check_op(run(em, ru, ember), run(tm, trnn, torch), x)


@pytest.mark.parametrize("name,hx", [("RNNCell", 1), ("LSTMCell", 2), ("GRUCell", 1)])
@pytest.mark.parametrize("batched", [True, False])
def test_cells_match_torch(name, hx, batched):
    em, tm = _pair(name, 3, 4)
    lead = (2,) if batched else ()
    hs = [randn(*lead, 4) for _ in range(hx)]

    def run(mod):
        return lambda x, *h: _flat(mod(x, tuple(h) if len(h) == 2 else h[0]))
    check_op(run(em), run(tm), randn(*lead, 3), *hs)


@pytest.mark.parametrize("name,args,kwargs", [
    ("LSTM", (3, 4), {"num_layers": 2, "bidirectional": True, "proj_size": 2}),
    ("GRU", (3, 4), {"bias": False}), ("RNN", (3, 4), {"num_layers": 3}),
    ("LSTMCell", (3, 4), {}), ("GRUCell", (3, 4), {"bias": False}), ("RNNCell", (3, 4), {})])
def test_state_dict_keys_shapes_and_repr(name, args, kwargs):
    em, tm = getattr(nn, name)(*args, **kwargs), getattr(torch.nn, name)(*args, **kwargs)
    assert [(k, tuple(v.shape)) for k, v in em.state_dict().items()] == \
        [(k, tuple(v.shape)) for k, v in tm.state_dict().items()]
    assert repr(em) == repr(tm)


def test_default_init_is_uniform_in_inverse_sqrt_hidden():
    ember.manual_seed(0)
    m = nn.LSTM(10, 64)
    bound = 1 / math.sqrt(64)
    w = np.concatenate([p.detach().numpy().ravel() for p in m.parameters()])
    assert np.abs(w).max() <= bound and np.abs(w).max() > 0.95 * bound
    assert abs(w.std() - bound / math.sqrt(3)) < 0.05 * bound


def test_input_size_error():
    em, tm = nn.LSTM(3, 4), torch.nn.LSTM(3, 4)
    check_error(lambda x: em(x), lambda x: tm(x), randn(5, 2, 2))


def test_input_dims_error():
    em, tm = nn.LSTM(3, 4), torch.nn.LSTM(3, 4)
    check_error(lambda x: em(x), lambda x: tm(x), randn(5, 2, 3, 3))


def test_hidden_size_error():
    em, tm = nn.GRU(3, 4), torch.nn.GRU(3, 4)
    check_error(lambda x, h: em(x, h), lambda x, h: tm(x, h), randn(5, 2, 3), randn(1, 3, 4))


def test_lstm_hidden_size_error():
    em, tm = nn.LSTM(3, 4), torch.nn.LSTM(3, 4)
    check_error(lambda x, h, c: em(x, (h, c)), lambda x, h, c: tm(x, (h, c)),
                randn(5, 2, 3), randn(1, 3, 4), randn(1, 2, 4))


@pytest.mark.parametrize("mode,gates", [("LSTM", 4), ("GRU", 3), ("RNN_TANH", 1)])
def test_recurrence_gradients_second_order(mode, gates):
    r = np.random.default_rng(5)
    H, B = 2, 2
    lstm = mode == "LSTM"

    def fn(x, w_ih, b_ih, w_hh, b_hh, h0, *c0):
        return Recurrence.apply(x, w_ih, b_ih, w_hh, b_hh, h0, c0[0] if lstm else None, None,
                                mode, (2, 2, 1), False)
    args = [r.standard_normal((5, 3)), r.standard_normal((gates * H, 3)),
            r.standard_normal(gates * H), r.standard_normal((gates * H, H)),
            r.standard_normal(gates * H), r.standard_normal((B, H))]
    gradcheck_op(fn, *args, *([r.standard_normal((B, H))] if lstm else []))


# -- nn.utils.rnn ----------------------------------------------------------------------
@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("side", ["right", "left"])
def test_pad_sequence(batch_first, side):
    seqs = [randn(3, 2), randn(5, 2), randn(1, 2)]
    check_op(lambda a, b, c: ru.pad_sequence([a, b, c], batch_first, -1.0, side),
             lambda a, b, c: trnn.pad_sequence([a, b, c], batch_first, -1.0, side), *seqs)


def test_pack_sequence_fields():
    seqs = [randn(3, 2), randn(5, 2), randn(1, 2)]
    e = ru.pack_sequence([to_ember(s) for s in seqs], enforce_sorted=False)
    t = trnn.pack_sequence([torch.from_numpy(s) for s in seqs], enforce_sorted=False)
    for a, b in zip(e, t):
        assert_close(a, b)


def test_pad_packed_sequence_total_length():
    x = randn(4, 2, 3)
    e = ru.pad_packed_sequence(ru.pack_padded_sequence(to_ember(x), [4, 2]), total_length=6,
                               padding_value=7.0)
    t = trnn.pad_packed_sequence(trnn.pack_padded_sequence(torch.from_numpy(x), [4, 2]),
                                 total_length=6, padding_value=7.0)
    for a, b in zip(e, t):
        assert_close(a, b)


def test_pack_padded_sequence_unsorted_error():
    check_error(lambda x: ru.pack_padded_sequence(x, [2, 4]),
                lambda x: trnn.pack_padded_sequence(x, [2, 4]), randn(4, 2, 3))


def test_unpack_sequence_roundtrip():
    seqs = [to_ember(randn(n, 2)) for n in (3, 5, 1)]
    back = ru.unpack_sequence(ru.pack_sequence(seqs, enforce_sorted=False))
    assert all(np.array_equal(a.numpy(), b.numpy()) for a, b in zip(seqs, back))
