"""Default settings of ``torch.distributed.rpc``."""

DEFAULT_RPC_TIMEOUT_SEC = 60.0  # seconds an RPC may take before its future fails
UNSET_RPC_TIMEOUT = -1.0  # "use the agent's default timeout"
DEFAULT_NUM_WORKER_THREADS = 16  # threads that run incoming calls
DEFAULT_SHUTDOWN_TIMEOUT = 0  # 0: a graceful shutdown waits as long as it takes
DEFAULT_INIT_METHOD = "env://"
