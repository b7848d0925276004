"""``torch.version``: what the build is, as PyTorch's CPU build reports it."""
from .torch_version import __version__  # noqa: F401

__all__ = ["__version__", "cuda", "debug", "git_version", "hip", "rocm", "xpu"]

cuda = None  # a CPU build: no CUDA toolkit version (ember's GPU path is CuPy's)
hip = None
rocm = None
xpu = None
debug = False
git_version = "cf30153c4c131c8164ee7798e5022d810682e2cb"  # PyTorch 2.13.0's release commit
