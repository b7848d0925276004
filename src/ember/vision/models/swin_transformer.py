"""Swin Transformer v1 and v2, T/S/B (``torchvision.models.swin_transformer``)."""
from __future__ import annotations

import math
from functools import partial
from typing import Any, Callable

import ember
from ember import nn
from ember.nn import functional as F

from ..ops.misc import MLP, Permute
from ..ops.stochastic_depth import StochasticDepth
from ..transforms.functional import InterpolationMode
from ._api import WeightsEnum, register_model
from ._utils import _imagenet_weights, _load_weights, _prepare, handle_legacy_interface

__all__ = ["SwinTransformer", "Swin_T_Weights", "Swin_S_Weights", "Swin_B_Weights",
           "Swin_V2_T_Weights", "Swin_V2_S_Weights", "Swin_V2_B_Weights", "swin_t", "swin_s",
           "swin_b", "swin_v2_t", "swin_v2_s", "swin_v2_b"]


def _patch_merging_pad(x):
    """Pad (…, H, W, C) to even H and W and stack each 2x2 patch along channels."""
    h, w = x.shape[-3:-1]
    x = F.pad(x, (0, 0, 0, w % 2, 0, h % 2))
    return ember.cat([x[..., 0::2, 0::2, :], x[..., 1::2, 0::2, :],
                      x[..., 0::2, 1::2, :], x[..., 1::2, 1::2, :]], -1)


class PatchMerging(nn.Module):
    """Halve the resolution and double the width: norm then a linear reduction."""

    def __init__(self, dim: int, norm_layer: Callable = nn.LayerNorm):
        super().__init__()
        self.dim = dim
        self.reduction = nn.Linear(4 * dim, 2 * dim, bias=False)
        self.norm = norm_layer(4 * dim)

    def forward(self, x):
        """(…, H, W, C) -> (…, ceil(H/2), ceil(W/2), 2C)."""
        return self.reduction(self.norm(_patch_merging_pad(x)))


class PatchMergingV2(nn.Module):
    """Swin v2 patch merging: the linear reduction comes before the norm."""

    def __init__(self, dim: int, norm_layer: Callable = nn.LayerNorm):
        super().__init__()
        self.dim = dim
        self.reduction = nn.Linear(4 * dim, 2 * dim, bias=False)
        self.norm = norm_layer(2 * dim)

    def forward(self, x):
        """(…, H, W, C) -> (…, ceil(H/2), ceil(W/2), 2C)."""
        return self.norm(self.reduction(_patch_merging_pad(x)))


def _get_relative_position_bias(table, index, window_size: list[int]):
    n = window_size[0] * window_size[1]
    bias = table[index].reshape(n, n, -1)
    return bias.permute(2, 0, 1).contiguous().unsqueeze(0)


def _shift_mask(pad_h: int, pad_w: int, window_size: list[int], shift_size: list[int],
                like):
    """(num_windows, N, N) additive mask keeping attention inside the regions a cyclic
    shift brought together."""
    labels = like.new_zeros((pad_h, pad_w))
    h_slices = ((0, -window_size[0]), (-window_size[0], -shift_size[0]), (-shift_size[0], None))
    w_slices = ((0, -window_size[1]), (-window_size[1], -shift_size[1]), (-shift_size[1], None))
    count = 0
    for h in h_slices:
        for w in w_slices:
            labels[h[0]:h[1], w[0]:w[1]] = count
            count += 1
    num_windows = (pad_h // window_size[0]) * (pad_w // window_size[1])
    labels = labels.reshape(pad_h // window_size[0], window_size[0], pad_w // window_size[1],
                            window_size[1]).permute(0, 2, 1, 3)
    labels = labels.reshape(num_windows, window_size[0] * window_size[1])
    diff = labels.unsqueeze(1) - labels.unsqueeze(2)
    return diff.masked_fill(diff != 0, -100.0).masked_fill(diff == 0, 0.0)


def shifted_window_attention(input, qkv_weight, proj_weight, relative_position_bias,
                             window_size: list[int], num_heads: int, shift_size: list[int],
                             attention_dropout: float = 0.0, dropout: float = 0.0,
                             qkv_bias=None, proj_bias=None, logit_scale=None,
                             training: bool = True):
    """Multi-head self-attention inside (optionally cyclically shifted) windows of an
    (B, H, W, C) input; v2's scaled cosine attention when ``logit_scale`` is given."""
    b, h, w, c = input.shape
    pad_r = (window_size[1] - w % window_size[1]) % window_size[1]
    pad_b = (window_size[0] - h % window_size[0]) % window_size[0]
    x = F.pad(input, (0, 0, 0, pad_r, 0, pad_b))
    _, pad_h, pad_w, _ = x.shape
    shift_size = list(shift_size)
    if window_size[0] >= pad_h:
        shift_size[0] = 0
    if window_size[1] >= pad_w:
        shift_size[1] = 0
    shifted = sum(shift_size) > 0
    if shifted:
        x = ember.roll(x, shifts=(-shift_size[0], -shift_size[1]), dims=(1, 2))
    num_windows = (pad_h // window_size[0]) * (pad_w // window_size[1])
    x = x.reshape(b, pad_h // window_size[0], window_size[0], pad_w // window_size[1],
                  window_size[1], c)
    x = x.permute(0, 1, 3, 2, 4, 5).reshape(b * num_windows, window_size[0] * window_size[1], c)
    if logit_scale is not None and qkv_bias is not None:
        length = qkv_bias.numel() // 3
        keep = ember.ones_like(qkv_bias)
        keep[length:2 * length] = 0  # v2 has no key bias
        qkv_bias = qkv_bias * keep
    qkv = F.linear(x, qkv_weight, qkv_bias)
    qkv = qkv.reshape(x.shape[0], x.shape[1], 3, num_heads, c // num_heads).permute(2, 0, 3, 1, 4)
    q, k, v = qkv[0], qkv[1], qkv[2]
    if logit_scale is not None:
        attn = F.normalize(q, dim=-1) @ F.normalize(k, dim=-1).transpose(-2, -1)
        attn = attn * ember.clamp(logit_scale, max=math.log(100.0)).exp()
    else:
        attn = (q * (c // num_heads) ** -0.5) @ k.transpose(-2, -1)
    attn = attn + relative_position_bias
    if shifted:
        mask = _shift_mask(pad_h, pad_w, window_size, shift_size, x)
        n = x.shape[1]
        attn = attn.reshape(x.shape[0] // num_windows, num_windows, num_heads, n, n)
        attn = (attn + mask.unsqueeze(1).unsqueeze(0)).reshape(-1, num_heads, n, n)
    attn = F.dropout(F.softmax(attn, dim=-1), p=attention_dropout, training=training)
    x = (attn @ v).transpose(1, 2).reshape(x.shape[0], x.shape[1], c)
    x = F.dropout(F.linear(x, proj_weight, proj_bias), p=dropout, training=training)
    x = x.reshape(b, pad_h // window_size[0], pad_w // window_size[1], window_size[0],
                  window_size[1], c)
    x = x.permute(0, 1, 3, 2, 4, 5).reshape(b, pad_h, pad_w, c)
    if shifted:
        x = ember.roll(x, shifts=(shift_size[0], shift_size[1]), dims=(1, 2))
    return x[:, :h, :w, :].contiguous()


class ShiftedWindowAttention(nn.Module):
    """Window attention with a learned relative position bias table."""

    def __init__(self, dim: int, window_size: list[int], shift_size: list[int],
                 num_heads: int, qkv_bias: bool = True, proj_bias: bool = True,
                 attention_dropout: float = 0.0, dropout: float = 0.0):
        super().__init__()
        if len(window_size) != 2 or len(shift_size) != 2:
            raise ValueError("window_size and shift_size must be of length 2")
        self.window_size = window_size
        self.shift_size = shift_size
        self.num_heads = num_heads
        self.attention_dropout = attention_dropout
        self.dropout = dropout
        self.qkv = nn.Linear(dim, dim * 3, bias=qkv_bias)
        self.proj = nn.Linear(dim, dim, bias=proj_bias)
        self.define_relative_position_bias_table()
        self.define_relative_position_index()

    def define_relative_position_bias_table(self) -> None:
        """One learned bias per head for each relative offset inside a window."""
        ws = self.window_size
        self.relative_position_bias_table = nn.Parameter(
            ember.zeros((2 * ws[0] - 1) * (2 * ws[1] - 1), self.num_heads))
        nn.init.trunc_normal_(self.relative_position_bias_table, std=0.02)

    def define_relative_position_index(self) -> None:
        """The buffer mapping each (query, key) pair of a window to its table row."""
        ws = self.window_size
        coords = ember.stack(ember.meshgrid(ember.arange(ws[0]), ember.arange(ws[1]),
                                            indexing="ij"))
        flat = ember.flatten(coords, 1)
        rel = (flat[:, :, None] - flat[:, None, :]).permute(1, 2, 0).contiguous()
        index = (rel[:, :, 0] + ws[0] - 1) * (2 * ws[1] - 1) + rel[:, :, 1] + ws[1] - 1
        self.register_buffer("relative_position_index", index.flatten())

    def get_relative_position_bias(self):
        """The (1, heads, N, N) bias added to the attention logits."""
        return _get_relative_position_bias(self.relative_position_bias_table,
                                           self.relative_position_index, self.window_size)

    def _attend(self, x, logit_scale=None):
        return shifted_window_attention(
            x, self.qkv.weight, self.proj.weight, self.get_relative_position_bias(),
            self.window_size, self.num_heads, shift_size=self.shift_size,
            attention_dropout=self.attention_dropout, dropout=self.dropout,
            qkv_bias=self.qkv.bias, proj_bias=self.proj.bias, logit_scale=logit_scale,
            training=self.training)

    def forward(self, x):
        """Attention over windows of ``x`` (B, H, W, C)."""
        return self._attend(x)


class ShiftedWindowAttentionV2(ShiftedWindowAttention):
    """Swin v2 window attention: cosine similarity with a learned temperature and a
    continuous position bias computed by a small MLP from log-spaced offsets."""

    def __init__(self, dim: int, window_size: list[int], shift_size: list[int],
                 num_heads: int, qkv_bias: bool = True, proj_bias: bool = True,
                 attention_dropout: float = 0.0, dropout: float = 0.0):
        super().__init__(dim, window_size, shift_size, num_heads, qkv_bias=qkv_bias,
                         proj_bias=proj_bias, attention_dropout=attention_dropout,
                         dropout=dropout)
        self.logit_scale = nn.Parameter(ember.log(10 * ember.ones((num_heads, 1, 1))))
        self.cpb_mlp = nn.Sequential(nn.Linear(2, 512, bias=True), nn.ReLU(inplace=True),
                                     nn.Linear(512, num_heads, bias=False))
        if qkv_bias:
            length = self.qkv.bias.numel() // 3
            with ember.no_grad():
                self.qkv.bias[length:2 * length] = 0

    def define_relative_position_bias_table(self) -> None:
        """The log-spaced relative offsets the position MLP reads (a buffer)."""
        ws = self.window_size
        h = ember.arange(-(ws[0] - 1), ws[0], dtype=ember.float32)
        w = ember.arange(-(ws[1] - 1), ws[1], dtype=ember.float32)
        table = ember.stack(ember.meshgrid(h, w, indexing="ij")).permute(1, 2, 0)
        table = table / ember.tensor([ws[0] - 1, ws[1] - 1], dtype=ember.float32) * 8
        table = ember.sign(table) * ember.log2(table.abs() + 1.0) / 3.0
        self.register_buffer("relative_coords_table", table.contiguous().unsqueeze(0))

    def get_relative_position_bias(self):
        """16 * sigmoid of the MLP's bias for each (query, key) pair: (1, heads, N, N)."""
        table = self.cpb_mlp(self.relative_coords_table).reshape(-1, self.num_heads)
        bias = _get_relative_position_bias(table, self.relative_position_index,
                                           self.window_size)
        return 16 * ember.sigmoid(bias)

    def forward(self, x):
        """Attention over windows of ``x`` (B, H, W, C)."""
        return self._attend(x, self.logit_scale)


class SwinTransformerBlock(nn.Module):
    """Pre-norm block: window attention and MLP, each with stochastic-depth residual."""

    def __init__(self, dim: int, num_heads: int, window_size: list[int],
                 shift_size: list[int], mlp_ratio: float = 4.0, dropout: float = 0.0,
                 attention_dropout: float = 0.0, stochastic_depth_prob: float = 0.0,
                 norm_layer: Callable = nn.LayerNorm,
                 attn_layer: Callable = ShiftedWindowAttention):
        super().__init__()
        self.norm1 = norm_layer(dim)
        self.attn = attn_layer(dim, window_size, shift_size, num_heads,
                               attention_dropout=attention_dropout, dropout=dropout)
        self.stochastic_depth = StochasticDepth(stochastic_depth_prob, "row")
        self.norm2 = norm_layer(dim)
        self.mlp = MLP(dim, [int(dim * mlp_ratio), dim], activation_layer=nn.GELU,
                       inplace=None, dropout=dropout)
        for m in self.mlp.modules():
            if isinstance(m, nn.Linear):
                nn.init.xavier_uniform_(m.weight)
                if m.bias is not None:
                    nn.init.normal_(m.bias, std=1e-6)

    def forward(self, x):
        """x + drop(attn(norm1 x)), then + drop(mlp(norm2 x))."""
        x = x + self.stochastic_depth(self.attn(self.norm1(x)))
        return x + self.stochastic_depth(self.mlp(self.norm2(x)))


class SwinTransformerBlockV2(SwinTransformerBlock):
    """Swin v2 block: residual post-norm (the norms follow attention and MLP)."""

    def __init__(self, dim: int, num_heads: int, window_size: list[int],
                 shift_size: list[int], mlp_ratio: float = 4.0, dropout: float = 0.0,
                 attention_dropout: float = 0.0, stochastic_depth_prob: float = 0.0,
                 norm_layer: Callable = nn.LayerNorm,
                 attn_layer: Callable = ShiftedWindowAttentionV2):
        super().__init__(dim, num_heads, window_size, shift_size, mlp_ratio=mlp_ratio,
                         dropout=dropout, attention_dropout=attention_dropout,
                         stochastic_depth_prob=stochastic_depth_prob, norm_layer=norm_layer,
                         attn_layer=attn_layer)

    def forward(self, x):
        """x + drop(norm1(attn x)), then + drop(norm2(mlp x))."""
        x = x + self.stochastic_depth(self.norm1(self.attn(x)))
        return x + self.stochastic_depth(self.norm2(self.mlp(x)))


class SwinTransformer(nn.Module):
    """Swin Transformer (Liu et al., 2021; v2 2022)."""

    def __init__(self, patch_size: list[int], embed_dim: int, depths: list[int],
                 num_heads: list[int], window_size: list[int], mlp_ratio: float = 4.0,
                 dropout: float = 0.0, attention_dropout: float = 0.0,
                 stochastic_depth_prob: float = 0.1, num_classes: int = 1000,
                 norm_layer: Callable | None = None, block: Callable | None = None,
                 downsample_layer: Callable = PatchMerging):
        super().__init__()
        self.num_classes = num_classes
        block = block or SwinTransformerBlock
        norm_layer = norm_layer or partial(nn.LayerNorm, eps=1e-5)
        layers: list[nn.Module] = [nn.Sequential(
            nn.Conv2d(3, embed_dim, kernel_size=(patch_size[0], patch_size[1]),
                      stride=(patch_size[0], patch_size[1])),
            Permute([0, 2, 3, 1]), norm_layer(embed_dim))]
        total = sum(depths)
        block_id = 0
        for i_stage, depth in enumerate(depths):
            dim = embed_dim * 2 ** i_stage
            stage = []
            for i_layer in range(depth):
                sd_prob = stochastic_depth_prob * float(block_id) / (total - 1)
                stage.append(block(dim, num_heads[i_stage], window_size=window_size,
                                   shift_size=[0 if i_layer % 2 == 0 else w // 2
                                               for w in window_size],
                                   mlp_ratio=mlp_ratio, dropout=dropout,
                                   attention_dropout=attention_dropout,
                                   stochastic_depth_prob=sd_prob, norm_layer=norm_layer))
                block_id += 1
            layers.append(nn.Sequential(*stage))
            if i_stage < len(depths) - 1:
                layers.append(downsample_layer(dim, norm_layer))
        self.features = nn.Sequential(*layers)
        num_features = embed_dim * 2 ** (len(depths) - 1)
        self.norm = norm_layer(num_features)
        self.permute = Permute([0, 3, 1, 2])
        self.avgpool = nn.AdaptiveAvgPool2d(1)
        self.flatten = nn.Flatten(1)
        self.head = nn.Linear(num_features, num_classes)
        for m in self.modules():
            if isinstance(m, nn.Linear):
                nn.init.trunc_normal_(m.weight, std=0.02)
                if m.bias is not None:
                    nn.init.zeros_(m.bias)

    def forward(self, x):
        """Class scores (N, num_classes) for images (N, 3, H, W)."""
        x = self.permute(self.norm(self.features(x)))
        return self.head(self.flatten(self.avgpool(x)))


_CONFIGS = {  # embed_dim, depths, heads, window, stochastic depth, v2
    "t": (96, [2, 2, 6, 2], [3, 6, 12, 24], [7, 7], 0.2, False),
    "s": (96, [2, 2, 18, 2], [3, 6, 12, 24], [7, 7], 0.3, False),
    "b": (128, [2, 2, 18, 2], [4, 8, 16, 32], [7, 7], 0.5, False),
    "v2_t": (96, [2, 2, 6, 2], [3, 6, 12, 24], [8, 8], 0.2, True),
    "v2_s": (96, [2, 2, 18, 2], [3, 6, 12, 24], [8, 8], 0.3, True),
    "v2_b": (128, [2, 2, 18, 2], [4, 8, 16, 32], [8, 8], 0.5, True)}


def _swin(arch: str, enum, weights, progress: bool, kwargs: dict) -> SwinTransformer:
    weights = _prepare(enum, weights, kwargs)
    embed, depths, heads, window, sd, v2 = _CONFIGS[arch]
    if v2:
        kwargs.setdefault("block", SwinTransformerBlockV2)
        kwargs.setdefault("downsample_layer", PatchMergingV2)
    model = SwinTransformer(patch_size=[4, 4], embed_dim=embed, depths=depths, num_heads=heads,
                            window_size=window,
                            stochastic_depth_prob=kwargs.pop("stochastic_depth_prob", sd),
                            **kwargs)
    return _load_weights(model, weights, progress)


def _w(file: str, num_params: int, crop: int, resize: int) -> Any:
    return _imagenet_weights(file, num_params, crop_size=crop, resize_size=resize,
                             min_size=(224, 224) if crop == 224 else (256, 256),
                             preset={"interpolation": InterpolationMode.BICUBIC})


class Swin_T_Weights(WeightsEnum):
    IMAGENET1K_V1 = _w("swin_t-704ceda3.pth", 28288354, 224, 232)
    DEFAULT = IMAGENET1K_V1


class Swin_S_Weights(WeightsEnum):
    IMAGENET1K_V1 = _w("swin_s-5e29d889.pth", 49606258, 224, 246)
    DEFAULT = IMAGENET1K_V1


class Swin_B_Weights(WeightsEnum):
    IMAGENET1K_V1 = _w("swin_b-68c6b09e.pth", 87768224, 224, 238)
    DEFAULT = IMAGENET1K_V1


class Swin_V2_T_Weights(WeightsEnum):
    IMAGENET1K_V1 = _w("swin_v2_t-b137f0e2.pth", 28351570, 256, 260)
    DEFAULT = IMAGENET1K_V1


class Swin_V2_S_Weights(WeightsEnum):
    IMAGENET1K_V1 = _w("swin_v2_s-637d8ceb.pth", 49737442, 256, 260)
    DEFAULT = IMAGENET1K_V1


class Swin_V2_B_Weights(WeightsEnum):
    IMAGENET1K_V1 = _w("swin_v2_b-781e5279.pth", 87930848, 256, 272)
    DEFAULT = IMAGENET1K_V1


@register_model()
@handle_legacy_interface(weights=("pretrained", Swin_T_Weights.IMAGENET1K_V1))
def swin_t(*, weights: Swin_T_Weights | None = None, progress: bool = True,
           **kwargs: Any) -> SwinTransformer:
    """Swin-T."""
    return _swin("t", Swin_T_Weights, weights, progress, kwargs)


@register_model()
@handle_legacy_interface(weights=("pretrained", Swin_S_Weights.IMAGENET1K_V1))
def swin_s(*, weights: Swin_S_Weights | None = None, progress: bool = True,
           **kwargs: Any) -> SwinTransformer:
    """Swin-S."""
    return _swin("s", Swin_S_Weights, weights, progress, kwargs)


@register_model()
@handle_legacy_interface(weights=("pretrained", Swin_B_Weights.IMAGENET1K_V1))
def swin_b(*, weights: Swin_B_Weights | None = None, progress: bool = True,
           **kwargs: Any) -> SwinTransformer:
    """Swin-B."""
    return _swin("b", Swin_B_Weights, weights, progress, kwargs)


@register_model()
@handle_legacy_interface(weights=("pretrained", Swin_V2_T_Weights.IMAGENET1K_V1))
def swin_v2_t(*, weights: Swin_V2_T_Weights | None = None, progress: bool = True,
              **kwargs: Any) -> SwinTransformer:
    """Swin-V2-T."""
    return _swin("v2_t", Swin_V2_T_Weights, weights, progress, kwargs)


@register_model()
@handle_legacy_interface(weights=("pretrained", Swin_V2_S_Weights.IMAGENET1K_V1))
def swin_v2_s(*, weights: Swin_V2_S_Weights | None = None, progress: bool = True,
              **kwargs: Any) -> SwinTransformer:
    """Swin-V2-S."""
    return _swin("v2_s", Swin_V2_S_Weights, weights, progress, kwargs)


@register_model()
@handle_legacy_interface(weights=("pretrained", Swin_V2_B_Weights.IMAGENET1K_V1))
def swin_v2_b(*, weights: Swin_V2_B_Weights | None = None, progress: bool = True,
              **kwargs: Any) -> SwinTransformer:
    """Swin-V2-B."""
    return _swin("v2_b", Swin_V2_B_Weights, weights, progress, kwargs)
