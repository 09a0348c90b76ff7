"""Very deep graphs: backward and graph destruction must not overflow the C
stack. Each scenario runs in a subprocess so that a crash (segfault from a
stack overflow) is reported as a test failure instead of killing pytest."""

import os
import subprocess
import sys
import textwrap

import pyautograd

_PKG_PARENT = os.path.dirname(os.path.dirname(os.path.abspath(pyautograd.__file__)))


def _run(code, timeout=120):
    env = dict(os.environ)
    env["PYTHONPATH"] = _PKG_PARENT + os.pathsep + env.get("PYTHONPATH", "")
    proc = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert proc.returncode == 0, (
        f"subprocess failed (rc={proc.returncode})\nstdout:\n{proc.stdout[-2000:]}\n"
        f"stderr:\n{proc.stderr[-4000:]}"
    )
    return proc.stdout


def test_deep_mul_chain_backward():
    out = _run("""
        import pyautograd as torch
        N = 100000
        x = torch.tensor([1.0, 2.0], dtype=torch.float64, requires_grad=True)
        y = x
        for _ in range(N):
            y = y * 1.00001
        y.sum().backward()
        expected = 1.00001 ** N
        g = x.grad.tolist()
        assert abs(g[0] - expected) < 1e-9 * expected, (g, expected)
        assert abs(g[1] - expected) < 1e-9 * expected, (g, expected)
        print("OK")
    """)
    assert "OK" in out


def test_deep_add_chain_backward_reusing_leaf():
    out = _run("""
        import pyautograd as torch
        N = 50000
        x = torch.tensor([0.5, -1.0, 3.0], dtype=torch.float64, requires_grad=True)
        y = x
        for _ in range(N):
            y = y + x
        y.sum().backward()
        assert x.grad.tolist() == [float(N + 1)] * 3, x.grad.tolist()
        print("OK")
    """)
    assert "OK" in out


def test_deep_graph_deletion_without_backward():
    out = _run(
        """
        import gc
        import pyautograd as torch
        x = torch.ones(4, requires_grad=True)
        y = x
        for _ in range(150000):
            y = y * 1.0
        del y                      # drops a 150k-node graph at once
        z = x.exp()
        for _ in range(30000):
            z = z.tanh() + 0.0     # nodes that also save tensors
        del z
        gc.collect()
        print("OK")
    """,
        timeout=240,
    )
    assert "OK" in out


def test_deep_graph_deletion_after_retained_backward():
    out = _run(
        """
        import pyautograd as torch
        x = torch.ones(3, dtype=torch.float64, requires_grad=True)
        y = x
        for _ in range(50000):
            y = y * 1.0 + 0.0
        y.sum().backward(retain_graph=True)
        assert x.grad.tolist() == [1.0, 1.0, 1.0], x.grad.tolist()
        del y
        print("OK")
    """,
        timeout=240,
    )
    assert "OK" in out
