"""Errors of torch.compile's capture (``torch._dynamo.exc``)."""


class TorchDynamoException(RuntimeError):
    """Base of capture errors."""


class Unsupported(TorchDynamoException):
    """Raised under ``fullgraph=True`` when a program cannot be captured whole."""
