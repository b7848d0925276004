"""``torch.jit.script``: ember keeps Python semantics, so scripting wraps the original
code; the decorators and annotations of TorchScript are honoured where they matter."""
from __future__ import annotations

import copy
import functools
import inspect

__all__ = ["script", "ignore", "unused", "export", "ScriptModule", "ScriptFunction",
           "is_scripting", "annotate", "interface", "script_if_tracing"]


def is_scripting() -> bool:
    """False: ember runs scripted code as Python."""
    return False


def annotate(the_type, the_value):
    """Return ``the_value`` (the type is a hint for TorchScript)."""
    return the_value


def ignore(drop=False, **kwargs):
    """Leave a function to Python (a no-op for ember; ``drop=True`` acts as ``unused``)."""
    if callable(drop):
        drop._ember_jit = "ignore"
        return drop

    def deco(fn):
        fn._ember_jit = "unused" if drop else "ignore"
        return fn
    return deco


def unused(fn):
    """Mark a method that a scripted module replaces with one that raises."""
    fn._ember_jit = "unused"
    return fn


def export(fn):
    """Mark a method as an entry point of a scripted module."""
    fn._ember_jit = "export"
    return fn


def interface(obj):
    """Accepted for compatibility: returns ``obj``."""
    return obj


def script_if_tracing(fn):
    """Accepted for compatibility: returns ``fn``."""
    return fn


class ScriptFunction:
    """A scripted function: runs the original Python; ``code`` is its source."""

    def __init__(self, fn):
        self._fn = fn
        functools.update_wrapper(self, fn)

    @property
    def code(self) -> str:
        """The function's source."""
        return inspect.getsource(self._fn)

    @property
    def graph(self):
        """The function's graph, where it can be traced symbolically."""
        from ..fx import symbolic_trace
        return symbolic_trace(self._fn).graph

    def __call__(self, *args, **kwargs):
        return self._fn(*args, **kwargs)


class ScriptModule:
    """Mixed into the class of a scripted module (``isinstance(m, ScriptModule)``)."""

    @property
    def code(self) -> str:
        """The source of the module's forward."""
        return inspect.getsource(type(self).__mro__[2].forward)

    def save(self, f, **kwargs):
        """Scripted modules cannot be saved (ember saves traced modules only)."""
        raise NotImplementedError("ember does not implement saving scripted modules; trace "
                                  "the module with torch.jit.trace to save it")


def _unused_stub(name):
    def stub(*args, **kwargs):
        raise RuntimeError(f"method '{name}' was marked @torch.jit.unused and cannot be "
                           "called on a scripted module")
    return stub


def script(obj, optimize=None, _frames_up: int = 0, _rcb=None, example_inputs=None):
    """Script a function or module: a wrapper with TorchScript's surface running the
    original Python code."""
    from ..nn import Module
    if isinstance(obj, Module):
        scripted = copy.copy(obj)
        scripted.__dict__["_modules"] = type(obj._modules)(obj._modules)  # not shared
        cls = type(obj)
        scripted.__class__ = type("RecursiveScriptModule", (ScriptModule, cls),
                                  {"__module__": cls.__module__})
        for name in dir(cls):
            member = getattr(cls, name, None)
            if getattr(member, "_ember_jit", None) == "unused":
                object.__setattr__(scripted, name, _unused_stub(name))
        for name, child in obj.named_children():
            scripted._modules[name] = script(child)
        return scripted
    if isinstance(obj, type):
        return obj
    if callable(obj):
        return ScriptFunction(obj)
    raise RuntimeError(f"Type '{type(obj).__name__}' cannot be compiled")
