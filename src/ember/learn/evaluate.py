"""Run an exercise's checks against a learner's file and describe the outcome as plain data.

:func:`evaluate` is what the checking subprocess runs (``ember.learn._worker``); the tests
call it in-process too. The report is a JSON-ready dict::

    {"status": "pass" | "fail" | "notdone" | "error" | "syntax" | "exit",
     "checks": [{"title", "ok", "kind", "message", "expected", "got"}],
     "error": learner traceback or None, "where": ..., "line": ..., "output": captured prints}
"""
from __future__ import annotations

import builtins
import contextlib
import importlib
import io
import os
import sys
import tempfile
import types
from typing import Any

from .model import (
    Checker,
    CheckFailed,
    Exercise,
    LearnerError,
    NotDone,
    learner_traceback,
)

OUTPUT_LIMIT = 3000


class _Bounded(io.TextIOBase):
    """A text sink that keeps the first ``limit`` characters and counts the rest."""

    def __init__(self, limit: int = OUTPUT_LIMIT):
        self.limit = limit
        self.parts: list = []
        self.kept = 0
        self.total = 0

    def writable(self):
        return True

    def write(self, text):
        text = str(text)
        self.total += len(text)
        room = self.limit - self.kept
        if room > 0:
            self.parts.append(text[:room])
            self.kept += min(room, len(text))
        return len(text)

    def value(self) -> dict:
        return {"text": "".join(self.parts), "total": self.total, "limit": self.limit}


def ember_importer(real_import=builtins.__import__):
    """An ``__import__`` that answers ``torch`` and ``torch.*`` with ember, for running a
    learner's file in this process without touching ``sys.modules`` or ``sys.meta_path``."""
    def _import(name, globals=None, locals=None, fromlist=(), level=0):
        if level == 0 and (name == "torch" or name.startswith("torch.")):
            target = "ember" + name[len("torch"):]
            module = importlib.import_module(target)
            if fromlist:
                return module
            return importlib.import_module("ember")
        return real_import(name, globals, locals, fromlist, level)
    return _import


def load_learner(path: str, source: str, importer=None) -> dict:
    """Run the learner's file as a module (not as ``__main__``) and return its namespace."""
    code = compile(source, path, "exec")
    module = types.ModuleType("learner_exercise")
    module.__file__ = path
    if importer is not None:
        patched = dict(vars(builtins))
        patched["__import__"] = importer
        module.__dict__["__builtins__"] = patched
    exec(code, module.__dict__)  # noqa: S102  (running the learner's file is the point)
    return module.__dict__


def evaluate(exercise: Exercise, path: str, lang: str = "en", torch: Any = None,
             importer=None, source: str | None = None) -> dict:
    """Load the learner's file, run every check of ``exercise`` on it, and report.

    ``torch`` is the module the checks compare against; by default the one the learner's
    file imported (or ``import torch`` as this process answers it)."""
    report = {"status": "pass", "checks": [], "error": None, "where": None, "line": None,
              "output": None, "exercise": exercise.name}
    sink = _Bounded()
    if source is None:
        with open(path, encoding="utf-8") as f:
            source = f.read()
    try:
        with contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink):
            ns = _load(exercise, path, source, importer, report)
            if ns is not None:
                if torch is None:
                    torch = sys.modules.get("torch") or importlib.import_module(_TORCH)
                with tempfile.TemporaryDirectory(prefix="ember-learn-") as scratch:
                    checker = Checker(ns, torch, lang, path, scratch)
                    for fn in exercise.checks:
                        report["checks"].append(_run_check(fn, checker, lang))
    finally:
        report["output"] = sink.value()
    if report["status"] == "pass":
        for item in report["checks"]:
            if not item["ok"]:
                report["status"] = item["kind"]
                if item["kind"] == "notdone":
                    report["where"] = item["message"]
                if item["kind"] == "error":
                    report["error"] = item["message"]
                break
    return report


_TORCH = "torch"  # imported by name: the module is whatever this process serves as torch


def _load(exercise, path, source, importer, report):
    try:
        return load_learner(path, source, importer)
    except SyntaxError as err:
        report["status"] = "syntax"
        report["line"] = err.lineno
        report["error"] = err.msg
        report["where"] = (err.text or "").rstrip("\n")
    except SystemExit:
        report["status"] = "exit"
    except NotImplementedError as err:
        report["status"] = "notdone"
        report["where"] = _where(err, path)
    except Exception as err:  # noqa: BLE001  (the learner's file raised while loading)
        if "ellipsis" in str(err):
            report["status"] = "notdone"
            report["where"] = _where(err, path)
        else:
            report["status"] = "error"
            report["error"] = learner_traceback(err, path)
    return None


def _where(err, path):
    from .model import _todo_line
    line = _todo_line(err, path)
    return f"line {line}" if line else os.path.basename(path)


def _run_check(fn, checker: Checker, lang: str) -> dict:
    item = {"title": fn.title[lang], "ok": False, "kind": "fail", "message": None,
            "expected": None, "got": None}
    try:
        fn(checker)
        item["ok"] = True
        item["kind"] = "pass"
    except NotDone as err:
        item["kind"] = "notdone"
        item["message"] = err.where
    except CheckFailed as err:
        item.update(message=err.message, expected=err.expected, got=err.got)
    except LearnerError as err:
        item["kind"] = "error"
        item["message"] = err.text
    except ModuleNotFoundError as err:  # an optional extra of the check itself
        item["kind"] = "fail"
        item["message"] = _missing_extra(err.name, lang)
    except SystemExit:
        item["kind"] = "exit"
    except Exception as err:  # noqa: BLE001  (the check tripped over a learner's value)
        from .texts import say
        item["message"] = say(lang, "check_error", error=f"{type(err).__name__}: {err}")
    return item


_PIP_NAMES = {"sklearn": "scikit-learn"}


def _missing_extra(name: str | None, lang: str) -> str:
    from .texts import say
    name = (name or "?").partition(".")[0]
    return say(lang, "missing_extra", package=name, pip=_PIP_NAMES.get(name, name))
