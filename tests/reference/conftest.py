"""Make the shared ``helpers`` module importable from every differential test file.

Whatever pytest's import mode, ``from helpers import check_op`` then works.

``EMBER_TEST_DEVICE=cuda`` runs the suite's ember side on CUDA (``EMBER_FAKE_CUDA=1``: on
the strict CPU stand-in for CuPy): tensors the tests make go there (the default device is
set before each test, as ``torch.set_default_device`` would), and so do ``helpers``' inputs.
"""
import os
import sys

_HERE = os.path.dirname(os.path.abspath(__file__))
if _HERE not in sys.path:
    sys.path.insert(0, _HERE)

_DEVICE = os.environ.get("EMBER_TEST_DEVICE", "cpu")

if _DEVICE != "cpu":
    import pytest
    from hypothesis import Phase, settings

    import ember

    # the same examples on every run, so the list of tests expected to fail there holds;
    # no shrinking, which only slows a failure down
    settings.register_profile("device", derandomize=True, print_blob=True,
                              phases=[Phase.explicit, Phase.reuse, Phase.generate])
    settings.load_profile("device")

    @pytest.fixture(autouse=True)
    def _on_test_device():
        ember.set_default_device(_DEVICE)
        yield
        ember.set_default_device(None)
