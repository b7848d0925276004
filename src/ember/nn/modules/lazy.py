"""Lazy modules: layers whose input size is read from the first input they see.

A lazy layer starts with uninitialised parameters; a forward pre-hook calls
``initialize_parameters(*inputs)`` once, which gives them their shapes and draws their
initial values, and the module then turns into its ordinary class (``cls_to_become``).
"""
from __future__ import annotations

from ... import _dtype as D
from ..._creation import tensor
from ..._tensor import Tensor
from ..parameter import UninitializedBuffer, UninitializedParameter, is_lazy
from .conv import (Conv1d, Conv2d, Conv3d, ConvTranspose1d, ConvTranspose2d, ConvTranspose3d)
from .normalization import (BatchNorm1d, BatchNorm2d, BatchNorm3d, InstanceNorm1d,
                            InstanceNorm2d, InstanceNorm3d)

__all__ = ["LazyModuleMixin", "LazyConv1d", "LazyConv2d", "LazyConv3d", "LazyConvTranspose1d",
           "LazyConvTranspose2d", "LazyConvTranspose3d", "LazyBatchNorm1d", "LazyBatchNorm2d",
           "LazyBatchNorm3d", "LazyInstanceNorm1d", "LazyInstanceNorm2d",
           "LazyInstanceNorm3d"]


class LazyModuleMixin:
    """Mix into a Module whose parameters are created from the first input: subclasses
    implement ``initialize_parameters(*args, **kwargs)`` and name ``cls_to_become``."""

    cls_to_become: type | None = None

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._initialize_hook = self.register_forward_pre_hook(self._infer_parameters,
                                                               with_kwargs=True)

    def has_uninitialized_params(self) -> bool:
        """Whether a parameter or buffer of this module (not its children) lacks a shape."""
        own = list(self._parameters.values()) + list(self._buffers.values())
        return any(is_lazy(t) for t in own if t is not None)

    def initialize_parameters(self, *args, **kwargs) -> None:
        """Give the parameters their shapes from the inputs and initialise them."""
        raise NotImplementedError(f"initialize_parameters is not implemented for "
                                  f"{type(self).__name__}")

    @staticmethod
    def _infer_parameters(module, args, kwargs=None):
        module.initialize_parameters(*args, **(kwargs or {}))
        if module.has_uninitialized_params():
            raise RuntimeError(f"module {module._get_name()} has not been fully initialized")
        module._initialize_hook.remove()
        del module._initialize_hook
        if module.cls_to_become is not None:
            module.__class__ = module.cls_to_become

    def _replicate_for_data_parallel(self):
        raise RuntimeError("Modules with uninitialized parameters can't be used with "
                           "`DataParallel`. Run a dummy forward pass to correctly initialize "
                           "the modules")


# -- convolutions ----------------------------------------------------------------------------
class _LazyConvMixin(LazyModuleMixin):
    """In-channels from dimension 1 of a batched input (0 of an unbatched one)."""

    def _make_lazy(self, out_channels: int, bias: bool, device, dtype) -> None:
        self.out_channels = out_channels
        self.weight = UninitializedParameter(device=device, dtype=dtype)
        if bias:
            self.bias = UninitializedParameter(device=device, dtype=dtype)

    def reset_parameters(self) -> None:
        if not self.has_uninitialized_params() and self.in_channels != 0:
            super().reset_parameters()

    def initialize_parameters(self, input: Tensor, *args, **kwargs) -> None:
        if not self.has_uninitialized_params():
            return
        n = self._n
        if input.dim() not in (n + 1, n + 2):
            raise RuntimeError(f"Expected {n + 1}D (unbatched) or {n + 2}D (batched) input to "
                               f"{type(self).__name__}, but got input of size: {input.shape}")
        self.in_channels = input.shape[1] if input.dim() == n + 2 else input.shape[0]
        if self.in_channels % self.groups != 0:
            raise ValueError("in_channels must be divisible by groups")
        if self.transposed:
            shape = (self.in_channels, self.out_channels // self.groups)
        else:
            shape = (self.out_channels, self.in_channels // self.groups)
        self.weight.materialize(shape + self.kernel_size)
        if self.bias is not None:
            self.bias.materialize((self.out_channels,))
        self.reset_parameters()


def _lazy_conv(base: type):
    """The lazy twin of a convolution class (same arguments, less ``in_channels``)."""
    transposed = base.transposed

    def __init__(self, out_channels: int, kernel_size, stride=1, padding=0, *rest,
                 bias: bool = True, device=None, dtype=None, **options) -> None:
        # build the ordinary layer with no channels, then swap in lazy parameters
        if transposed:
            names = ("output_padding", "groups", "bias", "dilation", "padding_mode")
        else:
            names = ("dilation", "groups", "bias", "padding_mode")
        given = dict(zip(names, rest))
        bias = given.pop("bias", bias)
        LazyModuleMixin.__init__(self, 0, 0, kernel_size, stride, padding, bias=False,
                                 device=device, dtype=dtype, **given, **options)
        self._make_lazy(out_channels, bias, device, dtype)

    name = "Lazy" + base.__name__
    doc = f"A {base.__name__} whose ``in_channels`` is read from the first input."
    return type(name, (_LazyConvMixin, base), {"__init__": __init__, "cls_to_become": base,
                                               "__doc__": doc, "__module__": __name__,
                                               "__qualname__": name})


LazyConv1d = _lazy_conv(Conv1d)
LazyConv2d = _lazy_conv(Conv2d)
LazyConv3d = _lazy_conv(Conv3d)
LazyConvTranspose1d = _lazy_conv(ConvTranspose1d)
LazyConvTranspose2d = _lazy_conv(ConvTranspose2d)
LazyConvTranspose3d = _lazy_conv(ConvTranspose3d)


# -- normalization ---------------------------------------------------------------------------
class _LazyNormMixin(LazyModuleMixin):
    """``num_features`` from dimension 1 of the first input."""

    def reset_parameters(self) -> None:
        if not self.has_uninitialized_params() and self.num_features != 0:
            super().reset_parameters()

    def initialize_parameters(self, input: Tensor, *args, **kwargs) -> None:
        if not self.has_uninitialized_params():
            return
        self.num_features = input.shape[1]
        for t in (self.weight, self.bias, self.running_mean, self.running_var):
            if t is not None:
                t.materialize((self.num_features,))
        self.reset_parameters()


def _make_lazy_norm(base: type):
    # PyTorch's lazy instance norms default to affine and tracked statistics too
    def __init__(self, eps: float = 1e-5, momentum=0.1, affine: bool = True,
                 track_running_stats: bool = True, device=None, dtype=None, *,
                 bias: bool = True) -> None:
        # the ordinary layer without tensors, then lazy ones in their place
        LazyModuleMixin.__init__(self, 0, eps, momentum, False, False, device, dtype,
                                 bias=False)
        self.affine, self.track_running_stats = affine, track_running_stats
        self._has_bias = affine and bias
        if affine:
            self.weight = UninitializedParameter(device=device, dtype=dtype)
            if bias:
                self.bias = UninitializedParameter(device=device, dtype=dtype)
        if track_running_stats:
            self.running_mean = UninitializedBuffer(device=device, dtype=dtype)
            self.running_var = UninitializedBuffer(device=device, dtype=dtype)
            self.num_batches_tracked = tensor(0, dtype=D.int64, device=device)

    name = "Lazy" + base.__name__
    doc = f"A {base.__name__} whose ``num_features`` is read from the first input."
    return type(name, (_LazyNormMixin, base), {"__init__": __init__, "cls_to_become": base,
                                               "__doc__": doc, "__module__": __name__,
                                               "__qualname__": name})


LazyBatchNorm1d = _make_lazy_norm(BatchNorm1d)
LazyBatchNorm2d = _make_lazy_norm(BatchNorm2d)
LazyBatchNorm3d = _make_lazy_norm(BatchNorm3d)
LazyInstanceNorm1d = _make_lazy_norm(InstanceNorm1d)
LazyInstanceNorm2d = _make_lazy_norm(InstanceNorm2d)
LazyInstanceNorm3d = _make_lazy_norm(InstanceNorm3d)
