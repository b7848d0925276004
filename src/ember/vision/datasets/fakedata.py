"""FakeData: random images and labels, reproducible per index."""
from __future__ import annotations

from typing import Any, Callable

from ... import _random
from .vision import VisionDataset

__all__ = ["FakeData"]


class FakeData(VisionDataset):
    """``size`` random PIL images of ``image_size`` (C, H, W) with labels below
    ``num_classes``; item ``i`` is always the same (seeded by ``i + random_offset``)."""

    def __init__(self, size: int = 1000, image_size: tuple = (3, 224, 224),
                 num_classes: int = 10, transform: Callable | None = None,
                 target_transform: Callable | None = None, random_offset: int = 0) -> None:
        super().__init__(None, transform=transform, target_transform=target_transform)
        self.size = size
        self.num_classes = num_classes
        self.image_size = image_size
        self.random_offset = random_offset

    def __getitem__(self, index: int) -> tuple[Any, Any]:
        from ..transforms import functional as F
        if index >= len(self):
            raise IndexError(f"{self.__class__.__name__} index out of range")
        # a private generator: reading items must not disturb the global random stream
        g = _random.Generator()
        g.manual_seed(index + self.random_offset)
        img = _random.rand(*self.image_size, generator=g)
        target = int(_random.randint(0, self.num_classes, (1,), generator=g).item())
        img = F.to_pil_image(img)
        if self.transform is not None:
            img = self.transform(img)
        if self.target_transform is not None:
            target = self.target_transform(target)
        return img, target

    def __len__(self) -> int:
        return self.size
