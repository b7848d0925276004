"""The drop-in runner: ``python -m ember.run script.py`` serves ``torch`` from ember."""
import importlib.util
import os
import subprocess
import sys
import textwrap

import pytest

import ember
from ember import run as ember_run


def _run(args, cwd, env=None):
    """Run ``python -m ember.run *args`` in ``cwd``; returns the CompletedProcess."""
    full_env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")
    full_env.update(env or {})
    return subprocess.run([sys.executable, "-m", "ember.run", *args], cwd=cwd, env=full_env,
                          capture_output=True, text=True, timeout=120)


def _script(tmp_path, body, name="script.py"):
    path = tmp_path / name
    path.write_text(textwrap.dedent(body))
    return path


# -- the import aliases, in process -------------------------------------------------------
def test_ember_name_maps_torch_and_submodules():
    assert ember_run.ember_name("torch") == "ember"
    assert ember_run.ember_name("torch.nn.functional") == "ember.nn.functional"


def test_ember_name_maps_torchvision_to_vision():
    assert ember_run.ember_name("torchvision") == "ember.vision"
    assert ember_run.ember_name("torchvision.transforms") == "ember.vision.transforms"


def test_ember_name_leaves_other_modules_alone():
    assert ember_run.ember_name("torchaudio") is None
    assert ember_run.ember_name("numpy") is None


def test_import_ember_as_torch_works():
    import ember as torch
    assert torch.tensor([1.0, 2.0]).sum().item() == 3.0


def test_version_is_a_torch_like_string():
    assert isinstance(ember.__version__, str)
    assert ember.__version__.split(".")[:2] == ["2", "13"]


# -- scripts run through the runner --------------------------------------------------------
def test_runner_serves_torch_and_its_submodules(tmp_path):
    _script(tmp_path, """
        import sys
        import torch
        import torch.nn as nn
        import torch.nn.functional as F
        from torch.utils.data import DataLoader, TensorDataset
        import torch.optim
        print(torch.__name__, nn.__name__, F.__name__, torch.optim.__name__)
        print(sys.modules["torch.nn"] is sys.modules["ember.nn"])
    """)
    res = _run(["script.py"], tmp_path)
    assert res.returncode == 0, res.stderr
    assert res.stdout.split("\n")[:2] == ["ember ember.nn ember.nn.functional ember.optim",
                                          "True"]


def test_runner_serves_torchvision_from_ember_vision(tmp_path):
    _script(tmp_path, """
        import torchvision
        import torchvision.transforms as T
        print(torchvision.__name__, T.__name__)
    """)
    res = _run(["script.py"], tmp_path)
    assert res.returncode == 0, res.stderr
    assert res.stdout.strip() == "ember.vision ember.vision.transforms"


def test_aliased_module_keeps_its_own_spec(tmp_path):
    _script(tmp_path, """
        import torch.nn
        print(torch.nn.__spec__.name)
    """)
    res = _run(["script.py"], tmp_path)
    assert res.stdout.strip() == "ember.nn", res.stderr


@pytest.mark.skipif(importlib.util.find_spec("torch") is None,
                    reason="needs real PyTorch installed to show the runner shadows it")
def test_runner_shadows_installed_torch(tmp_path):
    _script(tmp_path, """
        import os, torch
        print(os.path.dirname(torch.__file__))
    """)
    res = _run(["script.py"], tmp_path)
    assert res.returncode == 0, res.stderr
    assert res.stdout.strip() == os.path.dirname(ember.__file__)


def test_script_trains_with_torch_api(tmp_path):
    _script(tmp_path, """
        import torch
        x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
        (x ** 2).sum().backward()
        print(x.grad.tolist())
    """)
    res = _run(["script.py"], tmp_path)
    assert res.stdout.strip() == "[2.0, 4.0, 6.0]", res.stderr


def test_missing_torch_submodule_is_module_not_found(tmp_path):
    _script(tmp_path, """
        try:
            import torch.no_such_module
        except ModuleNotFoundError as err:
            print(err.name)
    """)
    res = _run(["script.py"], tmp_path)
    assert res.stdout.strip() == "torch.no_such_module", res.stderr


def test_script_sees_its_argv(tmp_path):
    _script(tmp_path, "import sys; print(sys.argv)")
    res = _run(["script.py", "--lr", "0.1", "x"], tmp_path)
    assert res.stdout.strip() == "['script.py', '--lr', '0.1', 'x']", res.stderr


def test_script_runs_as_main(tmp_path):
    _script(tmp_path, """
        if __name__ == "__main__":
            print("main")
    """)
    assert _run(["script.py"], tmp_path).stdout.strip() == "main"


def test_script_directory_is_first_on_path(tmp_path):
    sub = tmp_path / "proj"
    sub.mkdir()
    (sub / "sibling.py").write_text("VALUE = 7\n")
    _script(sub, "import sys, sibling; print(sibling.VALUE, sys.path[0])")
    res = _run([os.path.join("proj", "script.py")], tmp_path)
    assert res.stdout.strip() == f"7 {os.path.realpath(sub)}", res.stderr


def test_exit_status_passes_through(tmp_path):
    _script(tmp_path, "import sys; sys.exit(3)")
    assert _run(["script.py"], tmp_path).returncode == 3


def test_exit_message_goes_to_stderr_with_status_1(tmp_path):
    _script(tmp_path, "import sys; sys.exit('bad input')")
    res = _run(["script.py"], tmp_path)
    assert (res.returncode, res.stderr.strip()) == (1, "bad input")


def test_uncaught_exception_shows_only_the_scripts_traceback(tmp_path):
    _script(tmp_path, """
        def fail():
            raise ValueError("boom")
        fail()
    """)
    res = _run(["script.py"], tmp_path)
    lines = res.stderr.strip().splitlines()
    assert res.returncode == 1
    assert lines[0] == "Traceback (most recent call last):"
    # absolute, as ``python script.py`` prints it
    assert lines[1].startswith(f'  File "{tmp_path / "script.py"}", line 4, in <module>')
    assert lines[-1] == "ValueError: boom"
    assert "ember" not in res.stderr


def test_classes_defined_in_the_script_pickle(tmp_path):
    _script(tmp_path, """
        import pickle
        class Point:
            def __init__(self, x):
                self.x = x
        print(pickle.loads(pickle.dumps(Point(4))).x)
    """)
    res = _run(["script.py"], tmp_path)
    assert res.stdout.strip() == "4", res.stderr


def test_runner_writes_no_files(tmp_path):
    _script(tmp_path, "import torch, torch.nn, torchvision")
    before = sorted(p.name for p in tmp_path.rglob("*"))
    assert _run(["script.py"], tmp_path).returncode == 0
    assert sorted(p.name for p in tmp_path.rglob("*")) == before


def test_module_form_runs_a_module_as_main(tmp_path):
    pkg = tmp_path / "pkg"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    _script(pkg, """
        import sys, torch
        print(__name__, sys.argv[1:], torch.__name__)
    """, name="tool.py")
    res = _run(["-m", "pkg.tool", "a"], tmp_path)
    assert res.stdout.strip() == "__main__ ['a'] ember", res.stderr


def test_missing_script_exits_2(tmp_path):
    res = _run(["nothing_here.py"], tmp_path)
    assert res.returncode == 2
    assert "can't open file" in res.stderr


def test_no_arguments_prints_usage_and_exits_2(tmp_path):
    res = _run([], tmp_path)
    assert (res.returncode, res.stderr.startswith("usage:")) == (2, True)


# -- what the script sees, as under real PyTorch --------------------------------------------
def test_script_file_is_absolute_and_argv_as_typed(tmp_path):
    _script(tmp_path, "import sys; print(__file__); print(sys.argv[0])")
    res = _run(["script.py"], tmp_path)
    assert res.stdout.splitlines() == [str(tmp_path / "script.py"), "script.py"], res.stderr


def test_help_explains_the_runner(tmp_path):
    res = _run(["--help"], tmp_path)
    assert res.returncode == 0 and res.stdout.startswith("usage:")
    assert "-m module" in res.stdout and "torchvision" in res.stdout


_NAMES_SCRIPT = """
    import importlib.metadata
    import torch
    import torch.nn as nn
    model = nn.Sequential(nn.Linear(2, 2), nn.ReLU())
    print(type(model))
    print(type(model[0]).__module__, type(torch.optim.SGD(model.parameters(), lr=1)).__module__)
    print(torch.__version__, type(torch.__version__).__name__, torch.__version__ >= (2, 13))
    print(importlib.metadata.version("torch"))
    print(torch.version.__version__, torch.version.cuda, torch.version.hip, torch.version.debug)
    try:
        torch.no_such_function
    except AttributeError as err:
        print(err)
"""


def test_runner_names_classes_and_versions_as_torch(tmp_path):
    _script(tmp_path, _NAMES_SCRIPT)
    res = _run(["script.py"], tmp_path)
    lines = res.stdout.splitlines()
    assert lines[0] == "<class 'torch.nn.modules.container.Sequential'>", res.stderr
    assert lines[1:4] == ["torch.nn.modules.linear torch.optim.sgd",
                          "2.13.0+cpu TorchVersion True", "2.13.0+cpu"]
    assert lines[5] == "module 'torch' has no attribute 'no_such_function'"


def test_runner_output_matches_real_torch(tmp_path):
    pytest.importorskip("torch", reason="compares with real PyTorch")
    path = _script(tmp_path, _NAMES_SCRIPT)
    ours = _run(["script.py"], tmp_path)
    theirs = subprocess.run([sys.executable, str(path)], cwd=tmp_path, capture_output=True,
                            text=True, timeout=120)
    assert ours.stdout == theirs.stdout, ours.stderr + theirs.stderr


def test_plain_ember_keeps_its_own_names():
    assert type(ember.nn.Linear(1, 1)).__module__ == "ember.nn.modules.linear"
