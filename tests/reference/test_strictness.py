"""Where PyTorch refuses a beginner's mistake, ember refuses it the same way.

Each case runs against real torch: same exception type and first message line (or, where
Python itself builds the message, the same text), so code that works on ember also works
on torch.
"""
from __future__ import annotations

import operator
import warnings

import numpy as np
import pytest

torch = pytest.importorskip("torch", reason="differential tests need PyTorch as the reference")

import ember  # noqa: E402
from ember._argtypes import type_name  # noqa: E402
from helpers import check_error  # noqa: E402

F, TF = ember.nn.functional, torch.nn.functional


def _raised(fn):
    """(exception type name, message) of ``fn()``; fails the test when nothing is raised."""
    with pytest.raises(Exception) as info:
        fn()
    return type(info.value).__name__, str(info.value).splitlines()[0]


def _same_failure(make):
    """``make(lib)`` raises the same on ember and torch."""
    assert _raised(lambda: make(ember)) == _raised(lambda: make(torch))


ARRAY = np.ones((2, 3), dtype=np.float32)
LAYERS = {
    "Linear": lambda nn: nn.Linear(3, 2),
    "Sequential": lambda nn: nn.Sequential(nn.Linear(3, 2), nn.ReLU()),
    "ReLU": lambda nn: nn.ReLU(),
    "Tanh": lambda nn: nn.Tanh(),
    "Dropout": lambda nn: nn.Dropout(),
    "MaxPool1d": lambda nn: nn.MaxPool1d(1),
    "LayerNorm": lambda nn: nn.LayerNorm(3),
    "Embedding": lambda nn: nn.Embedding(3, 2),
    "Softmax": lambda nn: nn.Softmax(dim=1),
}


@pytest.mark.parametrize("data", [ARRAY, ARRAY.tolist()], ids=["ndarray", "list"])
@pytest.mark.parametrize("layer", sorted(LAYERS))
def test_layer_refuses_arrays_and_lists(layer, data):
    _same_failure(lambda lib: LAYERS[layer](lib.nn)(data))


FUNCTIONALS = {
    "linear": lambda F, t: F.linear(ARRAY, t(np.ones((2, 3), np.float32))),
    "linear_weight": lambda F, t: F.linear(t(ARRAY), np.ones((2, 3), np.float32)),
    "relu": lambda F, t: F.relu(ARRAY),
    "gelu": lambda F, t: F.gelu(ARRAY),
    "dropout": lambda F, t: F.dropout(ARRAY),
    "max_pool2d": lambda F, t: F.max_pool2d(np.ones((1, 1, 4, 4)), 2),
    "layer_norm": lambda F, t: F.layer_norm(ARRAY, (3,)),
    "softmax": lambda F, t: F.softmax(ARRAY, dim=1),
    "log_softmax": lambda F, t: F.log_softmax(ARRAY, dim=1),
    "cross_entropy": lambda F, t: F.cross_entropy(ARRAY, t(np.zeros(2, np.int64))),
    "cross_entropy_target": lambda F, t: F.cross_entropy(t(ARRAY), np.zeros(2, np.int64)),
    "nll_loss": lambda F, t: F.nll_loss(ARRAY, t(np.zeros(2, np.int64))),
    "one_hot": lambda F, t: F.one_hot(np.zeros(2, np.int64)),
    "pad": lambda F, t: F.pad(ARRAY, (1, 1)),
    "embedding": lambda F, t: F.embedding(np.zeros(2, np.int64), t(ARRAY)),
    "embedding_weight": lambda F, t: F.embedding(t(np.zeros(2, np.int64)), ARRAY),
}


@pytest.mark.parametrize("case", sorted(FUNCTIONALS))
def test_functional_refuses_arrays(case):
    check_error(lambda: FUNCTIONALS[case](F, ember.from_numpy),
                lambda: FUNCTIONALS[case](TF, torch.from_numpy))


@pytest.mark.parametrize("name", ["mse_loss", "binary_cross_entropy", "l1_loss"])
def test_loss_refuses_arrays(name):
    # torch's own message here is an accident of its code ("'int' object is not callable")
    def make(lib):
        return getattr(lib.nn.functional, name)(ARRAY, lib.full((2, 3), 0.5))
    assert _raised(lambda: make(ember))[0] == _raised(lambda: make(torch))[0] == "TypeError"


def test_functional_checks_keyword_tensors_too():
    check_error(lambda: F.linear(input=ARRAY, weight=ember.ones(2, 3)),
                lambda: TF.linear(input=ARRAY, weight=torch.ones(2, 3)))


def test_type_names_follow_torch():
    assert [type_name(x) for x in (ARRAY, [], 1.0, np.float64(1), ember.ones(1))] == \
        ["numpy.ndarray", "list", "float", "numpy.float64", "Tensor"]


def test_warning_from_functional_points_at_the_caller():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        F.mse_loss(ember.ones(3), ember.ones(3, 1))
    assert [w.filename for w in caught] == [__file__]


# -- NumPy meeting a tensor ------------------------------------------------------------------
@pytest.mark.parametrize("fn", [np.array, np.asarray, np.exp, lambda t: np.stack([t, t]),
                                lambda t: np.ones(3) + t.numpy(force=True) * 0 + np.asarray(t)],
                         ids=["array", "asarray", "exp", "stack", "mixed"])
def test_numpy_refuses_a_tensor_that_requires_grad(fn):
    _same_failure(lambda lib: fn(lib.ones(3, requires_grad=True)))


def test_matplotlib_refuses_a_tensor_that_requires_grad():
    matplotlib = pytest.importorskip("matplotlib", reason="needs matplotlib")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    try:
        _same_failure(lambda lib: plt.plot(lib.ones(3, requires_grad=True)))
    finally:
        plt.close("all")


def test_numpy_function_of_a_tensor_gives_a_tensor():
    for lib in (ember, torch):
        out = np.exp(lib.zeros(2))
        assert type(out) is lib.Tensor and out.tolist() == [1.0, 1.0]
        assert str(np.greater(lib.ones(2), 0).dtype).endswith("uint8")


BINARY = {"add": operator.add, "sub": operator.sub, "mul": operator.mul,
          "floordiv": operator.floordiv, "mod": operator.mod, "pow": operator.pow,
          "matmul": operator.matmul, "lt": operator.lt, "ge": operator.ge,
          "and": operator.and_, "lshift": operator.lshift}


@pytest.mark.parametrize("op", sorted(BINARY))
def test_ndarray_on_the_left_is_refused(op):
    def make(lib):
        dt = lib.int64 if op in ("and", "lshift") else lib.float32
        return BINARY[op](np.ones(3, dtype=str(dt).rsplit(".")[-1]), lib.ones(3, dtype=dt))
    _same_failure(make)


@pytest.mark.parametrize("op", ["truediv", "eq", "ne", "mul_scalar", "matmul_right"])
def test_numpy_operands_torch_accepts(op):
    cases = {"truediv": lambda lib: np.ones(3, np.float32) / lib.ones(3),
             "eq": lambda lib: np.ones(3, np.float32) == lib.ones(3),
             "ne": lambda lib: np.ones(3, np.float32) != lib.ones(3),
             "mul_scalar": lambda lib: np.float64(2) * lib.ones(3),
             "matmul_right": lambda lib: lib.ones(2, 3) @ np.ones(3, np.float32)}
    e, t = cases[op](ember), cases[op](torch)
    assert type(e).__name__ == type(t).__name__
    if isinstance(t, torch.Tensor):
        assert str(e.dtype) == str(t.dtype) and e.tolist() == t.tolist()
    else:
        assert e == t


# -- Python number conversions and tensor() ---------------------------------------------------
@pytest.mark.parametrize("convert", [float, int, complex])
def test_number_of_a_multi_element_tensor(convert):
    check_error(lambda x: convert(x), lambda x: convert(x), np.ones(3, np.float32))


def _warnings_of(fn):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fn()
    return [(w.category, str(w.message).split(" (Triggered internally")[0]) for w in caught]


def test_tensor_of_a_tensor_warns():
    for make in (lambda lib: lib.tensor(lib.ones(2, requires_grad=True)),
                 lambda lib: lib.tensor(lib.ones(2)),
                 lambda lib: lib.ones(2).new_tensor(lib.ones(2)),
                 lambda lib: lib.asarray(lib.ones(2), copy=True),
                 lambda lib: lib.as_tensor(lib.ones(2, requires_grad=True))):
        assert _warnings_of(lambda: make(ember)) == _warnings_of(lambda: make(torch))


def test_float_of_a_tensor_that_requires_grad_warns():
    ember._tensor._WARNED_ONCE.clear()
    got = _warnings_of(lambda: float(ember.ones(1, requires_grad=True)))
    assert got == [(UserWarning, "Converting a tensor with requires_grad=True to a scalar may "
                                 "lead to unexpected behavior.\nConsider using tensor.detach() "
                                 "first.")]


# -- loss targets -----------------------------------------------------------------------------
LOSSES = {
    "bce_logits_long": lambda F, lib: F.binary_cross_entropy_with_logits(
        lib.zeros(4), lib.tensor([0, 1, 1, 0])),
    "bce_logits_bool": lambda F, lib: F.binary_cross_entropy_with_logits(
        lib.zeros(4), lib.tensor([False, True, True, False])),
    "bce_logits_module": lambda F, lib: lib.nn.BCEWithLogitsLoss()(
        lib.zeros(4, dtype=lib.float64), lib.tensor([0, 1, 1, 0])),
    "bce_long": lambda F, lib: F.binary_cross_entropy(lib.full((4,), 0.5),
                                                      lib.tensor([0, 1, 1, 0])),
    "bce_double": lambda F, lib: F.binary_cross_entropy(lib.full((4,), 0.5),
                                                        lib.ones(4, dtype=lib.float64)),
    "mse_long": lambda F, lib: F.mse_loss(lib.tensor([1, 2]), lib.tensor([1, 3])),
    "cross_entropy_one_hot": lambda F, lib: F.cross_entropy(
        lib.zeros(4, 3), F.one_hot(lib.tensor([0, 1, 2, 0]), 3)),
    "cross_entropy_one_hot_int": lambda F, lib: F.cross_entropy(
        lib.zeros(4, 3), F.one_hot(lib.tensor([0, 1, 2, 0]), 3).int()),
    "kl_div_long": lambda F, lib: F.kl_div(lib.zeros(3), lib.tensor([0, 1, 1]),
                                           reduction="sum"),
}


@pytest.mark.parametrize("case", sorted(LOSSES))
def test_loss_refuses_target_dtype(case):
    check_error(lambda: LOSSES[case](F, ember), lambda: LOSSES[case](TF, torch))


# -- a real PyTorch tensor reaching ember -----------------------------------------------------
@pytest.mark.parametrize("call", [
    lambda t: ember.nn.Linear(2, 2)(t),
    lambda t: F.relu(t),
    lambda t: ember.sigmoid(t),
    lambda t: ember.ones(2) + t,
    lambda t: ember.cat([ember.ones(2), t]),
    lambda t: ember.optim.SGD([torch.nn.Parameter(t)], lr=0.1),
], ids=["layer", "functional", "op", "add", "cat", "optimizer"])
def test_real_torch_tensor_names_the_mix_up(call):
    with pytest.raises(TypeError, match=r"real PyTorch tensor.*python -m ember\.run"):
        call(torch.ones(2, 2))


# -- the optimizer's printed form -------------------------------------------------------------
@pytest.mark.parametrize("name", ["SGD", "Adam", "AdamW", "RMSprop", "Adagrad", "Adadelta",
                                  "Adamax", "NAdam", "RAdam", "Rprop", "ASGD", "Adafactor",
                                  "LBFGS"])
def test_optimizer_repr(name):
    def reprs(lib):
        cls = getattr(lib.optim, name)
        p, q = lib.nn.Parameter(lib.ones(2)), lib.nn.Parameter(lib.ones(1))
        out = [repr(cls([p], lr=0.25))]
        if name != "LBFGS":  # it takes one group only
            out.append(repr(cls([{"params": [p]}, {"params": [q], "lr": 0.5}], lr=0.1)))
        return out
    assert reprs(ember) == reprs(torch)


# -- calling a layer with the wrong arguments ---------------------------------------------------
@pytest.mark.parametrize("layer", ["ReLU", "Tanh", "Dropout", "Linear", "MSELoss",
                                   "BatchNorm1d", "LSTM"])
def test_layer_called_with_too_many_arguments(layer):
    args = {"Linear": (1, 1), "BatchNorm1d": (2,), "LSTM": (1, 1)}.get(layer, ())
    _same_failure(lambda lib: getattr(lib.nn, layer)(*args)(lib.ones(1, 1), 1, 2))


def test_every_layer_names_its_forward_as_torch():
    def qualnames(nn):
        return {n: c.forward.__qualname__ for n, c in vars(nn).items()
                if isinstance(c, type) and issubclass(c, nn.Module) and not n.startswith("_")}
    ours, theirs = qualnames(ember.nn), qualnames(torch.nn)
    shared = sorted(set(ours) & set(theirs) - {"RNNBase"})  # ember's base runs the layers
    assert len(shared) > 100
    assert {n: ours[n] for n in shared} == {n: theirs[n] for n in shared}


def test_writing_into_a_tensor_scaled_by_a_number_keeps_its_graph():
    # torch saves only the number for ``2 * t``, so a later write into t is no error
    def grad(lib):
        x = lib.ones(3, 4, requires_grad=True)
        y = x * 1
        y[0] = 2 * y[1]
        y.sum().backward()
        return x.grad.tolist()
    assert grad(ember) == grad(torch)


# -- dtype arguments and torch.* functions ------------------------------------------------------
@pytest.mark.parametrize("make", [
    lambda lib: lib.zeros(2, dtype="float32"),
    lambda lib: lib.ones(2, dtype=np.float32),
    lambda lib: lib.tensor([1], dtype="float32"),
    lambda lib: lib.full((2,), 1.0, dtype="float32"),
    lambda lib: lib.ones_like(lib.ones(1), dtype=np.float32),
], ids=["zeros", "ones", "tensor", "full", "ones_like"])
def test_factory_refuses_a_numpy_or_string_dtype(make):
    check_error(lambda: make(ember), lambda: make(torch))


@pytest.mark.parametrize("kind", [float, complex, int, bool])
def test_python_type_as_dtype(kind):
    assert str(ember.zeros(1, dtype=kind).dtype) == str(torch.zeros(1, dtype=kind).dtype)
    assert str(ember.ones(1).to(kind).dtype) == str(torch.ones(1).to(kind).dtype)


@pytest.mark.parametrize("name", ["sum", "mean", "max", "zeros_like", "ones_like", "exp",
                                  "flatten", "softmax"])
@pytest.mark.parametrize("data", [np.ones(2, np.float32), [1.0, 2.0]], ids=["ndarray", "list"])
def test_torch_function_refuses_arrays(name, data):
    args = (0,) if name == "softmax" else ()
    check_error(lambda: getattr(ember, name)(data, *args),
                lambda: getattr(torch, name)(data, *args))
