"""``torch.X`` functions that are other APIs under their ATen names and argument orders.

PyTorch exposes its kernels at the top level: ``torch.batch_norm(input, weight, bias,
running_mean, running_var, training, momentum, eps, cudnn_enabled)`` is
``nn.functional.batch_norm`` with its arguments in another order, ``torch.abs_(t)`` is
``t.abs_()``, ``torch.kl_div(input, target, 1)`` takes the reduction as a number. Code
written against those names calls them; here each is a thin translation to the one
implementation ember has. Loaded on first use, so ``import ember`` stays light.
"""
from __future__ import annotations

_REDUCTIONS = ("none", "mean", "sum")
_GRID_MODES = ("bilinear", "nearest", "bicubic")
_GRID_PADDINGS = ("zeros", "border", "reflection")


def _F():
    from .nn import functional
    return functional


def _reduction(value) -> str:
    return _REDUCTIONS[value] if isinstance(value, int) else value


# -- normalisation and lookups ------------------------------------------------------------
def batch_norm(input, weight, bias, running_mean, running_var, training: bool,
               momentum: float, eps: float, cudnn_enabled: bool = True):
    """``nn.functional.batch_norm`` in ATen's argument order."""
    return _F().batch_norm(input, running_mean, running_var, weight, bias, training, momentum,
                           eps)


def instance_norm(input, weight, bias, running_mean, running_var, use_input_stats: bool,
                  momentum: float, eps: float, cudnn_enabled: bool = True):
    """``nn.functional.instance_norm`` in ATen's argument order."""
    return _F().instance_norm(input, running_mean, running_var, weight, bias,
                              use_input_stats, momentum, eps)


def layer_norm(input, normalized_shape, weight=None, bias=None, eps: float = 1e-5,
               cudnn_enable: bool = True):
    """``nn.functional.layer_norm``."""
    return _F().layer_norm(input, normalized_shape, weight, bias, eps)


def group_norm(input, num_groups: int, weight=None, bias=None, eps: float = 1e-5,
               cudnn_enabled: bool = True):
    """``nn.functional.group_norm``."""
    return _F().group_norm(input, num_groups, weight, bias, eps)


def rms_norm(input, normalized_shape, weight=None, eps=None):
    """``nn.functional.rms_norm``."""
    return _F().rms_norm(input, normalized_shape, weight, eps)


def embedding(weight, indices, padding_idx: int = -1, scale_grad_by_freq: bool = False,
              sparse: bool = False):
    """``nn.functional.embedding`` with the table first (``padding_idx=-1``: none)."""
    return _F().embedding(indices, weight, None if padding_idx == -1 else padding_idx,
                          scale_grad_by_freq=scale_grad_by_freq, sparse=sparse)


def constant_pad_nd(input, pad, value: float = 0):
    """``nn.functional.pad`` with a constant."""
    return _F().pad(input, list(pad), "constant", value)


# -- pooling ------------------------------------------------------------------------------
def max_pool1d(input, kernel_size, stride=(), padding=0, dilation=1, ceil_mode=False):
    """1-D max pooling (values only)."""
    return _F().max_pool1d(input, kernel_size, stride or None, padding, dilation, ceil_mode)


def max_pool2d(input, kernel_size, stride=(), padding=0, dilation=1, ceil_mode=False):
    """2-D max pooling (values only)."""
    return _F().max_pool2d(input, kernel_size, stride or None, padding, dilation, ceil_mode)


def max_pool3d(input, kernel_size, stride=(), padding=0, dilation=1, ceil_mode=False):
    """3-D max pooling (values only)."""
    return _F().max_pool3d(input, kernel_size, stride or None, padding, dilation, ceil_mode)


def max_pool1d_with_indices(input, kernel_size, stride=(), padding=0, dilation=1,
                            ceil_mode=False):
    """1-D max pooling: values and indices."""
    return _F().max_pool1d(input, kernel_size, stride or None, padding, dilation, ceil_mode,
                           True)


def avg_pool1d(input, kernel_size, stride=(), padding=0, ceil_mode=False,
               count_include_pad=True):
    """1-D average pooling."""
    return _F().avg_pool1d(input, kernel_size, stride or None, padding, ceil_mode,
                           count_include_pad)


def adaptive_avg_pool1d(input, output_size):
    """1-D adaptive average pooling."""
    return _F().adaptive_avg_pool1d(input, output_size)


def adaptive_max_pool1d(input, output_size):
    """1-D adaptive max pooling: values and indices."""
    return _F().adaptive_max_pool1d(input, output_size, True)


# -- losses with the reduction as a number (0 none, 1 mean, 2 sum); PyTorch's top-level
# forms leave the loss unreduced unless a reduction is passed ------------------------------
def kl_div(input, target, reduction=0, *, log_target: bool = False):
    """``nn.functional.kl_div`` (elementwise unless reduced; ``reduction`` may be 0/1/2)."""
    red = _reduction(reduction)
    if red == "mean":  # ATen's mean is over elements; the functional form warns about it
        return _F().kl_div(input, target, reduction="sum", log_target=log_target) / \
            input.numel()
    return _F().kl_div(input, target, reduction=red, log_target=log_target)


def cosine_embedding_loss(input1, input2, target, margin: float = 0.0, reduction=0):
    """``nn.functional.cosine_embedding_loss``."""
    return _F().cosine_embedding_loss(input1, input2, target, margin,
                                      reduction=_reduction(reduction))


def hinge_embedding_loss(input, target, margin: float = 1.0, reduction=0):
    """``nn.functional.hinge_embedding_loss``."""
    return _F().hinge_embedding_loss(input, target, margin, reduction=_reduction(reduction))


def margin_ranking_loss(input1, input2, target, margin: float = 0.0, reduction=0):
    """``nn.functional.margin_ranking_loss``."""
    return _F().margin_ranking_loss(input1, input2, target, margin,
                                    reduction=_reduction(reduction))


def poisson_nll_loss(input, target, log_input: bool, full: bool, eps: float, reduction):
    """``nn.functional.poisson_nll_loss``."""
    return _F().poisson_nll_loss(input, target, log_input, full, eps=eps,
                                 reduction=_reduction(reduction))


def triplet_margin_loss(anchor, positive, negative, margin: float = 1.0, p: float = 2,
                        eps: float = 1e-6, swap: bool = False, reduction=0):
    """``nn.functional.triplet_margin_loss``."""
    return _F().triplet_margin_loss(anchor, positive, negative, margin, p, eps, swap,
                                    reduction=_reduction(reduction))


def binary_cross_entropy_with_logits(input, target, weight=None, pos_weight=None,
                                     reduction=0):
    """``nn.functional.binary_cross_entropy_with_logits``."""
    return _F().binary_cross_entropy_with_logits(input, target, weight,
                                                 reduction=_reduction(reduction),
                                                 pos_weight=pos_weight)


def ctc_loss(log_probs, targets, input_lengths, target_lengths, blank: int = 0, reduction=0,
             zero_infinity: bool = False):
    """``nn.functional.ctc_loss``."""
    return _F().ctc_loss(log_probs, targets, input_lengths, target_lengths, blank,
                         _reduction(reduction), zero_infinity)


# -- activations and dropout in place -------------------------------------------------------
def rrelu(input, lower: float = 1.0 / 8, upper: float = 1.0 / 3, training: bool = False,
          generator=None):
    """Randomised leaky ReLU."""
    return _F().rrelu(input, lower, upper, training)


def rrelu_(input, lower: float = 1.0 / 8, upper: float = 1.0 / 3, training: bool = False,
           generator=None):
    """Randomised leaky ReLU, in place."""
    return _F().rrelu(input, lower, upper, training, inplace=True)


def relu_(input):
    """ReLU in place."""
    return _F().relu(input, inplace=True)


def selu_(input):
    """SELU in place."""
    return _F().selu(input, inplace=True)


def celu_(input, alpha: float = 1.0):
    """CELU in place."""
    return _F().celu(input, alpha, inplace=True)


def threshold_(input, threshold: float, value: float):
    """Threshold in place."""
    return _F().threshold(input, threshold, value, inplace=True)


def dropout_(input, p: float, train: bool):
    """Dropout in place."""
    return _F().dropout(input, p, train, inplace=True)


def alpha_dropout_(input, p: float, train: bool):
    """Alpha dropout in place."""
    return _F().alpha_dropout(input, p, train, inplace=True)


def feature_dropout_(input, p: float, train: bool):
    """Channel dropout in place."""
    return _F().dropout2d(input, p, train, inplace=True)


def feature_alpha_dropout(input, p: float, train: bool):
    """Channel-wise alpha dropout."""
    return _F().feature_alpha_dropout(input, p, train)


def feature_alpha_dropout_(input, p: float, train: bool):
    """Channel-wise alpha dropout in place."""
    return _F().feature_alpha_dropout(input, p, train, inplace=True)


# -- spatial transformers -------------------------------------------------------------------
def grid_sampler(input, grid, interpolation_mode: int, padding_mode: int,
                 align_corners: bool):
    """``nn.functional.grid_sample`` with the modes as numbers."""
    return _F().grid_sample(input, grid, _GRID_MODES[interpolation_mode],
                            _GRID_PADDINGS[padding_mode], align_corners)


def affine_grid_generator(theta, size, align_corners: bool):
    """``nn.functional.affine_grid``."""
    return _F().affine_grid(theta, size, align_corners)


# -- functions that are tensor methods -----------------------------------------------------
_METHOD_FORMS = (
    "abs_ acos_ acosh_ addmv_ arccos_ arccosh_ arcsin_ arcsinh_ arctan_ arctanh_ asin_ asinh_ "
    "atan_ atanh_ ceil_ clamp_ clamp_max_ clamp_min_ clip_ cos_ cosh_ deg2rad_ detach_ erf_ "
    "erfc_ exp2_ exp_ expm1_ fill_ fix_ floor_ frac_ log10_ log1p_ log2_ log_ logit_ "
    "nan_to_num_ neg_ negative_ rad2deg_ reciprocal_ round_ rsqrt_ sigmoid_ sin_ sinh_ sqrt_ "
    "square_ tan_ tanh_ trunc_ xlogy_ zero_ index_put_ detach get_device i0_ sinc_ "
    "gcd_ lcm_ ldexp_").split()


def _method_form(name: str):
    def call(input, *args, **kwargs):
        return getattr(input, name)(*args, **kwargs)
    call.__name__ = call.__qualname__ = name
    call.__doc__ = f"``input.{name}(...)`` as a function."
    return call


for _name in _METHOD_FORMS:
    globals()[_name] = _method_form(_name)


def fill(input, value):
    """A new tensor shaped like ``input`` filled with ``value``."""
    return input.clone().fill_(value)


__all__ = sorted(n for n, v in list(globals().items())
                 if callable(v) and not n.startswith("_") and n != "annotations")
