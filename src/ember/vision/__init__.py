"""``ember.vision`` (served as ``torchvision`` by ``python -m ember.run``): datasets, transforms,
image I/O and utilities for computer vision on ember."""
from __future__ import annotations

import importlib as _importlib

__version__ = "0.28.0"  # the torchvision release that goes with PyTorch 2.13

__all__ = ["datasets", "transforms", "utils", "io", "models", "ops", "get_image_backend",
           "set_image_backend"]

_SUBMODULES = {"datasets", "transforms", "utils", "io", "models", "ops"}
_image_backend = "PIL"


def get_image_backend() -> str:
    """The package used to load images ('PIL')."""
    return _image_backend


def set_image_backend(backend: str) -> None:
    """Choose the image loading package; only 'PIL' is available."""
    global _image_backend
    if backend != "PIL":
        raise ValueError(f"Invalid backend '{backend}'. Options are 'PIL' and 'accimage'")
    _image_backend = backend


def __getattr__(name):
    # submodules load on first use: transforms pulls in nn, datasets pull in PIL
    if name in _SUBMODULES:
        mod = _importlib.import_module(f"{__name__}.{name}")
        globals()[name] = mod
        return mod
    from .._naming import public_name
    raise AttributeError(f"module '{public_name(__name__)}' has no attribute '{name}'")
