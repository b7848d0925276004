"""ember.nn: modules, parameters, functional and init, as in torch.nn."""
from .parameter import Buffer, Parameter, UninitializedBuffer, UninitializedParameter  # noqa: F401
from . import functional  # noqa: F401  (before the layers, which keep its checked functions)
from .modules import *  # noqa: F401,F403
from . import functional, init, parallel, utils  # noqa: F401
from .parallel import DataParallel  # noqa: F401


def __getattr__(name):
    if name.startswith("_"):  # submodule imports look for these first
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from .._left_out import missing_in_module
    raise missing_in_module("torch.nn", __name__, name)
