"""``torchvision.models``: the image classification model zoo, with torchvision's builders,
module names and state_dict keys. Pretrained weights are read from the hub cache only."""
from ._api import get_model, get_model_builder, get_model_weights, get_weight, list_models
from ._api import Weights, WeightsEnum
from .alexnet import *  # noqa: F401,F403
from .convnext import *  # noqa: F401,F403
from .densenet import *  # noqa: F401,F403
from .efficientnet import *  # noqa: F401,F403
from .googlenet import *  # noqa: F401,F403
from .inception import *  # noqa: F401,F403
from .mnasnet import *  # noqa: F401,F403
from .mobilenetv2 import *  # noqa: F401,F403
from .mobilenetv3 import *  # noqa: F401,F403
from .regnet import *  # noqa: F401,F403
from .resnet import *  # noqa: F401,F403
from .shufflenetv2 import *  # noqa: F401,F403
from .squeezenet import *  # noqa: F401,F403
from .swin_transformer import *  # noqa: F401,F403
from .vgg import *  # noqa: F401,F403
from .vision_transformer import *  # noqa: F401,F403

# torchvision exposes the two MobileNet files under one name as well
from . import mobilenetv2, mobilenetv3  # noqa: E402,F401
mobilenet = mobilenetv3

__all__ = ["get_model", "get_model_builder", "get_model_weights", "get_weight", "list_models",
           "Weights", "WeightsEnum"]
