"""ember.utils.data against torch.utils.data: batches, collation, samplers and errors where
PyTorch defines the result without randomness."""
import collections
import warnings

import numpy as np
import pytest

torch = pytest.importorskip("torch", reason="differential tests need PyTorch as the reference")
from hypothesis import given, settings, strategies as st  # noqa: E402

from helpers import assert_close  # noqa: E402

import ember  # noqa: E402
import ember.utils.data as E  # noqa: E402
import torch.utils.data as T  # noqa: E402

Pair = collections.namedtuple("Pair", "a b")


def same_structure(e, t):
    """Recursively compare a collated ember result with torch's."""
    if isinstance(t, torch.Tensor):
        assert_close(e, t)
    elif isinstance(t, dict):
        assert type(e) is type(t) and e.keys() == t.keys()
        for k in t:
            same_structure(e[k], t[k])
    elif isinstance(t, (list, tuple)):
        assert type(e) is type(t) and len(e) == len(t)
        for a, b in zip(e, t):
            same_structure(a, b)
    else:
        assert e == t and type(e) is type(t)


def sample_pairs():
    """The same batch of samples built for each framework."""
    def make(lib):
        return [
            [lib.tensor([i, i + 1.0]), i, float(i) / 2, bool(i % 2), np.int32(i),
             np.arange(3, dtype=np.float32) + i, f"s{i}", {"k": i, "v": [i, 2.5]}, Pair(i, (i, "x"))]
            for i in range(3)]
    return make(ember), make(torch)


def test_default_collate_matches_torch_on_nested_samples():
    e, t = sample_pairs()
    same_structure(E.default_collate(e), T.default_collate(t))


def test_default_convert_matches_torch():
    data = {"a": np.arange(4).reshape(2, 2), "b": (np.float32(3), [np.int16(2), "z"]), "c": 1.5}
    same_structure(E.default_convert(data), T.default_convert(data))


@pytest.mark.parametrize("batch", [
    [1, 2.5], [2.5, 1], [True, False], [np.float64(1), np.float64(2)], [np.uint8(1)],
    [np.array([1, 2], np.int16), np.array([3, 4], np.int16)],
])
def test_default_collate_dtypes_match_torch(batch):
    same_structure(E.default_collate(batch), T.default_collate(batch))


@pytest.mark.parametrize("batch", [[[1, 2], [3]], [np.array(["a"])], [object()]])
def test_default_collate_errors_match_torch(batch):
    with pytest.raises(Exception) as t_err:
        T.default_collate(batch)
    with pytest.raises(type(t_err.value)) as e_err:
        E.default_collate(batch)
    assert str(e_err.value).replace("ember", "torch") == str(t_err.value)


def test_stack_error_matches_torch():
    with pytest.raises(RuntimeError) as t_err:
        T.default_collate([torch.zeros(3), torch.zeros(4)])
    with pytest.raises(RuntimeError) as e_err:
        E.default_collate([ember.zeros(3), ember.zeros(4)])
    assert str(e_err.value) == str(t_err.value)


def loaders(n, **kwargs):
    """A torch and an ember DataLoader over 0..n-1 as float rows with int labels."""
    x = np.arange(n * 2, dtype=np.float32).reshape(n, 2)
    y = np.arange(n)
    return (E.DataLoader(E.TensorDataset(ember.tensor(x), ember.tensor(y)), **kwargs),
            T.DataLoader(T.TensorDataset(torch.tensor(x), torch.tensor(y)), **kwargs))


@settings(max_examples=25, deadline=None)
@given(n=st.integers(1, 30), batch_size=st.integers(1, 8), drop_last=st.booleans())
def test_sequential_batches_match_torch(n, batch_size, drop_last):
    e, t = loaders(n, batch_size=batch_size, drop_last=drop_last)
    assert len(e) == len(t)
    eb, tb = list(e), list(t)
    assert len(eb) == len(tb)
    for a, b in zip(eb, tb):
        same_structure(a, b)


def test_batch_size_none_matches_torch():
    e, t = loaders(3, batch_size=None)
    for a, b in zip(e, t):
        same_structure(a, b)


def test_batch_sampler_matches_torch():
    order = [[3, 1], [0], [2, 4, 5]]
    e, t = loaders(6, batch_sampler=order)
    assert len(e) == len(t) == 3
    for a, b in zip(e, t):
        same_structure(a, b)


def test_custom_sampler_matches_torch():
    e, t = loaders(6, batch_size=4, sampler=[5, 3, 1, 0, 2])
    assert len(e) == len(t)
    for a, b in zip(e, t):
        same_structure(a, b)


@settings(max_examples=30, deadline=None)
@given(n=st.integers(1, 40), replicas=st.integers(1, 6), drop_last=st.booleans())
def test_distributed_sampler_without_shuffle_matches_torch(n, replicas, drop_last):
    data = list(range(n))
    for rank in range(replicas):
        e = E.DistributedSampler(data, replicas, rank, shuffle=False, drop_last=drop_last)
        t = T.DistributedSampler(data, replicas, rank, shuffle=False, drop_last=drop_last)
        assert list(e) == list(t) and len(e) == len(t)


@settings(max_examples=25, deadline=None)
@given(n=st.integers(0, 50), batch_size=st.integers(1, 9), drop_last=st.booleans())
def test_batch_sampler_lengths_match_torch(n, batch_size, drop_last):
    e = E.BatchSampler(range(n), batch_size, drop_last)
    t = T.BatchSampler(range(n), batch_size, drop_last)
    assert list(e) == list(t) and len(e) == len(t)


@settings(max_examples=25, deadline=None)
@given(n=st.integers(1, 60), fracs=st.lists(st.integers(1, 10), min_size=1, max_size=5))
def test_random_split_fraction_lengths_match_torch(n, fracs):
    total = sum(fracs)
    lengths = [f / total for f in fracs]
    lengths[-1] = 1 - sum(lengths[:-1])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        e = [len(s) for s in E.random_split(list(range(n)), lengths)]
        t = [len(s) for s in T.random_split(list(range(n)), lengths)]
    assert e == t


@pytest.mark.parametrize("kwargs", [
    dict(num_workers=-1), dict(timeout=-1), dict(prefetch_factor=2),
    dict(persistent_workers=True), dict(sampler=[0], shuffle=True),
    dict(batch_sampler=[[0]], batch_size=2), dict(batch_sampler=[[0]], drop_last=True),
    dict(batch_size=None, drop_last=True), dict(multiprocessing_context="fork"),
    dict(num_workers=1, multiprocessing_context="nope"), dict(num_workers=1, prefetch_factor=-1),
])
def test_option_errors_match_torch(kwargs):
    with pytest.raises(ValueError) as t_err:
        T.DataLoader(T.TensorDataset(torch.zeros(2)), **kwargs)
    with pytest.raises(ValueError) as e_err:
        E.DataLoader(E.TensorDataset(ember.zeros(2)), **kwargs)
    assert str(e_err.value) == str(t_err.value)


@pytest.mark.parametrize("kwargs", [dict(shuffle=True), dict(sampler=[0]),
                                    dict(batch_sampler=[[0]])])
def test_iterable_dataset_option_errors_match_torch(kwargs):
    class EIt(E.IterableDataset):
        def __iter__(self):
            return iter([])

    class TIt(T.IterableDataset):
        def __iter__(self):
            return iter([])

    with pytest.raises(ValueError) as t_err:
        T.DataLoader(TIt(), **kwargs)
    with pytest.raises(ValueError) as e_err:
        E.DataLoader(EIt(), **kwargs)
    assert str(e_err.value) == str(t_err.value)


@pytest.mark.parametrize("make", [
    lambda M, lib: M.RandomSampler([1, 2], replacement="yes"),
    lambda M, lib: M.RandomSampler([1, 2], num_samples=-2),
    lambda M, lib: M.WeightedRandomSampler(lib.ones(2, 2), 3),
    lambda M, lib: M.BatchSampler([1], 0, False),
    lambda M, lib: M.DistributedSampler([1, 2], num_replicas=2, rank=5),
    lambda M, lib: M.random_split([1, 2, 3], [1, 1]),
    lambda M, lib: M.random_split([1, 2, 3], [1.5, -0.5]),
    lambda M, lib: M.StackDataset([1], [1, 2]),
])
def test_sampler_and_split_errors_match_torch(make):
    with pytest.raises(Exception) as t_err:
        make(T, torch)
    with pytest.raises(type(t_err.value)) as e_err:
        make(E, ember)
    assert str(e_err.value) == str(t_err.value)


def test_iterable_workers_interleave_like_torch():
    def make(M):
        class Stream(M.IterableDataset):
            def __iter__(self):
                info = M.get_worker_info()
                return iter(range(info.id * 10, info.id * 10 + 3 + info.id))
        return M.DataLoader(Stream(), batch_size=2, num_workers=2)
    e = [b.tolist() for b in make(E)]
    t = [b.tolist() for b in make(T)]
    assert e == t
