"""pyautograd.optim: SGD, Adam, AdamW, RMSprop, Adagrad (each step one fused C++ call per
parameter group) and optim.lr_scheduler, with PyTorch's API and update formulas."""

from . import lr_scheduler as lr_scheduler
from .adagrad import Adagrad as Adagrad
from .adam import Adam as Adam
from .adam import AdamW as AdamW
from .optimizer import Optimizer as Optimizer
from .rmsprop import RMSprop as RMSprop
from .sgd import SGD as SGD

__all__ = ["SGD", "Adagrad", "Adam", "AdamW", "Optimizer", "RMSprop", "lr_scheduler"]
