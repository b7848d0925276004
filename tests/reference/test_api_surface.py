"""API-surface audit: every public name the issues ask for exists in ember, under PyTorch's name.

Each name is checked twice: ember has it (runs without torch), and real torch/torchvision has it
too, so these lists cannot drift away from PyTorch's API (skipped when the reference library is
missing). Callables listed in ``SIGNATURES`` must accept the named keyword arguments in ember;
when torch is importable, every torch parameter from ``MAIN_PARAMS`` must also be accepted by
ember's signature wherever both sides have inspectable Python signatures.

Unlike the other differential files this one does not skip as a whole without torch: the ember
half is the point of the audit.
"""
from __future__ import annotations

import functools
import importlib
import inspect

import pytest

try:
    import torch
except ImportError:  # the ember half of the audit runs regardless
    torch = None

# key -> (ember object path, reference object path); "module:attr.attr" or "module".
# "()" at the end of a path means: check attributes on an instance built by INSTANCES.
TARGETS = {
    "torch": ("ember", "torch"),
    "torch.Tensor": ("ember:Tensor()", "torch:Tensor()"),
    "torch.random": ("ember.random", "torch.random"),
    "torch.nn": ("ember.nn", "torch.nn"),
    "torch.nn.Module": ("ember.nn:Module()", "torch.nn:Module()"),
    "torch.nn.functional": ("ember.nn.functional", "torch.nn.functional"),
    "torch.nn.init": ("ember.nn.init", "torch.nn.init"),
    "torch.nn.utils": ("ember.nn.utils", "torch.nn.utils"),
    "torch.nn.utils.rnn": ("ember.nn.utils.rnn", "torch.nn.utils.rnn"),
    "torch.optim": ("ember.optim", "torch.optim"),
    "torch.optim.Optimizer": ("ember.optim:Optimizer", "torch.optim:Optimizer"),
    "torch.optim.lr_scheduler": ("ember.optim.lr_scheduler", "torch.optim.lr_scheduler"),
    "torch.optim.lr_scheduler.LRScheduler": ("ember.optim.lr_scheduler:LRScheduler",
                                             "torch.optim.lr_scheduler:LRScheduler"),
    "torch.utils.data": ("ember.utils.data", "torch.utils.data"),
    "torch.linalg": ("ember.linalg", "torch.linalg"),
    "torch.fft": ("ember.fft", "torch.fft"),
    "torch.special": ("ember.special", "torch.special"),
    "torch.autograd": ("ember.autograd", "torch.autograd"),
    "torch.cuda": ("ember.cuda", "torch.cuda"),
    "torch.accelerator": ("ember.accelerator", "torch.accelerator"),
    "torch.backends.cudnn": ("ember.backends.cudnn", "torch.backends.cudnn"),
    "torch.backends.mps": ("ember.backends.mps", "torch.backends.mps"),
    "torchvision": ("ember.vision", "torchvision"),
    "torchvision.transforms": ("ember.vision.transforms", "torchvision.transforms"),
    "torchvision.transforms.functional": ("ember.vision.transforms.functional",
                                          "torchvision.transforms.functional"),
    "torchvision.datasets": ("ember.vision.datasets", "torchvision.datasets"),
    "torchvision.utils": ("ember.vision.utils", "torchvision.utils"),
    "torchvision.io": ("ember.vision.io", "torchvision.io"),
    "torch.fx": ("ember.fx", "torch.fx"),
    "torch.fx.passes.shape_prop": ("ember.fx.passes.shape_prop", "torch.fx.passes.shape_prop"),
    "torch.jit": ("ember.jit", "torch.jit"),
    "torch.onnx": ("ember.onnx", "torch.onnx"),
    "torch.compiler": ("ember.compiler", "torch.compiler"),
    "torch._dynamo": ("ember._dynamo", "torch._dynamo"),
}

# Instances on which attributes (properties, instance attributes) are looked up.
INSTANCES = {
    "Tensor": lambda lib: lib.zeros(2, 2, requires_grad=True),
    "Module": lambda lib: lib.nn.Module(),
}

_POINTWISE = """
    add sub subtract mul multiply div divide true_divide floor_divide remainder fmod pow neg negative
    abs absolute sign sgn exp exp2 expm1 log log2 log10 log1p sqrt rsqrt square sin cos tan asin acos
    atan atan2 sinh cosh tanh asinh acosh atanh sigmoid relu clamp clip clamp_min clamp_max floor ceil
    round trunc frac reciprocal erf erfc erfinv logaddexp addcmul addcdiv nan_to_num
    eq ne lt le gt ge greater greater_equal less less_equal not_equal
    logical_and logical_or logical_not logical_xor bitwise_and bitwise_or bitwise_xor bitwise_not
    maximum minimum fmax fmin where lerp isnan isinf isfinite isposinf isneginf allclose equal isclose
"""
_REDUCTIONS = """
    sum mean prod max min argmax argmin amax amin std var std_mean var_mean norm logsumexp
    cumsum cumprod cummax cummin all any median mode count_nonzero nansum nanmean aminmax
"""
_SHAPE_INDEX = """
    reshape permute transpose swapaxes t squeeze unsqueeze flatten unflatten tile chunk split unbind
    cat concat concatenate stack hstack vstack dstack flip fliplr flipud roll narrow movedim moveaxis
    select atleast_1d atleast_2d atleast_3d broadcast_to diagonal diag diag_embed meshgrid tril triu
    gather scatter scatter_add scatter_reduce index_select index_add index_copy index_fill index_put
    masked_fill masked_select masked_scatter nonzero argwhere topk sort argsort unique
    unique_consecutive take take_along_dim bucketize searchsorted bincount histc clone
"""
_LINALG = """
    matmul mm bmm mv dot vdot outer ger inner einsum tensordot kron addmm addmv addbmm baddbmm cross
    trace cdist det inverse pinverse svd qr cholesky
"""
_CREATION = """
    tensor as_tensor from_numpy zeros ones full empty zeros_like ones_like full_like empty_like
    arange linspace logspace eye rand randn randint randperm normal bernoulli multinomial rand_like
    randn_like randint_like manual_seed initial_seed seed Generator get_rng_state set_rng_state
    FloatTensor DoubleTensor IntTensor LongTensor BoolTensor Tensor Size
    dtype float16 float32 float64 int8 int16 int32 int64 uint8 bool half float double long int short
    promote_types result_type can_cast get_default_dtype set_default_dtype finfo iinfo
    set_printoptions
"""
_AUTOGRAD_DEVICE_IO = """
    no_grad enable_grad set_grad_enabled inference_mode is_grad_enabled device save load
    is_tensor is_floating_point numel __version__
    softmax log_softmax
"""

_TENSOR_PROPERTIES = """
    shape dtype device T mT ndim is_leaf requires_grad grad grad_fn data is_cuda
"""
_TENSOR_METHODS = """
    size dim numel item tolist numpy type to float double half int long short bool clone detach
    detach_ contiguous is_contiguous new_tensor new_zeros new_ones new_full new_empty cpu cuda
    backward retain_grad register_hook requires_grad_ is_floating_point
    view view_as reshape reshape_as expand expand_as repeat
    add_ sub_ mul_ div_ pow_ clamp_ clip_ exp_ log_ sqrt_ neg_ abs_ sigmoid_ tanh_ relu_ floor_ ceil_
    round_ trunc_ reciprocal_ lerp_ fill_ zero_ copy_ uniform_ normal_ bernoulli_ random_ t_
    transpose_ unsqueeze_ squeeze_ masked_fill_ index_add_ index_copy_ index_fill_ index_put_
    scatter_ scatter_add_ scatter_reduce_
    __len__ __iter__ __bool__ __getitem__ __setitem__ __deepcopy__ __reduce_ex__
    __add__ __radd__ __iadd__ __sub__ __rsub__ __isub__ __mul__ __rmul__ __imul__ __truediv__
    __rtruediv__ __itruediv__ __floordiv__ __rfloordiv__ __mod__ __rmod__ __pow__ __rpow__
    __matmul__ __rmatmul__ __neg__ __pos__ __abs__ __invert__ __eq__ __ne__ __lt__ __le__ __gt__
    __ge__ __and__ __or__ __xor__ __rand__ __ror__ __rxor__ __lshift__ __rshift__
    __float__ __int__ __index__ __array__ __repr__ __format__ __hash__
"""
_TENSOR_FROM_OPS = """
    add sub mul div true_divide floor_divide remainder fmod pow neg abs sign exp log log2 log1p sqrt
    rsqrt sin cos tan tanh sigmoid relu clamp clip floor ceil round trunc frac reciprocal erf erfinv
    eq ne lt le gt ge logical_and logical_or logical_not bitwise_and bitwise_or bitwise_not maximum
    minimum where lerp isnan isinf isfinite allclose equal isclose nan_to_num
    sum mean prod max min argmax argmin amax amin std var norm logsumexp cumsum cumprod cummax cummin
    all any median mode count_nonzero nansum nanmean aminmax
    permute transpose t squeeze unsqueeze flatten unflatten tile chunk split unbind flip fliplr
    flipud roll narrow movedim moveaxis select broadcast_to diagonal diag diag_embed tril triu
    gather scatter scatter_add scatter_reduce index_select index_add index_copy index_fill index_put
    masked_fill masked_select masked_scatter nonzero argwhere topk sort argsort unique
    unique_consecutive take take_along_dim bincount histc
    matmul mm bmm mv dot vdot outer ger inner kron addmm addmv addbmm baddbmm cross trace det
    inverse pinverse svd qr cholesky
"""

NAMES = {
    "torch": _POINTWISE + _REDUCTIONS + _SHAPE_INDEX + _LINALG + _CREATION + _AUTOGRAD_DEVICE_IO,
    "torch.Tensor": _TENSOR_PROPERTIES + _TENSOR_METHODS + _TENSOR_FROM_OPS,
    "torch.random": "manual_seed initial_seed seed get_rng_state set_rng_state",
    "torch.nn": """
        Module Parameter Buffer Sequential ModuleList ModuleDict ParameterList ParameterDict
        Linear Bilinear Identity Flatten Unflatten Dropout Dropout1d Dropout2d Dropout3d AlphaDropout
        Embedding
        ReLU LeakyReLU PReLU ELU CELU SELU GELU SiLU Mish Sigmoid Tanh Softmax Softmin LogSoftmax
        Softplus Softsign Softshrink Hardshrink Tanhshrink Hardtanh Hardsigmoid Hardswish ReLU6
        Threshold LogSigmoid GLU
        MSELoss L1Loss SmoothL1Loss HuberLoss CrossEntropyLoss NLLLoss BCELoss BCEWithLogitsLoss
        KLDivLoss
        Conv1d Conv2d ConvTranspose1d ConvTranspose2d MaxPool1d MaxPool2d AvgPool1d AvgPool2d
        AdaptiveAvgPool1d AdaptiveAvgPool2d AdaptiveMaxPool1d AdaptiveMaxPool2d Upsample Unfold Fold
        ZeroPad2d ConstantPad1d ConstantPad2d ReflectionPad1d ReflectionPad2d ReplicationPad1d
        ReplicationPad2d
        BatchNorm1d BatchNorm2d BatchNorm3d LayerNorm GroupNorm InstanceNorm1d InstanceNorm2d RMSNorm
        RNN LSTM GRU RNNCell LSTMCell GRUCell
        MultiheadAttention TransformerEncoderLayer TransformerEncoder TransformerDecoderLayer
        TransformerDecoder
        functional init utils
    """,
    "torch.nn.Module": """
        training register_parameter register_buffer add_module register_module parameters
        named_parameters buffers named_buffers children named_children modules named_modules
        state_dict load_state_dict train eval zero_grad requires_grad_ to cpu cuda float double half
        type apply register_forward_hook register_forward_pre_hook register_full_backward_hook
        extra_repr get_submodule get_parameter get_buffer share_memory forward __call__ __repr__
        __dir__ __getattr__ __setattr__ __delattr__
    """,
    "torch.nn.functional": """
        relu leaky_relu prelu elu celu selu gelu silu mish sigmoid tanh softmax softmin log_softmax
        softplus softsign softshrink hardshrink tanhshrink hardtanh hardsigmoid hardswish relu6
        threshold logsigmoid glu
        mse_loss l1_loss smooth_l1_loss huber_loss cross_entropy nll_loss binary_cross_entropy
        binary_cross_entropy_with_logits kl_div
        one_hot normalize cosine_similarity pairwise_distance linear bilinear dropout dropout1d
        dropout2d dropout3d alpha_dropout embedding
        conv1d conv2d conv_transpose1d conv_transpose2d max_pool1d max_pool2d avg_pool1d avg_pool2d
        adaptive_avg_pool1d adaptive_avg_pool2d adaptive_max_pool1d adaptive_max_pool2d pad
        interpolate upsample unfold fold
        batch_norm layer_norm group_norm instance_norm rms_norm scaled_dot_product_attention
    """,
    "torch.nn.init": """
        uniform_ normal_ constant_ zeros_ ones_ eye_ dirac_ xavier_uniform_ xavier_normal_
        kaiming_uniform_ kaiming_normal_ orthogonal_ trunc_normal_ sparse_ calculate_gain
        _calculate_fan_in_and_fan_out
    """,
    "torch.nn.utils": """
        parameters_to_vector vector_to_parameters clip_grad_norm_ clip_grad_value_ rnn
    """,
    "torch.nn.utils.rnn": """
        pad_sequence pack_padded_sequence pad_packed_sequence pack_sequence PackedSequence
    """,
    "torch.optim": """
        Optimizer SGD Adam AdamW RMSprop Adagrad Adadelta Adamax NAdam RAdam lr_scheduler
    """,
    "torch.optim.Optimizer": "zero_grad step state_dict load_state_dict add_param_group",
    "torch.optim.lr_scheduler": """
        LRScheduler StepLR MultiStepLR ExponentialLR CosineAnnealingLR CosineAnnealingWarmRestarts
        LambdaLR MultiplicativeLR LinearLR ConstantLR OneCycleLR CyclicLR PolynomialLR
        ReduceLROnPlateau SequentialLR ChainedScheduler
    """,
    "torch.optim.lr_scheduler.LRScheduler": "get_last_lr get_lr step state_dict load_state_dict",
    "torch.utils.data": """
        Dataset IterableDataset TensorDataset Subset ConcatDataset ChainDataset random_split Sampler
        SequentialSampler RandomSampler SubsetRandomSampler WeightedRandomSampler BatchSampler
        DistributedSampler DataLoader get_worker_info default_collate default_convert
    """,
    "torch.fft": """
        fft ifft rfft irfft hfft ihfft fft2 ifft2 rfft2 irfft2 hfft2 ihfft2 fftn ifftn rfftn
        irfftn hfftn ihfftn fftfreq rfftfreq fftshift ifftshift
    """,
    "torch.special": """
        erf erfc erfcx erfinv expit logit exp2 expm1 log1p gammaln digamma psi polygamma
        multigammaln gammainc gammaincc i0 i0e i1 i1e xlogy xlog1py zeta bessel_j0 bessel_j1
        ndtr ndtri log_ndtr sinc entr round softmax log_softmax logsumexp
    """,
    "torch.linalg": """
        norm vector_norm matrix_norm inv solve det slogdet pinv lstsq svd svdvals qr eigh eigvalsh
        cholesky matrix_rank cross multi_dot
    """,
    "torch.autograd": """
        grad backward Function gradcheck gradgradcheck set_detect_anomaly detect_anomaly no_grad
        enable_grad set_grad_enabled inference_mode
    """,
    "torch.cuda": """
        is_available device_count manual_seed manual_seed_all current_device get_device_name
        synchronize empty_cache
    """,
    "torch.accelerator": "is_available current_accelerator device_count",
    "torch.backends.cudnn": "enabled benchmark deterministic is_available",
    "torch.backends.mps": "is_available is_built",
    "torchvision": "__version__ datasets transforms utils io",
    "torchvision.transforms": """
        Compose ToTensor PILToTensor ToPILImage Normalize Lambda Resize CenterCrop RandomCrop
        RandomResizedCrop RandomHorizontalFlip RandomVerticalFlip RandomRotation ColorJitter
        Grayscale Pad ConvertImageDtype RandomApply RandomChoice functional
    """,
    "torchvision.transforms.functional": """
        to_tensor pil_to_tensor to_pil_image normalize resize center_crop crop hflip vflip pad
        rotate to_grayscale
    """,
    "torchvision.datasets": """
        MNIST FashionMNIST KMNIST CIFAR10 CIFAR100 ImageFolder DatasetFolder FakeData
    """,
    "torchvision.utils": "make_grid save_image",
    "torchvision.io": "read_image decode_image",
    "torch.fx": """
        symbolic_trace Tracer Proxy Graph GraphModule Node Interpreter Transformer wrap map_arg
        replace_pattern subgraph_rewriter passes
    """,
    "torch.fx.passes.shape_prop": "ShapeProp TensorMetadata",
    "torch.jit": """
        trace trace_module script save load ignore unused export Final is_scripting is_tracing
        annotate fork wait ScriptModule ScriptFunction freeze TracerWarning
    """,
    "torch.onnx": "export is_in_onnx_export",
    "torch.compiler": "compile disable is_compiling is_dynamo_compiling reset allow_in_graph",
    "torch._dynamo": "reset config disable mark_dynamic mark_static OptimizedModule",
}

# (target, name) -> keyword names ember must accept (checked to exist in torch too, when its
# signature is inspectable). Classes are checked through their constructors.
SIGNATURES = {
    # graph capture
    ("torch.compiler", "compile"): "fullgraph dynamic backend mode options disable",
    ("torch.onnx", "export"): """input_names output_names dynamic_axes opset_version
        do_constant_folding export_params""",
    ("torch.jit", "trace"): "example_inputs check_trace strict",
    # tensor library
    ("torch", "sum"): "dim keepdim dtype",
    ("torch", "mean"): "dim keepdim dtype",
    ("torch", "prod"): "dim keepdim dtype",
    ("torch", "max"): "dim keepdim",
    ("torch", "min"): "dim keepdim",
    ("torch", "argmax"): "dim keepdim",
    ("torch", "amax"): "dim keepdim",
    ("torch", "std"): "dim correction keepdim",
    ("torch", "var"): "dim correction keepdim",
    ("torch", "std_mean"): "dim correction keepdim",
    ("torch", "var_mean"): "dim correction keepdim",
    ("torch", "norm"): "p dim keepdim dtype",
    ("torch", "logsumexp"): "dim keepdim",
    ("torch", "cumsum"): "dim dtype",
    ("torch", "all"): "dim keepdim",
    ("torch", "any"): "dim keepdim",
    ("torch", "median"): "dim keepdim",
    ("torch", "count_nonzero"): "dim",
    ("torch", "nansum"): "dim keepdim dtype",
    ("torch", "aminmax"): "dim keepdim",
    ("torch", "clamp"): "min max",
    ("torch", "squeeze"): "dim",
    ("torch", "flatten"): "start_dim end_dim",
    ("torch", "cat"): "dim",
    ("torch", "stack"): "dim",
    ("torch", "split"): "dim",
    ("torch", "gather"): "dim index",
    ("torch", "scatter"): "dim index src reduce",
    ("torch", "nonzero"): "as_tuple",
    ("torch", "topk"): "k dim largest sorted",
    ("torch", "sort"): "dim descending stable",
    ("torch", "argsort"): "dim descending stable",
    ("torch", "unique"): "sorted return_inverse return_counts dim",
    ("torch", "searchsorted"): "right side",
    ("torch", "cdist"): "p",
    ("torch", "tensordot"): "dims",
    ("torch", "tensor"): "dtype device requires_grad",
    ("torch", "as_tensor"): "dtype device",
    ("torch", "zeros"): "dtype device requires_grad",
    ("torch", "ones"): "dtype device requires_grad",
    ("torch", "full"): "dtype device requires_grad",
    ("torch", "empty"): "dtype device requires_grad",
    ("torch", "zeros_like"): "dtype device requires_grad",
    ("torch", "arange"): "dtype device requires_grad",
    ("torch", "linspace"): "dtype device requires_grad",
    ("torch", "eye"): "dtype device requires_grad",
    ("torch", "rand"): "generator dtype device requires_grad",
    ("torch", "randn"): "generator dtype device requires_grad",
    ("torch", "randint"): "generator dtype device requires_grad",
    ("torch", "randperm"): "generator dtype device requires_grad",
    ("torch", "rand_like"): "generator dtype device requires_grad",
    ("torch", "randn_like"): "generator dtype device requires_grad",
    ("torch", "randint_like"): "generator dtype device requires_grad",
    ("torch", "normal"): "generator",
    ("torch", "bernoulli"): "generator",
    ("torch", "multinomial"): "num_samples replacement generator",
    ("torch", "load"): "map_location weights_only",
    ("torch", "softmax"): "dim dtype",
    ("torch", "log_softmax"): "dim dtype",
    ("torch.Tensor", "sum"): "dim keepdim dtype",
    ("torch.Tensor", "max"): "dim keepdim",
    ("torch.Tensor", "std"): "dim correction keepdim",
    ("torch.Tensor", "to"): "dtype device copy",
    ("torch.Tensor", "backward"): "gradient retain_graph create_graph inputs",
    ("torch.Tensor", "new_zeros"): "size dtype device requires_grad",
    ("torch.Tensor", "new_tensor"): "dtype device requires_grad",
    ("torch.Tensor", "requires_grad_"): "requires_grad",
    ("torch.linalg", "norm"): "ord dim keepdim dtype",
    ("torch.linalg", "vector_norm"): "ord dim keepdim dtype",
    ("torch.linalg", "matrix_norm"): "ord dim keepdim dtype",
    ("torch.linalg", "svd"): "full_matrices",
    ("torch.linalg", "qr"): "mode",
    ("torch.linalg", "eigh"): "UPLO",
    ("torch.linalg", "cholesky"): "upper",
    ("torch.linalg", "lstsq"): "rcond driver",
    ("torch.linalg", "matrix_rank"): "atol rtol hermitian",
    ("torch.linalg", "pinv"): "atol rtol hermitian",
    # autograd / devices
    ("torch.autograd", "grad"):
        "outputs inputs grad_outputs retain_graph create_graph allow_unused",
    ("torch.autograd", "backward"): "tensors grad_tensors retain_graph create_graph",
    ("torch.autograd", "gradcheck"): "eps atol rtol",
    # nn.Module
    ("torch.nn.Module", "state_dict"): "prefix keep_vars",
    ("torch.nn.Module", "load_state_dict"): "state_dict strict",
    ("torch.nn.Module", "register_buffer"): "name tensor persistent",
    ("torch.nn.Module", "named_parameters"): "prefix recurse remove_duplicate",
    ("torch.nn.Module", "named_modules"): "prefix remove_duplicate",
    ("torch.nn.Module", "zero_grad"): "set_to_none",
    ("torch.nn.Module", "register_forward_hook"): "hook with_kwargs",
    ("torch.nn.Module", "register_forward_pre_hook"): "hook with_kwargs",
    ("torch.nn.Module", "requires_grad_"): "requires_grad",
    # layers
    ("torch.nn", "Linear"): "in_features out_features bias device dtype",
    ("torch.nn", "Bilinear"): "in1_features in2_features out_features bias",
    ("torch.nn", "Embedding"): "num_embeddings embedding_dim padding_idx max_norm device dtype",
    ("torch.nn", "Flatten"): "start_dim end_dim",
    ("torch.nn", "Dropout"): "p inplace",
    ("torch.nn", "ReLU"): "inplace",
    ("torch.nn", "LeakyReLU"): "negative_slope inplace",
    ("torch.nn", "ELU"): "alpha inplace",
    ("torch.nn", "GELU"): "approximate",
    ("torch.nn", "Softmax"): "dim",
    ("torch.nn", "LogSoftmax"): "dim",
    ("torch.nn", "Softplus"): "beta threshold",
    ("torch.nn", "Hardtanh"): "min_val max_val inplace",
    ("torch.nn", "Threshold"): "threshold value inplace",
    ("torch.nn", "PReLU"): "num_parameters init",
    ("torch.nn", "GLU"): "dim",
    ("torch.nn", "MSELoss"): "reduction size_average reduce",
    ("torch.nn", "L1Loss"): "reduction",
    ("torch.nn", "SmoothL1Loss"): "reduction beta",
    ("torch.nn", "HuberLoss"): "reduction delta",
    ("torch.nn", "CrossEntropyLoss"):
        "weight ignore_index reduction label_smoothing size_average reduce",
    ("torch.nn", "NLLLoss"): "weight ignore_index reduction",
    ("torch.nn", "BCELoss"): "weight reduction",
    ("torch.nn", "BCEWithLogitsLoss"): "weight reduction pos_weight",
    ("torch.nn", "KLDivLoss"): "reduction log_target",
    ("torch.nn", "Conv1d"):
        "in_channels out_channels kernel_size stride padding dilation groups bias padding_mode",
    ("torch.nn", "Conv2d"):
        "in_channels out_channels kernel_size stride padding dilation groups bias padding_mode "
        "device dtype",
    ("torch.nn", "ConvTranspose2d"): "stride padding output_padding groups bias dilation",
    ("torch.nn", "MaxPool2d"): "kernel_size stride padding dilation return_indices ceil_mode",
    ("torch.nn", "AvgPool2d"):
        "kernel_size stride padding ceil_mode count_include_pad divisor_override",
    ("torch.nn", "Upsample"): "size scale_factor mode align_corners",
    ("torch.nn", "BatchNorm1d"): "num_features eps momentum affine track_running_stats",
    ("torch.nn", "BatchNorm2d"): "num_features eps momentum affine track_running_stats",
    ("torch.nn", "LayerNorm"): "normalized_shape eps elementwise_affine bias",
    ("torch.nn", "GroupNorm"): "num_groups num_channels eps affine",
    ("torch.nn", "RMSNorm"): "normalized_shape eps elementwise_affine",
    ("torch.nn", "RNN"):
        "input_size hidden_size num_layers nonlinearity bias batch_first dropout bidirectional",
    ("torch.nn", "LSTM"):
        "input_size hidden_size num_layers bias batch_first dropout bidirectional proj_size",
    ("torch.nn", "GRU"): "input_size hidden_size num_layers bias batch_first dropout bidirectional",
    ("torch.nn", "RNNCell"): "input_size hidden_size bias nonlinearity",
    ("torch.nn", "LSTMCell"): "input_size hidden_size bias",
    ("torch.nn", "GRUCell"): "input_size hidden_size bias",
    ("torch.nn", "MultiheadAttention"): "embed_dim num_heads dropout bias kdim vdim batch_first",
    ("torch.nn", "TransformerEncoderLayer"):
        "d_model nhead dim_feedforward dropout activation layer_norm_eps batch_first norm_first "
        "bias",
    ("torch.nn", "TransformerEncoder"): "encoder_layer num_layers norm enable_nested_tensor",
    ("torch.nn", "TransformerDecoderLayer"):
        "d_model nhead dim_feedforward dropout activation layer_norm_eps batch_first norm_first "
        "bias",
    ("torch.nn", "TransformerDecoder"): "decoder_layer num_layers norm",
    ("torch.nn.functional", "softmax"): "dim dtype",
    ("torch.nn.functional", "log_softmax"): "dim dtype",
    ("torch.nn.functional", "cross_entropy"): "weight ignore_index reduction label_smoothing",
    ("torch.nn.functional", "nll_loss"): "weight ignore_index reduction",
    ("torch.nn.functional", "binary_cross_entropy"): "weight reduction",
    ("torch.nn.functional", "binary_cross_entropy_with_logits"): "weight reduction pos_weight",
    ("torch.nn.functional", "mse_loss"): "reduction",
    ("torch.nn.functional", "smooth_l1_loss"): "reduction beta",
    ("torch.nn.functional", "huber_loss"): "reduction delta",
    ("torch.nn.functional", "kl_div"): "reduction log_target",
    ("torch.nn.functional", "one_hot"): "num_classes",
    ("torch.nn.functional", "dropout"): "p training inplace",
    ("torch.nn.functional", "gelu"): "approximate",
    ("torch.nn.functional", "softplus"): "beta threshold",
    ("torch.nn.functional", "leaky_relu"): "negative_slope inplace",
    ("torch.nn.functional", "normalize"): "p dim eps",
    ("torch.nn.functional", "cosine_similarity"): "dim eps",
    ("torch.nn.functional", "embedding"): "padding_idx max_norm",
    ("torch.nn.functional", "conv2d"): "weight bias stride padding dilation groups",
    ("torch.nn.functional", "max_pool2d"):
        "kernel_size stride padding dilation ceil_mode return_indices",
    ("torch.nn.functional", "avg_pool2d"):
        "kernel_size stride padding ceil_mode count_include_pad divisor_override",
    ("torch.nn.functional", "pad"): "pad mode value",
    ("torch.nn.functional", "interpolate"): "size scale_factor mode align_corners",
    ("torch.nn.functional", "layer_norm"): "normalized_shape weight bias eps",
    ("torch.nn.functional", "batch_norm"):
        "running_mean running_var weight bias training momentum eps",
    ("torch.nn.functional", "scaled_dot_product_attention"): "attn_mask dropout_p is_causal scale",
    ("torch.nn.init", "uniform_"): "a b generator",
    ("torch.nn.init", "normal_"): "mean std generator",
    ("torch.nn.init", "trunc_normal_"): "mean std a b generator",
    ("torch.nn.init", "xavier_uniform_"): "gain generator",
    ("torch.nn.init", "xavier_normal_"): "gain generator",
    ("torch.nn.init", "kaiming_uniform_"): "a mode nonlinearity generator",
    ("torch.nn.init", "kaiming_normal_"): "a mode nonlinearity generator",
    ("torch.nn.init", "orthogonal_"): "gain generator",
    ("torch.nn.init", "sparse_"): "sparsity std generator",
    ("torch.nn.utils", "clip_grad_norm_"): "max_norm norm_type error_if_nonfinite foreach",
    ("torch.nn.utils", "clip_grad_value_"): "clip_value",
    ("torch.nn.utils.rnn", "pad_sequence"): "batch_first padding_value padding_side",
    ("torch.nn.utils.rnn", "pack_padded_sequence"): "lengths batch_first enforce_sorted",
    ("torch.nn.utils.rnn", "pad_packed_sequence"): "batch_first padding_value total_length",
    # optim
    ("torch.optim", "SGD"):
        "lr momentum dampening weight_decay nesterov maximize foreach differentiable fused",
    ("torch.optim", "Adam"):
        "lr betas eps weight_decay amsgrad maximize foreach capturable differentiable fused",
    ("torch.optim", "AdamW"):
        "lr betas eps weight_decay amsgrad maximize foreach capturable differentiable fused",
    ("torch.optim", "RMSprop"): "lr alpha eps weight_decay momentum centered",
    ("torch.optim", "Adagrad"): "lr lr_decay weight_decay initial_accumulator_value eps",
    ("torch.optim", "Adadelta"): "lr rho eps weight_decay",
    ("torch.optim", "Adamax"): "lr betas eps weight_decay",
    ("torch.optim", "NAdam"): "lr betas eps weight_decay momentum_decay decoupled_weight_decay",
    ("torch.optim", "RAdam"): "lr betas eps weight_decay decoupled_weight_decay",
    ("torch.optim.Optimizer", "zero_grad"): "set_to_none",
    ("torch.optim.Optimizer", "step"): "closure",
    ("torch.optim.lr_scheduler", "StepLR"): "optimizer step_size gamma last_epoch",
    ("torch.optim.lr_scheduler", "MultiStepLR"): "milestones gamma",
    ("torch.optim.lr_scheduler", "ExponentialLR"): "gamma",
    ("torch.optim.lr_scheduler", "CosineAnnealingLR"): "T_max eta_min",
    ("torch.optim.lr_scheduler", "CosineAnnealingWarmRestarts"): "T_0 T_mult eta_min",
    ("torch.optim.lr_scheduler", "LambdaLR"): "lr_lambda",
    ("torch.optim.lr_scheduler", "MultiplicativeLR"): "lr_lambda",
    ("torch.optim.lr_scheduler", "LinearLR"): "start_factor end_factor total_iters",
    ("torch.optim.lr_scheduler", "ConstantLR"): "factor total_iters",
    ("torch.optim.lr_scheduler", "OneCycleLR"):
        "max_lr total_steps epochs steps_per_epoch pct_start anneal_strategy div_factor "
        "final_div_factor three_phase",
    ("torch.optim.lr_scheduler", "CyclicLR"):
        "base_lr max_lr step_size_up step_size_down mode gamma cycle_momentum",
    ("torch.optim.lr_scheduler", "PolynomialLR"): "total_iters power",
    ("torch.optim.lr_scheduler", "ReduceLROnPlateau"):
        "mode factor patience threshold threshold_mode cooldown min_lr eps",
    ("torch.optim.lr_scheduler", "SequentialLR"): "schedulers milestones",
    # data
    ("torch.utils.data", "DataLoader"):
        "dataset batch_size shuffle sampler batch_sampler num_workers collate_fn pin_memory "
        "drop_last timeout worker_init_fn multiprocessing_context generator prefetch_factor "
        "persistent_workers",
    ("torch.utils.data", "random_split"): "dataset lengths generator",
    ("torch.utils.data", "RandomSampler"): "data_source replacement num_samples generator",
    ("torch.utils.data", "SubsetRandomSampler"): "indices generator",
    ("torch.utils.data", "WeightedRandomSampler"): "weights num_samples replacement generator",
    ("torch.utils.data", "BatchSampler"): "sampler batch_size drop_last",
    ("torch.utils.data", "DistributedSampler"): "dataset num_replicas rank shuffle seed drop_last",
    # vision
    ("torchvision.transforms", "Normalize"): "mean std inplace",
    ("torchvision.transforms", "Resize"): "size interpolation antialias",
    ("torchvision.transforms", "RandomCrop"): "size padding pad_if_needed fill padding_mode",
    ("torchvision.transforms", "RandomResizedCrop"): "size scale ratio interpolation antialias",
    ("torchvision.transforms", "RandomRotation"): "degrees interpolation expand center fill",
    ("torchvision.transforms", "ColorJitter"): "brightness contrast saturation hue",
    ("torchvision.transforms", "Grayscale"): "num_output_channels",
    ("torchvision.transforms", "Pad"): "padding fill padding_mode",
    ("torchvision.transforms", "RandomApply"): "transforms p",
    ("torchvision.transforms", "RandomHorizontalFlip"): "p",
    ("torchvision.datasets", "MNIST"): "root train transform target_transform download",
    ("torchvision.datasets", "FashionMNIST"): "root train transform target_transform download",
    ("torchvision.datasets", "CIFAR10"): "root train transform target_transform download",
    ("torchvision.datasets", "ImageFolder"): "root transform target_transform loader is_valid_file",
    ("torchvision.datasets", "FakeData"): "size image_size num_classes transform target_transform",
    ("torchvision.utils", "make_grid"): "nrow padding normalize value_range scale_each pad_value",
    ("torchvision.utils", "save_image"): "fp format",
}

# Keyword names the issues talk about; any of these in torch's inspectable signature of a listed
# callable must be accepted by ember's.
MAIN_PARAMS = frozenset("""
    dim keepdim dtype device requires_grad generator reduction weight ignore_index label_smoothing
    size_average reduce pos_weight log_target beta delta batch_first bidirectional num_layers
    nonlinearity proj_size hidden_size input_size momentum nesterov dampening maximize weight_decay
    amsgrad betas eps lr alpha centered lr_decay initial_accumulator_value rho momentum_decay
    decoupled_weight_decay foreach fused capturable differentiable gamma step_size milestones T_max
    eta_min last_epoch batch_size shuffle sampler batch_sampler num_workers collate_fn pin_memory
    drop_last timeout worker_init_fn multiprocessing_context prefetch_factor persistent_workers
    replacement num_samples num_replicas rank seed in_features out_features bias kernel_size stride
    padding dilation groups padding_mode output_padding ceil_mode return_indices count_include_pad
    divisor_override affine track_running_stats elementwise_affine normalized_shape num_heads
    embed_dim dropout nhead d_model dim_feedforward norm_first activation layer_norm_eps kdim vdim
    padding_idx max_norm inplace approximate negative_slope p training scale_factor mode
    align_corners a mode gain num_classes strict keep_vars prefix recurse remove_duplicate persistent
    set_to_none retain_graph create_graph allow_unused grad_outputs map_location weights_only
    is_causal attn_mask key_padding_mask need_weights average_attn_weights dropout_p scale
    enforce_sorted total_length padding_value padding_side norm_type error_if_nonfinite with_kwargs
    root train transform target_transform download mean std size interpolation antialias
""".split())


def _words(text: str) -> list[str]:
    return text.split()


@functools.lru_cache(maxsize=None)
def _resolve(path: str, lib_name: str):
    """The object a TARGETS path names; an instance when the path ends with '()'."""
    module_name, _, attrs = path.partition(":")
    obj = importlib.import_module(module_name)
    if not attrs:
        return obj
    if attrs.endswith("()"):
        return INSTANCES[attrs[:-2]](importlib.import_module(lib_name))
    for attr in attrs.split("."):
        obj = getattr(obj, attr)
    return obj


def _ember(key: str):
    return _resolve(TARGETS[key][0], "ember")


def _reference(key: str):
    """The torch/torchvision object for ``key``, skipping when that library is unavailable."""
    path = TARGETS[key][1]
    top = path.split(".", 1)[0].split(":", 1)[0]
    pytest.importorskip(top, reason=f"{top} is not installed; reference half of the audit skipped")
    return _resolve(path, top)


def _signature(obj):
    """obj's Python signature (a class's constructor's), or None when it cannot be inspected."""
    try:
        return inspect.signature(obj)
    except (TypeError, ValueError):
        return None


def _accepts_keyword(sig: inspect.Signature, name: str) -> bool:
    params = sig.parameters
    if name in params and params[name].kind in (inspect.Parameter.POSITIONAL_OR_KEYWORD,
                                                inspect.Parameter.KEYWORD_ONLY):
        return True
    return any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params.values())


def _is_variadic_only(sig: inspect.Signature) -> bool:
    """True for ``(*args, **kwargs)``-style signatures that name nothing useful."""
    return all(p.kind in (inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD)
               for p in sig.parameters.values())


NAME_CASES = [pytest.param(key, name, id=f"{key}.{name}")
              for key, text in NAMES.items() for name in _words(text)]
SIGNATURE_CASES = [pytest.param(key, name, _words(text), id=f"{key}.{name}")
                   for (key, name), text in SIGNATURES.items()]


def test_signature_cases_are_listed_names():
    listed = {(key, name) for key, text in NAMES.items() for name in _words(text)}
    assert set(SIGNATURES) - listed == set()


@pytest.mark.parametrize("key,name", NAME_CASES)
def test_ember_has_name(key, name):
    assert hasattr(_ember(key), name), f"ember lacks {key}.{name}"


@pytest.mark.parametrize("key,name", NAME_CASES)
def test_reference_has_name(key, name):
    assert hasattr(_reference(key), name), f"{key}.{name} is not in the reference API: fix the list"


@pytest.mark.parametrize("key,name,params", SIGNATURE_CASES)
def test_ember_accepts_keywords(key, name, params):
    obj = getattr(_ember(key), name, None)
    if obj is None:
        pytest.fail(f"ember lacks {key}.{name}")
    sig = _signature(obj)
    assert sig is not None, f"ember's {key}.{name} has no inspectable signature"
    missing = [p for p in params if not _accepts_keyword(sig, p)]
    assert missing == [], f"ember's {key}.{name}{sig} does not accept {missing}"


@pytest.mark.parametrize("key,name,params", SIGNATURE_CASES)
def test_reference_has_keywords(key, name, params):
    sig = _signature(getattr(_reference(key), name))
    if sig is None or _is_variadic_only(sig):
        pytest.skip(f"{key}.{name} has no inspectable Python signature in the reference")
    missing = [p for p in params if p not in sig.parameters]
    assert missing == [], f"{key}.{name}{sig} has no {missing}: fix SIGNATURES"


@pytest.mark.parametrize("key,name", NAME_CASES)
def test_ember_accepts_reference_main_keywords(key, name):
    reference = getattr(_reference(key), name, None)
    ember_obj = getattr(_ember(key), name, None)
    if reference is None or ember_obj is None or not callable(reference):
        pytest.skip(f"{key}.{name} is missing on one side or not callable (see the name tests)")
    ref_sig, ember_sig = _signature(reference), _signature(ember_obj)
    if ref_sig is None or ember_sig is None or _is_variadic_only(ref_sig):
        pytest.skip(f"{key}.{name} lacks an inspectable Python signature on one side")
    wanted = [p.name for p in ref_sig.parameters.values()
              if p.name in MAIN_PARAMS and p.kind is not inspect.Parameter.POSITIONAL_ONLY]
    missing = [p for p in wanted if not _accepts_keyword(ember_sig, p)]
    assert missing == [], f"ember's {key}.{name}{ember_sig} does not accept {missing}"
