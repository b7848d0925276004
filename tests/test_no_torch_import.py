"""ember must run without PyTorch: no module under src/ember may import it, and the optional
extras (SciPy, mpi4py, ONNX, TensorBoard, ...) are imported only inside the functions that need
them, so that ``import ember`` and everything else work with NumPy alone."""
import ast
import pathlib

import pytest

import ember

_SRC = pathlib.Path(ember.__file__).parent
_FORBIDDEN = {"torch", "torchvision"}
_OPTIONAL = {"scipy", "mpi4py", "onnx", "onnxruntime", "tensorboard", "safetensors", "PIL",
             "matplotlib", "tqdm", "cupy"}
# namespaces that are a front for one extra, as in torch: importing them without it fails at
# once with the install command (torch.utils.tensorboard does the same)
_FRONTS = {"utils/tensorboard"}
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


def _module_level_roots(tree):
    """(line, package) for the imports that run when the module is imported: those outside
    any function body (a ``try`` around them does not make them lazy)."""
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        if isinstance(node, ast.ClassDef):
            yield from _module_level_roots(node)
            continue
        yield from _imported_roots(node)


def test_the_scan_tells_lazy_imports_from_eager_ones():
    tree = ast.parse("import scipy\ndef f():\n    import mpi4py\n")
    assert [root for _, root in _module_level_roots(tree)] == ["scipy"]


@pytest.mark.parametrize("path", _sources(), ids=lambda p: str(p.relative_to(_SRC)))
def test_optional_extras_are_imported_lazily(path):
    if any(path.relative_to(_SRC).as_posix().startswith(front) for front in _FRONTS):
        pytest.skip("a front for its extra: importing it without the extra is the error")
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    bad = [(line, root) for line, root in _module_level_roots(tree) if root in _OPTIONAL]
    assert not bad, f"{path.relative_to(_SRC)} imports an optional extra when imported: {bad}"
