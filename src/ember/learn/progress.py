"""The learner's progress, kept in ``.progress.json`` inside the workspace.

The file records which exercises passed their checks and which one is current. It is
written atomically (a temporary file, then ``os.replace``) and validated on reading: a
broken or hand-edited file raises :class:`ProgressError`, which the command line turns
into a message that points at ``python -m ember.learn rebuild``.
"""
from __future__ import annotations

import json
import os
import time

FILENAME = ".progress.json"
FORMAT = "ember-learn-progress"
VERSION = 1


class ProgressError(Exception):
    """The progress file exists but cannot be used; ``why`` says what is wrong."""

    def __init__(self, path: str, why: str):
        super().__init__(f"{path}: {why}")
        self.path = path
        self.why = why


class Progress:
    """Which exercises are done (name -> time of the passing check) and the current one."""

    def __init__(self, workspace: str, done: dict | None = None, current: str | None = None):
        self.workspace = workspace
        self.done = dict(done or {})
        self.current = current

    @property
    def path(self) -> str:
        return os.path.join(self.workspace, FILENAME)

    @classmethod
    def load(cls, workspace: str, known: list) -> Progress:
        """Read the workspace's progress (empty where there is no file yet)."""
        path = os.path.join(workspace, FILENAME)
        if not os.path.exists(path):
            return cls(workspace)
        try:
            with open(path, encoding="utf-8") as f:
                data = json.load(f)
        except (OSError, UnicodeDecodeError, ValueError) as err:
            raise ProgressError(path, f"not valid JSON: {err}") from None
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise ProgressError(path, f"not an ember learn progress file (no \"format\": "
                                      f"\"{FORMAT}\")")
        if data.get("version") != VERSION:
            raise ProgressError(path, f"unknown version {data.get('version')!r}")
        done = data.get("done")
        if not isinstance(done, dict) or not all(isinstance(v, str) for v in done.values()):
            raise ProgressError(path, "\"done\" should map exercise names to times")
        unknown = sorted(set(done) - set(known))
        if unknown:
            raise ProgressError(path, f"unknown exercise {unknown[0]!r}")
        current = data.get("current")
        if current is not None and current not in known:
            raise ProgressError(path, f"unknown current exercise {current!r}")
        return cls(workspace, done, current)

    def save(self) -> None:
        """Write the file atomically: never a half-written progress file."""
        data = {"format": FORMAT, "version": VERSION, "current": self.current,
                "done": self.done}
        tmp = self.path + f".tmp{os.getpid()}"
        with open(tmp, "w", encoding="utf-8") as f:
            json.dump(data, f, indent=1, sort_keys=True)
            f.write("\n")
        os.replace(tmp, self.path)

    def mark_done(self, name: str) -> None:
        """Record that ``name`` passed its checks now."""
        self.done[name] = time.strftime("%Y-%m-%dT%H:%M:%S")
