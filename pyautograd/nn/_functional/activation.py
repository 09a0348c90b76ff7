"""Activation functions of nn.functional.

relu, tanh and sigmoid are core ops (torch.<name> and Tensor methods). leaky_relu, elu, gelu,
silu, softplus and hardtanh are declared unary ops bound only as pyautograd._core.<name> (as
torch has them only in torch.nn.functional); these functions add PyTorch's signatures
(inplace=, approximate='tanh'). A function whose op a build lacks raises NotImplementedError
naming it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..._core import Tensor

__all__ = [
    "elu",
    "gelu",
    "hardtanh",
    "leaky_relu",
    "log_softmax",
    "relu",
    "relu6",
    "sigmoid",
    "silu",
    "softmax",
    "softplus",
    "tanh",
]


def core_op(name: str) -> Callable[..., Tensor]:
    """The core op `name` (a pyautograd function or a Tensor method); NotImplementedError when
    this build does not have it."""
    import pyautograd

    f = (
        getattr(pyautograd, name, None)
        or getattr(pyautograd._core, name, None)  # the ops only torch.nn.functional has
        or getattr(Tensor, name, None)
    )
    if f is None:
        raise NotImplementedError(
            f"[{name}] this build of pyautograd has no {name} op yet (it is one of the ops of "
            "issue 9); the nn layer that needs it works once the op lands"
        )
    return f  # type: ignore[no-any-return]


def _check(input: object, op: str) -> Tensor:
    if not isinstance(input, Tensor):
        raise TypeError(f"[{op}] expected a tensor, got {type(input).__name__}")
    return input


def relu(input: Tensor, inplace: bool = False) -> Tensor:
    """max(x, 0)."""
    _check(input, "relu")
    return input.clamp_(min=0) if inplace else input.relu()


def tanh(input: Tensor) -> Tensor:
    """Hyperbolic tangent."""
    return _check(input, "tanh").tanh()


def sigmoid(input: Tensor) -> Tensor:
    """1 / (1 + exp(-x))."""
    return _check(input, "sigmoid").sigmoid()


def _maybe_inplace(input: Tensor, f: Callable[[Tensor], Tensor], inplace: bool) -> Tensor:
    """f(input), or with inplace=True written back into input. The op's backward node may
    save its input, so when autograd records it reads a copy of the old values."""
    if not inplace:
        return f(input)
    return input.copy_(f(input.clone() if input.requires_grad else input))


def leaky_relu(input: Tensor, negative_slope: float = 0.01, inplace: bool = False) -> Tensor:
    """x where x > 0, else negative_slope * x."""
    _check(input, "leaky_relu")
    return _maybe_inplace(input, lambda t: core_op("leaky_relu")(t, negative_slope), inplace)


def elu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    """x where x > 0, else alpha * (exp(x) - 1)."""
    _check(input, "elu")
    return _maybe_inplace(input, lambda t: core_op("elu")(t, alpha), inplace)


def gelu(input: Tensor, approximate: str = "none") -> Tensor:
    """x * Phi(x) (approximate='tanh': the tanh approximation)."""
    _check(input, "gelu")
    if approximate not in ("none", "tanh"):
        raise ValueError(f"[gelu] approximate must be 'none' or 'tanh', got {approximate!r}")
    return core_op("gelu")(input, approximate=1.0 if approximate == "tanh" else 0.0)


def silu(input: Tensor, inplace: bool = False) -> Tensor:
    """x * sigmoid(x)."""
    _check(input, "silu")
    return _maybe_inplace(input, lambda t: core_op("silu")(t), inplace)


def softplus(input: Tensor, beta: float = 1.0, threshold: float = 20.0) -> Tensor:
    """log(1 + exp(beta x)) / beta (x where beta x > threshold)."""
    _check(input, "softplus")
    return core_op("softplus")(input, beta, threshold)


def hardtanh(
    input: Tensor, min_val: float = -1.0, max_val: float = 1.0, inplace: bool = False
) -> Tensor:
    """x clamped to [min_val, max_val] (gradient 0 outside (min_val, max_val))."""
    _check(input, "hardtanh")
    if min_val > max_val:
        raise ValueError("min_val cannot be greater than max_val")
    return _maybe_inplace(input, lambda t: core_op("hardtanh")(t, min_val, max_val), inplace)


def relu6(input: Tensor, inplace: bool = False) -> Tensor:
    """min(max(x, 0), 6)."""
    return hardtanh(input, 0.0, 6.0, inplace)


def _softmax_dim(input: Tensor, dim: int | None, op: str) -> int:
    if dim is not None:
        return dim
    import warnings

    warnings.warn(
        f"Implicit dimension choice for {op} has been deprecated. Change the call to include "
        "dim=X as an argument.",
        stacklevel=3,
    )
    return 0 if input.dim() in (0, 1, 3) else 1


def softmax(
    input: Tensor, dim: int | None = None, _stacklevel: int = 3, dtype: Any = None
) -> Tensor:
    """exp(x) / sum(exp(x)) along dim (stable)."""
    _check(input, "softmax")
    d = _softmax_dim(input, dim, "softmax")
    if dtype is not None:
        input = input.to(dtype)
    return core_op("softmax")(input, d)


def log_softmax(
    input: Tensor, dim: int | None = None, _stacklevel: int = 3, dtype: Any = None
) -> Tensor:
    """x - logsumexp(x) along dim (stable)."""
    _check(input, "log_softmax")
    d = _softmax_dim(input, dim, "log_softmax")
    if dtype is not None:
        input = input.to(dtype)
    return core_op("log_softmax")(input, d)
