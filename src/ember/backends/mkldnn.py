"""``torch.backends.mkldnn``: oneDNN, which ember does not use (NumPy's BLAS does the work)."""

enabled = True


def is_available() -> bool:
    """Whether oneDNN can be used: never in ember."""
    return False
