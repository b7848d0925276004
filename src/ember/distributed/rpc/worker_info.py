"""``WorkerInfo``: a worker's name and id, and the rule for valid names."""
from __future__ import annotations

import re

_NAME = re.compile(r"[A-Za-z0-9_:\-]+")
_MAX_NAME = 128


class WorkerInfo:
    """Who a worker is: its unique ``name`` and its ``id`` (the MPI rank)."""
    __slots__ = ("name", "id")

    def __init__(self, name: str, id: int) -> None:  # noqa: A002 (torch's field name)
        self.name = name
        self.id = id

    def __eq__(self, other) -> bool:
        return (isinstance(other, WorkerInfo) and self.id == other.id
                and self.name == other.name)

    def __hash__(self) -> int:
        return hash((self.id, self.name))

    def __repr__(self) -> str:
        return f"WorkerInfo(id={self.id}, name={self.name})"

    def __reduce__(self):
        return WorkerInfo, (self.name, self.id)


def check_name(name) -> None:
    """Raise a ValueError unless ``name`` is a usable worker name (as torch restricts them)."""
    if not isinstance(name, str) or not _NAME.fullmatch(name) or len(name) > _MAX_NAME:
        raise ValueError(f"Worker name must match ^[A-Za-z0-9-_:]*$ and be at most "
                         f"{_MAX_NAME} characters long (given: {name!r})")
