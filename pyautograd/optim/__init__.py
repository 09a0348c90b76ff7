"""pyautograd.optim: SGD, Adam, AdamW, RMSprop, Adagrad (each step one fused C++ call per
parameter group), Adamax, NAdam, RAdam, Adadelta, Rprop, ASGD, LBFGS, Adafactor (per-parameter
tensor ops), SparseAdam (whose step raises for the dense gradients pyautograd has, as PyTorch's
does for a dense gradient) and optim.lr_scheduler, with PyTorch's API and update formulas."""

from . import lr_scheduler as lr_scheduler
from . import swa_utils as swa_utils
from ._more import ASGD as ASGD
from ._more import LBFGS as LBFGS
from ._more import Adadelta as Adadelta
from ._more import Adafactor as Adafactor
from ._more import Adamax as Adamax
from ._more import NAdam as NAdam
from ._more import RAdam as RAdam
from ._more import Rprop as Rprop
from ._more import SparseAdam as SparseAdam
from .adagrad import Adagrad as Adagrad
from .adam import Adam as Adam
from .adam import AdamW as AdamW
from .optimizer import Optimizer as Optimizer
from .rmsprop import RMSprop as RMSprop
from .sgd import SGD as SGD

__all__ = [
    "ASGD",
    "LBFGS",
    "SGD",
    "Adadelta",
    "Adafactor",
    "Adagrad",
    "Adam",
    "AdamW",
    "Adamax",
    "NAdam",
    "Optimizer",
    "RAdam",
    "RMSprop",
    "Rprop",
    "SparseAdam",
    "lr_scheduler",
    "swa_utils",
]
