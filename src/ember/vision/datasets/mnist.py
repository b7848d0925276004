"""MNIST and its relatives, read from the IDX files in ``root/<ClassName>/raw/``."""
from __future__ import annotations

import gzip
import os
from typing import Any, Callable

import numpy as np

from ... import _creation, _dtype
from .utils import fetch_resources
from .vision import VisionDataset

__all__ = ["MNIST", "FashionMNIST", "KMNIST", "read_sn3_pascalvincent_tensor",
           "read_image_file", "read_label_file"]

# IDX type codes (the third byte of the magic number) and their big-endian dtypes
_IDX_TYPES = {8: np.uint8, 9: np.int8, 11: np.dtype(">i2"), 12: np.dtype(">i4"),
              13: np.dtype(">f4"), 14: np.dtype(">f8")}


def _read_bytes(path: str) -> bytes:
    """The file's contents; ``path`` or, failing that, ``path + '.gz'`` (decompressed)."""
    if os.path.exists(path):
        opener = gzip.open if path.endswith(".gz") else open
    else:
        path, opener = path + ".gz", gzip.open
    with opener(path, "rb") as f:
        return f.read()


def read_sn3_pascalvincent_tensor(path: str, strict: bool = True):
    """An IDX file (the format MNIST ships in) as a tensor of its stored type and shape."""
    data = _read_bytes(path)
    magic = int.from_bytes(data[0:4], "big")
    ndim, code = magic % 256, magic // 256
    if code not in _IDX_TYPES or not 1 <= ndim <= 3:
        raise RuntimeError(f"{path} is not an IDX file (magic number {magic})")
    shape = [int.from_bytes(data[4 * (i + 1):4 * (i + 2)], "big") for i in range(ndim)]
    arr = np.frombuffer(data, dtype=_IDX_TYPES[code], offset=4 * (ndim + 1))
    if strict and arr.size != int(np.prod(shape)):
        raise RuntimeError(f"{path} holds {arr.size} values but its header says {shape}")
    return _creation.as_tensor(arr.astype(arr.dtype.newbyteorder("="))[:int(np.prod(shape))]
                               .reshape(shape))


def read_label_file(path: str):
    """An IDX label file as a 1-D int64 tensor."""
    x = read_sn3_pascalvincent_tensor(path, strict=False)
    if x.dtype is not _dtype.uint8 or x.dim() != 1:
        raise RuntimeError(f"{path} should hold a 1-D uint8 IDX array, got {x.dtype} with "
                           f"{x.dim()} dimensions")
    return x.long()


def read_image_file(path: str):
    """An IDX image file as an (N, H, W) uint8 tensor."""
    x = read_sn3_pascalvincent_tensor(path, strict=False)
    if x.dtype is not _dtype.uint8 or x.dim() != 3:
        raise RuntimeError(f"{path} should hold a 3-D uint8 IDX array, got {x.dtype} with "
                           f"{x.dim()} dimensions")
    return x


class MNIST(VisionDataset):
    """The MNIST handwritten digits: 28x28 grey images (PIL, mode "L") and int labels.

    Reads ``train-images-idx3-ubyte`` etc. (optionally gzipped) from ``root/MNIST/raw``.
    """

    mirrors = ["https://ossci-datasets.s3.amazonaws.com/mnist/",
               "http://yann.lecun.com/exdb/mnist/"]
    resources = [("train-images-idx3-ubyte.gz", "f68b3c2dcbeaaa9fbdd348bbdeb94873"),
                 ("train-labels-idx1-ubyte.gz", "d53e105ee54ea40749a09fcbcd1e9432"),
                 ("t10k-images-idx3-ubyte.gz", "9fb629c4189551a2d022fa330f9573f3"),
                 ("t10k-labels-idx1-ubyte.gz", "ec29112dd5afa0611ce80d1b7f02629c")]
    training_file = "training.pt"
    test_file = "test.pt"
    classes = ["0 - zero", "1 - one", "2 - two", "3 - three", "4 - four", "5 - five",
               "6 - six", "7 - seven", "8 - eight", "9 - nine"]

    def __init__(self, root, train: bool = True, transform: Callable | None = None,
                 target_transform: Callable | None = None, download: bool = False) -> None:
        super().__init__(root, transform=transform, target_transform=target_transform)
        self.train = train
        if download:
            self.download()
        if not self._check_exists():
            raise RuntimeError("Dataset not found. You can use download=True to download it")
        self.data, self.targets = self._load_data()

    @property
    def raw_folder(self) -> str:
        return os.path.join(self.root, self.__class__.__name__, "raw")

    @property
    def processed_folder(self) -> str:
        return os.path.join(self.root, self.__class__.__name__, "processed")

    @property
    def class_to_idx(self) -> dict:
        return {c: i for i, c in enumerate(self.classes)}

    def _file(self, kind: str) -> str:
        split = "train" if self.train else "t10k"
        dims = 3 if kind == "images" else 1
        return os.path.join(self.raw_folder, f"{split}-{kind}-idx{dims}-ubyte")

    def _check_exists(self) -> bool:
        # every split's files, each either unpacked or still gzipped
        return all(os.path.isfile(os.path.join(self.raw_folder, name)) or
                   os.path.isfile(os.path.join(self.raw_folder, name[:-3]))
                   for name, _ in self.resources)

    def _load_data(self) -> tuple:
        return read_image_file(self._file("images")), read_label_file(self._file("labels"))

    def download(self) -> None:
        """Fetch the IDX files into ``raw_folder`` unless they are already there."""
        if self._check_exists():
            return
        fetch_resources(self.mirrors, self.resources, self.raw_folder)

    def __getitem__(self, index: int) -> tuple[Any, Any]:
        from PIL import Image
        img = Image.fromarray(self.data._data[index])
        target = int(self.targets._data[index])
        if self.transform is not None:
            img = self.transform(img)
        if self.target_transform is not None:
            target = self.target_transform(target)
        return img, target

    def __len__(self) -> int:
        return len(self.data)

    def extra_repr(self) -> str:
        return f"Split: {'Train' if self.train is True else 'Test'}"


class FashionMNIST(MNIST):
    """Zalando's Fashion-MNIST: 28x28 grey images of ten kinds of clothing."""

    mirrors = ["http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/"]
    resources = [("train-images-idx3-ubyte.gz", "8d4fb7e6c68d591d4c3dfef9ec88bf0d"),
                 ("train-labels-idx1-ubyte.gz", "25c81989df183df01b3e8a0aad5dffbe"),
                 ("t10k-images-idx3-ubyte.gz", "bef4ecab320f06d8554ea6380940ec79"),
                 ("t10k-labels-idx1-ubyte.gz", "bb300cfdad3c16e7a12a480ee83cd310")]
    classes = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt",
               "Sneaker", "Bag", "Ankle boot"]


class KMNIST(MNIST):
    """Kuzushiji-MNIST: 28x28 grey images of ten cursive Japanese characters."""

    mirrors = ["http://codh.rois.ac.jp/kmnist/dataset/kmnist/"]
    resources = [("train-images-idx3-ubyte.gz", "bdb82020997e1d708af4cf47b453dcf7"),
                 ("train-labels-idx1-ubyte.gz", "e144d726b3acfaa3e44228e80efcd344"),
                 ("t10k-images-idx3-ubyte.gz", "5c965bf0a639b31b8f53240b1b52f4d7"),
                 ("t10k-labels-idx1-ubyte.gz", "7320c461ea6c1c855c0b718fb2a4b134")]
    classes = ["o", "ki", "su", "tsu", "na", "ha", "ma", "ya", "re", "wo"]
