"""Attention, as torch.nn.functional: scaled_dot_product_attention and
multi_head_attention_forward (the computation behind nn.MultiheadAttention)."""
from __future__ import annotations

import math
from typing import Optional, Tuple

from ..._tensor import Tensor
from ...ops._util import const
from . import basic as B

__all__ = ["scaled_dot_product_attention", "multi_head_attention_forward"]


def _additive_mask(mask: Tensor, like: Tensor, true_blocks: bool) -> Tensor:
    """A float mask to add to attention scores: bool masks become 0 / -inf (True marks the
    blocked positions when ``true_blocks``, the allowed ones otherwise)."""
    if mask.dtype.name == "bool":
        m = mask._data
        blocked = m if true_blocks else ~m
        xp = like._xp()
        return const(xp.where(blocked, -xp.inf, 0).astype(like._data.dtype))
    return mask


def _causal_mask(L: int, S: int, like: Tensor) -> Tensor:
    xp = like._xp()
    allowed = xp.tril(xp.ones((L, S), dtype=bool))
    return const(xp.where(allowed, 0, -xp.inf).astype(like._data.dtype))


def scaled_dot_product_attention(query: Tensor, key: Tensor, value: Tensor,
                                 attn_mask: Optional[Tensor] = None, dropout_p: float = 0.0,
                                 is_causal: bool = False, scale: Optional[float] = None,
                                 enable_gqa: bool = False) -> Tensor:
    """``softmax(q @ k^T * scale + mask) @ v`` over the last two dimensions.

    A bool ``attn_mask`` marks the positions that may be attended to (True); a float one
    is added to the scores. ``is_causal`` masks out keys after each query.
    """
    L, S = query.shape[-2], key.shape[-2]
    if scale is None:
        scale = 1.0 / math.sqrt(query.shape[-1])
    if enable_gqa and query.dim() >= 3 and key.shape[-3] != query.shape[-3]:
        rep = query.shape[-3] // key.shape[-3]
        key = _repeat_heads(key, rep)
        value = _repeat_heads(value, rep)
    scores = (query * scale).matmul(key.transpose(-2, -1))
    if is_causal:
        if attn_mask is not None:
            raise RuntimeError("_scaled_dot_product_attention: Explicit attn_mask should not be "
                               "set when is_causal=True")
        scores = scores + _causal_mask(L, S, scores)
    elif attn_mask is not None:
        scores = scores + _additive_mask(attn_mask, scores, False)
    weights = B.softmax(scores, -1)
    if dropout_p > 0.0:
        weights = B.dropout(weights, dropout_p, True)
    return weights.matmul(value)


def _repeat_heads(t: Tensor, rep: int) -> Tensor:
    """Each head of a (..., H, S, E) tensor repeated ``rep`` times in place (GQA)."""
    shape = tuple(t.shape)
    t = t.unsqueeze(-3).expand(*shape[:-2], rep, *shape[-2:])
    return t.reshape(*shape[:-3], shape[-3] * rep, *shape[-2:])


def _linear(x: Tensor, w: Tensor, b: Optional[Tensor]) -> Tensor:
    return B.linear(x, w, b)


def _pad_last(mask: Optional[Tensor], like: Tensor) -> Optional[Tensor]:
    """Append one always-allowed key column to a mask (for bias_k / zero attention)."""
    if mask is None:
        return None
    from ... import cat, zeros
    extra = zeros(tuple(mask.shape[:-1]) + (1,), dtype=mask.dtype, device=mask.device)
    return cat([mask, extra], -1)


def multi_head_attention_forward(
        query: Tensor, key: Tensor, value: Tensor, embed_dim_to_check: int, num_heads: int,
        in_proj_weight: Optional[Tensor], in_proj_bias: Optional[Tensor],
        bias_k: Optional[Tensor], bias_v: Optional[Tensor], add_zero_attn: bool,
        dropout_p: float, out_proj_weight: Tensor, out_proj_bias: Optional[Tensor],
        training: bool = True, key_padding_mask: Optional[Tensor] = None,
        need_weights: bool = True, attn_mask: Optional[Tensor] = None,
        use_separate_proj_weight: bool = False, q_proj_weight: Optional[Tensor] = None,
        k_proj_weight: Optional[Tensor] = None, v_proj_weight: Optional[Tensor] = None,
        static_k: Optional[Tensor] = None, static_v: Optional[Tensor] = None,
        average_attn_weights: bool = True,
        is_causal: bool = False) -> Tuple[Tensor, Optional[Tensor]]:
    """Multi-head attention on sequence-first (L, N, E) inputs (or unbatched (L, E)).

    Returns the attended output and, with ``need_weights``, the attention weights
    (averaged over heads when ``average_attn_weights``). In ``attn_mask`` and
    ``key_padding_mask`` a True (bool) marks a position that may NOT be attended to.
    """
    from ... import cat, zeros
    unbatched = query.dim() == 2
    if unbatched:
        query, key, value = query.unsqueeze(1), key.unsqueeze(1), value.unsqueeze(1)
        if key_padding_mask is not None:
            key_padding_mask = key_padding_mask.unsqueeze(0)
    tgt_len, bsz, embed_dim = query.shape
    if embed_dim != embed_dim_to_check:
        raise AssertionError(f"was expecting embedding dimension of {embed_dim_to_check}, but "
                             f"got {embed_dim}")
    head_dim = embed_dim // num_heads
    if head_dim * num_heads != embed_dim:
        raise AssertionError(f"embed_dim {embed_dim} not divisible by num_heads {num_heads}")
    if is_causal and attn_mask is None:
        raise RuntimeError("Need attn_mask if specifying the is_causal hint. You may use the "
                           "Transformer module method `generate_square_subsequent_mask` to "
                           "create this mask.")
    # input projections
    if use_separate_proj_weight:
        bq = bk = bv = None
        if in_proj_bias is not None:
            bq, bk, bv = in_proj_bias.chunk(3)
        q = _linear(query, q_proj_weight, bq)
        k = _linear(key, k_proj_weight, bk)
        v = _linear(value, v_proj_weight, bv)
    elif query is key and key is value:
        q, k, v = _linear(query, in_proj_weight, in_proj_bias).chunk(3, -1)
    else:
        wq, wk, wv = in_proj_weight.chunk(3)
        bq = bk = bv = None
        if in_proj_bias is not None:
            bq, bk, bv = in_proj_bias.chunk(3)
        q, k, v = _linear(query, wq, bq), _linear(key, wk, bk), _linear(value, wv, bv)
    # masks as additive float tensors; a True in a bool mask blocks the position
    if attn_mask is not None:
        if attn_mask.dim() == 2:
            if tuple(attn_mask.shape) != (tgt_len, key.shape[0]):
                raise RuntimeError(f"The shape of the 2D attn_mask is {attn_mask.shape}, but "
                                   f"should be {(tgt_len, key.shape[0])}.")
            attn_mask = attn_mask.unsqueeze(0)
        elif attn_mask.dim() == 3:
            if tuple(attn_mask.shape) != (bsz * num_heads, tgt_len, key.shape[0]):
                raise RuntimeError(f"The shape of the 3D attn_mask is {attn_mask.shape}, but "
                                   f"should be {(bsz * num_heads, tgt_len, key.shape[0])}.")
        else:
            raise RuntimeError(f"attn_mask's dimension {attn_mask.dim()} is not supported")
        attn_mask = _additive_mask(attn_mask, q, True)
    if key_padding_mask is not None:
        key_padding_mask = _additive_mask(key_padding_mask, q, True)
    if bias_k is not None and bias_v is not None:
        k = cat([k, bias_k.expand(1, bsz, embed_dim)], 0)
        v = cat([v, bias_v.expand(1, bsz, embed_dim)], 0)
        attn_mask = _pad_last(attn_mask, q)
        key_padding_mask = _pad_last(key_padding_mask, q)
    # (L, N, E) -> (N * heads, L, head_dim)
    q = q.reshape(tgt_len, bsz * num_heads, head_dim).transpose(0, 1)
    k = k.reshape(-1, bsz * num_heads, head_dim).transpose(0, 1) if static_k is None \
        else static_k
    v = v.reshape(-1, bsz * num_heads, head_dim).transpose(0, 1) if static_v is None \
        else static_v
    if add_zero_attn:
        k = cat([k, zeros((bsz * num_heads, 1, head_dim), dtype=k.dtype, device=k.device)], 1)
        v = cat([v, zeros((bsz * num_heads, 1, head_dim), dtype=v.dtype, device=v.device)], 1)
        attn_mask = _pad_last(attn_mask, q)
        key_padding_mask = _pad_last(key_padding_mask, q)
    src_len = k.shape[1]
    if key_padding_mask is not None:
        kpm = key_padding_mask.reshape(bsz, 1, 1, src_len).expand(
            bsz, num_heads, 1, src_len).reshape(bsz * num_heads, 1, src_len)
        attn_mask = kpm if attn_mask is None else attn_mask + kpm
    if not training:
        dropout_p = 0.0
    scores = (q * (1.0 / math.sqrt(head_dim))).matmul(k.transpose(-2, -1))
    if attn_mask is not None:
        scores = scores + attn_mask
    weights = B.softmax(scores, -1)
    if dropout_p > 0.0:
        weights = B.dropout(weights, dropout_p, True)
    out = weights.matmul(v).transpose(0, 1).reshape(tgt_len * bsz, embed_dim)
    out = _linear(out, out_proj_weight, out_proj_bias).reshape(tgt_len, bsz, embed_dim)
    if unbatched:
        out = out.squeeze(1)
    if not need_weights:
        return out, None
    weights = weights.reshape(bsz, num_heads, tgt_len, src_len)
    if average_attn_weights:
        weights = weights.mean(1)
    if unbatched:
        weights = weights.squeeze(0)
    return out, weights

