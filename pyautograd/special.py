"""torch.special: special functions, with PyTorch's values and gradients. The ones pyautograd
does not have (Bessel functions of the first and second kind, zeta, ...) are absent: using one
raises AttributeError naming it."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

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
    if not (pa.is_grad_enabled() and (xt.requires_grad or yt.requires_grad)):
        return _xlog1py_value(xt, yt)
    return pa._core._show_grad_fn_as(_xlog1py_fn().apply(xt, yt), "SpecialXlog1PyBackward0")


def _xlog1py_value(x: Tensor, y: Tensor) -> Tensor:
    r = x * pa.log1p(y)
    return pa.where((x == 0) & ~y.isnan(), pa.zeros((), dtype=r.dtype), r)


_XLOG1PY: Any = None


def _xlog1py_fn() -> Any:
    """xlog1py's node, with PyTorch's derivatives: input's xlog1py(grad, other) (0 where grad
    is 0, so a zero gradient meets log1p(-1) = -inf without NaN), 0 where input is 0 and other
    <= -1; other's grad * input / (other + 1)."""
    global _XLOG1PY
    if _XLOG1PY is None:
        from .autograd import Function

        class Xlog1py(Function):
            @staticmethod
            def forward(ctx: Any, x: Tensor, y: Tensor) -> Tensor:
                ctx.save_for_backward(x, y)
                return _xlog1py_value(x, y)

            @staticmethod
            def backward(ctx: Any, *grads: Tensor) -> Any:
                x, y = ctx.saved_tensors
                g = grads[0]
                gx = gy = None
                if ctx.needs_input_grad[0]:
                    gx = _xlog1py_value(g, y).masked_fill((x == 0) & (y <= -1), 0.0)
                    gx = gx.sum_to_size(*x.shape)
                if ctx.needs_input_grad[1]:
                    gy = (g * x / (y + 1)).sum_to_size(*y.shape)
                return gx, gy

        _XLOG1PY = Xlog1py
    return _XLOG1PY


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


def _erfcx_large(z: Tensor) -> Tensor:
    """exp(z**2) erfc(z) for z >= 0.7 (float64): directly below 5, else by the continued
    fraction erfc(z) = exp(-z**2) / sqrt(pi) / (z + (1/2) / (z + 1 / (z + (3/2) / (z + ...)))),
    40 terms (converged to float64 rounding from z = 5; infinite z gives 0)."""
    zc = z.clamp(max=5.0)
    direct = pa.exp(zc * zc) * pa.erfc(zc)
    zl = z.clamp(min=5.0)
    f = zl
    for k in range(40, 0, -1):
        f = zl + (k / 2) / f
    return pa.where(z < 5.0, direct, 1.0 / (math.sqrt(math.pi) * f))


_LOG_NDTR: Any = None


def _log_ndtr_fn() -> Any:
    """PyTorch's log_ndtr: log1p(-erfc(t) / 2) for x >= -1, else log(erfcx(-t) / 2) - t**2
    (t = x / sqrt(2)), so the tails stay finite (log_ndtr(-172) is -14798, log_ndtr(172) -0);
    its gradient grad / sqrt(2 pi) * exp(-(result + x**2 / 2)) from the saved input and result."""
    global _LOG_NDTR
    if _LOG_NDTR is None:
        from .autograd import Function

        class LogNdtr(Function):
            @staticmethod
            def forward(ctx: Any, x: Tensor) -> Tensor:
                xd = x.to(pa.float64)
                t = xd * math.sqrt(0.5)  # M_SQRT1_2, PyTorch's constant
                upper = pa.log1p(pa.erfc(t) * -0.5)
                tl = t.clamp(max=-0.5)  # the lower branch's t (x < -1), kept in its domain
                lower = pa.log(_erfcx_large(-tl) * 0.5) - tl * tl
                y = pa.where(xd < -1.0, lower, upper).to(x.dtype)
                ctx.save_for_backward(x, y)
                return y

            @staticmethod
            def backward(ctx: Any, *grads: Tensor) -> Any:
                x, y = ctx.saved_tensors
                return grads[0] / math.sqrt(2 * math.pi) * (-(y + x.pow(2) / 2)).exp()

        _LOG_NDTR = LogNdtr
    return _LOG_NDTR


def log_ndtr(input: Tensor) -> Tensor:
    """log(ndtr(x)), accurate in both tails (as PyTorch's)."""
    x = _float(input)
    return pa._core._show_grad_fn_as(_log_ndtr_fn().apply(x), "SpecialLogNdtrBackward0")


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


# ---- modified Bessel functions of the first kind (i0, i0e, i1, i1e) and erfcx ----
# Values in float64 by NumPy (a float32 input is rounded once at the end): a power series up to
# |x| = 20, whose terms are all positive, and Hankel's asymptotic expansion beyond, where its
# smallest term is below 1e-16 of the sum. As PyTorch's, i0 and i1 are inf where exp(|x|)
# overflows in the input's dtype (torch.i0(float32(89)) is inf though I0(89) = 1.9e37 is not),
# and NaN at +-inf (exp(inf) times the scaled value 0).

_SERIES_MAX = 20.0


def _scaled_bessel(ax: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(exp(-x) I0(x), exp(-x) I1(x)) for x = ax >= 0 (NaN stays NaN, inf gives 0)."""
    small = ax <= _SERIES_MAX
    xs = np.where(small, ax, 0.0)
    q = xs * xs / 4
    t0 = np.ones_like(xs)
    t1 = np.ones_like(xs)
    s0, s1 = t0.copy(), t1.copy()
    for k in range(1, 60):  # sum q^k/(k!)^2 and sum q^k/(k!(k+1)!)
        t0 = t0 * q / (k * k)
        t1 = t1 * q / (k * (k + 1))
        s0 += t0
        s1 += t1
    e = np.exp(-xs)
    i0e_s, i1e_s = s0 * e, xs / 2 * s1 * e
    xl = np.where(small, 2 * _SERIES_MAX, ax)
    with np.errstate(divide="ignore", invalid="ignore"):
        z = 1 / (8 * xl)
        a0 = np.ones_like(xl)
        a1 = np.ones_like(xl)
        u0, u1 = a0.copy(), a1.copy()
        for k in range(1, 40):  # DLMF 10.40.1 with 4 nu^2 = 0 and 4
            a0 = a0 * ((2 * k - 1) ** 2 * z / k)
            a1 = a1 * (((2 * k - 1) ** 2 - 4) * z / k)
            u0 += a0
            u1 += a1
        r = 1 / np.sqrt(2 * math.pi * xl)
        i0e_l = np.where(np.isinf(xl), 0.0, u0 * r)
        i1e_l = np.where(np.isinf(xl), 0.0, u1 * r)
    return np.where(small, i0e_s, i0e_l), np.where(small, i1e_s, i1e_l)


def _np_bessel(name: str, x: Tensor) -> Tensor:
    """special.<name>(x) (no gradient) for a floating tensor x."""
    a = x.detach().to(pa.float64).numpy()
    ax = np.abs(a)
    i0e, i1e = _scaled_bessel(ax)
    neg = a < 0
    with np.errstate(over="ignore", invalid="ignore"):
        if name == "i0e":
            r = i0e
        elif name == "i1e":
            r = np.where(neg, -i1e, i1e)
        else:
            v = (i0e if name == "i0" else i1e) * np.exp(ax)
            # inf where exp(|x|) overflows in x's dtype, as PyTorch's exp(x) * chbevl(...)
            ex = np.exp(ax.astype(np.float32)) if x.dtype == pa.float32 else np.exp(ax)
            v = np.where(np.isinf(ex) & np.isfinite(ax), math.inf, v)  # NaN at inf, as theirs
            r = v if name == "i0" else np.where(neg, -v, v)
    return pa.from_numpy(np.array(r, dtype=np.float64)).to(x.dtype)


def _np_erfcx(x: Tensor) -> Tensor:
    """exp(x^2) erfc(x) (no gradient) for a floating tensor x."""
    x64 = x.detach().to(pa.float64)
    a = x64.numpy()
    erfc = pa.erfc(x64).numpy()
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        # exp(x^2) with x^2 split exactly (hi has 24 bits, so hi * hi is exact in float64)
        hi = a.astype(np.float32).astype(np.float64)
        lo = a - hi
        direct = np.exp(hi * hi) * np.exp(lo * (2 * hi + lo)) * erfc
        direct = np.where(np.isinf(hi), np.where(a < 0, math.inf, 0.0), direct)
        # large x: erfcx(x) ~ 1/(x sqrt(pi)) sum_k (-1)^k (2k-1)!! / (2x^2)^k (DLMF 7.12.1)
        xl = np.where(a >= 10, a, 10.0)
        w = 1 / (2 * xl * xl)
        term = np.ones_like(xl)
        total = term.copy()
        for k in range(1, 30):
            term = term * (-(2 * k - 1) * w)
            total += term
        asym = total / (xl * math.sqrt(math.pi))
        asym = np.where(np.isinf(a), 0.0, asym)
    r = np.where(a >= 10, asym, direct)
    return pa.from_numpy(np.array(r, dtype=np.float64)).to(x.dtype)


_FUNCTIONS: dict[str, Any] = {}


def _tiny(x: Tensor) -> tuple[Tensor, Tensor]:
    """(|x| > eps/2, x with those that are not replaced by eps/2): PyTorch's i1 backward."""
    eps = pa.finfo(x.dtype).eps / 2
    big = x.abs() > eps
    return big, pa.where(big, x, pa.full((), eps, dtype=x.dtype))


def _backward(name: str, x: Tensor, g: Tensor) -> Tensor:
    if name == "i0":
        return g * i1(x)
    if name == "i0e":
        return g * (i1e(x) - x.sgn() * i0e(x))
    if name == "erfcx":
        return g * (2 * x * erfcx(x) - 2 / math.sqrt(math.pi))
    big, safe = _tiny(x)
    if name == "i1":
        d = i0(safe) - i1(safe) / safe
    else:
        d = i0e(safe) - i1e(safe) * (safe.sgn() + 1 / safe)
    return g * pa.where(big, d, pa.full((), 0.5, dtype=x.dtype))


def _function(name: str) -> Any:
    fn = _FUNCTIONS.get(name)
    if fn is None:
        from .autograd import Function

        def forward(ctx: Any, x: Tensor) -> Tensor:
            ctx.save_for_backward(x)
            return _np_erfcx(x) if name == "erfcx" else _np_bessel(name, x)

        def backward(ctx: Any, *grads: Tensor) -> Any:
            (x,) = ctx.saved_tensors
            return _backward(name, x, grads[0])

        cls_name = {"i0": "I0", "i0e": "SpecialI0E", "i1": "SpecialI1", "i1e": "SpecialI1E"}
        fn = type(
            cls_name.get(name, "SpecialErfcx"),
            (Function,),
            {"forward": staticmethod(forward), "backward": staticmethod(backward)},
        )
        _FUNCTIONS[name] = fn
    return fn


def _unary(name: str, input: Any) -> Tensor:
    if not isinstance(input, Tensor):
        raise TypeError(
            f"[special.{name}] input must be a Tensor, got {type(input).__name__}"
        )  # fmt: skip
    out: Tensor = _function(name).apply(_float(input))
    return out


def i0(input: Tensor) -> Tensor:
    """The modified Bessel function of the first kind of order 0; its gradient is i1."""
    return _unary("i0", input)


def i0e(input: Tensor) -> Tensor:
    """exp(-|input|) * i0(input), the exponentially scaled i0."""
    return _unary("i0e", input)


def i1(input: Tensor) -> Tensor:
    """The modified Bessel function of the first kind of order 1."""
    return _unary("i1", input)


def i1e(input: Tensor) -> Tensor:
    """exp(-|input|) * i1(input), the exponentially scaled i1."""
    return _unary("i1e", input)


def erfcx(input: Tensor) -> Tensor:
    """The scaled complementary error function exp(input^2) * erfc(input), accurate where
    erfc underflows."""
    return _unary("erfcx", input)
