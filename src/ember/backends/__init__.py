"""``torch.backends``: switches for vendor libraries. ember uses none of them, so the flags
are recorded for scripts that set them and the availability checks answer for ember."""
from . import cpu, cuda, cudnn, mkl, mkldnn, mps, openmp  # noqa: F401

__all__ = ["cpu", "cuda", "cudnn", "mkl", "mkldnn", "mps", "openmp"]
