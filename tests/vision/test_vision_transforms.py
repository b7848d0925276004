"""Transform classes: behaviour, reproducibility under manual_seed, and torchvision reprs."""
import numpy as np
import pytest

import ember
from ember.vision import transforms as T

Image = pytest.importorskip("PIL.Image", reason="PIL images need Pillow")


def image(h=6, w=8):
    rng = np.random.default_rng(0)
    return Image.fromarray(rng.integers(0, 256, (h, w, 3), dtype=np.uint8))


def seeded(transform, img, seed=0):
    ember.manual_seed(seed)
    out = transform(img)
    return np.asarray(out) if isinstance(out, ember.Tensor) else np.array(out)


def test_compose_applies_in_order_and_reprs():
    c = T.Compose([T.ToTensor(), T.Normalize((0.5,), (0.5,))])
    out = c(Image.fromarray(np.array([[0, 255]], np.uint8)))
    assert out.tolist() == [[[-1.0, 1.0]]]
    assert repr(c) == "Compose(\n    ToTensor()\n    Normalize(mean=(0.5,), std=(0.5,))\n)"


def test_lambda_and_repr():
    assert T.Lambda(lambda x: x + 1)(1) == 2 and repr(T.Lambda(abs)) == "Lambda()"
    with pytest.raises(TypeError, match="Argument lambd should be callable, got 'int'"):
        T.Lambda(3)


@pytest.mark.parametrize("transform, text", [
    (T.Resize(32), "Resize(size=32, interpolation=bilinear, max_size=None, antialias=True)"),
    (T.CenterCrop(4), "CenterCrop(size=(4, 4))"),
    (T.RandomCrop(4, padding=2), "RandomCrop(size=(4, 4), padding=2)"),
    (T.RandomResizedCrop(8), "RandomResizedCrop(size=(8, 8), scale=(0.08, 1.0), "
                             "ratio=(0.75, 1.3333), interpolation=bilinear, antialias=True)"),
    (T.RandomHorizontalFlip(), "RandomHorizontalFlip(p=0.5)"),
    (T.RandomVerticalFlip(0.2), "RandomVerticalFlip(p=0.2)"),
    (T.RandomRotation(30), "RandomRotation(degrees=[-30.0, 30.0], interpolation=nearest, "
                           "expand=False, fill=0)"),
    (T.ColorJitter(0.5, hue=0.1), "ColorJitter(brightness=[0.5, 1.5], contrast=None, "
                                  "saturation=None, hue=[-0.1, 0.1])"),
    (T.Grayscale(3), "Grayscale(num_output_channels=3)"),
    (T.Pad(2), "Pad(padding=2, fill=0, padding_mode=constant)"),
    (T.ConvertImageDtype(ember.float32), "ConvertImageDtype()"),
    (T.ToPILImage(), "ToPILImage()"),
    (T.PILToTensor(), "PILToTensor()"),
    (T.RandomApply([T.Grayscale()], p=0.3),
     "RandomApply(\n    p=0.3\n    Grayscale(num_output_channels=1)\n)"),
    (T.RandomChoice([T.Grayscale()]), "RandomChoice(\n    Grayscale(num_output_channels=1)\n)(p=None)"),
])
def test_reprs_match_torchvision(transform, text):
    assert repr(transform) == text


def test_transforms_are_modules():
    assert isinstance(T.Normalize((0.0,), (1.0,)), ember.nn.Module)


def test_resize_and_center_crop_on_pil_and_tensor():
    img = image(6, 8)
    assert T.Resize((3, 4))(img).size == (4, 3)
    assert T.Resize(3)(T.ToTensor()(img)).shape == (3, 3, 4)
    assert T.CenterCrop(4)(img).size == (4, 4)


@pytest.mark.parametrize("transform", [
    T.RandomCrop(4, padding=1), T.RandomResizedCrop(5), T.RandomHorizontalFlip(),
    T.RandomVerticalFlip(), T.RandomRotation(40), T.ColorJitter(0.4, 0.4, 0.4, 0.1),
    T.RandomApply([T.ColorJitter(0.5)]), T.RandomChoice([T.Grayscale(3), T.ColorJitter(0.5)]),
    T.RandomOrder([T.RandomHorizontalFlip(), T.ColorJitter(0.5)]), T.RandomGrayscale(0.5),
])
def test_random_transforms_are_reproducible_with_manual_seed(transform):
    for img in (image(), T.ToTensor()(image())):
        assert np.array_equal(seeded(transform, img, 3), seeded(transform, img, 3))


def test_random_crop_is_a_window_of_the_input():
    x = ember.arange(48.0).reshape(1, 6, 8)
    out = np.asarray(T.RandomCrop((2, 3))(x))[0]
    top, left = divmod(int(out[0, 0]), 8)
    assert out.tolist() == np.asarray(x)[0, top:top + 2, left:left + 3].tolist()


def test_random_crop_pad_if_needed():
    assert T.RandomCrop((4, 10), pad_if_needed=True)(ember.ones(1, 2, 8)).shape == (1, 4, 10)
    with pytest.raises(ValueError, match=r"Required crop size \(4, 10\) is larger than input "
                                         r"image size \(2, 8\)"):
        T.RandomCrop((4, 10))(ember.ones(1, 2, 8))


def test_random_resized_crop_output_size():
    assert T.RandomResizedCrop((5, 7))(image()).size == (7, 5)
    i, j, h, w = T.RandomResizedCrop.get_params(image(6, 8), (0.08, 1.0), (3 / 4, 4 / 3))
    assert 0 <= i <= 6 - h and 0 <= j <= 8 - w


def test_flip_probabilities_zero_and_one():
    x = ember.tensor([[[1.0, 2.0]]])
    assert T.RandomHorizontalFlip(1.0)(x).tolist() == [[[2.0, 1.0]]]
    assert T.RandomHorizontalFlip(0.0)(x) is x


def test_random_rotation_angle_in_range():
    ember.manual_seed(0)
    assert all(-10 <= T.RandomRotation.get_params([-10.0, 10.0]) <= 10 for _ in range(20))
    with pytest.raises(ValueError, match="If degrees is a single number, it must be positive."):
        T.RandomRotation(-3)


def test_color_jitter_argument_checks():
    with pytest.raises(ValueError, match="If brightness is a single number, it must be non "
                                         "negative."):
        T.ColorJitter(brightness=-1)
    with pytest.raises(ValueError, match=r"hue values should be between \(-0.5, 0.5\)"):
        T.ColorJitter(hue=(0.0, 0.7))


def test_color_jitter_with_no_ranges_is_identity():
    x = T.ToTensor()(image())
    assert np.array_equal(np.asarray(T.ColorJitter()(x)), np.asarray(x))


def test_grayscale_on_pil():
    assert T.Grayscale()(image()).mode == "L" and T.Grayscale(3)(image()).mode == "RGB"


def test_random_apply_p_one_and_zero():
    assert T.RandomApply([T.Grayscale()], p=1.0)(image()).mode == "L"
    assert T.RandomApply([T.Grayscale()], p=0.0)(image()).mode == "RGB"


def test_random_choice_respects_weights():
    pick = T.RandomChoice([T.Lambda(lambda x: "a"), T.Lambda(lambda x: "b")], p=[0.0, 1.0])
    assert {pick(None) for _ in range(10)} == {"b"}
    with pytest.raises(ValueError, match="Length of p doesn't match the number of transforms: "
                                         "1 != 2"):
        T.RandomChoice([T.Grayscale(), T.Grayscale()], p=[1.0])


def test_pad_transform_and_convert_dtype():
    assert T.Pad((1, 2))(ember.ones(1, 2, 2)).shape == (1, 6, 4)
    out = T.ConvertImageDtype(ember.uint8)(ember.ones(1, 1, 1))
    assert out.dtype == ember.uint8 and out.item() == 255


def test_to_pil_then_pil_to_tensor_round_trip():
    x = ember.tensor(np.arange(12, dtype=np.uint8).reshape(3, 2, 2))
    assert T.PILToTensor()(T.ToPILImage()(x)).tolist() == x.tolist()
