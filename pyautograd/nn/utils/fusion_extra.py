"""nn.utils: get_total_norm, clip_grads_with_norm_, clip_grad_norm (deprecated alias),
fuse_conv_bn_eval / fuse_conv_bn_weights, fuse_linear_bn_eval / fuse_linear_bn_weights and
skip_init, as in PyTorch."""

from __future__ import annotations

import copy
import math
import warnings
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from ... import _core
from ..._core import Tensor
from ..._creation import ones_like, zeros_like
from ...autograd import no_grad
from ..modules.module import Module
from ..parameter import Parameter
from .clip_grad import _grads, _vector_norm, clip_grad_norm_

__all__ = [
    "clip_grad_norm",
    "clip_grads_with_norm_",
    "fuse_conv_bn_eval",
    "fuse_conv_bn_weights",
    "fuse_linear_bn_eval",
    "fuse_linear_bn_weights",
    "get_total_norm",
    "skip_init",
]

M = TypeVar("M", bound=Module)


def get_total_norm(
    tensors: Tensor | Iterable[Tensor],
    norm_type: float = 2.0,
    error_if_nonfinite: bool = False,
    foreach: bool | None = None,
) -> Tensor:
    """The norm_type-norm of all the tensors together (as one vector)."""
    ts = [tensors] if isinstance(tensors, Tensor) else [t for t in tensors if t is not None]
    norm_type = float(norm_type)
    if not ts:
        return _core.zeros(())
    with no_grad():
        norms = [_vector_norm(t, norm_type) for t in ts]
        dtype = _core.float64 if any(n.dtype == _core.float64 for n in norms) else norms[0].dtype
        total = _vector_norm(_core.stack([n.to(dtype) for n in norms]), norm_type)
    if error_if_nonfinite and not math.isfinite(total.item()):
        raise RuntimeError(
            f"The total norm of order {norm_type} for gradients from `parameters` is "
            "non-finite, so it cannot be clipped. To disable this error and scale the gradients "
            "by the non-finite norm anyway, set `error_if_nonfinite=False`"
        )
    return total


def clip_grads_with_norm_(
    parameters: Tensor | Iterable[Tensor],
    max_norm: float,
    total_norm: Tensor,
    foreach: bool | None = None,
) -> None:
    """Scales the gradients in place by min(1, max_norm / (total_norm + 1e-6))."""
    grads = _grads(parameters)
    if not grads:
        return
    with no_grad():
        coef = (float(max_norm) / (total_norm + 1e-6)).clamp(max=1.0)
        for g in grads:
            g.mul_(coef.to(g.dtype))


def clip_grad_norm(
    parameters: Tensor | Iterable[Tensor],
    max_norm: float,
    norm_type: float = 2.0,
    error_if_nonfinite: bool = False,
    foreach: bool | None = None,
) -> Tensor:
    """Deprecated alias of clip_grad_norm_ (with PyTorch's warning)."""
    warnings.warn(
        "`torch.nn.utils.clip_grad_norm` is now deprecated in favor of "
        "`torch.nn.utils.clip_grad_norm_`.",
        FutureWarning,
        stacklevel=2,
    )
    return clip_grad_norm_(parameters, max_norm, norm_type, error_if_nonfinite, foreach)


def fuse_conv_bn_weights(
    conv_w: Tensor,
    conv_b: Tensor | None,
    bn_rm: Tensor,
    bn_rv: Tensor,
    bn_eps: float,
    bn_w: Tensor | None,
    bn_b: Tensor | None,
    transpose: bool = False,
) -> tuple[Parameter, Parameter]:
    """The weight and bias of a convolution followed by an eval-mode batch norm, as one
    convolution's."""
    w_dtype = conv_w.dtype
    b_dtype = conv_b.dtype if conv_b is not None else w_dtype
    b_grad = conv_b.requires_grad if conv_b is not None else False
    with no_grad():
        cb = conv_b if conv_b is not None else zeros_like(bn_rm)
        bw = bn_w if bn_w is not None else ones_like(bn_rm)
        bb = bn_b if bn_b is not None else zeros_like(bn_rm)
        rsqrt = (bn_rv + bn_eps).rsqrt()
        extra = [1] * (conv_w.dim() - 2)
        shape = [1, -1, *extra] if transpose else [-1, 1, *extra]
        w = (conv_w * (bw * rsqrt).reshape(shape)).to(w_dtype)
        b = ((cb - bn_rm) * rsqrt * bw + bb).to(b_dtype)
    return Parameter(w, conv_w.requires_grad), Parameter(b, b_grad)


def fuse_conv_bn_eval(conv: M, bn: Module, transpose: bool = False) -> M:
    """A copy of the (eval-mode) convolution with the (eval-mode) batch norm folded in."""
    if conv.training or bn.training:
        raise AssertionError("Fusion only for eval!")
    fused = copy.deepcopy(conv)
    if bn.running_mean is None or bn.running_var is None:
        raise AssertionError("fuse_conv_bn_eval needs the batch norm's running statistics")
    fused.weight, fused.bias = fuse_conv_bn_weights(
        fused.weight,
        fused.bias,
        bn.running_mean,
        bn.running_var,
        bn.eps,
        bn.weight,
        bn.bias,
        transpose,
    )
    return fused


def fuse_linear_bn_weights(
    linear_w: Tensor,
    linear_b: Tensor | None,
    bn_rm: Tensor,
    bn_rv: Tensor,
    bn_eps: float,
    bn_w: Tensor,
    bn_b: Tensor,
) -> tuple[Parameter, Parameter]:
    """The weight and bias of a linear layer followed by an eval-mode batch norm, as one
    linear layer's."""
    w_dtype = linear_w.dtype
    b_dtype = linear_b.dtype if linear_b is not None else w_dtype
    b_grad = linear_b.requires_grad if linear_b is not None else False
    with no_grad():
        lb = linear_b if linear_b is not None else zeros_like(bn_rm)
        scale = bn_w * (bn_rv + bn_eps).rsqrt()
        w = linear_w * scale.unsqueeze(-1).to(w_dtype)
        b = ((lb - bn_rm) * scale + bn_b).to(b_dtype)
    return Parameter(w, linear_w.requires_grad), Parameter(b, b_grad)


def fuse_linear_bn_eval(linear: M, bn: Module) -> M:
    """A copy of the (eval-mode) linear layer with the (eval-mode) batch norm folded in."""
    if linear.training or bn.training:
        raise AssertionError("Fusion only for eval!")
    fused = copy.deepcopy(linear)
    if not (linear.out_features == bn.num_features or bn.num_features == 1):
        raise AssertionError(
            "To fuse, linear.out_features == bn.num_features or bn.num_features == 1"
        )
    if bn.running_mean is None or bn.running_var is None:
        raise AssertionError("fuse_linear_bn_eval needs the batch norm's running statistics")
    fused.weight, fused.bias = fuse_linear_bn_weights(
        fused.weight, fused.bias, bn.running_mean, bn.running_var, bn.eps, bn.weight, bn.bias
    )
    return fused


def skip_init(module_cls: Callable[..., M], *args: Any, **kwargs: Any) -> M:
    """module_cls(*args, **kwargs) (PyTorch skips the parameter initialisation here; this
    CPU-only build initialises as usual, which yields a valid module all the same)."""
    if "device" not in _signature_params(module_cls):
        raise RuntimeError("Module must support a 'device' arg to skip initialization")
    return module_cls(*args, **kwargs)


def _signature_params(f: Callable[..., Any]) -> set[str]:
    import inspect

    try:
        return set(inspect.signature(f).parameters)
    except (TypeError, ValueError):
        return set()
