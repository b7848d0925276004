"""Tune glibc's allocator for array workloads.

By default glibc hands every block above a (dynamic) threshold straight back to the
operating system when it is freed, so the next array of that size is fresh memory
whose every page faults on first touch. A training step allocates and frees the same
few megabyte-sized arrays over and over; keeping freed blocks in the heap for reuse
made LeNet's step about 1.7x and an LSTM step about 2x faster here (see
docs/benchmarks.md). Peak memory is unchanged: the heap keeps what the step needed.
"""
from __future__ import annotations

import ctypes
import os
import sys

_M_TRIM_THRESHOLD = -1
_M_MMAP_THRESHOLD = -3
# glibc's ceiling for the mmap threshold on 64-bit systems
_MMAP_THRESHOLD_MAX = 32 * 1024 * 1024


def tune() -> bool:
    """Keep freed blocks of up to 32 MiB for reuse and never trim the heap top; returns
    whether it applied (glibc on Linux only; ``EMBER_MALLOC_TUNING=0`` turns it off, and
    the user's own ``MALLOC_*`` environment settings win)."""
    if not sys.platform.startswith("linux") or os.environ.get("EMBER_MALLOC_TUNING") == "0":
        return False
    if any(k in os.environ for k in ("MALLOC_MMAP_THRESHOLD_", "MALLOC_TRIM_THRESHOLD_")):
        return False
    try:
        libc = ctypes.CDLL("libc.so.6")
        mallopt = libc.mallopt
    except (OSError, AttributeError):  # not glibc (musl, …)
        return False
    # both together: setting either one alone disables glibc's adaptive threshold
    return bool(mallopt(_M_MMAP_THRESHOLD, _MMAP_THRESHOLD_MAX)) and \
        bool(mallopt(_M_TRIM_THRESHOLD, 1 << 30))
