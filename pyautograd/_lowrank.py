"""torch.svd_lowrank and torch.pca_lowrank: the randomized range finder of Halko, Martinsson
and Tropp (2009, algorithms 4.4 and 5.1) as PyTorch's torch/_lowrank.py computes it, so a
seeded program draws the same Gaussian test matrix (one ``randn(n, q)``) and gets PyTorch's
factors. Differentiable (built from matmul, linalg.qr and linalg.svd). Dense inputs only."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ._core import Tensor
from ._linalg_np2 import qr, svd

if TYPE_CHECKING:
    from ._core import dtype


def _floating_dtype(A: Tensor) -> dtype:
    import pyautograd as torch

    return A.dtype if A.is_floating_point() else torch.float32


def _approximate_basis(A: Tensor, q: int, niter: int, M: Tensor | None) -> Tensor:
    import pyautograd as torch

    R = torch.randn(A.shape[-1], q, dtype=_floating_dtype(A))
    X = torch.matmul(A, R)
    if M is not None:
        X = X - torch.matmul(M, R)
    Q = qr(X).Q
    for _ in range(niter):
        X = torch.matmul(A.mH, Q)
        if M is not None:
            X = X - torch.matmul(M.mH, Q)
        Q = qr(X).Q
        X = torch.matmul(A, Q)
        if M is not None:
            X = X - torch.matmul(M, Q)
        Q = qr(X).Q
    return Q


def _check(name: str, A: Tensor, q: int, niter: int) -> None:
    if not isinstance(A, Tensor):
        raise TypeError(f"{name}(): argument 'A' must be Tensor, not {type(A).__name__}")
    if A.dim() < 2:
        raise RuntimeError(
            f"{name}: expected a matrix or a batch of matrices, got a tensor of shape "
            f"{tuple(A.shape)}"
        )
    m, n = A.shape[-2:]
    if not (0 <= q <= min(m, n)):
        raise ValueError(
            f"q(={q}) must be non-negative integer and not greater than min(m, n)={min(m, n)}"
        )
    if niter < 0:
        raise ValueError(f"niter(={niter}) must be non-negative integer")


def svd_lowrank(
    A: Tensor, q: int | None = 6, niter: int | None = 2, M: Tensor | None = None
) -> tuple[Tensor, Tensor, Tensor]:
    """An approximate rank-q SVD ``A - M ~ U diag(S) V^H`` (``torch.svd_lowrank``)."""
    import pyautograd as torch

    q = 6 if q is None else q
    niter = 2 if niter is None else niter
    _check("svd_lowrank", A, q, niter)
    m, n = A.shape[-2:]
    if M is not None:
        M = M.broadcast_to(A.size())
    if m < n:
        A = A.mH
        if M is not None:
            M = M.mH
    Q = _approximate_basis(A, q, niter, M)
    B = torch.matmul(Q.mH, A)
    if M is not None:
        B = B - torch.matmul(Q.mH, M)
    U, S, Vh = svd(B, full_matrices=False)
    V = Vh.mH
    U = Q.matmul(U)
    if m < n:
        U, V = V, U
    return U, S, V


def pca_lowrank(
    A: Tensor, q: int | None = None, center: bool = True, niter: int = 2
) -> tuple[Tensor, Tensor, Tensor]:
    """Linear PCA of the rows of A by svd_lowrank of the centered A (``torch.pca_lowrank``):
    V holds the principal directions, S**2 / (m - 1) the variances along them."""
    _check("pca_lowrank", A, 0, niter)
    m, n = A.shape[-2:]
    q = min(6, m, n) if q is None else q
    _check("pca_lowrank", A, q, niter)
    if not center:
        return svd_lowrank(A, q, niter=niter, M=None)
    return svd_lowrank(A - A.mean(dim=-2, keepdim=True), q, niter=niter, M=None)
