"""pyautograd.nn.functional: the functions behind the nn layers and losses, as in PyTorch.

Losses, layer_norm and batch_norm run as fused C++ kernels; linear, bilinear and dropout are
compositions of core ops; the activations are core ops.
"""

from ._functional.activation import elu as elu
from ._functional.activation import gelu as gelu
from ._functional.activation import hardtanh as hardtanh
from ._functional.activation import leaky_relu as leaky_relu
from ._functional.activation import log_softmax as log_softmax
from ._functional.activation import relu as relu
from ._functional.activation import relu6 as relu6
from ._functional.activation import sigmoid as sigmoid
from ._functional.activation import silu as silu
from ._functional.activation import softmax as softmax
from ._functional.activation import softplus as softplus
from ._functional.activation import tanh as tanh
from ._functional.activation_extra import celu as celu
from ._functional.activation_extra import celu_ as celu_
from ._functional.activation_extra import glu as glu
from ._functional.activation_extra import hardshrink as hardshrink
from ._functional.activation_extra import hardsigmoid as hardsigmoid
from ._functional.activation_extra import hardswish as hardswish
from ._functional.activation_extra import logsigmoid as logsigmoid
from ._functional.activation_extra import mish as mish
from ._functional.activation_extra import prelu as prelu
from ._functional.activation_extra import selu as selu
from ._functional.activation_extra import selu_ as selu_
from ._functional.activation_extra import softmin as softmin
from ._functional.activation_extra import softshrink as softshrink
from ._functional.activation_extra import softsign as softsign
from ._functional.activation_extra import tanhshrink as tanhshrink
from ._functional.activation_extra import threshold as threshold
from ._functional.activation_extra import threshold_ as threshold_
from ._functional.attention import multi_head_attention_forward as multi_head_attention_forward
from ._functional.attention import scaled_dot_product_attention as scaled_dot_product_attention
from ._functional.conv import adaptive_avg_pool1d as adaptive_avg_pool1d
from ._functional.conv import adaptive_avg_pool2d as adaptive_avg_pool2d
from ._functional.conv import adaptive_max_pool1d as adaptive_max_pool1d
from ._functional.conv import adaptive_max_pool2d as adaptive_max_pool2d
from ._functional.conv import avg_pool1d as avg_pool1d
from ._functional.conv import avg_pool2d as avg_pool2d
from ._functional.conv import conv1d as conv1d
from ._functional.conv import conv2d as conv2d
from ._functional.conv import dropout1d as dropout1d
from ._functional.conv import dropout2d as dropout2d
from ._functional.conv import max_pool1d as max_pool1d
from ._functional.conv import max_pool2d as max_pool2d
from ._functional.conv import pad as pad
from ._functional.conv3d import adaptive_avg_pool3d as adaptive_avg_pool3d
from ._functional.conv3d import adaptive_max_pool3d as adaptive_max_pool3d
from ._functional.conv3d import adaptive_max_pool3d_with_indices as adaptive_max_pool3d_with_indices
from ._functional.conv3d import avg_pool3d as avg_pool3d
from ._functional.conv3d import conv3d as conv3d
from ._functional.conv3d import conv_transpose3d as conv_transpose3d
from ._functional.conv3d import lp_pool3d as lp_pool3d
from ._functional.conv3d import max_pool3d as max_pool3d
from ._functional.conv3d import max_pool3d_with_indices as max_pool3d_with_indices
from ._functional.conv_transpose import conv_transpose1d as conv_transpose1d
from ._functional.conv_transpose import conv_transpose2d as conv_transpose2d
from ._functional.ctc import ctc_loss as ctc_loss
from ._functional.distance import cosine_similarity as cosine_similarity
from ._functional.distance import normalize as normalize
from ._functional.distance import pairwise_distance as pairwise_distance
from ._functional.dropout_extra import alpha_dropout as alpha_dropout
from ._functional.dropout_extra import dropout3d as dropout3d
from ._functional.dropout_extra import feature_alpha_dropout as feature_alpha_dropout
from ._functional.dropout_extra import gumbel_softmax as gumbel_softmax
from ._functional.dropout_extra import rrelu as rrelu
from ._functional.dropout_extra import rrelu_ as rrelu_
from ._functional.embedding_bag import embedding_bag as embedding_bag
from ._functional.grid import affine_grid as affine_grid
from ._functional.grid import grid_sample as grid_sample
from ._functional.layers import batch_norm as batch_norm
from ._functional.layers import bilinear as bilinear
from ._functional.layers import dropout as dropout
from ._functional.layers import embedding as embedding
from ._functional.layers import layer_norm as layer_norm
from ._functional.layers import linear as linear
from ._functional.loss import binary_cross_entropy as binary_cross_entropy
from ._functional.loss import binary_cross_entropy_with_logits as binary_cross_entropy_with_logits
from ._functional.loss import cross_entropy as cross_entropy
from ._functional.loss import huber_loss as huber_loss
from ._functional.loss import l1_loss as l1_loss
from ._functional.loss import mse_loss as mse_loss
from ._functional.loss import nll_loss as nll_loss
from ._functional.loss import smooth_l1_loss as smooth_l1_loss
from ._functional.loss_extra import cosine_embedding_loss as cosine_embedding_loss
from ._functional.loss_extra import gaussian_nll_loss as gaussian_nll_loss
from ._functional.loss_extra import hinge_embedding_loss as hinge_embedding_loss
from ._functional.loss_extra import kl_div as kl_div
from ._functional.loss_extra import margin_ranking_loss as margin_ranking_loss
from ._functional.loss_extra import multi_margin_loss as multi_margin_loss
from ._functional.loss_extra import multilabel_soft_margin_loss as multilabel_soft_margin_loss
from ._functional.loss_extra import poisson_nll_loss as poisson_nll_loss
from ._functional.loss_extra import soft_margin_loss as soft_margin_loss
from ._functional.loss_extra import triplet_margin_loss as triplet_margin_loss
from ._functional.loss_extra import (
    triplet_margin_with_distance_loss as triplet_margin_with_distance_loss,
)
from ._functional.misc import one_hot as one_hot
from ._functional.misc_extra import (
    adaptive_max_pool1d_with_indices as adaptive_max_pool1d_with_indices,
)
from ._functional.misc_extra import (
    adaptive_max_pool2d_with_indices as adaptive_max_pool2d_with_indices,
)
from ._functional.misc_extra import elu_ as elu_
from ._functional.misc_extra import hardtanh_ as hardtanh_
from ._functional.misc_extra import leaky_relu_ as leaky_relu_
from ._functional.misc_extra import max_pool1d_with_indices as max_pool1d_with_indices
from ._functional.misc_extra import max_pool2d_with_indices as max_pool2d_with_indices
from ._functional.misc_extra import pdist as pdist
from ._functional.misc_extra import relu_ as relu_
from ._functional.normalization import group_norm as group_norm
from ._functional.normalization import instance_norm as instance_norm
from ._functional.normalization import local_response_norm as local_response_norm
from ._functional.normalization import rms_norm as rms_norm
from ._functional.pool_extra import channel_shuffle as channel_shuffle
from ._functional.pool_extra import lp_pool1d as lp_pool1d
from ._functional.pool_extra import lp_pool2d as lp_pool2d
from ._functional.pool_extra import max_unpool1d as max_unpool1d
from ._functional.pool_extra import max_unpool2d as max_unpool2d
from ._functional.pool_extra import max_unpool3d as max_unpool3d
from ._functional.pool_extra import multilabel_margin_loss as multilabel_margin_loss
from ._functional.sampling import fold as fold
from ._functional.sampling import interpolate as interpolate
from ._functional.sampling import pixel_shuffle as pixel_shuffle
from ._functional.sampling import pixel_unshuffle as pixel_unshuffle
from ._functional.sampling import unfold as unfold
from ._functional.sampling import upsample as upsample
from ._functional.sampling import upsample_bilinear as upsample_bilinear
from ._functional.sampling import upsample_nearest as upsample_nearest

__all__ = [
    "adaptive_avg_pool1d",
    "adaptive_avg_pool2d",
    "adaptive_avg_pool3d",
    "adaptive_max_pool1d",
    "adaptive_max_pool1d_with_indices",
    "adaptive_max_pool2d",
    "adaptive_max_pool2d_with_indices",
    "adaptive_max_pool3d",
    "adaptive_max_pool3d_with_indices",
    "affine_grid",
    "alpha_dropout",
    "avg_pool1d",
    "avg_pool2d",
    "avg_pool3d",
    "batch_norm",
    "bilinear",
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "celu",
    "celu_",
    "channel_shuffle",
    "conv1d",
    "conv2d",
    "conv3d",
    "conv_transpose1d",
    "conv_transpose2d",
    "conv_transpose3d",
    "cosine_embedding_loss",
    "cosine_similarity",
    "cross_entropy",
    "ctc_loss",
    "dropout",
    "dropout1d",
    "dropout2d",
    "dropout3d",
    "elu",
    "elu_",
    "embedding",
    "embedding_bag",
    "feature_alpha_dropout",
    "fold",
    "gaussian_nll_loss",
    "gelu",
    "glu",
    "grid_sample",
    "group_norm",
    "gumbel_softmax",
    "hardshrink",
    "hardsigmoid",
    "hardswish",
    "hardtanh",
    "hardtanh_",
    "hinge_embedding_loss",
    "huber_loss",
    "instance_norm",
    "interpolate",
    "kl_div",
    "l1_loss",
    "layer_norm",
    "leaky_relu",
    "leaky_relu_",
    "linear",
    "local_response_norm",
    "log_softmax",
    "logsigmoid",
    "lp_pool1d",
    "lp_pool2d",
    "lp_pool3d",
    "margin_ranking_loss",
    "max_pool1d",
    "max_pool1d_with_indices",
    "max_pool2d",
    "max_pool2d_with_indices",
    "max_pool3d",
    "max_pool3d_with_indices",
    "max_unpool1d",
    "max_unpool2d",
    "max_unpool3d",
    "mish",
    "mse_loss",
    "multi_head_attention_forward",
    "multi_margin_loss",
    "multilabel_margin_loss",
    "multilabel_soft_margin_loss",
    "nll_loss",
    "normalize",
    "one_hot",
    "pad",
    "pairwise_distance",
    "pdist",
    "pixel_shuffle",
    "pixel_unshuffle",
    "poisson_nll_loss",
    "prelu",
    "relu",
    "relu6",
    "relu_",
    "rms_norm",
    "rrelu",
    "rrelu_",
    "scaled_dot_product_attention",
    "selu",
    "selu_",
    "sigmoid",
    "silu",
    "smooth_l1_loss",
    "soft_margin_loss",
    "softmax",
    "softmin",
    "softplus",
    "softshrink",
    "softsign",
    "tanh",
    "tanhshrink",
    "threshold",
    "threshold_",
    "triplet_margin_loss",
    "triplet_margin_with_distance_loss",
    "unfold",
    "upsample",
    "upsample_bilinear",
    "upsample_nearest",
]
