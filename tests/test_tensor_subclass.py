"""Python subclasses of Tensor: construction, class and attributes kept, ops returning plain
tensors, in-place ops returning the same object, _make_subclass and as_subclass."""

import copy
import gc
import pickle
import subprocess
import sys
import textwrap
import weakref

import pytest

import pyautograd as pa
from pyautograd import Tensor


class Tagged(Tensor):
    """A subclass made the way nn.Parameter is: _make_subclass in __new__."""

    def __new__(cls, data, tag=None, requires_grad=True):
        t = Tensor._make_subclass(cls, data, requires_grad)
        t.tag = tag
        return t


class Plain(Tensor):
    pass


class WithInit(Tensor):
    def __init__(self, *args, **kwargs):
        self.made_by_init = True


def test_make_subclass_keeps_class_attributes_and_storage():
    data = pa.ones(2, 3)
    t = Tagged(data, tag="w")
    assert type(t) is Tagged and isinstance(t, Tensor) and pa.is_tensor(t)
    assert t.tag == "w" and t.requires_grad and t.is_leaf and t.grad_fn is None
    assert t.data_ptr() == data.data_ptr()
    data[0, 0] = 7
    assert t[0, 0].item() == 7
    assert t._version == data._version


def test_make_subclass_without_grad_and_of_ints():
    t = Tagged(pa.arange(3), requires_grad=False)
    assert type(t) is Tagged and not t.requires_grad
    with pytest.raises(RuntimeError, match="floating point"):
        Tagged(pa.arange(3), requires_grad=True)


def test_make_subclass_cuts_history():
    x = pa.ones(2, requires_grad=True)
    t = Tagged(x * 2)
    assert t.is_leaf and t.grad_fn is None


def test_make_subclass_rejects_non_subclasses():
    with pytest.raises(TypeError, match="subclass of it"):
        Tensor._make_subclass(int, pa.ones(1))
    with pytest.raises(TypeError):
        Tensor._make_subclass(3, pa.ones(1))
    assert type(Tensor._make_subclass(Tensor, pa.ones(1))) is Tensor


def test_ops_return_plain_tensors():
    t = Tagged(pa.ones(2, 2))
    for r in (
        t * 2,
        t + t,
        t @ t,
        t.sum(),
        t[0],
        t.t(),
        t.detach(),
        t.data,
        -t,
        t.relu(),
        t.view(4),
        t.clone(),
        t.exp(),
        pa.tanh(t),
    ):
        assert type(r) is Tensor, r


def test_in_place_ops_return_the_same_object():
    t = Tagged(pa.ones(2, 2), tag=1)
    with pa.no_grad():
        for r in (t.mul_(2), t.add_(1), t.zero_(), t.fill_(3), t.clamp_(max=2), t.copy_(t * 0)):
            assert r is t
        t += 1
        assert type(t) is Tagged and t.tag == 1
        t *= 2
        t -= 1
        t /= 2
        assert type(t) is Tagged and t.tolist() == [[0.5, 0.5], [0.5, 0.5]]


def test_methods_returning_self():
    t = Tagged(pa.ones(2))
    assert t.cpu() is t and t.float() is t and t.to(pa.float32) is t and t.contiguous() is t
    assert t.requires_grad_() is t
    assert type(t.double()) is Tensor


def test_gradients_flow_into_the_subclass_leaf():
    t = Tagged(pa.ones(3))
    (t * pa.tensor([1.0, 2.0, 3.0])).sum().backward()
    assert type(t.grad) is Tensor and t.grad.tolist() == [1.0, 2.0, 3.0]
    t.grad = None
    assert t.grad is None


def test_subclass_constructed_from_data():
    p = Plain([1.0, 2.0])
    assert type(p) is Plain and p.tolist() == [1.0, 2.0] and p.dtype == pa.float32
    q = Plain(2, 3)
    assert type(q) is Plain and q.shape == (2, 3)
    w = WithInit([1.0])
    assert type(w) is WithInit and w.made_by_init and w.tolist() == [1.0]


def test_as_subclass_is_an_alias_in_the_graph():
    x = pa.ones(3, requires_grad=True)
    s = x.as_subclass(Plain)
    assert type(s) is Plain and s.data_ptr() == x.data_ptr()
    assert s.requires_grad and not s.is_leaf
    (s * 2).sum().backward()
    assert x.grad.tolist() == [2.0, 2.0, 2.0]
    y = pa.ones(2)
    z = y.as_subclass(Plain)
    z[0] = 5
    assert y[0].item() == 5 and not z.requires_grad
    assert type(Tagged(pa.ones(1)).as_subclass(Tensor)) is Tensor
    with pytest.raises(TypeError):
        y.as_subclass(dict)


def test_deepcopy_and_pickle_keep_class_and_attributes():
    t = Tagged(pa.randn(2, 3), tag={"k": [1, 2]})
    (t * 2).sum().backward()
    c = copy.deepcopy(t)
    assert type(c) is Tagged and c.tag == {"k": [1, 2]} and c.tag is not t.tag
    assert c.requires_grad and c.grad.tolist() == t.grad.tolist() and c.tolist() == t.tolist()
    p = pickle.loads(pickle.dumps(t))
    assert type(p) is Tagged and p.tag == t.tag and p.requires_grad and p.grad is None


def test_subclass_objects_are_freed():
    t = Tagged(pa.ones(1000))
    r = weakref.ref(t)
    with pa.no_grad():
        t.mul_(2)
    del t
    gc.collect()
    assert r() is None


def test_torch_semantics_match(request):
    torch = pytest.importorskip("torch")

    def program(T):
        class Sub(T.Tensor):
            def __new__(cls, data, requires_grad=True):
                return T.Tensor._make_subclass(cls, data, requires_grad)

        s = Sub(T.ones(2, 2))
        with T.no_grad():
            same = s.mul_(3) is s
        s2 = (s * 2).sum()
        s2.backward()
        return (
            type(s).__name__,
            same,
            s.requires_grad,
            s.is_leaf,
            s.grad.tolist(),
            type(T.ones(1).as_subclass(Sub)).__name__,
        )

    assert program(pa) == program(torch)


def test_collector_during_a_new_subclass_first_instance_does_not_crash():
    # The collector may run while pybind11 builds a new subclass's first instance (caching the
    # type's info allocates): the Tensor type's tp_traverse must not read the unbuilt layout.
    # In a subprocess, with a collection at every allocation, so that a crash is a failure.
    code = textwrap.dedent(
        """
        import gc
        import pyautograd as pa
        gc.set_threshold(1, 1, 1)
        for i in range(20):
            cls = type(f"Sub{i}", (pa.Tensor,), {})
            t = pa.Tensor._make_subclass(cls, pa.ones(2), True)
            u = pa.ones(2).as_subclass(cls)
            v = cls([1.0, 2.0])
            t.tag = i
            assert type(t) is cls and type(u) is cls and type(v) is cls
        print("ok")
        """
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert r.returncode == 0 and r.stdout.strip() == "ok", (r.returncode, r.stderr[-2000:])
