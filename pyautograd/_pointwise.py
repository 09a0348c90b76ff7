"""Pointwise ops made of declared ones (their gradients come from those): lerp, addcmul,
addcdiv and their in-place forms, with PyTorch's signatures."""

from __future__ import annotations

from typing import Any

from . import _core
from ._core import Tensor


def _check_float(op: str, *ts: Any) -> None:
    for t in ts:
        if isinstance(t, Tensor) and not t.dtype.is_floating_point:
            raise RuntimeError(f"[{op}] is only defined for floating tensors, got {t.dtype}")


def _lerp_value(x: Tensor, e: Tensor, w: Any) -> Tensor:
    """PyTorch's formula: x + w (e - x) where |w| < 0.5, else e - (e - x)(1 - w) (exact at
    w = 1, and inf/NaN where PyTorch has them)."""
    diff = e - x
    if isinstance(w, Tensor) and not w.dtype.is_floating_point:
        w = w.to(x.dtype)  # (a 0-d integer or bool weight is a number to PyTorch)
    if not isinstance(w, Tensor):
        r: Tensor = x + w * diff if abs(w) < 0.5 else e - diff * (1 - w)
        return r
    return _core.where(w.abs() < 0.5, x + w * diff, e - diff * (1 - w))


_LERP: Any = None


def _lerp_fn() -> Any:
    from .autograd import Function

    class Lerp(Function):
        @staticmethod
        def forward(ctx: Any, *args: Any) -> Tensor:
            x, e, w = args
            ctx.wt = isinstance(w, Tensor)
            ctx.shapes = (tuple(x.shape), tuple(e.shape))
            if ctx.wt:  # (a number weight needs nothing saved, as PyTorch's LerpBackward0)
                ctx.save_for_backward(x, e, w)
            ctx.w = None if ctx.wt else w
            return _lerp_value(x, e, w)

        @staticmethod
        def backward(ctx: Any, *grads: Tensor) -> Any:
            g = grads[0]
            if ctx.wt:
                x, e, w = ctx.saved_tensors
            else:
                w = ctx.w
            gx = (g * (1 - w)).sum_to_size(*ctx.shapes[0])
            ge = (g * w).sum_to_size(*ctx.shapes[1])
            gw = (g * (e - x)).sum_to_size(*w.shape) if ctx.wt else None
            return gx, ge, gw

    return Lerp


def lerp(input: Tensor, end: Tensor, weight: Tensor | float) -> Tensor:
    """input + weight * (end - input), with broadcasting (floating tensors of one dtype),
    computed as PyTorch computes it."""
    global _LERP
    if not isinstance(end, Tensor):
        raise TypeError(f"lerp(): argument 'end' must be Tensor, not {type(end).__name__}")
    _check_float("lerp", input, end, weight if not (
        isinstance(weight, Tensor) and weight.dim() == 0) else None
    )  # fmt: skip
    if end.dtype != input.dtype:
        raise RuntimeError(f"expected dtype {input.dtype} for `end` but got dtype {end.dtype}")
    if isinstance(weight, Tensor) and weight.dim() > 0 and weight.dtype != input.dtype:
        # (a 0-d weight is a number to PyTorch; one with dims must match, as `end`)
        raise RuntimeError(
            f"expected dtype {input.dtype} for `weight` but got dtype {weight.dtype}"
        )
    tracked = _core.is_grad_enabled() and any(
        isinstance(t, Tensor) and t.requires_grad for t in (input, end, weight)
    )
    if not tracked:
        return _lerp_value(input, end, weight)
    if _LERP is None:
        _LERP = _lerp_fn()
    out = _LERP.apply(input, end, weight)
    # PyTorch's node: LerpBackward0 for a number weight, LerpBackward1 for a tensor
    return _core._show_grad_fn_as(out, f"LerpBackward{int(isinstance(weight, Tensor))}")


def _category(dt: Any) -> int:
    return 3 if dt.is_complex else 2 if dt.is_floating_point else 0 if dt == _core.bool else 1


def _common(*ts: Any) -> tuple[Any, ...]:
    """The operands cast to the dtype PyTorch computes a three-operand op in (its
    ResultTypeState: tensors with dims first, then 0-d tensors, by category), so
    ``tensor1 * tensor2`` does not promote on its own (a 0-d float64 times an integer tensor
    added to float32 is float32)."""
    tensors = [t for t in ts if isinstance(t, Tensor)]
    if len(tensors) < 2:
        return ts
    result = None
    for group in ([t for t in tensors if t.dim() > 0], [t for t in tensors if t.dim() == 0]):
        if not group:
            continue
        dt = group[0].dtype
        for t in group[1:]:
            dt = _core.promote_types(dt, t.dtype)
        if result is None or _category(dt) > _category(result):
            result = dt if result is None else _core.promote_types(result, dt)
    if all(t.dtype == result for t in tensors):
        return ts
    return tuple(t.to(result) if isinstance(t, Tensor) and t.dtype != result else t for t in ts)


def addcmul(input: Tensor, tensor1: Tensor, tensor2: Tensor, *, value: float = 1) -> Tensor:
    """input + value * tensor1 * tensor2, with broadcasting (value cast to the integer type
    for integer tensors, as PyTorch)."""
    if all(isinstance(t, Tensor) and t.dtype == _core.bool for t in (input, tensor1, tensor2)):
        raise NotImplementedError("\"addcmul_cpu_out\" not implemented for 'Bool'")
    input, tensor1, tensor2 = _common(input, tensor1, tensor2)
    prod = tensor1 * tensor2
    if isinstance(value, float) and not any(
        isinstance(t, Tensor) and t.is_floating_point() for t in (input, tensor1, tensor2)
    ):  # fmt: skip
        value = int(value)
    return _core._show_grad_fn_as(
        input + (prod if value == 1 else value * prod), "AddcmulBackward0"
    )


def addcdiv(input: Tensor, tensor1: Tensor, tensor2: Tensor, *, value: float = 1) -> Tensor:
    """input + value * tensor1 / tensor2, with broadcasting (integer tensor1 and tensor2
    raise, as PyTorch)."""
    if not _any_float(tensor1, tensor2):
        raise RuntimeError(
            "[addcdiv] integer division with addcdiv is not supported; use "
            "input + value * tensor1 / tensor2"
        )
    input, tensor1, tensor2 = _common(input, tensor1, tensor2)
    q = tensor1 / tensor2
    return _core._show_grad_fn_as(input + (q if value == 1 else value * q), "AddcdivBackward0")


def _any_float(*ts: Any) -> bool:
    return any(isinstance(t, Tensor) and t.dtype.is_floating_point for t in ts)


def _lerp_(self: Tensor, end: Tensor, weight: Tensor | float) -> Tensor:
    """In place: self += weight * (end - self)."""
    _check_float("lerp_", self, end, weight if not (
        isinstance(weight, Tensor) and weight.dim() == 0) else None
    )  # fmt: skip
    tracked = _core.is_grad_enabled() and any(
        isinstance(t, Tensor) and t.requires_grad for t in (self, end, weight)
    )  # fmt: skip
    return self.copy_(lerp(self.clone() if tracked else self, end, weight))


def _addcmul_(self: Tensor, tensor1: Tensor, tensor2: Tensor, *, value: float = 1) -> Tensor:
    """In place: self += value * tensor1 * tensor2."""
    if all(isinstance(t, Tensor) and t.dtype == _core.bool for t in (self, tensor1, tensor2)):
        raise NotImplementedError("\"addcmul_cpu_out\" not implemented for 'Bool'")
    _, tensor1, tensor2 = _common(self, tensor1, tensor2)
    prod = tensor1 * tensor2
    if isinstance(value, float) and not any(
        isinstance(t, Tensor) and t.is_floating_point() for t in (self, tensor1, tensor2)
    ):  # fmt: skip
        value = int(value)  # (cast to the integer type, as addcmul)
    return self.add_(prod if value == 1 else value * prod)


def _addcdiv_(self: Tensor, tensor1: Tensor, tensor2: Tensor, *, value: float = 1) -> Tensor:
    """In place: self += value * tensor1 / tensor2."""
    if not _any_float(tensor1, tensor2):
        raise RuntimeError("[addcdiv_] integer division with addcdiv is not supported")
    _, tensor1, tensor2 = _common(self, tensor1, tensor2)
    q = tensor1 / tensor2
    return self.add_(q if value == 1 else value * q)


FUNCTIONS = {"lerp": lerp, "addcmul": addcmul, "addcdiv": addcdiv}


def install(cls: type[Tensor]) -> None:
    """Adds lerp, addcmul, addcdiv and their in-place forms to Tensor."""
    for name, f in FUNCTIONS.items():
        setattr(cls, name, f)
    cls.lerp_ = _lerp_  # type: ignore[method-assign]
    cls.addcmul_ = _addcmul_  # type: ignore[method-assign]
    cls.addcdiv_ = _addcdiv_  # type: ignore[method-assign]
