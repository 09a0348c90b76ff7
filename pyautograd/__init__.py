"""pyautograd: a small, fast autograd library for the CPU with a PyTorch-style API.

    import pyautograd as torch
    from pyautograd.autograd import Variable
"""

from __future__ import annotations

import scipy_openblas32 as _openblas  # noqa: F401  (loads the BLAS before the core)

from . import _core
from ._core import Tensor, dtype, empty, from_numpy, full, manual_seed, ones, rand, randn, zeros
from ._core import arange, linspace, memory_stats, empty_cache, reset_peak_memory_stats
from ._core import get_num_threads, set_num_threads, is_grad_enabled, where
from ._creation import (
    device,
    empty_like,
    full_like,
    ones_like,
    rand_like,
    randn_like,
    tensor,
    zeros_like,
)
from ._size import MinMax, Size
from ._tensor_str import install as _install_repr
from .autograd import enable_grad, inference_mode, no_grad, set_grad_enabled

_core._set_py_types(Size, MinMax)
_install_repr(Tensor)
Tensor.device = property(lambda self: device("cpu"))  # type: ignore[attr-defined]
Tensor.__module__ = "pyautograd"

# Ops as functions: pyautograd.sum(t, 1, keepdim=True) is Tensor.sum(t, 1, keepdim=True).
abs = Tensor.abs
add = Tensor.add
argmax = Tensor.argmax
argmin = Tensor.argmin
bmm = Tensor.bmm
clamp = Tensor.clamp
clip = Tensor.clamp
clone = Tensor.clone
div = Tensor.div
eq = Tensor.eq
exp = Tensor.exp
flatten = Tensor.flatten
ge = Tensor.ge
gt = Tensor.gt
le = Tensor.le
log = Tensor.log
lt = Tensor.lt
matmul = Tensor.matmul
max = Tensor.max
maximum = Tensor.maximum
mean = Tensor.mean
min = Tensor.min
minimum = Tensor.minimum
mm = Tensor.mm
mul = Tensor.mul
ne = Tensor.ne
neg = Tensor.neg
permute = Tensor.permute
pow = Tensor.pow
relu = Tensor.relu
reshape = Tensor.reshape
sigmoid = Tensor.sigmoid
sign = Tensor.sign
sqrt = Tensor.sqrt
squeeze = Tensor.squeeze
sub = Tensor.sub
sum = Tensor.sum
t = Tensor.t
tanh = Tensor.tanh
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
