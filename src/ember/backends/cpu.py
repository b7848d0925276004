"""``torch.backends.cpu``: what the CPU offers to ember."""


def get_cpu_capability() -> str:
    """The vector instruction set PyTorch would pick; ember leaves that to NumPy."""
    return "DEFAULT"
