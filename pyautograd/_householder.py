"""torch.geqrf (LAPACK's QR in Householder form, by NumPy's LAPACK, as PyTorch's on the CPU)
and linalg.householder_product / torch.orgqr (the product of the Householder reflectors
H_i = I - tau_i v_i v_i^T, first n columns), which is composed of differentiable ops so that
it has gradients with respect to both the reflectors and tau, as PyTorch's does. geqrf is not
differentiable in PyTorch either: its backward raises as PyTorch's does."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

import pyautograd as pa

from ._core import Tensor
from ._linalg_np2 import _finite, _mat, _t


class geqrf_result(NamedTuple):
    """(a, tau) of torch.geqrf."""

    a: Tensor
    tau: Tensor

    def __repr__(self) -> str:
        return f"torch.return_types.geqrf(\na={self.a!r},\ntau={self.tau!r})"


def _refuse_geqrf(g: Tensor) -> Tensor:
    raise RuntimeError("the derivative for 'geqrf' is not implemented.")


def geqrf(input: Tensor) -> geqrf_result:
    """The QR decomposition of input as LAPACK's geqrf returns it: R on and above the diagonal,
    the Householder vectors (unit leading entry implied) below it, and their scales tau."""
    a = _mat("geqrf", input, "input")
    arr = a.detach().numpy()
    _finite("geqrf", arr)
    m, n = arr.shape[-2:]
    batch = arr.shape[:-2]
    flat = arr.reshape(-1, m, n)
    hs = np.empty_like(flat)
    taus = np.empty((flat.shape[0], min(m, n)), dtype=arr.dtype)
    for i, mat in enumerate(flat):
        if m == 0 or n == 0:
            hs[i] = mat
            continue
        h, tau = np.linalg.qr(mat, mode="raw")
        hs[i], taus[i] = h.T, tau
    out = geqrf_result(_t(hs.reshape(arr.shape), a), _t(taus.reshape(*batch, min(m, n)), a))
    if a.requires_grad and pa.is_grad_enabled():
        # PyTorch records GeqrfBackward0, whose backward raises; so do these results' hooks
        res = [t.requires_grad_() for t in out]
        for t in res:
            t.register_hook(_refuse_geqrf)
    return out


def householder_product(A: Tensor, tau: Tensor, *, out: Tensor | None = None) -> Tensor:
    """The first n columns of H_1 ... H_k (A: (*, m, n), tau: (*, k), k <= n <= m), where
    H_i = I - tau_i v_i v_i^T and v_i is column i of A below the diagonal with a 1 on it."""
    op = "torch.linalg.householder_product"
    a = _mat(op, A, "input")
    if not isinstance(tau, Tensor):
        raise TypeError(f"{op}(): argument 'tau' must be Tensor, not {type(tau).__name__}")
    m, n = a.shape[-2:]
    k = tau.shape[-1] if tau.dim() > 0 else 0
    if m < n:
        raise RuntimeError(
            f"{op}: input.shape[-2] must be greater than or equal to input.shape[-1]"
        )
    if tau.dim() < 1 or k > n:
        raise RuntimeError(f"{op}: input.shape[-1] must be greater than or equal to tau.shape[-1]")
    if tau.dim() != a.dim() - 1:
        raise RuntimeError(
            f"{op}: Expected tau to have one dimension less than input, but got tau.ndim equal to "
            f"{tau.dim()} and input.ndim is equal to {a.dim()}"
        )
    if tuple(tau.shape[:-1]) != tuple(a.shape[:-2]):
        raise RuntimeError(
            f"{op}: Expected batch dimensions of tau to be equal to input.shape[:-2], but got "
            f"{tuple(tau.shape[:-1])}"
        )
    if tau.dtype != a.dtype:
        raise RuntimeError(f"{op}: tau dtype {tau.dtype} does not match input dtype {a.dtype}")
    batch = tuple(a.shape[:-2])
    Q = pa.eye(m, n, dtype=a.dtype).expand(*batch, m, n)
    for i in reversed(range(k)):
        v = pa.cat(
            [
                pa.zeros(*batch, i, dtype=a.dtype),
                pa.ones(*batch, 1, dtype=a.dtype),
                a[..., i + 1 :, i],
            ],
            dim=-1,
        )
        # H_i Q = Q - tau_i v (v^T Q)
        vq = (v.unsqueeze(-1) * Q).sum(dim=-2, keepdim=True)
        Q = Q - tau[..., i].unsqueeze(-1).unsqueeze(-1) * v.unsqueeze(-1) * vq
    if out is not None:
        out.copy_(Q)
        return out
    return Q


def orgqr(input: Tensor, tau: Tensor) -> Tensor:
    """torch.orgqr: an alias of torch.linalg.householder_product."""
    return householder_product(input, tau)


def install(cls: type[Tensor], module: dict[str, object], linalg: object) -> None:
    """torch.geqrf, torch.orgqr, linalg.householder_product and the Tensor methods."""
    module.setdefault("geqrf", geqrf)
    module.setdefault("orgqr", orgqr)
    if not hasattr(linalg, "householder_product"):
        setattr(linalg, "householder_product", householder_product)  # noqa: B010
    for name, fn in (("geqrf", geqrf), ("orgqr", orgqr)):
        if not hasattr(cls, name):
            setattr(cls, name, fn)
