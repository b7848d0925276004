"""``torch.compile``'s front end: capture on first call, guard, cache, fall back.

A call computes a guard key (input shapes, dtypes and ``requires_grad``, the training
flags of the module tree, grad mode, and the identity, shape and ``requires_grad`` of the
parameters). A key seen before runs its cached program; a new key captures again, up to
``config.cache_size_limit`` programs, after which the callable runs eagerly. What cannot be
captured runs eagerly for that key with one warning (``fullgraph=True`` raises instead).
"""
from __future__ import annotations

import functools
import threading
import warnings
import weakref

from . import config
from .lowering import Unsupported, lower
from .runtime import GeneratedCall, ReplayCall

__all__ = ["OptimizedModule", "CompiledFunction", "compile", "reset", "is_compiling",
           "disable"]

_state = threading.local()
_all_compiled = weakref.WeakSet()  # every compiled callable's cache, for reset()
_EAGER = "eager"


def is_compiling() -> bool:
    """True while ember captures a graph for torch.compile."""
    return getattr(_state, "compiling", False)


class _Program:
    """One captured graph for one guard key."""

    def __init__(self, gm, params, forward=None, backward=None, source=None):
        self.gm = gm
        self.params = params
        self.forward = forward
        self.backward = backward
        self.source = source

    def __call__(self, inputs):
        if self.forward is not None:
            return GeneratedCall.apply(*inputs, *self.params, program=self)
        return ReplayCall.apply(self.gm, len(inputs), *inputs, *self.params)


class _Compiled:
    """The cache of programs behind one compiled callable."""

    def __init__(self, fn, module, fullgraph: bool, backend, mode, options, dynamic):
        self.fn = fn
        self.module = module
        self.fullgraph = fullgraph
        self.backend = backend
        self.cache: dict = {}
        self.warned = False
        self._mods = None  # the module tree, listed at capture
        _all_compiled.add(self)

    def _key(self, args):
        from .._tensor import Tensor
        from ..autograd.grad_mode import is_grad_enabled
        parts = [is_grad_enabled()]
        for a in args:
            if not isinstance(a, Tensor):
                raise Unsupported(f"a {type(a).__name__} argument")
            d = a._data  # shape, dtype and backend (device kind) of the array itself
            parts.append((d.shape, d.dtype, a._rg, type(d)))
        if self.module is not None:
            if self._mods is None:
                self._mods = list(self.module.modules())
            # per module: training flag, child count (a new submodule changes it), and
            # the identity, requires_grad and shape of each parameter
            parts.append(tuple([(m.training, len(m._modules),
                                 *[(id(p), p._rg, p._data.shape)
                                   for p in m._parameters.values() if p is not None])
                                for m in self._mods]))
        return tuple(parts)

    def __call__(self, *args, **kwargs):
        if kwargs or getattr(_state, "disabled", False):
            return self._eager(args, kwargs, "keyword arguments" if kwargs else None)
        try:
            key = self._key(args)
        except Unsupported as err:
            return self._eager(args, kwargs, str(err))
        program = self.cache.get(key)
        if program is None:
            if len(self.cache) >= config.cache_size_limit:
                return self._eager(args, kwargs, f"cache_size_limit ({config.cache_size_limit}) "
                                   "reached")
            program, out = self._capture(args)
            self.cache[key] = program
            return out
        if program == _EAGER:
            return self.fn(*args)
        return program(args)

    def _eager(self, args, kwargs, why):
        if why is not None:
            self._fallback_warning(why)
        return self.fn(*args, **kwargs)

    def _fallback_warning(self, why):
        if self.fullgraph:
            from .exc import Unsupported as UserError
            raise UserError(f"torch.compile(fullgraph=True) could not capture the whole graph: "
                            f"{why}")
        if not self.warned:
            self.warned = True
            warnings.warn(f"torch.compile: running {getattr(self.fn, '__name__', 'module')} "
                          f"eagerly: {why}", UserWarning, stacklevel=4)

    def _capture(self, args):
        """Trace while running once on ``args``; build the program for this guard key."""
        from ..fx import GraphModule
        from ..fx.proxy import TraceError
        from .capture import ValueTracer
        tracer = ValueTracer(args)
        root = self.module if self.module is not None else self.fn
        if self.module is not None:
            self._mods = list(self.module.modules())
            if any(m._forward_hooks or m._forward_pre_hooks or m._backward_hooks
                   or m._backward_pre_hooks for m in self._mods):
                self._fallback_warning("a module of the tree has hooks")
                return _EAGER, self.fn(*args)
        _state.compiling = True
        try:
            graph = tracer.trace(root)
        except (TraceError, TypeError, NotImplementedError, AttributeError) as err:
            self._fallback_warning(f"{type(err).__name__}: {err}")
            return _EAGER, self.fn(*args)
        finally:
            _state.compiling = False
        gm = GraphModule(tracer.root, graph, type(root).__name__)
        out = tracer.output_value()
        placeholders = [n for n in graph.nodes if n.op == "placeholder"]
        if not _flat_tensors(out) or len(placeholders) < len(args):
            self._fallback_warning("forward returns something other than tensors")
            return _EAGER, out
        if self.module is not None:
            params = list(self.module.parameters())
        else:  # tensors a function reaches outside its arguments: the parameters of the
            # modules it calls (joined to the root) and any other tensor it closes over
            params = list(tracer.root.parameters())
            seen = {id(t) for t in params}
            params += [t for t in tracer.tensor_attrs.values()
                       if t.requires_grad and id(t) not in seen]
        if self.backend in ("eager", "aot_eager") or len(placeholders) != len(args):
            return _Program(gm, params), out
        try:
            fwd, bwd, extra, src = lower(gm, tracer.values, placeholders,
                                         [a.requires_grad for a in args])
            return _Program(gm, extra, fwd, bwd, src), out
        except Unsupported:
            return _Program(gm, params), out


def _flat_tensors(out) -> bool:
    from .._tensor import Tensor
    items = out if isinstance(out, tuple) else (out,)
    return all(isinstance(o, Tensor) for o in items)


class CompiledFunction:
    """``torch.compile`` applied to a function."""

    def __init__(self, fn, **options):
        self._orig_fn = fn
        self._compiled = _Compiled(fn, None, **options)
        functools.update_wrapper(self, fn)

    def __call__(self, *args, **kwargs):
        return self._compiled(*args, **kwargs)


def _optimized_module_class():
    from ..nn import Module

    class OptimizedModule(Module):
        """``torch.compile`` applied to a module: same parameters and state_dict keys
        (under ``_orig_mod.``), forward runs the captured program."""

        def __init__(self, mod, **options):
            super().__init__()
            self._orig_mod = mod
            object.__setattr__(self, "_compiled", _Compiled(mod.__call__, mod, **options))
            # torch's name for what runs the compiled program (libraries test for it)
            object.__setattr__(self, "dynamo_ctx", self._compiled)

        def forward(self, *args, **kwargs):
            """Run the compiled program (or the module eagerly where capture failed)."""
            return self._compiled(*args, **kwargs)

        def __getattr__(self, name):
            if name == "_orig_mod":
                return self._modules["_orig_mod"]
            return getattr(self._modules["_orig_mod"], name)

        def train(self, mode: bool = True):
            """Set the training flag on the wrapped module."""
            self._orig_mod.train(mode)
            return super().train(mode)
    return OptimizedModule


_classes: dict = {}


def __getattr__(name):
    if name == "OptimizedModule":
        if name not in _classes:
            _classes[name] = _optimized_module_class()
        return _classes[name]
    raise AttributeError(name)


def compile(model=None, *, fullgraph: bool = False, dynamic=None, backend="inductor",
            mode=None, options=None, disable: bool = False):
    """Capture ``model`` (a module or function) on first call and replay it as generated
    array code; usable as ``@torch.compile`` or ``@torch.compile(...)``."""
    if mode is not None and options is not None:
        raise RuntimeError("Either mode or options can be specified, but both can't be "
                           "specified at the same time.")
    if mode not in (None, "default", "reduce-overhead", "max-autotune",
                    "max-autotune-no-cudagraphs"):
        raise RuntimeError(f"Unrecognized mode={mode}, should be one of: default, "
                           "reduce-overhead, max-autotune, max-autotune-no-cudagraphs")
    opts = dict(fullgraph=fullgraph, backend=backend, mode=mode, options=options,
                dynamic=dynamic)
    if model is None:
        return lambda m: compile(m, disable=disable, **opts)
    if disable:
        return model
    from ..nn import Module
    if isinstance(model, Module):
        return __getattr__("OptimizedModule")(model, **opts)
    if not callable(model):
        raise RuntimeError("Expected a callable or nn.Module, got " + type(model).__name__)
    return CompiledFunction(model, **opts)


def reset() -> None:
    """Forget every captured program (the next calls capture again)."""
    for c in _all_compiled:
        c.cache.clear()
        c.warned = False


def disable(fn=None, recursive: bool = True):
    """Run ``fn`` eagerly even when called from compiled code (a decorator too)."""
    if fn is None:
        return lambda f: disable(f, recursive)

    @functools.wraps(fn)
    def run_eager(*args, **kwargs):
        prev = getattr(_state, "disabled", False)
        _state.disabled = True
        try:
            return fn(*args, **kwargs)
        finally:
            _state.disabled = prev
    return run_eager
