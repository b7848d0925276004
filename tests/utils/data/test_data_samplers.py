"""Samplers: index order, lengths, argument checks and reproducibility."""
import pytest

import ember
from ember.utils.data import (BatchSampler, DistributedSampler, RandomSampler,
                              SequentialSampler, SubsetRandomSampler, WeightedRandomSampler)

DATA = list(range(10))


def gen(seed=0):
    return ember.Generator().manual_seed(seed)


def test_sequential_sampler():
    assert list(SequentialSampler(DATA)) == DATA and len(SequentialSampler(DATA)) == 10


def test_random_sampler_is_a_permutation():
    got = list(RandomSampler(DATA, generator=gen()))
    assert sorted(got) == DATA and got != DATA


def test_random_sampler_same_seed_same_order():
    assert list(RandomSampler(DATA, generator=gen(4))) == list(RandomSampler(DATA, generator=gen(4)))


def test_random_sampler_reproducible_through_manual_seed():
    ember.manual_seed(7)
    a = list(RandomSampler(DATA))
    ember.manual_seed(7)
    assert list(RandomSampler(DATA)) == a


def test_random_sampler_num_samples_without_replacement_repeats_whole_permutations():
    got = list(RandomSampler(DATA, num_samples=25, generator=gen()))
    assert len(got) == 25
    assert sorted(got[:10]) == DATA and sorted(got[10:20]) == DATA
    assert len(set(got[20:])) == 5


def test_random_sampler_with_replacement():
    s = RandomSampler(DATA, replacement=True, num_samples=100, generator=gen())
    got = list(s)
    assert len(got) == 100 == len(s) and set(got) <= set(DATA) and len(set(got)) < 100


def test_random_sampler_argument_checks():
    with pytest.raises(TypeError, match="replacement should be a boolean value, but got "
                                        "replacement=1"):
        RandomSampler(DATA, replacement=1)
    with pytest.raises(ValueError, match="num_samples should be a positive integer value, but "
                                         "got num_samples=0"):
        RandomSampler(DATA, num_samples=0)


def test_subset_random_sampler():
    s = SubsetRandomSampler([3, 5, 7], generator=gen())
    assert sorted(s) == [3, 5, 7] and len(s) == 3


def test_weighted_random_sampler_never_picks_zero_weight():
    got = list(WeightedRandomSampler([0, 1, 0, 3], 50, generator=gen()))
    assert len(got) == 50 and set(got) <= {1, 3}


def test_weighted_random_sampler_without_replacement_is_distinct():
    got = list(WeightedRandomSampler([1, 2, 3, 4], 4, replacement=False, generator=gen()))
    assert sorted(got) == [0, 1, 2, 3]


def test_weighted_random_sampler_checks():
    with pytest.raises(ValueError, match="weights should be a 1d sequence"):
        WeightedRandomSampler([[1.0, 2.0]], 2)
    with pytest.raises(ValueError, match="num_samples should be a positive integer"):
        WeightedRandomSampler([1.0], -1)


def test_batch_sampler_keeps_last_partial_batch():
    s = BatchSampler(SequentialSampler(DATA), 4, drop_last=False)
    assert list(s) == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]] and len(s) == 3


def test_batch_sampler_drop_last():
    s = BatchSampler(SequentialSampler(DATA), 4, drop_last=True)
    assert list(s) == [[0, 1, 2, 3], [4, 5, 6, 7]] and len(s) == 2


def test_batch_sampler_checks():
    with pytest.raises(ValueError, match="batch_size should be a positive integer value, but "
                                         "got batch_size=True"):
        BatchSampler(DATA, True, False)
    with pytest.raises(ValueError, match="drop_last should be a boolean value"):
        BatchSampler(DATA, 2, 0)


def test_distributed_sampler_pads_by_wrapping():
    parts = [list(DistributedSampler(list(range(5)), 3, r, shuffle=False)) for r in range(3)]
    assert parts == [[0, 3], [1, 4], [2, 0]]


def test_distributed_sampler_drop_last_trims():
    parts = [list(DistributedSampler(list(range(5)), 2, r, shuffle=False, drop_last=True))
             for r in range(2)]
    assert parts == [[0, 2], [1, 3]]


def test_distributed_sampler_shuffle_covers_and_changes_with_epoch():
    s = [DistributedSampler(DATA, 2, r, seed=1) for r in range(2)]
    first = [list(x) for x in s]
    assert sorted(first[0] + first[1]) == DATA
    for x in s:
        x.set_epoch(1)
    assert [list(x) for x in s] != first


def test_distributed_sampler_checks_rank():
    with pytest.raises(ValueError, match=r"Invalid rank 2, rank should be in the interval \[0, 1\]"):
        DistributedSampler(DATA, 2, 2)
