"""Dataset classes of ember.utils.data: indexing, lengths, combination and splitting."""
import warnings

import pytest

import ember
from ember.utils.data import (ChainDataset, ConcatDataset, Dataset, IterableDataset,
                              StackDataset, Subset, TensorDataset, random_split)


class Squares(Dataset):
    def __init__(self, n):
        self.n = n

    def __len__(self):
        return self.n

    def __getitem__(self, i):
        return i * i


class Count(IterableDataset):
    def __init__(self, start, stop):
        self.start, self.stop = start, stop

    def __iter__(self):
        return iter(range(self.start, self.stop))

    def __len__(self):
        return self.stop - self.start


def test_dataset_getitem_must_be_overridden():
    with pytest.raises(NotImplementedError, match="should implement __getitem__"):
        Dataset()[0]


def test_tensor_dataset_returns_rows_of_every_tensor():
    ds = TensorDataset(ember.arange(6).reshape(3, 2), ember.tensor([7, 8, 9]))
    x, y = ds[1]
    assert x.tolist() == [2, 3] and y.item() == 8
    assert len(ds) == 3


def test_tensor_dataset_size_mismatch():
    with pytest.raises(AssertionError, match="Size mismatch between tensors"):
        TensorDataset(ember.zeros(3), ember.zeros(4))


def test_dataset_add_concatenates():
    ds = Squares(3) + Squares(2)
    assert isinstance(ds, ConcatDataset)
    assert [ds[i] for i in range(len(ds))] == [0, 1, 4, 0, 1]


def test_concat_dataset_negative_index():
    ds = ConcatDataset([Squares(3), Squares(2)])
    assert ds[-1] == 1 and ds[-5] == 0
    with pytest.raises(ValueError, match="absolute value of index"):
        ds[-6]


def test_concat_dataset_cumulative_sizes():
    assert ConcatDataset([Squares(3), Squares(0), Squares(2)]).cumulative_sizes == [3, 3, 5]


def test_concat_dataset_rejects_empty_and_iterable():
    with pytest.raises(AssertionError, match="should not be an empty iterable"):
        ConcatDataset([])
    with pytest.raises(AssertionError, match="does not support IterableDataset"):
        ConcatDataset([Count(0, 2)])


def test_iterable_add_chains():
    ds = Count(0, 2) + Count(5, 7)
    assert isinstance(ds, ChainDataset)
    assert list(ds) == [0, 1, 5, 6] and len(ds) == 4


def test_chain_dataset_rejects_map_style():
    with pytest.raises(AssertionError, match="only supports IterableDataset"):
        list(ChainDataset([Squares(2)]))


def test_subset_maps_indices():
    sub = Subset(Squares(10), [9, 2, 5])
    assert [sub[i] for i in range(3)] == [81, 4, 25]
    assert len(sub) == 3
    assert sub.__getitems__([0, 2]) == [81, 25]


def test_stack_dataset_tuple_and_dict():
    assert StackDataset(Squares(3), Squares(3))[2] == (4, 4)
    assert StackDataset(a=Squares(3), b=Squares(3))[1] == {"a": 1, "b": 1}


def test_stack_dataset_errors():
    with pytest.raises(ValueError, match="Size mismatch between datasets"):
        StackDataset(Squares(3), Squares(2))
    with pytest.raises(ValueError, match="At least one dataset should be passed"):
        StackDataset()
    with pytest.raises(ValueError, match="both types are given"):
        StackDataset(Squares(3), b=Squares(3))


def test_random_split_partitions_the_dataset():
    parts = random_split(Squares(10), [3, 7], generator=ember.Generator().manual_seed(1))
    got = sorted(parts[0].indices + parts[1].indices)
    assert [len(p) for p in parts] == [3, 7] and got == list(range(10))


def test_random_split_is_deterministic_with_a_seeded_generator():
    a = random_split(Squares(10), [5, 5], generator=ember.Generator().manual_seed(3))
    b = random_split(Squares(10), [5, 5], generator=ember.Generator().manual_seed(3))
    assert a[0].indices == b[0].indices


def test_random_split_fractions_hand_out_the_remainder_round_robin():
    parts = random_split(Squares(11), [0.3, 0.3, 0.4])
    assert [len(p) for p in parts] == [4, 3, 4]  # floors 3, 3, 4 plus one for the first


def test_random_split_warns_about_empty_split():
    with pytest.warns(UserWarning, match="Length of split at index 1 is 0"):
        random_split(Squares(2), [0.9, 0.1])


def test_random_split_bad_lengths():
    with pytest.raises(ValueError, match="Sum of input lengths does not equal"):
        random_split(Squares(10), [3, 3])


def test_random_split_uses_the_global_generator_by_default():
    ember.manual_seed(5)
    with warnings.catch_warnings():
        a = random_split(Squares(8), [4, 4])[0].indices
    ember.manual_seed(5)
    assert random_split(Squares(8), [4, 4])[0].indices == a
