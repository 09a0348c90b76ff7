"""torch.special: special functions, with PyTorch's values and gradients. The ones pyautograd
does not have (Bessel functions, erfcx, zeta, ...) are absent: using one raises AttributeError
naming it."""

from __future__ import annotations

import math
from typing import Any

import pyautograd as pa

from ._core import Tensor


def _float(x: Any) -> Tensor:
    if not isinstance(x, Tensor):
        x = pa.tensor(x)
    t: Tensor = x
    return t if t.is_floating_point() else t.to(pa.get_default_dtype())


def expit(input: Tensor) -> Tensor:
    """1 / (1 + exp(-input)) (sigmoid)."""
    return pa.sigmoid(input)


def logit(input: Tensor, eps: float | None = None) -> Tensor:
    """log(p / (1 - p)), input clamped to [eps, 1 - eps] when eps is given."""
    return pa.logit(input, eps)


def erf(input: Tensor) -> Tensor:
    """The error function."""
    return pa.erf(input)


def erfc(input: Tensor) -> Tensor:
    """1 - erf(input)."""
    return pa.erfc(input)


def erfinv(input: Tensor) -> Tensor:
    """The inverse of erf."""
    return pa.erfinv(input)


def exp2(input: Tensor) -> Tensor:
    """2 ** input."""
    return pa.exp2(input)


def expm1(input: Tensor) -> Tensor:
    """exp(input) - 1, accurate near 0."""
    return pa.expm1(input)


def log1p(input: Tensor) -> Tensor:
    """log(1 + input), accurate near 0."""
    return pa.log1p(input)


def gammaln(input: Tensor) -> Tensor:
    """log |Gamma(input)| (lgamma)."""
    return pa.lgamma(input)


def digamma(input: Tensor) -> Tensor:
    """The derivative of lgamma."""
    return pa.digamma(input)


psi = digamma


def sinc(input: Tensor) -> Tensor:
    """sin(pi x) / (pi x), 1 at 0."""
    return pa.sinc(input)


def round(input: Tensor, decimals: int = 0) -> Tensor:
    """Rounded to decimals digits, half to even."""
    return pa.round(input, decimals=decimals)


def xlogy(input: Any, other: Any) -> Tensor:
    """input * log(other), 0 where input is 0."""
    fn: Any = vars(pa)["xlogy"]  # installed at import (_api.py)
    out: Tensor = fn(input, other)
    return out


def xlog1py(input: Any, other: Any) -> Tensor:
    """input * log1p(other), 0 where input is 0 (unless other is NaN)."""
    x = input if isinstance(input, Tensor) else None
    y = other if isinstance(other, Tensor) else None
    if x is None and y is None:
        raise TypeError("[special.xlog1py] expects a tensor operand")
    dt = pa.result_type(input, other)
    if not dt.is_floating_point:
        dt = pa.get_default_dtype()
    xt = (x if x is not None else pa.tensor(input, dtype=dt)).to(dt)
    yt = (y if y is not None else pa.tensor(other, dtype=dt)).to(dt)
    r = xt * pa.log1p(yt)
    return pa.where((xt == 0) & ~yt.isnan(), pa.zeros((), dtype=dt), r)


def entr(input: Tensor) -> Tensor:
    """-x log(x) for x > 0, 0 at 0, -inf for x < 0 (NaN at NaN); its gradient is
    -(1 + log(x)) everywhere, as PyTorch's."""
    from .autograd import Function

    class Entr(Function):
        @staticmethod
        def forward(ctx: Any, x: Tensor) -> Tensor:
            ctx.save_for_backward(x)
            v = -x * x.log()
            v = pa.where(x == 0, pa.zeros((), dtype=x.dtype), v)
            return pa.where(x < 0, pa.full((), -math.inf, dtype=x.dtype), v)

        @staticmethod
        def backward(ctx: Any, *grads: Tensor) -> Any:
            (x,) = ctx.saved_tensors
            return grads[0] * -(x.log() + 1)

    return Entr.apply(_float(input))


def ndtr(input: Tensor) -> Tensor:
    """The standard normal distribution function: (1 + erf(x / sqrt(2))) / 2."""
    x = _float(input)
    return pa.erfc(x * (-1 / math.sqrt(2))) * 0.5


def ndtri(input: Tensor) -> Tensor:
    """The inverse of ndtr: sqrt(2) erfinv(2p - 1)."""
    x = _float(input)
    return pa.erfinv(x * 2 - 1) * math.sqrt(2)


def log_ndtr(input: Tensor) -> Tensor:
    """log(ndtr(x))."""
    return pa.log(ndtr(input))


def logsumexp(input: Tensor, dim: Any, keepdim: bool = False) -> Tensor:
    """log(sum(exp(input))) over dim, computed stably."""
    return pa.logsumexp(input, dim, keepdim)


def softmax(input: Tensor, dim: int, *, dtype: Any = None) -> Tensor:
    """exp(input) / sum(exp(input)) along dim."""
    return pa.softmax(input, dim, dtype=dtype)


def log_softmax(input: Tensor, dim: int, *, dtype: Any = None) -> Tensor:
    """log(softmax(input)) along dim, computed stably."""
    return pa.log_softmax(input, dim, dtype=dtype)


def multigammaln(input: Tensor, p: int) -> Tensor:
    """The multivariate log-gamma function of dimension p."""
    if p < 1:
        raise RuntimeError("p has to be greater than or equal to 1")
    x = _float(input)
    if bool((x <= (p - 1) / 2).any().item()):
        raise RuntimeError(
            f"All elements must be greater than (p-1)/2 = {(p - 1) / 2}"
        )  # fmt: skip
    terms = pa.stack([pa.lgamma(x - j / 2) for j in range(p)], -1).sum(-1)
    return terms + p * (p - 1) / 4 * math.log(math.pi)
