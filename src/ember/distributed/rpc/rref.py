"""``RRef``: a reference to a value that lives on one worker (its owner).

The owner keeps the value in a Future (it may still be being computed by ``remote``) in its
table of owned RRefs, under an id unique across workers. A user RRef is the owner and the
id; ``to_here`` asks the owner for a copy. An RRef pickles, inside an RPC only, as that
pair: unpickled on its owner it is the owner's RRef again, elsewhere a user RRef. Owners
keep their values until ``shutdown`` (there is no distributed reference counting).
"""
from __future__ import annotations

from ...futures import Future
from . import _agent, _errors, _transport
from .functions import async_execution
from .worker_info import WorkerInfo


class RRefId(tuple):
    """An RRef's id: the worker that created it and a number local to that worker."""

    def __repr__(self) -> str:
        return f"GloballyUniqueId(created_on={self[0]}, local_id={self[1]})"


class RRef:
    """A remote reference. ``RRef(value)`` makes one owned by this worker; ``rpc.remote``
    returns one owned by the worker that ran the function."""

    def __init__(self, value=None, type_hint=None) -> None:
        agent = _agent.current()
        self._id = RRefId(agent.new_rref_id())
        self._owner = agent.me
        self._value: Future = Future()  # the value (owner) or the creation's outcome (user)
        self._value.set_result(value)
        self._confirmed = True

    @classmethod
    def _make(cls, owner: WorkerInfo, rref_id, confirmed: bool) -> "RRef":
        rref = cls.__new__(cls)
        rref._id, rref._owner = RRefId(rref_id), owner
        rref._value, rref._confirmed = Future(), confirmed
        return rref

    def owner(self) -> WorkerInfo:
        """The WorkerInfo of the worker that owns the value."""
        return self._owner

    def owner_name(self) -> str:
        """The name of the worker that owns the value."""
        return self._owner.name

    def is_owner(self) -> bool:
        """Whether this worker owns the value."""
        return self._owner.id == _agent.current().me.id

    def confirmed_by_owner(self) -> bool:
        """Whether the owner is known to hold the value (always True on the owner)."""
        return self.is_owner() or self._confirmed

    def local_value(self):
        """The value itself, on the owner (waits while ``remote`` is still computing it)."""
        me = _agent.current().me
        if not self.is_owner():
            raise RuntimeError(f"For {self!r}, can't call localValue() on user {me}. Call it "
                               f"on owner {self._owner}")
        return self._value.wait()

    def to_here(self, timeout: float = -1.0):
        """A copy of the value, fetched from the owner (the value itself on the owner)."""
        if self.is_owner():
            return self.local_value()
        return _agent.current().call(self._owner, _owned_value, (self,), timeout=timeout).wait()

    def rpc_sync(self, timeout: float = -1.0) -> "_Proxy":
        """``rref.rpc_sync().method(*args)`` runs ``method`` on the owner's value, waiting."""
        return _Proxy(self, "rpc_sync", timeout)

    def rpc_async(self, timeout: float = -1.0) -> "_Proxy":
        """``rref.rpc_async().method(*args)``: the same, returning a Future."""
        return _Proxy(self, "rpc_async", timeout)

    def remote(self, timeout: float = -1.0) -> "_Proxy":
        """``rref.remote().method(*args)``: the same, returning an RRef to the result."""
        return _Proxy(self, "remote", timeout)

    def __reduce__(self):
        if not _transport.inside_rpc():
            raise RuntimeError("Can not pickle rref in python pickler, rref can only be "
                               "pickled when using RPC")
        if self.is_owner():
            _register(_agent.current(), self)
        return _rebuild, (self._owner.name, self._owner.id, tuple(self._id),
                          self.confirmed_by_owner())

    def __repr__(self) -> str:
        if self.is_owner():
            return f"OwnerRRef({self._id!r})"
        return f"UserRRef(RRefId = {self._id!r})"


class _Proxy:
    """Turns ``proxy.method(*args, **kwargs)`` into an RPC to the RRef's owner that calls
    that method on the owned value."""

    def __init__(self, rref: RRef, how: str, timeout: float) -> None:
        self._rref, self._how, self._timeout = rref, how, timeout

    def __getattr__(self, name: str):
        from . import api

        def method(*args, **kwargs):
            return getattr(api, self._how)(self._rref.owner(), _call_method,
                                           (self._rref, name, args, kwargs),
                                           timeout=self._timeout)
        return method


def _register(agent, rref: RRef) -> None:
    with agent._lock:
        agent.owned.setdefault(rref._id, rref)


def owned(agent, rref_id) -> RRef:
    """This worker's RRef with ``rref_id``; a pending one when its value has not been
    created yet (another worker may pass it on before its ``remote`` request arrives)."""
    with agent._lock:
        rref = agent.owned.get(rref_id)
        if rref is None:
            rref = agent.owned[rref_id] = RRef._make(agent.me, rref_id, True)
        return rref


def _rebuild(owner_name: str, owner_id: int, rref_id, confirmed: bool) -> RRef:
    agent = _agent.current()
    if owner_id == agent.me.id:
        return owned(agent, RRefId(rref_id))
    return RRef._make(WorkerInfo(owner_name, owner_id), rref_id, confirmed)


# ---- run on the owner

@async_execution
def _owned_value(rref: RRef) -> Future:
    """The owner's Future of the value (the reply is sent once it is there)."""
    return rref._value


def _call_method(rref: RRef, name: str, args: tuple, kwargs: dict):
    """Call method ``name`` of the owned value."""
    return getattr(rref.local_value(), name)(*args, **kwargs)


def create_owned(rref_id, func, args: tuple, kwargs: dict) -> None:
    """Run ``func`` for ``rpc.remote`` and keep its result (or its error) as the value of
    the owned RRef ``rref_id``; an error is raised to the creator as well."""
    agent = _agent.current()
    rref = owned(agent, RRefId(rref_id))
    try:
        value = func(*args, **kwargs)
    except BaseException as exc:
        rref._value.set_exception(_errors.rebuild(*_errors.describe(exc, agent.me)))
        raise
    rref._value.set_result(value)


def remote(to, func, args=None, kwargs=None, timeout: float = -1.0) -> RRef:
    """Start ``func(*args, **kwargs)`` on worker ``to``, which owns the result; an RRef to it."""
    agent = _agent.current()
    dest = agent.worker(to)
    rref_id = RRefId(agent.new_rref_id())
    rref = owned(agent, rref_id) if dest.id == agent.me.id else RRef._make(dest, rref_id, False)
    created = agent.call(dest, create_owned, (tuple(rref_id), func, tuple(args or ()),
                                              dict(kwargs or {})), timeout=timeout)
    if not rref.is_owner():
        created.add_done_callback(lambda done: _confirm(rref, done))
    return rref


def _confirm(rref: RRef, created: Future) -> None:
    try:
        created.value()
    except BaseException:
        return  # the error reaches the user through to_here
    rref._confirmed = True
