"""More activation functions of nn.functional, as compositions of core ops (their gradients
come from the ops'): prelu, selu, celu, mish, hardswish, hardsigmoid, threshold, glu,
logsigmoid, softsign, softmin, tanhshrink, softshrink, hardshrink.

Each follows PyTorch's values and gradients, including at the kinks (the side a boundary point
takes) and for infinite inputs: where a branch is not taken its operands are clamped first, so
no 0 * inf reaches the gradient.
"""

from __future__ import annotations

from typing import Any

from ... import _core
from ..._core import Tensor
from ...autograd import Function, FunctionCtx
from .activation import _check, _maybe_inplace, _softmax_dim, softmax

__all__ = [
    "celu",
    "celu_",
    "glu",
    "hardshrink",
    "hardsigmoid",
    "hardswish",
    "logsigmoid",
    "mish",
    "prelu",
    "selu",
    "selu_",
    "softmin",
    "softshrink",
    "softsign",
    "tanhshrink",
    "threshold",
    "threshold_",
]

_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946

_TORCH_TYPE_NAMES = {
    "int64": "Long",
    "int32": "Int",
    "int16": "Short",
    "int8": "Char",
    "uint8": "Byte",
    "bool": "Bool",
}


def _floating(input: object, op: str) -> Tensor:
    """input, checked to be a floating tensor (PyTorch has these kernels for floats only)."""
    t = _check(input, op)
    if not t.is_floating_point():
        name = _TORCH_TYPE_NAMES.get(str(t.dtype).replace("torch.", ""), str(t.dtype))
        raise NotImplementedError(f"[{op}] \"{op}_cpu\" not implemented for '{name}'")
    return t


def _threshold(input: Tensor, threshold: float, value: float, inplace: bool = False) -> Tensor:
    """value where x <= threshold, else x (gradient 0 where replaced)."""
    _check(input, "threshold")
    if not input.is_floating_point():
        value = int(value)
    return _maybe_inplace(input, lambda t: _core.where(t <= threshold, value, t), inplace)


def threshold_(input: Tensor, threshold: float, value: float) -> Tensor:
    """In-place threshold."""
    return _threshold(input, threshold, value, inplace=True)


# named with an underscore first because its argument `threshold` shadows it (as in PyTorch)
threshold = _threshold


def prelu(input: Tensor, weight: Tensor) -> Tensor:
    """x where x > 0, else weight * x; a 1-element weight is shared, else weight has one entry
    per channel (dim 1 of an input of 2 or more dimensions)."""
    _check(input, "prelu")
    _check(weight, "prelu")
    if weight.dim() > 1:
        raise RuntimeError(
            f"prelu: Expected `weight` to be a scalar or 1D tensor, but got: ndim = {weight.dim()}"
        )
    n = weight.numel()
    if n != 1:
        if input.dim() == 0:
            raise RuntimeError("Not allow zero-dim input tensor.")
        channels = input.shape[1] if input.dim() >= 2 else 1
        if n != channels:
            raise RuntimeError(
                "Mismatch of parameter numbers and input channel size. Found parameter numbers = "
                f"{n} and channel size = {channels}."
            )
        w = weight.reshape([1, n] + [1] * (input.dim() - 2))
    else:
        w = weight.reshape([])
    pos = input > 0
    # the negative branch reads 0 where x > 0, so an infinite x sends no 0 * inf to weight
    neg = _core.where(pos, 0.0, input)
    return _core._show_grad_fn_as(_core.where(pos, input, w * neg), "PreluKernelBackward0")


def selu(input: Tensor, inplace: bool = False) -> Tensor:
    """scale * (x where x > 0, else alpha * (exp(x) - 1)), with SELU's fixed alpha and scale."""
    _floating(input, "elu")
    return _maybe_inplace(input, lambda t: _core.elu(t, _SELU_ALPHA) * _SELU_SCALE, inplace)


def selu_(input: Tensor) -> Tensor:
    """In-place selu."""
    return selu(input, inplace=True)


def celu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    """x where x > 0, else alpha * (exp(x / alpha) - 1)."""
    _floating(input, "elu")
    if alpha == 0:
        raise RuntimeError("ZeroDivisionError: alpha cannot be 0 for CELU")
    return _maybe_inplace(input, lambda t: _core.elu(t / alpha, 1.0) * alpha, inplace)


def celu_(input: Tensor, alpha: float = 1.0) -> Tensor:
    """In-place celu."""
    return celu(input, alpha, inplace=True)


def mish(input: Tensor, inplace: bool = False) -> Tensor:
    """x * tanh(softplus(x))."""
    _floating(input, "mish")
    return _maybe_inplace(input, _mish, inplace)


def _mish_value(t: Tensor) -> Tensor:
    return t * _core.softplus(t, 1.0, 20.0).tanh()


def _mish(t: Tensor) -> Tensor:
    if not (_core.is_grad_enabled() and t.requires_grad):
        return _mish_value(t)
    return _core._show_grad_fn_as(_fns()["mish"].apply(t), "MishBackward0")


_FNS: dict[str, Any] = {}


def _fns() -> dict[str, Any]:
    """mish's and logsigmoid's nodes: PyTorch's derivatives, each one product with the
    incoming gradient (the composites' product rules gave inf * 0 = NaN for an infinite
    gradient), saving the input as PyTorch's nodes do."""
    if not _FNS:
        from ...autograd import Function

        class Mish(Function):
            @staticmethod
            def forward(ctx: Any, x: Tensor) -> Tensor:
                ctx.save_for_backward(x)
                return _mish_value(x)

            @staticmethod
            def backward(ctx: Any, *grads: Tensor) -> Any:
                (x,) = ctx.saved_tensors
                tsp = _core.softplus(x, 1.0, 20.0).tanh()
                return grads[0] * (tsp + x * x.sigmoid() * (1 - tsp * tsp))

        class LogSigmoid(Function):
            @staticmethod
            def forward(ctx: Any, x: Tensor) -> Tensor:
                ctx.save_for_backward(x)
                return -_core.softplus(-x, 1.0, 20.0)

            @staticmethod
            def backward(ctx: Any, *grads: Tensor) -> Any:
                (x,) = ctx.saved_tensors
                neg = x < 0
                z = (-x.abs()).exp()
                # PyTorch's: grad * (max_deriv - sign * z / (1 + z))
                d = _core.where(neg, 1.0 - z / (1 + z), z / (1 + z))
                return grads[0] * d

        _FNS.update(mish=Mish, logsigmoid=LogSigmoid)
    return _FNS


def hardsigmoid(input: Tensor, inplace: bool = False) -> Tensor:
    """0 where x <= -3, 1 where x >= 3, else x / 6 + 1/2 (gradient 1/6 inside (-3, 3))."""
    _floating(input, "hardsigmoid")
    return _maybe_inplace(input, _hardsigmoid, inplace)


_SIXTH_F32 = 0.1666666716337204  # float32(1/6): PyTorch's gradient, in float64 too


def _hardsigmoid(t: Tensor) -> Tensor:
    clipped = _core.hardtanh(t + 3.0, 0.0, 6.0)
    y = clipped / 6.0
    if t.requires_grad:
        if t.dtype == _core.float64:  # the value x / 6 + 1/2, the gradient float32(1/6)
            g = clipped * _SIXTH_F32
            y = y.detach() + (g - g.detach())
        # PyTorch's gradient at NaN is 0 (hardtanh's passes it on)
        y = _core.where(t.isnan(), t.detach(), y)
    return y


class _HardswishMid(Function):
    """x (x + 3) / 6 on [-3, 3], whose gradient is PyTorch's g * (x / 3 + 1/2), one factor
    (the product rule's two terms gave -inf + NaN at x = 0 for an infinite g), built from x
    itself so that it is differentiable again (second derivative 1/3, as PyTorch's)."""

    @staticmethod
    def forward(ctx: FunctionCtx, *args: Any) -> Any:
        (xc,) = args
        ctx.save_for_backward(xc)
        return xc * (xc + 3.0) / 6.0

    @staticmethod
    def backward(ctx: Any, *grads: Any) -> Any:
        (xc,) = ctx.saved_tensors
        return grads[0] * (xc / 3.0 + 0.5)


def _hardswish(x: Tensor) -> Tensor:
    xc = x.clamp(-3.0, 3.0)
    mid = _HardswishMid.apply(xc) if xc.requires_grad else xc * (xc + 3.0) / 6.0
    # PyTorch's gradient: 0 up to -3 (an infinite g too), x / 3 + 1/2 inside (-3, 3), 1 from
    # 3; its value below -3 is x * 0 (-0, and NaN at -inf)
    return _core.where(x <= -3.0, x.detach() * 0.0, _core.where(x < 3.0, mid, x))


def hardswish(input: Tensor, inplace: bool = False) -> Tensor:
    """0 where x <= -3, x where x >= 3, else x (x + 3) / 6."""
    _floating(input, "hardswish")
    return _maybe_inplace(input, _hardswish, inplace)


def glu(input: Tensor, dim: int = -1) -> Tensor:
    """a * sigmoid(b), where a and b are the halves of input along dim."""
    _check(input, "glu")
    if input.dim() == 0:
        raise RuntimeError("glu does not support scalars because halving size must be even")
    d = dim + input.dim() if dim < 0 else dim
    if not 0 <= d < input.dim():
        raise IndexError(
            f"Dimension out of range (expected to be in range of [{-input.dim()}, "
            f"{input.dim() - 1}], but got {dim})"
        )
    size = input.shape[d]
    if size % 2:
        raise RuntimeError(f"Halving dimension must be even, but dimension {d} is size {size}")
    a = input.narrow(d, 0, size // 2)
    b = input.narrow(d, size // 2, size // 2)
    return a * b.sigmoid()


def logsigmoid(input: Tensor) -> Tensor:
    """log(sigmoid(x)), computed stably as -softplus(-x)."""
    _floating(input, "log_sigmoid")
    if not (_core.is_grad_enabled() and input.requires_grad):
        return -_core.softplus(-input, 1.0, 20.0)
    return _core._show_grad_fn_as(_fns()["logsigmoid"].apply(input), "LogSigmoidBackward0")


def softsign(input: Tensor) -> Tensor:
    """x / (1 + |x|)."""
    _check(input, "softsign")
    return input / (input.abs() + 1)


def tanhshrink(input: Tensor) -> Tensor:
    """x - tanh(x)."""
    _check(input, "tanhshrink")
    return input - input.tanh()


def softmin(
    input: Tensor, dim: int | None = None, _stacklevel: int = 3, dtype: Any = None
) -> Tensor:
    """softmax(-x) along dim."""
    _check(input, "softmin")
    d = _softmax_dim(input, dim, "softmin")
    return softmax(-input, d, dtype=dtype)


def softshrink(input: Tensor, lambd: float = 0.5) -> Tensor:
    """x - lambd where x > lambd, x + lambd where x < -lambd, else 0."""
    _floating(input, "softshrink")
    if lambd < 0:
        kind = "Double" if str(input.dtype).endswith("float64") else "Float"
        top = "1.79769e+308" if kind == "Double" else "3.40282e+38"
        raise RuntimeError(
            f"lambda must be in range [0, {top}] for input dtype {kind}, but found {lambd:g}"
        )
    # selects, not x - clamp(x): an inf gradient stays inf outside and 0 inside, as PyTorch's
    # (x * 0 inside: -0.0 for negative x, as PyTorch's kernel)
    inside = (input >= -lambd).logical_and(input <= lambd)
    zero = (input * 0.0).detach()
    out = _core.where(
        input > lambd,
        input - lambd,
        _core.where(input < -lambd, input + lambd, _core.where(inside, zero, input)),
    )
    return _core._show_grad_fn_as(out, "SoftshrinkBackward0") if out.requires_grad else out


def hardshrink(input: Tensor, lambd: float = 0.5) -> Tensor:
    """0 where -lambd <= x <= lambd, else x."""
    _floating(input, "hardshrink")
    inside = (input >= -lambd).logical_and(input <= lambd)
    return _core.where(inside, 0.0, input)
