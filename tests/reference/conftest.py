"""Make the shared ``helpers`` module importable from every differential test file.

Whatever pytest's import mode, ``from helpers import check_op`` then works.
"""
import os
import sys

_HERE = os.path.dirname(os.path.abspath(__file__))
if _HERE not in sys.path:
    sys.path.insert(0, _HERE)
