"""Backend choice and options of ``init_rpc``: TensorPipe's names, carried out on MPI."""
from __future__ import annotations

import enum

from . import constants


class BackendType(enum.Enum):
    """The RPC backends; TENSORPIPE (ember's MPI transport) is the only one, as in torch."""
    TENSORPIPE = "TENSORPIPE"


class RpcBackendOptions:
    """Options every backend understands: the default RPC timeout (seconds) and init method."""

    def __init__(self, rpc_timeout: float = constants.DEFAULT_RPC_TIMEOUT_SEC,
                 init_method: str = constants.DEFAULT_INIT_METHOD) -> None:
        self.rpc_timeout = float(rpc_timeout)
        self.init_method = init_method


class TensorPipeRpcBackendOptions(RpcBackendOptions):
    """TensorPipe's options. ``num_worker_threads`` sizes the pool that runs incoming calls and
    ``rpc_timeout`` is the default timeout; the rendezvous (``init_method``) is the MPI job
    itself, and the device maps have no meaning for a CPU transport (accepted, unused)."""

    def __init__(self, *, num_worker_threads: int = constants.DEFAULT_NUM_WORKER_THREADS,
                 rpc_timeout: float = constants.DEFAULT_RPC_TIMEOUT_SEC,
                 init_method: str = constants.DEFAULT_INIT_METHOD, device_maps=None,
                 devices=None, _transports=None, _channels=None) -> None:
        super().__init__(rpc_timeout, init_method)
        if num_worker_threads < 1:
            raise ValueError(f"num_worker_threads must be positive, got {num_worker_threads}")
        self.num_worker_threads = int(num_worker_threads)
        self.device_maps = dict(device_maps or {})
        self.devices = list(devices or [])

    def set_device_map(self, to: str, device_map: dict) -> None:
        """Record a device map for worker ``to`` (kept for API parity; tensors stay on CPU)."""
        self.device_maps.setdefault(to, {}).update(device_map)

    def set_devices(self, devices: list) -> None:
        """Record the devices this worker uses (kept for API parity)."""
        self.devices = list(devices)
