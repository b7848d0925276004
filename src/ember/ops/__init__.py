"""Differentiable primitives grouped by kind, each forward beside its backward.

Every module lists in ``TENSOR_METHODS`` the functions that also become ``Tensor``
methods (their first argument is the tensor), and in ``__all__`` those that the
``ember`` namespace exports.
"""
from . import elementwise, reduce, shape, join, index, linalg, fill, nn  # noqa: F401
from . import calculus, flags, method_forms, numeric, restructure, statistics  # noqa: F401
from . import windows, legacy_linalg, search  # noqa: F401
from . import special  # noqa: F401
from . import sparse  # noqa: F401

METHOD_MODULES = (elementwise, reduce, shape, join, index, linalg, fill, nn, calculus,
                  flags, method_forms, numeric, restructure, statistics, windows, legacy_linalg,
                  search, special, sparse)
