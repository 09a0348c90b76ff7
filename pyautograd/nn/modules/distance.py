"""CosineSimilarity."""

from __future__ import annotations

from ..._core import Tensor
from .._functional.distance import cosine_similarity
from .module import Module

__all__ = ["CosineSimilarity"]


class CosineSimilarity(Module):
    """The cosine similarity of its two inputs along dim (``F.cosine_similarity``)."""

    def __init__(self, dim: int = 1, eps: float = 1e-8) -> None:
        super().__init__()
        self.dim = dim
        self.eps = eps

    def forward(self, x1: Tensor, x2: Tensor) -> Tensor:
        """cosine_similarity(x1, x2, self.dim, self.eps)."""
        return cosine_similarity(x1, x2, self.dim, self.eps)
