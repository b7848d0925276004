"""Helpers shared by the model builders (``torchvision.models._utils``)."""
from __future__ import annotations

import functools
import warnings
from collections import OrderedDict
from functools import partial
from typing import Any, Callable

from ember import nn

from ..transforms._presets import ImageClassification
from ._api import Weights, WeightsEnum
from ._meta import _IMAGENET_CATEGORIES

_BASE_URL = "https://download.pytorch.org/models/"


def _make_divisible(v: float, divisor: int, min_value: int | None = None) -> int:
    """``v`` rounded to a multiple of ``divisor``, never below 90 % of ``v``."""
    if min_value is None:
        min_value = divisor
    new_v = max(min_value, int(v + divisor / 2) // divisor * divisor)
    if new_v < 0.9 * v:
        new_v += divisor
    return new_v


def _ovewrite_named_param(kwargs: dict[str, Any], param: str, new_value: Any) -> None:
    """Set ``kwargs[param]``, refusing a different value the caller already gave."""
    if param in kwargs:
        if kwargs[param] != new_value:
            raise ValueError(f"The parameter '{param}' expected value {new_value} "
                             f"but got {kwargs[param]} instead.")
    else:
        kwargs[param] = new_value


def _imagenet_weights(file: str, num_params: int, crop_size: int = 224,
                      resize_size: int = 256, min_size=(1, 1), **meta: Any) -> Weights:
    """A Weights entry for an ImageNet-1K classifier published at ``_BASE_URL + file``."""
    return Weights(
        url=_BASE_URL + file,
        transforms=partial(ImageClassification, crop_size=crop_size, resize_size=resize_size,
                           **meta.pop("preset", {})),
        meta={"categories": _IMAGENET_CATEGORIES, "num_params": num_params,
              "min_size": min_size, **meta})


def _load_weights(model: nn.Module, weights: WeightsEnum | None, progress: bool,
                  rename: Callable[[dict], dict] | None = None) -> nn.Module:
    """Load ``weights`` (from the hub cache) into ``model`` strictly; no-op for None."""
    if weights is not None:
        state = weights.get_state_dict(progress=progress, check_hash=True)
        model.load_state_dict(rename(state) if rename else state)
    return model


def _prepare(weights_enum: type[WeightsEnum], weights, kwargs: dict) -> WeightsEnum | None:
    """Verify ``weights`` and fix num_classes (and extra meta-driven kwargs) to match it."""
    weights = weights_enum.verify(weights)
    if weights is not None:
        _ovewrite_named_param(kwargs, "num_classes", len(weights.meta["categories"]))
    return weights


def handle_legacy_interface(**weights: tuple[str, Any]) -> Callable:
    """Let a builder accept the old ``pretrained=True/False`` keyword: True means the
    default weights given here (a member, or a function of the call's kwargs)."""
    def outer(builder: Callable) -> Callable:
        @functools.wraps(builder)
        def inner(*args: Any, **kwargs: Any):
            for weights_param, (pretrained_param, default) in weights.items():
                if pretrained_param not in kwargs:
                    continue
                pretrained = kwargs.pop(pretrained_param)
                if pretrained:
                    chosen = default(kwargs) if callable(default) else default
                    if not isinstance(chosen, WeightsEnum):
                        raise ValueError(f"No weights available for model {builder.__name__}")
                else:
                    chosen = None
                warnings.warn(f"The parameter '{pretrained_param}' is deprecated since 0.13 "
                              f"and may be removed in the future, please use "
                              f"'{weights_param}' instead.")
                kwargs[weights_param] = chosen
            return builder(*args, **kwargs)
        return inner
    return outer


class IntermediateLayerGetter(nn.ModuleDict):
    """Runs a model's direct children in order and returns the outputs of those named in
    ``return_layers`` (child name -> output name), dropping the children after the last."""

    def __init__(self, model: nn.Module, return_layers: dict[str, str]):
        if not set(return_layers).issubset(name for name, _ in model.named_children()):
            raise ValueError("return_layers are not present in model")
        wanted = dict(return_layers)
        layers = OrderedDict()
        for name, module in model.named_children():
            layers[name] = module
            wanted.pop(name, None)
            if not wanted:
                break
        super().__init__(layers)
        self.return_layers = dict(return_layers)

    def forward(self, x):
        """An ordered dict of the requested intermediate outputs."""
        out = OrderedDict()
        for name, module in self.items():
            x = module(x)
            if name in self.return_layers:
                out[self.return_layers[name]] = x
        return out
