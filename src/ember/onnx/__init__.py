"""torch.onnx: export a model captured on example inputs as an ONNX file (needs the
optional ``onnx`` package: ``pip install 'ember[onnx]'``)."""
from ._export import UnsupportedOperatorError, export  # noqa: F401


def is_in_onnx_export() -> bool:
    """False outside an export (ember's export does not run user code twice)."""
    return False


__all__ = ["export", "UnsupportedOperatorError", "is_in_onnx_export"]
