"""ember's learning track: ``python -m ember.learn``.

Short exercises from tensors to training, each a plain PyTorch program that the learner
completes and ``python -m ember.learn check`` judges by behaviour, on ember or on PyTorch.
The command line lives in :mod:`ember.learn.cli`, the exercises in
:mod:`ember.learn.exercises`.
"""
from .model import Checker, Exercise, check

__all__ = ["Checker", "Exercise", "check"]
