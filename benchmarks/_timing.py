"""Timing helper the benchmark scripts share (they run on torch and, through
``python -m ember.run``, on ember; this file imports neither)."""
from __future__ import annotations

import json
import statistics
import time


def per_call(fn, *, min_time: float = 0.2, repeats: int = 5) -> float:
    """Median seconds per call of ``fn`` over ``repeats`` batches of calls."""
    fn()  # warm-up
    n = 1
    while True:
        t0 = time.perf_counter()
        for _ in range(n):
            fn()
        dt = time.perf_counter() - t0
        if dt >= min_time / repeats or n >= 1 << 20:
            break
        n *= 2
    samples = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        for _ in range(n):
            fn()
        samples.append((time.perf_counter() - t0) / n)
    return statistics.median(samples)


def report(results: dict) -> None:
    """Print the results as the JSON line the comparison driver reads."""
    print("BENCH " + json.dumps(results))
