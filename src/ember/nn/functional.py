"""ember.nn.functional: the stateless forms of the layers, as torch.nn.functional."""
from ._functional.basic import *  # noqa: F401,F403
from ._functional.conv import *  # noqa: F401,F403
from ._functional.normalization import *  # noqa: F401,F403
from ._functional.attention import *  # noqa: F401,F403
from ._functional.loss import *  # noqa: F401,F403
from ._functional.fractional_pool import *  # noqa: F401,F403
from ._functional.embedding_bag import *  # noqa: F401,F403


def _check_tensor_arguments():
    """Give every public function of the functional modules PyTorch's tensor-type checks."""
    import sys
    from ._functional._guard import guard_module
    prefix = __name__.rpartition(".")[0] + "._functional."
    for name, mod in list(sys.modules.items()):
        if name.startswith(prefix) and not name[len(prefix):].startswith("_"):
            guard_module(mod)
            globals().update({n: getattr(mod, n) for n in mod.__all__})


_check_tensor_arguments()
from ._functional.grid import *  # noqa: F401,F403
from ._functional.distance import *  # noqa: F401,F403
from ._functional.gumbel import *  # noqa: F401,F403


def __getattr__(name):
    if name.startswith("_"):  # submodule imports look for these first
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from .._left_out import missing_in_module
    raise missing_in_module("torch.nn.functional", __name__, name)
