"""class Tensor: a backend array plus autograd metadata; its methods delegate to ember.ops."""
from __future__ import annotations

import weakref

import numpy as np

from . import _dtype as D
from ._device import CPU, array_module, canonical, device, device_of_array, move_array
from .autograd import grad_mode
from .autograd.engine import _RemovableHandle, run_backward

_state = grad_mode._state
_ndarray = np.ndarray
_np_to_dtype = D._BY_NP


class Size(tuple):
    """A tensor's shape: a tuple that prints as ``torch.Size([2, 3])``."""

    def __repr__(self):
        return f"torch.Size({list(self)})"

    def numel(self) -> int:
        n = 1
        for s in self:
            n *= s
        return n

    def __getitem__(self, item):
        r = tuple.__getitem__(self, item)
        return Size(r) if isinstance(item, slice) else r

    def __add__(self, other):
        return Size(tuple.__add__(self, tuple(other)))

    def __radd__(self, other):
        return Size(tuple(other) + tuple(self))

    def __reduce__(self):
        return (Size, (tuple(self),))


class Tensor:
    """A multi-dimensional array that records operations for automatic differentiation.

    ``Tensor(data)`` copies data as the default float dtype; ``Tensor(2, 3)`` makes an
    uninitialised 2x3 tensor. Prefer ``ember.tensor`` and the factory functions.
    """

    __slots__ = ("_data", "_rg", "_grad", "grad_fn", "_output_nr", "_vc", "_base", "_hooks",
                 "_retains", "__dict__", "__weakref__")

    # -- construction -------------------------------------------------------
    def __init__(self, *args, device=None, dtype=None):
        dt = D.get_default_dtype() if dtype is None else D.to_dtype(dtype)
        if len(args) == 1 and not isinstance(args[0], (int, np.integer, Size)):
            data = args[0]
            if isinstance(data, Tensor):
                arr = data._data
            else:
                from ._creation import _to_array
                arr = _to_array(data, dt).astype(dt.np, copy=False)
        else:
            shape = args[0] if len(args) == 1 and isinstance(args[0], Size) else args
            arr = np.empty(tuple(int(s) for s in shape), dtype=dt.np)
        if device is not None:
            arr = move_array(arr, canonical(device))
        self._init(arr)

    def _init(self, arr, requires_grad=False):
        self._data = arr
        self._rg = requires_grad
        self._grad = None
        self.grad_fn = None
        self._output_nr = 0
        self._vc = [0]
        self._base = None
        self._hooks = None
        self._retains = False

    @staticmethod
    def _make(arr, requires_grad, grad_fn, output_nr, vc):
        """Wrap a backend array without copying (the fast path every op uses)."""
        t = _new(Tensor)
        t._data = arr
        t._rg = requires_grad
        t._grad = None
        t.grad_fn = grad_fn
        t._output_nr = output_nr
        t._vc = vc
        t._base = None
        t._hooks = None
        t._retains = False
        return t

    @staticmethod
    def _xp_of(arr):
        return np if type(arr) is _ndarray else array_module(device_of_array(arr))

    def _xp(self):
        return np if type(self._data) is _ndarray else array_module(self.device)

    def __reduce_ex__(self, protocol):
        return (_rebuild_tensor, (move_array(self._data, CPU), self._rg, str(self.device),
                                  type(self)))

    # -- attributes ---------------------------------------------------------
    @property
    def dtype(self) -> D.dtype:
        return _np_to_dtype[self._data.dtype]

    @property
    def shape(self) -> Size:
        return Size(self._data.shape)

    def size(self, dim: int | None = None):
        """The shape as a ``Size``, or the length of one dimension."""
        if dim is None:
            return Size(self._data.shape)
        return self._data.shape[_wrap_dim(dim, self._data.ndim)]

    @property
    def device(self) -> device:
        d = self._data
        return CPU if type(d) is _ndarray else device_of_array(d)

    @property
    def is_cuda(self) -> bool:
        return self.device.type == "cuda"

    @property
    def is_cpu(self) -> bool:
        return self.device.type == "cpu"

    @property
    def ndim(self) -> int:
        return self._data.ndim

    def dim(self) -> int:
        """Number of dimensions."""
        return self._data.ndim

    ndimension = dim

    def numel(self) -> int:
        """Number of elements."""
        return self._data.size

    nelement = numel

    def element_size(self) -> int:
        """Bytes per element."""
        return self._data.itemsize

    @property
    def itemsize(self) -> int:
        return self._data.itemsize

    @property
    def nbytes(self) -> int:
        return self._data.nbytes

    def is_floating_point(self) -> bool:
        """Whether the dtype is a floating-point type."""
        return self._data.dtype.kind == "f"

    def is_complex(self) -> bool:
        """Whether the dtype is complex."""
        return self._data.dtype.kind == "c"

    def is_signed(self) -> bool:
        return self.dtype.is_signed

    @property
    def is_leaf(self) -> bool:
        return self.grad_fn is None

    @property
    def requires_grad(self) -> bool:
        return self._rg

    @requires_grad.setter
    def requires_grad(self, value):
        if self.grad_fn is not None:
            if value:
                return
            raise RuntimeError(
                "you can only change requires_grad flags of leaf variables. If you want to use "
                "a computed variable in a subgraph that doesn't require differentiation use "
                "var_no_grad = var.detach().")
        if value and self._data.dtype.kind not in "fc":
            raise RuntimeError("only Tensors of floating point and complex dtype can require "
                               "gradients")
        self._rg = bool(value)

    def requires_grad_(self, requires_grad: bool = True) -> "Tensor":
        """Set ``requires_grad`` in place and return self."""
        self.requires_grad = requires_grad
        return self

    @property
    def grad(self):
        return self._grad

    @grad.setter
    def grad(self, value):
        if value is not None:
            if not isinstance(value, Tensor):
                raise TypeError(f"assigned grad expected to be a Tensor or None but got grad "
                                f"of type {type(value).__name__}")
            if value._data.shape != self._data.shape:
                raise RuntimeError(f"assigned grad has data of a different size: expected "
                                   f"{list(self._data.shape)}, got {list(value._data.shape)}")
            if value._data.dtype != self._data.dtype:
                raise RuntimeError("assigned grad has data of a different type")
        self._grad = value

    @grad.deleter
    def grad(self):
        self._grad = None

    @property
    def data(self) -> "Tensor":
        t = Tensor._make(self._data, False, None, 0, self._vc)
        return t

    @data.setter
    def data(self, value):
        if not isinstance(value, Tensor):
            raise TypeError(f"data must be a Tensor, got {type(value).__name__}")
        self._data = value._data

    @property
    def _version(self) -> int:
        return self._vc[0]

    @property
    def output_nr(self) -> int:
        return self._output_nr

    @property
    def is_sparse(self) -> bool:
        return False

    @property
    def is_quantized(self) -> bool:
        return False

    @property
    def is_meta(self) -> bool:
        return False

    @property
    def layout(self):
        return "torch.strided"

    @property
    def names(self):
        return (None,) * self._data.ndim

    @property
    def retains_grad(self) -> bool:
        return self._retains

    @property
    def T(self) -> "Tensor":
        return self.permute(*range(self._data.ndim - 1, -1, -1))

    @property
    def mT(self) -> "Tensor":
        if self._data.ndim < 2:
            raise RuntimeError(f"tensor.mT is only supported on matrices or batches of "
                               f"matrices. Got {self._data.ndim}-D tensor.")
        return self.transpose(-2, -1)

    @property
    def H(self) -> "Tensor":
        return self.T.conj() if self.is_complex() else self.T

    @property
    def mH(self) -> "Tensor":
        return self.mT.conj() if self.is_complex() else self.mT

    @property
    def real(self) -> "Tensor":
        from .ops import elementwise
        return elementwise.real(self)

    @property
    def imag(self) -> "Tensor":
        from .ops import elementwise
        return elementwise.imag(self)

    def stride(self, dim: int | None = None):
        """Strides in elements, as PyTorch reports them."""
        st = tuple(s // self._data.itemsize for s in self._data.strides)
        return st if dim is None else st[_wrap_dim(dim, self._data.ndim)]

    def storage_offset(self) -> int:
        base = self._data
        while isinstance(getattr(base, "base", None), type(self._data)):
            base = base.base
        off = self._data.__array_interface__["data"][0] - base.__array_interface__["data"][0] \
            if type(self._data) is _ndarray else 0
        return off // self._data.itemsize

    def data_ptr(self) -> int:
        if type(self._data) is _ndarray:
            return self._data.__array_interface__["data"][0]
        return self._data.data.ptr

    def is_contiguous(self, memory_format=None) -> bool:
        """Whether elements are laid out in row-major order without gaps."""
        return bool(self._data.flags.c_contiguous)

    def is_set_to(self, other) -> bool:
        return self._data is other._data

    def get_device(self) -> int:
        d = self.device
        return -1 if d.type == "cpu" else (d.index or 0)

    # -- conversion ---------------------------------------------------------
    def numpy(self, *, force: bool = False) -> np.ndarray:
        """The tensor as a NumPy array sharing its memory (CPU tensors only)."""
        if force:
            return move_array(self._data, CPU).copy() if type(self._data) is not _ndarray \
                else self._data.copy()
        if self._rg:
            raise RuntimeError("Can't call numpy() on Tensor that requires grad. Use "
                               "tensor.detach().numpy() instead.")
        if type(self._data) is not _ndarray:
            raise TypeError(f"can't convert {self.device} device type tensor to numpy. Use "
                            "Tensor.cpu() to copy the tensor to host memory first.")
        return self._data

    def __array__(self, dtype=None, copy=None):
        arr = move_array(self._data, CPU)
        return arr if dtype is None else arr.astype(dtype, copy=False)

    def item(self):
        """The value of a one-element tensor as a Python number."""
        if self._data.size != 1:
            raise RuntimeError(f"a Tensor with {self._data.size} elements cannot be converted "
                               "to Scalar")
        return self._data.reshape(()).item() if type(self._data) is _ndarray \
            else self._data.reshape(()).get().item()

    def tolist(self):
        """Nested Python lists of Python numbers."""
        return move_array(self._data, CPU).tolist()

    def __len__(self):
        if self._data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self._data.shape[0]

    def __iter__(self):
        if self._data.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return iter(self.unbind(0))

    def __bool__(self):
        if self._data.size != 1:
            raise RuntimeError(f"Boolean value of Tensor with more than one value is "
                               f"ambiguous")
        return bool(self.item())

    def __float__(self):
        return float(self.item())

    def __int__(self):
        return int(self.item())

    def __complex__(self):
        return complex(self.item())

    def __index__(self):
        if self._data.dtype.kind not in "iub" or self._data.size != 1:
            raise TypeError("only integer tensors of a single element can be converted to an "
                            "index")
        return int(self.item())

    def __hash__(self):
        return id(self)

    def __format__(self, spec):
        if self._data.ndim == 0:
            return format(self.item(), spec)
        return object.__format__(self, spec)

    def __repr__(self, *, tensor_contents=None):
        from ._tensor_str import tensor_repr
        return tensor_repr(self)

    def __deepcopy__(self, memo):
        if id(self) in memo:
            return memo[id(self)]
        if self.grad_fn is not None:
            raise RuntimeError("Only Tensors created explicitly by the user (graph leaves) "
                               "support the deepcopy protocol at the moment.  If you were "
                               "attempting to deepcopy a module, this may be because of a "
                               "torch.nn.utils.weight_norm usage, see "
                               "https://github.com/pytorch/pytorch/pull/103001")
        new = _new(type(self))
        new._init(self._data.copy(), self._rg)
        if type(self) is not Tensor and hasattr(self, "__dict__"):
            import copy
            new.__dict__.update(copy.deepcopy(self.__dict__, memo))
        if self._grad is not None:
            new._grad = self._grad.__deepcopy__(memo)
        memo[id(self)] = new
        return new

    def type(self, dtype=None, non_blocking=False, **kwargs):
        """With no argument the type name (``'torch.FloatTensor'``); else a cast."""
        if dtype is None:
            name = _TYPE_NAMES.get(self.dtype.name, "Tensor")
            return f"torch.{name}" if self.device.type == "cpu" else f"torch.cuda.{name}"
        if isinstance(dtype, str) and dtype.startswith("torch.") and dtype[6:] in _NAME_TYPES:
            dtype = _NAME_TYPES[dtype[6:]]
        elif isinstance(dtype, type) and issubclass(dtype, Tensor) and \
                getattr(dtype, "_typed_dtype", None) is not None:
            dtype = dtype._typed_dtype
        return self.to(dtype)

    def to(self, *args, **kwargs) -> "Tensor":
        """Cast to a dtype and/or move to a device: ``to(dtype)``, ``to(device)``,
        ``to(device, dtype)``, ``to(other)``; returns self when nothing changes."""
        dev, dt, copy = _parse_to(args, kwargs)
        out = self
        if dt is not None and dt.np != self._data.dtype:
            from .ops.elementwise import _cast
            out = _cast(out, dt)
        if dev is not None:
            dev = canonical(dev)
            if dev != out.device:
                from .ops.shape import _to_device
                out = _to_device(out, dev)
        if copy and out is self:
            out = self.clone()
        return out

    def cpu(self, memory_format=None) -> "Tensor":
        """A copy in CPU memory (self when already there)."""
        return self.to(CPU)

    def cuda(self, device=None, non_blocking=False, memory_format=None) -> "Tensor":
        """A copy on a CUDA device (needs CuPy and a GPU)."""
        if device is None:
            device = "cuda"
        elif isinstance(device, int):
            device = f"cuda:{device}"
        return self.to(device)

    def float(self, memory_format=None):
        return self.to(D.float32)

    def double(self, memory_format=None):
        return self.to(D.float64)

    def half(self, memory_format=None):
        return self.to(D.float16)

    def bfloat16(self, memory_format=None):
        return self.to(D.bfloat16)

    def int(self, memory_format=None):
        return self.to(D.int32)

    def long(self, memory_format=None):
        return self.to(D.int64)

    def short(self, memory_format=None):
        return self.to(D.int16)

    def char(self, memory_format=None):
        return self.to(D.int8)

    def byte(self, memory_format=None):
        return self.to(D.uint8)

    def bool(self, memory_format=None):
        return self.to(D.bool)

    def cfloat(self):
        return self.to(D.complex64)

    def cdouble(self):
        return self.to(D.complex128)

    def pin_memory(self, device=None):
        return self

    def is_pinned(self, device=None):
        return False

    def share_memory_(self):
        return self

    def is_shared(self):
        return False

    # -- autograd -----------------------------------------------------------
    def backward(self, gradient=None, retain_graph=None, create_graph=False, inputs=None):
        """Accumulate the gradient of this tensor into the ``.grad`` of the leaves."""
        if gradient is None:
            if self._data.size != 1:
                raise RuntimeError("grad can be implicitly created only for scalar outputs")
            if self._data.dtype.kind not in "fc":
                raise RuntimeError(f"grad can be implicitly created only for real scalar "
                                   f"outputs but got {self.dtype}")
            gradient = Tensor._make(self._xp().ones_like(self._data), False, None, 0, [0])
        elif not isinstance(gradient, Tensor):
            from ._creation import tensor as _tensor
            gradient = _tensor(gradient, dtype=self.dtype)
        elif gradient._data.shape != self._data.shape:
            raise RuntimeError(
                f"Mismatch in shape: grad_output[0] has a shape of {Size(gradient.shape)} and "
                f"output[0] has a shape of {Size(self.shape)}.")
        if not self._rg:
            raise RuntimeError("element 0 of tensors does not require grad and does not have "
                               "a grad_fn")
        if retain_graph is None:
            retain_graph = create_graph
        if inputs is not None:
            inputs = [inputs] if isinstance(inputs, Tensor) else list(inputs)
            grads = run_backward([self], [gradient], retain_graph, create_graph, inputs,
                                 allow_unused=True, accumulate=False)
            for t, g in zip(inputs, grads):
                if g is not None:
                    from .autograd.engine import _accumulate
                    _accumulate(t, g, create_graph, set())
            return
        run_backward([self], [gradient], retain_graph, create_graph)

    def register_hook(self, hook):
        """Call ``hook(grad)`` when this tensor's gradient is computed; it may return a
        replacement. Returns a handle with ``remove()``."""
        if not self._rg:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require "
                               "gradient")
        fn = self.grad_fn
        if fn is None:
            if self._hooks is None:
                self._hooks = []
            self._hooks.append(hook)
            return _RemovableHandle(self._hooks, hook)
        if fn._tensor_hooks is None:
            fn._tensor_hooks = {}
        lst = fn._tensor_hooks.setdefault(self._output_nr, [])
        lst.append(hook)
        return _RemovableHandle(lst, hook)

    def retain_grad(self):
        """Keep ``.grad`` for this non-leaf tensor after backward."""
        if not self._rg:
            raise RuntimeError("can't retain_grad on Tensor that has requires_grad=False")
        fn = self.grad_fn
        if fn is None:
            return
        if fn._retain is None:
            fn._retain = {}
        fn._retain[self._output_nr] = weakref.ref(self)
        self._retains = True

    def detach(self) -> "Tensor":
        """A tensor sharing this one's data, cut off from the graph."""
        t = Tensor._make(self._data, False, None, 0, self._vc)
        return t

    def detach_(self) -> "Tensor":
        """Cut this tensor off from the graph, in place."""
        if self._base is not None and self._base._rg:
            raise RuntimeError("Can't detach views in-place. Use detach() instead.")
        self.grad_fn = None
        self._rg = False
        self._output_nr = 0
        return self

    # -- in-place support shared by the ops ----------------------------------
    def _check_inplace(self):
        """PyTorch's refusals for an in-place write while recording the graph."""
        if self._rg and _state.enabled:
            if self.grad_fn is None:
                raise RuntimeError("a leaf Variable that requires grad is being used in an "
                                   "in-place operation.")
            base = self._base
            if base is not None and base._rg and base.grad_fn is None:
                raise RuntimeError("a view of a leaf Variable that requires grad is being used "
                                   "in an in-place operation.")

    def _inplace_from(self, result: "Tensor") -> "Tensor":
        """Write ``result`` into this tensor's memory and take over its graph position."""
        arr = result._data
        if arr.dtype != self._data.dtype:
            if not D.can_cast(_np_to_dtype[arr.dtype], self.dtype):
                raise RuntimeError(f"result type {_TYPE_SHORT[_np_to_dtype[arr.dtype].name]} "
                                   f"can't be cast to the desired output type "
                                   f"{_TYPE_SHORT[self.dtype.name]}")
        if arr.shape != self._data.shape:
            raise RuntimeError(f"output with shape {list(self._data.shape)} doesn't match the "
                               f"broadcast shape {list(arr.shape)}")
        if arr is not self._data:
            self._data[...] = arr
        self._vc[0] += 1
        if result._rg:
            self._rg = True
            self.grad_fn = result.grad_fn
            self._output_nr = result._output_nr
        return self

    def _bump(self):
        self._vc[0] += 1
        return self


_new = object.__new__


def _rebuild_tensor(arr, requires_grad, dev, cls):
    t = _new(cls)
    t._init(arr, requires_grad)
    if dev != "cpu":
        t._data = move_array(arr, canonical(dev))
    return t


def _wrap_dim(dim, ndim):
    n = max(ndim, 1)
    if not -n <= dim < n:
        raise IndexError(f"Dimension out of range (expected to be in range of [{-n}, {n - 1}], "
                         f"but got {dim})")
    return dim % n


_TYPE_NAMES = {"float32": "FloatTensor", "float64": "DoubleTensor", "float16": "HalfTensor",
               "bfloat16": "BFloat16Tensor", "int8": "CharTensor", "int16": "ShortTensor",
               "int32": "IntTensor", "int64": "LongTensor", "uint8": "ByteTensor",
               "bool": "BoolTensor", "complex64": "ComplexFloatTensor",
               "complex128": "ComplexDoubleTensor"}
_NAME_TYPES = {v: D._BY_NAME[k] for k, v in _TYPE_NAMES.items()}
_TYPE_SHORT = {"float32": "Float", "float64": "Double", "float16": "Half", "bfloat16": "BFloat16",
               "int8": "Char", "int16": "Short", "int32": "Int", "int64": "Long",
               "uint8": "Byte", "bool": "Bool", "complex64": "ComplexFloat",
               "complex128": "ComplexDouble"}


def _parse_to(args, kwargs):
    dev = kwargs.pop("device", None)
    dt = kwargs.pop("dtype", None)
    copy = kwargs.pop("copy", False)
    kwargs.pop("non_blocking", None)
    kwargs.pop("memory_format", None)
    if kwargs:
        raise TypeError(f"to() got an unexpected keyword argument '{next(iter(kwargs))}'")
    for a in args:
        if isinstance(a, Tensor):
            dev, dt = a.device, a.dtype
        elif isinstance(a, D.dtype):
            dt = a
        elif isinstance(a, (str, device, int)) and not isinstance(a, bool):
            dev = device(a) if not isinstance(a, int) else device("cuda", a)
        elif isinstance(a, bool):
            pass  # non_blocking / copy passed positionally
        elif a is not None:
            dt = D.to_dtype(a)
    if dt is not None:
        dt = D.to_dtype(dt)
    return dev, dt, copy


def _bind_methods():
    """Attach each ops module's tensor methods (they take the tensor first)."""
    from .ops import METHOD_MODULES
    for mod in METHOD_MODULES:
        for name in mod.TENSOR_METHODS:
            setattr(Tensor, name, getattr(mod, name))
