"""Misuse raises the exception type PyTorch raises; for pyautograd the message
also starts with ``[op]`` and names the shapes (checked by ``raises``).
Failed calls never modify their inputs."""

import operator

import numpy as np
import pytest
from helpers import assert_tensor, pyautograd_only, raises, to_np

import pyautograd as pa


def z(*shape):
    return pa.zeros(*shape)


# (id, thunk, exception type, op-name regex or None, required fragments)
CASES = [
    # --- matrix products
    ("mm_inner", lambda: z(3, 4).mm(z(3, 4)), RuntimeError, "mm", ["(3, 4)"]),
    ("mm_fn", lambda: pa.mm(z(2, 5), z(4, 3)), RuntimeError, "mm", ["(2, 5)", "(4, 3)"]),
    ("mm_1d", lambda: pa.mm(z(3), z(3, 4)), RuntimeError, "mm", ["(3,)"]),
    ("mm_3d", lambda: pa.mm(z(2, 3, 4), z(4, 2)), RuntimeError, "mm", ["(2, 3, 4)"]),
    ("matmul_2d", lambda: z(3, 4) @ z(3, 4), RuntimeError, "matmul", ["(3, 4)"]),
    ("matmul_1d", lambda: z(3) @ z(4), RuntimeError, "matmul", ["(3,)", "(4,)"]),
    ("matmul_1d_2d", lambda: z(3).matmul(z(4, 2)), RuntimeError, "matmul", ["(3,)", "(4, 2)"]),
    ("matmul_2d_1d", lambda: pa.matmul(z(2, 3), z(4)), RuntimeError, "matmul", ["(2, 3)", "(4,)"]),
    (
        "matmul_batch_inner",
        lambda: z(2, 3, 4) @ z(2, 5, 6),
        RuntimeError,
        "matmul",
        ["(2, 3, 4)", "(2, 5, 6)"],
    ),
    (
        "matmul_batch_bcast",
        lambda: z(2, 3, 4) @ z(3, 4, 5),
        RuntimeError,
        "matmul",
        ["(2, 3, 4)", "(3, 4, 5)"],
    ),
    ("matmul_0d", lambda: pa.tensor(1.0) @ z(1, 1), RuntimeError, "matmul", []),
    # --- broadcasting
    ("add", lambda: z(2, 3) + z(4), RuntimeError, "add", ["(2, 3)", "(4,)"]),
    ("add_method", lambda: z(2, 3).add(z(3, 2)), RuntimeError, "add", ["(2, 3)", "(3, 2)"]),
    ("add_fn", lambda: pa.add(z(3), z(4)), RuntimeError, "add", ["(3,)", "(4,)"]),
    ("radd_like", lambda: z(4) + z(2, 3), RuntimeError, "add", ["(4,)", "(2, 3)"]),
    ("sub", lambda: z(2, 3) - z(4), RuntimeError, "sub", ["(2, 3)", "(4,)"]),
    ("mul", lambda: z(2, 3) * z(2, 2), RuntimeError, "mul", ["(2, 3)", "(2, 2)"]),
    ("div", lambda: z(5) / z(2, 3), RuntimeError, "div", ["(5,)", "(2, 3)"]),
    ("pow", lambda: pa.ones(2, 3) ** pa.ones(4), RuntimeError, "pow", ["(2, 3)", "(4,)"]),
    ("cmp", lambda: z(2, 3) < z(4), RuntimeError, "lt", ["(2, 3)", "(4,)"]),
    ("eq", lambda: z(3) == z(4), RuntimeError, "eq", ["(3,)", "(4,)"]),
    (
        "where_shape",
        lambda: pa.where(z(2) > 0, z(3), z(3)),
        RuntimeError,
        "where",
        ["(2,)", "(3,)"],
    ),
    (
        "where_ab",
        lambda: pa.where(z(2, 3) > 0, z(2, 3), z(4)),
        RuntimeError,
        "where",
        ["(2, 3)", "(4,)"],
    ),
    ("where_cond_dtype", lambda: pa.where(z(3), z(3), z(3)), RuntimeError, "where", []),
    # --- view / reshape / expand / t / transpose
    ("view_numel", lambda: z(3, 4).view(5), RuntimeError, "view", ["(3, 4)"]),
    ("view_noncontig", lambda: z(3, 4).t().view(12), RuntimeError, "view", ["(4, 3)"]),
    ("view_two_infer", lambda: z(2, 3).view(-1, -1), RuntimeError, "view", []),
    ("view_infer_bad", lambda: z(2, 3).view(4, -1), RuntimeError, "view", ["(2, 3)"]),
    ("reshape_numel", lambda: z(3, 4).reshape(5), RuntimeError, "reshape", ["(3, 4)"]),
    (
        "reshape_infer_bad",
        lambda: pa.reshape(z(2, 3), (-1, 4)),
        RuntimeError,
        "reshape",
        ["(2, 3)"],
    ),
    (
        "expand_nonsingleton",
        lambda: z(3, 4).expand(2, 4),
        RuntimeError,
        "expand",
        ["(3, 4)", "(2, 4)"],
    ),
    ("expand_fewer_dims", lambda: z(3, 4).expand(4), RuntimeError, "expand", ["(3, 4)"]),
    (
        "expand_trailing",
        lambda: z(2, 3).expand(2, 3, 4),
        RuntimeError,
        "expand",
        ["(2, 3)", "(2, 3, 4)"],
    ),
    ("t_3d", lambda: z(2, 3, 4).t(), RuntimeError, "t", ["(2, 3, 4)"]),
    ("transpose_dim", lambda: z(3, 4).transpose(0, 2), IndexError, "transpose", []),
    ("transpose_neg", lambda: pa.transpose(z(3, 4), -3, 0), IndexError, "transpose", []),
    # --- dims out of range
    ("sum_dim", lambda: z(3, 4).sum(2), IndexError, "sum", []),
    ("sum_negdim", lambda: pa.sum(z(3, 4), -3), IndexError, "sum", []),
    ("mean_dim", lambda: z(3).mean(1), IndexError, "mean", []),
    ("max_dim", lambda: z(3, 4).max(5), IndexError, "max", []),
    ("min_dim", lambda: pa.min(z(3, 4), -3), IndexError, "min", []),
    ("size_dim", lambda: z(3).size(1), IndexError, "size", []),
    ("size_negdim", lambda: z(3, 4).size(-3), IndexError, "size", []),
    # --- reductions
    ("max_empty", lambda: z(0).max(), RuntimeError, "max", []),
    ("min_empty", lambda: z(0, 3).min(), RuntimeError, "min", []),
    ("max_empty_dim", lambda: z(0, 3).max(0), IndexError, "max", []),
    ("mean_int", lambda: pa.tensor([1, 2, 3]).mean(), RuntimeError, "mean", []),
    # --- indexing
    ("index_oob", lambda: z(3)[5], IndexError, "index", []),
    ("index_neg_oob", lambda: z(3)[-4], IndexError, "index", []),
    ("index_2d_oob", lambda: z(3, 4)[1, 7], IndexError, "index", []),
    ("index_too_many", lambda: z(2, 3)[0, 0, 0], IndexError, "index", []),
    ("index_float", lambda: z(3)[1.5], IndexError, "index", []),
    ("mask_shape", lambda: z(2, 3)[pa.tensor([True, False, True])], IndexError, "index", []),
    # --- conversions
    ("item_many", lambda: z(3).item(), RuntimeError, "item", []),
    ("item_empty", lambda: z(0).item(), RuntimeError, "item", []),
    ("len_0d", lambda: len(pa.tensor(1.0)), TypeError, "len|__len__", []),
    # --- creation
    ("tensor_ragged", lambda: pa.tensor([[1, 2], [3]]), ValueError, "tensor", []),
    ("tensor_str", lambda: pa.tensor("abc"), TypeError, "tensor", []),
    ("from_numpy_list", lambda: pa.from_numpy([1.0, 2.0]), TypeError, "from_numpy", []),
    ("zeros_str", lambda: pa.zeros("a"), TypeError, "zeros", []),
    ("zeros_negative", lambda: pa.zeros(-1), RuntimeError, "zeros", []),
    ("randn_negative", lambda: pa.randn(2, -3), RuntimeError, "randn", []),
    ("full_str", lambda: pa.full((2,), "a"), TypeError, "full", []),
    ("arange_step0", lambda: pa.arange(0, 5, 0), RuntimeError, "arange", []),
    ("linspace_negative", lambda: pa.linspace(0, 1, -1), RuntimeError, "linspace", []),
    # --- wrong argument types
    ("sum_str", lambda: z(2).sum("a"), TypeError, "sum", []),
    ("view_str", lambda: z(2, 3).view("a"), TypeError, "view", []),
    ("size_str", lambda: z(2, 3).size("a"), TypeError, "size", []),
    ("add_str", lambda: z(3).add("a"), TypeError, "add", []),
    ("pow_str", lambda: z(3).pow("a"), TypeError, "pow", []),
    ("add_op_str", lambda: z(3) + "a", TypeError, None, []),
    ("add_op_list", lambda: operator.add(z(3), [1, 2, 3]), TypeError, None, []),
    # --- bool arithmetic torch rejects
    ("sub_bool", lambda: pa.tensor([True]) - pa.tensor([False]), RuntimeError, "sub", []),
    ("neg_bool", lambda: -pa.tensor([True]), RuntimeError, "neg", []),
    # --- misc
    ("clamp_none", lambda: z(3).clamp(), RuntimeError, "clamp", []),
    ("threads_zero", lambda: pa.set_num_threads(0), RuntimeError, "set_num_threads", []),
    ("fill_nonscalar", lambda: z(2).fill_(z(2)), RuntimeError, "fill_?", []),
]


@pytest.mark.parametrize(
    "thunk,exc,op,fragments", [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_error(thunk, exc, op, fragments):
    with raises(exc, op, *fragments):
        thunk()


@pyautograd_only
def test_mm_message_example():
    with pytest.raises(RuntimeError, match=r"^\[mm\] cannot multiply \(3, 4\) by \(3, 4\)"):
        pa.zeros(3, 4).mm(pa.zeros(3, 4))


@pyautograd_only
def test_broadcast_message_example():
    with pytest.raises(RuntimeError, match=r"^\[add\].*\(2, 3\).*\(4,\)"):
        pa.zeros(2, 3) + pa.zeros(4)


# --------------------------------------------------------------------------
# failed writes leave everything unchanged
# --------------------------------------------------------------------------
def _fresh():
    a = np.arange(6.0).reshape(2, 3).astype(np.float32)
    return pa.tensor(a), a


@pytest.mark.parametrize(
    "write,exc,op",
    [
        (lambda t: t.__setitem__(5, 1.0), IndexError, "index|setitem"),
        (lambda t: t.__setitem__((0, 9), 1.0), IndexError, "index|setitem"),
        (lambda t: t.__setitem__(pa.tensor([True, False, True]), 1.0), IndexError, "index|setitem"),
        (lambda t: t.__setitem__(0, pa.zeros(4)), RuntimeError, r"\w+"),
        (lambda t: t.__setitem__(slice(0, 2), pa.ones(3, 3)), RuntimeError, r"\w+"),
        (lambda t: t.copy_(pa.ones(4)), RuntimeError, "copy_?"),
        (lambda t: t.copy_(pa.ones(3, 3)), RuntimeError, "copy_?"),
        (lambda t: t.add_(pa.ones(2, 2)), RuntimeError, "add_?"),
        (lambda t: t.mul_(pa.ones(1, 2, 3)), RuntimeError, "mul_?"),
        (lambda t: t.t().sub_(pa.ones(3)), RuntimeError, "sub_?"),  # t() is (3, 2)
        (lambda t: t.view(4), RuntimeError, "view"),
        (lambda t: t.clamp_(), RuntimeError, "clamp_?"),
    ],
    ids=[
        "set_oob",
        "set_oob2",
        "set_mask",
        "set_row_shape",
        "set_slice_shape",
        "copy_1",
        "copy_2",
        "add_",
        "mul_rank",
        "sub_t",
        "view",
        "clamp_",
    ],
)
def test_failed_write_leaves_tensor_unchanged(write, exc, op):
    t, a = _fresh()
    view = t[1]
    with raises(exc, op):
        write(t)
    assert_tensor(t, a)
    assert_tensor(view, a[1])
    assert tuple(t.shape) == (2, 3)


def test_failed_ops_leave_inputs_unchanged():
    a = np.arange(12.0).reshape(3, 4).astype(np.float32)
    b = np.ones((3, 4), dtype=np.float32)
    ta, tb = pa.tensor(a), pa.tensor(b)
    for f in (
        lambda: ta.mm(tb),
        lambda: ta @ tb,
        lambda: ta + tb[:, :3],
        lambda: pa.where(ta > 0, ta, tb[0:2]),
    ):
        with pytest.raises(RuntimeError):
            f()
        np.testing.assert_array_equal(to_np(ta), a)
        np.testing.assert_array_equal(to_np(tb), b)
