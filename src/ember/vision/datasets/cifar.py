"""CIFAR-10 and CIFAR-100, read from the pickled batches of the Python release."""
from __future__ import annotations

import os
import pickle
from typing import Any, Callable

import numpy as np

from .utils import fetch_resources
from .vision import VisionDataset

__all__ = ["CIFAR10", "CIFAR100"]


class CIFAR10(VisionDataset):
    """CIFAR-10: 32x32 colour images (PIL, mode "RGB") in ten classes.

    Reads ``data_batch_1`` .. ``data_batch_5`` / ``test_batch`` and ``batches.meta`` from
    ``root/cifar-10-batches-py``. ``data`` is an (N, 32, 32, 3) uint8 array, ``targets`` a list.
    """

    base_folder = "cifar-10-batches-py"
    url = "https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz"
    filename = "cifar-10-python.tar.gz"
    tgz_md5 = "c58f30108f718f92721af3b95e74349a"
    train_list = ["data_batch_1", "data_batch_2", "data_batch_3", "data_batch_4",
                  "data_batch_5"]
    test_list = ["test_batch"]
    meta = {"filename": "batches.meta", "key": "label_names"}
    labels_key = "labels"

    def __init__(self, root, train: bool = True, transform: Callable | None = None,
                 target_transform: Callable | None = None, download: bool = False) -> None:
        super().__init__(root, transform=transform, target_transform=target_transform)
        self.train = train
        if download:
            self.download()
        if not self._check_integrity():
            raise RuntimeError("Dataset not found or corrupted. You can use download=True to "
                               "download it")
        data, targets = [], []
        for name in self.train_list if train else self.test_list:
            entry = self._unpickle(name)
            data.append(entry["data"])
            targets.extend(entry[self.labels_key])
        # the batches store each image as 3 planes of 32x32; PIL wants rows of RGB pixels
        self.data = np.vstack(data).reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1)
        self.targets = list(targets)
        self._load_meta()

    def _unpickle(self, name: str) -> dict:
        with open(os.path.join(self.root, self.base_folder, name), "rb") as f:
            return pickle.load(f, encoding="latin1")

    def _load_meta(self) -> None:
        path = os.path.join(self.root, self.base_folder, self.meta["filename"])
        if not os.path.isfile(path):
            raise RuntimeError("Dataset metadata file not found or corrupted. You can use "
                               "download=True to download it")
        self.classes = self._unpickle(self.meta["filename"])[self.meta["key"]]
        self.class_to_idx = {c: i for i, c in enumerate(self.classes)}

    def _check_integrity(self) -> bool:
        folder = os.path.join(self.root, self.base_folder)
        return all(os.path.isfile(os.path.join(folder, name))
                   for name in self.train_list + self.test_list)

    def download(self) -> None:
        """Fetch and unpack the archive into ``root`` unless the batches are there."""
        if self._check_integrity():
            return
        mirror, name = self.url.rsplit("/", 1)
        fetch_resources([mirror + "/"], [(name, self.tgz_md5)], self.root)

    def __getitem__(self, index: int) -> tuple[Any, Any]:
        from PIL import Image
        img, target = Image.fromarray(self.data[index]), self.targets[index]
        if self.transform is not None:
            img = self.transform(img)
        if self.target_transform is not None:
            target = self.target_transform(target)
        return img, target

    def __len__(self) -> int:
        return len(self.data)

    def extra_repr(self) -> str:
        return f"Split: {'Train' if self.train is True else 'Test'}"


class CIFAR100(CIFAR10):
    """CIFAR-100: 32x32 colour images in 100 fine classes (``root/cifar-100-python``)."""

    base_folder = "cifar-100-python"
    url = "https://www.cs.toronto.edu/~kriz/cifar-100-python.tar.gz"
    filename = "cifar-100-python.tar.gz"
    tgz_md5 = "eb9058c3a382ffc7106e4002c42a8d85"
    train_list = ["train"]
    test_list = ["test"]
    meta = {"filename": "meta", "key": "fine_label_names"}
    labels_key = "fine_labels"
