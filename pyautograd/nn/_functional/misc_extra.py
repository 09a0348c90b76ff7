"""In-place activation forms (relu_, elu_, leaky_relu_, hardtanh_), pdist and the
*_with_indices pooling names of nn.functional."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..._core import Tensor
from ..._creation import tensor
from . import activation as A
from . import conv as C

__all__ = [
    "adaptive_max_pool1d_with_indices",
    "adaptive_max_pool2d_with_indices",
    "elu_",
    "hardtanh_",
    "leaky_relu_",
    "max_pool1d_with_indices",
    "max_pool2d_with_indices",
    "pdist",
    "relu_",
]


def relu_(input: Tensor) -> Tensor:
    """In-place relu."""
    return A.relu(input, inplace=True)


def elu_(input: Tensor, alpha: float = 1.0) -> Tensor:
    """In-place elu."""
    return A.elu(input, alpha, inplace=True)


def leaky_relu_(input: Tensor, negative_slope: float = 0.01) -> Tensor:
    """In-place leaky_relu."""
    return A.leaky_relu(input, negative_slope, inplace=True)


def hardtanh_(input: Tensor, min_val: float = -1.0, max_val: float = 1.0) -> Tensor:
    """In-place hardtanh."""
    return A.hardtanh(input, min_val, max_val, inplace=True)


def pdist(input: Tensor, p: float = 2) -> Tensor:
    """The p-norm distances between the rows of an (N, M) input, for every pair i < j in
    row-major order: N (N - 1) / 2 values."""
    if input.dim() != 2:
        raise RuntimeError(f"pdist only supports 2D tensors, got: {input.dim()}D")
    if p < 0:
        raise RuntimeError("pdist only supports non-negative p values")
    n = input.shape[0]
    i, j = np.triu_indices(n, 1)
    a = input.index_select(0, tensor(i.astype(np.int64)))
    b = input.index_select(0, tensor(j.astype(np.int64)))
    return (a - b).norm(p, 1)


def max_pool1d_with_indices(input: Tensor, *args: Any, **kwargs: Any) -> Any:
    """max_pool1d(..., return_indices=True)."""
    kwargs["return_indices"] = True
    return C.max_pool1d(input, *args, **kwargs)


def max_pool2d_with_indices(input: Tensor, *args: Any, **kwargs: Any) -> Any:
    """max_pool2d(..., return_indices=True)."""
    kwargs["return_indices"] = True
    return C.max_pool2d(input, *args, **kwargs)


def adaptive_max_pool1d_with_indices(input: Tensor, output_size: Any) -> Any:
    """adaptive_max_pool1d(..., return_indices=True)."""
    return C.adaptive_max_pool1d(input, output_size, return_indices=True)


def adaptive_max_pool2d_with_indices(input: Tensor, output_size: Any) -> Any:
    """adaptive_max_pool2d(..., return_indices=True)."""
    return C.adaptive_max_pool2d(input, output_size, return_indices=True)
