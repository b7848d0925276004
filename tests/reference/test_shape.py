"""Shape and view operations against PyTorch: values, dtypes, shapes, gradients, errors."""
import warnings

import numpy as np
import pytest

torch = pytest.importorskip("torch", reason="differential tests need PyTorch as the reference")

import ember  # noqa: E402
from hypothesis import given, settings, strategies as st  # noqa: E402
from hypothesis.extra import numpy as hnp  # noqa: E402
from helpers import check_error, check_op, gradcheck_op, to_ember, to_torch  # noqa: E402

RNG = np.random.default_rng(0)


def arr(*shape, dtype=np.float32):
    return RNG.standard_normal(shape).astype(dtype)


# each case: (id, f(module, *tensors), input arrays); f runs once with torch, once with ember
CASES = [
    ("view", lambda m, x: x.view(4, 6), [arr(2, 3, 4)]),
    ("view_infer", lambda m, x: x.view(-1, 3), [arr(2, 3, 4)]),
    ("view_tuple", lambda m, x: x.view((6, 4)), [arr(2, 3, 4)]),
    ("view_as", lambda m, x, y: x.view_as(y), [arr(2, 6), arr(3, 4)]),
    ("view_0d", lambda m, x: x.view(1, 1), [arr()]),
    ("reshape_copy", lambda m, x: x.t().reshape(-1), [arr(3, 4)]),
    ("reshape_view", lambda m, x: x.reshape(3, 8), [arr(2, 3, 4)]),
    ("reshape_as", lambda m, x, y: x.reshape_as(y), [arr(2, 6), arr(4, 3)]),
    ("ravel", lambda m, x: m.ravel(x.transpose(0, 1)), [arr(2, 3)]),
    ("permute", lambda m, x: x.permute(2, 0, 1), [arr(2, 3, 4)]),
    ("permute_neg", lambda m, x: m.permute(x, (-1, 0, 1)), [arr(2, 3, 4)]),
    ("transpose", lambda m, x: x.transpose(0, 2), [arr(2, 3, 4)]),
    ("swapaxes", lambda m, x: m.swapaxes(x, -1, 0), [arr(2, 3, 4)]),
    ("t", lambda m, x: x.t(), [arr(3, 4)]),
    ("t_1d", lambda m, x: m.t(x), [arr(3)]),
    ("T", lambda m, x: x.T, [arr(3, 4)]),
    ("mT", lambda m, x: x.mT, [arr(2, 3, 4)]),
    ("squeeze_all", lambda m, x: x.squeeze(), [arr(1, 3, 1, 2)]),
    ("squeeze_dim", lambda m, x: x.squeeze(2), [arr(1, 3, 1, 2)]),
    ("squeeze_noop", lambda m, x: x.squeeze(1), [arr(1, 3, 1, 2)]),
    ("squeeze_dims", lambda m, x: m.squeeze(x, (0, 2)), [arr(1, 3, 1, 2)]),
    ("unsqueeze", lambda m, x: x.unsqueeze(1), [arr(2, 3)]),
    ("unsqueeze_neg", lambda m, x: x.unsqueeze(-1), [arr(2, 3)]),
    ("flatten", lambda m, x: x.flatten(), [arr(2, 3, 4)]),
    ("flatten_range", lambda m, x: m.flatten(x, 1, 2), [arr(2, 3, 4, 5)]),
    ("flatten_0d", lambda m, x: x.flatten(), [arr()]),
    ("unflatten", lambda m, x: x.unflatten(1, (3, -1)), [arr(2, 12)]),
    ("expand", lambda m, x: x.expand(2, 3, 4), [arr(3, 1)]),
    ("expand_keep", lambda m, x: x.expand(-1, 4), [arr(3, 1)]),
    ("expand_as", lambda m, x, y: x.expand_as(y), [arr(1, 4), arr(3, 4)]),
    ("broadcast_to", lambda m, x: m.broadcast_to(x, (2, 3, 4)), [arr(4)]),
    ("repeat", lambda m, x: x.repeat(2, 1, 3), [arr(3, 2)]),
    ("repeat_zero", lambda m, x: x.repeat(0, 2), [arr(3, 2)]),
    ("tile", lambda m, x: x.tile((2,)), [arr(3, 2)]),
    ("tile_more", lambda m, x: m.tile(x, (2, 1, 2)), [arr(3, 2)]),
    ("repeat_interleave", lambda m, x: x.repeat_interleave(2, dim=1), [arr(2, 3)]),
    ("repeat_interleave_flat", lambda m, x: m.repeat_interleave(x, 3), [arr(2, 2)]),
    ("repeat_interleave_tensor",
     lambda m, x: x.repeat_interleave(m.tensor([1, 0, 2]), dim=0), [arr(3, 2)]),
    ("chunk", lambda m, x: x.chunk(3, 1), [arr(2, 7)]),
    ("chunk_fewer", lambda m, x: m.chunk(x, 4), [arr(6)]),
    ("split_int", lambda m, x: x.split(2, 1), [arr(2, 5)]),
    ("split_sizes", lambda m, x: m.split(x, [1, 3, 1], 1), [arr(2, 5)]),
    ("tensor_split_n", lambda m, x: m.tensor_split(x, 3), [arr(7, 2)]),
    ("tensor_split_idx", lambda m, x: x.tensor_split([1, 4], dim=1), [arr(2, 6)]),
    ("unbind", lambda m, x: x.unbind(1), [arr(2, 3)]),
    ("cat", lambda m, x, y: m.cat([x, y], 1), [arr(2, 3), arr(2, 1)]),
    ("cat_neg", lambda m, x, y: m.cat((x, y), -1), [arr(2, 3), arr(2, 2)]),
    ("cat_legacy_empty", lambda m, x, y: m.cat([x, y]), [arr(2, 3), arr(0)]),
    ("concat", lambda m, x, y: m.concat([x, y]), [arr(2, 3), arr(1, 3)]),
    ("concatenate", lambda m, x, y: m.concatenate([x, y], 1), [arr(2, 3), arr(2, 3)]),
    ("cat_promotes", lambda m, x, y: m.cat([x, y.long()]), [arr(2), arr(3)]),
    ("cat_int", lambda m, x, y: m.cat([x, y]), [np.arange(3), np.arange(2)]),
    ("stack", lambda m, x, y: m.stack([x, y]), [arr(2, 3), arr(2, 3)]),
    ("stack_last", lambda m, x, y: m.stack([x, y], -1), [arr(2, 3), arr(2, 3)]),
    ("hstack_1d", lambda m, x, y: m.hstack([x, y]), [arr(2), arr(3)]),
    ("hstack_2d", lambda m, x, y: m.hstack([x, y]), [arr(2, 2), arr(2, 3)]),
    ("vstack", lambda m, x, y: m.vstack([x, y]), [arr(3), arr(2, 3)]),
    ("dstack", lambda m, x, y: m.dstack([x, y]), [arr(3), arr(3)]),
    ("column_stack", lambda m, x, y: m.column_stack([x, y]), [arr(3), arr(3, 2)]),
    ("flip", lambda m, x: x.flip(0, 2), [arr(2, 3, 4)]),
    ("flip_neg", lambda m, x: m.flip(x, [-1]), [arr(2, 3)]),
    ("fliplr", lambda m, x: x.fliplr(), [arr(2, 3)]),
    ("flipud", lambda m, x: m.flipud(x), [arr(2, 3)]),
    ("roll_flat", lambda m, x: x.roll(2), [arr(2, 3)]),
    ("roll_dims", lambda m, x: m.roll(x, (1, -2), (0, 1)), [arr(3, 4)]),
    ("narrow", lambda m, x: x.narrow(1, 1, 2), [arr(2, 4)]),
    ("narrow_neg", lambda m, x: m.narrow(x, 0, -2, 2), [arr(3, 4)]),
    ("movedim", lambda m, x: x.movedim(0, 2), [arr(2, 3, 4)]),
    ("movedim_many", lambda m, x: m.movedim(x, (0, 1), (2, 0)), [arr(2, 3, 4)]),
    ("moveaxis", lambda m, x: m.moveaxis(x, -1, 0), [arr(2, 3, 4)]),
    ("select", lambda m, x: x.select(1, -1), [arr(2, 3, 4)]),
    ("select_1d", lambda m, x: m.select(x, 0, 1), [arr(3)]),
    ("atleast_1d", lambda m, x: m.atleast_1d(x), [arr()]),
    ("atleast_2d", lambda m, x: m.atleast_2d(x), [arr(3)]),
    ("atleast_3d_1d", lambda m, x: m.atleast_3d(x), [arr(3)]),
    ("atleast_3d_2d", lambda m, x: m.atleast_3d(x), [arr(2, 3)]),
    ("atleast_many", lambda m, x, y: m.atleast_2d([x, y]), [arr(), arr(2, 3)]),
    ("diagonal", lambda m, x: x.diagonal(), [arr(3, 4)]),
    ("diagonal_offset", lambda m, x: m.diagonal(x, 1, 1, 2), [arr(2, 3, 4)]),
    ("diagonal_neg", lambda m, x: x.diagonal(-1, 2, 0), [arr(3, 2, 4)]),
    ("diagonal_empty", lambda m, x: x.diagonal(5), [arr(3, 4)]),
    ("diag_1d", lambda m, x: m.diag(x), [arr(3)]),
    ("diag_1d_offset", lambda m, x: m.diag(x, -2), [arr(3)]),
    ("diag_2d", lambda m, x: m.diag(x, 1), [arr(3, 4)]),
    ("diag_embed", lambda m, x: m.diag_embed(x), [arr(2, 3)]),
    ("diag_embed_dims", lambda m, x: m.diag_embed(x, 1, 0, 2), [arr(2, 3)]),
    ("tril", lambda m, x: x.tril(), [arr(3, 4)]),
    ("tril_k", lambda m, x: m.tril(x, -1), [arr(2, 3, 4)]),
    ("triu", lambda m, x: x.triu(1), [arr(4, 3)]),
    ("meshgrid_ij", lambda m, x, y: m.meshgrid(x, y, indexing="ij"), [arr(2), arr(3)]),
    ("meshgrid_xy", lambda m, x, y: m.meshgrid([x, y], indexing="xy"), [arr(2), arr(3)]),
    ("clone", lambda m, x: x.clone(), [arr(2, 3)]),
    ("contiguous", lambda m, x: x.t().contiguous(), [arr(2, 3)]),
    ("expand_copy", lambda m, x: m.expand_copy(x, (2, 3)), [arr(3)]),
    ("adjoint", lambda m, x: m.adjoint(x), [arr(2, 3)]),
]


@pytest.mark.parametrize("name,fn,inputs", CASES, ids=[c[0] for c in CASES])
def test_matches_torch(name, fn, inputs):
    check_op(lambda *a: fn(ember, *a), lambda *a: fn(torch, *a), *inputs)


# the ops whose derivative we check by finite differences (first and second order)
GRAD_CASES = [c for c in CASES if c[0] not in {"cat_int", "cat_promotes", "repeat_zero",
                                                "diagonal_empty", "cat_legacy_empty"}]


@pytest.mark.parametrize("name,fn,inputs", GRAD_CASES, ids=[c[0] for c in GRAD_CASES])
def test_gradcheck(name, fn, inputs):
    gradcheck_op(lambda *a: fn(ember, *a), *inputs)


GRAD_FN_CASES = [
    ("view", lambda x: x.view(-1)), ("reshape_view", lambda x: x.reshape(4, 6)),
    ("reshape_copy", lambda x: x.transpose(0, 1).reshape(-1)),
    ("permute", lambda x: x.permute(1, 0, 2)), ("transpose", lambda x: x.transpose(0, 1)),
    ("t", lambda x: x[0].t()), ("expand", lambda x: x.expand(2, 2, 3, 4)),
    ("squeeze", lambda x: x.squeeze()), ("squeeze_dim", lambda x: x.squeeze(0)),
    ("unsqueeze", lambda x: x.unsqueeze(0)), ("narrow", lambda x: x.narrow(0, 0, 1)),
    ("select", lambda x: x.select(0, 0)), ("unbind", lambda x: x.unbind(0)[0]),
    ("split", lambda x: x.split(1)[0]), ("split_sizes", lambda x: x.split([1, 1])[0]),
    ("cat", lambda x: torch_or(x).cat([x, x])), ("stack", lambda x: torch_or(x).stack([x, x])),
    ("flip", lambda x: x.flip(0)), ("roll", lambda x: x.roll(1)),
    ("repeat", lambda x: x.repeat(1, 1, 2)), ("diagonal", lambda x: x.diagonal()),
    ("diag_embed", lambda x: torch_or(x).diag_embed(x)), ("tril", lambda x: x.tril()),
    ("triu", lambda x: x.triu()), ("clone", lambda x: x.clone()),
    ("movedim", lambda x: x.movedim(0, 1)), ("unflatten", lambda x: x.unflatten(2, (2, 2))),
]


def torch_or(x):
    return torch if isinstance(x, torch.Tensor) else ember


@pytest.mark.parametrize("name,fn", GRAD_FN_CASES, ids=[c[0] for c in GRAD_FN_CASES])
def test_grad_fn_name_matches_torch(name, fn):
    x = arr(2, 3, 4)
    e = fn(to_ember(x, True))
    t = fn(to_torch(x, True))
    assert type(e.grad_fn).__name__ == type(t.grad_fn).__name__


def test_flatten_same_dims_returns_input():
    x = ember.zeros(2, 3)
    assert x.flatten(1, 1) is x


def test_contiguous_returns_self_when_contiguous():
    x = ember.zeros(2, 3)
    assert x.contiguous() is x


def test_clone_preserves_transposed_layout_like_torch():
    x = arr(3, 4)
    assert to_ember(x).t().clone().stride() == to_torch(x).t().clone().stride()


def test_clone_contiguous_format_gives_row_major():
    e = to_ember(arr(3, 4)).t().clone(memory_format=ember.contiguous_format) \
        if hasattr(ember, "contiguous_format") else to_ember(arr(3, 4)).t().contiguous()
    assert e.is_contiguous()


def test_meshgrid_without_indexing_warns_and_uses_ij():
    a, b = ember.arange(2), ember.arange(3)
    with pytest.warns(UserWarning, match="indexing"):
        gx, gy = ember.meshgrid(a, b)
    assert tuple(gx.shape) == (2, 3)


def test_view_dtype_reinterprets_bits():
    x = np.array([1.0, -2.0], dtype=np.float32)
    e = to_ember(x).view(ember.int32)
    t = to_torch(x).view(torch.int32)
    assert e.tolist() == t.tolist() and e.dtype == ember.int32


def test_cat_out_argument_is_written():
    out = ember.empty(4)
    r = ember.cat([ember.ones(2), ember.zeros(2)], out=out)
    assert r is out and out.tolist() == [1, 1, 0, 0]


def test_squeeze_inplace_changes_shape():
    x = ember.zeros(1, 3, 1)
    assert x.squeeze_() is x and tuple(x.shape) == (3,)


def test_unsqueeze_inplace_changes_shape():
    x = ember.zeros(3)
    x.unsqueeze_(0)
    assert tuple(x.shape) == (1, 3)


def test_transpose_inplace_on_graph_tensor_backprops():
    x = ember.tensor([[1.0, 2.0, 3.0]], requires_grad=True)
    y = x * 1
    y.t_()
    (y * ember.tensor([[1.0], [2.0], [3.0]])).sum().backward()
    assert x.grad.tolist() == [[1.0, 2.0, 3.0]]


def test_tril_inplace():
    x = ember.ones(3, 3)
    x.tril_()
    assert x.tolist() == torch.ones(3, 3).tril().tolist()


# hypothesis-drawn shapes
@st.composite
def shape_and_perm(draw):
    shape = draw(hnp.array_shapes(min_dims=1, max_dims=4, max_side=4))
    perm = draw(st.permutations(range(len(shape))))
    return shape, tuple(perm)


@settings(max_examples=25, deadline=None)
@given(shape_and_perm())
def test_permute_then_reshape_any_shape(sp):
    shape, perm = sp
    x = RNG.standard_normal(shape).astype(np.float32)
    check_op(lambda a: a.permute(*perm).reshape(-1), lambda a: a.permute(*perm).reshape(-1), x)


@settings(max_examples=25, deadline=None)
@given(hnp.array_shapes(min_dims=1, max_dims=4, max_side=4), st.data())
def test_cat_and_stack_any_shape(shape, data):
    dim = data.draw(st.integers(-len(shape), len(shape) - 1))
    x = RNG.standard_normal(shape).astype(np.float32)
    y = RNG.standard_normal(shape).astype(np.float32)
    check_op(lambda a, b: ember.cat([a, b], dim), lambda a, b: torch.cat([a, b], dim), x, y)
    check_op(lambda a, b: ember.stack([a, b], dim), lambda a, b: torch.stack([a, b], dim), x, y)


@settings(max_examples=25, deadline=None)
@given(hnp.array_shapes(min_dims=1, max_dims=3, max_side=5), st.data())
def test_split_and_chunk_any_shape(shape, data):
    dim = data.draw(st.integers(0, len(shape) - 1))
    size = data.draw(st.integers(1, 4))
    x = RNG.standard_normal(shape).astype(np.float32)
    check_op(lambda a: a.split(size, dim), lambda a: a.split(size, dim), x)
    check_op(lambda a: a.chunk(size, dim), lambda a: a.chunk(size, dim), x)


@settings(max_examples=25, deadline=None)
@given(hnp.array_shapes(min_dims=0, max_dims=3, max_side=3), st.data())
def test_expand_and_repeat_any_shape(shape, data):
    lead = data.draw(st.integers(0 if shape else 1, 2))
    target = tuple(data.draw(st.integers(1, 3)) if s == 1 else s for s in shape)
    reps = tuple(data.draw(st.integers(1, 3)) for _ in range(len(shape) + lead))
    x = RNG.standard_normal(shape).astype(np.float32)
    check_op(lambda a: a.expand((2,) * lead + target), lambda a: a.expand((2,) * lead + target),
             x)
    check_op(lambda a: a.repeat(*reps), lambda a: a.repeat(*reps), x)


# errors: same type and message as PyTorch
ERRORS = [
    ("view_stride", lambda m, x: x.t().view(-1), [arr(3, 4)]),
    ("view_size", lambda m, x: x.view(5, 5), [arr(2, 3, 4)]),
    ("view_two_infer", lambda m, x: x.view(-1, -1), [arr(2, 3)]),
    ("view_bad_dim", lambda m, x: x.view(-2, 3), [arr(2, 3)]),
    ("view_infer_zero", lambda m, x: x.view(-1, 0), [arr(2, 3)]),
    ("reshape_size", lambda m, x: x.reshape(5, -1), [arr(2, 3)]),
    ("permute_len", lambda m, x: x.permute(0, 1), [arr(2, 3, 4)]),
    ("permute_dup", lambda m, x: x.permute(0, 1, 1), [arr(2, 3, 4)]),
    ("transpose_range", lambda m, x: x.transpose(0, 3), [arr(2, 3, 4)]),
    ("t_3d", lambda m, x: x.t(), [arr(2, 3, 4)]),
    ("squeeze_range", lambda m, x: x.squeeze(3), [arr(2, 3, 4)]),
    ("unsqueeze_range", lambda m, x: x.unsqueeze(4), [arr(2, 3, 4)]),
    ("flatten_order", lambda m, x: x.flatten(2, 1), [arr(2, 3, 4)]),
    ("unflatten_sizes", lambda m, x: x.unflatten(1, (2, 2)), [arr(2, 3)]),
    ("expand_mismatch", lambda m, x: x.expand(3, 3, 4), [arr(2, 3, 4)]),
    ("expand_too_few", lambda m, x: x.expand(2, 3), [arr(2, 3, 4)]),
    ("expand_leading_neg", lambda m, x: x.expand(-1, 2, 3), [arr(2, 3)]),
    ("repeat_too_few", lambda m, x: x.repeat(2), [arr(2, 3)]),
    ("chunk_zero", lambda m, x: x.chunk(0), [arr(2, 3)]),
    ("split_sum", lambda m, x: x.split([1, 1], 1), [arr(2, 3)]),
    ("split_zero", lambda m, x: x.split(0, 1), [arr(2, 3)]),
    ("split_negative", lambda m, x: x.split(-1, 1), [arr(2, 3)]),
    ("unbind_range", lambda m, x: x.unbind(3), [arr(2, 3)]),
    ("cat_sizes", lambda m, x, y: m.cat([x, y], 1), [arr(2, 3, 4), arr(2, 2, 5)]),
    ("cat_dims", lambda m, x, y: m.cat([x, y], 1), [arr(2, 3, 4), arr(2, 3)]),
    ("cat_empty_list", lambda m: m.cat([]), []),
    ("cat_tensor_arg", lambda m, x: m.cat(x), [arr(2, 3)]),
    ("cat_dim_range", lambda m, x: m.cat([x], 3), [arr(2, 3)]),
    ("stack_shapes", lambda m, x, y: m.stack([x, y]), [arr(2, 3), arr(2, 4)]),
    ("stack_empty", lambda m: m.stack([]), []),
    ("stack_dim_range", lambda m, x: m.stack([x, x], 3), [arr(2, 3)]),
    ("flip_dup", lambda m, x: x.flip((0, 0)), [arr(2, 3)]),
    ("fliplr_1d", lambda m, x: x.fliplr(), [arr(3)]),
    ("roll_align", lambda m, x: x.roll((1, 2), (0,)), [arr(2, 3)]),
    ("narrow_length", lambda m, x: x.narrow(1, 2, 2), [arr(2, 3)]),
    ("narrow_start", lambda m, x: x.narrow(1, -4, 1), [arr(2, 3)]),
    ("movedim_count", lambda m, x: x.movedim((0, 1), (2,)), [arr(2, 3, 4)]),
    ("movedim_repeat", lambda m, x: x.movedim((0, 0), (1, 2)), [arr(2, 3, 4)]),
    ("select_range", lambda m, x: x.select(1, 3), [arr(2, 3)]),
    ("diagonal_same_dims", lambda m, x: x.diagonal(0, 1, 1), [arr(2, 3)]),
    ("diag_3d", lambda m, x: m.diag(x), [arr(2, 3, 4)]),
    ("tril_1d", lambda m, x: x.tril(), [arr(3)]),
]


@pytest.mark.parametrize("name,fn,inputs", ERRORS, ids=[c[0] for c in ERRORS])
def test_error_matches_torch(name, fn, inputs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        check_error(lambda *a: fn(ember, *a), lambda *a: fn(torch, *a), *inputs)
