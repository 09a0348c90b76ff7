"""DistributedDataParallel: one model replica per process, gradients averaged over the world.

As PyTorch users know it: wrap the model after `init`, run forward and backward on this
rank's share of the batch, step the optimizer; when ``loss.backward()`` returns, every
parameter's ``.grad`` holds the average of the ranks' gradients, identical on every rank.
How: see `pyautograd.distributed._reducer` (buckets, .grad views, overlap with backward).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import pyautograd as _pa
from pyautograd import Tensor
from pyautograd.nn import Module

from . import _reducer, _world
from .collectives import broadcast

_MB = 1024 * 1024
FIRST_BUCKET_MB = 1.0


class DistributedDataParallel(Module):
    """Wraps ``module`` for data-parallel training over the initialised world.

    - At construction: checks that every rank's module has the same parameters (names, shapes,
      dtypes), then broadcasts parameters and buffers from rank 0.
    - Gradients are averaged in buckets of ``bucket_cap_mb`` megabytes (the first bucket 1 MB),
      filled in reverse registration order; each bucket's allreduce starts as soon as all its
      gradients are final (the post-accumulate-grad hook), overlapping the rest of backward.
    - Each parameter's ``.grad`` is a view into its bucket (PyTorch's
      ``gradient_as_bucket_view=True``, always): no copies and no allocations per step. A
      ``.grad`` set to None (``zero_grad()``) is re-attached, zeroed, at the next forward.
    - ``broadcast_buffers``: buffers (e.g. running statistics) are broadcast from rank 0 at each
      forward.
    - `no_sync`: backward passes run inside it only accumulate locally.

    Every parameter that requires grad must contribute to the loss of every backward pass
    (``find_unused_parameters=True`` is not supported: freeze unused ones with
    ``requires_grad_(False)`` before wrapping). ``device_ids``/``output_device`` must be None.
    """

    def __init__(
        self,
        module: Module,
        device_ids: list[int] | None = None,
        output_device: int | None = None,
        dim: int = 0,
        broadcast_buffers: bool = True,
        process_group: object = None,
        bucket_cap_mb: float | None = None,
        find_unused_parameters: bool = False,
        gradient_as_bucket_view: bool = True,
    ) -> None:
        super().__init__()
        name = "DistributedDataParallel"
        if device_ids or output_device is not None:
            raise ValueError(f"[{name}] device_ids/output_device must be None on the CPU")
        if process_group is not None:
            raise ValueError(f"[{name}] only the default process group is supported")
        if find_unused_parameters:
            raise ValueError(
                f"[{name}] find_unused_parameters=True is not supported: every parameter that "
                "requires grad must take part in each loss (freeze others with "
                "requires_grad_(False) before wrapping)"
            )
        if dim != 0:
            raise ValueError(f"[{name}] dim={dim}: only dim=0 is meaningful (no scatter on CPU)")
        cap = 25.0 if bucket_cap_mb is None else float(bucket_cap_mb)
        if cap <= 0:
            raise ValueError(f"[{name}] bucket_cap_mb={bucket_cap_mb} must be > 0")
        w = _world.current()
        self.module = module
        self.broadcast_buffers = broadcast_buffers
        self.require_backward_grad_sync = True
        self.gradient_as_bucket_view = gradient_as_bucket_view
        named = [(n, p) for n, p in module.named_parameters() if p.requires_grad]
        _check_same_parameters(w, module)
        with _pa.no_grad():
            for t in [*module.parameters(), *module.buffers()]:
                broadcast(t.detach(), 0)
        self._buffers_to_sync = list(module.buffers()) if w.size > 1 else []
        self.reducer = _reducer.Reducer(
            [p for _, p in named],
            [n for n, _ in named],
            int(cap * _MB),
            int(min(cap, FIRST_BUCKET_MB) * _MB),
        )

    def forward(self, *inputs: Any, **kwargs: Any) -> Any:
        """Runs the wrapped module (after re-attaching .grad views and syncing buffers)."""
        if _pa.is_grad_enabled():
            self.reducer.check_finished()
            self.reducer.sync = self.require_backward_grad_sync
            if self.require_backward_grad_sync:
                self.reducer.attach_grads()
        if self.broadcast_buffers:
            with _pa.no_grad():
                for b in self._buffers_to_sync:
                    broadcast(b.detach(), 0)
        return self.module(*inputs, **kwargs)

    @contextlib.contextmanager
    def no_sync(self) -> Iterator[None]:
        """Backward passes whose forward ran inside this context accumulate gradients locally
        without communication; the first synchronised backward after it averages the sum."""
        old = self.require_backward_grad_sync
        self.require_backward_grad_sync = False
        try:
            yield
        finally:
            self.require_backward_grad_sync = old

    def bucket_sizes(self) -> list[int]:
        """The number of elements of each gradient bucket, in the order they are reduced."""
        return [b.buffer.numel() for b in self.reducer.buckets]

    def gradient_buckets(self) -> list[Tensor]:
        """The flat gradient buffers (each parameter's .grad is a view into one of them)."""
        return [b.buffer for b in self.reducer.buckets]


def _check_same_parameters(w: _world.World, module: Module) -> None:
    """All ranks raise, naming the first difference, unless their parameters agree."""
    mine = [(n, tuple(p.shape), str(p.dtype)) for n, p in module.named_parameters()]
    every = w.comm.allgather(mine)
    for r, theirs in enumerate(every):
        if theirs == every[0]:
            continue
        diff = next(
            (f"{a} vs {b}" for a, b in zip(every[0], theirs, strict=False) if a != b),
            f"{len(every[0])} parameters vs {len(theirs)}",
        )
        raise RuntimeError(
            f"[DistributedDataParallel] rank {r}'s module differs from rank 0's "
            f"(name, shape, dtype): {diff}"
        )
