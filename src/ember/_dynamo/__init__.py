"""torch._dynamo / torch.compile: capture a module's forward once with ``ember.fx``, guard
on what the capture assumed, and replay it as generated array code with a single
autograd node for the whole backward."""
from . import config, exc  # noqa: F401
from .eval_frame import compile, disable, is_compiling, reset  # noqa: F401


def __getattr__(name):
    if name == "OptimizedModule":
        from . import eval_frame
        return eval_frame.OptimizedModule
    from .._naming import public_name
    raise AttributeError(f"module '{public_name(__name__)}' has no attribute '{name}'")


def mark_dynamic(t, index, **kwargs) -> None:
    """Accepted for compatibility: shapes are guarded exactly, a new shape recaptures."""


def mark_static(t, index=None) -> None:
    """Accepted for compatibility: every dimension is static already."""


__all__ = ["compile", "reset", "disable", "is_compiling", "config", "mark_dynamic",
           "mark_static", "OptimizedModule"]
