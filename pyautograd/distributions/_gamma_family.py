"""Gamma, Chi2, Beta, Dirichlet and StudentT (PyTorch's formulas), TransformedDistribution,
and biject_to / transform_to.

Draws: gamma variates come from numpy's generator seeded by pyautograd's (not PyTorch's
stream). rsample is differentiable by implicit reparameterisation: the derivative of a
standard gamma sample x in its concentration a is PyTorch's approximation
(_standard_gamma_grad: a series for small x, Rice's saddle point expansion for large a, a
rational fit between). Dirichlet samples are normalised gamma samples, differentiated through
the gammas (an exact pathwise gradient of the same sample; PyTorch differentiates its samples
by a separate approximation, so the gradients of a given sample differ, their expectations
agree)."""

# mypy: disable-error-code="no-any-return"

from __future__ import annotations

import math
from collections.abc import Sequence
from numbers import Number
from typing import Any, ClassVar

import numpy as np

import pyautograd as pa

from .. import _core
from .._api import finfo
from .._core import Tensor
from ..autograd import Function, FunctionCtx
from . import Distribution, Independent, _positive, _real, _size, broadcast_all, register_kl
from . import constraints as C
from . import transforms as T

__all__ = [
    "Beta",
    "Chi2",
    "Dirichlet",
    "Gamma",
    "StudentT",
    "TransformedDistribution",
    "biject_to",
    "transform_to",
]

_RICE_COEF = np.array(
    [
        [0.16009398, -0.094634809, 0.025146376, -0.0030648343,
         1, 0.32668115, 0.10406089, 0.0014179084],
        [0.53487893, 0.1298071, 0.065735949, -0.0015649758,
         0.16639465, 0.020070113, -0.0035938915, -0.00058392623],
        [0.040121004, -0.0065914022, -0.0026286047, -0.0013441777,
         0.017050642, -0.0021309326, 0.00085092367, -1.5247877e-07],
    ]
)  # fmt: skip


def _digamma_np(a: np.ndarray) -> np.ndarray:
    return pa.digamma(pa.from_numpy(np.ascontiguousarray(a, dtype=np.float64))).numpy()


def _standard_gamma_grad_np(alpha: np.ndarray, x: np.ndarray) -> np.ndarray:
    """d x / d alpha of a standard gamma sample x (PyTorch's standard_gamma_grad_one)."""
    alpha, x = np.broadcast_arrays(np.asarray(alpha, np.float64), np.asarray(x, np.float64))
    out = np.empty(alpha.shape)
    with np.errstate(all="ignore"):
        small = x < 0.8
        if small.any():
            a, xs = alpha[small], x[small]
            numer = np.ones_like(a)
            denom = a.copy()
            s1 = numer / denom
            s2 = numer / (denom * denom)
            for i in range(1, 6):
                numer = numer * (-xs / i)
                denom = denom + 1
                s1 = s1 + numer / denom
                s2 = s2 + numer / (denom * denom)
            pow_x_alpha = xs**a
            pdf = xs ** (a - 1) * np.exp(-xs)
            cdf = pow_x_alpha * s1
            cdf_alpha = (np.log(xs) - _digamma_np(a)) * cdf - pow_x_alpha * s2
            r = -cdf_alpha / pdf
            out[small] = np.where(np.isnan(r), 0.0, r)
        big = ~small & (alpha > 8.0)
        if big.any():
            a, xs = alpha[big], x[big]
            near = (0.9 * a <= xs) & (xs <= 1.1 * a)
            numer_1 = 1 + 24 * a * (1 + 12 * a)
            numer_2 = (
                1440 * (a * a) + 6 * xs * (53 - 120 * xs) - 65 * xs * xs / a + a * (107 + 3600 * xs)
            )
            r_near = numer_1 * numer_2 / (1244160 * (a * a) * (a * a))
            denom = np.sqrt(8 * a)
            term2 = denom / (a - xs)
            term3 = (xs - a - a * np.log(xs / a)) ** -1.5
            term23 = np.where(xs < a, term2 - term3, term2 + term3)
            term1 = np.log(xs / a) * term23 - np.sqrt(2 / a) * (a + xs) / ((a - xs) * (a - xs))
            stirling = 1 + 1 / (12 * a) * (1 + 1 / (24 * a))
            r_far = -stirling * (xs * term1) / denom
            out[big] = np.where(near, r_near, r_far)
        mid = ~small & ~(alpha > 8.0)
        if mid.any():
            a, xs = alpha[mid], x[mid]
            u = np.log(xs / a)
            v = np.log(a)
            cv = _RICE_COEF[0][:, None] + u * (_RICE_COEF[1][:, None] + u * _RICE_COEF[2][:, None])
            p = cv[0] + v * (cv[1] + v * (cv[2] + v * cv[3]))
            q = cv[4] + v * (cv[5] + v * (cv[6] + v * cv[7]))
            out[mid] = np.exp(p / q)
    return out


def _np_rng() -> np.random.Generator:
    seed = pa.randint(0, 2**62, [2]).tolist()
    return np.random.default_rng(seed)


class _StandardGamma(Function):
    @staticmethod
    def forward(ctx: FunctionCtx, alpha: Tensor) -> Tensor:
        a = alpha.detach().numpy().astype(np.float64)
        x = _np_rng().standard_gamma(a)
        x = np.maximum(x, finfo(alpha.dtype).tiny)
        out = pa.from_numpy(np.ascontiguousarray(x)).to(alpha.dtype)
        ctx.save_for_backward(alpha, out)
        return out

    @staticmethod
    def backward(ctx: FunctionCtx, *grads: Tensor) -> Tensor:
        (grad,) = grads
        alpha, x = ctx.saved_tensors
        assert alpha is not None and x is not None
        d = _standard_gamma_grad_np(alpha.detach().numpy(), x.detach().numpy())
        return grad * pa.from_numpy(np.ascontiguousarray(d)).to(grad.dtype)


def _standard_gamma(alpha: Tensor) -> Tensor:
    """Standard gamma samples of concentration alpha (elementwise), differentiable in alpha."""
    return _StandardGamma.apply(alpha.contiguous())


def _standard_gamma_grad(alpha: Tensor, x: Tensor) -> Tensor:
    """torch._standard_gamma_grad: d x / d alpha of standard gamma samples x."""
    d = _standard_gamma_grad_np(alpha.detach().numpy(), x.detach().numpy())
    return pa.from_numpy(np.ascontiguousarray(d)).to(alpha.dtype)


def _batch(given: Sequence[Any], param: Tensor) -> tuple[int, ...]:
    return () if all(isinstance(g, Number) for g in given) else tuple(param.shape)


class Gamma(Distribution):
    """The gamma distribution of shape ``concentration`` and ``rate``."""

    has_rsample = True
    arg_constraints: ClassVar[dict[str, Any]] = {"concentration": _positive, "rate": _positive}
    support = C.nonnegative

    def __init__(
        self,
        concentration: Tensor | float,
        rate: Tensor | float,
        validate_args: bool | None = None,
    ) -> None:
        self.concentration, self.rate = broadcast_all(concentration, rate)
        super().__init__(
            _batch([concentration, rate], self.concentration), validate_args=validate_args
        )

    @property
    def mean(self) -> Tensor:
        return self.concentration / self.rate

    @property
    def mode(self) -> Tensor:
        """The mode: (concentration - 1) / rate, at least 0."""
        return ((self.concentration - 1) / self.rate).clamp(min=0)

    @property
    def variance(self) -> Tensor:
        return self.concentration / self.rate.pow(2)

    def rsample(self, sample_shape: Sequence[int] | int = ()) -> Tensor:
        shape = list(self._extended_shape(sample_shape))
        value = _standard_gamma(self.concentration.expand(*shape)) / self.rate.expand(*shape)
        return value.clamp(min=finfo(value.dtype).tiny)

    def log_prob(self, value: Tensor) -> Tensor:
        if self._validate_args:
            self._check_support(value, value >= 0)
        c, r = self.concentration, self.rate
        return c.xlogy(r) + (c - 1).xlogy(value) - r * value - pa.lgamma(c)

    def entropy(self) -> Tensor:
        c = self.concentration
        return c - self.rate.log() + pa.lgamma(c) + (1.0 - c) * pa.digamma(c)

    def cdf(self, value: Tensor) -> Tensor:
        """The regularised lower incomplete gamma function P(concentration, rate * value)."""
        from .._api_gaps2_more import igamma

        if self._validate_args:
            self._check_support(value, value >= 0)
        return igamma(self.concentration, self.rate * value)


class Chi2(Gamma):
    """The chi-squared distribution of ``df`` degrees of freedom: Gamma(df / 2, 1 / 2)."""

    def __init__(self, df: Tensor | float, validate_args: bool | None = None) -> None:
        super().__init__(0.5 * df, 0.5, validate_args=validate_args)

    @property
    def df(self) -> Tensor:
        """The degrees of freedom."""
        return self.concentration * 2


def _positive_last(self: Any, v: Tensor) -> Tensor:
    """IndependentConstraint(GreaterThan(lower_bound=0.0), 1)"""
    return (v > 0).all(-1)


class _DirichletSample(Function):
    """Normalised standard gammas; backward through the gammas' implicit derivative."""

    @staticmethod
    def forward(ctx: FunctionCtx, concentration: Tensor) -> Tensor:
        a = concentration.detach().numpy().astype(np.float64)
        g = np.maximum(_np_rng().standard_gamma(a), np.finfo(np.float64).tiny)
        total = g.sum(-1, keepdims=True)
        x = g / total
        dg = _standard_gamma_grad_np(a, g)
        ctx.dg_over_total = dg / total  # type: ignore[attr-defined]
        ctx.x = x  # type: ignore[attr-defined]
        fi = finfo(concentration.dtype)
        out = np.clip(x, fi.tiny, 1 - fi.eps)
        return pa.from_numpy(np.ascontiguousarray(out)).to(concentration.dtype)

    @staticmethod
    def backward(ctx: FunctionCtx, *grads: Tensor) -> Tensor:
        (grad,) = grads
        # x_i = g_i / S: dL/dg_j = (grad_j - sum_i grad_i x_i) / S; dL/da_j = that * dg_j/da_j
        gv = grad.detach().numpy().astype(np.float64)
        x = ctx.x  # type: ignore[attr-defined]
        r = (gv - (gv * x).sum(-1, keepdims=True)) * ctx.dg_over_total  # type: ignore[attr-defined]
        return pa.from_numpy(np.ascontiguousarray(r)).to(grad.dtype)


class Dirichlet(Distribution):
    """The Dirichlet distribution of ``concentration`` (..., K): events on the K-simplex."""

    has_rsample = True
    arg_constraints: ClassVar[dict[str, Any]] = {"concentration": _positive_last}
    support = C.simplex

    def __init__(self, concentration: Tensor, validate_args: bool | None = None) -> None:
        if not isinstance(concentration, Tensor) or concentration.dim() < 1:
            raise ValueError("`concentration` parameter must be at least one-dimensional.")
        self.concentration = concentration
        super().__init__(
            tuple(concentration.shape[:-1]),
            tuple(concentration.shape[-1:]),
            validate_args=validate_args,
        )

    def rsample(self, sample_shape: Sequence[int] | int = ()) -> Tensor:
        shape = list(self._extended_shape(sample_shape))
        return _DirichletSample.apply(self.concentration.expand(*shape).contiguous())

    def log_prob(self, value: Tensor) -> Tensor:
        if self._validate_args:
            self._check_support(value, C.simplex.check(value))
        c = self.concentration
        return (c - 1.0).xlogy(value).sum(-1) + pa.lgamma(c.sum(-1)) - pa.lgamma(c).sum(-1)

    @property
    def mean(self) -> Tensor:
        return self.concentration / self.concentration.sum(-1, True)

    @property
    def mode(self) -> Tensor:
        """The mode (a vertex, the largest concentration's, where all concentrations are
        below 1)."""
        from ..nn.functional import one_hot

        cm1 = (self.concentration - 1).clamp(min=0.0)
        mode = cm1 / cm1.sum(-1, True)
        mask = (self.concentration < 1).all(-1)
        if bool(mask.any()):
            mode = mode.clone()
            mode[mask] = one_hot(mode[mask].argmax(-1), cm1.shape[-1]).to(mode.dtype)
        return mode

    @property
    def variance(self) -> Tensor:
        c = self.concentration
        con0 = c.sum(-1, True)
        return c * (con0 - c) / (con0.pow(2) * (con0 + 1))

    def entropy(self) -> Tensor:
        c = self.concentration
        k = c.shape[-1]
        a0 = c.sum(-1)
        return (
            pa.lgamma(c).sum(-1)
            - pa.lgamma(a0)
            - (k - a0) * pa.digamma(a0)
            - ((c - 1.0) * pa.digamma(c)).sum(-1)
        )

    def expand(self, batch_shape: Sequence[int], _instance: Any = None) -> Dirichlet:
        shape = list(_size(batch_shape))
        return Dirichlet(self.concentration.expand(*shape, *self.event_shape), validate_args=False)


class Beta(Distribution):
    """The beta distribution of ``concentration1`` (alpha) and ``concentration0`` (beta)."""

    has_rsample = True
    arg_constraints: ClassVar[dict[str, Any]] = {
        "concentration1": _positive,
        "concentration0": _positive,
    }
    support = C.unit_interval

    def __init__(
        self,
        concentration1: Tensor | float,
        concentration0: Tensor | float,
        validate_args: bool | None = None,
    ) -> None:
        if isinstance(concentration1, Number) and isinstance(concentration0, Number):
            both = pa.tensor([float(concentration1), float(concentration0)])
        else:
            c1, c0 = broadcast_all(concentration1, concentration0)
            both = pa.stack([c1, c0], -1)
        self._dirichlet = Dirichlet(both, validate_args=validate_args)
        super().__init__(self._dirichlet.batch_shape, validate_args=False)
        if validate_args is not None:
            self._validate_args = validate_args

    @property
    def concentration1(self) -> Tensor:
        """alpha."""
        return self._dirichlet.concentration[..., 0]

    @property
    def concentration0(self) -> Tensor:
        """beta."""
        return self._dirichlet.concentration[..., 1]

    @property
    def mean(self) -> Tensor:
        return self.concentration1 / (self.concentration1 + self.concentration0)

    @property
    def mode(self) -> Tensor:
        """The mode (Dirichlet's first coordinate)."""
        return self._dirichlet.mode[..., 0]

    @property
    def variance(self) -> Tensor:
        total = self.concentration1 + self.concentration0
        return self.concentration1 * self.concentration0 / (total.pow(2) * (total + 1))

    def rsample(self, sample_shape: Sequence[int] | int = ()) -> Tensor:
        return self._dirichlet.rsample(sample_shape).select(-1, 0)

    def log_prob(self, value: Tensor) -> Tensor:
        if self._validate_args:
            self._check_support(value, (value >= 0) & (value <= 1))
        heads_tails = pa.stack([value, 1.0 - value], -1)
        return self._dirichlet.log_prob(heads_tails)

    def entropy(self) -> Tensor:
        return self._dirichlet.entropy()

    def expand(self, batch_shape: Sequence[int], _instance: Any = None) -> Beta:
        new = object.__new__(Beta)
        new.__dict__.update(self.__dict__)
        new._dirichlet = self._dirichlet.expand(batch_shape)
        new._batch_shape = _size(batch_shape)
        return new

    def __repr__(self) -> str:
        return f"Beta(concentration1: {self.concentration1}, concentration0: {self.concentration0})"


class StudentT(Distribution):
    """Student's t distribution of ``df`` degrees of freedom, location ``loc`` and scale."""

    has_rsample = True
    arg_constraints: ClassVar[dict[str, Any]] = {
        "df": _positive,
        "loc": _real,
        "scale": _positive,
    }
    support = C.real

    def __init__(
        self,
        df: Tensor | float,
        loc: Tensor | float = 0.0,
        scale: Tensor | float = 1.0,
        validate_args: bool | None = None,
    ) -> None:
        self.df, self.loc, self.scale = broadcast_all(df, loc, scale)
        self._chi2 = Chi2(self.df)
        super().__init__(tuple(self.df.shape), validate_args=validate_args)

    @property
    def mean(self) -> Tensor:
        return pa.where(self.df > 1, self.loc, math.nan)

    @property
    def mode(self) -> Tensor:
        """The mode: loc."""
        return self.loc

    @property
    def variance(self) -> Tensor:
        df = self.df
        v = self.scale.pow(2) * df / (df - 2)
        v = pa.where(df > 2, v, math.inf)
        return pa.where(df > 1, v, math.nan)

    def rsample(self, sample_shape: Sequence[int] | int = ()) -> Tensor:
        shape = list(self._extended_shape(sample_shape))
        X = _core.empty(shape, dtype=self.df.dtype).normal_()
        Z = self._chi2.rsample(sample_shape)
        Y = X * (Z / self.df).rsqrt()
        return self.loc + self.scale * Y

    def log_prob(self, value: Tensor) -> Tensor:
        if self._validate_args:
            self._check_support(value, value == value)
        df = self.df
        y = (value - self.loc) / self.scale
        Z = (
            self.scale.log()
            + 0.5 * df.log()
            + 0.5 * math.log(math.pi)
            + pa.lgamma(0.5 * df)
            - pa.lgamma(0.5 * (df + 1.0))
        )
        return -0.5 * (df + 1.0) * (y**2.0 / df).log1p() - Z

    def entropy(self) -> Tensor:
        df = self.df
        lbeta = pa.lgamma(0.5 * df) + math.lgamma(0.5) - pa.lgamma(0.5 * (df + 1))
        return (
            self.scale.log()
            + 0.5 * (df + 1) * (pa.digamma(0.5 * (df + 1)) - pa.digamma(0.5 * df))
            + 0.5 * df.log()
            + lbeta
        )

    def expand(self, batch_shape: Sequence[int], _instance: Any = None) -> StudentT:
        shape = list(_size(batch_shape))
        return StudentT(
            self.df.expand(*shape),
            self.loc.expand(*shape),
            self.scale.expand(*shape),
            validate_args=False,
        )


class TransformedDistribution(Distribution):
    """base_distribution pushed through transforms (a Transform or a list, applied in order):
    log_prob by the change of variables, cdf/icdf for monotone transforms."""

    arg_constraints: ClassVar[dict[str, Any]] = {}

    def __init__(
        self,
        base_distribution: Distribution,
        transforms: T.Transform | Sequence[T.Transform],
        validate_args: bool | None = None,
    ) -> None:
        if isinstance(transforms, T.Transform):
            self.transforms = [transforms]
        elif isinstance(transforms, list | tuple):
            if not all(isinstance(t, T.Transform) for t in transforms):
                raise ValueError("transforms must be a Transform or a list of Transforms")
            self.transforms = list(transforms)
        else:
            raise ValueError(
                f"transforms must be a Transform or a list of Transforms, but was {transforms}"
            )
        base_shape = tuple(base_distribution.batch_shape) + tuple(base_distribution.event_shape)
        base_event_dim = len(base_distribution.event_shape)
        transform = T.ComposeTransform(self.transforms)
        if len(base_shape) < transform.domain.event_dim:
            raise ValueError(
                f"base_distribution needs to have shape with size at least "
                f"{transform.domain.event_dim}, but got {base_shape}."
            )
        forward_shape = transform.forward_shape(base_shape)
        expanded_base_shape = transform.inverse_shape(forward_shape)
        if base_shape != expanded_base_shape:
            base_batch_shape = expanded_base_shape[: len(expanded_base_shape) - base_event_dim]
            base_distribution = base_distribution.expand(base_batch_shape)
        reinterpreted = transform.domain.event_dim - base_event_dim
        if reinterpreted > 0:
            base_distribution = Independent(base_distribution, reinterpreted)
        self.base_dist = base_distribution
        change = transform.codomain.event_dim - transform.domain.event_dim
        event_dim = max(transform.codomain.event_dim, base_event_dim + change)
        cut = len(forward_shape) - event_dim
        super().__init__(forward_shape[:cut], forward_shape[cut:], validate_args=validate_args)

    @property
    def has_rsample(self) -> bool:  # type: ignore[override]
        return self.base_dist.has_rsample

    @property
    def support(self) -> C.Constraint:
        """The last transform's codomain."""
        return self.transforms[-1].codomain if self.transforms else C.real

    def sample(self, sample_shape: Sequence[int] | int = ()) -> Tensor:
        from ..autograd import no_grad

        with no_grad():
            x = self.base_dist.sample(sample_shape)
            for t in self.transforms:
                x = t(x)
            return x

    def rsample(self, sample_shape: Sequence[int] | int = ()) -> Tensor:
        x = self.base_dist.rsample(sample_shape)
        for t in self.transforms:
            x = t(x)
        return x

    def log_prob(self, value: Tensor) -> Tensor:
        if self._validate_args and self.transforms:
            self._check_support(value, self.support.check(value))
        event_dim = len(self.event_shape)
        log_prob: Any = 0.0
        y = value
        for transform in reversed(self.transforms):
            x = transform.inv(y)
            event_dim += transform.domain.event_dim - transform.codomain.event_dim
            log_prob = log_prob - T._sum_rightmost(
                transform.log_abs_det_jacobian(x, y), event_dim - transform.domain.event_dim
            )
            y = x
        return log_prob + T._sum_rightmost(
            self.base_dist.log_prob(y), event_dim - len(self.base_dist.event_shape)
        )

    def _monotonize_cdf(self, value: Tensor) -> Tensor:
        sign: Any = 1
        for t in self.transforms:
            sign = sign * t.sign
        if isinstance(sign, int) and sign == 1:
            return value
        return sign * (value - 0.5) + 0.5

    def cdf(self, value: Tensor) -> Tensor:
        """The base's cdf at the inverse image (monotone transforms)."""
        for t in self.transforms[::-1]:
            value = t.inv(value)
        value = self.base_dist.cdf(value)  # type: ignore[attr-defined]
        return self._monotonize_cdf(value)

    def icdf(self, value: Tensor) -> Tensor:
        """The transforms applied to the base's icdf (monotone transforms)."""
        value = self._monotonize_cdf(value)
        value = self.base_dist.icdf(value)  # type: ignore[attr-defined]
        for t in self.transforms:
            value = t(value)
        return value

    def expand(self, batch_shape: Sequence[int], _instance: Any = None) -> TransformedDistribution:
        shape = tuple(_size(batch_shape))
        base_shape = shape + tuple(self.event_shape)
        for t in reversed(self.transforms):
            base_shape = t.inverse_shape(base_shape)
        nb = len(base_shape) - len(self.base_dist.event_shape)
        return TransformedDistribution(
            self.base_dist.expand(base_shape[:nb]), self.transforms, validate_args=False
        )

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


# ---- biject_to / transform_to ----------------------------------------------------------------
def _to_constraint(constraint: Any, bijective: bool) -> T.Transform:
    c = constraint
    if isinstance(c, C._IndependentConstraint):
        base = _to_constraint(c.base_constraint, bijective)
        return T.IndependentTransform(base, c.reinterpreted_batch_ndims)
    if isinstance(c, C._Real):
        return T.identity_transform
    if isinstance(c, C._GreaterThan):  # positive, nonnegative, greater_than(_eq)
        if isinstance(c.lower_bound, int | float) and c.lower_bound == 0:
            return T.ExpTransform()
        return T.ComposeTransform([T.ExpTransform(), T.AffineTransform(c.lower_bound, 1)])
    if isinstance(c, C._LessThan):
        return T.ComposeTransform([T.ExpTransform(), T.AffineTransform(c.upper_bound, -1)])
    if isinstance(c, C._Interval):
        lo, hi = c.lower_bound, c.upper_bound
        if isinstance(lo, int | float) and isinstance(hi, int | float) and lo == 0 and hi == 1:
            return T.SigmoidTransform()
        return T.ComposeTransform([T.SigmoidTransform(), T.AffineTransform(lo, hi - lo)])
    if isinstance(c, C._Simplex):
        return T.StickBreakingTransform() if bijective else T.SoftmaxTransform()
    name = "biject_to" if bijective else "transform_to"
    raise NotImplementedError(f"Cannot transform {type(c).__name__} constraints ({name})")


def biject_to(constraint: C.Constraint) -> T.Transform:
    """A bijective transform from the reals onto constraint (PyTorch's choices: exp for
    positive, sigmoid (+ affine) for intervals, stick breaking for the simplex)."""
    return _to_constraint(constraint, True)


def transform_to(constraint: C.Constraint) -> T.Transform:
    """A transform from the reals onto constraint, not necessarily bijective (softmax for the
    simplex; the others as biject_to)."""
    return _to_constraint(constraint, False)


# ---- KL divergences (PyTorch's closed forms) --------------------------------------------------
def _kl_gamma_gamma(p: Gamma, q: Gamma) -> Tensor:
    t1 = q.concentration * (p.rate / q.rate).log()
    t2 = pa.lgamma(q.concentration) - pa.lgamma(p.concentration)
    t3 = (p.concentration - q.concentration) * pa.digamma(p.concentration)
    t4 = (q.rate - p.rate) * (p.concentration / p.rate)
    return t1 + t2 + t3 + t4


def _kl_beta_beta(p: Beta, q: Beta) -> Tensor:
    sp = p.concentration1 + p.concentration0
    sq = q.concentration1 + q.concentration0
    t1 = q.concentration1.lgamma() + q.concentration0.lgamma() + sp.lgamma()
    t2 = p.concentration1.lgamma() + p.concentration0.lgamma() + sq.lgamma()
    t3 = (p.concentration1 - q.concentration1) * pa.digamma(p.concentration1)
    t4 = (p.concentration0 - q.concentration0) * pa.digamma(p.concentration0)
    t5 = (sq - sp) * pa.digamma(sp)
    return t1 - t2 + t3 + t4 + t5


def _kl_dirichlet_dirichlet(p: Dirichlet, q: Dirichlet) -> Tensor:
    sp = p.concentration.sum(-1)
    sq = q.concentration.sum(-1)
    t1 = sp.lgamma() - sq.lgamma()
    t2 = (p.concentration.lgamma() - q.concentration.lgamma()).sum(-1)
    t3 = p.concentration - q.concentration
    t4 = pa.digamma(p.concentration) - pa.digamma(sp).unsqueeze(-1)
    return t1 - t2 + (t3 * t4).sum(-1)


register_kl(Gamma, Gamma)(_kl_gamma_gamma)
register_kl(Beta, Beta)(_kl_beta_beta)
register_kl(Dirichlet, Dirichlet)(_kl_dirichlet_dirichlet)
