"""ember.nn.functional: the stateless forms of the layers, as torch.nn.functional."""
from ._functional.basic import *  # noqa: F401,F403
from ._functional.conv import *  # noqa: F401,F403
from ._functional.normalization import *  # noqa: F401,F403
from ._functional.attention import *  # noqa: F401,F403
from ._functional.loss import *  # noqa: F401,F403
from ._functional.fractional_pool import *  # noqa: F401,F403
from ._functional.embedding_bag import *  # noqa: F401,F403
