"""Named result tuples (``torch.return_types``): ``values, indices = x.max(dim=0)``.

Each is a tuple subclass, so unpacking and indexing work, with its fields also
readable by name (``.values``, ``.indices``) and PyTorch's multi-line repr.
"""
from __future__ import annotations

__all__ = ["max", "min", "median", "nanmedian", "mode", "kthvalue", "sort", "topk", "cummax",
           "cummin", "aminmax", "slogdet", "qr", "svd", "linalg_eigh", "geqrf", "frexp",
           "histogram"]


class _NamedResult(tuple):
    """Base of the named result tuples; subclasses set ``_fields``."""

    __slots__ = ()
    _fields: tuple = ()

    def __new__(cls, seq):
        seq = tuple(seq)
        if len(seq) != len(cls._fields):
            raise TypeError(f"torch.return_types.{cls.__name__} takes a {len(cls._fields)}-"
                            f"sequence ({len(seq)}-sequence given)")
        return super().__new__(cls, seq)

    def __repr__(self) -> str:
        body = ",\n".join(f"{f}={v!r}" for f, v in zip(self._fields, self))
        return f"torch.return_types.{type(self).__name__}(\n{body})"

    __str__ = __repr__

    def __reduce__(self):
        return (type(self), (tuple(self),))

    @property
    def n_fields(self) -> int:
        return len(self._fields)

    n_sequence_fields = n_fields


def _named_result(name: str, fields: tuple) -> type:
    """A named result tuple class ``name`` with the given field names."""
    ns = {"__slots__": (), "_fields": fields, "__module__": __name__,
          "__doc__": f"Result of ``{name}``: ({', '.join(fields)})."}
    for i, f in enumerate(fields):
        ns[f] = property(lambda self, i=i: tuple.__getitem__(self, i))
    return type(name, (_NamedResult,), ns)


_VI = ("values", "indices")
max = _named_result("max", _VI)
min = _named_result("min", _VI)
median = _named_result("median", _VI)
nanmedian = _named_result("nanmedian", _VI)
mode = _named_result("mode", _VI)
kthvalue = _named_result("kthvalue", _VI)
sort = _named_result("sort", _VI)
topk = _named_result("topk", _VI)
cummax = _named_result("cummax", _VI)
cummin = _named_result("cummin", _VI)
aminmax = _named_result("aminmax", ("min", "max"))
slogdet = _named_result("slogdet", ("sign", "logabsdet"))
qr = _named_result("qr", ("Q", "R"))
svd = _named_result("svd", ("U", "S", "V"))
linalg_eigh = _named_result("linalg_eigh", ("eigenvalues", "eigenvectors"))
geqrf = _named_result("geqrf", ("a", "tau"))
frexp = _named_result("frexp", ("mantissa", "exponent"))
histogram = _named_result("histogram", ("hist", "bin_edges"))
