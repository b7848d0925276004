"""ember.nn.utils: gradient clipping, parameter vectors, rnn packing, parametrizations,
weight and spectral norm, batch-norm fusion and stateless calls."""
from .clip_grad import *  # noqa: F401,F403
from .convert_parameters import *  # noqa: F401,F403
from . import fusion, parametrizations, parametrize, rnn, stateless  # noqa: F401
from .fusion import *  # noqa: F401,F403
from .init import skip_init  # noqa: F401
from .memory_format import *  # noqa: F401,F403
from .spectral_norm import remove_spectral_norm, spectral_norm  # noqa: F401
from .weight_norm import remove_weight_norm, weight_norm  # noqa: F401
