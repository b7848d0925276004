"""Convolutions, padding, resampling and fold/unfold against PyTorch."""
import math

import numpy as np
import pytest

torch = pytest.importorskip("torch", reason="differential tests need PyTorch as the reference")
import torch.nn.functional as TF  # noqa: E402
from hypothesis import given, settings, strategies as st  # noqa: E402

import ember  # noqa: E402
import ember.nn as nn  # noqa: E402
import ember.nn.functional as F  # noqa: E402
from helpers import check_error, check_op, gradcheck_op, to_ember  # noqa: E402

rng = np.random.default_rng(0)


def randn(*shape):
    return rng.standard_normal(shape).astype(np.float32)


@settings(max_examples=20, deadline=None)
@given(n=st.sampled_from([1, 2, 3]), stride=st.integers(1, 2), padding=st.integers(0, 2),
       dilation=st.integers(1, 2), groups=st.sampled_from([1, 2]), bias=st.booleans(),
       batch=st.integers(1, 2))
def test_conv_matches_torch(n, stride, padding, dilation, groups, bias, batch):
    x = randn(batch, 2 * groups, *([7] * n))
    w = randn(2 * groups, 2, *([3] * n))
    b = randn(2 * groups) if bias else None
    ef = {1: F.conv1d, 2: F.conv2d, 3: F.conv3d}[n]
    tf = {1: TF.conv1d, 2: TF.conv2d, 3: TF.conv3d}[n]
    check_op(lambda x, w, b: ef(x, w, b, stride, padding, dilation, groups),
             lambda x, w, b: tf(x, w, b, stride, padding, dilation, groups), x, w, b,
             atol=1e-4)


@settings(max_examples=15, deadline=None)
@given(n=st.sampled_from([1, 2]), stride=st.integers(1, 3), padding=st.integers(0, 1),
       dilation=st.integers(1, 2), groups=st.sampled_from([1, 2]), opad=st.integers(0, 1))
def test_conv_transpose_matches_torch(n, stride, padding, dilation, groups, opad):
    opad = min(opad, max(stride, dilation) - 1)
    x = randn(2, 2 * groups, *([4] * n))
    w = randn(2 * groups, 3, *([3] * n))
    b = randn(3 * groups)
    ef = {1: F.conv_transpose1d, 2: F.conv_transpose2d}[n]
    tf = {1: TF.conv_transpose1d, 2: TF.conv_transpose2d}[n]
    check_op(lambda x, w, b: ef(x, w, b, stride, padding, opad, groups, dilation),
             lambda x, w, b: tf(x, w, b, stride, padding, opad, groups, dilation), x, w, b,
             atol=1e-4)


@pytest.mark.parametrize("padding", ["same", "valid"])
def test_conv2d_string_padding(padding):
    check_op(lambda x, w: F.conv2d(x, w, padding=padding, dilation=(1, 2)),
             lambda x, w: TF.conv2d(x, w, padding=padding, dilation=(1, 2)),
             randn(2, 3, 6, 7), randn(4, 3, 2, 3), atol=1e-4)


def test_conv2d_unbatched_input():
    check_op(F.conv2d, TF.conv2d, randn(3, 6, 6), randn(2, 3, 3, 3), atol=1e-4)


def test_conv_has_convolution_backward_node():
    x = ember.randn(1, 1, 4, 4, requires_grad=True)
    assert type(F.conv2d(x, ember.randn(1, 1, 2, 2)).grad_fn).__name__ == "ConvolutionBackward0"


def test_conv_gradients_second_order():
    r = np.random.default_rng(1)
    gradcheck_op(lambda x, w, b: F.conv2d(x, w, b, 2, 1, 1, 2),
                 r.standard_normal((1, 4, 5, 4)), r.standard_normal((2, 2, 3, 2)),
                 r.standard_normal(2))


def test_conv_gradients_second_order_unit_first_stride():
    # stride 1 on the first spatial axis: the lowering that shifts along that axis
    r = np.random.default_rng(4)
    gradcheck_op(lambda x, w, b: F.conv2d(x, w, b, (1, 2), (2, 1), (2, 1), 2),
                 r.standard_normal((2, 4, 5, 6)), r.standard_normal((4, 2, 3, 2)),
                 r.standard_normal(4))


def test_conv1d_gradients_second_order():
    r = np.random.default_rng(5)
    gradcheck_op(lambda x, w: F.conv1d(x, w, None, 1, 1, 2),
                 r.standard_normal((2, 3, 7)), r.standard_normal((2, 3, 3)))


def test_conv_transpose_gradients_second_order():
    r = np.random.default_rng(2)
    gradcheck_op(lambda x, w, b: F.conv_transpose2d(x, w, b, 2, 1, 1),
                 r.standard_normal((1, 2, 3, 3)), r.standard_normal((2, 2, 2, 3)),
                 r.standard_normal(2))


def test_conv_wrong_channels_error():
    check_error(F.conv2d, TF.conv2d, randn(1, 3, 28, 28), randn(6, 1, 5, 5))


def test_conv_unbatched_wrong_channels_error():
    check_error(F.conv2d, TF.conv2d, randn(3, 28, 28), randn(6, 1, 5, 5))


def test_conv_wrong_dims_error():
    check_error(F.conv2d, TF.conv2d, randn(28, 28), randn(6, 1, 5, 5))


def test_conv_kernel_too_large_error():
    check_error(F.conv2d, TF.conv2d, randn(1, 1, 3, 3), randn(6, 1, 5, 5))


def test_conv_bias_size_error():
    check_error(F.conv2d, TF.conv2d, randn(1, 1, 3, 3), randn(6, 1, 1, 1), randn(5))


def test_conv_dtype_mismatch_error():
    check_error(F.conv2d, TF.conv2d, randn(1, 1, 3, 3).astype(np.float64), randn(6, 1, 1, 1))


def test_conv_same_padding_strided_error():
    check_error(lambda x, w: F.conv2d(x, w, stride=2, padding="same"),
                lambda x, w: TF.conv2d(x, w, stride=2, padding="same"),
                randn(1, 1, 3, 3), randn(6, 1, 1, 1))


def test_conv_transpose_wrong_channels_error():
    check_error(F.conv_transpose2d, TF.conv_transpose2d, randn(1, 3, 3, 3), randn(2, 6, 1, 1))


def _copy_params(em, tm):
    em.load_state_dict({k: to_ember(v) for k, v in tm.state_dict().items()})


@pytest.mark.parametrize("mode", ["zeros", "reflect", "replicate", "circular"])
def test_conv2d_module_padding_modes(mode):
    tm = torch.nn.Conv2d(2, 3, 3, padding=1, padding_mode=mode)
    em = nn.Conv2d(2, 3, 3, padding=1, padding_mode=mode)
    _copy_params(em, tm)
    x = randn(2, 2, 5, 6)
    check_op(lambda x: em(x), lambda x: tm(x), x, atol=1e-5)


def test_conv_transpose_module_output_size():
    tm = torch.nn.ConvTranspose2d(2, 3, 3, stride=2, padding=1)
    em = nn.ConvTranspose2d(2, 3, 3, stride=2, padding=1)
    _copy_params(em, tm)
    x = randn(1, 2, 4, 4)
    check_op(lambda x: em(x, output_size=[8, 8]), lambda x: tm(x, output_size=[8, 8]), x)


@pytest.mark.parametrize("cls,args", [("Conv1d", (3, 4, 3)), ("Conv2d", (3, 4, (2, 3))),
                                      ("Conv3d", (2, 4, 2)), ("ConvTranspose2d", (3, 4, 3)),
                                      ("ConvTranspose1d", (3, 4, 2))])
def test_conv_module_state_dict_and_repr(cls, args):
    em, tm = getattr(nn, cls)(*args, bias=False), getattr(torch.nn, cls)(*args, bias=False)
    assert {k: tuple(v.shape) for k, v in em.state_dict().items()} == \
        {k: tuple(v.shape) for k, v in tm.state_dict().items()}
    assert repr(em) == repr(tm)


def test_conv2d_repr_with_options():
    kw = dict(stride=2, padding=1, dilation=2, groups=2, padding_mode="reflect")
    assert repr(nn.Conv2d(4, 6, 3, **kw)) == repr(torch.nn.Conv2d(4, 6, 3, **kw))


def test_conv2d_default_init_bounds():
    ember.manual_seed(0)
    m = nn.Conv2d(16, 32, 3)
    bound = 1 / math.sqrt(16 * 9)  # kaiming_uniform(a=sqrt(5)) over fan_in
    w = m.weight.detach().numpy()
    assert np.abs(w).max() <= bound and np.abs(w).max() > 0.95 * bound
    assert abs(w.std() - bound / math.sqrt(3)) < 0.05 * bound
    assert np.abs(m.bias.detach().numpy()).max() <= bound


# -- padding ---------------------------------------------------------------------------
@pytest.mark.parametrize("mode", ["constant", "reflect", "replicate", "circular"])
@pytest.mark.parametrize("pads", [(1, 2), (1, 2, 2, 1), (0, 1, 2, 1, 1, 0)])
def test_pad_modes(mode, pads):
    x = randn(*(2, 3, 4, 4, 5)[3 - len(pads) // 2:])
    check_op(lambda x: F.pad(x, pads, mode), lambda x: TF.pad(x, pads, mode), x)


def test_pad_constant_value_and_negative():
    check_op(lambda x: F.pad(x, (-1, 2, 1, -1), value=2.5),
             lambda x: TF.pad(x, (-1, 2, 1, -1), value=2.5), randn(2, 4, 5))


def test_pad_integer_tensor():
    x = ember.tensor([[1, 2], [3, 4]])
    assert F.pad(x, (0, 0, 1, 0), value=9).tolist() == [[9, 9], [1, 2], [3, 4]]


def test_pad_reflect_too_large_error():
    check_error(lambda x: F.pad(x, (4, 3), mode="reflect"),
                lambda x: TF.pad(x, (4, 3), mode="reflect"), randn(1, 2, 4))


def test_pad_odd_length_error():
    check_error(lambda x: F.pad(x, (4, 3, 1)), lambda x: TF.pad(x, (4, 3, 1)), randn(1, 2, 4))


@pytest.mark.parametrize("name,args", [("ZeroPad2d", (2,)), ("ConstantPad1d", ((1, 2), 3.5)),
                                       ("ReflectionPad2d", ((1, 0, 2, 1),)),
                                       ("ReplicationPad1d", ((1, 2),)),
                                       ("CircularPad2d", (1,))])
def test_padding_modules(name, args):
    em, tm = getattr(nn, name)(*args), getattr(torch.nn, name)(*args)
    assert repr(em) == repr(tm)
    check_op(lambda x: em(x), lambda x: tm(x), randn(2, 3, 5) if "1d" in name else
             randn(2, 3, 4, 5))


def test_pad_gradients_second_order():
    gradcheck_op(lambda x: F.pad(x, (1, 2, 1, 0), "reflect"), randn(1, 2, 3, 4))


# -- resampling ---------------------------------------------------------------------------
@pytest.mark.parametrize("mode,align", [("nearest", None), ("nearest-exact", None),
                                        ("bilinear", False), ("bilinear", True),
                                        ("bicubic", False), ("area", None)])
@pytest.mark.parametrize("how", [{"scale_factor": 1.7}, {"size": (7, 4)},
                                 {"scale_factor": (2, 0.5)}])
def test_interpolate_2d(mode, align, how):
    check_op(lambda x: F.interpolate(x, mode=mode, align_corners=align, **how),
             lambda x: TF.interpolate(x, mode=mode, align_corners=align, **how),
             randn(2, 3, 5, 6))


@pytest.mark.parametrize("mode,shape", [("linear", (2, 3, 5)), ("trilinear", (1, 2, 3, 4, 5)),
                                        ("nearest", (2, 3, 5))])
def test_interpolate_other_dims(mode, shape):
    check_op(lambda x: F.interpolate(x, scale_factor=2, mode=mode),
             lambda x: TF.interpolate(x, scale_factor=2, mode=mode), randn(*shape))


def test_interpolate_errors():
    check_error(lambda x: F.interpolate(x, scale_factor=2, mode="bilinear"),
                lambda x: TF.interpolate(x, scale_factor=2, mode="bilinear"), randn(1, 1, 4))
    check_error(lambda x: F.interpolate(x, size=3, scale_factor=2),
                lambda x: TF.interpolate(x, size=3, scale_factor=2), randn(1, 1, 4, 4))


def test_upsample_module():
    em, tm = nn.Upsample(scale_factor=2, mode="bilinear"), \
        torch.nn.Upsample(scale_factor=2, mode="bilinear")
    assert repr(em) == repr(tm)
    check_op(lambda x: em(x), lambda x: tm(x), randn(1, 2, 3, 4))


def test_interpolate_gradients_second_order():
    gradcheck_op(lambda x: F.interpolate(x, scale_factor=2, mode="bilinear"),
                 randn(1, 1, 2, 3))


# -- fold / unfold / pixel shuffle ------------------------------------------------------
def test_unfold_matches_torch():
    check_op(lambda x: F.unfold(x, (2, 3), 2, 1, 2), lambda x: TF.unfold(x, (2, 3), 2, 1, 2),
             randn(2, 3, 7, 8))


def test_fold_matches_torch():
    check_op(lambda x: F.fold(x, (5, 6), (2, 3), 1, 1), lambda x: TF.fold(x, (5, 6), (2, 3), 1, 1),
             randn(2, 12, 36))


def test_fold_bad_channels_error():
    check_error(lambda x: F.fold(x, (3, 3), 2), lambda x: TF.fold(x, (3, 3), 2), randn(1, 7, 4))


def test_fold_unfold_gradients_second_order():
    gradcheck_op(lambda x: F.fold(F.unfold(x, 2, padding=1), (3, 4), 2, padding=1),
                 randn(1, 2, 3, 4))


def test_pixel_shuffle_roundtrip_matches_torch():
    check_op(lambda x: F.pixel_unshuffle(F.pixel_shuffle(x, 2), 2) * F.pixel_shuffle(x, 2).sum(),
             lambda x: TF.pixel_unshuffle(TF.pixel_shuffle(x, 2), 2) *
             TF.pixel_shuffle(x, 2).sum(), randn(2, 8, 3, 4))
