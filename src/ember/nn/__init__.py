"""ember.nn: modules, parameters, functional and init, as in torch.nn."""
from .parameter import Buffer, Parameter, UninitializedBuffer, UninitializedParameter  # noqa: F401
from . import functional  # noqa: F401  (before the layers, which keep its checked functions)
from .modules import *  # noqa: F401,F403
from . import functional, init, parallel, utils  # noqa: F401
from .parallel import DataParallel  # noqa: F401
