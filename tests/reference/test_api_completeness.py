"""API completeness: every public name of torch's main namespaces is in ember or listed as left out.

``dir()`` of torch, torch.Tensor, torch.nn, torch.nn.functional, torch.optim, torch.linalg,
torch.fft, torch.special, torch.distributions, torch.utils.data and torch.autograd (less the
modules and typing names they merely import) is compared with ember's; what ember leaves out is
the commented list in ember/_left_out.py. Both sides are read in fresh interpreters so that imports
made by other tests do not change the answer.
"""
from __future__ import annotations

import fnmatch
import functools
import json
import os
import subprocess
import sys

import pytest

torch = pytest.importorskip("torch",
                            reason="torch is not installed; the API completeness audit needs it")

import ember  # noqa: E402
from ember import _left_out as api_left_out  # noqa: E402
from api_names import NAMESPACES  # noqa: E402

if torch.__version__.split(".")[:2] != ember.__version__.split(".")[:2]:
    pytest.skip(f"the left-out lists are for torch {ember.__version__}, not the installed "
                f"{torch.__version__}", allow_module_level=True)

_SCRIPT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "api_names.py")


def _run(lib: str, stdin: str = "") -> dict[str, list[str]]:
    done = subprocess.run([sys.executable, _SCRIPT, lib], input=stdin, capture_output=True,
                          text=True, timeout=120, check=False)
    assert done.returncode == 0, f"collecting {lib}'s names failed:\n{done.stderr[-3000:]}"
    return json.loads(done.stdout)


@functools.lru_cache(maxsize=None)
def _names() -> tuple[dict, dict]:
    """(torch's public names, the subset ember has), per namespace key."""
    torch_names = _run("torch")
    return torch_names, _run("ember", json.dumps(torch_names))


def _entries(value) -> list[str]:
    """The names in one listed value: a whitespace-separated string or a list of them."""
    return " ".join([value] if isinstance(value, str) else value).split()


def _listed(key: str) -> dict[str, str]:
    """Listed entry (name or glob) -> its group, for one namespace."""
    return {entry: group for group, table in api_left_out.GROUPS.items()
            for entry in _entries(table.get(key, ""))}


def _unexplained(key: str) -> list[str]:
    torch_names, ember_names = _names()
    patterns = list(_listed(key))
    missing = set(torch_names[key]) - set(ember_names[key])
    return sorted(n for n in missing if not any(fnmatch.fnmatchcase(n, p) for p in patterns))


KEYS = list(NAMESPACES)


def test_left_out_lists_name_known_namespaces():
    unknown = {key for table in api_left_out.GROUPS.values() for key in table} - set(KEYS)
    assert unknown == set()


@pytest.mark.parametrize("key", KEYS)
def test_every_torch_name_is_present_or_listed(key):
    missing = _unexplained(key)
    assert missing == [], (f"{key}: torch has {missing}, which ember neither provides nor lists in "
                           f"src/ember/_left_out.py")


@pytest.mark.parametrize("key", KEYS)
def test_listed_names_are_torch_names_ember_lacks(key):
    torch_names, ember_names = _names()
    have, torch_set = set(ember_names[key]), set(torch_names[key])
    exact = {entry: group for entry, group in _listed(key).items() if not any(c in entry
                                                                              for c in "*?[")}
    stale = sorted(f"{n} ({group})" for n, group in exact.items() if n in have)
    unknown = sorted(f"{n} ({group})" for n, group in exact.items() if n not in torch_set)
    globs = [p for p in _listed(key) if p not in exact]
    dead = sorted(p for p in globs
                  if not any(fnmatch.fnmatchcase(n, p) for n in torch_set - have))
    assert stale == [], f"{key}: ember now has {stale}, remove them from src/ember/_left_out.py"
    assert unknown == [], f"{key}: torch has no public {unknown}, fix src/ember/_left_out.py"
    assert dead == [], f"{key}: the patterns {dead} match no missing torch name, remove them"


def test_every_group_has_a_reason():
    assert set(api_left_out.GROUPS) - {"not implemented yet"} == set(api_left_out.REASONS)


@pytest.mark.parametrize("reach, words", [
    (lambda: ember.lobpcg, "ember does not implement torch.lobpcg yet"),
    (lambda: ember.zeros(2).stft, "ember does not implement torch.Tensor.stft yet"),
    (lambda: ember.distributions.VonMises,
     "ember does not implement torch.distributions.VonMises yet"),
    (lambda: ember.quantize_per_tensor,
     "ember leaves out torch.quantize_per_tensor: ember has no quantized dtypes"),
    (lambda: ember.nn.quantized, "ember leaves out torch.nn.quantized"),
])
def test_a_left_out_name_says_why(reach, words):
    with pytest.raises(AttributeError, match=words):
        reach()


def test_other_missing_names_fail_as_in_python():
    with pytest.raises(AttributeError) as info:
        ember.zeros(2).no_such_method
    assert str(info.value) == "'Tensor' object has no attribute 'no_such_method'"
    with pytest.raises(AttributeError) as info:
        ember.nn.no_such_layer
    assert str(info.value) == "module 'ember.nn' has no attribute 'no_such_layer'"
    assert not hasattr(ember, "lobpcg") and not hasattr(ember.zeros(1), "stft")
