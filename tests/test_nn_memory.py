"""A training loop with nn, optim and utils.data holds a steady amount of memory: after a
warm-up, more steps allocate nothing new from the system and leave the same live bytes."""

import gc

import pyautograd as pa
from pyautograd import nn, optim
from pyautograd.utils.data import DataLoader, TensorDataset


def _loop(model, opt, loss_fn, loader, sched):
    for x, y in loader:
        opt.zero_grad()
        loss_fn(model(x), y).backward()
        opt.step()
    sched.step()


def test_training_loop_memory_is_steady():
    pa.manual_seed(0)
    x = pa.randn(256, 20)
    y = (x[:, 0] > 0).long()
    loader = DataLoader(TensorDataset(x, y), batch_size=32, shuffle=True)
    model = nn.Sequential(nn.Linear(20, 64), nn.LayerNorm(64), nn.ReLU(), nn.Dropout(0.1),
                          nn.Linear(64, 2))  # fmt: skip
    opt = optim.AdamW(model.parameters(), lr=1e-3, amsgrad=True)
    sched = optim.lr_scheduler.StepLR(opt, 2)
    loss_fn = nn.CrossEntropyLoss(label_smoothing=0.1)
    for _ in range(3):
        _loop(model, opt, loss_fn, loader, sched)
    gc.collect()
    before = pa.memory_stats()
    for _ in range(10):
        _loop(model, opt, loss_fn, loader, sched)
    gc.collect()
    after = pa.memory_stats()
    assert after["allocated_bytes"] == before["allocated_bytes"]
    assert after["system_alloc_count"] == before["system_alloc_count"]
