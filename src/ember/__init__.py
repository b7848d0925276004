"""ember: a PyTorch-compatible deep-learning framework on NumPy.

``import ember as torch`` gives the tensor library, autograd, ``nn``, ``optim`` and
``utils.data`` under PyTorch's names. Submodules load on first use, which keeps
``import ember`` fast.
"""
from __future__ import annotations

import importlib as _importlib

from . import _allocator

_allocator.tune()

from .torch_version import __version__  # noqa: F401  (the PyTorch API version ember follows)

from ._dtype import (  # noqa: F401
    bfloat16, bool, cdouble, cfloat, complex64, complex128, double, dtype, finfo, float, float16,
    float32, float64, get_default_dtype, half, iinfo, int, int8, int16, int32, int64, long,
    promote_types, set_default_dtype, short, uint8, can_cast,
)
from ._dtype import result_type as _result_type
from ._device import device, get_default_device, set_default_device  # noqa: F401
from ._tensor import Size, Tensor  # noqa: F401
from ._tensor import _bind_methods
from ._creation import *  # noqa: F401,F403
from ._random import *  # noqa: F401,F403
from ._random import default_generator  # noqa: F401
from .autograd.grad_mode import (  # noqa: F401
    enable_grad, inference_mode, is_grad_enabled, is_inference_mode_enabled, no_grad,
    set_grad_enabled,
)
from ._tensor_str import set_printoptions, get_printoptions  # noqa: F401
from .ops.elementwise import *  # noqa: F401,F403
from .ops.reduce import *  # noqa: F401,F403
from .ops.shape import *  # noqa: F401,F403
from .ops.join import *  # noqa: F401,F403
from .ops.index import *  # noqa: F401,F403
from .ops.linalg import *  # noqa: F401,F403
from .ops.nn import *  # noqa: F401,F403
from .ops.calculus import *  # noqa: F401,F403
from .ops.flags import *  # noqa: F401,F403
from .ops.numeric import *  # noqa: F401,F403
from .ops.restructure import *  # noqa: F401,F403
from .ops.statistics import *  # noqa: F401,F403
from .ops.windows import *  # noqa: F401,F403
from .ops.special import *  # noqa: F401,F403
from .ops.search import *  # noqa: F401,F403
from .ops.finite_differences import *  # noqa: F401,F403
from .ops.legacy_linalg import *  # noqa: F401,F403
from .ops.sparse import *  # noqa: F401,F403
from ._typed import *  # noqa: F401,F403
from ._layout import *  # noqa: F401,F403
from ._constants import *  # noqa: F401,F403
from ._aliases import *  # noqa: F401,F403
from ._control_flow import *  # noqa: F401,F403
from ._autocast_state import *  # noqa: F401,F403

_bind_methods()


def result_type(tensor1, tensor2) -> dtype:
    """The dtype an operation on these two operands produces."""
    return _result_type(tensor1, tensor2)


def is_tensor(obj) -> bool:
    """Whether ``obj`` is an ember Tensor."""
    return isinstance(obj, Tensor)


def is_storage(obj) -> bool:
    """Whether ``obj`` is a storage (a tensor's flat memory)."""
    from .storage import TypedStorage, UntypedStorage
    return isinstance(obj, (UntypedStorage, TypedStorage))


def is_floating_point(input) -> bool:
    """Whether the tensor's dtype is a floating-point type."""
    return input.is_floating_point()


def is_complex(input) -> bool:
    """Whether the tensor's dtype is complex."""
    return input.is_complex()


def is_nonzero(input) -> bool:
    """The truth value of a one-element tensor."""
    if input.numel() != 1:
        raise RuntimeError("Boolean value of Tensor with more than one value is ambiguous")
    return builtins_bool(input.item())


def numel(input) -> int:
    """Number of elements of ``input``."""
    return input.numel()


import builtins as _builtins  # noqa: E402

builtins_bool = _builtins.bool

# submodules loaded on first attribute access (``import ember`` stays fast)
_LAZY_MODULES = {
    "nn", "optim", "utils", "cuda", "backends", "linalg", "autograd", "random", "accelerator",
    "vision", "serialization", "return_types", "amp", "func", "profiler", "testing",
    "futures", "_C",
    "fx", "jit", "onnx", "compiler", "_dynamo", "special", "fft", "version", "torch_version",
    "hub", "distributions", "distributed", "multiprocessing", "cpu", "types", "storage",
    "sparse",
}


def __getattr__(name):
    if name in _LAZY_MODULES:
        mod = _importlib.import_module(f"{__name__}.{name}")
        globals()[name] = mod
        from ._naming import rename_loaded_classes
        rename_loaded_classes()  # under the runner, its classes print as torch's
        return mod
    if name in ("UntypedStorage", "TypedStorage"):
        from . import storage
        return getattr(storage, name)
    if name in ("save", "load"):
        from . import serialization
        return getattr(serialization, name)
    if name == "autocast":
        from .amp import autocast
        return autocast
    if name in _FUNCTIONAL_ALIASES:
        from .nn import functional
        return getattr(functional, name)
    # torch.X forms of other APIs (ATen argument orders, in-place ops)
    _aten = _importlib.import_module(f"{__name__}._aten")
    if name in _aten.__all__:
        return getattr(_aten, name)
    if name == "compile":
        from ._dynamo import compile
        return compile
    if name in _COMPILE_NAMES:
        from . import _compat
        return getattr(_compat, name)
    from ._left_out import missing_in_module
    raise missing_in_module("torch", __name__, name)


# torch.X names that are nn.functional's functions with the same signature
_FUNCTIONAL_ALIASES = {"dropout", "alpha_dropout", "feature_dropout", "bilinear",
                       "cosine_similarity", "pairwise_distance", "conv1d", "conv2d", "conv3d",
                       "conv_transpose1d", "conv_transpose2d", "conv_transpose3d", "pixel_shuffle",
                       "pixel_unshuffle", "channel_shuffle", "native_channel_shuffle", "pdist"}
_COMPILE_NAMES = {"use_deterministic_algorithms", "are_deterministic_algorithms_enabled",
                  "is_deterministic_algorithms_warn_only_enabled", "set_deterministic_debug_mode",
                  "get_deterministic_debug_mode",
                  "set_num_threads", "get_num_threads", "set_num_interop_threads",
                  "get_num_interop_threads", "set_float32_matmul_precision",
                  "get_float32_matmul_precision", "set_anomaly_enabled", "typename",
                  "broadcast_shapes", "broadcast_tensors", "manual_seed_all", "is_anomaly_enabled",
                  "is_anomaly_check_nan_enabled"}

# torch.sum(ndarray) & co. raise torch's "must be Tensor" TypeError
from ._argtypes import guard_namespace as _guard_namespace  # noqa: E402

_guard_namespace(globals())
