"""nn.Module and the containers: registration, iteration, state dicts, hooks, modes,
conversion, copying, errors; each program runs in pyautograd and (when importable) PyTorch and
must give the same observable results."""

import copy
import pickle

import pytest
from nn_helpers import np_of, torch_or_skip

import pyautograd as pa
from pyautograd import nn


def _libs():
    libs = [pa]
    try:
        import torch

        libs.append(torch)
    except ImportError:
        pass
    return libs


def same_in_both(program):
    """Runs program(lib) for pyautograd and torch and checks the results agree."""
    torch = torch_or_skip()
    got = program(pa)
    want = program(torch)
    assert got == want
    return got


def _outcome(f):
    try:
        return ("ok", f())
    except Exception as e:
        return ("raises", type(e).__name__, str(e))


class _Net:
    @staticmethod
    def make(T):
        class Net(T.nn.Module):
            def __init__(self):
                super().__init__()
                self.fc1 = T.nn.Linear(4, 3)
                self.act = T.nn.ReLU()
                self.blocks = T.nn.ModuleList([T.nn.Linear(3, 3), T.nn.Linear(3, 3)])
                self.heads = T.nn.ModuleDict({"a": T.nn.Linear(3, 2)})
                self.register_buffer("steps", T.zeros(1))
                self.register_buffer("scratch", T.zeros(2), persistent=False)
                self.scale = T.nn.Parameter(T.ones(()))
                self.plain = 5

            def forward(self, x):
                x = self.act(self.fc1(x))
                for b in self.blocks:
                    x = b(x)
                return self.heads["a"](x) * self.scale

        return Net()


def test_registration_and_iteration_order():
    def program(T):
        m = _Net.make(T)
        return (
            [n for n, _ in m.named_parameters()],
            [tuple(p.shape) for p in m.parameters()],
            [n for n, _ in m.named_buffers()],
            [n for n, _ in m.named_children()],
            [n for n, _ in m.named_modules()],
            [type(c).__name__ for c in m.children()],
            [type(c).__name__ for c in m.modules()],
            list(m.state_dict()),
            [n for n, _ in m.named_parameters(prefix="net", recurse=False)],
            m.plain,
            sorted(k for k in dir(m) if k in ("fc1", "steps", "scale", "plain", "forward")),
        )

    same_in_both(program)


def test_shared_parameters_and_modules_listed_once():
    def program(T):
        lin = T.nn.Linear(2, 2)
        m = T.nn.Sequential(lin, T.nn.ReLU(), lin)
        return (
            len(list(m.parameters())),
            [n for n, _ in m.named_parameters()],
            [n for n, _ in m.named_modules()],
            [n for n, _ in m.named_modules(remove_duplicate=False)],
            len(list(m.named_parameters(remove_duplicate=False))),
            list(m.state_dict()),
        )

    same_in_both(program)


def test_attribute_errors_match():
    def program(T):
        m = T.nn.Linear(2, 2)
        out = [_outcome(lambda: m.nope)]
        out.append(_outcome(lambda: setattr(m, "weight", T.ones(2, 2))))
        out.append(_outcome(lambda: m.register_parameter("a.b", None)))
        out.append(_outcome(lambda: m.register_parameter("", None)))
        out.append(_outcome(lambda: m.register_parameter("in_features", None)))
        out.append(_outcome(lambda: m.register_buffer("w", [1, 2])))
        out.append(_outcome(lambda: m.register_parameter("q", T.ones(2))))
        out.append(_outcome(lambda: m.add_module("x", 3)))
        out.append(_outcome(lambda: m.train("yes")))
        m.weight = None
        out.append(m.weight is None)
        out.append(list(m.state_dict()))
        del m.bias
        out.append(_outcome(lambda: m.bias))

        class Early(T.nn.Module):
            def __init__(self):
                self.w = T.nn.Parameter(T.ones(1))

        out.append(_outcome(Early))
        return [o if not isinstance(o, tuple) else o[:2] for o in out]

    same_in_both(program)


def test_setattr_moves_between_kinds():
    def program(T):
        m = T.nn.Module()
        m.x = T.nn.Parameter(T.ones(1))
        r0 = _outcome(lambda: setattr(m, "x", T.nn.Linear(1, 1)))[:2]  # not over a parameter
        m.y = T.nn.Linear(1, 1)
        m.y = T.nn.Parameter(T.ones(1))  # a parameter replaces a module
        m.z = 3
        m.z = T.nn.ReLU()  # a module replaces a plain attribute
        r1 = (r0, list(m._parameters), list(m._modules), "z" in m.__dict__)
        m.register_buffer("b", T.ones(1))
        m.b = T.zeros(2)  # re-assigning a buffer keeps it a buffer
        r2 = (list(m._buffers), tuple(m.b.shape))
        m.b = None
        return r1, r2, m.b is None, list(m.state_dict())

    same_in_both(program)


def test_nn_buffer_registers():
    def program(T):
        m = T.nn.Module()
        m.stats = T.nn.Buffer(T.ones(3))
        m.tmp = T.nn.Buffer(T.ones(1), persistent=False)
        return list(m.state_dict()), [n for n, _ in m.named_buffers()], type(m.stats).__name__

    same_in_both(program)


def test_state_dict_round_trip_and_detach():
    def program(T):
        T.manual_seed(0)
        a, b = _Net.make(T), _Net.make(T)
        sd = a.state_dict()
        r = b.load_state_dict(sd)
        same = all(
            x.tolist() == y.tolist()
            for x, y in zip(a.state_dict().values(), b.state_dict().values(), strict=True)
        )
        return (
            repr(r) if r else str(r),
            same,
            [v.requires_grad for v in sd.values()],
            [v.requires_grad for v in a.state_dict(keep_vars=True).values()],
            isinstance(sd, dict),
            list(a.fc1.state_dict(prefix="fc1.")),
        )

    same_in_both(program)


def test_load_state_dict_keeps_parameter_objects():
    m = nn.Linear(3, 2)
    w = m.weight
    m.load_state_dict({"weight": pa.ones(2, 3), "bias": pa.zeros(2)})
    assert m.weight is w and np_of(w).tolist() == [[1.0] * 3] * 2
    m.load_state_dict({"weight": pa.ones(2, 3, dtype=pa.float64), "bias": pa.zeros(2)})
    assert m.weight.dtype == pa.float32


def test_load_state_dict_errors_match():
    def program(T):
        m = T.nn.Sequential(T.nn.Linear(3, 2), T.nn.ReLU(), T.nn.Linear(2, 1))
        good = m.state_dict()
        out = []
        missing = dict(good)
        del missing["0.bias"]
        out.append(_outcome(lambda: m.load_state_dict(missing)))
        extra = dict(good)
        extra["2.foo"] = T.ones(1)
        extra["3.weight"] = T.ones(1)
        out.append(_outcome(lambda: m.load_state_dict(extra)))
        wrong = dict(good)
        wrong["0.weight"] = T.ones(5, 3)
        out.append(_outcome(lambda: m.load_state_dict(wrong)))
        both = dict(missing)
        both["x"] = T.ones(1)
        both["0.weight"] = T.ones(5, 3)
        out.append(_outcome(lambda: m.load_state_dict(both)))
        r = m.load_state_dict(both if False else {**missing, "x": T.ones(1)}, strict=False)
        out.append((sorted(r.missing_keys), sorted(r.unexpected_keys)))
        out.append(_outcome(lambda: m.load_state_dict({**good, "0.bias": 3.0})))
        out.append(_outcome(lambda: m.load_state_dict([1, 2])))
        return out

    same_in_both(program)


def test_load_state_dict_assign():
    m = nn.Linear(2, 2)
    w = pa.ones(2, 2)
    m.load_state_dict({"weight": w, "bias": pa.zeros(2)}, assign=True)
    assert isinstance(m.weight, nn.Parameter) and m.weight.data_ptr() == w.data_ptr()


def test_load_state_dict_post_hook():
    m = nn.Linear(2, 2)
    seen = []
    h = m.register_load_state_dict_post_hook(lambda mod, keys: seen.append(list(keys.missing_keys)))
    m.load_state_dict({"weight": pa.ones(2, 2)}, strict=False)
    h.remove()
    m.load_state_dict(m.state_dict())
    assert seen == [["bias"]]


def test_train_eval_apply_requires_grad_zero_grad():
    def program(T):
        m = _Net.make(T)
        out = [m.training, m.eval() is m, [c.training for c in m.modules()]]
        out.append(m.train() is m and all(c.training for c in m.modules()))
        names = []
        m.apply(lambda mod: names.append(type(mod).__name__))
        out.append(names)
        m.requires_grad_(False)
        out.append([p.requires_grad for p in m.parameters()])
        m.requires_grad_()
        m(T.ones(2, 4)).sum().backward()
        out.append(all(p.grad is not None for p in m.parameters()))
        m.zero_grad(set_to_none=False)
        out.append([p.grad is not None and not p.grad.abs().sum().item() for p in m.parameters()])
        m.zero_grad()
        out.append([p.grad is None for p in m.parameters()])
        return out

    same_in_both(program)


def test_forward_hooks_match():
    def program(T):
        log = []
        m = T.nn.Linear(2, 2)
        with T.no_grad():
            m.weight.fill_(1.0)
            m.bias.fill_(0.0)

        def pre(mod, args):
            log.append(("pre", len(args)))
            return (args[0] * 2,)

        def pre_kw(mod, args, kwargs):
            log.append(("pre_kw", sorted(kwargs)))

        def post(mod, args, out):
            log.append(("post", tuple(out.shape)))
            return out + 1

        def first(mod, args, out):
            log.append(("first",))

        h1 = m.register_forward_pre_hook(pre)
        h2 = m.register_forward_pre_hook(pre_kw, with_kwargs=True)
        h3 = m.register_forward_hook(post)
        h4 = m.register_forward_hook(first, prepend=True)
        y = m(T.ones(1, 2))
        r1 = y.tolist()
        h1.remove()
        h3.remove()
        h1.remove()
        y2 = m(T.ones(1, 2)).tolist()
        h2.remove()
        h4.remove()
        y3 = m(T.ones(1, 2)).tolist()
        with m.register_forward_hook(lambda mod, a, o: o * 0):
            y4 = m(T.ones(1, 2)).tolist()
        y5 = m(T.ones(1, 2)).tolist()
        return log, r1, y2, y3, y4, y5

    same_in_both(program)


def test_forward_hook_with_kwargs_and_always_call():
    def program(T):
        log = []

        class M(T.nn.Module):
            def forward(self, x, scale=1.0):
                if scale < 0:
                    raise ValueError("bad scale")
                return x * scale

        m = M()
        m.register_forward_pre_hook(lambda mod, a, kw: (a, {"scale": 3.0}), with_kwargs=True)
        m.register_forward_hook(
            lambda mod, a, kw, out: log.append(("kw", kw.get("scale"))), with_kwargs=True
        )
        y = m(T.ones(2), scale=2.0).tolist()
        m2 = M()
        m2.register_forward_hook(lambda mod, a, out: log.append(("always", out)), always_call=True)
        r = _outcome(lambda: m2(T.ones(1), scale=-1.0))
        return log, y, r[:2]

    same_in_both(program)


def test_to_float_double_keep_parameter_objects():
    def program(T):
        m = T.nn.Sequential(T.nn.Linear(2, 3), T.nn.BatchNorm1d(3))
        w = m[0].weight
        m(T.randn(4, 2)).sum().backward()
        m.double()
        out = [
            m[0].weight is w,
            str(w.dtype),
            str(w.grad.dtype),
            str(m[1].running_mean.dtype),
            str(m[1].num_batches_tracked.dtype),
        ]
        m.to(T.float32)
        out.append(str(w.dtype))
        m.to(T.zeros(1, dtype=T.float64))
        out.append(str(w.dtype))
        m.float()
        out.append(str(w.dtype))
        out.append(m.cpu() is m and m.to("cpu") is m)
        out.append(_outcome(lambda: m.to(T.int64))[:2])
        return [str(o) for o in out]

    same_in_both(program)


def test_cuda_refused():
    m = nn.Linear(1, 1)
    with pytest.raises(RuntimeError, match="CPU only"):
        m.cuda()
    with pytest.raises(RuntimeError, match="CPU only"):
        m.to("cuda")


def test_deepcopy_and_pickle_module():
    m = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.BatchNorm1d(4))
    m(pa.randn(5, 3)).sum().backward()
    c = copy.deepcopy(m)
    assert isinstance(c[0].weight, nn.Parameter) and c[0].weight is not m[0].weight
    assert np_of(c[0].weight).tolist() == np_of(m[0].weight).tolist()
    assert c[0].weight.requires_grad
    x = pa.randn(2, 3)
    m.eval(), c.eval()
    assert np_of(c(x)).tolist() == np_of(m(x)).tolist()
    p = pickle.loads(pickle.dumps(m))
    assert type(p[0].weight) is nn.Parameter and np_of(p(x)).tolist() == np_of(m(x)).tolist()


def test_parameter_semantics():
    def program(T):
        p = T.nn.Parameter(T.ones(2))
        q = T.nn.Parameter(T.ones(2, dtype=T.int64), requires_grad=False)
        e = T.nn.Parameter()
        return (
            type(p).__name__,
            p.requires_grad,
            p.is_leaf,
            repr(p).splitlines()[0],
            type(p * 2).__name__,
            type(p.data).__name__,
            q.requires_grad,
            tuple(e.shape),
            isinstance(p, T.Tensor),
            type(copy.deepcopy(p)).__name__,
            _outcome(lambda: T.nn.Parameter(T.ones(2, dtype=T.int64)))[0],
        )

    same_in_both(program)


def test_sequential_api():
    def program(T):
        a, b, c = T.nn.Linear(2, 2), T.nn.ReLU(), T.nn.Linear(2, 1)
        s = T.nn.Sequential(a, b, c)
        out = [
            len(s),
            s[0] is a,
            s[-1] is c,
            type(s[1:]).__name__,
            len(s[1:]),
            s[1:][0] is b,
            [type(m).__name__ for m in s],
            list(s[::2]._modules),
        ]
        s.append(T.nn.Tanh())
        out.append([type(m).__name__ for m in s])
        del s[1]
        out.append(list(s._modules))
        s.insert(1, T.nn.Sigmoid())
        out.append([type(m).__name__ for m in s])
        s[0] = T.nn.Identity()
        out.append(type(s[0]).__name__)
        out.append(type(s.pop(0)).__name__)
        out.append(len(s + T.nn.Sequential(T.nn.ReLU())))
        out.append(_outcome(lambda: s[10])[:2])
        from collections import OrderedDict

        named = T.nn.Sequential(OrderedDict([("fc", T.nn.Linear(2, 2)), ("act", T.nn.ReLU())]))
        out.append([n for n, _ in named.named_children()])
        out.append(type(named.fc).__name__)
        return out

    same_in_both(program)


def test_module_list_and_dict_api():
    def program(T):
        ml = T.nn.ModuleList([T.nn.ReLU()])
        ml.append(T.nn.Tanh())
        ml.extend([T.nn.Sigmoid()])
        ml.insert(0, T.nn.Identity())
        ml += [T.nn.ReLU()]
        out = [
            [type(m).__name__ for m in ml],
            len(ml),
            type(ml[1:3]).__name__,
            type(ml[-1]).__name__,
        ]
        del ml[0]
        out.append(list(ml._modules))
        md = T.nn.ModuleDict({"b": T.nn.ReLU(), "a": T.nn.Tanh()})
        md["c"] = T.nn.Sigmoid()
        md.update([("d", T.nn.Identity())])
        out += [list(md.keys()), "a" in md, len(md), type(md.pop("a")).__name__, list(md)]
        out.append(_outcome(lambda: md.update([("x",)]))[:2])
        return out

    same_in_both(program)


def test_parameter_list_and_dict():
    def program(T):
        pl = T.nn.ParameterList([T.ones(2), T.nn.Parameter(T.zeros(3))])
        pd = T.nn.ParameterDict({"a": T.ones(1)})
        m = T.nn.Module()
        m.pl, m.pd = pl, pd
        return (
            [n for n, _ in m.named_parameters()],
            [type(p).__name__ for p in pl],
            len(pl),
            list(pd.keys()),
            type(pd["a"]).__name__,
            repr(pl),
            repr(pd),
        )

    same_in_both(program)


def test_custom_module_forward_missing():
    def program(T):
        return _outcome(lambda: T.nn.Module()(1))[:2]

    same_in_both(program)


def test_get_submodule_parameter_buffer():
    def program(T):
        m = T.nn.Sequential(T.nn.Linear(1, 1), T.nn.Sequential(T.nn.BatchNorm1d(2)))
        return (
            type(m.get_submodule("1.0")).__name__,
            tuple(m.get_parameter("0.weight").shape),
            tuple(m.get_buffer("1.0.running_mean").shape),
            _outcome(lambda: m.get_submodule("2"))[:2],
            _outcome(lambda: m.get_parameter("0.nope"))[:2],
        )

    same_in_both(program)
