"""Normalisation functions, as torch.nn.functional: batch, instance, layer, group, RMS and
local response normalisation. Statistics and the backward come from one fused
primitive (``ember.ops.conv.Normalize``)."""
from __future__ import annotations

from typing import Optional, Sequence, Union

from ... import _dtype as D
from ..._tensor import Size, Tensor
from ...autograd.function import renamed
from ...ops import conv as C

__all__ = ["batch_norm", "instance_norm", "layer_norm", "group_norm", "rms_norm",
           "local_response_norm"]

_Shape = Union[int, Sequence[int], Size]


def _channel_shape(x: Tensor):
    """Shape broadcasting a per-channel vector against (N, C, *S)."""
    return (-1,) + (1,) * (x.dim() - 2)


def _update_running(running: Tensor, value, m: float):
    """``running = (1 - m) * running + m * value``, in place."""
    data = running._data
    data *= 1 - m
    data += (m * value).astype(data.dtype, copy=False)
    running._bump()


def batch_norm(input: Tensor, running_mean: Optional[Tensor], running_var: Optional[Tensor],
               weight: Optional[Tensor] = None, bias: Optional[Tensor] = None,
               training: bool = False, momentum: float = 0.1,
               eps: float = 1e-5) -> Tensor:
    """Normalise each channel of an (N, C, *S) input over the batch and spatial axes.

    Training uses the batch statistics and updates the running ones in place (with the
    unbiased variance); evaluation uses the running statistics.
    """
    if input.dim() < 2:
        raise ValueError(f"Expected 2D or higher input (got {input.dim()}D input)")
    c = input.shape[1]
    for name, t in (("running_mean", running_mean), ("running_var", running_var),
                    ("weight", weight), ("bias", bias)):
        if t is not None and t.numel() != c:
            raise RuntimeError(f"{name} should contain {c} elements not {t.numel()}")
    shape = _channel_shape(input)
    if training:
        n = input.numel() // c
        if n <= 1:
            raise ValueError(f"Expected more than 1 value per channel when training, got input "
                             f"size {input.shape}")
        axes = (0,) + tuple(range(2, input.dim()))
        y, mean, var = _BatchNormalize.apply(
            input, None if weight is None else weight.reshape(shape),
            None if bias is None else bias.reshape(shape), axes, eps)
        if running_mean is not None or running_var is not None:
            m = mean._data.reshape(-1)
            var = var._data.reshape(-1) * (n / (n - 1))
            if running_mean is not None:
                _update_running(running_mean, m, momentum)
            if running_var is not None:
                _update_running(running_var, var, momentum)
        return y
    if running_mean is None or running_var is None:
        raise RuntimeError("running_mean and running_var must be defined in evaluation mode")
    scale = (running_var + eps).rsqrt()
    if weight is not None:
        scale = scale * weight
    shift = -running_mean * scale
    if bias is not None:
        shift = shift + bias
    return input * scale.reshape(shape) + shift.reshape(shape)


_BatchNormalize = renamed(C.Normalize, "NativeBatchNormBackward0")


def instance_norm(input: Tensor, running_mean: Optional[Tensor] = None,
                  running_var: Optional[Tensor] = None, weight: Optional[Tensor] = None,
                  bias: Optional[Tensor] = None, use_input_stats: bool = True,
                  momentum: float = 0.1, eps: float = 1e-5) -> Tensor:
    """Normalise each channel of each sample of an (N, C, *S) input over its spatial axes."""
    if not use_input_stats:
        return batch_norm(input, running_mean, running_var, weight, bias, False, momentum, eps)
    spatial = input.numel() // max(input.shape[0] * input.shape[1], 1)
    if spatial <= 1:
        raise ValueError(f"Expected more than 1 spatial element when training, got input size "
                         f"{input.shape}")
    shape = _channel_shape(input)
    axes = tuple(range(2, input.dim()))
    y, mean, var = C.Normalize.apply(
        input, None if weight is None else weight.reshape(shape),
        None if bias is None else bias.reshape(shape), axes, eps)
    if running_mean is not None or running_var is not None:
        m = mean._data.reshape(input.shape[:2]).mean(0)
        var = (var._data.reshape(input.shape[:2]) * (spatial / (spatial - 1))).mean(0)
        if running_mean is not None:
            _update_running(running_mean, m, momentum)
        if running_var is not None:
            _update_running(running_var, var, momentum)
    return y


def _normalized_shape(normalized_shape: _Shape) -> tuple:
    if isinstance(normalized_shape, int):
        return (normalized_shape,)
    return tuple(int(s) for s in normalized_shape)


def _check_normalized(input: Tensor, shape: tuple):
    if tuple(input.shape[input.dim() - len(shape):]) != shape or input.dim() < len(shape):
        want = ", ".join(str(s) for s in shape)
        raise RuntimeError(f"Given normalized_shape={list(shape)}, expected input with shape "
                           f"[*, {want}], but got input of size{list(input.shape)}")


def layer_norm(input: Tensor, normalized_shape: _Shape, weight: Optional[Tensor] = None,
               bias: Optional[Tensor] = None, eps: float = 1e-5) -> Tensor:
    """Normalise over the trailing ``normalized_shape`` dimensions, then scale and shift."""
    shape = _normalized_shape(normalized_shape)
    _check_normalized(input, shape)
    axes = tuple(range(input.dim() - len(shape), input.dim()))
    return C.Normalize.apply(input, weight, bias, axes, eps)[0]


def group_norm(input: Tensor, num_groups: int, weight: Optional[Tensor] = None,
               bias: Optional[Tensor] = None, eps: float = 1e-5) -> Tensor:
    """Normalise each group of channels of each sample, then scale and shift per channel."""
    if input.dim() < 2:
        raise RuntimeError(f"Expected at least 2 dimensions for input tensor but received "
                           f"{input.dim()}")
    n, c = input.shape[:2]
    if c % num_groups:
        raise RuntimeError(f"Expected number of channels in input to be divisible by "
                           f"num_groups, but got input of shape {list(input.shape)} and "
                           f"num_groups={num_groups}")
    x = input.reshape(n, num_groups, c // num_groups, -1)
    wshape = (num_groups, c // num_groups, 1)
    y = C.Normalize.apply(x, None if weight is None else weight.reshape(wshape),
                          None if bias is None else bias.reshape(wshape), (2, 3), eps)[0]
    return y.reshape(input.shape)


def rms_norm(input: Tensor, normalized_shape: _Shape, weight: Optional[Tensor] = None,
             eps: Optional[float] = None) -> Tensor:
    """Divide by the root mean square over the trailing dimensions, then scale."""
    shape = _normalized_shape(normalized_shape)
    _check_normalized(input, shape)
    if eps is None:
        eps = D.finfo(input.dtype).eps
    dims = tuple(range(input.dim() - len(shape), input.dim()))
    y = input * ((input * input).mean(dims, keepdim=True) + eps).rsqrt()
    return y if weight is None else y * weight


def local_response_norm(input: Tensor, size: int, alpha: float = 1e-4, beta: float = 0.75,
                        k: float = 1.0) -> Tensor:
    """Normalise each value by the energy of its ``size`` neighbouring channels."""
    if input.dim() < 3:
        raise ValueError(f"Expected 3D or higher dimensionality input (got {input.dim()} "
                         f"dimensions)")
    if input.numel() == 0:
        return input
    from .conv import avg_pool2d, pad
    sq = (input * input).unsqueeze(1)
    n, c = input.shape[:2]
    # channels become a spatial axis of a one-channel image, averaged over a window
    flat = sq.reshape(n, 1, c, -1)
    flat = pad(flat, (0, 0, size // 2, (size - 1) // 2))
    div = avg_pool2d(flat, (size, 1), stride=1).reshape(input.shape)
    return input / (div * alpha + k).pow(beta)

