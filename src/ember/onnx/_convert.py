"""Rules turning captured graph nodes into ONNX nodes, one function per kind of node.

Each rule receives the exporter's context (``cx``), the node and the names of its
inputs, and returns the ONNX name of its output. Values that are not tensors (shapes,
sizes) were recorded during capture and are used as constants.
"""
from __future__ import annotations

import operator

import numpy as np

__all__ = ["MODULE_RULES", "FUNCTION_RULES", "METHOD_RULES"]


def _pair(v, n=2):
    return list(v) if isinstance(v, (tuple, list)) else [v] * n


# -- modules ------------------------------------------------------------------------------
def _linear(cx, x, weight, bias, node):
    w = cx.const(weight.detach().numpy().T.copy(), f"{node.name}_weight_t")
    out = cx.emit("MatMul", [x, w], node)
    if bias is not None:
        out = cx.emit("Add", [out, cx.const(bias.detach().numpy(), f"{node.name}_bias")], node,
                      suffix="bias")
    return out


def _m_linear(cx, mod, node, x):
    return _linear(cx, x, mod.weight, mod.bias, node)


def _m_conv(cx, mod, node, x, transpose=False):
    if isinstance(mod.padding, str):
        raise cx.unsupported(f"{type(mod).__name__}(padding='{mod.padding}')")
    nd = len(mod.kernel_size)
    ins = [x, cx.param(mod.weight)]
    if mod.bias is not None:
        ins.append(cx.param(mod.bias))
    attrs = dict(kernel_shape=list(mod.kernel_size), strides=_pair(mod.stride, nd),
                 pads=_pair(mod.padding, nd) * 2, dilations=_pair(mod.dilation, nd),
                 group=mod.groups)
    if transpose:
        attrs["output_padding"] = _pair(mod.output_padding, nd)
        return cx.emit("ConvTranspose", ins, node, **attrs)
    return cx.emit("Conv", ins, node, **attrs)


def _pool_attrs(mod, nd):
    k = _pair(mod.kernel_size, nd)
    s = _pair(mod.stride if mod.stride is not None else mod.kernel_size, nd)
    return dict(kernel_shape=k, strides=s, pads=_pair(mod.padding, nd) * 2,
                ceil_mode=int(mod.ceil_mode))


def _m_maxpool(cx, mod, node, x):
    nd = int(type(mod).__name__[-2])
    if _pair(mod.dilation, nd) != [1] * nd or mod.return_indices:
        raise cx.unsupported("MaxPool with dilation or indices")
    return cx.emit("MaxPool", [x], node, **_pool_attrs(mod, nd))


def _m_avgpool(cx, mod, node, x):
    nd = int(type(mod).__name__[-2])
    attrs = _pool_attrs(mod, nd)
    attrs["count_include_pad"] = int(mod.count_include_pad)
    if getattr(mod, "divisor_override", None):
        raise cx.unsupported("AvgPool with divisor_override")
    return cx.emit("AveragePool", [x], node, **attrs)


def _m_adaptive_avg(cx, mod, node, x):
    size = mod.output_size
    if all(s == 1 for s in _pair(size, int(type(mod).__name__[-2]))):
        return cx.emit("GlobalAveragePool", [x], node)
    raise cx.unsupported(f"AdaptiveAvgPool with output_size {size}")


def _m_batchnorm(cx, mod, node, x):
    c = mod.num_features
    w = mod.weight if mod.weight is not None else None
    scale = cx.param(w) if w is not None else cx.const(np.ones(c, np.float32), "bn_one")
    bias = cx.param(mod.bias) if mod.bias is not None else cx.const(np.zeros(c, np.float32),
                                                                  "bn_zero")
    if mod.running_mean is None:
        raise cx.unsupported("BatchNorm without running statistics")
    return cx.emit("BatchNormalization", [x, scale, bias, cx.param(mod.running_mean),
                                          cx.param(mod.running_var)], node,
                   epsilon=float(mod.eps), momentum=float(1 - (mod.momentum or 0.1)))


def _m_layernorm(cx, mod, node, x):
    n = len(mod.normalized_shape)
    shape = tuple(mod.normalized_shape)
    scale = cx.param(mod.weight) if mod.weight is not None else \
        cx.const(np.ones(shape, np.float32), "ln_one")
    ins = [x, scale] + ([cx.param(mod.bias)] if mod.bias is not None else [])
    cx.need_opset(17, "LayerNormalization")
    return cx.emit("LayerNormalization", ins, node, axis=-n, epsilon=float(mod.eps))


def _m_embedding(cx, mod, node, x):
    return cx.emit("Gather", [cx.param(mod.weight), x], node, axis=0)


def _m_flatten(cx, mod, node, x):
    return _flatten(cx, node, x, mod.start_dim, mod.end_dim)


def _m_identity(cx, mod, node, x, *rest):
    return cx.emit("Identity", [x], node)


def _m_activation(op, **fixed):
    def rule(cx, mod, node, x):
        attrs = {k: float(getattr(mod, v)) if isinstance(v, str) else v
                 for k, v in fixed.items()}
        return cx.emit(op, [x], node, **attrs)
    return rule


def _m_gelu(cx, mod, node, x):
    return _gelu(cx, node, x, mod.approximate)


def _m_softmax(op):
    def rule(cx, mod, node, x):
        return cx.emit(op, [x], node, axis=mod.dim if mod.dim is not None else -1)
    return rule


# ONNX gate order from torch's: LSTM i,f,g,o -> i,o,f,c; GRU r,z,n -> z,r,n
_GATES = {"LSTM": [0, 3, 1, 2], "GRU": [1, 0, 2]}


def _gates(array, order):
    chunks = np.split(array, len(order))
    return np.concatenate([chunks[k] for k in order])


def _m_rnn(cx, mod, node, x, hx=None):
    kind = type(mod).__name__
    if hx is not None or getattr(mod, "proj_size", 0):
        raise cx.unsupported(f"{kind} with initial states or proj_size")
    order = _GATES[kind]
    dirs = 2 if mod.bidirectional else 1
    hidden = mod.hidden_size
    if mod.batch_first:
        x = cx.emit("Transpose", [x], node, suffix="in_t", perm=[1, 0, 2])
    states = ([], [])
    for layer in range(mod.num_layers):
        w, r, b = [], [], []
        for d in range(dirs):
            sfx = f"_l{layer}" + ("_reverse" if d else "")
            w.append(_gates(getattr(mod, "weight_ih" + sfx).detach().numpy(), order))
            r.append(_gates(getattr(mod, "weight_hh" + sfx).detach().numpy(), order))
            if mod.bias:
                b.append(np.concatenate([_gates(getattr(mod, p + sfx).detach().numpy(), order)
                                         for p in ("bias_ih", "bias_hh")]))
            else:
                b.append(np.zeros(2 * len(order) * hidden, w[-1].dtype))
        ins = [x, cx.const(np.stack(w), f"{node.name}_W{layer}"),
               cx.const(np.stack(r), f"{node.name}_R{layer}"),
               cx.const(np.stack(b), f"{node.name}_B{layer}")]
        attrs = dict(hidden_size=hidden,
                     direction="bidirectional" if dirs == 2 else "forward")
        if kind == "GRU":
            attrs["linear_before_reset"] = 1
        n_out = 3 if kind == "LSTM" else 2
        outs = [cx._fresh(f"{node.name}_l{layer}_{k}") for k in ("y", "h", "c")[:n_out]]
        cx.nodes.append(cx.onnx.helper.make_node(kind, ins, outs,
                                                 name=cx._fresh(f"/{node.name}/{kind}"),
                                                 **attrs))
        y = cx.emit("Transpose", [outs[0]], node, suffix=f"l{layer}_t", perm=[0, 2, 1, 3])
        x = cx.emit("Reshape", [y, cx.const(np.array([0, 0, -1], np.int64), "shape")], node,
                    suffix=f"l{layer}_out")
        for k in range(1, n_out):
            states[k - 1].append(outs[k])
    if mod.batch_first:
        x = cx.emit("Transpose", [x], node, suffix="out_t", perm=[1, 0, 2])

    def cat(names, tag):
        if len(names) == 1:
            return names[0]
        return cx.emit("Concat", names, node, suffix=tag, axis=0)
    h = cat(states[0], "h")
    return (x, (h, cat(states[1], "c"))) if kind == "LSTM" else (x, h)


def _attention(cx, mod, node, q, k, v, need_weights):
    """Multi-head attention without masks on (L, N, E) or, batch-first, (N, L, E) inputs."""
    e, h = mod.embed_dim, mod.num_heads
    d = e // h
    if not mod._qkv_same_embed_dim:
        raise cx.unsupported("MultiheadAttention with kdim/vdim")
    if not mod.batch_first:
        q, k, v = (cx.emit("Transpose", [t], node, suffix="in_t", perm=[1, 0, 2])
                   for t in (q, k, v))
    w = mod.in_proj_weight.detach().numpy()
    b = mod.in_proj_bias.detach().numpy() if mod.in_proj_bias is not None else None
    heads = []
    for i, (t, perm) in enumerate(((q, [0, 2, 1, 3]), (k, [0, 2, 3, 1]), (v, [0, 2, 1, 3]))):
        proj = cx.emit("MatMul", [t, cx.const(w[i * e:(i + 1) * e].T.copy(), "in_proj")],
                       node, suffix="proj")
        if b is not None:
            proj = cx.emit("Add", [proj, cx.const(b[i * e:(i + 1) * e], "in_bias")], node,
                           suffix="proj_b")
        split = cx.emit("Reshape", [proj, cx.const(np.array([0, 0, h, d], np.int64), "shape")],
                        node, suffix="heads")
        heads.append(cx.emit("Transpose", [split], node, suffix="heads_t", perm=perm))
    dt = mod.in_proj_weight.detach().numpy().dtype
    scores = cx.emit("MatMul", heads[:2], node, suffix="scores")
    scores = cx.emit("Mul", [scores, cx.scalar(1.0 / np.sqrt(d), dt)], node, suffix="scaled")
    attn = cx.emit("Softmax", [scores], node, suffix="attn", axis=-1)
    out = cx.emit("MatMul", [attn, heads[2]], node, suffix="ctx")
    out = cx.emit("Transpose", [out], node, suffix="ctx_t", perm=[0, 2, 1, 3])
    out = cx.emit("Reshape", [out, cx.const(np.array([0, 0, e], np.int64), "shape")], node,
                  suffix="merge")
    out = _linear(cx, out, mod.out_proj.weight, mod.out_proj.bias, node)
    if not mod.batch_first:
        out = cx.emit("Transpose", [out], node, suffix="out_t", perm=[1, 0, 2])
    if not need_weights:
        return out, None
    return out, cx.reduce("ReduceMean", node, attn, [1], False)


def _m_mha(cx, mod, node, query, key, value, key_padding_mask=None, need_weights=True,
           attn_mask=None, average_attn_weights=True, is_causal=False):
    if key_padding_mask is not None or attn_mask is not None or is_causal:
        raise cx.unsupported("MultiheadAttention with masks")
    if need_weights and not average_attn_weights:
        raise cx.unsupported("MultiheadAttention(average_attn_weights=False)")
    return _attention(cx, mod, node, query, key, value, need_weights)


def _activation_of(cx, node, act, x):
    name = getattr(act, "__name__", type(act).__name__).lower()
    if name == "relu":
        return cx.emit("Relu", [x], node, suffix="act")
    if name == "gelu":
        return _gelu(cx, node, x, getattr(act, "approximate", "none"))
    raise cx.unsupported(f"TransformerEncoderLayer(activation={name})")


def _m_encoder_layer(cx, mod, node, src, src_mask=None, src_key_padding_mask=None,
                     is_causal=False):
    if src_mask is not None or src_key_padding_mask is not None:
        raise cx.unsupported("TransformerEncoderLayer with masks")

    def sa(x):
        return _attention(cx, mod.self_attn, node, x, x, x, False)[0]

    def ff(x):
        lin1 = mod.linear1
        hidden = _activation_of(cx, node, mod.activation, _linear(cx, x, lin1.weight,
                                                                  lin1.bias, node))
        return _linear(cx, hidden, mod.linear2.weight, mod.linear2.bias, node)

    def add(a, b):
        return cx.emit("Add", [a, b], node, suffix="residual")
    x = src
    if mod.norm_first:
        x = add(x, sa(_m_layernorm(cx, mod.norm1, node, x)))
        return add(x, ff(_m_layernorm(cx, mod.norm2, node, x)))
    x = _m_layernorm(cx, mod.norm1, node, add(x, sa(x)))
    return _m_layernorm(cx, mod.norm2, node, add(x, ff(x)))


def _m_encoder(cx, mod, node, src, mask=None, src_key_padding_mask=None, is_causal=None):
    if mask is not None or src_key_padding_mask is not None:
        raise cx.unsupported("TransformerEncoder with masks")
    x = src
    for layer in mod.layers:
        x = _m_encoder_layer(cx, layer, node, x)
    if mod.norm is not None:
        x = _m_layernorm(cx, mod.norm, node, x)
    return x


MODULE_RULES = {
    "Linear": _m_linear, "Conv1d": _m_conv, "Conv2d": _m_conv, "Conv3d": _m_conv,
    "ConvTranspose1d": lambda cx, m, n, x: _m_conv(cx, m, n, x, transpose=True),
    "ConvTranspose2d": lambda cx, m, n, x: _m_conv(cx, m, n, x, transpose=True),
    "MaxPool1d": _m_maxpool, "MaxPool2d": _m_maxpool, "AvgPool1d": _m_avgpool,
    "AvgPool2d": _m_avgpool, "AdaptiveAvgPool2d": _m_adaptive_avg,
    "AdaptiveAvgPool1d": _m_adaptive_avg,
    "BatchNorm1d": _m_batchnorm, "BatchNorm2d": _m_batchnorm, "LayerNorm": _m_layernorm,
    "Embedding": _m_embedding, "Flatten": _m_flatten, "Identity": _m_identity,
    "Dropout": _m_identity, "Dropout1d": _m_identity, "Dropout2d": _m_identity,
    "ReLU": _m_activation("Relu"), "Sigmoid": _m_activation("Sigmoid"),
    "Tanh": _m_activation("Tanh"), "GELU": _m_gelu,
    "LeakyReLU": _m_activation("LeakyRelu", alpha="negative_slope"),
    "ELU": _m_activation("Elu", alpha="alpha"),
    "Softmax": _m_softmax("Softmax"), "LogSoftmax": _m_softmax("LogSoftmax"),
    "LSTM": _m_rnn, "GRU": _m_rnn, "MultiheadAttention": _m_mha,
    "TransformerEncoderLayer": _m_encoder_layer, "TransformerEncoder": _m_encoder,
}


# -- functions and methods -------------------------------------------------------------------
def _gelu(cx, node, x, approximate="none"):
    if approximate != "none":
        raise cx.unsupported("gelu(approximate='tanh')")
    if cx.opset >= 20:
        return cx.emit("Gelu", [x], node)
    # 0.5 * x * (1 + erf(x / sqrt(2)))
    dt = cx.dtype_of(node)
    h = cx.emit("Div", [x, cx.scalar(np.sqrt(2.0), dt)], node, suffix="div")
    e = cx.emit("Erf", [h], node, suffix="erf")
    e = cx.emit("Add", [e, cx.scalar(1.0, dt)], node, suffix="add")
    m = cx.emit("Mul", [x, e], node, suffix="mul")
    return cx.emit("Mul", [m, cx.scalar(0.5, dt)], node)


def _flatten(cx, node, x, start=0, end=-1):
    in_rank = len(cx.shape_of_input(node))
    if end in (-1, in_rank - 1) and start in (0, 1):
        if start == 0:
            return cx.reshape(node, x, (-1,))
        return cx.emit("Flatten", [x], node, axis=1)
    return cx.reshape(node, x, cx.shape_of(node))


def _binary(op):
    def rule(cx, node, a, b, *extra):
        return cx.emit(op, [cx.operand(a, node), cx.operand(b, node)], node)
    return rule


def _reverse(op):
    return lambda cx, node, a, b: cx.emit(op, [cx.operand(b, node), cx.operand(a, node)], node)


def _unary(op):
    return lambda cx, node, x, *rest, **kw: cx.emit(op, [x], node)


def _softmax(op):
    def rule(cx, node, x, dim=None, *rest, **kw):
        d = kw.get("dim", dim)
        return cx.emit(op, [x], node, axis=-1 if d is None else d)
    return rule


def _reduce(op):
    def rule(cx, node, x, dim=None, keepdim=False, **kw):
        dim = kw.get("dim", dim)
        keepdim = kw.get("keepdim", keepdim)
        if "dtype" in kw:
            raise cx.unsupported(f"{op} with dtype")
        axes = None if dim is None else list(dim) if isinstance(dim, (tuple, list)) else [dim]
        return cx.reduce(op, node, x, axes, keepdim)
    return rule


def _reshape(cx, node, x, *shape, **kw):
    return cx.reshape(node, x, cx.shape_of(node))


def _transpose(cx, node, x, d0, d1):
    rank = len(cx.shape_of(node))
    perm = list(range(rank))
    perm[d0], perm[d1] = perm[d1], perm[d0]
    return cx.emit("Transpose", [x], node, perm=perm)


def _permute(cx, node, x, *dims):
    dims = list(dims[0]) if len(dims) == 1 and isinstance(dims[0], (tuple, list)) else list(dims)
    rank = len(dims)
    return cx.emit("Transpose", [x], node, perm=[d % rank for d in dims])


def _getitem(cx, node, x, index):
    if isinstance(x, (tuple, list)):  # an element of a layer's tuple output
        return x[index]
    return cx.index(node, x, index)


def _f_linear(cx, node, x, weight, bias=None):
    w = cx.emit("Transpose", [weight], node, suffix="wt", perm=[1, 0])
    out = cx.emit("MatMul", [x, w], node, suffix=None if bias is None else "mm")
    return out if bias is None else cx.emit("Add", [out, bias], node)


def _f_dropout(cx, node, x, *args, **kw):
    training = kw.get("training", args[1] if len(args) > 1 else True)
    if training:
        raise cx.unsupported("dropout(training=True)")
    return cx.emit("Identity", [x], node)


def _f_leaky(cx, node, x, negative_slope=0.01, inplace=False):
    return cx.emit("LeakyRelu", [x], node, alpha=float(negative_slope))


FUNCTION_RULES = {
    operator.add: _binary("Add"), operator.sub: _binary("Sub"), operator.mul: _binary("Mul"),
    operator.truediv: _binary("Div"), operator.matmul: _binary("MatMul"),
    operator.pow: _binary("Pow"), operator.neg: _unary("Neg"), operator.getitem: _getitem,
    "add": _binary("Add"), "sub": _binary("Sub"), "mul": _binary("Mul"), "div": _binary("Div"),
    "matmul": _binary("MatMul"), "pow": _binary("Pow"), "rsub": _reverse("Sub"),
    "relu": _unary("Relu"), "sigmoid": _unary("Sigmoid"), "tanh": _unary("Tanh"),
    "exp": _unary("Exp"), "log": _unary("Log"), "sqrt": _unary("Sqrt"), "abs": _unary("Abs"),
    "neg": _unary("Neg"), "erf": _unary("Erf"), "gelu": lambda cx, n, x, approximate="none":
    _gelu(cx, n, x, approximate), "leaky_relu": _f_leaky,
    "softmax": _softmax("Softmax"), "log_softmax": _softmax("LogSoftmax"),
    "sum": _reduce("ReduceSum"), "mean": _reduce("ReduceMean"), "amax": _reduce("ReduceMax"),
    "flatten": lambda cx, n, x, start_dim=0, end_dim=-1: _flatten(cx, n, x, start_dim, end_dim),
    "reshape": _reshape, "view": _reshape, "transpose": _transpose, "permute": _permute,
    "linear": _f_linear, "dropout": _f_dropout, "contiguous": _unary("Identity"),
}
METHOD_RULES = FUNCTION_RULES
