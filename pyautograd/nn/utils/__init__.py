"""nn.utils: gradient clipping and flattening parameters into one vector."""

from . import parametrizations as parametrizations
from . import parametrize as parametrize
from . import prune as prune
from . import rnn as rnn
from . import stateless as stateless
from .clip_grad import clip_grad_norm_ as clip_grad_norm_
from .clip_grad import clip_grad_value_ as clip_grad_value_
from .convert_parameters import parameters_to_vector as parameters_to_vector
from .convert_parameters import vector_to_parameters as vector_to_parameters
from .fusion_extra import clip_grad_norm as clip_grad_norm
from .fusion_extra import clip_grads_with_norm_ as clip_grads_with_norm_
from .fusion_extra import fuse_conv_bn_eval as fuse_conv_bn_eval
from .fusion_extra import fuse_conv_bn_weights as fuse_conv_bn_weights
from .fusion_extra import fuse_linear_bn_eval as fuse_linear_bn_eval
from .fusion_extra import fuse_linear_bn_weights as fuse_linear_bn_weights
from .fusion_extra import get_total_norm as get_total_norm
from .fusion_extra import skip_init as skip_init
from .spectral_norm import remove_spectral_norm as remove_spectral_norm
from .spectral_norm import spectral_norm as spectral_norm
from .weight_norm import remove_weight_norm as remove_weight_norm
from .weight_norm import weight_norm as weight_norm

__all__ = [
    "clip_grad_norm",
    "clip_grad_norm_",
    "clip_grad_value_",
    "clip_grads_with_norm_",
    "fuse_conv_bn_eval",
    "fuse_conv_bn_weights",
    "fuse_linear_bn_eval",
    "fuse_linear_bn_weights",
    "get_total_norm",
    "parameters_to_vector",
    "parametrizations",
    "parametrize",
    "prune",
    "remove_spectral_norm",
    "remove_weight_norm",
    "rnn",
    "skip_init",
    "spectral_norm",
    "stateless",
    "vector_to_parameters",
    "weight_norm",
]
