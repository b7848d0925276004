"""``torch.backends.mkl``: whether MKL serves ember's BLAS calls (through NumPy)."""


def is_available() -> bool:
    """Whether NumPy is linked against MKL."""
    import numpy as np
    config = np.show_config(mode="dicts") or {}
    blas = config.get("Build Dependencies", {}).get("blas", {})
    return "mkl" in str(blas.get("name", "")).lower()
