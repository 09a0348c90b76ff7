"""pyautograd.compile records the layer kernels: convolution, pooling, normalization, cross
entropy / NLL, gather / scatter / index, sorting and the scans (issue 14).

Each program runs twice, eagerly and compiled, on identical copies, with new data at each call;
everything observable (the returned loss, the parameters, their .grad, running statistics) must
be bitwise equal after every call, and the compiled copy must really replay.
"""

from __future__ import annotations

from typing import Any

import pytest
from compile_helpers import assert_same, assert_same_state, np_copy

import pyautograd as torch
from pyautograd import nn

_np = np_copy


def _twin(make: Any, data: list[tuple[Any, ...]], calls: int = 8, **kw: Any) -> dict[str, Any]:
    """Runs make()'s step eagerly and compiled on data[i % len(data)], comparing after each call;
    returns the compiled step's stats."""
    se, sc = make(), make()
    kw.setdefault("exact", True)  # bitwise comparisons (test_compile_fusion.py: the fusions)
    eager, comp = se["step"], torch.compile(sc["step"], **kw)
    for i in range(calls):
        args = data[i % len(data)]
        re, rc = eager(*args), comp(*args)
        assert_same(re, rc, exact=True, what=f"call {i}: result")
        assert_same_state(se["state"](), sc["state"](), exact=True, what=f"call {i}")
    st: dict[str, Any] = comp.stats()
    assert st["captures"] == 1 and st["replays"] == calls - 2, st
    return st


class _Cnn(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(1, 4, 3, padding=1)
        self.bn1 = nn.BatchNorm2d(4)
        self.pool = nn.MaxPool2d(2)
        self.conv2 = nn.Conv2d(4, 6, 3, stride=1)
        self.avg = nn.AdaptiveAvgPool2d((1, 1))
        self.ln = nn.LayerNorm(6)
        self.fc = nn.Linear(6, 5)

    def forward(self, x: Any) -> Any:
        x = self.pool(self.bn1(self.conv1(x)).relu())
        x = self.avg(self.conv2(x).relu())
        x = x.reshape(x.shape[0], -1)
        return self.fc(self.ln(x))


def _batches(n: int = 3, batch: int = 4, classes: int = 5) -> list[tuple[Any, Any]]:
    torch.manual_seed(1)
    return [(torch.randn(batch, 1, 8, 8), torch.randint(0, classes, (batch,))) for _ in range(n)]


@pytest.mark.parametrize("opt_name", ["sgd", "adam"])
@pytest.mark.parametrize("exact", [True, False])
def test_a_cnn_classifier_step_replays_bitwise(opt_name: str, exact: bool) -> None:
    def make() -> dict[str, Any]:
        torch.manual_seed(0)
        model = _Cnn()
        if opt_name == "sgd":
            opt: Any = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
        else:
            opt = torch.optim.Adam(model.parameters(), lr=0.01)
        loss_fn = nn.CrossEntropyLoss()

        def step(x: Any, y: Any) -> Any:
            opt.zero_grad()
            loss = loss_fn(model(x), y)
            loss.backward()
            opt.step()
            return loss

        def state() -> dict[str, Any]:
            d = dict(model.named_parameters())
            d.update(dict(model.named_buffers()))
            return d

        return {"step": step, "state": state}

    _twin(make, _batches(), exact=exact)


def test_the_cnn_step_trains_and_dumps_its_layer_kernels() -> None:
    torch.manual_seed(0)
    model = _Cnn()
    opt = torch.optim.SGD(model.parameters(), lr=0.02)
    loss_fn = nn.CrossEntropyLoss()

    @torch.compile
    def step(x: Any, y: Any) -> Any:
        opt.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()
        return loss

    data = _batches(1)
    losses = [step(*data[0]).item() for _ in range(30)]
    assert min(losses[-5:]) < losses[0], losses
    dump = step.dump()
    for k in (
        "conv2d_forward",
        "conv2d_backward",
        "batch_norm_forward",
        "batch_norm_update_running",
        "max_pool2d_backward",
        "layer_norm_backward",
        "cross_entropy",
    ):
        assert k in dump, (k, dump)


@pytest.mark.parametrize("loss_name", ["cross_entropy", "nll"])
def test_a_mean_loss_over_ignored_targets_follows_each_batch(loss_name: str) -> None:
    """The 'mean' denominator (rows not ignored, class weights) is computed by the replayed
    kernel from each call's targets, not frozen at capture."""

    def make() -> dict[str, Any]:
        torch.manual_seed(0)
        lin = nn.Linear(3, 4)
        w = torch.tensor([1.0, 2.0, 0.5, 1.5])
        if loss_name == "cross_entropy":
            loss_fn: Any = nn.CrossEntropyLoss(weight=w, ignore_index=2)
        else:
            ce = nn.NLLLoss(weight=w, ignore_index=2)
            loss_fn = lambda o, t: ce(o.log_softmax(1), t)  # noqa: E731

        def step(x: Any, y: Any) -> Any:
            loss = loss_fn(lin(x), y)
            loss.backward()
            with torch.no_grad():
                for p in lin.parameters():
                    p -= 0.1 * p.grad
                    p.grad.zero_()
            return loss

        return {"step": step, "state": lambda: dict(lin.named_parameters())}

    torch.manual_seed(2)
    x = torch.randn(6, 3)
    targets = [
        torch.tensor([0, 1, 3, 0, 1, 3]),
        torch.tensor([2, 2, 2, 0, 1, 3]),  # half ignored: another denominator
        torch.tensor([3, 3, 3, 3, 3, 1]),
    ]
    _twin(make, [(x, t) for t in targets], calls=9)


def test_an_out_of_range_target_at_replay_raises() -> None:
    lin = nn.Linear(3, 4)

    @torch.compile
    def step(x: Any, y: Any) -> Any:
        return nn.functional.cross_entropy(lin(x), y).detach()

    x = torch.randn(2, 3)
    for _ in range(3):
        step(x, torch.tensor([0, 3]))
    with pytest.raises(IndexError):
        step(x, torch.tensor([0, 4]))


def test_gather_scatter_index_sort_scans_replay() -> None:
    def make() -> dict[str, Any]:
        torch.manual_seed(0)
        w = torch.randn(4, 5, requires_grad=True)
        idx = torch.tensor([[0, 2, 1, 4, 3], [1, 1, 0, 2, 4], [3, 0, 0, 1, 2], [4, 4, 3, 2, 1]])

        def step(x: Any, rows: Any) -> Any:
            h = w * x
            a = h.gather(1, idx)  # gather + its backward (scatter add)
            b = h[rows]  # advanced indexing
            c = h.index_select(0, rows)
            s, _ = h.sort(dim=1, descending=True)
            k = h.topk(2, dim=1).values
            m = h.cumsum(1) + h.cumprod(1) + h.prod(1, keepdim=True)
            z = torch.zeros(4, 5).scatter(1, idx, h)
            loss = a.sum() + b.pow(2).sum() + c.sum() + (s * 0.5).sum() + k.sum()
            loss = loss + m.sum() + z.sum() + h.kthvalue(2, dim=1).values.sum()
            loss.backward()
            with torch.no_grad():
                w.sub_(0.01 * w.grad)
                w.grad.zero_()
            return loss

        return {"step": step, "state": lambda: {"w": w}}

    torch.manual_seed(3)
    data = [(torch.rand(4, 5) + 0.5, torch.tensor([3, 0, 0])) for _ in range(3)]
    data[1] = (data[1][0], torch.tensor([1, 2, 2]))  # new indices at replay
    _twin(make, data)


def test_an_out_of_range_index_at_replay_raises() -> None:
    w = torch.randn(4, 3)

    @torch.compile
    def f(i: Any) -> Any:
        return w.index_select(0, i) * 2

    for _ in range(3):
        f(torch.tensor([0, 3]))
    with pytest.raises(IndexError):
        f(torch.tensor([0, 4]))


def test_pooling_and_padding_replay() -> None:
    def make() -> dict[str, Any]:
        torch.manual_seed(0)
        conv = nn.Conv1d(2, 3, 3, padding=2, dilation=2)
        w = torch.randn(3, 3, 3, requires_grad=True)

        def step(x: Any) -> Any:
            h = nn.functional.pad(x * w, (1, 2, 0, 1), mode="reflect")
            a = nn.functional.avg_pool2d(h.unsqueeze(0), 2, count_include_pad=False)
            m = nn.functional.adaptive_max_pool2d(h.unsqueeze(0), (2, 2))
            v = conv(x[:2].reshape(1, 2, 9))
            loss = a.sum() + m.sum() * 2 + v.pow(2).sum()
            loss = loss + nn.functional.layer_norm(h, (h.shape[-1],)).pow(2).sum()
            loss.backward()
            with torch.no_grad():
                for p in [w, *conv.parameters()]:
                    p -= 0.01 * p.grad
                    p.grad.zero_()
            return loss

        state = lambda: {"w": w, **dict(conv.named_parameters())}  # noqa: E731
        return {"step": step, "state": state}

    torch.manual_seed(4)
    _twin(make, [(torch.randn(3, 3, 3),) for _ in range(3)])
