"""Run one exercise's checks in a child process with a time limit.

The learner's file may loop forever, sleep, print without end or kill its process; none of
that reaches the command line: the child is killed (with everything it started) when the
time is up, and only the JSON report it writes is read back.
"""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile

from .model import Exercise


def check_in_subprocess(exercise: Exercise, path: str, *, backend: str = "ember",
                        lang: str = "en", timeout: float = 20.0) -> dict:
    """The report of :func:`ember.learn.evaluate.evaluate`, run in a fresh Python process.

    A run past ``timeout`` seconds gives ``{"status": "timeout"}``; a child that ends
    without a report gives ``{"status": "crashed", "code": exit code}``."""
    path = os.path.abspath(path)
    with tempfile.TemporaryDirectory(prefix="ember-learn-") as tmp:
        request = {"exercise": exercise.name, "path": path, "backend": backend,
                   "lang": lang, "result": os.path.join(tmp, "report.json")}
        request_path = os.path.join(tmp, "request.json")
        with open(request_path, "w", encoding="utf-8") as f:
            json.dump(request, f)
        env = dict(os.environ)
        env["PYTHONIOENCODING"] = "utf-8"
        env.pop("PYTHONSTARTUP", None)
        proc = subprocess.Popen(
            [sys.executable, "-m", "ember.learn._worker", request_path],
            cwd=os.path.dirname(path), env=env, stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
        try:
            raw, _ = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            _kill_group(proc)
            proc.communicate()
            return {"status": "timeout", "seconds": timeout, "checks": [], "output": None}
        except BaseException:  # Ctrl-C in watch: the child leads its own group, stop it too
            _kill_group(proc)
            proc.communicate()
            raise
        try:
            with open(request["result"], encoding="utf-8") as f:
                return json.load(f)
        except (OSError, ValueError):
            tail = raw.decode("utf-8", "replace")[-2000:] if raw else ""
            return {"status": "crashed", "code": proc.returncode, "checks": [],
                    "output": {"text": tail, "total": len(tail), "limit": 2000}}


def _kill_group(proc: subprocess.Popen) -> None:
    """Kill the child and whatever it started (it leads its own process group)."""
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError, AttributeError):
        proc.kill()
