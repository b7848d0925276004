"""Views share memory and the version counter with their base, as PyTorch's do."""
import numpy as np
import pytest

torch = pytest.importorskip("torch", reason="differential tests need PyTorch as the reference")

import ember  # noqa: E402

VIEWS = [
    ("view", lambda x: x.view(4, 3)), ("reshape", lambda x: x.reshape(-1)),
    ("transpose", lambda x: x.transpose(0, 1)), ("t", lambda x: x.t()),
    ("permute", lambda x: x.permute(1, 0)), ("slice", lambda x: x[1:, ::2]),
    ("select", lambda x: x[1]), ("select_fn", lambda x: x.select(1, 2)),
    ("narrow", lambda x: x.narrow(1, 1, 2)), ("unsqueeze", lambda x: x.unsqueeze(0)),
    ("squeeze", lambda x: x[None].squeeze(0)), ("flatten", lambda x: x.flatten()),
    ("unflatten", lambda x: x.unflatten(1, (2, 2))), ("diagonal", lambda x: x.diagonal()),
    ("split", lambda x: x.split(1)[1]), ("chunk", lambda x: x.chunk(2, 1)[1]),
    ("unbind", lambda x: x.unbind(1)[2]), ("movedim", lambda x: x.movedim(0, 1)),
    ("ellipsis", lambda x: x[...]), ("none", lambda x: x[None, :, 1]),
    ("expand_noop", lambda x: x.expand(3, 4)), ("atleast_3d", lambda x: _mod(x).atleast_3d(x)),
    ("view_as", lambda x: x.view_as(x)), ("tensor_split", lambda x: x.tensor_split([1], 1)[1]),
]


def _base():
    return ember.arange(12.0).reshape(3, 4)


def _mod(x):
    return torch if isinstance(x, torch.Tensor) else ember


@pytest.mark.parametrize("name,fn", VIEWS, ids=[v[0] for v in VIEWS])
def test_write_to_view_is_seen_by_base(name, fn):
    x, tx = _base(), torch.arange(12.0).reshape(3, 4)
    fn(x).mul_(-1)
    fn(tx).mul_(-1)
    assert x.tolist() == tx.tolist()
    assert (x < 0).any().item()


@pytest.mark.parametrize("name,fn", VIEWS, ids=[v[0] for v in VIEWS])
def test_write_to_base_is_seen_by_view(name, fn):
    x = _base()
    v = fn(x)
    before = v.clone()
    x.add_(1)
    assert np.array_equal(v.cpu().numpy(), before.cpu().numpy() + 1)


@pytest.mark.parametrize("name,fn", VIEWS, ids=[v[0] for v in VIEWS])
def test_view_shares_version_counter(name, fn):
    x = _base()
    v = fn(x)
    x.add_(1)
    assert v._version == x._version
    v.add_(1)
    assert v._version == x._version


@pytest.mark.parametrize("name,fn", VIEWS, ids=[v[0] for v in VIEWS])
def test_view_has_base(name, fn):
    x = _base()
    assert fn(x)._base is x._base or fn(x)._base is x


COPIES = [
    ("clone", lambda x: x.clone()), ("flip", lambda x: x.flip(0)), ("roll", lambda x: x.roll(1)),
    ("cat", lambda x: ember.cat([x, x])), ("stack", lambda x: ember.stack([x])),
    ("repeat", lambda x: x.repeat(1, 1)), ("tensor_index", lambda x: x[[0, 1]]),
    ("mask_index", lambda x: x[x > 3]), ("reshape_noncontiguous", lambda x: x.t().reshape(-1)),
    ("tril", lambda x: x.tril()), ("gather", lambda x: x.gather(0, ember.tensor([[0, 1, 2, 0]]))),
    ("diag", lambda x: ember.diag(x)),
    ("index_select", lambda x: x.index_select(0, ember.tensor([0]))),
]


@pytest.mark.parametrize("name,fn", COPIES, ids=[c[0] for c in COPIES])
def test_copy_does_not_alias_base(name, fn):
    x = _base()
    c = fn(x)
    before = c.clone()
    x.add_(100)
    assert np.array_equal(c.cpu().numpy(), before.cpu().numpy())
    assert c._version == 0


def test_numpy_shares_memory_both_ways():
    x = ember.zeros(3)
    a = x.numpy()
    a[0] = 5
    x[1] = 7
    assert x.tolist() == [5.0, 7.0, 0.0] and a.tolist() == [5.0, 7.0, 0.0]


def test_from_numpy_view_shares_memory():
    a = np.zeros((2, 3), dtype=np.float32)
    v = ember.from_numpy(a)[:, 1]
    v.add_(2)
    assert a[:, 1].tolist() == [2.0, 2.0]


def test_setitem_through_view_is_seen_by_base():
    x = _base()
    x[1][2] = -1.0
    x[:, 0][1:] = -2.0
    assert x[1, 2].item() == -1.0 and x[:, 0].tolist() == [0.0, -2.0, -2.0]


def test_view_of_view_writes_reach_root():
    x = _base()
    v = x.t()[1:].reshape(-1)[::2]
    v.mul_(0)
    expected = torch.arange(12.0).reshape(3, 4)
    expected.t()[1:].reshape(-1)[::2].mul_(0)
    assert x.tolist() == expected.tolist()


def test_expand_sees_base_writes():
    x = ember.zeros(3, 1)
    e = x.expand(3, 4)
    x[1, 0] = 5.0
    assert e[1].tolist() == [5.0] * 4


def test_diagonal_write_reaches_base():
    x = ember.zeros(3, 3)
    x.diagonal().add_(1)
    assert x.tolist() == torch.eye(3).tolist()


def test_view_is_contiguous_like_torch():
    for fn in (lambda m: m.zeros(3, 4).t(), lambda m: m.zeros(3, 4)[:, 1:],
               lambda m: m.zeros(3, 4)[1:], lambda m: m.zeros(3, 4).t().contiguous()):
        assert fn(ember).is_contiguous() == fn(torch).is_contiguous()


def test_strides_match_torch():
    for fn in (lambda m: m.zeros(2, 3, 4).permute(2, 0, 1), lambda m: m.zeros(3, 4)[:, ::2],
               lambda m: m.zeros(3, 4).diagonal(), lambda m: m.zeros(3, 1).expand(3, 4)):
        assert fn(ember).stride() == fn(torch).stride()


def test_inplace_on_saved_view_detected_at_backward():
    x = ember.ones(3, requires_grad=True)
    y = x * 2
    z = y.exp()  # saves its output
    z[0:1].mul_(2)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        z.sum().backward()
