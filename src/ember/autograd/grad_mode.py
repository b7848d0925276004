"""Grad-mode switches: no_grad, enable_grad, set_grad_enabled, inference_mode.

The flag is thread-local, as in PyTorch: a DataLoader thread or a user thread
turning gradients off does not affect the main thread.
"""
from __future__ import annotations

import functools
import inspect
import threading

__all__ = ["no_grad", "enable_grad", "set_grad_enabled", "inference_mode",
           "is_grad_enabled", "is_inference_mode_enabled"]


class _State(threading.local):
    enabled = True
    inference = False


_state = _State()


def is_grad_enabled() -> bool:
    """Whether operations currently record the autograd graph."""
    return _state.enabled


def is_inference_mode_enabled() -> bool:
    """Whether an ``inference_mode`` block is active."""
    return _state.inference


class _GradModeContext:
    """Base for the context managers, which also work as decorators."""

    _target = True

    def __enter__(self):
        self._prev = _state.enabled
        _state.enabled = self._target

    def __exit__(self, *exc):
        _state.enabled = self._prev
        return False

    def __call__(self, func):
        return _decorate(func, self.clone)

    def clone(self):
        """A fresh context manager with the same setting."""
        return self.__class__()


def _decorate(func, make_context):
    """Run ``func`` inside a new context from ``make_context()``; for a generator function,
    each step of the generator runs inside it (the caller's mode is back between steps)."""
    if inspect.isgeneratorfunction(func):
        @functools.wraps(func)
        def gen_wrapper(*args, **kwargs):
            gen = func(*args, **kwargs)
            try:
                with make_context():
                    value = next(gen)
                while True:
                    try:
                        sent = yield value
                    except GeneratorExit:
                        gen.close()
                        raise
                    except BaseException as exc:
                        with make_context():
                            value = gen.throw(exc)
                    else:
                        with make_context():
                            value = gen.send(sent)
            except StopIteration as stop:
                return stop.value
        return gen_wrapper

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        with make_context():
            return func(*args, **kwargs)
    return wrapper


class no_grad(_GradModeContext):
    """Context manager/decorator that stops recording the graph inside it."""

    _target = False

    def __new__(cls, orig_func=None):
        self = super().__new__(cls)
        # the bare decorator form, ``@no_grad``, passes the function straight in
        return self(orig_func) if callable(orig_func) else self


class enable_grad(_GradModeContext):
    """Context manager/decorator that turns graph recording back on."""

    _target = True


class set_grad_enabled(_GradModeContext):
    """Set grad mode; takes effect at once, and as a context manager restores it after."""

    def __init__(self, mode: bool):
        self._prev = _state.enabled
        self._target = bool(mode)
        _state.enabled = self._target

    def __enter__(self):
        pass

    def __exit__(self, *exc):
        _state.enabled = self._prev
        return False

    def __call__(self, func):
        _state.enabled = self._prev  # used as decorator: undo the eager switch
        return _decorate(func, self.clone)

    def clone(self):
        """A fresh context manager with the same setting (switches the mode at once)."""
        return set_grad_enabled(self._target)


class inference_mode(_GradModeContext):
    """Like ``no_grad`` (tensors made inside never need grad); ``mode=False`` is a no-op."""

    def __init__(self, mode: bool = True):
        self._mode = bool(mode)

    def __new__(cls, mode=True):
        self = super().__new__(cls)
        if callable(mode):  # the bare decorator form, ``@inference_mode``
            self.__init__(True)
            return self(mode)
        return self

    def __enter__(self):
        self._prev = _state.enabled
        self._prev_inf = _state.inference
        if self._mode:
            _state.enabled = False
            _state.inference = True

    def __exit__(self, *exc):
        _state.enabled = self._prev
        _state.inference = self._prev_inf
        return False

    def clone(self):
        """A fresh context manager with the same setting."""
        return inference_mode(self._mode)
