"""``nn.DataParallel`` without accelerators: PyTorch's own behaviour when no GPU is present (it
keeps the module and calls it on the whole batch), so ``model = nn.DataParallel(model)`` and
``model.module`` work unchanged."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..modules.module import Module


class DataParallel(Module):
    """Wraps ``module``; on the CPU (the only device here) each call is ``module(*inputs)``,
    as PyTorch's DataParallel does without GPUs. ``device_ids`` naming a GPU is refused."""

    def __init__(
        self,
        module: Module,
        device_ids: Sequence[Any] | None = None,
        output_device: Any = None,
        dim: int = 0,
    ) -> None:
        super().__init__()
        if device_ids:
            raise RuntimeError(
                f"[DataParallel] device_ids {list(device_ids)} name GPUs; pyautograd runs on the "
                "CPU only (without device_ids the module runs as it is, as in PyTorch without GPUs)"
            )
        self.module = module
        self.device_ids: list[Any] = []
        self.dim = dim
        self.output_device = output_device
        self.src_device_obj = None

    def forward(self, *inputs: Any, **kwargs: Any) -> Any:
        """The wrapped module's output for the whole batch."""
        return self.module(*inputs, **kwargs)


def data_parallel(
    module: Module,
    inputs: Any,
    device_ids: Sequence[Any] | None = None,
    output_device: Any = None,
    dim: int = 0,
    module_kwargs: Any = None,
) -> Any:
    """The functional form: ``module(*inputs, **module_kwargs)`` on the CPU."""
    if device_ids:
        raise RuntimeError("[data_parallel] device_ids name GPUs; pyautograd runs on the CPU only")
    args = inputs if isinstance(inputs, tuple) else (inputs,)
    return module(*args, **(module_kwargs or {}))
