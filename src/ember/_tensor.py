"""class Tensor: a backend array plus autograd metadata; its methods delegate to ember.ops."""
from __future__ import annotations

import warnings
import weakref

import numpy as np

from . import _dtype as D
from ._device import CPU, array_module, canonical, device, device_of_array, move_array
from .autograd import grad_mode
from .autograd import _views
from .autograd.engine import _RemovableHandle, run_backward

_state = grad_mode._state
_ndarray = np.ndarray
_np_to_dtype = D._BY_NP


class Size(tuple):
    """A tensor's shape: a tuple that prints as ``torch.Size([2, 3])``."""

    def __repr__(self):
        return f"torch.Size({list(self)})"

    def numel(self) -> int:
        """Number of elements (the product of the sizes)."""
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

    # ``_root`` is the base a view shares memory with (read and set as ``_base``).
    # The fields every tensor sets are slots; the rarely set ones default on the class
    # (an instance that sets one keeps it in its __dict__), which keeps creation cheap.
    __slots__ = ("_data", "_rg", "grad_fn", "_output_nr", "_vc", "__dict__", "__weakref__")
    _grad = None
    _root = None
    _hooks = None
    _retains = False
    _sparse = False  # True on the sparse layouts (ember._sparse_tensor)

    # NumPy scalars on the left of an operator defer to the tensor (``np.float32(2) * t``)
    __array_priority__ = 1000

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
            # ``Tensor()`` is an empty 1-D tensor, as in PyTorch
            arr = np.empty(tuple(int(s) for s in shape) if args else (0,), dtype=dt.np)
        if device is not None:
            arr = move_array(arr, canonical(device))
        self._init(arr)

    def _init(self, arr, requires_grad=False):
        self._data = arr
        self._rg = requires_grad
        self.grad_fn = None
        self._output_nr = 0
        self._vc = [0]

    @staticmethod
    def _make(arr, requires_grad, grad_fn, output_nr, vc):
        """Wrap a backend array without copying (the fast path every op uses)."""
        t = _new(Tensor)
        t._data = arr
        t._rg = requires_grad
        t.grad_fn = grad_fn
        t._output_nr = output_nr
        t._vc = vc
        return t

    @staticmethod
    def _xp_of(arr):
        return np if type(arr) is _ndarray else array_module(device_of_array(arr))

    def _xp(self):
        return np if type(self._data) is _ndarray else array_module(self.device)

    def __reduce_ex__(self, protocol):
        cls = type(self)
        # Tensor itself travels as None: its __module__ names torch (see below)
        return (_rebuild_tensor, (move_array(self._data, CPU), self._rg, str(self.device),
                                  None if cls is Tensor else cls, self._user_state()))

    def _user_state(self) -> dict:
        """Attributes set on the tensor by its users (what pickling and deepcopy carry)."""
        return {k: v for k, v in self.__dict__.items() if k not in _INTERNAL_ATTRS}

    @property
    def _base(self):
        """The tensor whose memory this view shares (None for a tensor that is no view)."""
        return self._root

    @_base.setter
    def _base(self, root):
        self._root = root
        if root is not None and root.grad_fn is not None:
            # a view of a graph intermediate is re-derived if the base is written in place
            _views.register_view(self, root)

    # -- attributes ---------------------------------------------------------
    @property
    def dtype(self) -> D.dtype:
        """The element type."""
        return _np_to_dtype[self._data.dtype]

    @property
    def shape(self) -> Size:
        """The sizes of the dimensions, as a ``Size``."""
        return Size(self._data.shape)

    def size(self, dim: int | None = None):
        """The shape as a ``Size``, or the length of one dimension."""
        if dim is None:
            return Size(self._data.shape)
        return self._data.shape[_wrap_dim(dim, self._data.ndim)]

    @property
    def device(self) -> device:
        """Where the data lives (``device('cpu')`` or a CUDA device)."""
        d = self._data
        return CPU if type(d) is _ndarray else device_of_array(d)

    @property
    def is_cuda(self) -> bool:
        """Whether the tensor is on a CUDA device."""
        return self.device.type == "cuda"

    @property
    def is_cpu(self) -> bool:
        """Whether the tensor is in CPU memory."""
        return self.device.type == "cpu"

    @property
    def ndim(self) -> int:
        """Number of dimensions."""
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
        """Bytes per element."""
        return self._data.itemsize

    @property
    def nbytes(self) -> int:
        """Bytes taken by the elements."""
        return self._data.nbytes

    def is_floating_point(self) -> bool:
        """Whether the dtype is a floating-point type."""
        return self._data.dtype.kind == "f"

    def is_complex(self) -> bool:
        """Whether the dtype is complex."""
        return self._data.dtype.kind == "c"

    def is_signed(self) -> bool:
        """Whether the dtype can hold negative values."""
        return self.dtype.is_signed

    @property
    def is_leaf(self) -> bool:
        """Whether no recorded operation produced this tensor (it has no ``grad_fn``)."""
        return self.grad_fn is None

    @property
    def requires_grad(self) -> bool:
        """Whether operations on this tensor are recorded for autograd."""
        return self._rg

    @requires_grad.setter
    def requires_grad(self, value):
        self._set_requires_grad(value, "floating point and complex")

    def requires_grad_(self, requires_grad: bool = True) -> "Tensor":
        """Set ``requires_grad`` in place and return self."""
        self._set_requires_grad(requires_grad, "floating point")
        return self

    def _set_requires_grad(self, value, allowed):
        # PyTorch's two spellings name the allowed dtypes differently
        if self.grad_fn is not None:
            if value:
                return
            raise RuntimeError(
                "you can only change requires_grad flags of leaf variables. If you want to use "
                "a computed variable in a subgraph that doesn't require differentiation use "
                "var_no_grad = var.detach().")
        if value and self._data.dtype.kind not in "fc":
            raise RuntimeError(f"only Tensors of {allowed} dtype can require gradients")
        self._rg = bool(value)

    @property
    def grad(self):
        """The gradient accumulated by backward (leaves, or non-leaves that retain it)."""
        if self.grad_fn is not None and not self._retains and self._grad is None:
            warnings.warn(_NON_LEAF_GRAD_MSG, UserWarning, stacklevel=2)
        return self._grad

    @grad.setter
    def grad(self, value):
        if value is not None:
            if not isinstance(value, Tensor):
                raise TypeError(f"assigned grad expected to be a Tensor or None but got grad "
                                f"of type {type(value).__name__}")
            if value._data.shape != self._data.shape:
                raise RuntimeError(
                    f"attempting to assign a gradient of size '{list(value._data.shape)}' to a "
                    f"tensor of size '{list(self._data.shape)}'. Please ensure that the "
                    "gradient and the tensor are the same size")
            if value._data.dtype != self._data.dtype:
                raise RuntimeError(
                    f"attempting to assign a gradient with dtype '{_c_name(value.dtype)}' to a "
                    f"tensor with grad_dtype '{_TYPE_SHORT[self.dtype.name]}'. The gradient "
                    "must match the tensor's grad_dtype (defaults to the tensor's dtype). You "
                    "can set the tensor's grad_dtype attribute with a specific dtype, or None "
                    "to allow any dtype. Set grad_dtype with caution. Diverging the dtypes of a "
                    "tensor and its gradient may break downstream systems that assume they "
                    "match.")
            if value.device != self.device:
                raise RuntimeError("attempting to assign a gradient located on device with "
                                   f"index '{value.get_device()}' to a tensor located on device "
                                   f"with index '{self.get_device()}'. Please ensure that the "
                                   "gradient and the tensor are on the same device")
        self._grad = value

    @grad.deleter
    def grad(self):
        self._grad = None

    @property
    def data(self) -> "Tensor":
        # shares memory but not the version counter: writes through .data go unchecked
        """The same memory as a tensor outside the graph."""
        return Tensor._make(self._data, False, None, 0, [0])

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
        """Which output of its ``grad_fn`` this tensor is."""
        return self._output_nr

    @property
    def is_sparse(self) -> bool:
        """Always False: ember tensors are dense."""
        return False

    @property
    def is_quantized(self) -> bool:
        """Always False: ember has no quantized tensors."""
        return False

    @property
    def is_meta(self) -> bool:
        """Always False: ember has no meta tensors."""
        return False

    @property
    def layout(self):
        """The memory layout: always strided."""
        from ._layout import strided
        return strided

    @property
    def names(self):
        """Dimension names: ember has none (all None)."""
        return (None,) * self._data.ndim

    @property
    def retains_grad(self) -> bool:
        """Whether ``retain_grad()`` was called on this non-leaf tensor."""
        return self._retains

    @property
    def T(self) -> "Tensor":
        """The tensor with all its dimensions reversed (a view)."""
        return self.permute(*range(self._data.ndim - 1, -1, -1))

    @property
    def mT(self) -> "Tensor":
        """The last two dimensions swapped (a view)."""
        if self._data.ndim < 2:
            raise RuntimeError(f"tensor.mT is only supported on matrices or batches of "
                               f"matrices. Got {self._data.ndim}-D tensor.")
        return self.transpose(-2, -1)

    @property
    def H(self) -> "Tensor":
        """Conjugate transpose (plain transpose for real tensors)."""
        return self.T.conj() if self.is_complex() else self.T

    @property
    def mH(self) -> "Tensor":
        """Conjugate of ``mT`` (``mT`` for real tensors)."""
        return self.mT.conj() if self.is_complex() else self.mT

    @property
    def real(self) -> "Tensor":
        """The real part."""
        from .ops import elementwise
        return elementwise.real(self)

    @property
    def imag(self) -> "Tensor":
        """The imaginary part (complex tensors)."""
        from .ops import elementwise
        return elementwise.imag(self)

    def stride(self, dim: int | None = None):
        """Strides in elements, as PyTorch reports them."""
        st = tuple(s // self._data.itemsize for s in self._data.strides)
        return st if dim is None else st[_wrap_dim(dim, self._data.ndim)]

    def storage_offset(self) -> int:
        """Offset in elements from the start of the underlying memory."""
        base = self._data
        while isinstance(getattr(base, "base", None), type(self._data)):
            base = base.base
        off = self._data.__array_interface__["data"][0] - base.__array_interface__["data"][0] \
            if type(self._data) is _ndarray else 0
        return off // self._data.itemsize

    def data_ptr(self) -> int:
        """The address of the first element."""
        if type(self._data) is _ndarray:
            return self._data.__array_interface__["data"][0]
        return self._data.data.ptr

    def is_contiguous(self, memory_format=None) -> bool:
        """Whether elements are laid out in row-major order without gaps."""
        return bool(self._data.flags.c_contiguous)

    def is_set_to(self, other) -> bool:
        """Whether both tensors are the same array."""
        return self._data is other._data

    def get_device(self) -> int:
        """The CUDA device index, or -1 on the CPU."""
        d = self.device
        return -1 if d.type == "cpu" else (d.index or 0)

    # -- conversion ---------------------------------------------------------
    def numpy(self, *, force: bool = False) -> np.ndarray:
        """The tensor as a NumPy array sharing its memory (CPU tensors only)."""
        if force:
            return move_array(self._data, CPU)
        if type(self._data) is not _ndarray:
            raise TypeError(f"can't convert {self.device} device type tensor to numpy. Use "
                            "Tensor.cpu() to copy the tensor to host memory first.")
        if self._rg:
            raise RuntimeError(_NUMPY_REQUIRES_GRAD_MSG)
        return self._data

    def __array__(self, dtype=None, copy=None):
        # np.asarray, NumPy functions and plotting refuse what numpy() refuses, as in torch
        arr = self.numpy()
        return arr if dtype is None else arr.astype(dtype, copy=False)

    def __array_wrap__(self, array, context=None, return_scalar=False):
        # a NumPy function's result comes back as a tensor (bools as uint8), as in torch
        if array.dtype == np.bool_:
            array = array.astype(np.uint8)
        return Tensor._make(np.asarray(array), False, None, 0, [0])

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

    def __contains__(self, element) -> bool:
        """``element in tensor``: whether any entry equals ``element``."""
        if isinstance(element, Tensor):
            element = element._data
        elif not isinstance(element, (int, float, complex)):
            raise RuntimeError("Tensor.__contains__ only supports Tensor or scalar, but you "
                               f"passed in a {type(element)}.")
        return bool((self._data == element).any())

    def __bool__(self):
        if self._data.size != 1:
            raise RuntimeError("Boolean value of Tensor with more than one value is ambiguous")
        return bool(self.item())

    def __float__(self):
        if self._rg and self._data.size == 1 and not _WARNED_ONCE.get("scalar"):
            _WARNED_ONCE["scalar"] = True  # torch warns once per process
            warnings.warn(_SCALAR_REQUIRES_GRAD_MSG, stacklevel=2)
        return float(self._scalar())

    def __int__(self):
        return int(self._scalar())

    def __complex__(self):
        return complex(self._scalar())

    def _scalar(self):
        """The single value, for Python's number conversions (torch's ValueError otherwise)."""
        if self._data.size != 1:
            raise ValueError("only one element tensors can be converted to Python scalars")
        return self.item()

    def __index__(self):
        if self._data.dtype.kind not in "iub" or self._data.size != 1:
            raise TypeError("only integer tensors of a single element can be converted to an "
                            "index")
        return int(self.item())

    # identity hashing (``==`` is elementwise); the same scheme as graph nodes, so tensors
    # and nodes can share a dict without ever comparing equal by accident
    __hash__ = object.__hash__

    def __format__(self, spec):
        if self._data.ndim == 0:
            return format(self.item(), spec)
        return object.__format__(self, spec)

    def __getattr__(self, name):
        # reached only when the attribute is missing: a Tensor method of torch's that ember
        # lacks says so (private and special names fail plainly, and fast)
        message = f"'{type(self).__name__}' object has no attribute '{name}'"
        if name.startswith("_"):
            raise AttributeError(message)
        from ._left_out import missing
        raise missing("torch.Tensor", name, message)

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
        memo[id(self)] = new
        state = self._user_state()
        if state:
            import copy
            new.__dict__.update(copy.deepcopy(state, memo))
        if self._grad is not None:
            new._grad = self._grad.__deepcopy__(memo)
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
            from .ops.arith import _cast
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
        """Cast to float32."""
        return self.to(D.float32)

    def double(self, memory_format=None):
        """Cast to float64."""
        return self.to(D.float64)

    def half(self, memory_format=None):
        """Cast to float16."""
        return self.to(D.float16)

    def bfloat16(self, memory_format=None):
        """Cast to bfloat16."""
        return self.to(D.bfloat16)

    def int(self, memory_format=None):
        """Cast to int32."""
        return self.to(D.int32)

    def long(self, memory_format=None):
        """Cast to int64."""
        return self.to(D.int64)

    def short(self, memory_format=None):
        """Cast to int16."""
        return self.to(D.int16)

    def char(self, memory_format=None):
        """Cast to int8."""
        return self.to(D.int8)

    def byte(self, memory_format=None):
        """Cast to uint8."""
        return self.to(D.uint8)

    def bool(self, memory_format=None):
        """Cast to bool."""
        return self.to(D.bool)

    def cfloat(self):
        """Cast to complex64."""
        return self.to(D.complex64)

    def cdouble(self):
        """Cast to complex128."""
        return self.to(D.complex128)

    # -- new tensors with this one's dtype and device -------------------------
    def new_tensor(self, data, *, dtype=None, device=None, requires_grad: bool = False,
                   layout=None, pin_memory: bool = False) -> "Tensor":
        """A new tensor copying ``data``, by default with this tensor's dtype and device."""
        from ._creation import copy_construct
        if isinstance(data, Tensor):
            warnings.warn("To copy construct from a tensor, it is recommended to use "
                          "sourceTensor.detach().clone() or "
                          "sourceTensor.detach().clone().requires_grad_(True), rather than "
                          "tensor.new_tensor(sourceTensor).", UserWarning, stacklevel=2)
            data = data.detach()
        return copy_construct(data, self.dtype if dtype is None else dtype,
                              self.device if device is None else device, requires_grad)

    def new_full(self, size, fill_value, *, dtype=None, device=None,
                 requires_grad: bool = False, layout=None, pin_memory: bool = False) -> "Tensor":
        """A tensor of ``size`` filled with ``fill_value``, by default with this tensor's
        dtype and device."""
        from ._creation import full
        return full(size, fill_value, dtype=self.dtype if dtype is None else dtype,
                    device=self.device if device is None else device,
                    requires_grad=requires_grad)

    def _new_filled(self, factory, args, size, dtype, device, requires_grad):
        if size is not None:
            if args:
                raise TypeError("new_*() got multiple values for argument 'size'")
            args = (size,)
        return factory(*args, dtype=self.dtype if dtype is None else dtype,
                       device=self.device if device is None else device,
                       requires_grad=requires_grad)

    def new_zeros(self, *args, size=None, dtype=None, device=None, requires_grad: bool = False,
                  layout=None, pin_memory: bool = False) -> "Tensor":
        """Zeros of ``size``, by default with this tensor's dtype and device."""
        from ._creation import zeros
        return self._new_filled(zeros, args, size, dtype, device, requires_grad)

    def new_ones(self, *args, size=None, dtype=None, device=None, requires_grad: bool = False,
                 layout=None, pin_memory: bool = False) -> "Tensor":
        """Ones of ``size``, by default with this tensor's dtype and device."""
        from ._creation import ones
        return self._new_filled(ones, args, size, dtype, device, requires_grad)

    def new_empty(self, *args, size=None, dtype=None, device=None, requires_grad: bool = False,
                  layout=None, pin_memory: bool = False) -> "Tensor":
        """An uninitialised tensor of ``size``, by default with this tensor's dtype and
        device."""
        from ._creation import empty
        return self._new_filled(empty, args, size, dtype, device, requires_grad)

    def pin_memory(self, device=None):
        """Returns self: pinned host memory has no meaning for NumPy arrays."""
        return self

    def is_pinned(self, device=None):
        """Always False (see ``pin_memory``)."""
        return False

    def share_memory_(self):
        """Move the values into a shared memory segment other processes can map; returns self."""
        from .multiprocessing import _shared
        return _shared.share_memory_(self)

    def is_shared(self):
        """Whether the values live in a shared memory segment."""
        from .multiprocessing import _shared
        return _shared.is_shared(self)

    # -- autograd -----------------------------------------------------------
    def backward(self, gradient=None, retain_graph=None, create_graph=False, inputs=None):
        """Accumulate the gradient of this tensor into the ``.grad`` of the leaves
        (or of ``inputs``); ``gradient`` is required unless this tensor is a scalar."""
        if gradient is None and inputs is None and self._rg and self._data.size == 1 \
                and self._data.dtype.kind == "f":
            # the common ``loss.backward()``: skip the general argument handling
            ones = Tensor._make(self._xp().ones_like(self._data), False, None, 0, [0])
            run_backward([self], [ones], bool(retain_graph or create_graph), create_graph)
            return
        from .autograd import backward
        backward(self, gradient, retain_graph, create_graph, inputs=inputs)

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

    def retain_grad(self) -> None:
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
        if self._root is not None:
            raise RuntimeError(
                "Can't detach views in-place. Use detach() instead. If you are using "
                "DistributedDataParallel (DDP) for training, and gradient_as_bucket_view is set "
                "as True, gradients are views of DDP buckets, and hence detach_() cannot be "
                "called on these gradients. To fix this error, please refer to the "
                "Optimizer.zero_grad() function in torch/optim/optimizer.py as the solution.")
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
            base = self._root
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
            try:
                self._data[...] = arr
            except ValueError:
                if self._data.flags.writeable:
                    raise
                # a broadcast (expanded) view: several elements share one memory location
                raise RuntimeError(
                    "unsupported operation: more than one element of the written-to tensor "
                    "refers to a single memory location. Please clone() the tensor before "
                    "performing the operation.") from None
        self._vc[0] += 1
        if result._rg:
            root = self._root
            if root is None:
                self._take_graph_position(result.grad_fn, result._output_nr)
                if "_views" in self.__dict__:
                    _views.rederive_views(self)
            else:
                _views.rebase(self, root, result)
        return self

    def _take_graph_position(self, grad_fn, output_nr):
        """Become output ``output_nr`` of ``grad_fn`` (after an in-place write); a retained
        grad moves along, so it is the gradient of the new value."""
        old_fn, old_nr = self.grad_fn, self._output_nr
        self._rg = True
        self.grad_fn = grad_fn
        self._output_nr = output_nr
        if self._retains and old_fn is not None:
            del old_fn._retain[old_nr]
            self.retain_grad()

    def _bump(self):
        self._vc[0] += 1
        return self


# PyTorch code prints and compares the class by its torch name: <class 'torch.Tensor'>
Tensor.__module__ = "torch"

_new = object.__new__
# engine state that lives in a tensor's __dict__ when set (not user attributes)
_INTERNAL_ATTRS = frozenset(("_views", "_grad", "_root", "_hooks", "_retains"))


def _rebuild_tensor(arr, requires_grad, dev, cls, state=None):
    t = _new(cls or Tensor)
    t._init(arr if dev == "cpu" else move_array(arr, canonical(dev)), requires_grad)
    if state:
        t.__dict__.update(state)
    return t


def _c_name(dt: D.dtype) -> str:
    """The C++ type name PyTorch prints for a dtype in some messages."""
    return _C_NAMES.get(dt.name, dt.name)


_C_NAMES = {"float32": "float", "float64": "double", "float16": "c10::Half",
            "bfloat16": "c10::BFloat16", "int64": "long int", "int32": "int",
            "int16": "short int", "int8": "signed char", "uint8": "unsigned char",
            "bool": "bool", "complex64": "c10::complex<float>",
            "complex128": "c10::complex<double>"}
_WARNED_ONCE: dict = {}
_NUMPY_REQUIRES_GRAD_MSG = ("Can't call numpy() on Tensor that requires grad. Use "
                            "tensor.detach().numpy() instead.")
_SCALAR_REQUIRES_GRAD_MSG = ("Converting a tensor with requires_grad=True to a scalar may lead "
                             "to unexpected behavior.\nConsider using tensor.detach() first.")
_NON_LEAF_GRAD_MSG = (
    "The .grad attribute of a Tensor that is not a leaf Tensor is being accessed. Its .grad "
    "attribute won't be populated during autograd.backward(). If you indeed want the .grad "
    "field to be populated for a non-leaf Tensor, use .retain_grad() on the non-leaf Tensor. "
    "If you access the non-leaf Tensor by mistake, make sure you access the leaf Tensor "
    "instead. See github.com/pytorch/pytorch/pull/30531 for more information.")


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
    """The (device, dtype, copy) that a ``Tensor.to`` call asks for."""
    dev = kwargs.pop("device", None)
    dt = kwargs.pop("dtype", None)
    copy = kwargs.pop("copy", False)
    kwargs.pop("non_blocking", None)
    kwargs.pop("memory_format", None)
    if kwargs:
        raise TypeError(f"to() got an unexpected keyword argument '{next(iter(kwargs))}'")
    flags = []  # positional (non_blocking, copy)
    for a in args:
        if isinstance(a, Tensor):
            dev, dt = a.device, a.dtype
        elif isinstance(a, D.dtype):
            dt = a
        elif isinstance(a, bool):
            flags.append(a)
        elif isinstance(a, (str, device, int)):
            dev = device(a) if not isinstance(a, int) else device("cuda", a)
        elif a is not None:
            dt = D.to_dtype(a)
    if len(flags) > 1:
        copy = flags[1]
    if dt is not None:
        dt = D.to_dtype(dt)
    return dev, dt, copy


def _bind_to_autograd():
    """Give the autograd modules the Tensor class (they are imported before it exists)."""
    from .autograd import engine, function
    engine.Tensor = function.Tensor = Tensor


_bind_to_autograd()


def _bind_methods():
    """Attach each ops module's tensor methods (they take the tensor first)."""
    from ._argtypes import accept_axis
    from .ops import METHOD_MODULES
    for mod in METHOD_MODULES:
        for name in mod.TENSOR_METHODS:
            setattr(Tensor, name, accept_axis(getattr(mod, name)))
