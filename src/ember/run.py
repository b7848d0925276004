"""The drop-in runner: ``python -m ember.run script.py [args...]`` runs an unmodified
PyTorch script on ember.

An import hook (a meta path finder placed ahead of every other) answers ``import torch``,
``import torch.X.Y`` and ``import torchvision.X`` with the modules ``ember``,
``ember.X.Y`` and ``ember.vision.X``, even where real PyTorch is installed. Nothing is
written to disk. The script then runs as ``python script.py`` would run it: as
``__main__``, with ``sys.argv`` and ``sys.path[0]`` set the same way, and its exit status
and traceback passed through. ``python -m ember.run -m package.module [args...]`` runs a
module instead.
"""
from __future__ import annotations

import builtins
import importlib
import importlib.abc
import importlib.machinery
import importlib.metadata
import io
import os
import runpy
import sys
import types

from . import _naming

__all__ = ["TorchAliasFinder", "install", "uninstall", "main"]

# import name prefix -> the ember module that serves it
ALIASES = {"torch": "ember", "torchvision": "ember.vision"}

_USAGE = "usage: python -m ember.run script.py [args...]\n" \
         "       python -m ember.run -m module [args...]\n"
_HELP = _USAGE + """
Run an unmodified PyTorch script on ember. The script's `import torch`, `torch.*`
and `torchvision.*` imports are served by ember (even where PyTorch is installed),
its classes and messages are named as torch's, and it runs as `python script.py`
would run it: as __main__, with its own sys.argv, sys.path[0] and exit status.

options:
  -m module   run a library module as the script, as `python -m module` does
  -h, --help  show this help and exit
"""


def ember_name(fullname: str) -> str | None:
    """The ember module that serves the import ``fullname``, or None for other names."""
    top, dot, rest = fullname.partition(".")
    target = ALIASES.get(top)
    if target is None:
        return None
    return target + dot + rest


class _AliasLoader(importlib.abc.Loader):
    """Hands the import system an ember module that is already loaded."""

    def __init__(self, module):
        self.module = module
        self.own_spec = module.__spec__

    def create_module(self, spec):
        """The already loaded ember module."""
        return self.module

    def exec_module(self, module):
        """Nothing to run; only undo the import system's renaming."""
        # the import system has just pointed __spec__ at the alias; the module keeps its own
        module.__spec__ = self.own_spec


class TorchAliasFinder(importlib.abc.MetaPathFinder):
    """Serves ``torch``, ``torch.*``, ``torchvision`` and ``torchvision.*`` from ember."""

    def find_spec(self, fullname, path=None, target=None):
        """A spec that hands over the ember module for a torch name (None for others)."""
        _naming.rename_loaded_classes()  # ember modules loaded since the last import
        name = ember_name(fullname)
        if name is None:
            return None
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as err:
            if err.name != name:
                raise  # a dependency of the ember module is missing: report that one
            raise ModuleNotFoundError(
                f"No module named '{fullname}' (ember serves it as '{name}', which does not "
                "exist)", name=fullname) from None
        _naming.rename_loaded_classes()  # what this import loaded prints as torch's too
        return importlib.machinery.ModuleSpec(
            fullname, _AliasLoader(module),
            is_package=hasattr(module, "__path__"))


    def find_distributions(self, context=importlib.metadata.DistributionFinder.Context()):
        """``importlib.metadata`` sees ``torch`` at the version ember implements."""
        if context.name in (None, "torch"):
            return [_TorchDistribution()]
        return []


class _TorchDistribution(importlib.metadata.Distribution):
    """The package metadata of the ``torch`` that ember stands in for."""

    def read_text(self, filename):
        """Only a METADATA file: the name and version."""
        if filename == "METADATA":
            from .torch_version import __version__
            return f"Metadata-Version: 2.1\nName: torch\nVersion: {__version__}\n"
        return None

    def locate_file(self, path):
        """The files of the package are ember's own."""
        return os.path.join(os.path.dirname(os.path.abspath(__file__)), str(path))


_finder = TorchAliasFinder()


def install() -> None:
    """Put the alias finder first on ``sys.meta_path`` (idempotent)."""
    if _finder not in sys.meta_path:
        sys.meta_path.insert(0, _finder)


def uninstall() -> None:
    """Remove the alias finder and forget the aliased module names."""
    if _finder in sys.meta_path:
        sys.meta_path.remove(_finder)
    for name in [n for n in sys.modules if ember_name(n) is not None]:
        del sys.modules[name]


def _run(argv: list) -> None:
    _naming.serve_as_torch()  # the script's classes and messages say torch, as it wrote
    if argv[0] == "-m":
        if len(argv) < 2:
            raise SystemExit("ember.run: -m needs a module name\n" + _USAGE)
        sys.argv = argv[1:]
        sys.path[0] = os.getcwd()
        install()
        from ._aliased_child import inherit
        inherit()
        runpy.run_module(argv[1], run_name="__main__", alter_sys=True)
        return
    script = argv[0]
    if not os.path.exists(script):
        sys.stderr.write(f"{sys.executable}: can't open file '{os.path.abspath(script)}': "
                         "[Errno 2] No such file or directory\n")
        raise SystemExit(2)
    sys.argv = list(argv)
    sys.path[0] = os.path.dirname(os.path.realpath(script))
    install()
    from ._aliased_child import inherit
    inherit()  # children started by spawn / forkserver alias torch too
    _exec_as_main(os.path.abspath(script))


def _exec_as_main(path: str) -> None:
    """Run the file at ``path`` as ``python script.py`` does: a fresh ``__main__`` whose
    ``__file__`` (and traceback file name) is absolute, ``sys.argv[0]`` left as typed."""
    with io.open_code(path) as f:
        code = compile(f.read(), path, "exec")
    main = types.ModuleType("__main__")
    main.__dict__.update(__file__=path, __cached__=None, __package__=None, __spec__=None,
                         __loader__=importlib.machinery.SourceFileLoader("__main__", path),
                         __builtins__=builtins)
    sys.modules["__main__"] = main
    exec(code, main.__dict__)


def _user_traceback(tb):
    """Drop the runner's and runpy's frames from the front of a traceback."""
    ours = (globals(), vars(runpy))
    while tb is not None and any(tb.tb_frame.f_globals is g for g in ours):
        tb = tb.tb_next
    return tb


def main(argv: list | None = None) -> None:
    """Run a script (or ``-m`` module) with ``torch`` imports served by ember."""
    argv = sys.argv[1:] if argv is None else list(argv)
    if not argv:
        sys.stderr.write(_USAGE)
        raise SystemExit(2)
    if argv[0] in ("-h", "--help"):
        sys.stdout.write(_HELP)
        raise SystemExit(0)
    try:
        _run(argv)
    except (SystemExit, KeyboardInterrupt):
        raise
    except BaseException as err:  # report it as Python would for ``python script.py``
        tb = _user_traceback(err.__traceback__)
        sys.excepthook(type(err), err.with_traceback(tb), tb)
        raise SystemExit(1) from None


if __name__ == "__main__":
    main()
