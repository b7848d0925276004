"""Dataset readers on tiny files written in the real on-disk formats."""
import gzip
import os
import pickle
import struct

import numpy as np
import pytest

import ember
from ember.utils.data import DataLoader
from ember.vision import datasets, transforms

Image = pytest.importorskip("PIL.Image", reason="the datasets return PIL images")


def write_idx(path, arr, compress=False):
    """An IDX file: magic (0, 0, type code, ndim), big-endian dims, then the raw values."""
    header = struct.pack(">BBBB", 0, 0, 8, arr.ndim) + struct.pack(f">{arr.ndim}I", *arr.shape)
    opener = gzip.open if compress else open
    with opener(path + (".gz" if compress else ""), "wb") as f:
        f.write(header + arr.astype(np.uint8).tobytes())


def make_mnist(root, name="MNIST", compress=False):
    raw = os.path.join(root, name, "raw")
    os.makedirs(raw)
    rng = np.random.default_rng(0)
    images = {s: rng.integers(0, 256, (n, 28, 28), dtype=np.uint8)
              for s, n in (("train", 5), ("t10k", 3))}
    labels = {"train": np.array([3, 1, 4, 1, 5]), "t10k": np.array([9, 2, 6])}
    for split in ("train", "t10k"):
        write_idx(os.path.join(raw, f"{split}-images-idx3-ubyte"), images[split], compress)
        write_idx(os.path.join(raw, f"{split}-labels-idx1-ubyte"), labels[split], compress)
    return images, labels


@pytest.mark.parametrize("compress", [False, True])
def test_mnist_reads_idx_files(tmp_path, compress):
    images, labels = make_mnist(str(tmp_path), compress=compress)
    ds = datasets.MNIST(str(tmp_path), train=True)
    assert len(ds) == 5
    assert ds.data.dtype == ember.uint8 and ds.data.shape == (5, 28, 28)
    assert ds.targets.dtype == ember.int64 and ds.targets.tolist() == [3, 1, 4, 1, 5]
    img, target = ds[2]
    assert isinstance(img, Image.Image) and img.mode == "L" and target == 4
    assert np.array_equal(np.array(img), images["train"][2])


def test_mnist_test_split_and_transforms(tmp_path):
    make_mnist(str(tmp_path))
    ds = datasets.MNIST(str(tmp_path), train=False, transform=transforms.ToTensor(),
                        target_transform=lambda y: y * 10)
    img, target = ds[0]
    assert img.shape == (1, 28, 28) and img.dtype == ember.float32 and target == 90


def test_mnist_classes_and_repr(tmp_path):
    make_mnist(str(tmp_path))
    ds = datasets.MNIST(str(tmp_path), transform=transforms.ToTensor())
    assert ds.class_to_idx["3 - three"] == 3
    assert repr(ds) == (f"Dataset MNIST\n    Number of datapoints: 5\n    Root location: "
                        f"{tmp_path}\n    Split: Train\n    StandardTransform\n"
                        f"Transform: ToTensor()")


def test_fashion_and_kmnist_use_their_own_folders(tmp_path):
    make_mnist(str(tmp_path), "FashionMNIST")
    make_mnist(str(tmp_path), "KMNIST")
    assert datasets.FashionMNIST(str(tmp_path)).classes[9] == "Ankle boot"
    assert datasets.KMNIST(str(tmp_path), train=False).targets.tolist() == [9, 2, 6]


def test_mnist_missing_files(tmp_path):
    with pytest.raises(RuntimeError, match="Dataset not found. You can use download=True to "
                                           "download it"):
        datasets.MNIST(str(tmp_path))


def test_mnist_download_failure_names_files_and_folder(tmp_path, monkeypatch):
    from ember.vision.datasets import utils

    def offline(*args, **kwargs):
        raise OSError("network is unreachable")

    monkeypatch.setattr(utils.urllib.request, "urlopen", offline)
    with pytest.raises(RuntimeError, match="train-images-idx3-ubyte.gz.*MNIST/raw"):
        datasets.MNIST(str(tmp_path), download=True)


def test_mnist_batches_through_dataloader(tmp_path):
    make_mnist(str(tmp_path))
    ds = datasets.MNIST(str(tmp_path), transform=transforms.ToTensor())
    x, y = next(iter(DataLoader(ds, batch_size=4)))
    assert x.shape == (4, 1, 28, 28) and y.tolist() == [3, 1, 4, 1]


def make_cifar(root, hundred=False):
    folder = os.path.join(root, "cifar-100-python" if hundred else "cifar-10-batches-py")
    os.makedirs(folder)
    rng = np.random.default_rng(1)
    key = "fine_labels" if hundred else "labels"
    names = (["train"], ["test"]) if hundred else (
        [f"data_batch_{i}" for i in range(1, 6)], ["test_batch"])
    data = {}
    for i, name in enumerate(names[0] + names[1]):
        arr = rng.integers(0, 256, (2, 3072), dtype=np.uint8)
        data[name] = arr
        with open(os.path.join(folder, name), "wb") as f:
            pickle.dump({"data": arr, key: [i, i + 1]}, f)
    meta_name, meta_key = ("meta", "fine_label_names") if hundred else \
        ("batches.meta", "label_names")
    with open(os.path.join(folder, meta_name), "wb") as f:
        pickle.dump({meta_key: [f"class{i}" for i in range(10)]}, f)
    return data


def test_cifar10_reads_pickled_batches(tmp_path):
    data = make_cifar(str(tmp_path))
    ds = datasets.CIFAR10(str(tmp_path), train=True)
    assert len(ds) == 10 and ds.data.shape == (10, 32, 32, 3) and ds.data.dtype == np.uint8
    assert ds.targets[:4] == [0, 1, 1, 2]
    img, target = ds[1]
    assert img.mode == "RGB" and target == 1
    # the stored planes are R, G, B in turn
    assert np.array(img)[0, 0].tolist() == data["data_batch_1"][1, [0, 1024, 2048]].tolist()
    assert ds.class_to_idx["class3"] == 3


def test_cifar10_test_split(tmp_path):
    make_cifar(str(tmp_path))
    assert datasets.CIFAR10(str(tmp_path), train=False).targets == [5, 6]


def test_cifar100_reads_fine_labels(tmp_path):
    make_cifar(str(tmp_path), hundred=True)
    ds = datasets.CIFAR100(str(tmp_path), train=False)
    assert ds.targets == [1, 2] and ds.classes[0] == "class0"


def test_cifar_missing(tmp_path):
    with pytest.raises(RuntimeError, match="Dataset not found or corrupted"):
        datasets.CIFAR10(str(tmp_path))


def make_folder(root):
    for cls, n in (("cat", 2), ("dog", 1)):
        os.makedirs(os.path.join(root, cls))
        for i in range(n):
            Image.new("L", (3, 2), 10 * i).save(os.path.join(root, cls, f"{i}.png"))
    open(os.path.join(root, "cat", "notes.txt"), "w").close()


def test_image_folder(tmp_path):
    make_folder(str(tmp_path))
    ds = datasets.ImageFolder(str(tmp_path))
    assert ds.classes == ["cat", "dog"] and ds.class_to_idx == {"cat": 0, "dog": 1}
    assert [os.path.basename(p) for p, _ in ds.samples] == ["0.png", "1.png", "0.png"]
    assert ds.targets == [0, 0, 1] and ds.imgs == ds.samples
    img, target = ds[1]
    assert img.mode == "RGB" and img.size == (3, 2) and target == 0


def test_dataset_folder_with_custom_loader_and_extensions(tmp_path):
    make_folder(str(tmp_path))
    ds = datasets.DatasetFolder(str(tmp_path), loader=os.path.basename, extensions=(".txt",),
                                allow_empty=True)
    assert len(ds) == 1 and ds[0] == ("notes.txt", 0)


def test_dataset_folder_empty_class_error(tmp_path):
    make_folder(str(tmp_path))
    with pytest.raises(FileNotFoundError, match="Found no valid file for the classes dog"):
        datasets.DatasetFolder(str(tmp_path), loader=str, extensions=(".txt",))


def test_image_folder_without_class_folders(tmp_path):
    with pytest.raises(FileNotFoundError, match="Couldn't find any class folder"):
        datasets.ImageFolder(str(tmp_path))


def test_fake_data_is_deterministic_per_index():
    ds = datasets.FakeData(size=4, image_size=(3, 5, 6), num_classes=3)
    (a, ya), (b, yb) = ds[1], ds[1]
    assert a.size == (6, 5) and a.mode == "RGB" and 0 <= ya < 3
    assert np.array_equal(np.array(a), np.array(b)) and ya == yb
    with pytest.raises(IndexError, match="FakeData index out of range"):
        ds[4]


def test_fake_data_leaves_global_rng_alone():
    ember.manual_seed(0)
    expected = ember.rand(2).tolist()
    ember.manual_seed(0)
    datasets.FakeData(size=2, image_size=(1, 2, 2))[0]
    assert ember.rand(2).tolist() == expected
