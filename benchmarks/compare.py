"""Run benchmark scripts on PyTorch and on ember side by side and report ember/torch.

Each script is plain PyTorch code. It runs as ``python script.py`` (real torch) and as
``python -m ember.run script.py`` (ember), alternating, for several rounds; the figure
for each case is the median over rounds, and the ratio is ember's median over torch's.

    python benchmarks/compare.py [--rounds 5] [overhead mlp cnn lstm matmul_chain ...]
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
# Both frameworks import from cached bytecode, as an installed package does: torch's
# wheel ships compiled files, and ember's are written on the first run.
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
DEFAULT = ["overhead", "mlp", "cnn", "cifar_net", "lstm", "gru", "text_lstm", "transformer",
           "matmul_chain", "train_digits", "resnet18"]


def run_once(script: str, framework: str, args: list[str]) -> dict:
    path = os.path.join(HERE, script + ".py")
    cmd = [sys.executable] + (["-m", "ember.run"] if framework == "ember" else []) + [path] + args
    env = dict(ENV, PYTHONPATH=HERE + os.pathsep + ENV.get("PYTHONPATH", ""))
    t0 = time.perf_counter()
    out = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)
    wall = time.perf_counter() - t0
    if out.returncode != 0:
        raise SystemExit(f"{framework} {script} failed:\n{out.stderr[-3000:]}")
    for line in reversed(out.stdout.splitlines()):
        if line.startswith("BENCH "):
            return dict(json.loads(line[6:]), **{"whole process (s)": wall})
    raise SystemExit(f"{framework} {script}: no BENCH line in output")


def import_cost(module: str) -> dict:
    code = ("import time, resource; t = time.perf_counter(); import {m}; "
            "dt = time.perf_counter() - t; "
            "print(dt, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)").format(m=module)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, env=ENV)
    dt, rss = out.stdout.split()
    return {"import time (s)": float(dt), "peak RSS after import (MB)": int(rss) / 1024}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("scripts", nargs="*", default=DEFAULT)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--markdown", action="store_true", help="print a markdown table")
    ns = ap.parse_args()
    for fw in ("torch", "ember"):  # warm-up: compile and cache both packages' bytecode
        subprocess.run([sys.executable, "-c", f"import {fw}"], env=ENV, check=True)
    rows = []
    for script in ns.scripts:
        samples = {"torch": [], "ember": []}
        for _ in range(ns.rounds):
            for fw in ("torch", "ember"):
                if script == "import":
                    samples[fw].append(import_cost(fw))
                else:
                    samples[fw].append(run_once(script, fw, []))
        for case in samples["torch"][0]:
            t = statistics.median(s[case] for s in samples["torch"])
            e = statistics.median(s[case] for s in samples["ember"])
            rows.append((script, case, t, e, e / t if t else float("nan")))
            print(f"{script:14s} {case:42s} torch {t:11.6g}  ember {e:11.6g}  "
                  f"ember/torch {e / t:6.2f}", flush=True)
    if ns.markdown:
        print("\n| benchmark | case | ember/torch |\n|---|---|---|")
        for script, case, t, e, r in rows:
            print(f"| {script} | {case} | {r:.2f} |")


if __name__ == "__main__":
    main()
