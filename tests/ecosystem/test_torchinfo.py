"""torchinfo's model summaries through ember's runner print the same tables as on real
PyTorch (torchinfo's own test suite is not in its source distribution: this differential
run stands in for it)."""
import os
import subprocess
import sys

import pytest

pytest.importorskip("torchinfo", reason="the comparison needs torchinfo: pip install torchinfo")
pytest.importorskip("torch", reason="the comparison needs real PyTorch as the reference")

SCRIPT = os.path.join(os.path.dirname(__file__), "summaries.py")


def _run(*prefix):
    out = subprocess.run([sys.executable, *prefix, SCRIPT], capture_output=True, text=True,
                         timeout=300)
    assert out.returncode == 0, out.stderr[-3000:]
    return out.stdout


def test_torchinfo_summaries_match_real_torch():
    assert _run("-W", "ignore", "-m", "ember.run") == _run()
