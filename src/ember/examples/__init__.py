"""Bundled examples, written as plain PyTorch programs.

Importing this package serves ``import torch`` (and ``torchvision``) from ember for the
rest of the process, so ``python -m ember.examples.digits`` runs the example on ember;
the same files also run unchanged under ``python -m ember.run`` or on real PyTorch.
"""
from ..run import install

install()
