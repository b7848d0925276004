"""``torchvision.ops``: box operations, region pooling, and the layers the models share."""
from .boxes import (batched_nms, box_area, box_convert, box_iou, clip_boxes_to_image,
                    generalized_box_iou, masks_to_boxes, nms, remove_small_boxes)
from .feature_pyramid_network import FeaturePyramidNetwork
from .misc import (MLP, Conv2dNormActivation, Conv3dNormActivation, FrozenBatchNorm2d,
                   Permute, SqueezeExcitation)
from .roi_align import RoIAlign, roi_align
from .roi_pool import RoIPool, roi_pool
from .stochastic_depth import StochasticDepth, stochastic_depth

__all__ = ["batched_nms", "box_area", "box_convert", "box_iou", "clip_boxes_to_image",
           "generalized_box_iou", "masks_to_boxes", "nms", "remove_small_boxes",
           "FeaturePyramidNetwork", "MLP", "Conv2dNormActivation", "Conv3dNormActivation",
           "FrozenBatchNorm2d", "Permute", "SqueezeExcitation", "RoIAlign", "roi_align",
           "RoIPool", "roi_pool", "StochasticDepth", "stochastic_depth"]
