"""ember.vision.transforms.functional on tensors and PIL images, against hand-computed values."""
import numpy as np
import pytest

import ember
from ember.vision.transforms import functional as F
from ember.vision.transforms.functional import InterpolationMode as IM

Image = pytest.importorskip("PIL.Image", reason="PIL images need Pillow")


def t(arr):
    return ember.tensor(np.asarray(arr))


def test_to_tensor_scales_uint8_and_moves_channels_first():
    arr = np.arange(12, dtype=np.uint8).reshape(2, 2, 3)
    out = F.to_tensor(arr)
    assert out.shape == (3, 2, 2) and out.dtype == ember.float32
    assert abs(out[2, 1, 1].item() - 11 / 255) < 1e-7


def test_to_tensor_keeps_float_arrays():
    out = F.to_tensor(np.ones((2, 2), np.float64))
    assert out.dtype == ember.float64 and out.shape == (1, 2, 2)


def test_to_tensor_on_pil_gray_and_binary():
    assert F.to_tensor(Image.fromarray(np.full((2, 3), 255, np.uint8))).tolist() == [[[1.0] * 3] * 2]
    binary = Image.fromarray(np.array([[True, False]]))
    assert F.to_tensor(binary).tolist() == [[[1.0, 0.0]]]


def test_pil_to_tensor_keeps_uint8():
    img = Image.fromarray(np.arange(12, dtype=np.uint8).reshape(2, 2, 3))
    out = F.pil_to_tensor(img)
    assert out.dtype == ember.uint8 and out[:, 0, 1].tolist() == [3, 4, 5]


def test_to_pil_image_round_trip_float():
    x = t(np.array([[[0.0, 1.0]], [[0.5, 0.2]], [[1.0, 0.0]]], np.float32))
    img = F.to_pil_image(x)
    assert img.mode == "RGB" and np.array(img).tolist() == [[[0, 127, 255], [255, 51, 0]]]


def test_to_pil_image_modes_and_errors():
    assert F.to_pil_image(np.zeros((2, 2), np.uint8)).mode == "L"
    assert F.to_pil_image(np.zeros((2, 2, 4), np.uint8)).mode == "RGBA"
    with pytest.raises(ValueError, match="pic should not have > 4 channels. Got 5 channels."):
        F.to_pil_image(np.zeros((2, 2, 5), np.uint8))
    with pytest.raises(ValueError, match="Incorrect mode"):
        F.to_pil_image(np.zeros((2, 2), np.uint8), mode="F")


def test_normalize_per_channel():
    x = ember.ones(2, 1, 2)
    out = F.normalize(x, (0.5, 1.0), (0.5, 2.0))
    assert out.tolist() == [[[1.0, 1.0]], [[0.0, 0.0]]] and x.tolist()[0] == [[1.0, 1.0]]


def test_normalize_inplace_writes_input():
    x = ember.ones(1, 1, 2)
    assert F.normalize(x, (1.0,), (1.0,), inplace=True) is x and x.tolist() == [[[0.0, 0.0]]]


def test_normalize_errors():
    with pytest.raises(TypeError, match="Input tensor should be a float tensor. Got torch.uint8."):
        F.normalize(ember.zeros(1, 2, 2, dtype=ember.uint8), (0,), (1,))
    with pytest.raises(ValueError, match="std evaluated to zero"):
        F.normalize(ember.zeros(1, 2, 2), (0,), (0,))
    with pytest.raises(ValueError, match="Expected tensor to be a tensor image of size"):
        F.normalize(ember.zeros(2, 2), (0,), (1,))


def test_resize_int_sets_shorter_edge():
    assert F.resize(ember.zeros(3, 10, 20), 5).shape == (3, 5, 10)
    assert F.resize(Image.new("RGB", (20, 10)), 5).size == (10, 5)


def test_resize_max_size_caps_longer_edge():
    assert F.resize(ember.zeros(1, 10, 40), 5, max_size=12).shape == (1, 3, 12)


def test_resize_bilinear_upsample_by_two_hand_computed():
    out = F.resize(t(np.array([[[0.0, 4.0]]], np.float32)), [1, 4], antialias=False)
    # half-pixel centres: sources -0.25, 0.25, 0.75, 1.25 -> clamped then interpolated
    assert np.allclose(np.asarray(out), [[[0.0, 1.0, 3.0, 4.0]]])


def test_resize_antialiased_downsample_averages():
    out = F.resize(t(np.array([[[0.0, 2.0, 4.0, 6.0]]], np.float32)), [1, 2])
    # triangle filter stretched to radius 2: weights 0.75, 0.75, 0.25 (then normalised)
    assert np.allclose(np.asarray(out), [[[2.5 / 1.75, 8 / 1.75]]])


def test_resize_nearest_picks_pixels():
    out = F.resize(t(np.arange(4, dtype=np.uint8).reshape(1, 2, 2)), [4, 4], IM.NEAREST)
    assert np.asarray(out)[0].tolist() == [[0, 0, 1, 1], [0, 0, 1, 1], [2, 2, 3, 3], [2, 2, 3, 3]]


def test_resize_uint8_tensor_close_to_pil():
    rng = np.random.default_rng(0)
    u = rng.integers(0, 256, (20, 30, 3), dtype=np.uint8)
    pil = np.asarray(F.resize(Image.fromarray(u), [7, 11])).transpose(2, 0, 1).astype(int)
    ten = np.asarray(F.resize(t(u.transpose(2, 0, 1)), [7, 11]))
    assert ten.dtype == np.uint8 and np.abs(pil - ten).max() <= 1


def test_center_crop_picks_middle_and_pads_when_larger():
    x = t(np.arange(16, dtype=np.float32).reshape(1, 4, 4))
    assert F.center_crop(x, 2).tolist() == [[[5.0, 6.0], [9.0, 10.0]]]
    out = F.center_crop(ember.ones(1, 2, 2), [4, 3])
    assert np.asarray(out)[0].tolist() == [[0, 0, 0], [1, 1, 0], [1, 1, 0], [0, 0, 0]]


def test_crop_outside_is_zero():
    x = ember.ones(1, 2, 2)
    assert np.asarray(F.crop(x, -1, 0, 2, 3))[0].tolist() == [[0, 0, 0], [1, 1, 0]]


def test_crop_pil_matches_tensor():
    arr = np.arange(25, dtype=np.uint8).reshape(5, 5)
    assert np.array(F.crop(Image.fromarray(arr), 1, 2, 2, 3)).tolist() == arr[1:3, 2:5].tolist()


def test_flips():
    x = t(np.array([[[1, 2], [3, 4]]]))
    assert F.hflip(x).tolist() == [[[2, 1], [4, 3]]]
    assert F.vflip(x).tolist() == [[[3, 4], [1, 2]]]
    img = Image.fromarray(np.array([[1, 2]], np.uint8))
    assert np.array(F.hflip(img)).tolist() == [[2, 1]]


@pytest.mark.parametrize("mode, expected", [
    ("constant", [[9, 9, 9, 9, 9], [9, 1, 2, 9, 9]]),
    ("edge", [[1, 1, 2, 2, 2], [1, 1, 2, 2, 2]]),
    ("reflect", [[2, 1, 2, 1, 2], [2, 1, 2, 1, 2]]),
    ("symmetric", [[1, 1, 2, 2, 1], [1, 1, 2, 2, 1]]),
])
def test_pad_modes(mode, expected):
    x = t(np.array([[[1, 2]]]))
    out = F.pad(x, [1, 1, 2, 0], fill=9, padding_mode=mode)
    assert out.tolist() == [expected]


def test_pad_pil_fill_per_channel():
    img = Image.new("RGB", (1, 1), (1, 2, 3))
    out = np.array(F.pad(img, 1, fill=(7, 8, 9)))
    assert out.shape == (3, 3, 3) and out[0, 0].tolist() == [7, 8, 9]
    assert out[1, 1].tolist() == [1, 2, 3]


def test_pad_errors():
    with pytest.raises(ValueError, match="Padding must be an int or a 1, 2, or 4 element tuple, "
                                         "not a 3 element tuple"):
        F.pad(ember.zeros(1, 2, 2), [1, 2, 3])


def test_rotate_90_tensor_equals_rot90_and_pil():
    arr = np.arange(16, dtype=np.uint8).reshape(4, 4)
    out = np.asarray(F.rotate(t(arr[None]), 90))[0]
    assert out.tolist() == np.rot90(arr).tolist()
    assert np.array(F.rotate(Image.fromarray(arr), 90)).tolist() == np.rot90(arr).tolist()


def test_rotate_expand_grows_canvas():
    assert F.rotate(ember.ones(1, 4, 6), 90, expand=True).shape == (1, 6, 4)
    assert F.rotate(Image.new("L", (4, 4)), 45, expand=True).size == \
        tuple(F.rotate(ember.ones(1, 4, 4), 45, expand=True).shape[1:])


def test_rotate_fills_uncovered_area():
    out = np.asarray(F.rotate(ember.ones(1, 5, 5), 45, fill=[5.0]))
    assert out[0, 0, 0] == 5.0 and out[0, 2, 2] == 1.0


def test_brightness_scales_and_clamps():
    out = F.adjust_brightness(t(np.array([[[0.2, 0.8]]], np.float32)), 1.5)
    assert np.allclose(np.asarray(out), [[[0.3, 1.0]]])


def test_contrast_blends_with_mean_gray():
    x = t(np.array([[[0.0, 1.0]]] * 3, np.float32))
    out = np.asarray(F.adjust_contrast(x, 0.5))
    gray_mean = 0.5 * (0.2989 + 0.587 + 0.114)
    assert np.allclose(out[0], [[0.5 * gray_mean, 0.5 + 0.5 * gray_mean]], atol=1e-6)


def test_saturation_zero_gives_gray():
    x = t(np.array([[[1.0]], [[0.0]], [[0.0]]], np.float32))
    assert np.allclose(np.asarray(F.adjust_saturation(x, 0.0)).ravel(), [0.2989] * 3, atol=1e-6)


def test_hue_shift_by_a_third_cycles_rgb():
    red = t(np.array([[[1.0]], [[0.0]], [[0.0]]], np.float32))
    assert np.allclose(np.asarray(F.adjust_hue(red, 1 / 3)).ravel(), [0, 1, 0], atol=1e-6)
    with pytest.raises(ValueError, match=r"hue_factor \(0.7\) is not in \[-0.5, 0.5\]."):
        F.adjust_hue(red, 0.7)


def test_pil_color_adjustments_keep_mode_and_size():
    img = Image.new("RGB", (3, 2), (200, 40, 10))
    for fn, f in ((F.adjust_brightness, 0.5), (F.adjust_contrast, 2.0),
                  (F.adjust_saturation, 0.0), (F.adjust_hue, 0.2)):
        out = fn(img, f)
        assert out.mode == "RGB" and out.size == (3, 2)
    assert np.array(F.adjust_brightness(img, 0.5))[0, 0].tolist() == [100, 20, 5]


def test_rgb_to_grayscale():
    x = t(np.array([[[255]], [[0]], [[0]]], np.uint8))
    assert F.rgb_to_grayscale(x).tolist() == [[[76]]]  # 0.2989 * 255 truncated
    assert F.rgb_to_grayscale(x, 3).shape == (3, 1, 1)
    with pytest.raises(TypeError, match="permitted channel values are \\[1, 3\\], but found 2"):
        F.rgb_to_grayscale(ember.zeros(2, 1, 1))


def test_convert_image_dtype():
    assert F.convert_image_dtype(t(np.array([0, 255], np.uint8)), ember.float32).tolist() == \
        [0.0, 1.0]
    assert F.convert_image_dtype(t(np.array([0.0, 1.0], np.float32)), ember.uint8).tolist() == \
        [0, 255]
    assert F.convert_image_dtype(t(np.array([255], np.uint8)), ember.int16).tolist() == [32640]
    with pytest.raises(RuntimeError, match="The cast from torch.float32 to torch.int32 cannot be "
                                           "performed safely."):
        F.convert_image_dtype(ember.zeros(1), ember.int32)


def test_get_dimensions_and_size():
    assert F.get_dimensions(ember.zeros(3, 4, 5)) == [3, 4, 5]
    assert F.get_image_size(Image.new("RGB", (5, 4))) == [5, 4]
    with pytest.raises(TypeError, match="img should be PIL Image or Tensor"):
        F.get_dimensions([1])
