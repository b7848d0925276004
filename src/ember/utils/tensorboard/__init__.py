"""``torch.utils.tensorboard``: write TensorBoard event files with ``SummaryWriter``.

Built on the ``tensorboard`` package (its event-file writer and summary protocol buffers):
``pip install tensorboard``."""
from __future__ import annotations

try:
    import tensorboard  # noqa: F401
except ImportError:  # pragma: no cover - exercised only without the package
    raise ImportError("TensorBoard logging requires TensorBoard version 1.15 or above: "
                      "pip install tensorboard") from None

from .writer import SummaryWriter  # noqa: E402,F401

__all__ = ["SummaryWriter"]
