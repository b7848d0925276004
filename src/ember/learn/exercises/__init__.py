"""The exercises of the track, in order. Each chapter module lists its records in
``EXERCISES``; the position in the whole track is the exercise's number."""
from __future__ import annotations

from . import ch1_tensors, ch2_autograd, ch3_nn, ch4_losses, ch5_data, ch6_training

ALL = []
for _chapter in (ch1_tensors, ch2_autograd, ch3_nn, ch4_losses, ch5_data, ch6_training):
    ALL.extend(_chapter.EXERCISES)
for _number, _exercise in enumerate(ALL, start=1):
    _exercise.number = _number

_BY_NAME = {e.name: e for e in ALL}
assert len(_BY_NAME) == len(ALL), "exercise names must be unique"


def by_name(name: str):
    """The exercise called ``name`` (KeyError if there is none)."""
    return _BY_NAME[name]


def find(target: str):
    """The exercise a learner means by ``target``: its number, its name or its file name
    (``5``, ``views``, ``05_views``, ``05_views.py``); None if none matches."""
    target = target.strip().removesuffix(".py")
    if target.isdigit():
        n = int(target)
        return ALL[n - 1] if 1 <= n <= len(ALL) else None
    if target in _BY_NAME:
        return _BY_NAME[target]
    head, _, rest = target.partition("_")
    if head.isdigit() and rest in _BY_NAME and _BY_NAME[rest].number == int(head):
        return _BY_NAME[rest]
    return None
