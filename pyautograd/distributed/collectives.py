"""Collectives on tensors, in place on their memory (MPI reads and writes it: no copies).

The signatures are PyTorch's (``torch.distributed``): ``all_reduce(tensor, op, group,
async_op)`` and so on. Tensors must be contiguous; a non-contiguous one is refused with an
error rather than silently copied. ``async_op=True`` returns a `Work` to wait on.
"""

from __future__ import annotations

import enum
import types
from collections.abc import Callable, Sequence
from typing import Any

import pyautograd as _pa
from pyautograd import Tensor

from . import _guard, _mpi, _world


class ReduceOp(enum.Enum):
    """How `all_reduce`, `reduce` and `reduce_scatter` combine the ranks' values."""

    SUM = "SUM"
    AVG = "AVG"
    PRODUCT = "PRODUCT"
    MIN = "MIN"
    MAX = "MAX"
    BAND = "BAND"
    BOR = "BOR"
    BXOR = "BXOR"


assert tuple(o.value for o in ReduceOp) == _guard.OPS

#: PyTorch's ``dist.group.WORLD``: the only group there is (``None`` means the same).
group = types.SimpleNamespace(WORLD=None)


class Work:
    """The handle of an asynchronous collective (``async_op=True``), as PyTorch's ``Work``.

    The tensors must not be read or written until `wait` returns (or `is_completed` is True).
    """

    def __init__(
        self,
        requests: list[Any],
        call: _guard.Call,
        keep: Sequence[Tensor],
        finish: Callable[[], None] | None = None,
    ) -> None:
        self._requests = requests
        self._call = call
        self._keep = list(keep)  # the memory MPI works on stays alive until completion
        self._finish = finish
        self._done = False

    def _complete(self) -> None:
        self._done = True
        self._requests = []
        if self._finish is not None:
            self._finish()
            self._finish = None

    def is_completed(self) -> bool:
        """True once the collective has finished (also makes MPI progress on it)."""
        if not self._done and _mpi.load().Request.Testall(self._requests):
            self._complete()
        return self._done

    def wait(self, timeout: float | None = None) -> bool:
        """Blocks until the collective has finished; returns True. ``timeout`` is not supported
        (the watchdog of `init` bounds every wait)."""
        if timeout is not None:
            raise ValueError("[Work.wait] a per-call timeout is not supported; see init(timeout=)")
        if self._done:
            return True
        w = _world.current()
        w.watch(self._call)
        try:
            _mpi.load().Request.Waitall(self._requests)
        finally:
            w.end()
        self._complete()
        return True

    def result(self) -> list[Tensor]:
        """The tensors the collective wrote (after `wait`)."""
        return list(self._keep)


def _check_group(g: object, op: str) -> None:
    if g is not None:
        raise ValueError(f"[{op}] only the default group (None or group.WORLD) is supported")


def _reduce_op(op: ReduceOp | str, t: Tensor, name: str) -> tuple[Any, bool]:
    """The MPI op for ``op`` on t's dtype, and whether the result is then divided (AVG)."""
    if isinstance(op, str):
        try:
            op = ReduceOp[op.upper()]
        except KeyError:
            raise ValueError(f"[{name}] unknown reduce op {op!r}") from None
    if not isinstance(op, ReduceOp):
        raise TypeError(f"[{name}] op must be a ReduceOp, got {type(op).__name__}")
    MPI = _mpi.load()
    if op is ReduceOp.AVG:
        if not t.is_floating_point():
            raise TypeError(f"[{name}] ReduceOp.AVG needs a floating-point tensor, got {t.dtype}")
        return MPI.SUM, True
    if t.dtype == _pa.bool:
        table = {"SUM": MPI.LOR, "MAX": MPI.LOR, "BOR": MPI.LOR, "MIN": MPI.LAND}
        table |= {"PRODUCT": MPI.LAND, "BAND": MPI.LAND, "BXOR": MPI.LXOR}
        return table[op.value], False
    if op in (ReduceOp.BAND, ReduceOp.BOR, ReduceOp.BXOR) and t.is_floating_point():
        raise TypeError(
            f"[{name}] ReduceOp.{op.value} needs an integer or bool tensor, got {t.dtype}"
        )
    table = {"SUM": MPI.SUM, "PRODUCT": MPI.PROD, "MIN": MPI.MIN, "MAX": MPI.MAX}
    table |= {"BAND": MPI.BAND, "BOR": MPI.BOR, "BXOR": MPI.BXOR}
    return table[op.value], False


def _op_name(op: ReduceOp | str) -> str:
    return op.value if isinstance(op, ReduceOp) else str(op).upper()


def _divider(t: Tensor, size: int) -> Callable[[], None]:
    def divide() -> None:
        with _pa.no_grad():
            t.div_(size)

    return divide


def _run(
    w: _world.World,
    call: _guard.Call,
    start: Callable[[], list[Any]],
    keep: Sequence[Tensor],
    finish: Callable[[], None] | None,
    async_op: bool,
) -> Work | None:
    """Numbers and checks ``call``, starts it (``start`` returns MPI requests, or [] when it
    ran blocking), then waits or returns the handle."""
    w.begin(call)
    try:
        requests = start()
    finally:
        w.end()
    work = Work(requests, call, keep, finish)
    if async_op:
        return work
    if requests:
        work.wait()
    else:
        work._complete()
    return None


def _check_root(root: int, size: int, name: str, what: str) -> None:
    if not isinstance(root, int) or not 0 <= root < size:
        raise ValueError(f"[{name}] {what}={root!r} is not a rank of this world of {size}")


def _packed_address(ts: Sequence[Tensor]) -> int | None:
    """The first tensor's address if the tensors lie back to back in memory, else None."""
    step = ts[0].numel() * ts[0].element_size()
    base = ts[0].data_ptr()
    for i, t in enumerate(ts):
        if t.data_ptr() != base + i * step:
            return None
    return base


def _check_list(ts: Sequence[Tensor], like: Tensor, size: int, name: str, what: str) -> None:
    if len(ts) != size:
        raise ValueError(f"[{name}] {what} has {len(ts)} tensors; the world has {size} ranks")
    for i, t in enumerate(ts):
        _mpi.check_tensor(t, name, f"{what}[{i}]")
        if t.dtype != like.dtype or t.numel() != like.numel():
            raise ValueError(
                f"[{name}] {what}[{i}] is {t.dtype} of shape {tuple(t.shape)}; expected "
                f"{like.dtype} with {like.numel()} elements like the tensor"
            )


def all_reduce(
    tensor: Tensor, op: ReduceOp | str = ReduceOp.SUM, group: object = None, async_op: bool = False
) -> Work | None:
    """Combines ``tensor`` across all ranks with ``op`` (SUM, AVG, PRODUCT, MIN, MAX, BAND, BOR,
    BXOR), in place: every rank ends with the result."""
    name = "all_reduce"
    w = _world.current()
    _check_group(group, name)
    _mpi.check_tensor(tensor, name)
    mop, avg = _reduce_op(op, tensor, name)
    call = _guard.Call(name, tensor, _op_name(op))
    MPI = w.MPI
    spec = _mpi.buf(tensor, name)

    def start() -> list[Any]:
        if async_op:
            return [w.comm.Iallreduce(MPI.IN_PLACE, spec, mop)]
        w.comm.Allreduce(MPI.IN_PLACE, spec, mop)
        return []

    finish = _divider(tensor, w.size) if avg and w.size > 1 else None
    return _run(w, call, start, [tensor], finish, async_op)


def broadcast(
    tensor: Tensor, src: int, group: object = None, async_op: bool = False
) -> Work | None:
    """Copies rank ``src``'s ``tensor`` into ``tensor`` on every other rank."""
    name = "broadcast"
    w = _world.current()
    _check_group(group, name)
    _mpi.check_tensor(tensor, name)
    _check_root(src, w.size, name, "src")
    spec = _mpi.buf(tensor, name)

    def start() -> list[Any]:
        if async_op:
            return [w.comm.Ibcast(spec, src)]
        w.comm.Bcast(spec, src)
        return []

    return _run(w, _guard.Call(name, tensor, root=src), start, [tensor], None, async_op)


def reduce(
    tensor: Tensor,
    dst: int,
    op: ReduceOp | str = ReduceOp.SUM,
    group: object = None,
    async_op: bool = False,
) -> Work | None:
    """Combines ``tensor`` across ranks into rank ``dst``'s ``tensor`` (others' are unchanged)."""
    name = "reduce"
    w = _world.current()
    _check_group(group, name)
    _mpi.check_tensor(tensor, name)
    _check_root(dst, w.size, name, "dst")
    mop, avg = _reduce_op(op, tensor, name)
    MPI = w.MPI
    spec = _mpi.buf(tensor, name)
    root = w.rank == dst
    send = MPI.IN_PLACE if root else spec
    recv = spec if root else None

    def start() -> list[Any]:
        if async_op:
            return [w.comm.Ireduce(send, recv, mop, dst)]
        w.comm.Reduce(send, recv, mop, dst)
        return []

    finish = _divider(tensor, w.size) if avg and root and w.size > 1 else None
    call = _guard.Call(name, tensor, _op_name(op), root=dst)
    return _run(w, call, start, [tensor], finish, async_op)


def all_gather(
    tensor_list: list[Tensor], tensor: Tensor, group: object = None, async_op: bool = False
) -> Work | None:
    """Gathers every rank's ``tensor`` into ``tensor_list`` (one tensor per rank, in rank order).

    One MPI_Allgather when the outputs lie back to back in memory (e.g. the rows of one
    tensor), otherwise one broadcast per rank; never a hidden staging copy.
    """
    name = "all_gather"
    w = _world.current()
    _check_group(group, name)
    _mpi.check_tensor(tensor, name)
    _check_list(tensor_list, tensor, w.size, name, "tensor_list")
    MPI = w.MPI
    n = tensor.numel()
    base = _packed_address(tensor_list)
    call = _guard.Call(name, tensor, extra=n * w.size)
    own = tensor_list[w.rank]

    def start() -> list[Any]:
        if base is not None:
            recv = _mpi.buf_at(base, n * w.size, tensor, name)
            if own.data_ptr() == tensor.data_ptr():
                send: Any = MPI.IN_PLACE
            else:
                send = _mpi.buf(tensor, name)
            if async_op:
                return [w.comm.Iallgather(send, recv)]
            w.comm.Allgather(send, recv)
            return []
        if own.data_ptr() != tensor.data_ptr():
            with _pa.no_grad():
                own.view(tensor.shape).copy_(tensor)  # this rank's slot: the result itself
        return [w.comm.Ibcast(_mpi.buf(t, name), r) for r, t in enumerate(tensor_list)]

    return _run(w, call, start, [*tensor_list, tensor], None, async_op)


def all_gather_into_tensor(
    output_tensor: Tensor, input_tensor: Tensor, group: object = None, async_op: bool = False
) -> Work | None:
    """Gathers every rank's ``input_tensor`` into ``output_tensor`` (world size times as many
    elements, rank 0's first): one MPI_Allgather."""
    name = "all_gather_into_tensor"
    w = _world.current()
    _check_group(group, name)
    _mpi.check_tensor(input_tensor, name, "input_tensor")
    _mpi.check_tensor(output_tensor, name, "output_tensor")
    n = input_tensor.numel()
    if output_tensor.dtype != input_tensor.dtype or output_tensor.numel() != n * w.size:
        raise ValueError(
            f"[{name}] output_tensor is {output_tensor.dtype} of shape "
            f"{tuple(output_tensor.shape)}; expected {input_tensor.dtype} with {n * w.size} "
            f"elements ({w.size} ranks x {n})"
        )
    MPI = w.MPI
    recv = _mpi.buf(output_tensor, name)
    slot = output_tensor.data_ptr() + w.rank * n * input_tensor.element_size()
    send = MPI.IN_PLACE if input_tensor.data_ptr() == slot else _mpi.buf(input_tensor, name)

    def start() -> list[Any]:
        if async_op:
            return [w.comm.Iallgather(send, recv)]
        w.comm.Allgather(send, recv)
        return []

    call = _guard.Call("all_gather", input_tensor, extra=n * w.size)
    return _run(w, call, start, [output_tensor, input_tensor], None, async_op)


def reduce_scatter(
    output: Tensor,
    input_list: list[Tensor],
    op: ReduceOp | str = ReduceOp.SUM,
    group: object = None,
    async_op: bool = False,
) -> Work | None:
    """Reduces ``input_list[r]`` across ranks into rank r's ``output``.

    One MPI_Reduce_scatter_block when the inputs lie back to back in memory, otherwise one
    reduce per rank; never a hidden staging copy.
    """
    name = "reduce_scatter"
    w = _world.current()
    _check_group(group, name)
    _mpi.check_tensor(output, name, "output")
    _check_list(input_list, output, w.size, name, "input_list")
    mop, avg = _reduce_op(op, output, name)
    MPI = w.MPI
    n = output.numel()
    base = _packed_address(input_list)
    recv = _mpi.buf(output, name)

    def start() -> list[Any]:
        if base is not None:
            send = _mpi.buf_at(base, n * w.size, output, name)
            if async_op:
                return [w.comm.Ireduce_scatter_block(send, recv, mop)]
            w.comm.Reduce_scatter_block(send, recv, mop)
            return []
        reqs = []
        for r, t in enumerate(input_list):
            if r != w.rank:
                reqs.append(w.comm.Ireduce(_mpi.buf(t, name), None, mop, r))
            elif t.data_ptr() == output.data_ptr():
                reqs.append(w.comm.Ireduce(MPI.IN_PLACE, recv, mop, r))
            else:
                reqs.append(w.comm.Ireduce(_mpi.buf(t, name), recv, mop, r))
        return reqs

    finish = _divider(output, w.size) if avg and w.size > 1 else None
    call = _guard.Call(name, output, _op_name(op), extra=n * w.size)
    return _run(w, call, start, [output, *input_list], finish, async_op)


def reduce_scatter_tensor(
    output: Tensor,
    input: Tensor,
    op: ReduceOp | str = ReduceOp.SUM,
    group: object = None,
    async_op: bool = False,
) -> Work | None:
    """Reduces ``input`` (world size times ``output``'s elements) across ranks; rank r gets the
    r-th block in ``output``: one MPI_Reduce_scatter_block."""
    name = "reduce_scatter_tensor"
    w = _world.current()
    _check_group(group, name)
    _mpi.check_tensor(output, name, "output")
    _mpi.check_tensor(input, name, "input")
    n = output.numel()
    if input.dtype != output.dtype or input.numel() != n * w.size:
        raise ValueError(
            f"[{name}] input is {input.dtype} of shape {tuple(input.shape)}; expected "
            f"{output.dtype} with {n * w.size} elements ({w.size} ranks x {n})"
        )
    mop, avg = _reduce_op(op, output, name)
    send = _mpi.buf(input, name)
    recv = _mpi.buf(output, name)

    def start() -> list[Any]:
        if async_op:
            return [w.comm.Ireduce_scatter_block(send, recv, mop)]
        w.comm.Reduce_scatter_block(send, recv, mop)
        return []

    finish = _divider(output, w.size) if avg and w.size > 1 else None
    call = _guard.Call("reduce_scatter", output, _op_name(op), extra=n * w.size)
    return _run(w, call, start, [output, input], finish, async_op)


def barrier(group: object = None, async_op: bool = False) -> Work | None:
    """Returns once every rank has called it."""
    w = _world.current()
    _check_group(group, "barrier")

    def start() -> list[Any]:
        if async_op:
            return [w.comm.Ibarrier()]
        w.comm.Barrier()
        return []

    return _run(w, _guard.Call("barrier"), start, [], None, async_op)


def broadcast_object_list(object_list: list[Any], src: int = 0, group: object = None) -> None:
    """Replaces the items of ``object_list`` with rank ``src``'s (pickled; for small data)."""
    w = _world.current()
    _check_group(group, "broadcast_object_list")
    _check_root(src, w.size, "broadcast_object_list", "src")
    call = _guard.Call("object collective", root=src)
    w.begin(call)
    try:
        got = w.comm.bcast(object_list if w.rank == src else None, src)
    finally:
        w.end()
    object_list[:] = got


def all_gather_object(object_list: list[Any], obj: Any, group: object = None) -> None:
    """Fills ``object_list`` (one slot per rank) with every rank's ``obj`` (pickled)."""
    w = _world.current()
    _check_group(group, "all_gather_object")
    if len(object_list) != w.size:
        raise ValueError(
            f"[all_gather_object] object_list has {len(object_list)} slots; the world has "
            f"{w.size} ranks"
        )
    w.begin(_guard.Call("object collective", extra=w.size))
    try:
        got = w.comm.allgather(obj)
    finally:
        w.end()
    object_list[:] = got
