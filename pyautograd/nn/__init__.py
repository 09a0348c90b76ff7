"""pyautograd.nn: modules, layers, losses, functional, init and utils, with PyTorch's API.

``from pyautograd import nn``; ``nn.Sequential(nn.Linear(1000, 100), nn.ReLU(), ...)``.
"""

from . import functional as functional
from . import init as init
from . import parallel as parallel
from . import utils as utils
from .modules import ELU as ELU
from .modules import GELU as GELU
from .modules import BatchNorm1d as BatchNorm1d
from .modules import BCELoss as BCELoss
from .modules import BCEWithLogitsLoss as BCEWithLogitsLoss
from .modules import Bilinear as Bilinear
from .modules import CrossEntropyLoss as CrossEntropyLoss
from .modules import Dropout as Dropout
from .modules import Embedding as Embedding
from .modules import Flatten as Flatten
from .modules import Hardtanh as Hardtanh
from .modules import HuberLoss as HuberLoss
from .modules import Identity as Identity
from .modules import L1Loss as L1Loss
from .modules import LayerNorm as LayerNorm
from .modules import LeakyReLU as LeakyReLU
from .modules import Linear as Linear
from .modules import LogSoftmax as LogSoftmax
from .modules import Module as Module
from .modules import ModuleDict as ModuleDict
from .modules import ModuleList as ModuleList
from .modules import MSELoss as MSELoss
from .modules import NLLLoss as NLLLoss
from .modules import ParameterDict as ParameterDict
from .modules import ParameterList as ParameterList
from .modules import ReLU as ReLU
from .modules import ReLU6 as ReLU6
from .modules import Sequential as Sequential
from .modules import Sigmoid as Sigmoid
from .modules import SiLU as SiLU
from .modules import SmoothL1Loss as SmoothL1Loss
from .modules import Softmax as Softmax
from .modules import Softplus as Softplus
from .modules import Tanh as Tanh
from .modules import Unflatten as Unflatten
from .parameter import Buffer as Buffer
from .parameter import Parameter as Parameter

__all__ = [
    "ELU",
    "GELU",
    "BCELoss",
    "BCEWithLogitsLoss",
    "BatchNorm1d",
    "Bilinear",
    "Buffer",
    "CrossEntropyLoss",
    "Dropout",
    "Embedding",
    "Flatten",
    "Hardtanh",
    "HuberLoss",
    "Identity",
    "L1Loss",
    "LayerNorm",
    "LeakyReLU",
    "Linear",
    "LogSoftmax",
    "MSELoss",
    "Module",
    "ModuleDict",
    "ModuleList",
    "NLLLoss",
    "Parameter",
    "ParameterDict",
    "ParameterList",
    "ReLU",
    "ReLU6",
    "Sequential",
    "SiLU",
    "Sigmoid",
    "SmoothL1Loss",
    "Softmax",
    "Softplus",
    "Tanh",
    "Unflatten",
    "functional",
    "init",
    "parallel",
    "utils",
]
