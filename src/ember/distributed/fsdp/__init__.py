"""ember.distributed.fsdp (served as ``torch.distributed.fsdp``): fully sharded data parallel
training on MPI."""
from .api import (BackwardPrefetch, CPUOffload, FullOptimStateDictConfig,  # noqa: F401
                  FullStateDictConfig, LocalOptimStateDictConfig, LocalStateDictConfig,
                  MixedPrecision, OptimStateDictConfig, ShardedOptimStateDictConfig,
                  ShardedStateDictConfig, ShardingStrategy, StateDictConfig,
                  StateDictSettings, StateDictType)
from ._fully_shard import (CPUOffloadPolicy, FSDPModule, MixedPrecisionPolicy,  # noqa: F401
                           OffloadPolicy, fully_shard)
from .fully_sharded_data_parallel import FullyShardedDataParallel

__all__ = ["fully_shard", "FSDPModule", "MixedPrecisionPolicy", "OffloadPolicy",
           "CPUOffloadPolicy", "FullyShardedDataParallel", "ShardingStrategy", "BackwardPrefetch",
           "StateDictType", "StateDictConfig", "FullStateDictConfig", "LocalStateDictConfig",
           "ShardedStateDictConfig", "OptimStateDictConfig", "FullOptimStateDictConfig",
           "LocalOptimStateDictConfig", "ShardedOptimStateDictConfig", "StateDictSettings",
           "CPUOffload", "MixedPrecision"]
