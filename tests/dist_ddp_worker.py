"""One rank of the DistributedDataParallel tests (tests/test_distributed_ddp.py starts it).

Usage: dist_ddp_worker.py SCENARIO [bucket_cap_mb]. Every rank builds the same full data set;
each trains on its DistributedSampler share. Scenarios check themselves with asserts and print
lines the test reads.
"""

from __future__ import annotations

import sys
from typing import Any

import numpy as np

import pyautograd as pa
import pyautograd.distributed as dist
from pyautograd import nn
from pyautograd.distributed import DistributedDataParallel as DDP
from pyautograd.distributed import DistributedSampler

SAMPLES, FEATURES, HIDDEN, OUT = 24, 20, 16, 4  # 24 samples split evenly over 1, 2 or 3 ranks
LR, STEPS = 0.05, 6


class Net(nn.Module):
    """Two linear layers, a buffer, and (optionally) a frozen parameter."""

    def __init__(self, hidden: int = HIDDEN) -> None:
        super().__init__()
        self.fc1 = nn.Linear(FEATURES, hidden)
        self.fc2 = nn.Linear(hidden, OUT)
        self.register_buffer("scale", pa.ones(OUT))

    def forward(self, x: pa.Tensor) -> pa.Tensor:
        return self.fc2(self.fc1(x).relu()) * self.scale


def data() -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]:
    rng = np.random.default_rng(1234)
    x = rng.standard_normal((SAMPLES, FEATURES)).astype(np.float32)
    y = rng.standard_normal((SAMPLES, OUT)).astype(np.float32)
    return x, y


def shard(rank: int, world: int) -> tuple[pa.Tensor, pa.Tensor]:
    x, y = data()
    idx = list(DistributedSampler(range(SAMPLES), world, rank, shuffle=False))
    return pa.from_numpy(x[idx].copy()), pa.from_numpy(y[idx].copy())


def model(seed: int) -> Net:
    pa.manual_seed(seed)
    return Net()


def loss_of(m: nn.Module, x: pa.Tensor, y: pa.Tensor) -> pa.Tensor:
    return (m(x) - y).pow(2).mean()


def sgd(m: nn.Module) -> None:
    with pa.no_grad():
        for p in m.parameters():
            if p.grad is not None:
                p -= LR * p.grad


def flat_params(m: nn.Module) -> np.ndarray[Any, Any]:
    return np.concatenate([p.detach().numpy().ravel() for p in m.parameters()])


def reference() -> Net:
    """Single-process full-batch training from rank 0's initial weights."""
    m = model(seed=0)
    x, y = shard(0, 1)
    for _ in range(STEPS):
        m.zero_grad(set_to_none=True)
        loss_of(m, x, y).backward()
        sgd(m)
    return m


def assert_replicas_bitwise_equal(m: nn.Module) -> None:
    mine = flat_params(m)
    every: list[Any] = [None] * dist.get_world_size()
    dist.all_gather_object(every, mine.tobytes())
    assert all(b == every[0] for b in every), "replicas differ"


def train(cap_mb: float) -> None:
    r, n = dist.get_rank(), dist.get_world_size()
    local = model(seed=100 + r)  # different on every rank: DDP broadcasts rank 0's...
    pa.manual_seed(0)
    rank0 = Net()  # ... which are these
    with pa.no_grad():
        for p, q in zip(local.parameters(), rank0.parameters(), strict=True):
            if r == 0:
                p.copy_(q)
        local.scale.fill_(float(r + 1))  # a buffer: rank 0's value (1) wins
    ddp = DDP(local, bucket_cap_mb=cap_mb)
    assert len(ddp.bucket_sizes()) >= 1
    np.testing.assert_array_equal(flat_params(local), flat_params(rank0))
    x, y = shard(r, n)
    for _ in range(STEPS):
        ddp.zero_grad(set_to_none=True)
        loss_of(ddp, x, y).backward()
        sgd(ddp)
    assert_replicas_bitwise_equal(local)
    np.testing.assert_allclose(flat_params(local), flat_params(reference()), rtol=1e-5, atol=1e-6)
    np.testing.assert_array_equal(local.scale.numpy(), np.ones(OUT, np.float32))
    print(f"OK rank {r} buckets {ddp.bucket_sizes()}")


def views() -> None:
    """.grad tensors live in the bucket buffers, stay there, and a step allocates no more than
    the same step without DDP."""
    r, n = dist.get_rank(), dist.get_world_size()
    ddp = DDP(model(seed=0), bucket_cap_mb=0.001)
    x, y = shard(r, n)
    buffers = ddp.gradient_buckets()
    spans = [(b.data_ptr(), b.data_ptr() + b.numel() * b.element_size()) for b in buffers]
    params = list(ddp.parameters())

    def inside(t: pa.Tensor) -> bool:
        return any(lo <= t.data_ptr() < hi for lo, hi in spans)

    for step in range(4):
        ddp.zero_grad(set_to_none=step % 2 == 0)  # None grads are re-attached at forward
        loss_of(ddp, x, y).backward()
        assert all(p.grad is not None and inside(p.grad) for p in params)
        sgd(ddp)

    plain = model(seed=0)
    plain_x, plain_y = shard(r, n)

    def allocs(m: nn.Module, xx: pa.Tensor, yy: pa.Tensor) -> int:
        for _ in range(2):  # steady state
            m.zero_grad(set_to_none=False)
            loss_of(m, xx, yy).backward()
            sgd(m)
        before = pa.memory_stats()["alloc_count"]
        for _ in range(5):
            m.zero_grad(set_to_none=False)
            loss_of(m, xx, yy).backward()
            sgd(m)
        return pa.memory_stats()["alloc_count"] - before

    extra = allocs(ddp, x, y) - allocs(plain, plain_x, plain_y)
    assert extra == 0, f"DDP allocates {extra} more tensors in 5 steps"
    print(f"OK rank {r}")


def no_sync() -> None:
    """Inside no_sync gradients accumulate locally; the next synchronised backward averages the
    accumulated sum over the ranks."""
    r, n = dist.get_rank(), dist.get_world_size()
    ddp = DDP(model(seed=0))
    x, y = shard(r, n)
    half = x.shape[0] // 2
    ddp.zero_grad(set_to_none=True)
    with ddp.no_sync():
        loss_of(ddp, x[:half], y[:half]).backward()
    local = flat_grads(ddp)
    every: list[Any] = [None] * n
    dist.all_gather_object(every, local.tobytes())
    if n > 1:
        assert every[0] != every[1], "no_sync communicated"
    loss_of(ddp, x[half:], y[half:]).backward()
    got = flat_grads(ddp)

    ref = model(seed=0)  # the same accumulation on every rank's data, in one process
    ref.zero_grad(set_to_none=True)
    for q in range(n):
        xq, yq = shard(q, n)
        (loss_of(ref, xq[:half], yq[:half]) / n).backward()
        (loss_of(ref, xq[half:], yq[half:]) / n).backward()
    np.testing.assert_allclose(got, flat_grads(ref), rtol=1e-5, atol=1e-6)
    print(f"OK rank {r}")


def flat_grads(m: nn.Module) -> np.ndarray[Any, Any]:
    return np.concatenate([p.grad.numpy().ravel() for p in m.parameters() if p.grad is not None])


def unused() -> None:
    """A parameter left out of the loss: the next forward says which one."""
    r, n = dist.get_rank(), dist.get_world_size()
    ddp = DDP(model(seed=0))
    x, y = shard(r, n)
    net = ddp.module
    assert isinstance(net, Net)
    (net.fc1(x).relu().sum() + 0 * y.sum()).backward()  # fc2 takes no part
    try:
        ddp(x)
    except RuntimeError as e:
        assert "fc2.weight" in str(e) and "fc2.bias" in str(e), str(e)
        print(f"CAUGHT rank {r}")
    ddp.zero_grad(set_to_none=True)
    loss_of(ddp, x, y).backward()  # usable again afterwards
    assert_replicas_bitwise_equal(ddp)
    print(f"OK rank {r}")


def mismatch() -> None:
    """Ranks whose models differ all refuse to wrap them."""
    r = dist.get_rank()
    pa.manual_seed(0)
    try:
        DDP(Net(hidden=HIDDEN + (r == 1)))
    except RuntimeError as e:
        print(f"CAUGHT rank {r}: {e}")
    print(f"OK rank {r}")


def main() -> None:
    dist.init()
    scenario = sys.argv[1]
    if scenario == "train":
        train(float(sys.argv[2]) if len(sys.argv) > 2 else 25.0)
        return
    {"views": views, "no_sync": no_sync, "unused": unused, "mismatch": mismatch}[scenario]()


if __name__ == "__main__":
    main()
