"""Attention and Transformer layers against PyTorch (same weights)."""
import numpy as np
import pytest

torch = pytest.importorskip("torch", reason="differential tests need PyTorch as the reference")
import torch.nn.functional as TF  # noqa: E402

import ember.nn as nn  # noqa: E402
import ember.nn.functional as F  # noqa: E402
from helpers import check_error, check_op, gradcheck_op, to_ember  # noqa: E402

rng = np.random.default_rng(0)


def randn(*shape):
    return rng.standard_normal(shape).astype(np.float32)


def _load(em, tm):
    em.load_state_dict({k: to_ember(v) for k, v in tm.state_dict().items()})
    em.eval(), tm.eval()
    return em, tm


def _pair(name, *args, **kwargs):
    torch.manual_seed(0)
    return _load(getattr(nn, name)(*args, **kwargs), getattr(torch.nn, name)(*args, **kwargs))


# -- scaled_dot_product_attention ---------------------------------------------------------
@pytest.mark.parametrize("kwargs", [{}, {"is_causal": True}, {"scale": 0.3}])
def test_sdpa(kwargs):
    check_op(lambda q, k, v: F.scaled_dot_product_attention(q, k, v, **kwargs),
             lambda q, k, v: TF.scaled_dot_product_attention(q, k, v, **kwargs),
             randn(2, 3, 4, 5), randn(2, 3, 6, 5), randn(2, 3, 6, 5))


@pytest.mark.parametrize("dtype", [np.bool_, np.float32])
def test_sdpa_masks(dtype):
    mask = (rng.random((4, 6)) > 0.3) if dtype is np.bool_ else randn(4, 6)
    mask[:, 0] = True if dtype is np.bool_ else mask[:, 0]
    check_op(lambda q, k, v, m: F.scaled_dot_product_attention(q, k, v, m),
             lambda q, k, v, m: TF.scaled_dot_product_attention(q, k, v, m),
             randn(2, 4, 5), randn(2, 6, 5), randn(2, 6, 5), mask.astype(dtype))


def test_sdpa_gqa():
    check_op(lambda q, k, v: F.scaled_dot_product_attention(q, k, v, enable_gqa=True),
             lambda q, k, v: TF.scaled_dot_product_attention(q, k, v, enable_gqa=True),
             randn(1, 4, 3, 2), randn(1, 2, 5, 2), randn(1, 2, 5, 2))


def test_sdpa_gradients_second_order():
    r = np.random.default_rng(6)
    gradcheck_op(F.scaled_dot_product_attention, r.standard_normal((1, 2, 3)),
                 r.standard_normal((1, 4, 3)), r.standard_normal((1, 4, 2)))


# -- MultiheadAttention -------------------------------------------------------------------
def test_mha_self_attention_weights():
    em, tm = _pair("MultiheadAttention", 8, 2)
    check_op(lambda x: em(x, x, x), lambda x: tm(x, x, x), randn(5, 3, 8))


def test_mha_cross_attention_with_masks():
    kw = dict(batch_first=True, add_bias_kv=True, kdim=4, vdim=6)
    em, tm = _pair("MultiheadAttention", 8, 2, **kw)
    kpm = np.array([[0, 0, 0, 0, 1, 1], [0, 0, 0, 0, 0, 0], [0, 1, 0, 0, 0, 1]], bool)

    def run(mod):
        return lambda q, k, v, kpm, am: mod(q, k, v, key_padding_mask=kpm, attn_mask=am,
                                             average_attn_weights=False)
    check_op(run(em), run(tm), randn(3, 5, 8), randn(3, 6, 4), randn(3, 6, 6), kpm,
             randn(5, 6))


def test_mha_zero_attn_and_bool_causal_mask():
    em, tm = _pair("MultiheadAttention", 8, 4, add_zero_attn=True)
    mask = np.triu(np.ones((5, 5), bool), 1)
    check_op(lambda x, m: em(x, x, x, attn_mask=m, need_weights=False)[0],
             lambda x, m: tm(x, x, x, attn_mask=m, need_weights=False)[0], randn(5, 3, 8), mask)


def test_mha_unbatched():
    em, tm = _pair("MultiheadAttention", 6, 3, bias=False)
    check_op(lambda q, k: em(q, k, k), lambda q, k: tm(q, k, k), randn(4, 6), randn(5, 6))


@pytest.mark.parametrize("kwargs", [{}, {"kdim": 3, "vdim": 5, "add_bias_kv": True},
                                    {"bias": False}])
def test_mha_state_dict_and_repr(kwargs):
    em, tm = nn.MultiheadAttention(4, 2, **kwargs), torch.nn.MultiheadAttention(4, 2, **kwargs)
    assert [(k, tuple(v.shape)) for k, v in em.state_dict().items()] == \
        [(k, tuple(v.shape)) for k, v in tm.state_dict().items()]
    assert repr(em) == repr(tm)


def test_mha_default_init_statistics():
    m = nn.MultiheadAttention(64, 4)
    w = m.in_proj_weight.detach().numpy()
    bound = np.sqrt(6 / (64 + 192))  # xavier_uniform over (3E, E)
    assert np.abs(w).max() <= bound and np.abs(w).max() > 0.95 * bound
    assert not m.in_proj_bias.detach().numpy().any()
    assert not m.out_proj.bias.detach().numpy().any()


def test_mha_bad_head_count_error():
    with pytest.raises(AssertionError, match="embed_dim must be divisible by num_heads"):
        nn.MultiheadAttention(6, 4)


def test_mha_mask_shape_error():
    em, tm = _pair("MultiheadAttention", 4, 2)
    check_error(lambda x, m: em(x, x, x, attn_mask=m), lambda x, m: tm(x, x, x, attn_mask=m),
                randn(3, 2, 4), np.zeros((2, 3), bool))


# -- Transformer layers -----------------------------------------------------------------
@pytest.mark.parametrize("kwargs", [{}, {"activation": "gelu", "norm_first": True},
                                    {"batch_first": True, "bias": False}])
def test_encoder_layer(kwargs):
    em, tm = _pair("TransformerEncoderLayer", 8, 2, 16, **kwargs)
    assert repr(em) == repr(tm)
    kpm = np.array([[0, 0, 0, 1, 1], [0, 0, 0, 0, 0], [0, 1, 0, 0, 0]], bool)
    x = randn(3, 5, 8) if kwargs.get("batch_first") else randn(5, 3, 8)
    check_op(lambda x, m: em(x, src_key_padding_mask=m),
             lambda x, m: tm(x, src_key_padding_mask=m), x, kpm)


@pytest.mark.parametrize("norm_first", [False, True])
def test_decoder_layer(norm_first):
    em, tm = _pair("TransformerDecoderLayer", 8, 2, 16, norm_first=norm_first)
    mask = np.triu(np.full((5, 5), -np.inf, np.float32), 1)
    check_op(lambda t, m, mask: em(t, m, tgt_mask=mask),
             lambda t, m, mask: tm(t, m, tgt_mask=mask), randn(5, 3, 8), randn(4, 3, 8), mask)


def test_encoder_stack_with_norm():
    torch.manual_seed(0)
    tm = torch.nn.TransformerEncoder(torch.nn.TransformerEncoderLayer(8, 2, 16), 2,
                                     torch.nn.LayerNorm(8), enable_nested_tensor=False)
    em = nn.TransformerEncoder(nn.TransformerEncoderLayer(8, 2, 16), 2, nn.LayerNorm(8))
    _load(em, tm)
    check_op(lambda x: em(x), lambda x: tm(x), randn(5, 3, 8))


def test_full_transformer():
    em, tm = _pair("Transformer", 8, 2, 1, 2, 16)
    assert [(k, tuple(v.shape)) for k, v in em.state_dict().items()] == \
        [(k, tuple(v.shape)) for k, v in tm.state_dict().items()]
    # the mask is a constant here: PyTorch's Transformer sends no gradient into it
    em_mask = nn.Transformer.generate_square_subsequent_mask(4)
    tm_mask = torch.nn.Transformer.generate_square_subsequent_mask(4)
    check_op(lambda s, t: em(s, t, tgt_mask=em_mask), lambda s, t: tm(s, t, tgt_mask=tm_mask),
             randn(5, 3, 8), randn(4, 3, 8))


def test_generate_square_subsequent_mask():
    np.testing.assert_array_equal(nn.Transformer.generate_square_subsequent_mask(3).numpy(),
                                  torch.nn.Transformer.generate_square_subsequent_mask(3).numpy())
