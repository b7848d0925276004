"""``grad_fn`` names as torch prints them, for each overload of the common operations
(``sum()`` is SumBackward0, ``sum(dim)`` SumBackward1, ``x ** t`` PowBackward1...)."""
import numpy as np
import pytest

torch = pytest.importorskip("torch", reason="differential tests need PyTorch as the reference")

import ember  # noqa: E402

OPS = {
    "add": lambda L, x, v, m, b, i: x + x, "add_scalar": lambda L, x, v, m, b, i: x + 1,
    "radd": lambda L, x, v, m, b, i: 1 + x, "sub": lambda L, x, v, m, b, i: x - x,
    "rsub": lambda L, x, v, m, b, i: 1 - x, "mul_scalar": lambda L, x, v, m, b, i: x * 2,
    "div": lambda L, x, v, m, b, i: x / x, "div_scalar": lambda L, x, v, m, b, i: x / 2,
    "rdiv": lambda L, x, v, m, b, i: 2 / x, "neg": lambda L, x, v, m, b, i: -x,
    "pow_scalar": lambda L, x, v, m, b, i: x ** 2, "pow_tensor": lambda L, x, v, m, b, i: x ** x,
    "rpow": lambda L, x, v, m, b, i: 2 ** x, "exp": lambda L, x, v, m, b, i: x.exp(),
    "sigmoid": lambda L, x, v, m, b, i: x.sigmoid(), "relu": lambda L, x, v, m, b, i: x.relu(),
    "clamp": lambda L, x, v, m, b, i: x.clamp(0, 1),
    "clamp_min": lambda L, x, v, m, b, i: x.clamp(min=0),
    "clamp_tensor": lambda L, x, v, m, b, i: x.clamp(min=L.zeros(4)),
    "sum": lambda L, x, v, m, b, i: x.sum(), "sum_dim": lambda L, x, v, m, b, i: x.sum(0),
    "sum_dim_kw": lambda L, x, v, m, b, i: x.sum(dim=1, keepdim=True),
    "sum_dtype": lambda L, x, v, m, b, i: x.sum(dtype=L.float64),
    "mean": lambda L, x, v, m, b, i: x.mean(), "mean_dim": lambda L, x, v, m, b, i: x.mean(0),
    "max": lambda L, x, v, m, b, i: x.max(), "max_dim": lambda L, x, v, m, b, i: x.max(0)[0],
    "max_keepdim": lambda L, x, v, m, b, i: x.max(1, keepdim=True)[0],
    "maximum": lambda L, x, v, m, b, i: L.max(x, x),
    "min_dim": lambda L, x, v, m, b, i: x.min(1)[0],
    "prod": lambda L, x, v, m, b, i: x.prod(), "prod_dim": lambda L, x, v, m, b, i: x.prod(0),
    "std": lambda L, x, v, m, b, i: x.std(), "std_dim": lambda L, x, v, m, b, i: x.std(0),
    "var_dim": lambda L, x, v, m, b, i: x.var(1), "norm": lambda L, x, v, m, b, i: x.norm(),
    "view": lambda L, x, v, m, b, i: x.view(12), "reshape": lambda L, x, v, m, b, i: x.reshape(12),
    "reshape_copy": lambda L, x, v, m, b, i: x.t().reshape(12),
    "flatten": lambda L, x, v, m, b, i: b.flatten(1), "t": lambda L, x, v, m, b, i: x.t(),
    "permute": lambda L, x, v, m, b, i: b.permute(2, 0, 1),
    "squeeze": lambda L, x, v, m, b, i: x.unsqueeze(0).squeeze(),
    "squeeze_dim": lambda L, x, v, m, b, i: x.unsqueeze(0).squeeze(0),
    "expand": lambda L, x, v, m, b, i: v.expand(3, 4),
    "index_int": lambda L, x, v, m, b, i: x[0], "index_slice": lambda L, x, v, m, b, i: x[1:],
    "index_tensor": lambda L, x, v, m, b, i: x[i], "index_bool": lambda L, x, v, m, b, i: x[x > 0],
    "index_none": lambda L, x, v, m, b, i: x[None],
    "cat": lambda L, x, v, m, b, i: L.cat([x, x]),
    "stack": lambda L, x, v, m, b, i: L.stack([x, x]),
    "matmul_2d": lambda L, x, v, m, b, i: x @ m, "matmul_1d": lambda L, x, v, m, b, i: v @ v,
    "matmul_mv": lambda L, x, v, m, b, i: x @ v, "matmul_3d2d": lambda L, x, v, m, b, i: b @ m,
    "linear": lambda L, x, v, m, b, i: L.nn.functional.linear(x, m.t()),
    "linear_bias": lambda L, x, v, m, b, i: L.nn.functional.linear(x, m.t(), m[0]),
    "linear_3d": lambda L, x, v, m, b, i: L.nn.functional.linear(b, m.t()),
    "linear_3d_bias": lambda L, x, v, m, b, i: L.nn.functional.linear(b, m.t(), m[0]),
    "linear_1d_bias": lambda L, x, v, m, b, i: L.nn.functional.linear(v, m.t(), m[0]),
    "mse": lambda L, x, v, m, b, i: L.nn.functional.mse_loss(x, L.zeros(3, 4)),
    "mse_sum": lambda L, x, v, m, b, i: L.nn.functional.mse_loss(x, L.zeros(3, 4),
                                                                 reduction="sum"),
    "l1": lambda L, x, v, m, b, i: L.nn.functional.l1_loss(x, L.zeros(3, 4)),
    "bce_logits": lambda L, x, v, m, b, i: L.nn.functional.binary_cross_entropy_with_logits(
        x, L.zeros(3, 4)),
    "bce": lambda L, x, v, m, b, i: L.nn.functional.binary_cross_entropy(x.sigmoid(),
                                                                         L.zeros(3, 4)),
    "cross_entropy": lambda L, x, v, m, b, i: L.nn.functional.cross_entropy(
        x, L.tensor([0, 1, 2])),
    "batch_norm": lambda L, x, v, m, b, i: L.nn.functional.batch_norm(x, None, None,
                                                                      training=True),
    "layer_norm": lambda L, x, v, m, b, i: L.nn.functional.layer_norm(x, (4,)),
    "log_softmax": lambda L, x, v, m, b, i: L.nn.functional.log_softmax(x, 1),
    "to_double": lambda L, x, v, m, b, i: x.double(),
    "setitem_basic": lambda L, x, v, m, b, i: _set(x * 1, 0),
    "setitem_slice": lambda L, x, v, m, b, i: _set(x * 1, (slice(None), 1)),
    "setitem_advanced": lambda L, x, v, m, b, i: _set(x * 1, i),
    "setitem_mask": lambda L, x, v, m, b, i: _set(x * 1, x > 0),
    "median": lambda L, x, v, m, b, i: x.median(),
    "median_dim": lambda L, x, v, m, b, i: x.median(1).values,
    "nanmedian": lambda L, x, v, m, b, i: x.nanmedian(),
    "nanmedian_dim": lambda L, x, v, m, b, i: x.nanmedian(0, keepdim=True).values,
    "dropout": lambda L, x, v, m, b, i: L.nn.functional.dropout(x, 0.5),
    "dropout2d": lambda L, x, v, m, b, i: L.nn.functional.dropout2d(b[None], 0.5),
    "alpha_dropout": lambda L, x, v, m, b, i: L.nn.functional.alpha_dropout(x, 0.5, True),
    "rrelu": lambda L, x, v, m, b, i: L.nn.functional.rrelu(x, training=True),
}


def _set(y, index):
    y[index] = 0.5
    return y


def _inputs(lib):
    rng = np.random.default_rng(0)

    def make(*shape):
        return lib.tensor(rng.standard_normal(shape).astype(np.float32), requires_grad=True)
    return make(3, 4), make(4), make(4, 5), make(2, 3, 4), lib.tensor([0, 2])


@pytest.mark.parametrize("op", sorted(OPS))
def test_grad_fn_name_matches_torch(op):
    e, t = OPS[op](ember, *_inputs(ember)), OPS[op](torch, *_inputs(torch))
    assert (type(e.grad_fn).__name__, e.grad_fn.name()) == \
        (type(t.grad_fn).__name__, t.grad_fn.name())


@pytest.mark.parametrize("op", ["rdiv", "std_dim", "max_dim", "linear_3d", "mse", "pow_tensor",
                                "median", "median_dim", "nanmedian"])
def test_renamed_nodes_keep_their_gradients(op):
    outs = {}
    for lib in (ember, torch):
        ins = _inputs(lib)
        y = OPS[op](lib, *ins)
        (g,) = lib.autograd.grad(y.sum(), [ins[0] if op != "linear_3d" else ins[3]])
        outs[lib.__name__] = g.detach().numpy()
    np.testing.assert_allclose(outs["ember"], outs["torch"], rtol=1e-4, atol=1e-5)


def test_node_classes_print_as_torch_builtins():
    def shown(lib):
        x = lib.ones(2, requires_grad=True)
        y = (x * 2).sum()
        return str(type(y.grad_fn)), str(type(y.grad_fn.next_functions[0][0].next_functions[0][0]))
    assert shown(ember) == shown(torch)
