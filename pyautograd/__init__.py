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
from ._api import allclose as allclose
from ._api import as_tensor as as_tensor
from ._api import asarray as asarray
from ._api import broadcast_shapes as broadcast_shapes
from ._api import broadcast_tensors as broadcast_tensors
from ._api import broadcast_to as broadcast_to
from ._api import compile as compile
from ._api import e as e
from ._api import equal as equal
from ._api import finfo as finfo
from ._api import iinfo as iinfo
from ._api import inf as inf
from ._api import install as _install_api
from ._api import is_complex as is_complex
from ._api import is_floating_point as is_floating_point
from ._api import is_nonzero as is_nonzero
from ._api import is_same_size as is_same_size
from ._api import is_signed as is_signed
from ._api import isclose as isclose
from ._api import meshgrid as meshgrid
from ._api import nan as nan
from ._api import newaxis as newaxis
from ._api import numel as numel
from ._api import pi as pi
from ._api import positive as positive
from ._api import ravel as ravel
from ._api import scalar_tensor as scalar_tensor
from ._api import select as select
from ._api import swapaxes as swapaxes
from ._api import typename as typename
from ._api import unflatten as unflatten
from ._api_gaps import FUNCTIONS as _FUNCTIONS_GAPS
from ._api_gaps import install as _install_api_gaps
from ._core import *  # noqa: F403  (the declared ops' functions: sin, add, clamp, ...)
from ._core import IndexOutOfRangeError as IndexOutOfRangeError
from ._core import Tensor as Tensor
from ._core import addmm as addmm
from ._core import arange as arange
from ._core import argwhere as argwhere
from ._core import baddbmm as baddbmm
from ._core import bernoulli as bernoulli
from ._core import can_cast as can_cast
from ._core import cat as cat
from ._core import chunk as chunk
from ._core import concat as concat
from ._core import concatenate as concatenate
from ._core import dot as dot
from ._core import dtype as dtype
from ._core import empty as empty
from ._core import empty_cache as empty_cache
from ._core import flip as flip
from ._core import from_numpy as from_numpy
from ._core import full as full
from ._core import gather as gather
from ._core import get_num_threads as get_num_threads
from ._core import hstack as hstack
from ._core import index_add as index_add
from ._core import index_copy as index_copy
from ._core import index_fill as index_fill
from ._core import index_put as index_put
from ._core import index_select as index_select
from ._core import is_grad_enabled as is_grad_enabled
from ._core import linspace as linspace
from ._core import log_softmax as log_softmax
from ._core import masked_select as masked_select
from ._core import memory_stats as memory_stats
from ._core import moveaxis as moveaxis
from ._core import movedim as movedim
from ._core import narrow as narrow
from ._core import ones as ones
from ._core import outer as outer
from ._core import promote_types as promote_types
from ._core import rand as rand
from ._core import randint as randint
from ._core import randn as randn
from ._core import randperm as randperm
from ._core import reset_peak_memory_stats as reset_peak_memory_stats
from ._core import result_type as result_type
from ._core import roll as roll
from ._core import scatter as scatter
from ._core import scatter_add as scatter_add
from ._core import set_num_threads as set_num_threads
from ._core import softmax as softmax
from ._core import split as split
from ._core import stack as stack
from ._core import take as take
from ._core import tile as tile
from ._core import unbind as unbind
from ._core import vstack as vstack
from ._core import zeros as zeros
from ._creation import device as device
from ._creation import empty_like as empty_like
from ._creation import full_like as full_like
from ._creation import normal as normal
from ._creation import ones_like as ones_like
from ._creation import rand_like as rand_like
from ._creation import randint_like as randint_like
from ._creation import randn_like as randn_like
from ._creation import tensor as tensor
from ._creation import zeros_like as zeros_like
from ._defaults import get_default_device as get_default_device
from ._defaults import get_default_dtype as get_default_dtype
from ._defaults import set_default_device as set_default_device
from ._defaults import set_default_dtype as set_default_dtype
from ._defaults import set_default_tensor_type as set_default_tensor_type
from ._determinism import (
    are_deterministic_algorithms_enabled as are_deterministic_algorithms_enabled,
)
from ._determinism import (
    is_deterministic_algorithms_warn_only_enabled as is_deterministic_algorithms_warn_only_enabled,
)
from ._determinism import use_deterministic_algorithms as use_deterministic_algorithms
from ._dlpack import from_dlpack as from_dlpack
from ._extra_ops import amax as amax
from ._extra_ops import amin as amin
from ._extra_ops import install as _install_extra_ops
from ._extra_ops import repeat_interleave as repeat_interleave
from ._functions_extra import install as _install_functions_extra
from ._functions_more import FUNCTIONS as _FUNCTIONS_MORE
from ._functions_more import install as _install_functions_more
from ._legacy import TYPES as _LEGACY_TYPES
from ._legacy import BoolTensor as BoolTensor
from ._legacy import ByteTensor as ByteTensor
from ._legacy import CharTensor as CharTensor
from ._legacy import DoubleTensor as DoubleTensor
from ._legacy import FloatTensor as FloatTensor
from ._legacy import IntTensor as IntTensor
from ._legacy import LongTensor as LongTensor
from ._legacy import ShortTensor as ShortTensor
from ._legacy import install as _install_legacy
from ._linalg_np import install as _install_linalg_np
from ._matrix import bmm as bmm
from ._matrix import diag as diag
from ._matrix import diag_embed as diag_embed
from ._matrix import diagonal as diagonal
from ._matrix import einsum as einsum
from ._matrix import eye as eye
from ._matrix import install as _install_matrix
from ._matrix import matmul as matmul
from ._matrix import mm as mm
from ._matrix import mv as mv
from ._matrix import trace as trace
from ._matrix import tril as tril
from ._matrix import triu as triu
from ._multinomial import install as _install_multinomial
from ._multinomial import multinomial as multinomial
from ._pointwise import addcdiv as addcdiv
from ._pointwise import addcmul as addcmul
from ._pointwise import install as _install_pointwise
from ._pointwise import lerp as lerp
from ._poisson import poisson as poisson
from ._precision import get_float32_matmul_precision as get_float32_matmul_precision
from ._precision import set_float32_matmul_precision as set_float32_matmul_precision
from ._protocols import install as _install_protocols
from ._size import MinMax as MinMax
from ._size import Size as Size
from ._sorting import argsort as argsort
from ._sorting import bincount as bincount
from ._sorting import count_nonzero as count_nonzero
from ._sorting import install as _install_sorting
from ._sorting import kthvalue as kthvalue
from ._sorting import median as median
from ._sorting import msort as msort
from ._sorting import nonzero as nonzero
from ._sorting import sort as sort
from ._sorting import topk as topk
from ._sorting import unique as unique
from ._sorting import where as where
from ._stats import cdist as cdist
from ._stats import std_mean as std_mean
from ._stats import var_mean as var_mean
from ._tensor_str import install as _install_repr
from ._tensor_str import set_printoptions as set_printoptions
from .autograd import enable_grad as enable_grad
from .autograd import inference_mode as inference_mode
from .autograd import no_grad as no_grad
from .autograd import set_grad_enabled as set_grad_enabled
from .return_types import max as _max_result
from .return_types import min as _min_result

_core._set_py_types(Size, _max_result, _min_result)
_install_repr(Tensor)
_install_legacy(Tensor)
_install_protocols(Tensor)
_install_sorting(Tensor)
_install_matrix(Tensor)
_install_pointwise(Tensor)
_install_extra_ops(Tensor)
_install_functions_more(Tensor)
_install_multinomial(Tensor)
globals().update(_LEGACY_TYPES)  # also ByteTensor, IntTensor, ... when their dtypes exist

from . import accelerator as accelerator  # noqa: E402
from . import amp as amp  # noqa: E402
from . import backends as backends  # noqa: E402
from . import compiler as compiler  # noqa: E402
from . import distributions as distributions  # noqa: E402
from . import func as func  # noqa: E402
from . import jit as jit  # noqa: E402
from . import linalg as linalg  # noqa: E402
from . import multiprocessing as multiprocessing  # noqa: E402
from . import nn as nn  # noqa: E402 - after the Tensor methods above are installed
from . import optim as optim  # noqa: E402
from . import profiler as profiler  # noqa: E402
from . import random as random  # noqa: E402
from . import return_types as return_types  # noqa: E402
from . import special as special  # noqa: E402
from . import testing as testing  # noqa: E402
from . import utils as utils  # noqa: E402
from ._generator import Generator as Generator  # noqa: E402
from .amp import autocast as autocast  # noqa: E402
from .amp import is_autocast_enabled as is_autocast_enabled  # noqa: E402
from .func import vmap as vmap  # noqa: E402
from .random import default_generator as default_generator  # noqa: E402
from .random import get_rng_state as get_rng_state  # noqa: E402
from .random import initial_seed as initial_seed  # noqa: E402
from .random import manual_seed as manual_seed  # noqa: E402
from .random import seed as seed  # noqa: E402
from .random import set_rng_state as set_rng_state  # noqa: E402
from .serialization import load as load  # noqa: E402
from .serialization import save as save  # noqa: E402

Tensor.device = property(  # type: ignore[method-assign, assignment]
    lambda self: device("cpu"), doc="The tensor's device: always ``device('cpu')``."
)


def _iter(self: Tensor) -> Iterator[Tensor]:
    if self.dim() == 0:
        raise TypeError("[iter] iteration over a 0-d tensor")
    return (self[i] for i in builtins.range(self.shape[0]))


Tensor.__iter__ = _iter  # type: ignore[method-assign]


def is_tensor(obj: object) -> builtins.bool:
    """True when obj is a Tensor (or an instance of a Tensor subclass such as nn.Parameter)."""
    return isinstance(obj, Tensor)


Tensor.__module__ = "pyautograd"

# Ops as functions: pyautograd.mm(a, b) is Tensor.mm(a, b). The declared ops (sin, add, clamp,
# sum, max, cumsum, ...) are the functions of _core.__all__, imported above; these are others.
clone = Tensor.clone
flatten = Tensor.flatten
permute = Tensor.permute
reshape = Tensor.reshape
squeeze = Tensor.squeeze
t = Tensor.t
transpose = Tensor.transpose
unsqueeze = Tensor.unsqueeze

float32 = _core.float32
float64 = _core.float64
int64 = _core.int64
int32 = _core.int32
int16 = _core.int16
int8 = _core.int8
uint8 = _core.uint8
bool = _core.bool
float16 = _core.float16
bfloat16 = _core.bfloat16
float = float32
double = float64
long = int64
int = int32
short = int16
half = float16

globals().update(_FUNCTIONS_MORE)
_install_api(globals())  # aliases (absolute, multiply, ...) of the ops that exist
_install_functions_extra(Tensor, globals())  # after the aliases: its in-place forms use them
_install_linalg_np(Tensor, globals(), linalg)
_install_api_gaps(Tensor)  # last: it wraps some of the methods installed above
globals().update(_FUNCTIONS_GAPS)

from . import _api_gaps2  # noqa: E402

_api_gaps2.install(Tensor, globals())  # after the above: it wraps clone/contiguous/to/*_like
from . import _linalg_np2  # noqa: E402

_linalg_np2.install(Tensor, globals(), linalg)  # svd, qr, pinv, lstsq, ... (after _api_gaps2)
from . import _api_gaps2_more  # noqa: E402

_api_gaps2_more.install(Tensor, globals(), linalg, special)  # LU, igamma, random fills, ...
from .nn._functional import gaps2 as _nn_gaps2  # noqa: E402

_nn_gaps2.install()  # fractional_max_pool2d/3d, linear_cross_entropy, their modules
from . import cpu as cpu  # noqa: E402

__version__ = "0.1.0"
from . import _householder  # noqa: E402
from ._lowrank import pca_lowrank as pca_lowrank  # noqa: E402
from ._lowrank import svd_lowrank as svd_lowrank  # noqa: E402

_householder.install(Tensor, globals(), linalg)  # geqrf, orgqr, linalg.householder_product

from . import _complex  # noqa: E402

_complex.install(globals())  # complex64/128, polar, view_as_complex/view_as_real, wrappers
from . import fft as fft  # noqa: E402
