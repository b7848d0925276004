"""The legacy typed constructors: FloatTensor, DoubleTensor, LongTensor, …"""
from __future__ import annotations

from . import _dtype as D
from ._tensor import Tensor

__all__ = ["FloatTensor", "DoubleTensor", "HalfTensor", "BFloat16Tensor", "IntTensor",
           "LongTensor", "ShortTensor", "CharTensor", "ByteTensor", "BoolTensor"]


class _TypedMeta(type):
    """The metaclass of the typed constructors: calling one makes a plain ``Tensor`` of its
    dtype, and ``isinstance`` checks the dtype (and that the tensor is on the CPU)."""

    def __instancecheck__(cls, obj):
        return isinstance(obj, Tensor) and obj.dtype is cls._typed_dtype and \
            obj.device.type == "cpu"

    def __call__(cls, *args, device=None):
        return Tensor(*args, dtype=cls._typed_dtype, device=device)


def _typed(name: str, dt: D.dtype) -> type:
    # ``dtype`` on the class reads as in PyTorch (``torch.FloatTensor.dtype``)
    return _TypedMeta(name, (Tensor,), {"_typed_dtype": dt, "dtype": dt, "is_cuda": False,
                                        "__slots__": (), "__module__": "torch",
                                        "__doc__": f"Construct a {dt} tensor (legacy API)."})


FloatTensor = _typed("FloatTensor", D.float32)
DoubleTensor = _typed("DoubleTensor", D.float64)
HalfTensor = _typed("HalfTensor", D.float16)
BFloat16Tensor = _typed("BFloat16Tensor", D.bfloat16)
IntTensor = _typed("IntTensor", D.int32)
LongTensor = _typed("LongTensor", D.int64)
ShortTensor = _typed("ShortTensor", D.int16)
CharTensor = _typed("CharTensor", D.int8)
ByteTensor = _typed("ByteTensor", D.uint8)
BoolTensor = _typed("BoolTensor", D.bool)
