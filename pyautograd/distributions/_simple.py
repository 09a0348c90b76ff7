"""More of ``pyautograd.distributions``: ``Exponential``, ``Laplace``, ``LogNormal``,
``HalfNormal`` and ``OneHotCategorical``, with PyTorch's formulas and draws (after
manual_seed they give PyTorch's samples: ``exponential_``, ``uniform_(eps - 1, 1)``, the
normal's ``normal_`` then exp/abs, the categorical's ``multinomial``)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from numbers import Number
from typing import Any, ClassVar

from .. import _core
from .._api import finfo
from .._core import Tensor
from .._matrix import eye
from . import Categorical, Distribution, Normal, _positive, _real, _simplex, broadcast_all

__all__ = ["Exponential", "HalfNormal", "Laplace", "LogNormal", "OneHotCategorical", "Poisson"]


def _batch(given: Sequence[Any], param: Tensor) -> tuple[int, ...]:
    return () if all(isinstance(g, Number) for g in given) else tuple(param.shape)


class Exponential(Distribution):
    """The exponential distribution of rate ``rate``."""

    has_rsample = True
    arg_constraints: ClassVar[dict[str, Any]] = {"rate": _positive}

    def __init__(self, rate: Tensor | float, validate_args: bool | None = None) -> None:
        (self.rate,) = broadcast_all(rate)
        super().__init__(_batch([rate], self.rate), validate_args=validate_args)

    @property
    def mean(self) -> Tensor:
        return self.rate.reciprocal()

    @property
    def mode(self) -> Tensor:
        """The mode: 0."""
        return _core.zeros(list(self.rate.shape), dtype=self.rate.dtype)

    @property
    def stddev(self) -> Tensor:
        return self.rate.reciprocal()

    @property
    def variance(self) -> Tensor:
        return self.rate.pow(-2)

    def rsample(self, sample_shape: Sequence[int] | int = ()) -> Tensor:
        shape = list(self._extended_shape(sample_shape))
        return _core.empty(shape, dtype=self.rate.dtype).exponential_() / self.rate

    def log_prob(self, value: Tensor) -> Tensor:
        if self._validate_args:
            self._check_support(value, value >= 0)
        return self.rate.log() - self.rate * value

    def cdf(self, value: Tensor) -> Tensor:
        """The cumulative distribution function at value."""
        return 1 - (-self.rate * value).exp()

    def icdf(self, value: Tensor) -> Tensor:
        """The inverse of the cumulative distribution function."""
        return -(-value).log1p() / self.rate

    def entropy(self) -> Tensor:
        return 1.0 - self.rate.log()


def _nonnegative(self: Any, v: Tensor) -> Tensor:
    """GreaterThanEq(lower_bound=0.0)"""
    return v >= 0


class Poisson(Distribution):
    """The Poisson distribution of rate ``rate`` (samples by torch.poisson, PyTorch's draws)."""

    arg_constraints: ClassVar[dict[str, Any]] = {"rate": _nonnegative}

    def __init__(self, rate: Tensor | float, validate_args: bool | None = None) -> None:
        (self.rate,) = broadcast_all(rate)
        super().__init__(_batch([rate], self.rate), validate_args=validate_args)

    @property
    def mean(self) -> Tensor:
        return self.rate

    @property
    def mode(self) -> Tensor:
        """The mode: floor(rate)."""
        return self.rate.floor()

    @property
    def variance(self) -> Tensor:
        return self.rate

    def sample(self, sample_shape: Sequence[int] | int = ()) -> Tensor:
        from .._poisson import poisson

        shape = list(self._extended_shape(sample_shape))
        return poisson(self.rate.detach().expand(*shape))

    def log_prob(self, value: Tensor) -> Tensor:
        if self._validate_args:
            self._check_support(value, (value >= 0) & (value == value.floor()))
        rate, value = broadcast_all(self.rate, value)
        out: Tensor = value.xlogy(rate) - rate - (value + 1).lgamma()
        return out


class Laplace(Distribution):
    """The Laplace distribution of location ``loc`` and scale ``scale``."""

    has_rsample = True
    arg_constraints: ClassVar[dict[str, Any]] = {"loc": _real, "scale": _positive}

    def __init__(
        self, loc: Tensor | float, scale: Tensor | float, validate_args: bool | None = None
    ) -> None:
        self.loc, self.scale = broadcast_all(loc, scale)
        super().__init__(_batch([loc, scale], self.loc), validate_args=validate_args)

    @property
    def mean(self) -> Tensor:
        return self.loc

    @property
    def mode(self) -> Tensor:
        """The mode: loc."""
        return self.loc

    @property
    def variance(self) -> Tensor:
        return 2 * self.scale.pow(2)

    @property
    def stddev(self) -> Tensor:
        return (2**0.5) * self.scale

    def rsample(self, sample_shape: Sequence[int] | int = ()) -> Tensor:
        shape = list(self._extended_shape(sample_shape))
        eps = finfo(self.loc.dtype).eps
        u = _core.empty(shape, dtype=self.loc.dtype).uniform_(eps - 1, 1)
        return self.loc - self.scale * u.sign() * (-u.abs()).log1p()

    def log_prob(self, value: Tensor) -> Tensor:
        if self._validate_args:
            self._check_support(value, value == value)
        return -(2 * self.scale).log() - (value - self.loc).abs() / self.scale

    def cdf(self, value: Tensor) -> Tensor:
        """The cumulative distribution function at value."""
        d = value - self.loc
        return 0.5 - 0.5 * d.sign() * (-d.abs() / self.scale).expm1()

    def icdf(self, value: Tensor) -> Tensor:
        """The inverse of the cumulative distribution function."""
        term = value - 0.5
        return self.loc - self.scale * term.sign() * (-2 * term.abs()).log1p()

    def entropy(self) -> Tensor:
        return 1 + (2 * self.scale).log()


class LogNormal(Distribution):
    """exp(X) for X ~ Normal(loc, scale) (PyTorch's TransformedDistribution of a Normal by
    ExpTransform: the same draws, exp'd)."""

    has_rsample = True
    arg_constraints: ClassVar[dict[str, Any]] = {"loc": _real, "scale": _positive}

    def __init__(
        self, loc: Tensor | float, scale: Tensor | float, validate_args: bool | None = None
    ) -> None:
        self.base_dist = Normal(loc, scale, validate_args=validate_args)
        self.loc, self.scale = self.base_dist.loc, self.base_dist.scale
        super().__init__(self.base_dist.batch_shape, validate_args=validate_args)

    @property
    def mean(self) -> Tensor:
        return (self.loc + self.scale.pow(2) / 2).exp()

    @property
    def mode(self) -> Tensor:
        """The mode: exp(loc - scale**2)."""
        return (self.loc - self.scale.square()).exp()

    @property
    def variance(self) -> Tensor:
        scale_sq = self.scale.pow(2)
        return scale_sq.expm1() * (2 * self.loc + scale_sq).exp()

    def sample(self, sample_shape: Sequence[int] | int = ()) -> Tensor:
        return self.base_dist.sample(sample_shape).exp()

    def rsample(self, sample_shape: Sequence[int] | int = ()) -> Tensor:
        return self.base_dist.rsample(sample_shape).exp()

    def log_prob(self, value: Tensor) -> Tensor:
        if self._validate_args:
            self._check_support(value, value > 0)
        x = value.log()
        return self.base_dist.log_prob(x) - x

    def cdf(self, value: Tensor) -> Tensor:
        """The cumulative distribution function at value."""
        return self.base_dist.cdf(value.log())

    def entropy(self) -> Tensor:
        return self.base_dist.entropy() + self.loc


class HalfNormal(Distribution):
    """|X| for X ~ Normal(0, scale) (PyTorch's TransformedDistribution by AbsTransform)."""

    has_rsample = True
    arg_constraints: ClassVar[dict[str, Any]] = {"scale": _positive}

    def __init__(self, scale: Tensor | float, validate_args: bool | None = None) -> None:
        self.base_dist = Normal(0, scale, validate_args=False)
        self.scale = self.base_dist.scale
        super().__init__(self.base_dist.batch_shape, validate_args=validate_args)

    @property
    def mean(self) -> Tensor:
        return self.scale * math.sqrt(2 / math.pi)

    @property
    def mode(self) -> Tensor:
        """The mode: 0."""
        return _core.zeros(list(self.scale.shape), dtype=self.scale.dtype)

    @property
    def variance(self) -> Tensor:
        return self.scale.pow(2) * (1 - 2 / math.pi)

    def sample(self, sample_shape: Sequence[int] | int = ()) -> Tensor:
        return self.base_dist.sample(sample_shape).abs()

    def rsample(self, sample_shape: Sequence[int] | int = ()) -> Tensor:
        return self.base_dist.rsample(sample_shape).abs()

    def log_prob(self, value: Tensor) -> Tensor:
        if self._validate_args:
            self._check_support(value, value >= 0)
        lp = self.base_dist.log_prob(value) + math.log(2)
        return _core.where(value >= 0, lp, _core.full((), -math.inf, dtype=lp.dtype))

    def cdf(self, value: Tensor) -> Tensor:
        """The cumulative distribution function at value."""
        return 2 * self.base_dist.cdf(value) - 1

    def entropy(self) -> Tensor:
        return self.base_dist.entropy() - math.log(2)


class OneHotCategorical(Distribution):
    """A Categorical whose samples are one-hot vectors over the K categories."""

    arg_constraints: ClassVar[dict[str, Any]] = {"probs": _simplex, "logits": _real}

    def __init__(
        self,
        probs: Tensor | None = None,
        logits: Tensor | None = None,
        validate_args: bool | None = None,
    ) -> None:
        self._categorical = Categorical(probs, logits, validate_args=validate_args)
        n = self._categorical._num_events
        super().__init__(self._categorical.batch_shape, (n,), validate_args=validate_args)

    @property
    def probs(self) -> Tensor:
        """The normalised probabilities."""
        p: Tensor = self._categorical.probs
        return p

    @property
    def logits(self) -> Tensor:
        """The normalised log-probabilities."""
        lg: Tensor = self._categorical.logits
        return lg

    @property
    def mean(self) -> Tensor:
        return self.probs

    @property
    def mode(self) -> Tensor:
        """The one-hot vector of the most likely category."""
        from ..nn.functional import one_hot

        return one_hot(self.probs.argmax(-1), self._event_shape[0]).to(self.probs.dtype)

    @property
    def variance(self) -> Tensor:
        return self.probs * (1 - self.probs)

    def sample(self, sample_shape: Sequence[int] | int = ()) -> Tensor:
        from ..nn.functional import one_hot

        indices = self._categorical.sample(sample_shape)
        return one_hot(indices, self._event_shape[0]).to(self.probs.dtype)

    def log_prob(self, value: Tensor) -> Tensor:
        if self._validate_args:
            ok = ((value == 0) | (value == 1)).all(-1) & (value.sum(-1) == 1)
            self._check_support(value, ok)
        indices = value.max(-1)[1]
        lp: Tensor = self._categorical.log_prob(indices)
        return lp

    def entropy(self) -> Tensor:
        h: Tensor = self._categorical.entropy()
        return h

    def enumerate_support(self, expand: bool = True) -> Tensor:
        """The K one-hot vectors along a new first dim."""
        n = self._event_shape[0]
        values = eye(n, dtype=self.probs.dtype).reshape([n] + [1] * len(self._batch_shape) + [n])
        return values.expand([n, *self._batch_shape, n]) if expand else values
