#!/usr/bin/env python3
"""Run the reference suite with ember's side on CUDA served by the strict CuPy stand-in
(``EMBER_FAKE_CUDA=1 EMBER_TEST_DEVICE=cuda``, see ``ember.testing._fake_cupy``) and hold
it to the expected-failures list: a listed test that passes, or an unlisted one that
fails, fails the check, so the list can only shrink.

``--write-list`` rewrites the list from this run (a new failing test gets where it failed and
the first line of its error as the reason): for after a fix, reviewed before it is committed.
"""
from __future__ import annotations

import os
import sys
import traceback

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LIST = os.path.join(ROOT, "tests", "reference", "fake_cuda_expected_failures.txt")
SUITE = os.path.join(ROOT, "tests", "reference")

# before ember is imported anywhere: "cuda" is the stand-in, and the suite runs there
os.environ["EMBER_FAKE_CUDA"] = "1"
os.environ["EMBER_TEST_DEVICE"] = "cuda"

import pytest  # noqa: E402  (after the environment it must see)


def expected_failures() -> dict:
    """test id -> why it fails on the stand-in (a line is ``<test id>  # <why>``; test ids
    may hold spaces)."""
    out = {}
    with open(LIST, encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if line and not line.startswith("#"):
                name, _, why = line.partition("  # ")
                out[name.strip()] = why.strip()
    return out


def _where(excinfo) -> str:
    """Where a failure happened: the deepest frame in ember or the test (the stand-in aside;
    a ``.numpy()`` that refuses a CUDA tensor, as torch's does, is charged to its caller)."""
    frames = [f for f in traceback.extract_tb(excinfo.tb)
              if ("src/ember/" in f.filename.replace(os.sep, "/") or
                  "tests/" in f.filename.replace(os.sep, "/")) and "_fake_cupy" not in f.filename]
    if len(frames) > 1 and frames[-1].filename.endswith("_tensor.py") and \
            frames[-1].name in ("numpy", "__array__"):
        frames.pop()
    if not frames:
        return "?"
    path = frames[-1].filename.replace(os.sep, "/")
    marker = "src/ember/" if "src/ember/" in path else "tests/"
    who = "ember" if marker == "src/ember/" else "the test"
    return f"{who} at {path[path.index(marker):]}:{frames[-1].lineno}"


class _Outcomes:
    """A pytest plugin that keeps each test's outcome and first line of error."""

    def __init__(self):
        self.status: dict = {}
        self.reason: dict = {}
        self.where: dict = {}

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_makereport(self, item, call):
        if call.excinfo is not None and item.nodeid not in self.where:
            self.where[item.nodeid] = _where(call.excinfo)
        yield

    def pytest_runtest_logreport(self, report):
        nodeid = os.path.relpath(os.path.join(ROOT, report.nodeid.split("::")[0]), ROOT)
        nodeid = "::".join([nodeid.replace(os.sep, "/")] + report.nodeid.split("::")[1:])
        if report.failed:
            self.status[nodeid] = "failed"
            if nodeid not in self.reason:
                crash = getattr(report.longrepr, "reprcrash", None)
                msg = " ".join((crash.message if crash else str(report.longrepr)).split())
                self.reason[nodeid] = f"{self.where.get(report.nodeid, '?')}: {msg}"[:200]
        elif report.skipped and self.status.get(nodeid) != "failed":
            self.status[nodeid] = "skipped"
        elif report.when == "call" and nodeid not in self.status:
            self.status[nodeid] = "passed"


def main(argv) -> int:
    outcomes = _Outcomes()
    os.chdir(ROOT)
    pytest.main(["-q", "-rN", "-p", "no:cacheprovider", "--tb=no", "--no-header", "-W",
                 "ignore::DeprecationWarning", SUITE], plugins=[outcomes])
    status = outcomes.status
    failed = sorted(n for n, s in status.items() if s == "failed")
    passed = [n for n, s in status.items() if s == "passed"]
    skipped = [n for n, s in status.items() if s == "skipped"]
    if "--write-list" in argv:
        old = expected_failures() if os.path.exists(LIST) else {}
        with open(LIST, "w", encoding="utf-8") as f:
            f.write("# Reference tests that fail with ember's side on the strict CuPy stand-in\n"
                    "# (python .ci/fake_cuda.py): <test id>  # <why>. Fix one, take it off.\n")
            for n in failed:
                f.write(f"{n}  # {old.get(n) or outcomes.reason.get(n, '')}\n")
        print(f"fake_cuda: wrote {len(failed)} tests to {os.path.relpath(LIST, ROOT)}")
    expected = expected_failures()
    problems = []
    for n in sorted(status):
        if n in expected and status[n] == "passed":
            problems.append(f"{n} passes now: take it off {os.path.relpath(LIST, ROOT)}")
        elif n not in expected and status[n] == "failed":
            problems.append(f"{n} fails: {outcomes.reason.get(n, '')}")
    for n in expected:
        if n not in status:
            problems.append(f"{n} is listed but did not run")
    for p in problems:
        print("fake_cuda:", p)
    print(f"fake_cuda: {len(passed)} of {len(passed) + len(failed)} reference tests pass on the "
          f"stand-in CUDA device ({len(skipped)} skipped, {len(expected)} listed as expected "
          "failures)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
