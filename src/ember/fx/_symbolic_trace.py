"""``Tracer`` and ``symbolic_trace``: run a module's ``forward`` on proxies to record
its graph; ``wrap`` marks free functions to record as calls instead of tracing through."""
from __future__ import annotations

import builtins
import functools
import inspect
import sys
import threading
import types
from typing import Callable, Optional

from .graph import Graph
from .node import Node, map_aggregate
from .proxy import Proxy, TraceError

__all__ = ["Tracer", "symbolic_trace", "wrap", "current_tracer"]

_local = threading.local()
_wrapped_globals: list = []  # (globals dict, name) pairs registered with wrap()
_leaf_functions: set = set()  # functions registered with wrap(fn)


def current_tracer():
    """The tracer running on this thread (None outside tracing)."""
    return getattr(_local, "tracer", None)


def _find_proxy(args, kwargs):
    found = []

    def look(a):
        if isinstance(a, Proxy) and not found:
            found.append(a)
        return a
    map_aggregate((args, kwargs), look)
    return found[0] if found else None


_wrappers: dict = {}


def _recording(fn):
    """``fn``, or while tracing with a proxy among its arguments, a recorded call of it."""
    w = _wrappers.get(fn)
    if w is None:
        @functools.wraps(fn)
        def w(*args, **kwargs):
            proxy = _find_proxy(args, kwargs)
            if proxy is None:
                return fn(*args, **kwargs)
            return proxy.tracer.create_proxy("call_function", fn, args, kwargs)
        w.__fx_original__ = fn
        _wrappers[fn] = w
    return w


def _patchable_namespaces():
    import ember
    import ember.nn.functional as F
    spaces = [ember, F]
    for name in ("special", "linalg", "fft"):
        mod = sys.modules.get(f"ember.{name}")
        if mod is not None:
            spaces.append(mod)
    return spaces


def _layer_function_modules():
    """The modules nn layers import their functions from (``ember.nn._functional.*``)."""
    return [m for n, m in list(sys.modules.items())
            if n.startswith("ember.nn._functional.") and m is not None]


class _Patcher:
    """Swaps functions for recording wrappers for the duration of a trace."""

    def __init__(self):
        self._undo = []

    def patch(self, ns: dict, name: str, new) -> None:
        self._undo.append((ns, name, ns[name]))
        ns[name] = new

    def patch_functions(self, ns: dict) -> None:
        for name, obj in list(ns.items()):
            if name.startswith("_") or not isinstance(obj, (types.FunctionType,
                                                            types.BuiltinFunctionType)):
                continue
            if getattr(obj, "__fx_original__", None) is None:
                self.patch(ns, name, _recording(obj))

    def patch_known(self, ns: dict) -> None:
        """Patch the names in ``ns`` bound to functions already patched elsewhere."""
        for name, obj in list(ns.items()):
            if type(obj) is types.FunctionType and obj in _wrappers and \
                    getattr(obj, "__fx_original__", None) is None:
                self.patch(ns, name, _wrappers[obj])

    def undo(self) -> None:
        for ns, name, old in reversed(self._undo):
            ns[name] = old
        self._undo.clear()


class Tracer:
    """Records a module's or function's computation as a ``Graph``.

    Submodules for which ``is_leaf_module`` is true become ``call_module`` nodes; others
    are traced through. ember's functions called on proxies become ``call_function``
    nodes, tensor methods ``call_method`` nodes, parameter reads ``get_attr`` nodes.
    """

    def __init__(self, autowrap_modules=(), autowrap_functions=(),
                 param_shapes_constant: bool = False):
        self._autowrap_functions = tuple(autowrap_functions)
        self.param_shapes_constant = param_shapes_constant
        self.graph: Optional[Graph] = None
        self.root = None
        self.tensor_attrs: dict = {}
        self._concrete = 0  # > 0 while a subclass runs operations on real values

    # -- the hooks a subclass may override --------------------------------------------
    def is_leaf_module(self, m, module_qualified_name: str) -> bool:
        """ember's own layers are leaves (``Sequential`` and friends are traced through)."""
        from ..nn import ModuleDict, ModuleList, Sequential
        return type(m).__module__.startswith(("ember.nn", "torch.nn")) and \
            not isinstance(m, (Sequential, ModuleList, ModuleDict))

    def path_of_module(self, mod) -> str:
        """The qualified name of submodule ``mod`` inside the traced root."""
        path = self._module_paths.get(id(mod))
        if path is None:
            raise NameError("module is not installed as a submodule")
        return path

    def call_module(self, m, forward: Callable, args: tuple, kwargs: dict):
        """Record a leaf module as one node; trace through any other (and through modules
        that are not part of the traced root, whose tensors become constants)."""
        path = self._module_paths.get(id(m))
        if path is None or not self.is_leaf_module(m, path):
            return forward(*args, **kwargs)
        return self.create_proxy("call_module", path, args, kwargs)

    def getattr(self, attr: str, attr_val, parameter_proxy_cache: dict):
        """A parameter read on a traced module becomes a ``get_attr`` proxy."""
        from ..nn import Parameter
        if isinstance(attr_val, Parameter):
            name = self._tensor_paths.get(id(attr_val))
            if name is not None:
                if name not in parameter_proxy_cache:
                    parameter_proxy_cache[name] = self.create_proxy("get_attr", name, (), {})
                return parameter_proxy_cache[name]
        return attr_val

    def create_arg(self, a):
        """Turn a value into something a node may hold: proxies become nodes, tensors
        ``get_attr`` nodes, containers are converted element by element."""
        from .._tensor import Tensor
        if isinstance(a, Proxy):
            return a.node
        if isinstance(a, Tensor):
            name = self._tensor_paths.get(id(a))
            if name is None:
                name = f"_tensor_constant{len(self.tensor_attrs)}"
                self.tensor_attrs[name] = a
                setattr(self.root, name, a)
                self._tensor_paths[id(a)] = name
            return self.create_node("get_attr", name, (), {})
        if isinstance(a, (tuple, list)):
            out = [self.create_arg(x) for x in a]
            if isinstance(a, list):
                return out
            return type(a)(*out) if hasattr(a, "_fields") else tuple(out)
        if isinstance(a, dict):
            return {k: self.create_arg(v) for k, v in a.items()}
        if isinstance(a, slice):
            return slice(self.create_arg(a.start), self.create_arg(a.stop),
                         self.create_arg(a.step))
        from ..nn import Module
        if isinstance(a, Module):
            raise TraceError(f"a module ({type(a).__name__}) cannot be an argument of a "
                             "traced operation")
        return a

    def create_node(self, kind, target, args, kwargs, name=None, type_expr=None) -> Node:
        """Add a node to the graph being built."""
        return self.graph.create_node(kind, target, args, kwargs, name, type_expr)

    def proxy(self, node: Node) -> Proxy:
        """The proxy standing for ``node``."""
        return Proxy(node, self)

    def create_proxy(self, kind, target, args, kwargs, name=None, type_expr=None,
                     proxy_factory_fn=None) -> Proxy:
        """Record an operation and return the proxy of its result."""
        node = self.create_node(kind, target, self.create_arg(tuple(args)),
                                self.create_arg(dict(kwargs)), name, type_expr)
        return self.proxy(node) if proxy_factory_fn is None else proxy_factory_fn(node)

    # -- tracing ----------------------------------------------------------------------
    def trace(self, root, concrete_args: Optional[dict] = None) -> Graph:
        """Run ``root`` (a module or a function) on proxies and return its graph."""
        from ..nn import Module
        if isinstance(root, Module):
            self.root = root
            fn = type(root).forward
            self_arg = (root,)
        else:
            self.root = Module()
            fn = root
            self_arg = ()
        self.graph = Graph(tracer_cls=type(self))
        self.tensor_attrs = {}
        self._module_paths = {id(m): name for name, m in self.root.named_modules()}
        self._tensor_paths = {id(t): n for n, t in self.root.named_parameters()}
        self._tensor_paths.update({id(t): n for n, t in self.root.named_buffers()})
        args = self._placeholders(fn, bool(self_arg), concrete_args or {})
        patcher = _Patcher()
        previous = current_tracer()
        _local.tracer = self
        try:
            self._patch(patcher, fn)
            result = fn(*self_arg, *args)
        finally:
            patcher.undo()
            _local.tracer = previous
        self.create_node("output", "output", (self.create_arg(result),), {})
        return self.graph

    def _placeholders(self, fn, skip_self: bool, concrete_args: dict) -> list:
        sig = inspect.signature(fn)
        params = list(sig.parameters.values())[1 if skip_self else 0:]
        args = []
        for p in params:
            if p.name in concrete_args:
                args.append(concrete_args[p.name])
                continue
            if p.kind is p.VAR_POSITIONAL or p.kind is p.VAR_KEYWORD:
                if p.kind is p.VAR_KEYWORD:
                    continue
                raise TraceError(f"tracing a function with *{p.name} needs concrete_args")
            default = () if p.default is p.empty else (p.default,)
            node = self.create_node("placeholder", p.name, default, {}, name=p.name)
            args.append(self.proxy(node))
        return args

    def _patch(self, patcher: _Patcher, fn) -> None:
        from ..nn import Module
        tracer = self
        cache: dict = {}
        module_call = Module.__call__
        module_getattr = Module.__getattr__

        self._module_call = module_call

        def traced_call(mod, *args, **kwargs):
            if tracer._concrete:
                return module_call(mod, *args, **kwargs)

            def forward(*a, **k):
                # ember functions a traced-through module imported by name get recorded too
                patcher.patch_known(getattr(type(mod).forward, "__globals__", {}))
                return module_call(mod, *a, **k)
            return tracer.call_module(mod, forward, args, kwargs)

        def traced_getattr(mod, name):
            if tracer._concrete:
                return module_getattr(mod, name)
            return tracer.getattr(name, module_getattr(mod, name), cache)
        _patch_class(patcher, Module, "__call__", traced_call)
        _patch_class(patcher, Module, "__getattr__", traced_getattr)
        for ns in _patchable_namespaces():
            patcher.patch_functions(vars(ns))
        for mod in _layer_function_modules():
            patcher.patch_known(vars(mod))  # the public functions only, not their helpers
        for g, name in _wrapped_globals:
            if name in g:
                patcher.patch(g, name, _recording(g[name]))
            elif hasattr(builtins, name):
                patcher.patch(g, name, _recording(getattr(builtins, name)))
        g = getattr(fn, "__globals__", {})
        patcher.patch_known(g)
        for name, obj in list(g.items()):
            if obj in self._autowrap_functions or _is_leaf_function(obj):
                patcher.patch(g, name, _recording(obj))


def _is_leaf_function(obj) -> bool:
    try:
        return obj in _leaf_functions
    except TypeError:
        return False


class _ClassAttr(dict):
    """A dict-like front on a class's attribute so the patcher can swap it."""

    def __init__(self, cls):
        super().__init__()
        self.cls = cls

    def __getitem__(self, name):
        return self.cls.__dict__[name]

    def __setitem__(self, name, value):
        setattr(self.cls, name, value)


def _patch_class(patcher: _Patcher, cls, name: str, new) -> None:
    patcher.patch(_ClassAttr(cls), name, new)


def wrap(fn_or_name):
    """Record calls of a module-level function as ``call_function`` nodes rather than
    tracing into it; call at module scope with the function or its name."""
    caller = sys._getframe(1).f_globals
    if callable(fn_or_name):
        _leaf_functions.add(fn_or_name)
        name = fn_or_name.__name__
    else:
        name = fn_or_name
        if not isinstance(name, str):
            raise AssertionError("wrap must be called with a function or its name")
    if sys._getframe(1).f_code.co_name != "<module>":
        raise NotImplementedError("wrap must be called at the top level of a module")
    _wrapped_globals.append((caller, name))
    return fn_or_name


def symbolic_trace(root, concrete_args: Optional[dict] = None):
    """Trace a module or function into a ``GraphModule``."""
    from .graph_module import GraphModule
    tracer = Tracer()
    graph = tracer.trace(root, concrete_args)
    from ..nn import Module
    name = type(root).__name__ if isinstance(root, Module) else root.__name__
    return GraphModule(tracer.root, graph, name)

