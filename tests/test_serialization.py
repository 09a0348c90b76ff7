"""pyautograd.save / load: round trips of tensors (dtype, shape, strides, offsets, shared
storage, requires_grad), parameters, state dicts and optimizer states; weights_only safety;
clear errors on truncated or foreign files; and PyTorch reading our checkpoints and we theirs."""

import io
import os
import pickle
import zipfile

import numpy as np
import pytest
from nn_helpers import np_of

import pyautograd as pa
from pyautograd import nn, optim
from pyautograd.serialization import add_safe_globals, clear_safe_globals, safe_globals


def _round_trip(obj, **kw):
    buf = io.BytesIO()
    pa.save(obj, buf)
    buf.seek(0)
    return pa.load(buf, **kw)


@pytest.mark.parametrize("dtype", ["float32", "float64", "int64", "bool"])
def test_tensor_round_trip_keeps_dtype_shape_values(dtype):
    d = getattr(pa, dtype)
    for t in (pa.arange(24).reshape(2, 3, 4).to(d), pa.tensor(5).to(d), pa.zeros(0, 3, dtype=d)):
        u = _round_trip(t)
        assert u.dtype == t.dtype and u.shape == t.shape and u.tolist() == t.tolist()
        assert u.stride() == t.stride() and not u.requires_grad


def test_views_keep_strides_offsets_and_sharing():
    base = pa.arange(40.0).reshape(5, 8)
    views = {"base": base, "col": base[:, 3], "t": base.t(), "block": base[1:3, 2:6],
             "row": base[4], "exp": base[0:1].expand(3, 8)}  # fmt: skip
    out = _round_trip(views)
    for k, v in views.items():
        assert out[k].tolist() == v.tolist(), k
        assert out[k].stride() == v.stride(), k
    assert out["col"].storage_offset() == 3
    out["base"][2, 3] = -1.0  # the views share the loaded storage again
    assert out["col"][2].item() == -1.0 and out["t"][3, 2].item() == -1.0
    assert out["block"][1, 1].item() == -1.0


def test_a_small_view_saves_only_its_span():
    big = pa.zeros(1_000_000)
    small = big[10:20]
    buf = io.BytesIO()
    pa.save(small, buf)
    assert len(buf.getvalue()) < 10_000
    buf.seek(0)
    u = pa.load(buf)
    assert u.shape == (10,) and u.storage_offset() == 0


def test_requires_grad_parameters_and_nesting():
    w = nn.Parameter(pa.randn(3, 2))
    w.tag = "encoder"
    g = pa.ones(2, requires_grad=True)
    obj = {"w": w, "g": g, "list": [w, (1, 2.5, "s", None, b"by", {3, 4})], "n": 7}
    out = _round_trip(obj)
    assert type(out["w"]) is nn.Parameter and out["w"].requires_grad and out["w"].tag == "encoder"
    assert out["list"][0] is out["w"]  # the same object twice stays one object
    assert out["g"].requires_grad and out["g"].is_leaf and type(out["g"]) is pa.Tensor
    assert out["list"][1] == (1, 2.5, "s", None, b"by", {3, 4}) and out["n"] == 7
    assert np_of(out["w"]).tolist() == np_of(w).tolist()


def test_non_leaf_refused():
    x = pa.ones(2, requires_grad=True) * 2
    with pytest.raises(RuntimeError, match="non-leaf"):
        _round_trip(x)
    _round_trip(x.detach())


def test_module_state_dict_and_optimizer_checkpoint_resume(tmp_path):
    pa.manual_seed(0)
    model = nn.Sequential(nn.Linear(4, 8), nn.BatchNorm1d(8), nn.ReLU(), nn.Linear(8, 2))
    opt = optim.Adam(model.parameters(), lr=0.01, amsgrad=True)
    sched = optim.lr_scheduler.StepLR(opt, 2, 0.5)
    x, y = pa.randn(16, 4), pa.randn(16, 2)

    def train(m, o, s, n):
        for _ in range(n):
            o.zero_grad()
            ((m(x) - y) ** 2).mean().backward()
            o.step()
            s.step()

    train(model, opt, sched, 3)
    path = tmp_path / "ckpt.pt"
    pa.save({"model": model.state_dict(), "opt": opt.state_dict(), "sched": sched.state_dict(),
             "epoch": 3}, path)  # fmt: skip
    ck = pa.load(path)
    model2 = nn.Sequential(nn.Linear(4, 8), nn.BatchNorm1d(8), nn.ReLU(), nn.Linear(8, 2))
    model2.load_state_dict(ck["model"])
    opt2 = optim.Adam(model2.parameters(), lr=0.01, amsgrad=True)
    opt2.load_state_dict(ck["opt"])
    sched2 = optim.lr_scheduler.StepLR(opt2, 2, 0.5)
    sched2.load_state_dict(ck["sched"])
    assert ck["epoch"] == 3 and sched2.get_last_lr() == sched.get_last_lr()
    train(model, opt, sched, 3)
    train(model2, opt2, sched2, 3)
    for p, q in zip(model.state_dict().values(), model2.state_dict().values(), strict=True):
        np.testing.assert_array_equal(np_of(p), np_of(q))


def test_paths_and_files(tmp_path):
    t = pa.arange(5)
    p = tmp_path / "a.pt"
    pa.save(t, p)
    pa.save(t, str(tmp_path / "b.pt"))
    with open(tmp_path / "c.pt", "wb") as f:
        pa.save(t, f)
    for name in ("a.pt", "b.pt", "c.pt"):
        assert pa.load(tmp_path / name).tolist() == [0, 1, 2, 3, 4]
    with open(p, "rb") as f:
        assert pa.load(f).tolist() == [0, 1, 2, 3, 4]
    assert zipfile.is_zipfile(p)
    with pytest.raises(TypeError, match="path or a writable"):
        pa.save(t, 3)


class Custom:
    def __init__(self, v):
        self.v = v


def test_weights_only_refuses_arbitrary_objects(tmp_path):
    p = tmp_path / "x.pt"
    pa.save({"obj": Custom(3), "t": pa.ones(1)}, p)
    with pytest.raises(pickle.UnpicklingError, match="weights_only=True refuses"):
        pa.load(p)
    assert pa.load(p, weights_only=False)["obj"].v == 3
    with safe_globals([Custom]):
        assert pa.load(p)["obj"].v == 3
    with pytest.raises(pickle.UnpicklingError):
        pa.load(p)
    add_safe_globals([Custom])
    try:
        assert pa.load(p)["obj"].v == 3
    finally:
        clear_safe_globals()


def test_weights_only_refuses_code_execution(tmp_path):
    class Evil:
        def __reduce__(self):
            return (os.system, ("echo pwned > /dev/null",))

    p = tmp_path / "evil.pt"
    pa.save([Evil()], p)
    with pytest.raises(pickle.UnpicklingError, match=r"posix.system|os.system"):
        pa.load(p)


def _corrupt(path, out, fn):
    data = bytearray(path.read_bytes())
    out.write_bytes(fn(data))


def test_truncated_and_foreign_files_raise_clearly(tmp_path):
    good = tmp_path / "good.pt"
    pa.save({"w": pa.randn(100, 100)}, good)
    n = good.stat().st_size
    for cut in (10, n // 2, n - 30):
        bad = tmp_path / f"cut{cut}.pt"
        _corrupt(good, bad, lambda d, c=cut: bytes(d[:c]))
        with pytest.raises(RuntimeError, match=r"truncated|corrupted|not a checkpoint"):
            pa.load(bad)
    text = tmp_path / "text.pt"
    text.write_text("hello")
    with pytest.raises(RuntimeError, match="not a checkpoint saved by"):
        pa.load(text)
    other = tmp_path / "other.zip"
    with zipfile.ZipFile(other, "w") as z:
        z.writestr("readme.txt", "x")
    with pytest.raises(RuntimeError, match=r"no <name>/data.pkl"):
        pa.load(other)
    pickled = tmp_path / "plain.pkl"
    pickled.write_bytes(pickle.dumps({"a": 1}))
    with pytest.raises(RuntimeError, match="not a checkpoint"):
        pa.load(pickled)


def test_corrupted_storage_and_tampered_layout(tmp_path):
    good = tmp_path / "good.pt"
    pa.save(pa.arange(1000.0), good)
    flipped = tmp_path / "flip.pt"

    def flip(d):
        i = d.find(b"data/0") + 200  # inside the storage bytes
        d[i] ^= 0xFF
        return bytes(d)

    _corrupt(good, flipped, flip)
    with pytest.raises(RuntimeError, match=r"corrupted|CRC"):
        pa.load(flipped)
    # a record whose size and strides reach past its storage
    with zipfile.ZipFile(good) as z:
        entries = {i.filename: z.read(i) for i in z.infolist()}
    pkl = entries["good/data.pkl"]
    assert pkl.count(b"\xe8\x03") >= 1  # 1000 as BININT2
    tampered = tmp_path / "tampered.pt"
    with zipfile.ZipFile(tampered, "w") as z:
        for name, data in entries.items():
            if name.endswith("data.pkl"):
                data = data.replace(b"M\xe8\x03\x85", b"M\xe9\x03\x85", 1)  # size (1001,)
            z.writestr(name.replace("good/", "tampered/"), data)
    with pytest.raises(ValueError, match="does not fit its storage"):
        pa.load(tampered)


def test_map_location_and_mmap():
    t = pa.arange(3)
    assert _round_trip(t, map_location="cpu").tolist() == [0, 1, 2]
    assert _round_trip(t, map_location=pa.device("cpu")).tolist() == [0, 1, 2]
    assert _round_trip(t, map_location={"cpu": "cpu"}).tolist() == [0, 1, 2]
    assert _round_trip(t, map_location=lambda s, loc: s).tolist() == [0, 1, 2]
    with pytest.raises(RuntimeError, match="CPU only"):
        _round_trip(t, map_location="cuda")
    with pytest.raises(NotImplementedError, match="mmap"):
        _round_trip(t, mmap=True)


def test_pytorch_reads_our_checkpoints_and_we_read_theirs(tmp_path):
    torch = pytest.importorskip("torch")
    m = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4))
    opt = optim.SGD(m.parameters(), lr=0.1, momentum=0.9)
    m(pa.randn(5, 3)).sum().backward()
    opt.step()
    base = pa.arange(12.0).reshape(3, 4)
    p = tmp_path / "ours.pt"
    pa.save({"model": m.state_dict(), "opt": opt.state_dict(), "col": base[:, 1], "base": base,
             "param": nn.Parameter(pa.ones(2)), "dtype": pa.float64, "size": base.shape,
             "ints": pa.arange(3), "mask": pa.tensor([True, False])}, p)  # fmt: skip
    ck = torch.load(p)  # weights_only by default in PyTorch too
    tm = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.BatchNorm1d(4))
    tm.load_state_dict(ck["model"])
    for (k, v), (_, w) in zip(m.state_dict().items(), tm.state_dict().items(), strict=True):
        np.testing.assert_array_equal(np_of(v), w.numpy(), err_msg=k)
    assert ck["col"].tolist() == [1.0, 5.0, 9.0] and ck["col"].stride() == (4,)
    assert ck["col"].untyped_storage().data_ptr() == ck["base"].untyped_storage().data_ptr()
    assert isinstance(ck["param"], torch.nn.Parameter) and ck["dtype"] == torch.float64
    assert ck["size"] == torch.Size([3, 4]) and ck["ints"].dtype == torch.int64
    assert ck["mask"].tolist() == [True, False]
    topt = torch.optim.SGD(tm.parameters(), lr=0.1, momentum=0.9)
    topt.load_state_dict(ck["opt"])
    # and the other way
    tp = tmp_path / "theirs.pt"
    tlin = torch.nn.Linear(2, 3)
    x = torch.arange(20.0).reshape(4, 5)
    torch.save({"sd": tlin.state_dict(), "v": x[1:, ::2], "x": x, "p": torch.nn.Parameter(x[0]),
                "l": torch.tensor([1, 2]), "size": x.shape, "dt": torch.int64}, tp)  # fmt: skip
    ours = pa.load(tp)
    lin = nn.Linear(2, 3)
    lin.load_state_dict(ours["sd"])
    np.testing.assert_array_equal(np_of(lin.weight), tlin.weight.detach().numpy())
    assert ours["v"].tolist() == x[1:, ::2].tolist() and ours["v"].stride() == (5, 2)
    assert type(ours["p"]) is nn.Parameter and ours["size"] == (4, 5)
    assert ours["dt"] == pa.int64 and ours["l"].dtype == pa.int64
    ours["x"][1, 0] = -5.0
    assert ours["v"][0, 0].item() == -5.0 and ours["p"].tolist() == x[0].tolist()


def test_unsupported_dtypes_from_torch_raise_clearly(tmp_path):
    torch = pytest.importorskip("torch")
    p = tmp_path / "half.pt"
    torch.save(torch.ones(2, dtype=torch.float16), p)
    with pytest.raises(RuntimeError, match="float16"):
        pa.load(p)
