#!/usr/bin/env python3
"""Run the seed acceptance suite through ember's drop-in runner and hold it to the
expected-failures list: a listed script that passes, or an unlisted one that fails,
fails the check, so the list can only shrink."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SUITE = os.path.join(ROOT, "..", "shared", "acceptance")
LIST = os.path.join(ROOT, "tests", "acceptance_expected_failures.txt")


def expected_failures() -> dict:
    """script name -> the capability it waits for."""
    out = {}
    with open(LIST, encoding="utf-8") as f:
        for line in f:
            line = line.split("#", 1)[0].strip()
            if line:
                name, _, why = line.partition(" ")
                out[name] = why.strip()
    return out


def main() -> int:
    expected = expected_failures()
    with tempfile.TemporaryDirectory() as tmp:
        report = os.path.join(tmp, "results.json")
        cmd = [sys.executable, os.path.join(SUITE, "run.py"), "--python", sys.executable,
               "--ember", "-j", "2", "--json", report, os.path.join(SUITE, "seeds")]
        subprocess.run(cmd, check=False)
        with open(report, encoding="utf-8") as f:
            results = json.load(f)
    rows = results["results"] if isinstance(results, dict) else results
    problems = []
    for r in rows:
        name = os.path.basename(r["script"])
        passed = r["status"] == "PASS"
        if name in expected and passed:
            problems.append(f"{name} passes now: take it off {os.path.relpath(LIST, ROOT)}")
        elif name not in expected and not passed:
            problems.append(f"{name} fails: {r['reason']}")
    seen = {os.path.basename(r["script"]) for r in rows}
    for name in expected:
        if name not in seen:
            problems.append(f"{name} is listed but no such script ran")
    for p in problems:
        print("acceptance:", p)
    n_fail = sum(1 for r in rows if r["status"] != "PASS")
    print(f"acceptance: {len(rows) - n_fail} scripts pass, {n_fail} fail, "
          f"{len(expected)} listed as expected failures")
    # the closing line counts scripts that behaved as the list says as passed
    print(f"acceptance: {len(rows) - len(problems)} passed, {len(problems)} failed")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
