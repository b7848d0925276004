"""ember.distributed.tensor (served as ``torch.distributed.tensor``): the part of DTensor
that fully sharded training needs.

A ``DeviceMesh`` here is one-dimensional: the ranks of a process group. A ``DTensor`` is a
tensor that holds this rank's piece of a global tensor, split along dim 0 in
``torch.chunk``'s way (``Shard(0)``: the first ranks get ceil(n / world) rows each, the
last ones what is left, possibly nothing) or whole on every rank (``Replicate()``).
Unlike torch's, where operations act on the global tensor, ember's DTensor *is* its local
piece: its ``shape`` and arithmetic are the local ones, and ``full_tensor()`` gathers the
global tensor. That is enough for what ``fully_shard`` hands out (the sharded parameters,
which optimizers update piece by piece) and for reading them back whole.
"""
from __future__ import annotations

import math

from ..._tensor import Tensor
from ...autograd.function import Function

__all__ = ["DeviceMesh", "init_device_mesh", "DTensor", "Shard", "Replicate", "Placement",
           "distribute_tensor"]


class Placement:
    """How a DTensor lays its global tensor over a mesh dimension."""

    def is_shard(self, dim: int | None = None) -> bool:
        return False

    def is_replicate(self) -> bool:
        return False


class Shard(Placement):
    """Split along ``dim`` (ember shards dim 0 only)."""

    def __init__(self, dim: int):
        self.dim = dim

    def is_shard(self, dim: int | None = None) -> bool:
        return dim is None or dim == self.dim

    def __eq__(self, other):
        return isinstance(other, Shard) and other.dim == self.dim

    def __hash__(self):
        return hash(("Shard", self.dim))

    def __repr__(self):
        return f"Shard(dim={self.dim})"


class Replicate(Placement):
    """The whole tensor on every rank."""

    def is_replicate(self) -> bool:
        return True

    def __eq__(self, other):
        return isinstance(other, Replicate)

    def __hash__(self):
        return hash("Replicate")

    def __repr__(self):
        return "Replicate()"


class DeviceMesh:
    """A one-dimensional mesh: the ranks of ``group`` (the world when None)."""

    def __init__(self, device_type: str, mesh=None, *, mesh_dim_names=None, group=None):
        from .. import distributed_c10d as c10d
        world = c10d.get_world_size(group)
        ranks = list(range(world)) if mesh is None else [int(r) for r in _flat(mesh)]
        if group is None and ranks != list(range(c10d.get_world_size())):
            raise NotImplementedError("ember's DeviceMesh spans the whole world (or a given "
                                      f"group); got the ranks {ranks}")
        self.device_type = device_type
        self.mesh_dim_names = tuple(mesh_dim_names) if mesh_dim_names else None
        self._group, self._ranks = group, ranks

    @property
    def ndim(self) -> int:
        return 1

    @property
    def shape(self) -> tuple:
        return (len(self._ranks),)

    @property
    def mesh(self) -> Tensor:
        from ... import tensor
        return tensor(self._ranks)

    def size(self, mesh_dim: int | None = None) -> int:
        return len(self._ranks)

    def get_group(self, mesh_dim=None):
        """The process group of this mesh (None: the default group)."""
        return self._group

    def get_rank(self) -> int:
        from .. import distributed_c10d as c10d
        return c10d.get_rank()

    def get_local_rank(self, mesh_dim=None) -> int:
        from .. import distributed_c10d as c10d
        return c10d.get_rank(self._group)

    def __getitem__(self, name):
        if self.mesh_dim_names and name in self.mesh_dim_names:
            return self
        raise KeyError(f"mesh dimension {name!r} not in {self.mesh_dim_names}")

    def __repr__(self):
        return f"DeviceMesh('{self.device_type}', {self._ranks})"


def _flat(mesh):
    if isinstance(mesh, Tensor):
        return mesh.reshape(-1).tolist()
    return [r for row in mesh for r in (_flat(row) if isinstance(row, (list, tuple)) else [row])]


def init_device_mesh(device_type: str, mesh_shape: tuple, *, mesh_dim_names=None) -> DeviceMesh:
    """A mesh over the world; ember's meshes have one dimension."""
    from .. import distributed_c10d as c10d
    shape = tuple(mesh_shape)
    if len(shape) != 1 or shape[0] != c10d.get_world_size():
        raise NotImplementedError(f"ember's DeviceMesh is one-dimensional over the whole world "
                                  f"of {c10d.get_world_size()} ranks; got mesh_shape {shape}")
    return DeviceMesh(device_type, list(range(shape[0])), mesh_dim_names=mesh_dim_names)


def chunk_rows(n: int, world: int, rank: int) -> tuple[int, int]:
    """The rows [start, stop) of an ``n``-row tensor that ``rank`` holds under Shard(0)."""
    size = math.ceil(n / world) if n else 0
    start = min(rank * size, n)
    return start, min(start + size, n)


class _GatherRows(Function):
    """The global tensor from every rank's rows; backward gives each rank its rows' gradient."""

    @staticmethod
    def forward(ctx, local, spec):
        ctx.spec = spec
        return spec.gather(local.detach())

    @staticmethod
    def backward(ctx, grad):
        start, stop = ctx.spec.rows
        return grad[start:stop], None


class _Spec:
    """Where a DTensor's piece sits: its mesh, placement and global shape."""

    def __init__(self, mesh: DeviceMesh, placement: Placement, shape: tuple):
        from .. import distributed_c10d as c10d
        self.mesh, self.placement, self.shape = mesh, placement, tuple(shape)
        self.group = mesh.get_group()
        self.world = c10d.get_world_size(self.group)
        n = self.shape[0] if self.shape else 1
        self.chunk = math.ceil(n / self.world) if n else 0
        self.rows = chunk_rows(n, self.world, c10d.get_rank(self.group))

    def gather(self, local: Tensor) -> Tensor:
        """The global tensor from this rank's ``local`` rows (a collective)."""
        from .. import distributed_c10d as c10d
        if self.placement.is_replicate():
            return local
        rest = self.shape[1:]
        padded = local.new_zeros((self.chunk,) + rest)
        padded[:local.shape[0]] = local.reshape((-1,) + rest)
        out = local.new_empty((self.chunk * self.world,) + rest)
        c10d.all_gather_into_tensor(out, padded, group=self.group)
        return out[:self.shape[0] if self.shape else 1].reshape(self.shape)

    def reduce_scatter_mean(self, grad: Tensor) -> Tensor:
        """This rank's rows of the mean over ranks of the global-shaped ``grad`` (a
        collective: the adjoint of ``gather`` for averaged gradients)."""
        from .. import distributed_c10d as c10d
        rest = self.shape[1:]
        padded = grad.new_zeros((self.chunk * self.world,) + rest)
        padded[:self.shape[0] if self.shape else 1] = grad.reshape((-1,) + rest)
        mine = grad.new_empty((self.chunk,) + rest)
        c10d.reduce_scatter_tensor(mine, padded, op=c10d.ReduceOp.AVG, group=self.group)
        start, stop = self.rows
        return mine[:stop - start]

    def local_of(self, full: Tensor) -> Tensor:
        """This rank's piece of the global ``full``."""
        if self.placement.is_replicate():
            return full
        start, stop = self.rows
        return full.reshape((-1,) + self.shape[1:])[start:stop]


class DTensor(Tensor):
    """This rank's piece of a tensor laid over a ``DeviceMesh`` (see the module's note)."""

    _spec: _Spec

    @property
    def device_mesh(self) -> DeviceMesh:
        return self._spec.mesh

    @property
    def placements(self) -> tuple:
        return (self._spec.placement,)

    def to_local(self, *, grad_placements=None) -> Tensor:
        """The local piece as a plain tensor (gradients flow back to this one)."""
        return self.view(tuple(self.shape))

    def full_tensor(self, *, grad_placements=None) -> Tensor:
        """The global tensor, gathered from every rank (a collective)."""
        return _GatherRows.apply(self, self._spec)

    def redistribute(self, device_mesh=None, placements=None, *, async_op=False):
        """Only Replicate is supported as a target: the gathered tensor, as a DTensor."""
        if placements is None or any(not p.is_replicate() for p in placements):
            raise NotImplementedError("ember's DTensor redistributes to Replicate() only")
        return as_dtensor(self.full_tensor(), _Spec(self._spec.mesh, Replicate(),
                                                    self._spec.shape))


def as_dtensor(t: Tensor, spec: _Spec) -> DTensor:
    """``t``'s values (shared) as a DTensor with ``spec``."""
    out = Tensor._make(t._data, t.requires_grad, None, 0, t._vc)
    out.__class__ = DTensor
    out._spec = spec
    return out


def distribute_tensor(tensor: Tensor, device_mesh: DeviceMesh | None = None,
                      placements=None, *, src_data_rank: int | None = 0) -> DTensor:
    """Lay ``tensor`` over the mesh: rank ``src_data_rank``'s values, split (``Shard(0)``)
    or whole (``Replicate()``) on every rank."""
    from .. import distributed_c10d as c10d
    mesh = device_mesh or init_device_mesh("cpu", (c10d.get_world_size(),))
    placement = (placements or [Replicate()])[0]
    if placement.is_shard() and not placement.is_shard(0):
        raise NotImplementedError(f"ember's DTensor shards dim 0 only, got {placement}")
    full = tensor.detach().clone()
    if src_data_rank is not None:
        c10d.broadcast(full, src=src_data_rank, group=mesh.get_group())
    spec = _Spec(mesh, placement, tuple(tensor.shape))
    out = as_dtensor(spec.local_of(full).clone(), spec)
    out.requires_grad_(tensor.requires_grad)
    return out
