"""``torch.backends.cuda``: CUDA math switches, recorded (CuPy makes its own choices)."""
from __future__ import annotations

from .. import cuda as _cuda


class _MatmulFlags:
    """``torch.backends.cuda.matmul``: reduced-precision switches for GPU matrix products."""

    def __init__(self) -> None:
        self.allow_tf32 = False
        self.allow_fp16_reduced_precision_reduction = True
        self.allow_bf16_reduced_precision_reduction = True


matmul = _MatmulFlags()
_sdp = {"flash": True, "mem_efficient": True, "math": True, "cudnn": True}


def is_built() -> bool:
    """Whether ember can run on CUDA here (CuPy installed and a GPU present)."""
    return _cuda.is_available()


def flash_sdp_enabled() -> bool:
    """Whether the flash attention kernel may be chosen (recorded flag)."""
    return _sdp["flash"]


def mem_efficient_sdp_enabled() -> bool:
    """Whether the memory-efficient attention kernel may be chosen (recorded flag)."""
    return _sdp["mem_efficient"]


def math_sdp_enabled() -> bool:
    """Whether the plain math attention kernel may be chosen (recorded flag)."""
    return _sdp["math"]


def cudnn_sdp_enabled() -> bool:
    """Whether the cuDNN attention kernel may be chosen (recorded flag)."""
    return _sdp["cudnn"]


def enable_flash_sdp(enabled: bool) -> None:
    """Record the flash attention switch."""
    _sdp["flash"] = bool(enabled)


def enable_mem_efficient_sdp(enabled: bool) -> None:
    """Record the memory-efficient attention switch."""
    _sdp["mem_efficient"] = bool(enabled)


def enable_math_sdp(enabled: bool) -> None:
    """Record the math attention switch."""
    _sdp["math"] = bool(enabled)


def enable_cudnn_sdp(enabled: bool) -> None:
    """Record the cuDNN attention switch."""
    _sdp["cudnn"] = bool(enabled)
