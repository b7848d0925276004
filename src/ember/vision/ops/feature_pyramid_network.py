"""Feature Pyramid Network: merge a backbone's feature maps top-down into maps of one width."""
from __future__ import annotations

from collections import OrderedDict
from typing import Callable

from ember import nn
from ember.nn import functional as F

from .misc import Conv2dNormActivation

__all__ = ["FeaturePyramidNetwork", "ExtraFPNBlock", "LastLevelMaxPool"]


class ExtraFPNBlock(nn.Module):
    """Base class of blocks that add levels after the FPN's own outputs."""

    def forward(self, results, x, names):
        """Return the extended (results, names)."""
        raise NotImplementedError


class LastLevelMaxPool(ExtraFPNBlock):
    """Adds a "pool" level: the last output max-pooled with kernel 1, stride 2."""

    def forward(self, results, x, names):
        """Append the pooled level to ``results`` and "pool" to ``names``."""
        names.append("pool")
        results.append(F.max_pool2d(results[-1], 1, 2, 0))
        return results, names


class FeaturePyramidNetwork(nn.Module):
    """Top-down pathway with lateral 1x1 convolutions and 3x3 output convolutions over an
    ordered dict of feature maps (highest resolution first)."""

    def __init__(self, in_channels_list: list[int], out_channels: int,
                 extra_blocks: ExtraFPNBlock | None = None,
                 norm_layer: Callable | None = None):
        super().__init__()
        self.inner_blocks = nn.ModuleList()
        self.layer_blocks = nn.ModuleList()
        for in_channels in in_channels_list:
            if in_channels == 0:
                raise ValueError("in_channels=0 is currently not supported")
            self.inner_blocks.append(Conv2dNormActivation(
                in_channels, out_channels, kernel_size=1, padding=0, norm_layer=norm_layer,
                activation_layer=None))
            self.layer_blocks.append(Conv2dNormActivation(
                out_channels, out_channels, kernel_size=3, norm_layer=norm_layer,
                activation_layer=None))
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_uniform_(m.weight, a=1)
                if m.bias is not None:
                    nn.init.constant_(m.bias, 0)
        if extra_blocks is not None and not isinstance(extra_blocks, ExtraFPNBlock):
            raise TypeError(f"extra_blocks should be of type ExtraFPNBlock not "
                            f"{type(extra_blocks)}")
        self.extra_blocks = extra_blocks

    def forward(self, x: dict) -> dict:
        """The pyramid's maps, under the input's keys (plus any extra levels)."""
        names = list(x.keys())
        feats = list(x.values())
        last_inner = self.inner_blocks[-1](feats[-1])
        results = [self.layer_blocks[-1](last_inner)]
        for idx in range(len(feats) - 2, -1, -1):
            lateral = self.inner_blocks[idx](feats[idx])
            top_down = F.interpolate(last_inner, size=tuple(lateral.shape[-2:]), mode="nearest")
            last_inner = lateral + top_down
            results.insert(0, self.layer_blocks[idx](last_inner))
        if self.extra_blocks is not None:
            results, names = self.extra_blocks(results, feats, names)
        return OrderedDict(zip(names, results))
