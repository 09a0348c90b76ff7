"""Adamax, NAdam, RAdam, Adadelta, Rprop, ASGD and LBFGS, with PyTorch's update formulas and
state keys. Unlike SGD/Adam/AdamW/RMSprop/Adagrad (one fused C++ call per group), these update
each parameter with a few in-place tensor ops under no_grad: correct and allocation-light, not
tuned."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from .. import _core
from .._core import Tensor
from ..autograd import no_grad
from ._checks import check_lr, check_nonneg, check_unsupported
from .optimizer import Optimizer, ParamsT, _scalar, _scalar_dtype

__all__ = [
    "ASGD", "LBFGS", "Adadelta", "Adafactor", "Adamax", "NAdam", "RAdam", "Rprop", "SparseAdam",
]  # fmt: skip


def _check_betas(betas: tuple[float, float]) -> None:
    for i, b in enumerate(betas):
        if not 0.0 <= b < 1.0:
            raise ValueError(f"Invalid beta parameter at index {i}: {b}")


class _PerParam(Optimizer):
    """An optimizer whose step is a loop over parameters in Python (``_update(group, p, g,
    state)``), with the gradient as PyTorch's single-tensor code sees it."""

    def _update_group(
        self, group: dict[str, Any], params: list[Tensor], grads: list[Tensor]
    ) -> None:
        with no_grad():
            for p, g in zip(params, grads, strict=True):
                self._update(group, p, -g if group.get("maximize") else g, self.state[p])

    def _update(self, group: dict[str, Any], p: Tensor, g: Tensor, state: dict[str, Any]) -> None:
        raise NotImplementedError

    @staticmethod
    def _bump(state: dict[str, Any]) -> float:
        step = state["step"]
        step.add_(1)
        return float(step.item())

    @staticmethod
    def _decay(group: dict[str, Any], p: Tensor, g: Tensor) -> Tensor:
        """g + weight_decay * p (coupled weight decay), or g."""
        wd = _scalar(group["weight_decay"])
        return g.add(p, alpha=wd) if wd != 0 else g


def _defaults(**kw: Any) -> dict[str, Any]:
    return kw


class Adamax(_PerParam):
    """Adamax (Adam with the infinity norm): exp_inf = max(beta2 * exp_inf, |g| + eps);
    p -= lr / (1 - beta1^t) * exp_avg / exp_inf."""

    def __init__(
        self,
        params: ParamsT,
        lr: float | Tensor = 2e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0,
        foreach: bool | None = None,
        *,
        maximize: bool = False,
        differentiable: bool = False,
        capturable: bool = False,
    ) -> None:
        check_lr(lr)
        check_nonneg(eps, "epsilon")
        _check_betas(betas)
        check_nonneg(weight_decay, "weight_decay")
        check_unsupported("Adamax", "Adamax", differentiable=differentiable, capturable=capturable)
        super().__init__(
            params,
            _defaults(
                lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, foreach=foreach,
                maximize=maximize, differentiable=differentiable, capturable=capturable,
            ),
        )  # fmt: skip

    def _update(self, group: dict[str, Any], p: Tensor, g: Tensor, state: dict[str, Any]) -> None:
        if not state:
            state["step"] = self._new_step()
            state["exp_avg"] = self._zeros_like(p)
            state["exp_inf"] = self._zeros_like(p)
        b1, b2 = group["betas"]
        step = self._bump(state)
        g = self._decay(group, p, g)
        exp_avg, exp_inf = state["exp_avg"], state["exp_inf"]
        exp_avg.mul_(b1).add_(g, alpha=1 - b1)
        exp_inf.copy_(_core.maximum(exp_inf * b2, g.abs() + group["eps"]))
        clr = _scalar(group["lr"]) / (1 - b1**step)
        p.sub_(exp_avg / exp_inf * clr)


class NAdam(_PerParam):
    """Adam with Nesterov momentum and PyTorch's momentum-decay schedule (``momentum_decay``);
    ``decoupled_weight_decay`` makes it NAdamW."""

    def __init__(
        self,
        params: ParamsT,
        lr: float | Tensor = 2e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0,
        momentum_decay: float = 4e-3,
        decoupled_weight_decay: bool = False,
        *,
        foreach: bool | None = None,
        maximize: bool = False,
        capturable: bool = False,
        differentiable: bool = False,
    ) -> None:
        check_lr(lr)
        check_nonneg(eps, "epsilon")
        _check_betas(betas)
        check_nonneg(weight_decay, "weight_decay")
        check_nonneg(momentum_decay, "momentum_decay")
        check_unsupported("NAdam", "NAdam", differentiable=differentiable, capturable=capturable)
        super().__init__(
            params,
            _defaults(
                lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                momentum_decay=momentum_decay, decoupled_weight_decay=decoupled_weight_decay,
                maximize=maximize, foreach=foreach, capturable=capturable,
                differentiable=differentiable,
            ),
        )  # fmt: skip

    def _update(self, group: dict[str, Any], p: Tensor, g: Tensor, state: dict[str, Any]) -> None:
        if not state:
            state["step"] = self._new_step()
            state["mu_product"] = _core.ones((), dtype=_scalar_dtype())
            state["exp_avg"] = self._zeros_like(p)
            state["exp_avg_sq"] = self._zeros_like(p)
        b1, b2 = group["betas"]
        lr, wd = _scalar(group["lr"]), _scalar(group["weight_decay"])
        step = self._bump(state)
        if wd != 0:
            if group["decoupled_weight_decay"]:
                p.mul_(1 - lr * wd)
            else:
                g = g.add(p, alpha=wd)
        md = group["momentum_decay"]
        mu = b1 * (1.0 - 0.5 * 0.96 ** (step * md))
        mu_next = b1 * (1.0 - 0.5 * 0.96 ** ((step + 1) * md))
        state["mu_product"].mul_(mu)  # in the state's dtype, as PyTorch
        mu_product = float(state["mu_product"].item())
        exp_avg, exp_avg_sq = state["exp_avg"], state["exp_avg_sq"]
        exp_avg.mul_(b1).add_(g, alpha=1 - b1)
        exp_avg_sq.mul_(b2).add_(g * g, alpha=1 - b2)
        denom = (exp_avg_sq / (1 - b2**step)).sqrt() + group["eps"]
        p.sub_(g / denom * (lr * (1 - mu) / (1 - mu_product)))
        p.sub_(exp_avg / denom * (lr * mu_next / (1 - mu_product * mu_next)))


class RAdam(_PerParam):
    """Rectified Adam: the adaptive step only once the variance of the adaptive learning rate is
    tractable (rho_t > 5), plain momentum SGD before; ``decoupled_weight_decay`` as AdamW."""

    def __init__(
        self,
        params: ParamsT,
        lr: float | Tensor = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0,
        decoupled_weight_decay: bool = False,
        *,
        foreach: bool | None = None,
        maximize: bool = False,
        capturable: bool = False,
        differentiable: bool = False,
    ) -> None:
        check_lr(lr)
        check_nonneg(eps, "epsilon")
        _check_betas(betas)
        check_nonneg(weight_decay, "weight_decay")
        check_unsupported("RAdam", "RAdam", differentiable=differentiable, capturable=capturable)
        super().__init__(
            params,
            _defaults(
                lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, maximize=maximize,
                foreach=foreach, capturable=capturable,
                decoupled_weight_decay=decoupled_weight_decay, differentiable=differentiable,
            ),
        )  # fmt: skip

    def _update(self, group: dict[str, Any], p: Tensor, g: Tensor, state: dict[str, Any]) -> None:
        if not state:
            state["step"] = self._new_step()
            state["exp_avg"] = self._zeros_like(p)
            state["exp_avg_sq"] = self._zeros_like(p)
        b1, b2 = group["betas"]
        lr, wd = _scalar(group["lr"]), _scalar(group["weight_decay"])
        step = self._bump(state)
        if wd != 0:
            if group["decoupled_weight_decay"]:
                p.mul_(1 - lr * wd)
            else:
                g = g.add(p, alpha=wd)
        exp_avg, exp_avg_sq = state["exp_avg"], state["exp_avg_sq"]
        exp_avg.mul_(b1).add_(g, alpha=1 - b1)
        exp_avg_sq.mul_(b2).add_(g * g, alpha=1 - b2)
        bc1, bc2 = 1 - b1**step, 1 - b2**step
        corrected = exp_avg / bc1
        rho_inf = 2 / (1 - b2) - 1
        rho_t = rho_inf - 2 * step * (b2**step) / bc2
        if rho_t > 5.0:
            rect = math.sqrt(
                (rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t)
            )
            adaptive = (bc2**0.5) / (exp_avg_sq.sqrt() + group["eps"])
            p.sub_(corrected * lr * adaptive * rect)
        else:
            p.sub_(corrected * lr)


class Adadelta(_PerParam):
    """Adadelta: square_avg = rho sa + (1 - rho) g^2; delta = sqrt(acc_delta + eps) /
    sqrt(square_avg + eps) * g; acc_delta = rho ad + (1 - rho) delta^2; p -= lr * delta."""

    def __init__(
        self,
        params: ParamsT,
        lr: float | Tensor = 1.0,
        rho: float = 0.9,
        eps: float = 1e-6,
        weight_decay: float = 0,
        foreach: bool | None = None,
        *,
        capturable: bool = False,
        maximize: bool = False,
        differentiable: bool = False,
    ) -> None:
        check_lr(lr)
        if not 0.0 <= rho <= 1.0:
            raise ValueError(f"Invalid rho value: {rho}")
        check_nonneg(eps, "epsilon")
        check_nonneg(weight_decay, "weight_decay")
        check_unsupported(
            "Adadelta", "Adadelta", differentiable=differentiable, capturable=capturable
        )
        super().__init__(
            params,
            _defaults(
                lr=lr, rho=rho, eps=eps, weight_decay=weight_decay, maximize=maximize,
                capturable=capturable, foreach=foreach, differentiable=differentiable,
            ),
        )  # fmt: skip

    def _update(self, group: dict[str, Any], p: Tensor, g: Tensor, state: dict[str, Any]) -> None:
        if not state:
            state["step"] = self._new_step()
            state["square_avg"] = self._zeros_like(p)
            state["acc_delta"] = self._zeros_like(p)
        rho, eps = group["rho"], group["eps"]
        self._bump(state)
        g = self._decay(group, p, g)
        sq, acc = state["square_avg"], state["acc_delta"]
        sq.mul_(rho).add_(g * g, alpha=1 - rho)
        delta = (acc + eps).sqrt() / (sq + eps).sqrt() * g
        acc.mul_(rho).add_(delta * delta, alpha=1 - rho)
        p.sub_(delta * _scalar(group["lr"]))


class Rprop(_PerParam):
    """Resilient backpropagation: per-element step sizes grown by etas[1] while the gradient
    keeps its sign and shrunk by etas[0] when it flips (that step is skipped), within
    step_sizes."""

    def __init__(
        self,
        params: ParamsT,
        lr: float | Tensor = 1e-2,
        etas: tuple[float, float] = (0.5, 1.2),
        step_sizes: tuple[float, float] = (1e-6, 50),
        *,
        capturable: bool = False,
        foreach: bool | None = None,
        maximize: bool = False,
        differentiable: bool = False,
    ) -> None:
        check_lr(lr)
        if not 0.0 < etas[0] < 1.0 < etas[1]:
            raise ValueError(f"Invalid eta values: {etas[0]}, {etas[1]}")
        check_unsupported("Rprop", "Rprop", differentiable=differentiable, capturable=capturable)
        super().__init__(
            params,
            _defaults(
                lr=lr, etas=etas, step_sizes=step_sizes, foreach=foreach, maximize=maximize,
                differentiable=differentiable, capturable=capturable,
            ),
        )  # fmt: skip

    def _update(self, group: dict[str, Any], p: Tensor, g: Tensor, state: dict[str, Any]) -> None:
        if not state:
            state["step"] = self._new_step()
            state["prev"] = self._zeros_like(p)
            state["step_size"] = _core.full(p.shape, _scalar(group["lr"]), dtype=p.dtype)
        eta_minus, eta_plus = group["etas"]
        lo, hi = group["step_sizes"]
        self._bump(state)
        prev, step_size = state["prev"], state["step_size"]
        sign = (g * prev).sign()
        factor = sign.clone()
        factor.masked_fill_(sign > 0, eta_plus)
        factor.masked_fill_(sign < 0, eta_minus)
        factor.masked_fill_(sign == 0, 1.0)
        step_size.mul_(factor).clamp_(lo, hi)
        g = g.masked_fill(sign < 0, 0)
        p.sub_(g.sign() * step_size)
        prev.copy_(g)


class ASGD(_PerParam):
    """Averaged SGD: p = p (1 - lambd eta) - eta g; the average ``ax`` of the iterates starts
    after t0 steps; eta decays as lr / (1 + lambd lr t)^alpha."""

    def __init__(
        self,
        params: ParamsT,
        lr: float | Tensor = 1e-2,
        lambd: float = 1e-4,
        alpha: float = 0.75,
        t0: float = 1e6,
        weight_decay: float = 0,
        foreach: bool | None = None,
        maximize: bool = False,
        differentiable: bool = False,
        capturable: bool = False,
    ) -> None:
        check_lr(lr)
        check_nonneg(weight_decay, "weight_decay")
        check_unsupported("ASGD", "ASGD", differentiable=differentiable, capturable=capturable)
        super().__init__(
            params,
            _defaults(
                lr=lr, lambd=lambd, alpha=alpha, t0=t0, weight_decay=weight_decay,
                foreach=foreach, maximize=maximize, differentiable=differentiable,
                capturable=capturable,
            ),
        )  # fmt: skip

    def _update(self, group: dict[str, Any], p: Tensor, g: Tensor, state: dict[str, Any]) -> None:
        lr = _scalar(group["lr"])
        if not state:
            state["step"] = self._new_step()
            state["eta"] = _core.full((), lr, dtype=_scalar_dtype())
            state["mu"] = _core.ones((), dtype=_scalar_dtype())
            state["ax"] = self._zeros_like(p)
        step = self._bump(state)
        g = self._decay(group, p, g)
        eta, mu = float(state["eta"].item()), float(state["mu"].item())
        lambd = group["lambd"]
        p.mul_(1 - lambd * eta)
        p.sub_(g * eta)
        ax = state["ax"]
        if mu != 1:
            ax.add_((p - ax) * mu)
        else:
            ax.copy_(p)
        state["eta"].fill_(lr / ((1 + lambd * lr * step) ** group["alpha"]))
        state["mu"].fill_(1 / max(1, step - group["t0"]))


def _cubic_interpolate(
    x1: Any, f1: Any, g1: Any, x2: Any, f2: Any, g2: Any, bounds: Any = None
) -> Any:
    """The minimiser of the cubic through (x1, f1, g1) and (x2, f2, g2), clamped to bounds
    (PyTorch's, as minFunc's polyinterp for two points); the middle when it has none."""
    if bounds is not None:
        xmin_bound, xmax_bound = bounds
    else:
        xmin_bound, xmax_bound = (x1, x2) if x1 <= x2 else (x2, x1)
    d1 = g1 + g2 - 3 * (f1 - f2) / (x1 - x2)
    d2_square = d1**2 - g1 * g2
    if d2_square >= 0:
        d2 = d2_square.sqrt() if isinstance(d2_square, Tensor) else math.sqrt(d2_square)
        if x1 <= x2:
            min_pos = x2 - (x2 - x1) * ((g2 + d2 - d1) / (g2 - g1 + 2 * d2))
        else:
            min_pos = x1 - (x1 - x2) * ((g1 + d2 - d1) / (g1 - g2 + 2 * d2))
        return min(max(min_pos, xmin_bound), xmax_bound)
    return (xmin_bound + xmax_bound) / 2.0


def _strong_wolfe(
    obj_func: Callable[..., tuple[float, Tensor]],
    x: list[Tensor],
    t: Any,
    d: Tensor,
    f: float,
    g: Tensor,
    gtd: Tensor,
    c1: float = 1e-4,
    c2: float = 0.9,
    tolerance_change: float = 1e-9,
    max_ls: int = 25,
) -> tuple[float, Tensor, Any, int]:
    """PyTorch's strong-Wolfe line search along d from x (loss f, gradient g, slope gtd):
    bracket a step satisfying both Wolfe conditions, then zoom into it by cubic interpolation.
    Returns (loss, flat gradient, step, evaluations). The scalars are kept as PyTorch keeps
    them (0-d tensors of the parameters' dtype where it has tensors), so they round alike."""
    d_norm = d.abs().max()
    g = g.clone()
    f_new, g_new = obj_func(x, t, d)
    ls_func_evals = 1
    gtd_new = (g_new * d).sum()
    t_prev, f_prev, g_prev, gtd_prev = 0, f, g, gtd
    done = False
    ls_iter = 0
    bracket: list[Any] = []
    bracket_f: list[Any] = []
    bracket_g: list[Tensor] = []
    bracket_gtd: list[Any] = []
    while ls_iter < max_ls:
        if f_new > (f + c1 * t * gtd) or (ls_iter > 1 and f_new >= f_prev):
            bracket, bracket_f = [t_prev, t], [f_prev, f_new]
            bracket_g, bracket_gtd = [g_prev, g_new.clone()], [gtd_prev, gtd_new]
            break
        if abs(gtd_new) <= -c2 * gtd:
            bracket, bracket_f, bracket_g = [t], [f_new], [g_new]
            done = True
            break
        if gtd_new >= 0:
            bracket, bracket_f = [t_prev, t], [f_prev, f_new]
            bracket_g, bracket_gtd = [g_prev, g_new.clone()], [gtd_prev, gtd_new]
            break
        min_step = t + 0.01 * (t - t_prev)
        max_step = t * 10
        tmp = t
        t = _cubic_interpolate(
            t_prev, f_prev, gtd_prev, t, f_new, gtd_new, bounds=(min_step, max_step)
        )
        t_prev, f_prev, g_prev, gtd_prev = tmp, f_new, g_new.clone(), gtd_new
        f_new, g_new = obj_func(x, t, d)
        ls_func_evals += 1
        gtd_new = (g_new * d).sum()
        ls_iter += 1
    if ls_iter == max_ls:
        bracket, bracket_f, bracket_g = [0, t], [f, f_new], [g, g_new]

    insuf_progress = False
    low_pos, high_pos = (0, 1) if bracket_f[0] <= bracket_f[-1] else (1, 0)
    while not done and ls_iter < max_ls:
        if abs(bracket[1] - bracket[0]) * d_norm < tolerance_change:
            break
        t = _cubic_interpolate(
            bracket[0], bracket_f[0], bracket_gtd[0], bracket[1], bracket_f[1], bracket_gtd[1]
        )
        # a trial point near an end of the bracket: after one such step, move it 0.1 of the
        # bracket's length inside
        eps = 0.1 * (max(bracket) - min(bracket))
        if min(max(bracket) - t, t - min(bracket)) < eps:
            if insuf_progress or t >= max(bracket) or t <= min(bracket):
                if abs(t - max(bracket)) < abs(t - min(bracket)):
                    t = max(bracket) - eps
                else:
                    t = min(bracket) + eps
                insuf_progress = False
            else:
                insuf_progress = True
        else:
            insuf_progress = False
        f_new, g_new = obj_func(x, t, d)
        ls_func_evals += 1
        gtd_new = (g_new * d).sum()
        ls_iter += 1
        if f_new > (f + c1 * t * gtd) or f_new >= bracket_f[low_pos]:
            bracket[high_pos] = t
            bracket_f[high_pos] = f_new
            bracket_g[high_pos] = g_new.clone()
            bracket_gtd[high_pos] = gtd_new
            low_pos, high_pos = (0, 1) if bracket_f[0] <= bracket_f[1] else (1, 0)
        else:
            if abs(gtd_new) <= -c2 * gtd:
                done = True
            elif gtd_new * (bracket[high_pos] - bracket[low_pos]) >= 0:
                bracket[high_pos] = bracket[low_pos]
                bracket_f[high_pos] = bracket_f[low_pos]
                bracket_g[high_pos] = bracket_g[low_pos]
                bracket_gtd[high_pos] = bracket_gtd[low_pos]
            bracket[low_pos] = t
            bracket_f[low_pos] = f_new
            bracket_g[low_pos] = g_new.clone()
            bracket_gtd[low_pos] = gtd_new
    return bracket_f[low_pos], bracket_g[low_pos], bracket[low_pos], ls_func_evals


class LBFGS(Optimizer):
    """L-BFGS over all parameters as one vector, PyTorch's algorithm and defaults; ``step``
    needs a closure that re-evaluates the model and returns the loss. ``line_search_fn`` is
    None (a fixed step ``lr``) or 'strong_wolfe' (PyTorch's bracketing and zoom line search with
    cubic interpolation, c1=1e-4, c2=0.9, at most 25 evaluations)."""

    def __init__(
        self,
        params: ParamsT,
        lr: float | Tensor = 1,
        max_iter: int = 20,
        max_eval: int | None = None,
        tolerance_grad: float = 1e-7,
        tolerance_change: float = 1e-9,
        history_size: int = 100,
        line_search_fn: str | None = None,
    ) -> None:
        check_lr(lr)
        if max_eval is None:
            max_eval = max_iter * 5 // 4
        super().__init__(
            params,
            _defaults(
                lr=lr, max_iter=max_iter, max_eval=max_eval, tolerance_grad=tolerance_grad,
                tolerance_change=tolerance_change, history_size=history_size,
                line_search_fn=line_search_fn,
            ),
        )  # fmt: skip
        if len(self.param_groups) != 1:
            raise ValueError("LBFGS doesn't support per-parameter options (parameter groups)")
        self._params: list[Tensor] = self.param_groups[0]["params"]

    def _flat_grad(self) -> Tensor:
        parts = []
        for p in self._params:
            g = p.grad if p.grad is not None else _core.zeros(p.shape, dtype=p.dtype)
            parts.append(g.reshape(-1))
        return _core.cat(parts)

    def _directional_evaluate(
        self, evaluate: Callable[[], Any], x: list[Tensor], t: Any, d: Tensor
    ) -> tuple[float, Tensor]:
        # the loss and flat gradient at x + t d; the parameters are put back to x
        self._add_grad(float(t.item()) if isinstance(t, Tensor) else float(t), d)
        loss = float(evaluate())
        flat_grad = self._flat_grad()
        for p, pdata in zip(self._params, x, strict=True):
            p.copy_(pdata)
        return loss, flat_grad

    def _add_grad(self, step_size: float, direction: Tensor) -> None:
        offset = 0
        for p in self._params:
            n = p.numel()
            p.add_(direction[offset : offset + n].reshape(p.shape), alpha=step_size)
            offset += n

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """Runs up to max_iter L-BFGS iterations; returns the closure's first loss."""
        if closure is None:
            raise RuntimeError("LBFGS requires a closure that re-evaluates the model")
        from ..autograd import enable_grad

        def evaluate() -> Any:
            with enable_grad():
                return closure()

        group = self.param_groups[0]
        lr, max_iter, max_eval = _scalar(group["lr"]), group["max_iter"], group["max_eval"]
        tol_grad, tol_change = group["tolerance_grad"], group["tolerance_change"]
        history = group["history_size"]
        state = self.state[self._params[0]]
        state.setdefault("func_evals", 0)
        state.setdefault("n_iter", 0)

        orig_loss = evaluate()
        loss = float(orig_loss)
        current_evals = 1
        state["func_evals"] += 1
        with no_grad():
            flat_grad = self._flat_grad()
            if float(flat_grad.abs().max().item()) <= tol_grad:
                return orig_loss
            d = state.get("d")
            t = state.get("t")
            old_dirs: list[Tensor] = state.get("old_dirs", [])
            old_stps: list[Tensor] = state.get("old_stps", [])
            ro: list[Any] = state.get("ro", [])
            h_diag = state.get("H_diag")
            prev_flat_grad = state.get("prev_flat_grad")
            prev_loss = state.get("prev_loss")
            n_iter = 0
            while n_iter < max_iter:
                n_iter += 1
                state["n_iter"] += 1
                if state["n_iter"] == 1:
                    d = -flat_grad
                    old_dirs, old_stps, ro = [], [], []
                    h_diag = 1.0
                else:
                    # The scalars stay 0-d tensors of the parameters' dtype, as in PyTorch, so
                    # that float32 runs round as PyTorch's do.
                    assert prev_flat_grad is not None and d is not None and t is not None
                    y = flat_grad - prev_flat_grad
                    s = d * t
                    ys = (y * s).sum()
                    if float(ys.item()) > 1e-10:
                        if len(old_dirs) == history:
                            old_dirs.pop(0)
                            old_stps.pop(0)
                            ro.pop(0)
                        old_dirs.append(y)
                        old_stps.append(s)
                        ro.append(1.0 / ys)
                        h_diag = ys / (y * y).sum()
                    q = -flat_grad
                    al: list[Any] = [None] * len(old_dirs)
                    for i in range(len(old_dirs) - 1, -1, -1):
                        al[i] = (old_stps[i] * q).sum() * ro[i]
                        q = q.add(old_dirs[i], alpha=-float(al[i].item()))
                    d = q * (1.0 if h_diag is None else h_diag)
                    for i in range(len(old_dirs)):
                        be_i = (old_dirs[i] * d).sum() * ro[i]
                        d = d.add(old_stps[i], alpha=float((al[i] - be_i).item()))
                prev_flat_grad = flat_grad.clone()
                prev_loss = loss
                if state["n_iter"] == 1:
                    inv = 1.0 / flat_grad.abs().sum()
                    t = (inv if float(inv.item()) < 1.0 else 1.0) * lr
                else:
                    t = lr
                gtd = float((flat_grad * d).sum().item())
                if gtd > -tol_change:
                    break
                ls_evals = 0
                opt_cond = False
                if group["line_search_fn"] is not None:
                    if group["line_search_fn"] != "strong_wolfe":
                        raise RuntimeError("only 'strong_wolfe' is supported")
                    x_init = [p.clone() for p in self._params]

                    def obj_func(x: list[Tensor], step: Any, direction: Tensor) -> Any:
                        return self._directional_evaluate(evaluate, x, step, direction)

                    loss, flat_grad, t, ls_evals = _strong_wolfe(
                        obj_func, x_init, t, d, loss, flat_grad, (flat_grad * d).sum(),
                        tolerance_change=tol_change,
                    )  # fmt: skip
                    t_value = float(t.item()) if isinstance(t, Tensor) else float(t)
                    self._add_grad(t_value, d)
                    opt_cond = float(flat_grad.abs().max().item()) <= tol_grad
                else:
                    t_value = float(t.item()) if isinstance(t, Tensor) else t
                    self._add_grad(t_value, d)
                    if n_iter != max_iter:
                        loss = float(evaluate())
                        flat_grad = self._flat_grad()
                        ls_evals = 1
                        opt_cond = float(flat_grad.abs().max().item()) <= tol_grad
                current_evals += ls_evals
                state["func_evals"] += ls_evals
                if n_iter == max_iter or current_evals >= max_eval:
                    break
                if opt_cond:
                    break
                if float((d * t_value).abs().max().item()) <= tol_change:
                    break
                if abs(loss - prev_loss) < tol_change:
                    break
            state.update(
                d=d, t=t, old_dirs=old_dirs, old_stps=old_stps, ro=ro, H_diag=h_diag,
                prev_flat_grad=prev_flat_grad, prev_loss=prev_loss,
            )  # fmt: skip
        return orig_loss


class Adafactor(_PerParam):
    """Adafactor as PyTorch's (``torch.optim.Adafactor``): the second moment of a gradient with
    more than one dimension kept factored as its row and column means over the last two
    dimensions (``row_var``, ``col_var``), of a vector as ``variance``; beta2_t = 1 - t^beta2_decay,
    the relative step size rho_t = min(lr, 1/sqrt(t)) scaled by max(eps2, RMS(p)), the update
    clipped to RMS d, and weight decay decoupled (p *= 1 - lr * weight_decay)."""

    def __init__(
        self,
        params: ParamsT,
        lr: float | Tensor = 1e-2,
        beta2_decay: float = -0.8,
        eps: tuple[float | None, float] = (None, 1e-3),
        d: float = 1.0,
        weight_decay: float = 0.0,
        *,
        foreach: bool | None = None,
        maximize: bool = False,
    ) -> None:
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        if not 0.0 <= lr:
            raise ValueError(f"Learning rate should be >= 0 but is: {lr}")
        if not 0.0 >= beta2_decay:
            raise ValueError(f"beta2_decay should be <= 0 but is: {beta2_decay}")
        if eps[0] is not None and not 0.0 <= eps[0]:
            raise ValueError(f"epsilon1 should be >= 0 but is: {eps[0]}")
        if not 0.0 <= eps[1]:
            raise ValueError(f"epsilon2 should be >= 0 but is: {eps[1]}")
        if not 1.0 <= d:
            raise ValueError(f"Clipping threshold d should be >= 1 but is: {d}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"weight_decay should be >= 0 but is: {weight_decay}")
        super().__init__(
            params,
            _defaults(
                lr=lr, beta2_decay=beta2_decay, eps=eps, d=d, weight_decay=weight_decay,
                foreach=foreach, maximize=maximize,
            ),
        )  # fmt: skip

    def _update_group(
        self, group: dict[str, Any], params: list[Tensor], grads: list[Tensor]
    ) -> None:
        # eps1 None is the first parameter's dtype's eps, kept for the rest of the group (as
        # PyTorch's single-tensor loop does)
        self._eps1 = group["eps"][0]
        super()._update_group(group, params, grads)

    def _update(self, group: dict[str, Any], p: Tensor, g: Tensor, state: dict[str, Any]) -> None:
        if not state:
            state["step"] = self._new_step()
            if g.dim() > 1:
                state["row_var"] = _core.zeros((*g.shape[:-1], 1), dtype=g.dtype)
                state["col_var"] = _core.zeros((*g.shape[:-2], 1, g.shape[-1]), dtype=g.dtype)
            else:
                state["variance"] = _core.zeros(g.shape, dtype=g.dtype)
        if self._eps1 is None:
            from .._api import finfo

            self._eps1 = float(finfo(p.dtype).eps)
        eps1, eps2 = float(self._eps1), group["eps"][1]
        lr, wd = _scalar(group["lr"]), group["weight_decay"]
        # a tensor lr makes PyTorch's step size and decay factor 0-d tensors of its dtype:
        # each operation with it rounds to that dtype
        lr_t = group["lr"]
        rnd = _round_to(lr_t.dtype) if isinstance(lr_t, Tensor) else float
        t = self._bump(state)
        one_minus_beta2 = t ** group["beta2_decay"]
        rms = max(eps2, float(p.norm(2).item()) / p.numel() ** 0.5)
        if 1 / t**0.5 < lr:
            alpha = rms / t**0.5
        else:
            alpha = rnd(rnd(rms) * lr)
        if wd != 0:
            p.mul_(rnd(1 - rnd(lr * rnd(wd))))
        if g.dim() > 1:
            row_var, col_var = state["row_var"], state["col_var"]
            row_mean = g.norm(2, dim=-1, keepdim=True).square() / g.shape[-1]
            col_mean = g.norm(2, dim=-2, keepdim=True).square() / g.shape[-2]
            row_var.lerp_(row_mean, one_minus_beta2)
            col_var.lerp_(col_mean, one_minus_beta2)
            var = (row_var @ col_var) / row_var.mean(-2, keepdim=True).clamp(min=eps1)
        else:
            variance = state["variance"]
            variance.lerp_(g * g, one_minus_beta2)
            var = variance.clone()
        update = var.clamp(min=eps1 * eps1).rsqrt() * g
        denom = max(1.0, float(update.norm(2).item()) / (update.numel() ** 0.5 * group["d"]))
        p.add_(update, alpha=rnd(-alpha / rnd(denom)) if 1 / t**0.5 >= lr else -alpha / denom)


def _round_to(dtype: Any) -> Callable[[float], float]:
    """Rounding of a Python float to a floating dtype (the identity for float64)."""
    if dtype == _core.float32:
        import numpy as np

        return lambda v: float(np.float32(v))
    return float


class SparseAdam(Optimizer):
    """SparseAdam's API (``torch.optim.SparseAdam``). PyTorch's SparseAdam updates only from
    sparse gradients and raises RuntimeError at step for a dense one; pyautograd has no sparse
    tensors, so every gradient is dense and step raises as PyTorch does for a dense gradient
    (before any state is made). Use Adam."""

    def __init__(
        self,
        params: ParamsT,
        lr: float | Tensor = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        maximize: bool = False,
    ) -> None:
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        if not 0.0 < lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 < eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        _check_betas(betas)
        super().__init__(params, _defaults(lr=lr, betas=betas, eps=eps, maximize=maximize))

    def _update_group(
        self, group: dict[str, Any], params: list[Tensor], grads: list[Tensor]
    ) -> None:
        raise RuntimeError(
            "SparseAdam does not support dense gradients, please consider Adam instead"
        )
