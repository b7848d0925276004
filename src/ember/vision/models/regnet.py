"""RegNetX and RegNetY (``torchvision.models.regnet``)."""
from __future__ import annotations

import math
from collections import OrderedDict
from functools import partial
from typing import Any, Callable

import numpy as np

import ember
from ember import nn

from ..ops.misc import Conv2dNormActivation, SqueezeExcitation
from ..transforms.functional import InterpolationMode
from ._api import WeightsEnum, register_model
from ._utils import _imagenet_weights, _load_weights, _make_divisible, _prepare
from ._utils import handle_legacy_interface

_SIZES = ("y_400mf", "y_800mf", "y_1_6gf", "y_3_2gf", "y_8gf", "y_16gf", "y_32gf", "y_128gf",
          "x_400mf", "x_800mf", "x_1_6gf", "x_3_2gf", "x_8gf", "x_16gf", "x_32gf")
__all__ = (["RegNet"] + [f"RegNet_{s.upper()}_Weights" for s in _SIZES]
           + [f"regnet_{s}" for s in _SIZES])


class SimpleStemIN(Conv2dNormActivation):
    """The ImageNet stem: a stride-2 3x3 convolution, norm and activation."""

    def __init__(self, width_in: int, width_out: int, norm_layer: Callable,
                 activation_layer: Callable):
        super().__init__(width_in, width_out, kernel_size=3, stride=2, norm_layer=norm_layer,
                         activation_layer=activation_layer)


class BottleneckTransform(nn.Sequential):
    """1x1, grouped 3x3 (optionally followed by squeeze-excitation), 1x1."""

    def __init__(self, width_in: int, width_out: int, stride: int, norm_layer: Callable,
                 activation_layer: Callable, group_width: int, bottleneck_multiplier: float,
                 se_ratio: float | None):
        layers: OrderedDict[str, nn.Module] = OrderedDict()
        w_b = int(round(width_out * bottleneck_multiplier))
        g = w_b // group_width
        layers["a"] = Conv2dNormActivation(width_in, w_b, kernel_size=1, stride=1,
                                           norm_layer=norm_layer,
                                           activation_layer=activation_layer)
        layers["b"] = Conv2dNormActivation(w_b, w_b, kernel_size=3, stride=stride, groups=g,
                                           norm_layer=norm_layer,
                                           activation_layer=activation_layer)
        if se_ratio:
            # the squeeze width is relative to the block's input width
            layers["se"] = SqueezeExcitation(input_channels=w_b,
                                             squeeze_channels=int(round(se_ratio * width_in)),
                                             activation=activation_layer)
        layers["c"] = Conv2dNormActivation(w_b, width_out, kernel_size=1, stride=1,
                                           norm_layer=norm_layer, activation_layer=None)
        super().__init__(layers)


class ResBottleneckBlock(nn.Module):
    """x + F(x) with a projected shortcut when the width or resolution changes."""

    def __init__(self, width_in: int, width_out: int, stride: int, norm_layer: Callable,
                 activation_layer: Callable, group_width: int = 1,
                 bottleneck_multiplier: float = 1.0, se_ratio: float | None = None):
        super().__init__()
        self.proj = None
        if width_in != width_out or stride != 1:
            self.proj = Conv2dNormActivation(width_in, width_out, kernel_size=1, stride=stride,
                                             norm_layer=norm_layer, activation_layer=None)
        self.f = BottleneckTransform(width_in, width_out, stride, norm_layer, activation_layer,
                                     group_width, bottleneck_multiplier, se_ratio)
        self.activation = activation_layer(inplace=True)

    def forward(self, x):
        """activation(shortcut(x) + F(x))."""
        shortcut = x if self.proj is None else self.proj(x)
        return self.activation(shortcut + self.f(x))


class AnyStage(nn.Sequential):
    """A stage of blocks with one output width; the first block may stride."""

    def __init__(self, width_in: int, width_out: int, stride: int, depth: int,
                 block_constructor: Callable, norm_layer: Callable, activation_layer: Callable,
                 group_width: int, bottleneck_multiplier: float, se_ratio: float | None = None,
                 stage_index: int = 0):
        super().__init__()
        for i in range(depth):
            self.add_module(f"block{stage_index}-{i}", block_constructor(
                width_in if i == 0 else width_out, width_out, stride if i == 0 else 1,
                norm_layer, activation_layer, group_width, bottleneck_multiplier, se_ratio))


class BlockParams:
    """Per-stage depths, widths, group widths, bottleneck ratios and strides."""

    def __init__(self, depths: list[int], widths: list[int], group_widths: list[int],
                 bottleneck_multipliers: list[float], strides: list[int],
                 se_ratio: float | None = None):
        self.depths = depths
        self.widths = widths
        self.group_widths = group_widths
        self.bottleneck_multipliers = bottleneck_multipliers
        self.strides = strides
        self.se_ratio = se_ratio

    @classmethod
    def from_init_params(cls, depth: int, w_0: int, w_a: float, w_m: float, group_width: int,
                         bottleneck_multiplier: float = 1.0, se_ratio: float | None = None,
                         **kwargs: Any) -> "BlockParams":
        """Stage settings from the RegNet design-space parameters: block widths grow
        linearly (slope ``w_a`` from ``w_0``), are quantised in log space with step
        ``w_m`` and rounded to multiples of 8; equal consecutive widths form a stage."""
        quant, stride = 8, 2
        if w_a < 0 or w_0 <= 0 or w_m <= 1 or w_0 % 8 != 0:
            raise ValueError("Invalid RegNet settings")
        # float32 throughout, as the reference computes it, so roundings agree
        f32 = np.float32
        widths_cont = np.arange(depth, dtype=f32) * f32(w_a) + f32(w_0)
        capacity = np.round(np.log(widths_cont / f32(w_0)) / f32(math.log(w_m)))
        widths = (np.round(f32(w_0) * np.power(f32(w_m), capacity) / f32(quant)) * quant)
        block_widths = widths.astype(np.int32).tolist()
        num_stages = len(set(block_widths))
        splits = [w != wp for w, wp in zip(block_widths + [0], [0] + block_widths)]
        stage_widths = [w for w, t in zip(block_widths, splits[:-1]) if t]
        stage_depths = np.diff([d for d, t in enumerate(splits) if t]).astype(int).tolist()
        stage_widths, group_widths = cls._adjust_widths_groups_compatibilty(
            stage_widths, [bottleneck_multiplier] * num_stages, [group_width] * num_stages)
        return cls(stage_depths, stage_widths, group_widths,
                   [bottleneck_multiplier] * num_stages, [stride] * num_stages, se_ratio)

    def _get_expanded_params(self):
        return zip(self.widths, self.strides, self.depths, self.group_widths,
                   self.bottleneck_multipliers)

    @staticmethod
    def _adjust_widths_groups_compatibilty(stage_widths, bottleneck_ratios, group_widths):
        """Make each stage's bottleneck width a multiple of its (possibly reduced) group."""
        widths = [int(w * b) for w, b in zip(stage_widths, bottleneck_ratios)]
        group_widths_min = [min(g, w) for g, w in zip(group_widths, widths)]
        ws_bot = [_make_divisible(w, g) for w, g in zip(widths, group_widths_min)]
        return [int(w / b) for w, b in zip(ws_bot, bottleneck_ratios)], group_widths_min


class RegNet(nn.Module):
    """RegNet (Radosavovic et al., 2020): a stem, stages from ``block_params``, a head."""

    def __init__(self, block_params: BlockParams, num_classes: int = 1000, stem_width: int = 32,
                 stem_type: Callable | None = None, block_type: Callable | None = None,
                 norm_layer: Callable | None = None, activation: Callable | None = None):
        super().__init__()
        stem_type = stem_type or SimpleStemIN
        norm_layer = norm_layer or nn.BatchNorm2d
        block_type = block_type or ResBottleneckBlock
        activation = activation or nn.ReLU
        self.stem = stem_type(3, stem_width, norm_layer, activation)
        current = stem_width
        blocks = []
        for i, (width_out, stride, depth, group_width, bottleneck) in enumerate(
                block_params._get_expanded_params()):
            blocks.append((f"block{i + 1}", AnyStage(
                current, width_out, stride, depth, block_type, norm_layer, activation,
                group_width, bottleneck, block_params.se_ratio, stage_index=i + 1)))
            current = width_out
        self.trunk_output = nn.Sequential(OrderedDict(blocks))
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.fc = nn.Linear(current, num_classes)
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                fan_out = m.kernel_size[0] * m.kernel_size[1] * m.out_channels
                nn.init.normal_(m.weight, mean=0.0, std=math.sqrt(2.0 / fan_out))
            elif isinstance(m, nn.BatchNorm2d):
                nn.init.ones_(m.weight)
                nn.init.zeros_(m.bias)
            elif isinstance(m, nn.Linear):
                nn.init.normal_(m.weight, mean=0.0, std=0.01)
                nn.init.zeros_(m.bias)

    def forward(self, x):
        """Class scores (N, num_classes) for images (N, 3, H, W)."""
        x = self.avgpool(self.trunk_output(self.stem(x)))
        return self.fc(ember.flatten(x, start_dim=1))


_PARAMS = {  # depth, w_0, w_a, w_m, group_width, se_ratio
    "y_400mf": (16, 48, 27.89, 2.09, 8, 0.25), "y_800mf": (14, 56, 38.84, 2.4, 16, 0.25),
    "y_1_6gf": (27, 48, 20.71, 2.65, 24, 0.25), "y_3_2gf": (21, 80, 42.63, 2.66, 24, 0.25),
    "y_8gf": (17, 192, 76.82, 2.19, 56, 0.25), "y_16gf": (18, 200, 106.23, 2.48, 112, 0.25),
    "y_32gf": (20, 232, 115.89, 2.53, 232, 0.25), "y_128gf": (27, 456, 160.83, 2.52, 264, 0.25),
    "x_400mf": (22, 24, 24.48, 2.54, 16, None), "x_800mf": (16, 56, 35.73, 2.28, 16, None),
    "x_1_6gf": (18, 80, 34.01, 2.25, 24, None), "x_3_2gf": (25, 88, 26.31, 2.25, 48, None),
    "x_8gf": (23, 80, 49.56, 2.88, 120, None), "x_16gf": (22, 216, 55.59, 2.1, 128, None),
    "x_32gf": (23, 320, 69.86, 2.0, 168, None)}

_V1_FILES = {
    "y_400mf": ("c65dace8", 4344144), "y_800mf": ("1b27b58c", 6432512),
    "y_1_6gf": ("b11a554e", 11202430), "y_3_2gf": ("b5a9779c", 19436338),
    "y_8gf": ("d0d0e4a8", 39381472), "y_16gf": ("9e6ed7dd", 83590140),
    "y_32gf": ("4dee3f7a", 145046770), "x_400mf": ("adf1edd5", 5495976),
    "x_800mf": ("ad17e45c", 7259656), "x_1_6gf": ("e3633e7f", 9190136),
    "x_3_2gf": ("f342aeae", 15296552), "x_8gf": ("03ceed89", 39572648),
    "x_16gf": ("2007eb11", 54278536), "x_32gf": ("9d47f8d0", 107811560)}


def _weights_enum(size: str) -> type[WeightsEnum]:
    """The RegNet_<SIZE>_Weights enum (ImageNet-1K V1 weights, or SWAG for y_128gf)."""
    if size == "y_128gf":
        members = {"IMAGENET1K_SWAG_E2E_V1": _imagenet_weights(
            "regnet_y_128gf_swag-c8ce3e52.pth", 644812894, crop_size=384, resize_size=384,
            preset={"interpolation": InterpolationMode.BICUBIC})}
        members["DEFAULT"] = members["IMAGENET1K_SWAG_E2E_V1"]
    else:
        digest, num_params = _V1_FILES[size]
        members = {"IMAGENET1K_V1": _imagenet_weights(f"regnet_{size}-{digest}.pth", num_params)}
        members["DEFAULT"] = members["IMAGENET1K_V1"]
    enum = WeightsEnum(f"RegNet_{size.upper()}_Weights", members)
    enum.__module__ = __name__
    return enum


def _regnet(size: str, enum, weights, progress: bool, kwargs: dict) -> RegNet:
    weights = _prepare(enum, weights, kwargs)
    depth, w_0, w_a, w_m, group_width, se_ratio = _PARAMS[size]
    params = BlockParams.from_init_params(depth=depth, w_0=w_0, w_a=w_a, w_m=w_m,
                                          group_width=group_width, se_ratio=se_ratio)
    norm_layer = kwargs.pop("norm_layer", partial(nn.BatchNorm2d, eps=1e-05, momentum=0.1))
    return _load_weights(RegNet(params, norm_layer=norm_layer, **kwargs), weights, progress)


RegNet_Y_400MF_Weights = _weights_enum("y_400mf")
RegNet_Y_800MF_Weights = _weights_enum("y_800mf")
RegNet_Y_1_6GF_Weights = _weights_enum("y_1_6gf")
RegNet_Y_3_2GF_Weights = _weights_enum("y_3_2gf")
RegNet_Y_8GF_Weights = _weights_enum("y_8gf")
RegNet_Y_16GF_Weights = _weights_enum("y_16gf")
RegNet_Y_32GF_Weights = _weights_enum("y_32gf")
RegNet_Y_128GF_Weights = _weights_enum("y_128gf")
RegNet_X_400MF_Weights = _weights_enum("x_400mf")
RegNet_X_800MF_Weights = _weights_enum("x_800mf")
RegNet_X_1_6GF_Weights = _weights_enum("x_1_6gf")
RegNet_X_3_2GF_Weights = _weights_enum("x_3_2gf")
RegNet_X_8GF_Weights = _weights_enum("x_8gf")
RegNet_X_16GF_Weights = _weights_enum("x_16gf")
RegNet_X_32GF_Weights = _weights_enum("x_32gf")


def _builder(size: str, enum: type[WeightsEnum]) -> Callable:
    """The public ``regnet_<size>`` builder, registered under that name."""
    def build(*, weights=None, progress: bool = True, **kwargs: Any) -> RegNet:
        return _regnet(size, enum, weights, progress, kwargs)
    build.__name__ = build.__qualname__ = f"regnet_{size}"
    build.__doc__ = f"RegNet{size[0].upper()}-{size[2:].upper().replace('_', '.')}."
    build.__annotations__ = {"weights": enum | None, "progress": bool, "return": RegNet}
    return register_model()(handle_legacy_interface(
        weights=("pretrained", enum.DEFAULT))(build))


regnet_y_400mf = _builder("y_400mf", RegNet_Y_400MF_Weights)
regnet_y_800mf = _builder("y_800mf", RegNet_Y_800MF_Weights)
regnet_y_1_6gf = _builder("y_1_6gf", RegNet_Y_1_6GF_Weights)
regnet_y_3_2gf = _builder("y_3_2gf", RegNet_Y_3_2GF_Weights)
regnet_y_8gf = _builder("y_8gf", RegNet_Y_8GF_Weights)
regnet_y_16gf = _builder("y_16gf", RegNet_Y_16GF_Weights)
regnet_y_32gf = _builder("y_32gf", RegNet_Y_32GF_Weights)
regnet_y_128gf = _builder("y_128gf", RegNet_Y_128GF_Weights)
regnet_x_400mf = _builder("x_400mf", RegNet_X_400MF_Weights)
regnet_x_800mf = _builder("x_800mf", RegNet_X_800MF_Weights)
regnet_x_1_6gf = _builder("x_1_6gf", RegNet_X_1_6GF_Weights)
regnet_x_3_2gf = _builder("x_3_2gf", RegNet_X_3_2GF_Weights)
regnet_x_8gf = _builder("x_8gf", RegNet_X_8GF_Weights)
regnet_x_16gf = _builder("x_16gf", RegNet_X_16GF_Weights)
regnet_x_32gf = _builder("x_32gf", RegNet_X_32GF_Weights)
