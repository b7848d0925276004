"""DataLoader in the main process and with worker processes."""
import gc
import os
import signal
import time

import numpy as np
import pytest

import ember
from ember.utils.data import (DataLoader, Dataset, IterableDataset, SequentialSampler,
                              TensorDataset, get_worker_info)


class Range(Dataset):
    def __init__(self, n):
        self.n = n

    def __len__(self):
        return self.n

    def __getitem__(self, i):
        return i


class Stream(IterableDataset):
    """0..n-1, split across workers by id."""

    def __init__(self, n):
        self.n = n

    def __iter__(self):
        info = get_worker_info()
        if info is None:
            return iter(range(self.n))
        return iter(range(info.id, self.n, info.num_workers))

    def __len__(self):
        return self.n


class WorkerView(Dataset):
    """Reports which worker produced each item and what its RNGs give."""

    def __len__(self):
        return 4

    def __getitem__(self, i):
        info = get_worker_info()
        return info.id, info.seed, ember.initial_seed(), float(np.random.rand())


class FailsAt(Dataset):
    def __len__(self):
        return 6

    def __getitem__(self, i):
        if i == 3:
            raise ValueError("item 3 is broken")
        return i


class DiesAt(Dataset):
    def __init__(self, how):
        self.how = how

    def __len__(self):
        return 6

    def __getitem__(self, i):
        if i == 3:
            if self.how == "exit":
                os._exit(3)
            os.kill(os.getpid(), signal.SIGKILL)
        return i


def batches(loader):
    return [b.tolist() for b in loader]


def test_sequential_batches_and_length():
    loader = DataLoader(Range(7), batch_size=3)
    assert batches(loader) == [[0, 1, 2], [3, 4, 5], [6]] and len(loader) == 3


def test_drop_last():
    loader = DataLoader(Range(7), batch_size=3, drop_last=True)
    assert batches(loader) == [[0, 1, 2], [3, 4, 5]] and len(loader) == 2


def test_batch_size_none_yields_converted_samples():
    assert list(DataLoader(Range(3), batch_size=None)) == [0, 1, 2]


def test_shuffle_with_seeded_generator_is_deterministic_permutation():
    a = batches(DataLoader(Range(10), batch_size=4, shuffle=True,
                           generator=ember.Generator().manual_seed(2)))
    b = batches(DataLoader(Range(10), batch_size=4, shuffle=True,
                           generator=ember.Generator().manual_seed(2)))
    assert a == b and sorted(sum(a, [])) == list(range(10)) and sum(a, []) != list(range(10))


def test_shuffle_differs_between_epochs():
    loader = DataLoader(Range(20), batch_size=20, shuffle=True,
                        generator=ember.Generator().manual_seed(0))
    assert batches(loader) != batches(loader)


def test_custom_sampler_and_batch_sampler():
    assert batches(DataLoader(Range(5), batch_size=2, sampler=[4, 3, 2, 1, 0])) == \
        [[4, 3], [2, 1], [0]]
    assert batches(DataLoader(Range(5), batch_sampler=[[0, 4], [2]])) == [[0, 4], [2]]


def test_custom_collate_fn():
    assert list(DataLoader(Range(4), batch_size=2, collate_fn=sum)) == [1, 5]


def test_tensor_dataset_batches():
    ds = TensorDataset(ember.arange(6).float().reshape(3, 2), ember.tensor([0, 1, 0]))
    x, y = next(iter(DataLoader(ds, batch_size=2)))
    assert x.shape == (2, 2) and y.tolist() == [0, 1]


def test_iterable_dataset_batches_and_len():
    loader = DataLoader(Stream(5), batch_size=2)
    assert batches(loader) == [[0, 1], [2, 3], [4]] and len(loader) == 3
    assert len(DataLoader(Stream(5), batch_size=2, drop_last=True)) == 2


@pytest.mark.parametrize("kwargs, message", [
    (dict(num_workers=-1), "num_workers option should be non-negative"),
    (dict(timeout=-1), "timeout option should be non-negative"),
    (dict(prefetch_factor=2), "prefetch_factor option could only be specified in multiprocessing"),
    (dict(persistent_workers=True), "persistent_workers option needs num_workers > 0"),
    (dict(sampler=[0], shuffle=True), "sampler option is mutually exclusive with shuffle"),
    (dict(batch_sampler=[[0]], batch_size=2), "batch_sampler option is mutually exclusive with "
                                              "batch_size, shuffle, sampler, and drop_last"),
    (dict(batch_size=None, drop_last=True), "batch_size=None option disables auto-batching"),
    (dict(multiprocessing_context="fork"), "multiprocessing_context can only be used with "
                                           "multi-process loading"),
])
def test_option_conflicts(kwargs, message):
    with pytest.raises(ValueError, match=message):
        DataLoader(Range(3), **kwargs)


def test_iterable_dataset_rejects_shuffle():
    with pytest.raises(ValueError, match="DataLoader with IterableDataset: expected unspecified "
                                         "shuffle option, but got shuffle=True"):
        DataLoader(Stream(3), shuffle=True)


def test_frozen_attributes():
    loader = DataLoader(Range(3))
    with pytest.raises(ValueError, match="batch_size attribute should not be set after "
                                         "DataLoader is initialized"):
        loader.batch_size = 2


def test_get_worker_info_is_none_in_main_process():
    assert get_worker_info() is None


# -- worker processes: few, small, and bounded in time ---------------------------------------

def test_workers_keep_sampler_order():
    loader = DataLoader(Range(10), batch_size=3, num_workers=2,
                        sampler=SequentialSampler(Range(10)))
    assert batches(loader) == [[0, 1, 2], [3, 4, 5], [6, 7, 8], [9]]


def test_iterable_dataset_split_across_workers():
    got = batches(DataLoader(Stream(7), batch_size=2, num_workers=2))
    assert got == [[0, 2], [1, 3], [4, 6], [5]]


def test_worker_info_and_seeding():
    got = list(DataLoader(WorkerView(), batch_size=None, num_workers=2,
                          generator=ember.Generator().manual_seed(0)))
    ids = [g[0] for g in got]
    seeds = {g[0]: g[1] for g in got}
    assert ids == [0, 1, 0, 1]
    assert seeds[1] == seeds[0] + 1
    assert all(g[2] == g[1] for g in got)  # ember's global generator is seeded with info.seed
    assert got[0][3] != got[1][3]  # and NumPy's differs per worker


def test_worker_init_fn_runs_in_each_worker(tmp_path):
    def init(worker_id):
        (tmp_path / f"w{worker_id}").write_text(str(get_worker_info().num_workers))

    list(DataLoader(Range(4), num_workers=2, worker_init_fn=init))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["w0", "w1"]


def test_worker_exception_is_reraised_with_traceback():
    with pytest.raises(ValueError) as info:
        list(DataLoader(FailsAt(), batch_size=2, num_workers=2))
    msg = str(info.value)
    assert msg.startswith("Caught ValueError in DataLoader worker process 1.\nOriginal Traceback")
    assert "item 3 is broken" in msg


@pytest.mark.parametrize("how", ["exit", "kill"])
def test_dead_worker_raises_instead_of_hanging(how):
    start = time.monotonic()
    with pytest.raises(RuntimeError, match=r"DataLoader worker \(pid\(s\) \d+\) exited "
                                           r"unexpectedly"):
        list(DataLoader(DiesAt(how), num_workers=2))
    assert time.monotonic() - start < 30


def test_timeout():
    class Slow(Dataset):
        def __len__(self):
            return 1

        def __getitem__(self, i):
            time.sleep(5)
            return i

    with pytest.raises(RuntimeError, match="DataLoader timed out after 0.2 seconds"):
        list(DataLoader(Slow(), num_workers=1, timeout=0.2))


def test_workers_stop_when_iterator_is_dropped():
    it = iter(DataLoader(Range(100), batch_size=2, num_workers=2))
    next(it)
    workers = list(it._workers)
    del it
    gc.collect()
    for w in workers:
        w.join(timeout=5)
    assert not any(w.is_alive() for w in workers)


def test_persistent_workers_are_reused_across_epochs():
    loader = DataLoader(Range(5), batch_size=2, num_workers=2, persistent_workers=True)
    first = batches(loader)
    pids = [w.pid for w in loader._iterator._workers]
    assert batches(loader) == first == [[0, 1], [2, 3], [4]]
    assert [w.pid for w in loader._iterator._workers] == pids
    assert all(w.is_alive() for w in loader._iterator._workers)


def test_spawn_context():
    loader = DataLoader(TensorDataset(ember.arange(4)), batch_size=2, num_workers=1,
                        multiprocessing_context="spawn")
    assert [b[0].tolist() for b in loader] == [[0, 1], [2, 3]]
