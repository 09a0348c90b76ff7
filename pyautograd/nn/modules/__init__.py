"""The module classes of pyautograd.nn."""

from .activation import ELU as ELU
from .activation import GELU as GELU
from .activation import Hardtanh as Hardtanh
from .activation import LeakyReLU as LeakyReLU
from .activation import LogSoftmax as LogSoftmax
from .activation import ReLU as ReLU
from .activation import ReLU6 as ReLU6
from .activation import Sigmoid as Sigmoid
from .activation import SiLU as SiLU
from .activation import Softmax as Softmax
from .activation import Softplus as Softplus
from .activation import Tanh as Tanh
from .activation_extra import CELU as CELU
from .activation_extra import GLU as GLU
from .activation_extra import SELU as SELU
from .activation_extra import Hardshrink as Hardshrink
from .activation_extra import Hardsigmoid as Hardsigmoid
from .activation_extra import Hardswish as Hardswish
from .activation_extra import LogSigmoid as LogSigmoid
from .activation_extra import Mish as Mish
from .activation_extra import PReLU as PReLU
from .activation_extra import Softmin as Softmin
from .activation_extra import Softshrink as Softshrink
from .activation_extra import Softsign as Softsign
from .activation_extra import Tanhshrink as Tanhshrink
from .activation_extra import Threshold as Threshold
from .batchnorm import BatchNorm1d as BatchNorm1d
from .batchnorm import BatchNorm2d as BatchNorm2d
from .container import ModuleDict as ModuleDict
from .container import ModuleList as ModuleList
from .container import ParameterDict as ParameterDict
from .container import ParameterList as ParameterList
from .container import Sequential as Sequential
from .conv import Conv1d as Conv1d
from .conv import Conv2d as Conv2d
from .conv import Conv3d as Conv3d
from .conv_transpose import ConvTranspose1d as ConvTranspose1d
from .conv_transpose import ConvTranspose2d as ConvTranspose2d
from .conv_transpose import ConvTranspose3d as ConvTranspose3d
from .distance import CosineSimilarity as CosineSimilarity
from .distance import PairwiseDistance as PairwiseDistance
from .dropout import Dropout as Dropout
from .dropout import Dropout1d as Dropout1d
from .dropout import Dropout2d as Dropout2d
from .dropout_extra import AlphaDropout as AlphaDropout
from .dropout_extra import Dropout3d as Dropout3d
from .dropout_extra import FeatureAlphaDropout as FeatureAlphaDropout
from .dropout_extra import RReLU as RReLU
from .embedding_bag import EmbeddingBag as EmbeddingBag
from .flatten import Flatten as Flatten
from .flatten import Unflatten as Unflatten
from .lazy import LazyBatchNorm1d as LazyBatchNorm1d
from .lazy import LazyBatchNorm2d as LazyBatchNorm2d
from .lazy import LazyBatchNorm3d as LazyBatchNorm3d
from .lazy import LazyConv1d as LazyConv1d
from .lazy import LazyConv2d as LazyConv2d
from .lazy import LazyConv3d as LazyConv3d
from .lazy import LazyConvTranspose1d as LazyConvTranspose1d
from .lazy import LazyConvTranspose2d as LazyConvTranspose2d
from .lazy import LazyConvTranspose3d as LazyConvTranspose3d
from .lazy import LazyInstanceNorm1d as LazyInstanceNorm1d
from .lazy import LazyInstanceNorm2d as LazyInstanceNorm2d
from .lazy import LazyInstanceNorm3d as LazyInstanceNorm3d
from .lazy import LazyLinear as LazyLinear
from .lazy import UninitializedBuffer as UninitializedBuffer
from .lazy import UninitializedParameter as UninitializedParameter
from .linear import Bilinear as Bilinear
from .linear import Identity as Identity
from .linear import Linear as Linear
from .loss import BCELoss as BCELoss
from .loss import BCEWithLogitsLoss as BCEWithLogitsLoss
from .loss import CrossEntropyLoss as CrossEntropyLoss
from .loss import HuberLoss as HuberLoss
from .loss import L1Loss as L1Loss
from .loss import MSELoss as MSELoss
from .loss import NLLLoss as NLLLoss
from .loss import SmoothL1Loss as SmoothL1Loss
from .loss_extra import CosineEmbeddingLoss as CosineEmbeddingLoss
from .loss_extra import CTCLoss as CTCLoss
from .loss_extra import GaussianNLLLoss as GaussianNLLLoss
from .loss_extra import HingeEmbeddingLoss as HingeEmbeddingLoss
from .loss_extra import KLDivLoss as KLDivLoss
from .loss_extra import MarginRankingLoss as MarginRankingLoss
from .loss_extra import MultiLabelSoftMarginLoss as MultiLabelSoftMarginLoss
from .loss_extra import MultiMarginLoss as MultiMarginLoss
from .loss_extra import PoissonNLLLoss as PoissonNLLLoss
from .loss_extra import SoftMarginLoss as SoftMarginLoss
from .loss_extra import TripletMarginLoss as TripletMarginLoss
from .loss_extra import TripletMarginWithDistanceLoss as TripletMarginWithDistanceLoss
from .misc_extra import BatchNorm3d as BatchNorm3d
from .misc_extra import CircularPad3d as CircularPad3d
from .misc_extra import ConstantPad3d as ConstantPad3d
from .misc_extra import NLLLoss2d as NLLLoss2d
from .misc_extra import ReflectionPad3d as ReflectionPad3d
from .misc_extra import ReplicationPad3d as ReplicationPad3d
from .misc_extra import ZeroPad3d as ZeroPad3d
from .module import Module as Module
from .normalization import LayerNorm as LayerNorm
from .normalization_extra import GroupNorm as GroupNorm
from .normalization_extra import InstanceNorm1d as InstanceNorm1d
from .normalization_extra import InstanceNorm2d as InstanceNorm2d
from .normalization_extra import InstanceNorm3d as InstanceNorm3d
from .normalization_extra import LocalResponseNorm as LocalResponseNorm
from .normalization_extra import RMSNorm as RMSNorm
from .padding import CircularPad1d as CircularPad1d
from .padding import CircularPad2d as CircularPad2d
from .padding import ConstantPad1d as ConstantPad1d
from .padding import ConstantPad2d as ConstantPad2d
from .padding import ReflectionPad1d as ReflectionPad1d
from .padding import ReflectionPad2d as ReflectionPad2d
from .padding import ReplicationPad1d as ReplicationPad1d
from .padding import ReplicationPad2d as ReplicationPad2d
from .padding import ZeroPad1d as ZeroPad1d
from .padding import ZeroPad2d as ZeroPad2d
from .pool_extra import ChannelShuffle as ChannelShuffle
from .pool_extra import LPPool1d as LPPool1d
from .pool_extra import LPPool2d as LPPool2d
from .pool_extra import LPPool3d as LPPool3d
from .pool_extra import MaxUnpool1d as MaxUnpool1d
from .pool_extra import MaxUnpool2d as MaxUnpool2d
from .pool_extra import MaxUnpool3d as MaxUnpool3d
from .pool_extra import MultiLabelMarginLoss as MultiLabelMarginLoss
from .pool_extra import Softmax2d as Softmax2d
from .pooling import AdaptiveAvgPool1d as AdaptiveAvgPool1d
from .pooling import AdaptiveAvgPool2d as AdaptiveAvgPool2d
from .pooling import AdaptiveAvgPool3d as AdaptiveAvgPool3d
from .pooling import AdaptiveMaxPool1d as AdaptiveMaxPool1d
from .pooling import AdaptiveMaxPool2d as AdaptiveMaxPool2d
from .pooling import AdaptiveMaxPool3d as AdaptiveMaxPool3d
from .pooling import AvgPool1d as AvgPool1d
from .pooling import AvgPool2d as AvgPool2d
from .pooling import AvgPool3d as AvgPool3d
from .pooling import MaxPool1d as MaxPool1d
from .pooling import MaxPool2d as MaxPool2d
from .pooling import MaxPool3d as MaxPool3d
from .rnn import GRU as GRU
from .rnn import LSTM as LSTM
from .rnn import RNN as RNN
from .rnn import GRUCell as GRUCell
from .rnn import LSTMCell as LSTMCell
from .rnn import RNNBase as RNNBase
from .rnn import RNNCell as RNNCell
from .rnn import RNNCellBase as RNNCellBase
from .sampling import Fold as Fold
from .sampling import PixelShuffle as PixelShuffle
from .sampling import PixelUnshuffle as PixelUnshuffle
from .sampling import Unfold as Unfold
from .sampling import Upsample as Upsample
from .sampling import UpsamplingBilinear2d as UpsamplingBilinear2d
from .sampling import UpsamplingNearest2d as UpsamplingNearest2d
from .sparse import Embedding as Embedding
from .transformer import MultiheadAttention as MultiheadAttention
from .transformer import Transformer as Transformer
from .transformer import TransformerDecoder as TransformerDecoder
from .transformer import TransformerDecoderLayer as TransformerDecoderLayer
from .transformer import TransformerEncoder as TransformerEncoder
from .transformer import TransformerEncoderLayer as TransformerEncoderLayer

__all__ = [
    "CELU",
    "ELU",
    "GELU",
    "GLU",
    "GRU",
    "LSTM",
    "RNN",
    "SELU",
    "AdaptiveAvgPool1d",
    "AdaptiveAvgPool2d",
    "AdaptiveAvgPool3d",
    "AdaptiveMaxPool1d",
    "AdaptiveMaxPool2d",
    "AdaptiveMaxPool3d",
    "AlphaDropout",
    "AvgPool1d",
    "AvgPool2d",
    "AvgPool3d",
    "BCELoss",
    "BCEWithLogitsLoss",
    "BatchNorm1d",
    "BatchNorm2d",
    "BatchNorm3d",
    "Bilinear",
    "CTCLoss",
    "ChannelShuffle",
    "CircularPad1d",
    "CircularPad2d",
    "CircularPad3d",
    "ConstantPad1d",
    "ConstantPad2d",
    "ConstantPad3d",
    "Conv1d",
    "Conv2d",
    "Conv3d",
    "ConvTranspose1d",
    "ConvTranspose2d",
    "ConvTranspose3d",
    "CosineEmbeddingLoss",
    "CosineSimilarity",
    "CrossEntropyLoss",
    "Dropout",
    "Dropout1d",
    "Dropout2d",
    "Dropout3d",
    "Embedding",
    "EmbeddingBag",
    "FeatureAlphaDropout",
    "Flatten",
    "Fold",
    "GRUCell",
    "GaussianNLLLoss",
    "GroupNorm",
    "Hardshrink",
    "Hardsigmoid",
    "Hardswish",
    "Hardtanh",
    "HingeEmbeddingLoss",
    "HuberLoss",
    "Identity",
    "InstanceNorm1d",
    "InstanceNorm2d",
    "InstanceNorm3d",
    "KLDivLoss",
    "L1Loss",
    "LPPool1d",
    "LPPool2d",
    "LPPool3d",
    "LSTMCell",
    "LayerNorm",
    "LazyBatchNorm1d",
    "LazyBatchNorm2d",
    "LazyBatchNorm3d",
    "LazyConv1d",
    "LazyConv2d",
    "LazyConv3d",
    "LazyConvTranspose1d",
    "LazyConvTranspose2d",
    "LazyConvTranspose3d",
    "LazyInstanceNorm1d",
    "LazyInstanceNorm2d",
    "LazyInstanceNorm3d",
    "LazyLinear",
    "LeakyReLU",
    "Linear",
    "LocalResponseNorm",
    "LogSigmoid",
    "LogSoftmax",
    "MSELoss",
    "MarginRankingLoss",
    "MaxPool1d",
    "MaxPool2d",
    "MaxPool3d",
    "MaxUnpool1d",
    "MaxUnpool2d",
    "MaxUnpool3d",
    "Mish",
    "Module",
    "ModuleDict",
    "ModuleList",
    "MultiLabelMarginLoss",
    "MultiLabelSoftMarginLoss",
    "MultiMarginLoss",
    "MultiheadAttention",
    "NLLLoss",
    "NLLLoss2d",
    "PReLU",
    "PairwiseDistance",
    "ParameterDict",
    "ParameterList",
    "PixelShuffle",
    "PixelUnshuffle",
    "PoissonNLLLoss",
    "RMSNorm",
    "RNNBase",
    "RNNCell",
    "RNNCellBase",
    "RReLU",
    "ReLU",
    "ReLU6",
    "ReflectionPad1d",
    "ReflectionPad2d",
    "ReflectionPad3d",
    "ReplicationPad1d",
    "ReplicationPad2d",
    "ReplicationPad3d",
    "Sequential",
    "SiLU",
    "Sigmoid",
    "SmoothL1Loss",
    "SoftMarginLoss",
    "Softmax",
    "Softmax2d",
    "Softmin",
    "Softplus",
    "Softshrink",
    "Softsign",
    "Tanh",
    "Tanhshrink",
    "Threshold",
    "Transformer",
    "TransformerDecoder",
    "TransformerDecoderLayer",
    "TransformerEncoder",
    "TransformerEncoderLayer",
    "TripletMarginLoss",
    "TripletMarginWithDistanceLoss",
    "Unflatten",
    "Unfold",
    "UninitializedBuffer",
    "UninitializedParameter",
    "Upsample",
    "UpsamplingBilinear2d",
    "UpsamplingNearest2d",
    "ZeroPad1d",
    "ZeroPad2d",
    "ZeroPad3d",
]
