"""ember must run without PyTorch: no module under src/ember may import it."""
import ast
import pathlib

import pytest

import ember

_SRC = pathlib.Path(ember.__file__).parent
_FORBIDDEN = {"torch", "torchvision", "scipy"}
# the bundled examples are plain PyTorch scripts: their ``import torch`` is answered by the
# runner's import hook (ember.run), so they are the one place such imports belong
_EXEMPT = {"examples"}


def _imported_roots(tree):
    """(line, top-level package) for every import statement in a module's AST."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name.partition(".")[0]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.lineno, node.module.partition(".")[0]
        elif isinstance(node, ast.Call) and getattr(node.func, "attr", None) == "import_module" \
                and node.args and isinstance(node.args[0], ast.Constant) \
                and isinstance(node.args[0].value, str):
            yield node.lineno, node.args[0].value.partition(".")[0]


def _sources():
    return sorted(p for p in _SRC.rglob("*.py") if p.relative_to(_SRC).parts[0] not in _EXEMPT)


def test_the_scan_sees_the_package():
    names = {p.name for p in _sources()}
    assert {"_tensor.py", "engine.py", "run.py"} <= names


def test_the_scan_finds_a_torch_import():
    found = [root for _, root in _imported_roots(ast.parse(
        "import os\nfrom torch.nn import Linear\nimport importlib\n"
        "importlib.import_module('torch')\n"))]
    assert found.count("torch") == 2


@pytest.mark.parametrize("path", _sources(), ids=lambda p: str(p.relative_to(_SRC)))
def test_module_imports_no_torch(path):
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    bad = [(line, root) for line, root in _imported_roots(tree) if root in _FORBIDDEN]
    assert not bad, f"{path.relative_to(_SRC)} imports {bad}"
