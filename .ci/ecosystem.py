#!/usr/bin/env python3
"""Run the test suites of pure-Python libraries built on PyTorch (einops, skorch) on real
PyTorch and through ember's drop-in runner, from their pinned source distributions, and
hold ember to the list of known differences: a test that passes on torch and fails on
ember must be listed (with its reason) in tests/ecosystem/expected_failures.txt, and a
listed test that passes is an error, so the list only shrinks.

torchinfo's suite is not in its source distribution; tests/ecosystem/test_torchinfo.py
compares its summaries on both frameworks instead."""
from __future__ import annotations

import os
import subprocess
import sys
import tarfile
import tempfile
import xml.etree.ElementTree as ET

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LIST = os.path.join(ROOT, "tests", "ecosystem", "expected_failures.txt")

# library -> (pinned version, test paths inside the source tree, extra environment)
SUITES = {
    "einops": ("0.8.2", ["einops/tests"], {"EINOPS_TEST_BACKENDS": "numpy,torch"}),
    "skorch": ("1.4.0", ["skorch/tests/test_net.py", "skorch/tests/test_classifier.py",
                         "skorch/tests/test_regressor.py", "skorch/tests/test_utils.py",
                         "skorch/tests/test_dataset.py"], {}),
}


def expected_failures() -> dict:
    out = {}
    with open(LIST, encoding="utf-8") as f:
        for line in f:
            line = line.split("#", 1)[0].strip()
            if line:
                test, _, why = line.partition(" ")
                out[test] = why.strip()
    return out


def fetch(name: str, version: str, into: str) -> str:
    """The extracted source distribution of ``name==version``."""
    subprocess.run([sys.executable, "-m", "pip", "download", "-q", "--no-deps", "--no-binary",
                    ":all:", "-d", into, f"{name}=={version}"], check=True)
    archive = next(f for f in os.listdir(into) if f.startswith(name) and
                   f.endswith(".tar.gz"))
    with tarfile.open(os.path.join(into, archive)) as tar:
        tar.extractall(into, filter="data")
    return os.path.join(into, f"{name}-{version}")


def run(src: str, paths: list, env: dict, through_ember: bool, report: str) -> dict:
    """``{test id: outcome}`` of one pytest run of the suite."""
    prefix = ["-m", "ember.run"] if through_ember else []
    cmd = [sys.executable, *prefix, "-m", "pytest", "-q", "-p", "no:cacheprovider",
           "-o", "addopts=", f"--junitxml={report}", *paths]
    subprocess.run(cmd, cwd=src, env={**os.environ, **env}, check=False,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=1800)
    outcomes = {}
    for case in ET.parse(report).getroot().iter("testcase"):
        test = f"{case.get('classname')}::{case.get('name')}"
        kinds = {child.tag for child in case}
        outcomes[test] = "failed" if kinds & {"failure", "error"} else \
            ("skipped" if "skipped" in kinds else "passed")
    return outcomes


def main() -> int:
    expected = expected_failures()
    problems, lines = [], []
    with tempfile.TemporaryDirectory() as tmp:
        for name, (version, paths, env) in SUITES.items():
            src = fetch(name, version, tmp)
            torch_res = run(src, paths, env, False, os.path.join(tmp, f"{name}-torch.xml"))
            ember_res = run(src, paths, env, True, os.path.join(tmp, f"{name}-ember.xml"))
            count = lambda res: sum(v == "passed" for v in res.values())  # noqa: E731
            lines.append(f"{name} {version}: torch {count(torch_res)} passed, ember "
                         f"{count(ember_res)} passed of {len(torch_res)} tests")
            for test, outcome in torch_res.items():
                mine = ember_res.get(test, "missing")
                if outcome == "passed" and mine != "passed" and test not in expected:
                    problems.append(f"{test} passes on torch but is {mine} on ember")
                if test in expected and mine == "passed":
                    problems.append(f"{test} passes now: take it off the expected failures")
    for line in lines + problems:
        print("ecosystem:", line)
    print(f"ecosystem: {len(lines)} passed, {len(problems)} failed")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
