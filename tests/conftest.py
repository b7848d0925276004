"""Test-run settings shared by every test directory.

On CI (``CI`` set) hypothesis draws the same examples on every run, so a landing is
never decided by a rare draw; locally each run explores new examples.
"""
import os

from hypothesis import settings

settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")
