"""The option types of ``torch.distributed.fsdp``: sharding strategies and state-dict kinds."""
from __future__ import annotations

import enum
from dataclasses import dataclass

__all__ = ["ShardingStrategy", "BackwardPrefetch", "StateDictType", "StateDictConfig",
           "FullStateDictConfig", "LocalStateDictConfig", "ShardedStateDictConfig",
           "OptimStateDictConfig", "FullOptimStateDictConfig", "LocalOptimStateDictConfig",
           "ShardedOptimStateDictConfig", "StateDictSettings", "CPUOffload", "MixedPrecision"]


class ShardingStrategy(enum.Enum):
    """How parameters are split over ranks (ember shards them fully in every case)."""
    FULL_SHARD = enum.auto()
    SHARD_GRAD_OP = enum.auto()
    NO_SHARD = enum.auto()
    HYBRID_SHARD = enum.auto()
    _HYBRID_SHARD_ZERO2 = enum.auto()


class BackwardPrefetch(enum.Enum):
    """When the next unit's parameters are gathered in backward (a hint; ember has one)."""
    BACKWARD_PRE = enum.auto()
    BACKWARD_POST = enum.auto()


class StateDictType(enum.Enum):
    """What ``state_dict()`` of an FSDP module returns: the whole parameters (FULL), this
    rank's dim-0 piece of each (SHARDED), or this rank's flat shard as stored (LOCAL)."""
    FULL_STATE_DICT = enum.auto()
    LOCAL_STATE_DICT = enum.auto()
    SHARDED_STATE_DICT = enum.auto()


@dataclass
class StateDictConfig:
    """Options common to every state-dict kind."""
    offload_to_cpu: bool = False


@dataclass
class FullStateDictConfig(StateDictConfig):
    """FULL_STATE_DICT options; with ``rank0_only`` the other ranks get an empty dict."""
    rank0_only: bool = False


@dataclass
class LocalStateDictConfig(StateDictConfig):
    """LOCAL_STATE_DICT options."""


@dataclass
class ShardedStateDictConfig(StateDictConfig):
    """SHARDED_STATE_DICT options."""
    _use_dtensor: bool = False


@dataclass
class OptimStateDictConfig:
    """Options common to every optimizer state-dict kind."""
    offload_to_cpu: bool = True


@dataclass
class FullOptimStateDictConfig(OptimStateDictConfig):
    """Full optimizer state-dict options."""
    rank0_only: bool = False


@dataclass
class LocalOptimStateDictConfig(OptimStateDictConfig):
    """Local optimizer state-dict options."""
    offload_to_cpu: bool = False


@dataclass
class ShardedOptimStateDictConfig(OptimStateDictConfig):
    """Sharded optimizer state-dict options."""
    _use_dtensor: bool = False


@dataclass
class StateDictSettings:
    """The state-dict kind of a module and its options."""
    state_dict_type: StateDictType
    state_dict_config: StateDictConfig
    optim_state_dict_config: OptimStateDictConfig


@dataclass
class CPUOffload:
    """Keep parameters on the CPU (ember's always are)."""
    offload_params: bool = False


@dataclass
class MixedPrecision:
    """Dtypes for parameters, gradient reduction and buffers (accepted; ember computes in
    the parameters' own dtype)."""
    param_dtype: object = None
    reduce_dtype: object = None
    buffer_dtype: object = None
    keep_low_precision_grads: bool = False
    cast_forward_inputs: bool = False
    cast_root_forward_inputs: bool = True
