"""Layers, one family per file as in torch.nn.modules."""
from .module import *  # noqa: F401,F403
from .container import *  # noqa: F401,F403
from .linear import *  # noqa: F401,F403
from .activation import *  # noqa: F401,F403
from .loss import *  # noqa: F401,F403
from .dropout import *  # noqa: F401,F403
from .sparse import *  # noqa: F401,F403
from .flatten import *  # noqa: F401,F403
from .conv import *  # noqa: F401,F403
from .pooling import *  # noqa: F401,F403
from .normalization import *  # noqa: F401,F403
from .padding import *  # noqa: F401,F403
from .rnn import *  # noqa: F401,F403
from .transformer import *  # noqa: F401,F403
from .lazy import *  # noqa: F401,F403
from .distance import *  # noqa: F401,F403
from .channelshuffle import *  # noqa: F401,F403
from .adaptive import *  # noqa: F401,F403
from .batchnorm import SyncBatchNorm  # noqa: F401
from . import batchnorm, fold, instancenorm, pixelshuffle, upsampling, utils  # noqa: F401

# what ``from .modules import *`` gives ember.nn: the layers, not these submodules (an
# ``nn.utils`` from here would hide the real one)
__all__ = [name for file in (module, container, linear, activation, loss, dropout, sparse,
                             flatten, conv, pooling, normalization, padding, rnn, transformer,
                             lazy, distance, channelshuffle, adaptive)
           for name in file.__all__] + ["SyncBatchNorm"]
