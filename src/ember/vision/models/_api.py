"""The model registry and the pretrained-weights descriptions (``torchvision.models._api``)."""
from __future__ import annotations

import importlib
import inspect
import sys
import typing
from dataclasses import dataclass
from enum import Enum
from fnmatch import fnmatch
from functools import partial
from typing import Any, Callable, Mapping

__all__ = ["WeightsEnum", "Weights", "get_model", "get_model_builder", "get_model_weights",
           "get_weight", "list_models", "register_model"]


@dataclass
class Weights:
    """Where a set of pretrained weights lives, the preprocessing it expects and its facts."""

    url: str
    transforms: Callable
    meta: dict[str, Any]

    def __eq__(self, other: Any) -> bool:
        # partial objects compare by identity; compare what they wrap so copies stay equal
        if not isinstance(other, Weights):
            return NotImplemented
        if self.url != other.url or self.meta != other.meta:
            return False
        a, b = self.transforms, other.transforms
        if isinstance(a, partial) and isinstance(b, partial):
            return (a.func, a.args, a.keywords) == (b.func, b.args, b.keywords)
        return a == b


class WeightsEnum(Enum):
    """Base of the ``*_Weights`` enums; each member's value is a :class:`Weights`."""

    @classmethod
    def verify(cls, obj: Any) -> Any:
        """``obj`` as a member of this enum (a member name string is accepted)."""
        if obj is None:
            return obj
        if type(obj) is str:
            return cls[obj.replace(cls.__name__ + ".", "")]
        if not isinstance(obj, cls):
            raise TypeError(f"Invalid Weight class provided; expected {cls.__name__} "
                            f"but received {obj.__class__.__name__}.")
        return obj

    def get_state_dict(self, *args: Any, **kwargs: Any) -> Mapping[str, Any]:
        """The weights' state_dict, read from the hub cache (never downloaded)."""
        from ember.hub import load_state_dict_from_url
        return load_state_dict_from_url(self.url, *args, **kwargs)

    def __repr__(self) -> str:
        return f"{self.__class__.__name__}.{self._name_}"

    @property
    def url(self) -> str:
        """Where the checkpoint is published."""
        return self.value.url

    @property
    def transforms(self) -> Callable:
        """Builds the preprocessing transform these weights expect."""
        return self.value.transforms

    @property
    def meta(self) -> dict[str, Any]:
        """Facts about the weights: categories, num_params, min_size, metrics..."""
        return self.value.meta


BUILTIN_MODELS: dict[str, Callable] = {}


def register_model(name: str | None = None) -> Callable:
    """Decorator that records a model builder under ``name`` (default: its own name)."""
    def wrapper(fn: Callable) -> Callable:
        key = name if name is not None else fn.__name__
        if key in BUILTIN_MODELS:
            raise ValueError(f"An entry is already registered under the name '{key}'.")
        BUILTIN_MODELS[key] = fn
        return fn
    return wrapper


def list_models(module=None, include=None, exclude=None) -> list[str]:
    """Sorted names of the registered models, optionally only those of ``module`` and
    filtered by Unix-style patterns in ``include`` / ``exclude``."""
    models = {k for k, v in BUILTIN_MODELS.items()
              if module is None or v.__module__.rsplit(".", 1)[0] == module.__name__}
    if include:
        patterns = [include] if isinstance(include, str) else include
        models = {m for m in models if any(fnmatch(m, p) for p in patterns)}
    if exclude:
        patterns = [exclude] if isinstance(exclude, str) else exclude
        models = {m for m in models if not any(fnmatch(m, p) for p in patterns)}
    return sorted(models)


def get_model_builder(name: str) -> Callable:
    """The builder function registered under ``name``."""
    name = name.lower()
    try:
        return BUILTIN_MODELS[name]
    except KeyError:
        raise ValueError(f"Unknown model {name}") from None


def get_model(name: str, **config: Any):
    """Build the model registered under ``name`` with keyword arguments ``config``."""
    return get_model_builder(name)(**config)


def get_model_weights(name) -> type[WeightsEnum]:
    """The weights enum of a model, given its name or its builder function."""
    fn = get_model_builder(name) if isinstance(name, str) else name
    ann = inspect.signature(fn).parameters["weights"].annotation
    if isinstance(ann, str):
        ann = ann.split("|")[0].strip()
        found = sys.modules[fn.__module__].__dict__.get(ann)
        if isinstance(found, type) and issubclass(found, WeightsEnum):
            return found
    else:
        for candidate in typing.get_args(ann) or (ann,):
            if isinstance(candidate, type) and issubclass(candidate, WeightsEnum):
                return candidate
    raise ValueError("The weight class for the specific method couldn't be retrieved. "
                     "Make sure the typing info is correct.")


def get_weight(name: str) -> WeightsEnum:
    """The weights member named like "ResNet50_Weights.IMAGENET1K_V1"."""
    try:
        enum_name, value_name = name.split(".")
    except ValueError:
        raise ValueError(f"Invalid weight name provided: '{name}'.") from None
    models = importlib.import_module(__name__.rsplit(".", 1)[0])
    candidate = getattr(models, enum_name, None)
    if not (isinstance(candidate, type) and issubclass(candidate, WeightsEnum)):
        raise ValueError(f"The weight enum '{enum_name}' for the specific method couldn't "
                         f"be retrieved.")
    return candidate[value_name]
