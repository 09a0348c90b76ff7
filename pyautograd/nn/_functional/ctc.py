"""ctc_loss: the Connectionist Temporal Classification loss, as PyTorch's CPU kernel.

The per-sample negative log-likelihoods come from the alpha recursion over the blank-extended
targets (NumPy, float64, in log space); backward uses alpha and beta and returns PyTorch's
gradient, ``exp(log_probs) - posterior`` (the gradient with respect to logits whose
log_softmax is log_probs: PyTorch's kernel assumes that, so a log_softmax before the loss gives
the exact gradient and a leaf log_probs gets PyTorch's numbers). The reduction is composed of
tensor ops, as PyTorch does.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from ... import _core
from ..._core import Tensor

__all__ = ["ctc_loss"]

NEG = -np.inf


def _lse(*xs: np.ndarray) -> np.ndarray:
    m = np.maximum.reduce(xs)
    safe = np.where(np.isfinite(m), m, 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        s = sum(np.exp(x - safe) for x in xs)
        out: np.ndarray = np.where(np.isfinite(m), safe + np.log(s), m)
        return out


def _lengths(v: Any, name: str) -> list[int]:
    if isinstance(v, Tensor):
        return [int(x) for x in v.reshape(-1).tolist()]
    if isinstance(v, Sequence):
        return [int(x) for x in v]
    raise TypeError(f"ctc_loss(): {name} must be a tuple of ints or a tensor, got {type(v)}")


def _alpha_beta(lp: np.ndarray, tgt: list[int], blank: int) -> tuple[float, Any, Any, Any]:
    """nll, log_alpha (T, L'), log_beta (T, L'), extended labels, for one sample's (T, C)."""
    T = lp.shape[0]
    ext = np.full(2 * len(tgt) + 1, blank, dtype=np.int64)
    ext[1::2] = tgt
    L = ext.size
    skip = np.zeros(L, dtype=bool)  # s may come from s - 2
    skip[2:] = (ext[2:] != blank) & (ext[2:] != ext[:-2])
    la = np.full((T, L), NEG)
    lb = np.full((T, L), NEG)
    if T == 0:
        return np.inf, la, lb, ext
    la[0, 0] = lp[0, blank]
    if L > 1:
        la[0, 1] = lp[0, ext[1]]
    for t in range(1, T):
        prev = la[t - 1]
        s1 = np.concatenate(([NEG], prev[:-1]))
        s2 = np.where(skip, np.concatenate(([NEG, NEG], prev[:-2]))[:L], NEG)
        la[t] = lp[t, ext] + _lse(prev, s1, s2)
    ends = [la[T - 1, L - 1]] + ([la[T - 1, L - 2]] if L > 1 else [])
    nll = -float(_lse(*[np.array(e) for e in ends]))
    lb[T - 1, L - 1] = lp[T - 1, blank]
    if L > 1:
        lb[T - 1, L - 2] = lp[T - 1, ext[L - 2]]
    skip_next = np.zeros(L, dtype=bool)  # s may go to s + 2
    skip_next[:-2] = skip[2:]
    for t in range(T - 2, -1, -1):
        nxt = lb[t + 1]
        n1 = np.concatenate((nxt[1:], [NEG]))
        n2 = np.where(skip_next, np.concatenate((nxt[2:], [NEG, NEG]))[:L], NEG)
        lb[t] = lp[t, ext] + _lse(nxt, n1, n2)
    return nll, la, lb, ext


class _CTC:
    """The per-sample negative log-likelihoods (N,) of log_probs (T, N, C)."""

    @staticmethod
    def run(
        log_probs: Tensor,
        targets: list[list[int]],
        input_lengths: list[int],
        blank: int,
        zero_infinity: bool,
    ) -> Tensor:
        from ...autograd import Function, once_differentiable

        lp_all = log_probs.detach().to(_core.float64).numpy()
        T, N, C = lp_all.shape
        nlls = np.zeros(N)
        grad = np.zeros((T, N, C))
        for b in range(N):
            tb = input_lengths[b]
            lp = lp_all[:tb, b]
            nll, la, lb, ext = _alpha_beta(lp, targets[b], blank)
            nlls[b] = nll
            if zero_infinity and nll == np.inf:
                continue
            # lcab[t, c]: logsumexp over s with ext[s] == c of log_alpha + log_beta
            lcab = np.full((tb, C), NEG)
            ab = la + lb
            for s in range(ext.size):
                lcab[:, ext[s]] = _lse(lcab[:, ext[s]], ab[:, s])
            with np.errstate(invalid="ignore", over="ignore"):
                grad[:tb, b] = np.exp(lp) - np.exp(lcab + nll - lp)
        if zero_infinity:
            nlls = np.where(nlls == np.inf, 0.0, nlls)
        dtype = log_probs.dtype
        grad_t = _core.from_numpy(grad).to(dtype)

        class CtcLossBackward0(Function):
            @staticmethod
            def forward(ctx: Any, *args: Any) -> Tensor:
                return _core.from_numpy(nlls.copy()).to(dtype)

            @staticmethod
            @once_differentiable  # grad_t was computed in forward, not recorded
            def backward(ctx: Any, *grads: Tensor) -> Any:
                ctx._freed_check()  # (PyTorch's node saves log_probs and its alphas)
                return grad_t * grads[0].reshape(1, -1, 1)

        out: Tensor = CtcLossBackward0.apply(log_probs)
        return out


def ctc_loss(
    log_probs: Tensor,
    targets: Tensor,
    input_lengths: Tensor | Sequence[int],
    target_lengths: Tensor | Sequence[int],
    blank: int = 0,
    reduction: str = "mean",
    zero_infinity: bool = False,
) -> Tensor:
    """The CTC loss of log_probs (T, N, C) (or (T, C) unbatched) against targets (N, S) padded
    or 1-D concatenated, with each sample's input and target lengths; reduction "mean" divides
    each loss by its target length (at least 1) before the batch mean."""
    if reduction not in ("mean", "sum", "none"):
        raise ValueError(f"{reduction} is not a valid value for reduction")
    if not isinstance(log_probs, Tensor) or not log_probs.is_floating_point():
        raise RuntimeError("ctc_loss: log_probs must be a floating point tensor")
    batched = log_probs.dim() == 3
    if log_probs.dim() not in (2, 3):
        raise RuntimeError(
            f"ctc_loss: expected log_probs of 2 or 3 dims, got shape {list(log_probs.shape)}"
        )
    lp = log_probs if batched else log_probs.unsqueeze(1)
    T, N, C = (int(s) for s in lp.shape)
    ilen = _lengths(input_lengths, "input_lengths")
    tlen = _lengths(target_lengths, "target_lengths")
    if len(ilen) != N:
        raise RuntimeError(f"ctc_loss: expected input_lengths to have size {N}, got {len(ilen)}")
    if len(tlen) != N:
        raise RuntimeError(f"ctc_loss: expected target_lengths to have size {N}, got {len(tlen)}")
    if not 0 <= blank < C:
        raise RuntimeError("blank must be in label range")
    for i in ilen:
        if i > T or i < 0:
            raise RuntimeError(
                f"Expected input_lengths to have value at most {T}, but got value {i} (while "
                "checking arguments for ctc_loss_cpu)"
            )
    tg = [int(v) for v in targets.reshape(-1).tolist()]
    seqs: list[list[int]] = []
    if targets.dim() == 1:  # concatenated (unbatched: one sample's)
        if sum(tlen) != len(tg):
            raise RuntimeError(
                f"Expected tensor to have size {sum(tlen)} at dimension 0, but got size "
                f"{len(tg)} for argument #2 'targets' (while checking arguments for "
                "ctc_loss_allocate_outputs)"
            )
        at = 0
        for n in tlen:
            seqs.append(tg[at : at + n])
            at += n
    else:
        rows = targets
        if rows.dim() != 2 or int(rows.shape[0]) != N:
            raise RuntimeError(
                f"ctc_loss: expected targets of shape (N, S) with N = {N}, got "
                f"{list(targets.shape)}"
            )
        width = int(rows.shape[1])
        flat = rows.reshape(-1).tolist()
        for b, n in enumerate(tlen):
            if n > width:
                raise RuntimeError(
                    f"Expected tensor to have size at least {n} at dimension 1, but got size "
                    f"{width} for argument #2 'targets' (while checking arguments for "
                    "ctc_loss_cpu)"
                )
            seqs.append([int(v) for v in flat[b * width : b * width + n]])
    nll = _CTC.run(lp, seqs, ilen, blank, zero_infinity)
    if reduction == "mean":
        tl = _core.from_numpy(np.maximum(np.array(tlen, dtype=np.float64), 1.0)).to(nll.dtype)
        return (nll / tl).mean()
    if reduction == "sum":
        return nll.sum()
    return nll if batched else nll.squeeze(0)
