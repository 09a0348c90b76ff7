"""``MultivariateNormal`` and ``MixtureSameFamily`` of ``pyautograd.distributions``, with
PyTorch's parameterisations, shapes, formulas and draws (``rsample`` is
``loc + scale_tril @ eps`` for eps = ``empty(shape).normal_()``, as PyTorch's; a mixture draws
its component indices, then every component's sample, and gathers)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any, ClassVar

from .. import _core
from .._api import broadcast_shapes
from .._core import Tensor
from .._matrix import eye

__all__ = ["MixtureSameFamily", "MultivariateNormal"]


def _la() -> Any:
    """pyautograd.linalg (its solvers are installed at import, out of the type checker's
    sight)."""
    from .. import linalg

    return linalg


def _solve_lower(L: Tensor, b: Tensor) -> Tensor:
    """L^-1 b for lower-triangular L (batched, broadcast). The solve reads L's lower triangle
    only (tril), so L's gradient is lower-triangular as that of PyTorch's solve_triangular."""
    out: Tensor = _la().solve(L.tril(), b)
    return out


def _batch_mahalanobis(L: Tensor, x: Tensor) -> Tensor:
    """The squared Mahalanobis distance x^T (L L^T)^-1 x over the last dim of x."""
    shape = broadcast_shapes(tuple(L.shape[:-2]), tuple(x.shape[:-1]))
    n = x.shape[-1]
    Lb = L.expand(*shape, n, n)
    xb = x.expand(*shape, n)
    return _solve_lower(Lb, xb.unsqueeze(-1)).squeeze(-1).pow(2).sum(-1)


from . import Distribution as _Distribution  # noqa: E402  (the package defines it first)
from . import _size  # noqa: E402


def _lower_cholesky(self: Any, v: Tensor) -> Tensor:
    """LowerCholesky()"""
    diag = v.diagonal(dim1=-2, dim2=-1)
    return ((v.triu(1) == 0).all(-1).all(-1)) & (diag > 0).all(-1)


def _positive_definite(self: Any, v: Tensor) -> Tensor:
    """PositiveDefinite()"""
    sym = (v - v.transpose(-2, -1)).abs().amax(dim=(-2, -1)) <= 1e-6 * v.abs().amax(
        dim=(-2, -1)
    ).clamp(min=1)
    try:
        _la().cholesky(v)
    except (RuntimeError, ValueError):
        return sym & False
    return sym


def _real_vector(self: Any, v: Tensor) -> Tensor:
    """IndependentConstraint(Real(), 1)"""
    return (v == v).all(-1)


class MultivariateNormal(_Distribution):
    """The multivariate normal distribution N(loc, Sigma), Sigma given as covariance_matrix,
    precision_matrix or its lower Cholesky factor scale_tril (exactly one)."""

    has_rsample = True
    arg_constraints: ClassVar[dict[str, Any]] = {
        "loc": _real_vector,
        "covariance_matrix": _positive_definite,
        "precision_matrix": _positive_definite,
        "scale_tril": _lower_cholesky,
    }

    def __init__(
        self,
        loc: Tensor,
        covariance_matrix: Tensor | None = None,
        precision_matrix: Tensor | None = None,
        scale_tril: Tensor | None = None,
        validate_args: bool | None = None,
    ) -> None:
        if not isinstance(loc, Tensor) or loc.dim() < 1:
            raise ValueError("loc must be at least one-dimensional.")
        given = [m for m in (covariance_matrix, precision_matrix, scale_tril) if m is not None]
        if len(given) != 1:
            raise ValueError(
                "Exactly one of covariance_matrix or precision_matrix or scale_tril may be "
                "specified."
            )
        (m,) = given
        if not isinstance(m, Tensor) or m.dim() < 2:
            name = (
                "scale_tril"
                if scale_tril is not None
                else "covariance_matrix"
                if covariance_matrix is not None
                else "precision_matrix"
            )
            raise ValueError(
                f"{name} matrix must be at least two-dimensional, with optional leading batch "
                "dimensions"
            )
        batch_shape = broadcast_shapes(tuple(m.shape[:-2]), tuple(loc.shape[:-1]))
        n = loc.shape[-1]
        if tuple(m.shape[-2:]) != (n, n):
            raise ValueError(
                f"The last two dims of the matrix {tuple(m.shape)} must be the event shape "
                f"({n}, {n}) of loc"
            )
        if scale_tril is not None:
            self.scale_tril = scale_tril.expand(*batch_shape, n, n)
        elif covariance_matrix is not None:
            self.covariance_matrix = covariance_matrix.expand(*batch_shape, n, n)
        else:
            assert precision_matrix is not None
            self.precision_matrix = precision_matrix.expand(*batch_shape, n, n)
        self.loc = loc.expand(*batch_shape, n)
        super().__init__(batch_shape, (n,), validate_args=validate_args)
        if scale_tril is not None:
            self._unbroadcasted_scale_tril = scale_tril
        elif covariance_matrix is not None:
            self._unbroadcasted_scale_tril = _la().cholesky(covariance_matrix)
        else:
            assert precision_matrix is not None
            # PyTorch's _precision_to_scale_tril: the Cholesky factor of the flipped precision
            p_flip = precision_matrix.flip(-2, -1)
            l_inv = _la().cholesky(p_flip).flip(-2, -1).transpose(-2, -1)
            ident = eye(n, dtype=precision_matrix.dtype)
            self._unbroadcasted_scale_tril = _solve_lower(l_inv, ident)

    def __getattr__(self, name: str) -> Any:
        # the parameterisations not given, computed on first use (PyTorch's lazy_property)
        L = self.__dict__.get("_unbroadcasted_scale_tril")
        if L is None or name not in ("scale_tril", "covariance_matrix", "precision_matrix"):
            raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")
        shape = [*self._batch_shape, *self._event_shape, *self._event_shape]
        if name == "scale_tril":
            value = L.expand(*shape)
        elif name == "covariance_matrix":
            value = (L @ L.transpose(-2, -1)).expand(*shape)
        else:
            n = self._event_shape[0]
            ident = eye(n, dtype=L.dtype)
            l_inv = _solve_lower(L, ident.expand(*L.shape))
            value = (l_inv.transpose(-2, -1) @ l_inv).expand(*shape)
        self.__dict__[name] = value
        return value

    @property
    def mean(self) -> Tensor:
        return self.loc

    @property
    def mode(self) -> Tensor:
        """The mode: loc."""
        return self.loc

    @property
    def variance(self) -> Tensor:
        L = self._unbroadcasted_scale_tril
        return L.pow(2).sum(-1).expand(*self._batch_shape, *self._event_shape)

    def rsample(self, sample_shape: Sequence[int] | int = ()) -> Tensor:
        shape = self._extended_shape(sample_shape)
        eps = _core.empty(list(shape), dtype=self.loc.dtype).normal_()
        L = self._unbroadcasted_scale_tril
        return self.loc + (L @ eps.unsqueeze(-1)).squeeze(-1)

    def log_prob(self, value: Tensor) -> Tensor:
        if self._validate_args:
            self._check_support(value, value == value)
        diff = value - self.loc
        L = self._unbroadcasted_scale_tril
        M = _batch_mahalanobis(L, diff)
        half_log_det = L.diagonal(dim1=-2, dim2=-1).log().sum(-1)
        return -0.5 * (self._event_shape[0] * math.log(2 * math.pi) + M) - half_log_det

    def entropy(self) -> Tensor:
        L = self._unbroadcasted_scale_tril
        half_log_det = L.diagonal(dim1=-2, dim2=-1).log().sum(-1)
        H = 0.5 * self._event_shape[0] * (1.0 + math.log(2 * math.pi)) + half_log_det
        return H if not self._batch_shape else H.expand(*self._batch_shape)


class MixtureSameFamily(_Distribution):
    """A mixture of the components of one batched distribution (the last batch dim indexes
    them), weighted by a Categorical over them."""

    arg_constraints: ClassVar[dict[str, Any]] = {}

    def __init__(
        self,
        mixture_distribution: Any,
        component_distribution: Any,
        validate_args: bool | None = None,
    ) -> None:
        from . import Categorical

        self._mixture_distribution = mixture_distribution
        self._component_distribution = component_distribution
        if not isinstance(mixture_distribution, Categorical):
            raise ValueError(
                " The Mixture distribution needs to be an  instance of torch.distributions."
                "Categorical"
            )
        if not isinstance(component_distribution, _Distribution):
            raise ValueError(
                "The Component distribution need to be an instance of torch.distributions."
                "Distribution"
            )
        mdbs = mixture_distribution.batch_shape
        cdbs = component_distribution.batch_shape[:-1]
        for size1, size2 in zip(reversed(mdbs), reversed(cdbs), strict=False):
            if size1 != 1 and size2 != 1 and size1 != size2:
                raise ValueError(
                    f"`mixture_distribution.batch_shape` ({mdbs}) is not compatible with "
                    f"`component_distribution.batch_shape`({cdbs})"
                )
        km = mixture_distribution.logits.shape[-1]
        kc = component_distribution.batch_shape[-1]
        if km is not None and kc is not None and km != kc:
            raise ValueError(
                f"`mixture_distribution component` ({km}) does not equal "
                f"`component_distribution.batch_shape[-1]` ({kc})"
            )
        self._num_component = km
        event_shape = component_distribution.event_shape
        self._event_ndims = len(event_shape)
        super().__init__(cdbs, event_shape, validate_args=validate_args)

    @property
    def mixture_distribution(self) -> Any:
        """The Categorical over the components."""
        return self._mixture_distribution

    @property
    def component_distribution(self) -> Any:
        """The batched component distribution."""
        return self._component_distribution

    def _pad(self, x: Tensor) -> Tensor:
        return x.unsqueeze(-1 - self._event_ndims)

    def _pad_mixture_dimensions(self, x: Tensor) -> Tensor:
        dist_batch_ndims = len(self._batch_shape)
        cat_batch_ndims = len(self.mixture_distribution.batch_shape)
        pad_ndims = 0 if cat_batch_ndims == 1 else dist_batch_ndims - cat_batch_ndims
        xs = list(x.shape)
        x = x.reshape(xs[:-1] + [1] * pad_ndims + xs[-1:] + [1] * self._event_ndims)
        return x

    @property
    def mean(self) -> Tensor:
        probs = self._pad_mixture_dimensions(self.mixture_distribution.probs)
        out: Tensor = (probs * self.component_distribution.mean).sum(-1 - self._event_ndims)
        return out

    @property
    def variance(self) -> Tensor:
        # the law of total variance
        probs = self._pad_mixture_dimensions(self.mixture_distribution.probs)
        comp = self.component_distribution
        mean_cond_var = (probs * comp.variance).sum(-1 - self._event_ndims)
        var_cond_mean = (probs * (comp.mean - self._pad(self.mean)).pow(2.0)).sum(
            -1 - self._event_ndims
        )
        out: Tensor = mean_cond_var + var_cond_mean
        return out

    def cdf(self, x: Tensor) -> Tensor:
        """The mixture's cumulative distribution function at x."""
        x = self._pad(x)
        cdf_x = self.component_distribution.cdf(x)
        mix_prob = self.mixture_distribution.probs
        out: Tensor = (cdf_x * mix_prob).sum(-1)
        return out

    def log_prob(self, x: Tensor) -> Tensor:
        x = self._pad(x)
        log_prob_x = self.component_distribution.log_prob(x)  # [S, B, k]
        log_mix_prob = self.mixture_distribution.logits.log_softmax(-1)  # [B, k]
        out: Tensor = (log_prob_x + log_mix_prob).logsumexp(-1)
        return out

    def sample(self, sample_shape: Sequence[int] | int = ()) -> Tensor:
        from ..autograd import no_grad

        with no_grad():
            sample_shape = _size(sample_shape)
            gather_dim = len(sample_shape) + len(self._batch_shape)
            es = list(self._event_shape)
            mix_sample = self.mixture_distribution.sample(sample_shape)
            mix_shape = list(mix_sample.shape)
            comp_samples = self.component_distribution.sample(sample_shape)
            idx = mix_sample.reshape(mix_shape + [1] * (len(es) + 1))
            idx = idx.repeat(*([1] * len(mix_shape)), 1, *es)
            out: Tensor = comp_samples.gather(gather_dim, idx).squeeze(gather_dim)
            return out

    def __repr__(self) -> str:
        return (
            f"MixtureSameFamily(\n  {self.mixture_distribution},\n  {self.component_distribution})"
        )
