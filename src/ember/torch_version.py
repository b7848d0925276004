"""``torch.torch_version``: the version string that compares with tuples and strings."""
from __future__ import annotations

__all__ = ["TorchVersion", "__version__"]


def _key(version) -> tuple:
    """Sort key of a version given as a string (``2.13.0+cpu``) or a tuple of ints: the
    release numbers (trailing zeros dropped) and then the local label, which sorts after
    none, as packaging orders them."""
    if isinstance(version, tuple):
        version = ".".join(str(part) for part in version)
    public, _, local = str(version).partition("+")
    release = [int(p) for p in public.split(".") if p.isdigit()]
    while release and release[-1] == 0:
        release.pop()
    return tuple(release), (1, local) if local else (0, "")


class TorchVersion(str):
    """A version string that also compares, by version order, with tuples and strings."""

    def _compare(self, other, op):
        if not isinstance(other, (str, tuple)):
            return NotImplemented
        return op(_key(self), _key(other))

    def __eq__(self, other):
        return self._compare(other, lambda a, b: a == b)

    def __ne__(self, other):
        return self._compare(other, lambda a, b: a != b)

    def __lt__(self, other):
        return self._compare(other, lambda a, b: a < b)

    def __le__(self, other):
        return self._compare(other, lambda a, b: a <= b)

    def __gt__(self, other):
        return self._compare(other, lambda a, b: a > b)

    def __ge__(self, other):
        return self._compare(other, lambda a, b: a >= b)

    __hash__ = str.__hash__


TorchVersion.__module__ = "torch.torch_version"

# the PyTorch release whose API ember follows, spelled as its CPU build spells it
__version__ = TorchVersion("2.13.0+cpu")
