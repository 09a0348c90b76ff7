"""Gradient buckets for data parallelism: flat buffers, .grad views, one allreduce per bucket.

Parameters are grouped, in reverse registration order (roughly the order their gradients
become final in backward) and by dtype, into buckets of at most ``bucket_cap`` bytes (the
first one smaller, so that communication starts early). Each bucket is one contiguous buffer;
each parameter's ``.grad`` is a view into it, so the engine accumulates straight into the
buffer and the averaged result lands in ``.grad`` with no copy. A persistent MPI allreduce per
bucket (MPI_Allreduce_init) is set up once; every step only starts it, so a step allocates
nothing.

A bucket starts its allreduce when the post-accumulate hook has fired for all its parameters,
buckets always start in index order (MPI needs every rank to issue them in the same order),
and the hook of the last parameter waits for all of them: when backward returns, every
``.grad`` holds the average over the ranks.
"""

from __future__ import annotations

import weakref
from collections.abc import Sequence
from typing import Any

import pyautograd as _pa
from pyautograd import Tensor

from . import _guard, _mpi, _world

_KIND = "DDP gradient bucket allreduce"


class Bucket:
    """One flat gradient buffer and the parameters whose .grad are views into it."""

    __slots__ = ("buffer", "call", "index", "indices", "pending", "request", "views")

    def __init__(self, index: int, dtype: Any, params: list[tuple[int, Tensor]]) -> None:
        self.index = index
        total = sum(p.numel() for _, p in params)
        self.buffer = _pa.zeros(total, dtype=dtype)
        self.indices = [i for i, _ in params]
        self.views: list[Tensor] = []
        offset = 0
        for _, p in params:
            n = p.numel()
            self.views.append(self.buffer[offset : offset + n].view(p.shape))
            offset += n
        self.pending = len(params)
        self.request: Any = None
        self.call = _guard.Call(_KIND, self.buffer, "SUM")


def assign_buckets(
    params: Sequence[Tensor], cap_bytes: int, first_cap_bytes: int
) -> list[list[int]]:
    """Indices of ``params`` per bucket: reverse order, one dtype per bucket, each bucket
    closed once it holds at least its cap (the first bucket of each dtype: first_cap_bytes)."""
    open_: dict[Any, list[int]] = {}
    size: dict[Any, int] = {}
    seen: set[Any] = set()
    done: list[list[int]] = []
    for i in reversed(range(len(params))):
        p = params[i]
        dt = p.dtype
        open_.setdefault(dt, []).append(i)
        size[dt] = size.get(dt, 0) + p.numel() * p.element_size()
        if size[dt] >= (cap_bytes if dt in seen else first_cap_bytes):
            done.append(open_.pop(dt))
            size[dt] = 0
            seen.add(dt)
    # The partly filled buckets last, in the order their first gradients become ready.
    done.extend(sorted((b for b in open_.values() if b), key=lambda b: -b[0]))
    return done


class Reducer:
    """Averages the gradients of ``params`` over the world in buckets (see the module doc)."""

    def __init__(
        self,
        params: Sequence[Tensor],
        names: Sequence[str],
        cap_bytes: int,
        first_cap_bytes: int,
        hooks: bool = True,
    ) -> None:
        w = _world.current()
        if hooks and not hasattr(Tensor, "register_post_accumulate_grad_hook"):
            raise RuntimeError(
                "[DistributedDataParallel] this build of pyautograd has no "
                "Tensor.register_post_accumulate_grad_hook, which starts each bucket's allreduce"
            )
        self.world = w
        self.params = list(params)
        self.names = list(names)
        self.size = w.size
        self.sync = True  # set by DDP's forward (no_sync clears it)
        layout = assign_buckets(self.params, cap_bytes, first_cap_bytes)
        self.buckets = [
            Bucket(k, self.params[b[0]].dtype, [(i, self.params[i]) for i in b])
            for k, b in enumerate(layout)
        ]
        self.where: list[tuple[Bucket, int]] = [(self.buckets[0], 0)] * len(self.params)
        for b in self.buckets:
            for slot, i in enumerate(b.indices):
                self.where[i] = (b, slot)
        self.inflight: list[Any] = []  # requests started in this pass
        self.fired = bytearray(len(self.params))
        self.next_launch = 0  # buckets before this one have started their allreduce
        self.ready = [False] * len(self.buckets)
        self.active = False  # a backward pass has begun reducing and not finished
        self.attach_grads()
        if self.size > 1:
            MPI = w.MPI
            comm = w.ddp_comm()
            for b in self.buckets:
                b.request = comm.Allreduce_init(
                    MPI.IN_PLACE, _mpi.buf(b.buffer, "DistributedDataParallel"), MPI.SUM
                )
        # hooks=False: the caller reports ready gradients itself (the benchmark of the
        # synchronisation alone).
        # (typed as Any so that this stays clean whether or not the stubs declare the hook yet)
        owners: list[Any] = self.params if hooks else []
        self.handles = [
            p.register_post_accumulate_grad_hook(self._hook(i)) for i, p in enumerate(owners)
        ]

    # ---- the .grad views ----

    def attach_grads(self) -> None:
        """Makes every parameter's .grad its bucket view: a None grad becomes zeros, any other
        tensor is copied in (once; later steps accumulate in place)."""
        with _pa.no_grad():
            for i, p in enumerate(self.params):
                b, slot = self.where[i]
                view = b.views[slot]
                g = p.grad
                if g is None:
                    view.zero_()
                elif g.data_ptr() != view.data_ptr():
                    view.copy_(g)
                else:
                    continue
                p.grad = view

    # ---- one backward pass ----

    def _hook(self, i: int) -> Any:
        # A weak reference: the hook lives on the parameter, and must not keep the reducer
        # (and through it the parameters) alive.
        ref = weakref.ref(self)

        def hook(_: Tensor) -> None:
            reducer = ref()
            if reducer is not None:
                reducer.grad_ready(i)

        return hook

    def grad_ready(self, i: int) -> None:
        """Parameter i's gradient is final for this backward pass."""
        if not self.sync or self.fired[i]:
            return
        self.active = True
        self.fired[i] = 1
        b, slot = self.where[i]
        p = self.params[i]
        g = p.grad
        if g is not None and g.data_ptr() != b.views[slot].data_ptr():
            with _pa.no_grad():  # .grad was replaced (e.g. set to None): back into the bucket
                b.views[slot].copy_(g)
            p.grad = b.views[slot]
        b.pending -= 1
        if b.pending == 0:
            self.ready[b.index] = True
            self._launch_ready()
        elif self.inflight:
            # Drive the allreduces already started: MPI progresses only inside its calls.
            self.world.MPI.Request.Testall(self.inflight)

    def _launch_ready(self) -> None:
        w = self.world
        while self.next_launch < len(self.buckets) and self.ready[self.next_launch]:
            b = self.buckets[self.next_launch]
            if self.size > 1:
                w.begin(b.call)  # numbered, checked in debug mode
                w.end()
                with _pa.no_grad():
                    b.buffer.div_(self.size)
                b.request.Start()
                self.inflight.append(b.request)
            self.next_launch += 1
        if self.next_launch == len(self.buckets):
            self.finish()

    def finish(self) -> None:
        """Waits for every bucket's allreduce and resets for the next backward pass."""
        if self.size > 1:
            w = self.world
            w.watch(self.buckets[-1].call)
            try:
                w.MPI.Request.Waitall(self.inflight)
            finally:
                w.end()
        self.reset()

    def reset(self) -> None:
        """Forgets a pass's progress (all buckets waited for, or none started)."""
        for b in self.buckets:
            b.pending = len(b.indices)
        self.ready = [False] * len(self.buckets)
        self.next_launch = 0
        self.inflight.clear()
        self.fired[:] = bytes(len(self.params))
        self.active = False

    def check_finished(self) -> None:
        """Raises if the last backward pass left some gradients unreduced (unused params)."""
        if not self.active:
            return
        missing = [self.names[i] for i in range(len(self.params)) if not self.fired[i]]
        if self.inflight:
            self.world.MPI.Request.Waitall(self.inflight)
        self.reset()
        raise RuntimeError(
            "[DistributedDataParallel] the previous backward pass produced no gradient for "
            f"{len(missing)} parameter(s), so their buckets were never reduced and the step "
            f"used unsynchronised gradients: {', '.join(missing[:10])}"
            + (" ..." if len(missing) > 10 else "")
            + ". Every parameter that requires grad must take part in the loss (freeze the "
            "others with requires_grad_(False) before wrapping the module)"
        )

    def remove(self) -> None:
        """Removes the hooks and frees the persistent requests."""
        for h in self.handles:
            h.remove()
        self.handles = []
        MPI = self.world.MPI
        if self.inflight:  # freeing an active request is erroneous: leave them to MPI_Finalize
            return
        if self.size > 1 and MPI.Is_initialized() and not MPI.Is_finalized():
            for b in self.buckets:
                if b.request is not None:
                    b.request.Free()
                    b.request = None

    def __del__(self) -> None:
        try:
            self.remove()
        except Exception:  # interpreter shutdown: MPI or the hooks may be gone already
            pass
