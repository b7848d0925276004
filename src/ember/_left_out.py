"""The public PyTorch names ember does not provide, grouped by the reason why, and the error
that says so when a program reaches for one.

Each group maps a namespace key (``"torch"``, ``"torch.Tensor"``, ``"torch.nn"``, ...) to
whitespace-separated names, or to a list of such strings (so a group can carry comments); a
name may be a glob pattern (``fnmatch``: ``q_*``). ``torch.lobpcg`` on ember then raises an
``AttributeError`` that says "ember does not implement torch.lobpcg yet" (or why ember leaves
it out) instead of a bare "no attribute". tests/reference/test_api_completeness.py fails when
torch has a public name that ember neither has nor lists here, and when an exact name listed
here is one ember has gained (delete it from the list then) or one torch does not have.
"""
from __future__ import annotations

import fnmatch
import functools

# Quantized tensors, observers and quantized kernels: ember computes in float/int NumPy arrays
# and has no quantized dtypes or backends (torch.ao / torch.quantization).
QUANTIZATION = {
    "torch": """
        q_* qint* quint* quantize_* quantized_* dequantize fake_quantize_* per_channel_*
        per_tensor_* choose_qparams_optimized empty_quantized
        fused_moving_avg_obs_fake_quant int_repr qscheme quantization ao QInt*Storage
        QUInt*Storage
    """,
    "torch.Tensor": "q_* qscheme dequantize int_repr",
    "torch.nn": "quantized quantizable qat intrinsic",
}

# Accelerator, vendor-library and build internals: ember runs on the CPU through NumPy, so the
# cuDNN/MIOpen/MKL-DNN/FBGEMM kernels, streams, non-CPU device modules, build flags, scaled
# (float8) GPU matmuls and attention-kernel selection (torch.nn.attention) of torch's C++
# library have no meaning here (torch.cuda/torch.backends exist as CPU-only stubs).
ACCELERATOR_INTERNALS = {
    "torch": """
        cudnn_* miopen_* mkldnn_* fbgemm_* xpu mps mtia Stream Event StreamObjType
        AcceleratorError OutOfMemoryError get_device_module is_vulkan_available
        compiled_with_cxx11_abi init_num_threads USE_GLOBAL_DEPS
        USE_RTLD_GLOBAL_WITH_LIBTORCH profiler_allow_cudagraph_cupti_lazy_reinit_cuda12
        set_flush_denormal has_lapack has_mkl has_openmp has_spectral
        is_autocast_ipu_enabled is_autocast_xla_enabled set_autocast_ipu_*
        set_autocast_xla_* get_autocast_ipu_dtype get_autocast_xla_dtype
        autocast_increment_nesting autocast_decrement_nesting clear_autocast_cache
        BenchmarkConfig BenchmarkExecutionStats ThroughputBenchmark
    """,
    "torch.Tensor": "xpu mtia ipu to_mkldnn record_stream",
    "torch.nn": "attention",
    "torch.nn.functional": "grouped_mm scaled_grouped_mm scaled_mm ScalingType SwizzleType",
    "torch.autograd": """
        DeviceType ProfilerActivity ProfilerConfig ProfilerEvent ProfilerState
        kineto_available profiler_legacy profiler_util
    """,
}

# TorchScript's C++ IR, type system and serializer classes: ember's torch.jit traces to Python
# (torch.fx graphs), it does not expose the C++ JIT's graph, type or interpreter objects.
TORCHSCRIPT_IR = {
    "torch": """
        Graph Node Block Value Use Gradient Code Argument ArgumentSpec CompleteArgumentSpec
        FunctionSchema ExecutionPlan GraphExecutorState AliasDb CallStack ErrorReport
        JITException FileCheck IODescriptor CompilationUnit ConcreteModuleType
        ConcreteModuleTypeBuilder DeepCopyMemoTable LiteScriptModule StaticModule
        TracingState Script* *Type Type Capsule parse_ir parse_schema parse_type_comment
        merge_type_from_type_comment unify_type_list import_ir_module
        import_ir_module_from_buffer PyTorchFileReader PyTorchFileWriter
        SerializationStorageContext DeserializationStorageContext classes fork wait
        AggregationType AVG SUM LoggerBase LockingLogger NoopLogger BufferDict ModuleDict
        ParameterDict get_file_path
    """,
    "torch.nn.functional": "BroadcastingList1 BroadcastingList2 BroadcastingList3 boolean_dispatch",
}

# Dispatcher, symbolic-shape and __torch_function__ machinery, plus ATen's internal kernels
# (native_*, batch-norm pieces, *_copy view variants, RNN cells) that programs reach only
# through the public ops ember has.
DISPATCH_INTERNALS = {
    "torch": """
        DispatchKey DispatchKeySet ExcludeDispatchKeyGuard DisableTorchFunction
        DisableTorchFunctionSubclass Tag OperatorInfo PRIVATE_OPS FatalError library
        overrides Sym* sym_* classproperty thread_safe_generator TYPE_CHECKING native_*
        batch_norm_* *_copy rnn_relu rnn_relu_cell rnn_tanh rnn_tanh_cell lstm lstm_cell gru
        gru_cell convolution grid_sampler_2d grid_sampler_3d embedding_renorm_
        norm_except_dim conv_tbc legacy_contiguous_format hash_tensor slice_inverse
        segment_reduce
    """,
    "torch.Tensor": "as_subclass const_data_ptr dim_order module_load hash_tensor slice_inverse",
    "torch.nn": "factory_kwargs common_types",
    "torch.nn.functional": """
        TYPE_CHECKING handle_torch_function has_torch_function has_torch_function_unary
        has_torch_function_variadic assert_int_or_pair conv_tbc
        GRID_SAMPLE_INTERPOLATION_MODES GRID_SAMPLE_PADDING_MODES
    """,
    "torch.autograd": """
        handle_torch_function has_torch_function is_tensor_like enforce_grad_layout_policy
        is_view_replay_enabled
    """,
}

# Docstring fragments and re-exported names that torch keeps in module namespaces.
DOC_AND_REEXPORTS = {
    "torch.nn.functional": "reproducibility_notes sparse_support_notes tf32_notes Tensor",
    "torch.linalg": "common_notes",
    "torch.fft": "common_args factory_common_args",
    "torch.special": "common_args multi_dim_common",
}

# Legacy per-dtype storage classes (FloatStorage, ...): ember's tensors own NumPy arrays;
# UntypedStorage/TypedStorage and Tensor.storage() cover what programs do with storages.
STORAGE_TYPES = {
    "torch": """
        *Storage StorageBase from_file
    """,
}

# Narrow dtypes NumPy cannot represent (sub-byte ints, float8/float4, bit types, chalf).
UNREPRESENTABLE_DTYPES = {
    "torch": "float8_* float4_* int1 int2 int3 int4 int5 int6 int7 uint1 uint2 uint3 uint4 uint5 "
             "uint6 uint7 bit bits* complex32 chalf",
    "torch.Tensor": "chalf",
}

# Sparse layouts beyond COO/CSR (BSR, BSC, CSC, generic compressed) and the legacy sparse
# kernels; ember's sparse support is COO plus CSR matmul.
SPARSE_LAYOUTS = {
    "torch": """
        sparse_bsc_tensor sparse_bsr_tensor sparse_csc_tensor sparse_compressed_tensor dsmm
        hsmm hspmm saddmm smm sspaddmm resize_as_sparse_
    """,
    "torch.Tensor": """
        to_sparse_bsc to_sparse_bsr to_sparse_csc ccol_indices row_indices smm sspaddmm
        sparse_resize_ sparse_resize_and_clear_ resize_as_sparse_
    """,
}

# Functions and attributes torch removed: they remain only as stubs that raise an error pointing
# to the replacement (torch.linalg, which ember has) or, for ``volatile``, always read False.
REMOVED_IN_TORCH = {
    "torch": "eig symeig lstsq solve matrix_rank",
    "torch.Tensor": "eig symeig lstsq solve reinforce volatile",
}

# Namespaces and features whose whole subject ember leaves out: TorchScript packaging, model
# export (torch.export; ember's own capture is torch.fx/torch.compile), the operator monitor,
# prototype data pipes and nested/masked tensor prototypes.
OUT_OF_SCOPE = {
    "torch": "package export nested masked monitor",
    "torch.Tensor": "to_padded_tensor",
    "torch.utils.data": """
        DFIterDataPipe DataChunk IterDataPipe MapDataPipe argument_validation datapipes
        functional_datapipe graph graph_settings guaranteed_datapipes_determinism
        non_deterministic runtime_validation runtime_validation_disabled
    """,
}

# Namespaces that other open issues bring (distributed training, worker processes).
OTHER_ISSUES = {
    "torch": "is_distributed prepare_multiprocessing_environment",
}

# Submodules ember leaves out, each with its reason. They are kept apart from GROUPS: their
# parent (torch.distributed) is not one of the namespaces whose names are compared with
# torch's one by one.
MODULES = {
    "torch.distributed.autograd": "distributed autograd (gradients sent back along the RPCs "
                                  "that made a result) is not implemented; with "
                                  "torch.distributed.rpc, compute gradients on the worker "
                                  "that holds the parameters",
    "torch.distributed.optim": "DistributedOptimizer steps on the gradients of distributed "
                               "autograd, which ember does not implement",
}

# Wanted but not implemented yet. torch.fft, torch.special, torch.distributions, sparse COO/CSR
# tensors and the RNG functions were being written while this list was made (issue 7): their
# entries are marked "in progress" and shrink as that work lands.
NOT_IMPLEMENTED_YET = {
    "torch": [
        # in progress: special functions, RNG
        "igamma igammac binomial",
        # not started: complex views, factorizations, spectral and strided ops
        "complex polar view_as_complex view_as_real geqrf orgqr ormqr lu lu_solve lu_unpack",
        "lobpcg pca_lowrank svd_lowrank stft istft histogramdd as_strided as_strided_",
        "as_strided_scatter conj_physical_ resize_as_ embedding_bag feature_dropout",
        # not started: dlpack exchange, uint16/32/64 dtypes
        "from_dlpack to_dlpack uint16 uint32 uint64",
        # not started: submodules torch.functional, torch.signal, torch.quasirandom
        "functional signal quasirandom",
    ],
    "torch.Tensor": [
        # in progress: special functions
        "igamma igamma_ igammac igammac_",
        # not started
        "as_strided as_strided_ as_strided_scatter geqrf orgqr ormqr lu lu_solve stft istft",
        "conj_physical_ resize resize_as set_ is_nonzero register_post_accumulate_grad_hook",
        "grad_dtype name index",
    ],
    "torch.nn": "Container LinearCrossEntropyLoss LinearCrossEntropyOptions grad",
    "torch.nn.functional": "linear_cross_entropy",
    "torch.optim": "Muon swap_in_optimizer_params_and_state",
    "torch.linalg": "ldl_factor ldl_factor_ex ldl_solve lu lu_factor lu_factor_ex lu_solve",
    # not started: the rarer distributions
    "torch.distributions": """
        ContinuousBernoulli FisherSnedecor GeneralizedPareto InverseGamma Kumaraswamy
        LKJCholesky LogisticNormal LowRankMultivariateNormal VonMises Wishart CatTransform
        CorrCholeskyTransform PositiveDefiniteTransform StackTransform continuous_bernoulli
        fishersnedecor generalized_pareto inverse_gamma kumaraswamy lkj_cholesky
        logistic_normal lowrank_multivariate_normal von_mises wishart
    """,
    "torch.autograd": """
        forward_ad NestedIOFunction SavedTensor is_multithreading_enabled
        set_multithreading_enabled
    """,
}

GROUPS = {
    "quantization": QUANTIZATION,
    "accelerator internals": ACCELERATOR_INTERNALS,
    "TorchScript IR": TORCHSCRIPT_IR,
    "dispatch internals": DISPATCH_INTERNALS,
    "docs and re-exports": DOC_AND_REEXPORTS,
    "storage types": STORAGE_TYPES,
    "unrepresentable dtypes": UNREPRESENTABLE_DTYPES,
    "sparse layouts": SPARSE_LAYOUTS,
    "removed in torch": REMOVED_IN_TORCH,
    "out of scope": OUT_OF_SCOPE,
    "other issues": OTHER_ISSUES,
    "not implemented yet": NOT_IMPLEMENTED_YET,
}

# why each group is left out, in the words of the error a program gets
REASONS = {
    "quantization": "ember has no quantized dtypes or kernels",
    "accelerator internals": "it belongs to torch's native accelerator and vendor-library "
                             "internals, which have no meaning on NumPy",
    "TorchScript IR": "ember's torch.jit works on Python (torch.fx) graphs, not TorchScript's "
                      "C++ IR",
    "dispatch internals": "it is part of torch's dispatcher and internal kernels; use the "
                          "public operation",
    "docs and re-exports": "it is a documentation fragment of torch's",
    "storage types": "ember's tensors own NumPy arrays: use Tensor.untyped_storage()",
    "unrepresentable dtypes": "NumPy cannot represent that dtype",
    "sparse layouts": "ember's sparse tensors are COO and CSR",
    "removed in torch": "torch itself removed it (see torch.linalg)",
    "out of scope": "it is outside what ember covers",
    "other issues": "it is not implemented yet",
}


@functools.lru_cache(maxsize=None)
def _table(namespace: str) -> tuple[dict, list]:
    """(exact name -> group, [(glob, group)]) for one namespace key."""
    exact, globs = {}, []
    for group, table in GROUPS.items():
        value = table.get(namespace, "")
        for entry in " ".join([value] if isinstance(value, str) else value).split():
            if any(c in entry for c in "*?["):
                globs.append((entry, group))
            else:
                exact[entry] = group
    return exact, globs


def explain(namespace: str, name: str):
    """Why ``namespace.name`` (a torch name) is missing from ember, or None if it is not a
    name torch has that ember lists as left out."""
    if name.startswith("__"):
        return None
    exact, globs = _table(namespace)
    group = exact.get(name) or next((g for p, g in globs if fnmatch.fnmatchcase(name, p)), None)
    if group is None:
        return None
    if group == "not implemented yet":
        return f"ember does not implement {namespace}.{name} yet"
    return f"ember leaves out {namespace}.{name}: {REASONS[group]}"


def missing(namespace: str, name: str, message: str) -> AttributeError:
    """The ``AttributeError`` for a missing attribute: ``message`` (Python's usual words),
    followed by why ember lacks it when it is a torch name listed here."""
    why = explain(namespace, name)
    return AttributeError(f"{message}: {why}" if why else message)


def missing_submodule(namespace: str, module_name: str, name: str) -> AttributeError:
    """The error for ``name`` missing from ember's module of torch's ``namespace``, saying why
    when it is a submodule listed in MODULES."""
    from ._naming import public_name
    message = f"module '{public_name(module_name)}' has no attribute '{name}'"
    why = MODULES.get(f"{namespace}.{name}")
    return AttributeError(f"{message}: ember leaves out {namespace}.{name}: {why}" if why
                          else message)


def missing_in_module(namespace: str, module_name: str, name: str) -> AttributeError:
    """The error for ``name`` missing from ember's module of torch's ``namespace``."""
    from ._naming import public_name
    return missing(namespace, name, f"module '{public_name(module_name)}' has no attribute "
                                    f"'{name}'")
