"""``pyautograd.amp``: PyTorch's mixed-precision helpers, ``autocast`` and ``GradScaler``.

pyautograd computes in float32/float64 only (no float16/bfloat16 kernels), so:

- ``autocast(..., enabled=False)`` is a no-op context (the common ``enabled=use_amp`` line);
  ``autocast("cuda")`` disables itself with PyTorch's warning (no CUDA here, as PyTorch does on a
  machine without CUDA); ``autocast("cpu")`` enabled raises, since it would ask for bfloat16
  arithmetic that pyautograd does not have.
- ``GradScaler`` is PyTorch's: on ``"cuda"`` it disables itself with PyTorch's warning (then
  ``scale`` returns its input and ``step`` just steps); on ``"cpu"`` it scales the loss, unscales
  the gradients, skips steps whose gradients are not finite and grows/backs off the scale, exactly
  as PyTorch's does.
"""

from __future__ import annotations

import functools
import warnings
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from .. import _core
from .._core import Tensor
from ..autograd import no_grad

__all__ = ["GradScaler", "autocast", "is_autocast_available"]

_F = TypeVar("_F", bound=Callable[..., Any])
_state = {"enabled": False}


def is_autocast_available(device_type: str) -> bool:
    """False: pyautograd has no reduced-precision kernels for autocast."""
    return False


class autocast:
    """``torch.autocast(device_type, dtype=None, enabled=True, cache_enabled=None)``: a context
    manager and decorator. Disabled (a no-op) when ``enabled=False`` or for ``"cuda"`` (with
    PyTorch's warning); enabled on ``"cpu"`` it raises (no bfloat16/float16 arithmetic here)."""

    def __init__(
        self,
        device_type: str = "cuda",
        dtype: Any = None,
        enabled: bool = True,
        cache_enabled: bool | None = None,
    ) -> None:
        if not isinstance(device_type, str):
            raise ValueError(
                f"Expected `device_type` of type `str`, got: `{type(device_type).__name__}`"
            )
        self.device = device_type
        self.fast_dtype = dtype
        self._enabled = bool(enabled)
        if self._enabled and device_type == "cuda":
            warnings.warn(
                "CUDA is not available or torch_xla is imported. Disabling autocast.",
                stacklevel=2,
            )
            self._enabled = False
        if self._enabled:
            raise RuntimeError(
                f"[autocast] autocast on '{device_type}' computes in reduced precision "
                "(bfloat16/float16), which pyautograd does not have; run in float32 (pass "
                "enabled=False) instead"
            )
        self._prev = False

    def __enter__(self) -> autocast:
        self._prev = _state["enabled"]
        _state["enabled"] = self._enabled
        return self

    def __exit__(self, *exc: object) -> None:
        _state["enabled"] = self._prev

    def __call__(self, fn: _F) -> _F:
        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with self:
                return fn(*args, **kwargs)

        return wrapper  # type: ignore[return-value]


def is_autocast_enabled(device_type: str | None = None) -> bool:
    """False: autocast is never enabled in pyautograd."""
    return _state["enabled"]


_READY, _UNSCALED, _STEPPED = 0, 1, 2


class GradScaler:
    """``torch.amp.GradScaler``: loss scaling with dynamic scale updates (see the module's
    docstring for what each device does)."""

    def __init__(
        self,
        device: str = "cuda",
        init_scale: float = 2.0**16,
        growth_factor: float = 2.0,
        backoff_factor: float = 0.5,
        growth_interval: int = 2000,
        enabled: bool = True,
    ) -> None:
        self._device = device
        self._enabled = enabled
        if enabled and device == "cuda":
            warnings.warn(
                "torch.cuda.amp.GradScaler is enabled, but CUDA is not available.  Disabling.",
                stacklevel=2,
            )
            self._enabled = False
        if self._enabled:
            if growth_factor <= 1.0:
                raise ValueError("The growth factor must be > 1.0.")
            if backoff_factor >= 1.0:
                raise ValueError("The backoff factor must be < 1.0.")
        self._init_scale = init_scale
        self._scale: Tensor | None = None
        self._growth_factor = growth_factor
        self._backoff_factor = backoff_factor
        self._growth_interval = growth_interval
        self._init_growth_tracker = 0
        self._growth_tracker = 0
        self._per_optimizer: dict[int, dict[str, Any]] = {}

    def is_enabled(self) -> bool:
        """Whether the scaler scales (False when disabled)."""
        return self._enabled

    def _lazy_scale(self) -> Tensor:
        if self._scale is None:
            self._scale = _core.full((), float(self._init_scale), dtype=_core.float32)
        return self._scale

    def scale(self, outputs: Any) -> Any:
        """outputs (a tensor or nested lists/tuples of tensors) multiplied by the scale; returned
        unchanged when disabled."""
        if not self._enabled:
            return outputs
        s = self._lazy_scale()
        if isinstance(outputs, Tensor):
            return outputs * s.to(outputs.dtype)
        if isinstance(outputs, (list, tuple)):
            return type(outputs)(self.scale(o) for o in outputs)
        if isinstance(outputs, Iterable):
            return [self.scale(o) for o in outputs]
        raise ValueError("outputs must be a Tensor or an iterable of Tensors")

    def _state_of(self, optimizer: Any) -> dict[str, Any]:
        return self._per_optimizer.setdefault(id(optimizer), {"stage": _READY, "found_inf": 0.0})

    def unscale_(self, optimizer: Any) -> None:
        """Divides the optimizer's gradients by the scale (once per step) and records whether any
        is inf or NaN."""
        if not self._enabled:
            return
        state = self._state_of(optimizer)
        if state["stage"] is _UNSCALED:
            raise RuntimeError(
                "unscale_() has already been called on this optimizer since the last update()."
            )
        if state["stage"] is _STEPPED:
            raise RuntimeError("unscale_() is being called after step().")
        inv = _core.full((), 1.0 / float(self._lazy_scale().item()), dtype=_core.float32)
        found = 0.0
        with no_grad():
            for group in optimizer.param_groups:
                for p in group["params"]:
                    g = p.grad
                    if g is None:
                        continue
                    if not bool(g.isfinite().all()):
                        found = 1.0
                    g.mul_(inv.to(g.dtype))
        state["found_inf"] = found
        state["stage"] = _UNSCALED

    def step(self, optimizer: Any, *args: Any, **kwargs: Any) -> Any:
        """Unscales (if not done yet) and runs optimizer.step() unless a gradient is inf/NaN."""
        if not self._enabled:
            return optimizer.step(*args, **kwargs)
        if "closure" in kwargs:
            raise RuntimeError("Closure use is not currently supported if GradScaler is enabled.")
        state = self._state_of(optimizer)
        if state["stage"] is _STEPPED:
            raise RuntimeError("step() has already been called since the last update().")
        if state["stage"] is _READY:
            self.unscale_(optimizer)
        result = None
        if not state["found_inf"]:
            result = optimizer.step(*args, **kwargs)
        state["stage"] = _STEPPED
        return result

    def update(self, new_scale: float | Tensor | None = None) -> None:
        """Sets the scale for the next step: new_scale if given, else backed off after a step
        with inf/NaN gradients, grown after growth_interval clean steps."""
        if not self._enabled:
            return
        scale = self._lazy_scale()
        if new_scale is not None:
            value = float(new_scale.item() if isinstance(new_scale, Tensor) else new_scale)
            scale.fill_(value)
        else:
            found = [s["found_inf"] for s in self._per_optimizer.values()]
            if not found:
                raise AssertionError("No inf checks were recorded prior to update.")
            if any(found):
                scale.mul_(self._backoff_factor)
                self._growth_tracker = 0
            else:
                self._growth_tracker += 1
                if self._growth_tracker == self._growth_interval:
                    scale.mul_(self._growth_factor)
                    self._growth_tracker = 0
        self._per_optimizer = {}

    def get_scale(self) -> float:
        """The current scale (1.0 when disabled)."""
        if not self._enabled:
            return 1.0
        return float(self._lazy_scale().item())

    def get_growth_factor(self) -> float:
        """The factor the scale grows by."""
        return self._growth_factor

    def set_growth_factor(self, new_factor: float) -> None:
        """Sets the factor the scale grows by."""
        self._growth_factor = new_factor

    def get_backoff_factor(self) -> float:
        """The factor the scale backs off by."""
        return self._backoff_factor

    def set_backoff_factor(self, new_factor: float) -> None:
        """Sets the factor the scale backs off by."""
        self._backoff_factor = new_factor

    def get_growth_interval(self) -> int:
        """The number of clean steps between growths."""
        return self._growth_interval

    def set_growth_interval(self, new_interval: int) -> None:
        """Sets the number of clean steps between growths."""
        self._growth_interval = new_interval

    def state_dict(self) -> dict[str, Any]:
        """The scale and growth settings ({} when disabled), as PyTorch's."""
        if not self._enabled:
            return {}
        return {
            "scale": self.get_scale(),
            "growth_factor": self._growth_factor,
            "backoff_factor": self._backoff_factor,
            "growth_interval": self._growth_interval,
            "_growth_tracker": self._growth_tracker,
        }

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restores what state_dict returned."""
        if not self._enabled:
            return
        if len(state_dict) == 0:
            raise RuntimeError(
                "The source state dict is empty, possibly because it was saved from a disabled "
                "instance of GradScaler."
            )
        self._init_scale = state_dict["scale"]
        if self._scale is not None:
            self._scale.fill_(state_dict["scale"])
        self._growth_factor = state_dict["growth_factor"]
        self._backoff_factor = state_dict["backoff_factor"]
        self._growth_interval = state_dict["growth_interval"]
        self._growth_tracker = state_dict["_growth_tracker"]
