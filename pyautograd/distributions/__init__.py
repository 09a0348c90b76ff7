"""``pyautograd.distributions``: PyTorch's ``Normal``, ``Bernoulli``, ``Categorical``,
``Uniform`` and ``Independent`` distributions and ``kl_divergence`` between them, with PyTorch's
parameters, shapes (``batch_shape``, ``event_shape``, ``sample(sample_shape)``), argument
validation and formulas. Samples draw from pyautograd's generator with the ops PyTorch's
samplers use (``normal_``, ``bernoulli``, ``rand``, ``multinomial``); ``rsample`` is
differentiable (the reparameterisation trick).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from numbers import Number
from typing import Any, ClassVar, TypeAlias

from .. import _core
from .._api import broadcast_tensors, finfo
from .._core import Tensor
from .._size import Size
from ..nn._functional.activation import softplus
from ..nn._functional.loss import binary_cross_entropy_with_logits

__all__ = [
    "Bernoulli",
    "Beta",
    "Categorical",
    "Chi2",
    "Dirichlet",
    "Distribution",
    "Exponential",
    "Gamma",
    "HalfNormal",
    "Independent",
    "Laplace",
    "LogNormal",
    "MixtureSameFamily",
    "MultivariateNormal",
    "Normal",
    "OneHotCategorical",
    "Poisson",
    "StudentT",
    "TransformedDistribution",
    "Uniform",
    "biject_to",
    "constraints",
    "kl_divergence",
    "register_kl",
    "transform_to",
    "transforms",
]


def broadcast_all(*values: Any) -> tuple[Tensor, ...]:
    """Numbers become tensors (the tensors' dtype, else the default dtype); all are broadcast."""
    tensors = [v for v in values if isinstance(v, Tensor)]
    if len(tensors) + sum(isinstance(v, Number) for v in values) != len(values):
        raise ValueError("Input arguments must all be instances of numbers.Number or Tensor.")
    dtype = tensors[0].dtype if tensors else _core._get_default_dtype()
    out = [v if isinstance(v, Tensor) else _core.full((), float(v), dtype=dtype) for v in values]
    return tuple(broadcast_tensors(*out)) if len(out) > 1 else (out[0],)


def clamp_probs(probs: Tensor) -> Tensor:
    """probs clamped to [eps, 1 - eps] (eps of their dtype)."""
    eps = finfo(probs.dtype).eps
    return probs.clamp(min=eps, max=1 - eps)


def probs_to_logits(probs: Tensor, is_binary: bool = False) -> Tensor:
    """Log-odds (binary) or log-probabilities of clamped probabilities."""
    p = clamp_probs(probs)
    return p.log() - (-p).log1p() if is_binary else p.log()


def logits_to_probs(logits: Tensor, is_binary: bool = False) -> Tensor:
    """sigmoid (binary) or softmax over the last dim."""
    return logits.sigmoid() if is_binary else logits.softmax(-1)


_Checks: TypeAlias = dict[str, Callable[[Any, Tensor], Tensor]]


def _size(shape: Sequence[int] | int) -> Size:
    return Size([shape]) if isinstance(shape, int) else Size(list(shape))


class Distribution:
    """The base: batch_shape, event_shape, sample/rsample, log_prob, entropy, mean, variance,
    stddev, argument validation (on by default, as PyTorch's)."""

    has_rsample = False
    _validate_args = True
    arg_constraints: ClassVar[_Checks] = {}

    def __init__(
        self,
        batch_shape: Sequence[int] = (),
        event_shape: Sequence[int] = (),
        validate_args: bool | None = None,
    ) -> None:
        self._batch_shape = _size(batch_shape)
        self._event_shape = _size(event_shape)
        if validate_args is not None:
            self._validate_args = validate_args
        if self._validate_args:
            for name, check in self.arg_constraints.items():
                if name not in self.__dict__:
                    continue  # the other parameterisation (probs vs logits) was given
                value = self.__dict__[name]
                if not bool(check(self, value).all()):
                    raise ValueError(
                        f"Expected parameter {name} (Tensor of shape {tuple(value.shape)}) of "
                        f"distribution {self!r} to satisfy the constraint "
                        f"{check.__doc__}, but found invalid values:\n{value}"
                    )

    @property
    def batch_shape(self) -> Size:
        """The shape over which parameters are batched."""
        return self._batch_shape

    @property
    def event_shape(self) -> Size:
        """The shape of a single sample."""
        return self._event_shape

    def _extended_shape(self, sample_shape: Sequence[int] | int = ()) -> Size:
        return Size(list(_size(sample_shape)) + list(self._batch_shape) + list(self._event_shape))

    @property
    def stddev(self) -> Tensor:
        """The standard deviation: the square root of variance."""
        return self.variance.sqrt()

    @property
    def mean(self) -> Tensor:
        """The mean."""
        raise NotImplementedError(f"{type(self).__name__} has no mean")

    @property
    def variance(self) -> Tensor:
        """The variance."""
        raise NotImplementedError(f"{type(self).__name__} has no variance")

    def sample(self, sample_shape: Sequence[int] | int = ()) -> Tensor:
        """A sample (no gradient) of shape sample_shape + batch_shape + event_shape."""
        from ..autograd import no_grad

        with no_grad():
            return self.rsample(sample_shape)

    def rsample(self, sample_shape: Sequence[int] | int = ()) -> Tensor:
        """A reparameterised sample (differentiable in the parameters)."""
        raise NotImplementedError(f"{type(self).__name__} has no rsample")

    def expand(self, batch_shape: Sequence[int], _instance: Any = None) -> Distribution:
        """This distribution with its parameters expanded (no copy) to batch_shape."""
        if type(self).__name__ in ("Independent", "MixtureSameFamily", "MultivariateNormal"):
            raise NotImplementedError(f"{type(self).__name__}.expand is not supported")
        shape = _size(batch_shape)
        new = object.__new__(type(self))
        new.__dict__.update(self.__dict__)
        nb = len(self._batch_shape)
        for k, v in self.__dict__.items():
            if isinstance(v, Distribution):
                new.__dict__[k] = v.expand(shape)
            elif isinstance(v, Tensor) and (k in self.arg_constraints or k == "_param"):
                new.__dict__[k] = v.expand(*shape, *v.shape[nb:])
        if "_param" in self.__dict__:  # the parameterisation given (probs or logits)
            given = "probs" if self.__dict__["_param"] is self.__dict__.get("probs") else "logits"
            new.__dict__["_param"] = new.__dict__[given]
        new._batch_shape = shape
        return new

    def sample_n(self, n: int) -> Tensor:
        """n samples (deprecated in PyTorch: sample((n,)))."""
        return self.sample((n,))

    def log_prob(self, value: Tensor) -> Tensor:
        """The log of the probability density/mass at value."""
        raise NotImplementedError

    def entropy(self) -> Tensor:
        """The entropy, over batch_shape."""
        raise NotImplementedError

    def perplexity(self) -> Tensor:
        """exp(entropy)."""
        return self.entropy().exp()

    def _check_support(self, value: Tensor, ok: Tensor) -> None:
        if not isinstance(value, Tensor):
            raise ValueError("The value argument to log_prob must be a Tensor")
        if self._validate_args and not bool(ok.all()):
            raise ValueError(
                "Expected value argument (Tensor of shape "
                f"{tuple(value.shape)}) to be within the support of the distribution {self!r}, "
                f"but found invalid values:\n{value}"
            )

    def __repr__(self) -> str:
        params = ", ".join(
            f"{k}: {v.shape if v.numel() != 1 else v.item()}"
            for k in self.arg_constraints
            if isinstance(v := self.__dict__.get(k), Tensor)
        )
        return f"{type(self).__name__}({params})"


def _positive(self: Distribution, v: Tensor) -> Tensor:
    """GreaterThan(lower_bound=0.0)"""
    return v > 0


def _real(self: Distribution, v: Tensor) -> Tensor:
    """Real()"""
    return v == v


def _unit_interval(self: Distribution, v: Tensor) -> Tensor:
    """Interval(lower_bound=0.0, upper_bound=1.0)"""
    return (v >= 0) & (v <= 1)


def _simplex(self: Distribution, v: Tensor) -> Tensor:
    """Simplex()"""
    return (v >= 0).all(-1) & ((v.sum(-1) - 1).abs() < 1e-6)


class Normal(Distribution):
    """The normal distribution N(loc, scale**2)."""

    has_rsample = True
    arg_constraints: ClassVar[_Checks] = {
        "loc": _real,
        "scale": _positive,
    }

    def __init__(
        self, loc: Tensor | float, scale: Tensor | float, validate_args: bool | None = None
    ) -> None:
        self.loc, self.scale = broadcast_all(loc, scale)
        scalar = isinstance(loc, Number) and isinstance(scale, Number)
        super().__init__(() if scalar else tuple(self.loc.shape), validate_args=validate_args)

    @property
    def mean(self) -> Tensor:
        return self.loc

    @property
    def mode(self) -> Tensor:
        """The mode: loc."""
        return self.loc

    @property
    def stddev(self) -> Tensor:
        return self.scale

    @property
    def variance(self) -> Tensor:
        return self.scale.pow(2)

    def rsample(self, sample_shape: Sequence[int] | int = ()) -> Tensor:
        shape = self._extended_shape(sample_shape)
        eps = _core.empty(list(shape), dtype=self.loc.dtype).normal_()
        return self.loc + eps * self.scale

    def sample(self, sample_shape: Sequence[int] | int = ()) -> Tensor:
        shape = self._extended_shape(sample_shape)
        eps = _core.empty(list(shape), dtype=self.loc.dtype).normal_()
        return (eps * self.scale.detach() + self.loc.detach()).detach()

    def log_prob(self, value: Tensor) -> Tensor:
        if self._validate_args:
            self._check_support(value, value == value)
        var = self.scale**2
        return (
            -((value - self.loc) ** 2) / (2 * var)
            - self.scale.log()
            - math.log(math.sqrt(2 * math.pi))
        )

    def cdf(self, value: Tensor) -> Tensor:
        """The cumulative distribution function at value."""
        return 0.5 * (1 + ((value - self.loc) * self.scale.reciprocal() / math.sqrt(2)).erf())

    def icdf(self, value: Tensor) -> Tensor:
        """The inverse of the cumulative distribution function (the quantile) at value."""
        return self.loc + self.scale * (2 * value - 1).erfinv() * math.sqrt(2)

    def entropy(self) -> Tensor:
        return 0.5 + 0.5 * math.log(2 * math.pi) + self.scale.log()


class Bernoulli(Distribution):
    """The Bernoulli distribution: 1 with probability probs (or sigmoid(logits)), else 0."""

    arg_constraints: ClassVar[_Checks] = {
        "probs": _unit_interval,
        "logits": _real,
    }

    def __init__(
        self,
        probs: Tensor | float | None = None,
        logits: Tensor | float | None = None,
        validate_args: bool | None = None,
    ) -> None:
        if (probs is None) == (logits is None):
            raise ValueError("Either `probs` or `logits` must be specified, but not both.")
        given = probs if probs is not None else logits
        (param,) = broadcast_all(given)
        self.__dict__["probs" if probs is not None else "logits"] = param
        self._param = param
        batch = () if isinstance(given, Number) else tuple(param.shape)
        super().__init__(batch, validate_args=validate_args)

    @property
    def probs(self) -> Tensor:
        """The probability of 1."""
        if "probs" not in self.__dict__:
            self.__dict__["probs"] = logits_to_probs(self.__dict__["logits"], is_binary=True)
        p: Tensor = self.__dict__["probs"]
        return p

    @property
    def logits(self) -> Tensor:
        """The log-odds of 1."""
        if "logits" not in self.__dict__:
            self.__dict__["logits"] = probs_to_logits(self.__dict__["probs"], is_binary=True)
        lg: Tensor = self.__dict__["logits"]
        return lg

    @property
    def mean(self) -> Tensor:
        return self.probs

    @property
    def variance(self) -> Tensor:
        return self.probs * (1 - self.probs)

    def sample(self, sample_shape: Sequence[int] | int = ()) -> Tensor:
        shape = self._extended_shape(sample_shape)
        return _core.bernoulli(self.probs.detach().expand(list(shape)))

    def log_prob(self, value: Tensor) -> Tensor:
        if self._validate_args:
            self._check_support(value, (value == 0) | (value == 1))
        logits, value = broadcast_all(self.logits, value)
        return -binary_cross_entropy_with_logits(logits, value, reduction="none")

    def entropy(self) -> Tensor:
        return binary_cross_entropy_with_logits(self.logits, self.probs, reduction="none")


class Categorical(Distribution):
    """A categorical distribution over 0 .. K-1, from probs (normalised) or logits."""

    arg_constraints: ClassVar[_Checks] = {
        "probs": _simplex,
        "logits": _real,
    }

    def __init__(
        self,
        probs: Tensor | None = None,
        logits: Tensor | None = None,
        validate_args: bool | None = None,
    ) -> None:
        if (probs is None) == (logits is None):
            raise ValueError("Either `probs` or `logits` must be specified, but not both.")
        if probs is not None:
            if probs.dim() < 1:
                raise ValueError("`probs` parameter must be at least one-dimensional.")
            self.__dict__["probs"] = probs / probs.sum(-1, keepdim=True)
            self._param = self.__dict__["probs"]
        else:
            assert logits is not None
            if logits.dim() < 1:
                raise ValueError("`logits` parameter must be at least one-dimensional.")
            self.__dict__["logits"] = logits - logits.logsumexp(-1, keepdim=True)
            self._param = self.__dict__["logits"]
        self._num_events = self._param.shape[-1]
        batch = tuple(self._param.shape[:-1]) if self._param.dim() > 1 else ()
        super().__init__(batch, validate_args=validate_args)

    @property
    def probs(self) -> Tensor:
        """The normalised probabilities."""
        if "probs" not in self.__dict__:
            self.__dict__["probs"] = logits_to_probs(self.__dict__["logits"])
        p: Tensor = self.__dict__["probs"]
        return p

    @property
    def logits(self) -> Tensor:
        """The normalised log-probabilities."""
        if "logits" not in self.__dict__:
            self.__dict__["logits"] = probs_to_logits(self.__dict__["probs"])
        lg: Tensor = self.__dict__["logits"]
        return lg

    @property
    def param_shape(self) -> Size:
        """The shape of probs/logits."""
        return Size(list(self._param.shape))

    @property
    def mean(self) -> Tensor:
        return _core.full(list(self._extended_shape()), math.nan, dtype=self.probs.dtype)

    @property
    def variance(self) -> Tensor:
        return _core.full(list(self._extended_shape()), math.nan, dtype=self.probs.dtype)

    @property
    def mode(self) -> Tensor:
        """The most likely category."""
        return self.probs.argmax(-1)

    def sample(self, sample_shape: Sequence[int] | int = ()) -> Tensor:
        from .. import multinomial

        n = math.prod(_size(sample_shape))
        probs_2d = self.probs.detach().reshape(-1, self._num_events)
        samples_2d: Tensor = multinomial(probs_2d, n, True).t()
        return samples_2d.reshape(list(self._extended_shape(sample_shape)))

    def log_prob(self, value: Tensor) -> Tensor:
        if self._validate_args:
            ok = (value == value.floor()) & (value >= 0) & (value <= self._num_events - 1)
            self._check_support(value, ok)
        v = value.long().unsqueeze(-1)
        v, log_pmf = broadcast_tensors(v, self.logits)
        return log_pmf.gather(-1, v[..., :1]).squeeze(-1)

    def entropy(self) -> Tensor:
        logits = self.logits.clamp(min=finfo(self.logits.dtype).min)
        return -(logits * self.probs).sum(-1)

    def enumerate_support(self, expand: bool = True) -> Tensor:
        """0 .. K-1 along a new first dim (expanded over batch_shape)."""
        values = _core.arange(self._num_events).reshape([-1] + [1] * len(self._batch_shape))
        return values.expand([-1, *self._batch_shape]) if expand else values


class Uniform(Distribution):
    """The uniform distribution on [low, high)."""

    has_rsample = True

    def _low_ok(self, v: Tensor) -> Tensor:
        """LessThan(upper_bound=high)"""
        ok: Tensor = v < self.__dict__["high"]
        return ok

    def _high_ok(self, v: Tensor) -> Tensor:
        """GreaterThan(lower_bound=low)"""
        ok: Tensor = v > self.__dict__["low"]
        return ok

    arg_constraints: ClassVar[_Checks] = {
        "low": _low_ok,
        "high": _high_ok,
    }

    def __init__(
        self, low: Tensor | float, high: Tensor | float, validate_args: bool | None = None
    ) -> None:
        self.low, self.high = broadcast_all(low, high)
        scalar = isinstance(low, Number) and isinstance(high, Number)
        super().__init__(() if scalar else tuple(self.low.shape), validate_args=validate_args)

    @property
    def mean(self) -> Tensor:
        return (self.high + self.low) / 2

    @property
    def stddev(self) -> Tensor:
        return (self.high - self.low) / 12**0.5

    @property
    def variance(self) -> Tensor:
        return (self.high - self.low).pow(2) / 12

    def rsample(self, sample_shape: Sequence[int] | int = ()) -> Tensor:
        shape = self._extended_shape(sample_shape)
        rand = _core.rand(list(shape), dtype=self.low.dtype)
        return self.low + rand * (self.high - self.low)

    def log_prob(self, value: Tensor) -> Tensor:
        if self._validate_args:
            self._check_support(value, (value >= self.low) & (value < self.high))
        lb = (self.low <= value).to(self.low.dtype)
        ub = (self.high > value).to(self.low.dtype)
        return (lb * ub).log() - (self.high - self.low).log()

    def cdf(self, value: Tensor) -> Tensor:
        """The cumulative distribution function at value (clamped to [0, 1])."""
        return ((value - self.low) / (self.high - self.low)).clamp(min=0, max=1)

    def entropy(self) -> Tensor:
        return (self.high - self.low).log()


def _sum_rightmost(value: Tensor, dim: int) -> Tensor:
    return value.reshape([*value.shape[: value.dim() - dim], -1]).sum(-1) if dim else value


class Independent(Distribution):
    """Reinterprets the last reinterpreted_batch_ndims batch dims of base_distribution as event
    dims (log_prob and entropy sum over them)."""

    def __init__(
        self,
        base_distribution: Distribution,
        reinterpreted_batch_ndims: int,
        validate_args: bool | None = None,
    ) -> None:
        n = len(base_distribution.batch_shape)
        if reinterpreted_batch_ndims > n:
            raise ValueError(
                "Expected reinterpreted_batch_ndims <= len(base_distribution.batch_shape), "
                f"actual {reinterpreted_batch_ndims} vs {n}"
            )
        self.base_dist = base_distribution
        self.reinterpreted_batch_ndims = reinterpreted_batch_ndims
        shape = list(base_distribution.batch_shape) + list(base_distribution.event_shape)
        event_dim = reinterpreted_batch_ndims + len(base_distribution.event_shape)
        cut = len(shape) - event_dim
        self.has_rsample = base_distribution.has_rsample
        super().__init__(shape[:cut], shape[cut:], validate_args=False)

    @property
    def mean(self) -> Tensor:
        return self.base_dist.mean

    @property
    def variance(self) -> Tensor:
        return self.base_dist.variance

    def sample(self, sample_shape: Sequence[int] | int = ()) -> Tensor:
        return self.base_dist.sample(sample_shape)

    def rsample(self, sample_shape: Sequence[int] | int = ()) -> Tensor:
        return self.base_dist.rsample(sample_shape)

    def log_prob(self, value: Tensor) -> Tensor:
        return _sum_rightmost(self.base_dist.log_prob(value), self.reinterpreted_batch_ndims)

    def entropy(self) -> Tensor:
        return _sum_rightmost(self.base_dist.entropy(), self.reinterpreted_batch_ndims)

    def __repr__(self) -> str:
        return f"Independent({self.base_dist!r}, {self.reinterpreted_batch_ndims})"


_KL: dict[tuple[type, type], Callable[[Any, Any], Tensor]] = {}


def register_kl(type_p: type, type_q: type) -> Callable[[Callable[..., Tensor]], Any]:
    """Decorator registering fn(p, q) as kl_divergence for (type_p, type_q)."""

    def deco(fn: Callable[..., Tensor]) -> Callable[..., Tensor]:
        _KL[(type_p, type_q)] = fn
        return fn

    return deco


def kl_divergence(p: Distribution, q: Distribution) -> Tensor:
    """KL(p || q) over the batch shape, for the registered pairs of types."""
    for tp in type(p).__mro__:
        for tq in type(q).__mro__:
            if (tp, tq) in _KL:
                return _KL[(tp, tq)](p, q)
    raise NotImplementedError(
        f"No KL(p || q) is implemented for p = {type(p).__name__}, q = {type(q).__name__}"
    )


def _inf_where(t: Tensor, mask: Tensor, value: float) -> Tensor:
    return _core.where(mask, _core.full((), value, dtype=t.dtype), t)


@register_kl(Normal, Normal)
def _kl_normal_normal(p: Normal, q: Normal) -> Tensor:
    var_ratio = (p.scale / q.scale).pow(2)
    t1 = ((p.loc - q.loc) / q.scale).pow(2)
    return 0.5 * (var_ratio + t1 - 1 - var_ratio.log())


@register_kl(Categorical, Categorical)
def _kl_categorical_categorical(p: Categorical, q: Categorical) -> Tensor:
    t = p.probs * (p.logits - q.logits)
    t = _inf_where(t, (q.probs == 0).expand(t.shape), math.inf)
    t = _inf_where(t, (p.probs == 0).expand(t.shape), 0.0)
    return t.sum(-1)


@register_kl(Bernoulli, Bernoulli)
def _kl_bernoulli_bernoulli(p: Bernoulli, q: Bernoulli) -> Tensor:
    t1 = p.probs * (softplus(-q.logits) - softplus(-p.logits))
    t1 = _inf_where(_inf_where(t1, q.probs == 0, math.inf), p.probs == 0, 0.0)
    t2 = (1 - p.probs) * (softplus(q.logits) - softplus(p.logits))
    t2 = _inf_where(_inf_where(t2, q.probs == 1, math.inf), p.probs == 1, 0.0)
    return t1 + t2


@register_kl(Uniform, Uniform)
def _kl_uniform_uniform(p: Uniform, q: Uniform) -> Tensor:
    result = ((q.high - q.low) / (p.high - p.low)).log()
    return _inf_where(result, (q.low > p.low) | (q.high < p.high), math.inf)


from . import kl as kl  # noqa: E402
from . import utils as utils  # noqa: E402
from ._mixture_mvn import MixtureSameFamily as MixtureSameFamily  # noqa: E402
from ._mixture_mvn import MultivariateNormal as MultivariateNormal  # noqa: E402
from ._simple import Exponential as Exponential  # noqa: E402
from ._simple import HalfNormal as HalfNormal  # noqa: E402
from ._simple import Laplace as Laplace  # noqa: E402
from ._simple import LogNormal as LogNormal  # noqa: E402
from ._simple import OneHotCategorical as OneHotCategorical  # noqa: E402
from ._simple import Poisson as Poisson  # noqa: E402


@register_kl(MultivariateNormal, MultivariateNormal)
def _kl_mvn_mvn(p: MultivariateNormal, q: MultivariateNormal) -> Tensor:
    # PyTorch's formula: log-determinants, the trace of Sigma_q^-1 Sigma_p by a triangular
    # solve, and the Mahalanobis term
    from ._mixture_mvn import _batch_mahalanobis, _solve_lower

    if p.event_shape != q.event_shape:
        raise ValueError(
            "KL-divergence between two Multivariate Normals with different event shapes "
            "cannot be computed"
        )
    lp, lq = p._unbroadcasted_scale_tril, q._unbroadcasted_scale_tril
    half_term1 = lq.diagonal(dim1=-2, dim2=-1).log().sum(-1) - lp.diagonal(
        dim1=-2, dim2=-1
    ).log().sum(-1)
    combined = broadcast_tensors(lq, lp)
    n = p.event_shape[0]
    term2 = _solve_lower(combined[0], combined[1]).pow(2).flatten(-2).sum(-1)
    term3 = _batch_mahalanobis(lq, q.loc - p.loc)
    return half_term1 + 0.5 * (term2 + term3 - n)


# Gamma family, TransformedDistribution, constraints and transforms (_gamma_family.py)
from . import constraints as constraints  # noqa: E402
from . import transforms as transforms  # noqa: E402
from ._gamma_family import Beta as Beta  # noqa: E402
from ._gamma_family import Chi2 as Chi2  # noqa: E402
from ._gamma_family import Dirichlet as Dirichlet  # noqa: E402
from ._gamma_family import Gamma as Gamma  # noqa: E402
from ._gamma_family import StudentT as StudentT  # noqa: E402
from ._gamma_family import TransformedDistribution as TransformedDistribution  # noqa: E402
from ._gamma_family import biject_to as biject_to  # noqa: E402
from ._gamma_family import transform_to as transform_to  # noqa: E402
from .transforms import AffineTransform as AffineTransform  # noqa: E402
from .transforms import ComposeTransform as ComposeTransform  # noqa: E402
from .transforms import ExpTransform as ExpTransform  # noqa: E402
from .transforms import PowerTransform as PowerTransform  # noqa: E402
from .transforms import SigmoidTransform as SigmoidTransform  # noqa: E402
from .transforms import SoftmaxTransform as SoftmaxTransform  # noqa: E402
from .transforms import StickBreakingTransform as StickBreakingTransform  # noqa: E402
from .transforms import TanhTransform as TanhTransform  # noqa: E402
from .transforms import Transform as Transform  # noqa: E402
