"""pyautograd: a small, fast autograd library for the CPU with a PyTorch-style API.

import pyautograd as torch
from pyautograd.autograd import Variable
"""

from __future__ import annotations

import builtins
from collections.abc import Iterator

# scipy_openblas32 loads the BLAS before the core.
import scipy_openblas32 as _openblas  # type: ignore[import-untyped]  # noqa: F401

from . import _core
from . import cuda as cuda
from ._core import *  # noqa: F403  (the declared ops' functions: sin, add, clamp, ...)
from ._core import Tensor as Tensor
from ._core import arange as arange
from ._core import dtype as dtype
from ._core import empty as empty
from ._core import empty_cache as empty_cache
from ._core import from_numpy as from_numpy
from ._core import full as full
from ._core import get_num_threads as get_num_threads
from ._core import is_grad_enabled as is_grad_enabled
from ._core import linspace as linspace
from ._core import manual_seed as manual_seed
from ._core import memory_stats as memory_stats
from ._core import ones as ones
from ._core import rand as rand
from ._core import randn as randn
from ._core import reset_peak_memory_stats as reset_peak_memory_stats
from ._core import set_num_threads as set_num_threads
from ._core import where as where
from ._core import zeros as zeros
from ._creation import device as device
from ._creation import empty_like as empty_like
from ._creation import full_like as full_like
from ._creation import ones_like as ones_like
from ._creation import rand_like as rand_like
from ._creation import randn_like as randn_like
from ._creation import tensor as tensor
from ._creation import zeros_like as zeros_like
from ._defaults import get_default_device as get_default_device
from ._defaults import get_default_dtype as get_default_dtype
from ._defaults import set_default_device as set_default_device
from ._defaults import set_default_dtype as set_default_dtype
from ._defaults import set_default_tensor_type as set_default_tensor_type
from ._dlpack import from_dlpack as from_dlpack
from ._legacy import TYPES as _LEGACY_TYPES
from ._legacy import BoolTensor as BoolTensor
from ._legacy import DoubleTensor as DoubleTensor
from ._legacy import FloatTensor as FloatTensor
from ._legacy import LongTensor as LongTensor
from ._legacy import install as _install_legacy
from ._protocols import install as _install_protocols
from ._size import MinMax as MinMax
from ._size import Size as Size
from ._tensor_str import install as _install_repr
from .autograd import enable_grad as enable_grad
from .autograd import inference_mode as inference_mode
from .autograd import no_grad as no_grad
from .autograd import set_grad_enabled as set_grad_enabled

_core._set_py_types(Size, MinMax)
_install_repr(Tensor)
_install_legacy(Tensor)
_install_protocols(Tensor)
globals().update(_LEGACY_TYPES)  # also ByteTensor, IntTensor, ... when their dtypes exist

from . import nn as nn  # noqa: E402 - after the Tensor methods above are installed
from . import optim as optim  # noqa: E402
from . import utils as utils  # noqa: E402
from ._generator import Generator as Generator  # noqa: E402
from .serialization import load as load  # noqa: E402
from .serialization import save as save  # noqa: E402

Tensor.device = property(  # type: ignore[method-assign, assignment]
    lambda self: device("cpu"), doc="The tensor's device: always ``device('cpu')``."
)


def _iter(self: Tensor) -> Iterator[Tensor]:
    if self.dim() == 0:
        raise TypeError("[iter] iteration over a 0-d tensor")
    return (self[i] for i in range(self.shape[0]))


Tensor.__iter__ = _iter  # type: ignore[method-assign]


def is_tensor(obj: object) -> builtins.bool:
    """True when obj is a Tensor (or an instance of a Tensor subclass such as nn.Parameter)."""
    return isinstance(obj, Tensor)


Tensor.__module__ = "pyautograd"

# Ops as functions: pyautograd.sum(t, 1, keepdim=True) is Tensor.sum(t, 1, keepdim=True). The
# declared elementwise ops (sin, add, clamp, ...) are the functions of _core.__all__, imported
# above; these are the others.
argmax = Tensor.argmax
argmin = Tensor.argmin
bmm = Tensor.bmm
clone = Tensor.clone
flatten = Tensor.flatten
matmul = Tensor.matmul
max = Tensor.max
mean = Tensor.mean
min = Tensor.min
mm = Tensor.mm
permute = Tensor.permute
reshape = Tensor.reshape
squeeze = Tensor.squeeze
sum = Tensor.sum
t = Tensor.t
transpose = Tensor.transpose
unsqueeze = Tensor.unsqueeze

float32 = _core.float32
float64 = _core.float64
int64 = _core.int64
bool = _core.bool
float = float32
double = float64
long = int64

__version__ = "0.1.0"
