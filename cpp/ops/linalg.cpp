// mm, bmm, matmul: forward and derivative. Transposed operands are GEMM flags, never copies.
#include "autograd/node.h"
#include "kernels/elementwise.h"
#include "kernels/gemm.h"
#include "ops/ops.h"

namespace pyag {
namespace {

// The raw transposed view of the last two dims (no autograd).
Tensor raw_t(const Tensor& a) {
  Dims s = a->shape, st = a->strides;
  const int n = a->dim();
  std::swap(s[n - 1], s[n - 2]);
  std::swap(st[n - 1], st[n - 2]);
  return make_view(a, s, st, a->offset);
}

Tensor raw_select(const Tensor& a, int64_t i) {  // a[i] for a batched (B, r, c) tensor
  return make_view(a, Dims{a->shape[1], a->shape[2]}, Dims{a->strides[1], a->strides[2]},
                   a->offset + i * a->strides[0]);
}

// out = x @ y, or accumulated straight into the leaf's .grad when the engine offers it.
Tensor mm_grad(const Tensor& x, const Tensor& y, AccumulateTargets& targets, size_t input) {
  if (Tensor target = targets.take(input)) {
    mm_into(target, x, y, 1.0, 1.0);
    return nullptr;
  }
  Tensor out = empty(Dims{x->shape[0], y->shape[1]}, x->dtype);
  mm_into(out, x, y, 1.0, 0.0);
  return out;
}

struct MmBackward : Node {
  SavedTensor a, b;
  const char* name() const override { return "MmBackward0"; }
  std::vector<Tensor> apply(const Tensor& g) override { return apply(g, no_targets()); }
  std::vector<Tensor> apply(const Tensor& g, AccumulateTargets& targets) override {
    Tensor ga, gb;
    if (needs(0)) ga = mm_grad(g, raw_t(b.unpack(*this)), targets, 0);
    if (needs(1)) gb = mm_grad(raw_t(a.unpack(*this)), g, targets, 1);
    return {ga, gb};
  }
  std::optional<std::vector<Tensor>> apply_graph(const Tensor& g,
                                                 const std::shared_ptr<Node>&) override {
    Tensor ga, gb;
    if (needs(0)) ga = mm(g, t(input_history(*this, 1, b.unpack(*this))));
    if (needs(1)) gb = mm(t(input_history(*this, 0, a.unpack(*this))), g);
    return std::vector<Tensor>{ga, gb};
  }
  void check() const override { a.check(*this), b.check(*this); }
  void release() override { a.reset(), b.reset(); }
};

void bmm_into(const Tensor& out, const Tensor& a, const Tensor& b) {
  for (int64_t i = 0; i < out->shape[0]; ++i)
    mm_into(raw_select(out, i), raw_select(a, i), raw_select(b, i), 1.0, 0.0);
}

struct BmmBackward : Node {
  SavedTensor a, b;
  const char* name() const override { return "BmmBackward0"; }
  std::vector<Tensor> apply(const Tensor& g) override {
    Tensor ga, gb;
    if (needs(0)) {
      const Tensor& bv = b.unpack(*this);
      ga = empty(Dims{g->shape[0], g->shape[1], bv->shape[1]}, g->dtype);
      bmm_into(ga, g, raw_t(bv));
    }
    if (needs(1)) {
      const Tensor& av = a.unpack(*this);
      gb = empty(Dims{g->shape[0], av->shape[2], g->shape[2]}, g->dtype);
      bmm_into(gb, raw_t(av), g);
    }
    return {ga, gb};
  }
  std::optional<std::vector<Tensor>> apply_graph(const Tensor& g,
                                                 const std::shared_ptr<Node>&) override {
    Tensor ga, gb;
    if (needs(0)) ga = bmm(g, transpose(input_history(*this, 1, b.unpack(*this)), 1, 2));
    if (needs(1)) gb = bmm(transpose(input_history(*this, 0, a.unpack(*this)), 1, 2), g);
    return std::vector<Tensor>{ga, gb};
  }
  void check() const override { a.check(*this), b.check(*this); }
  void release() override { a.reset(), b.reset(); }
};

void check_operands(const char* op, const Tensor& a, const Tensor& b) {
  if (a->dtype != b->dtype)
    fail(op, "expected both operands to have the same dtype, got ", dtype_name(a->dtype), " and ",
         dtype_name(b->dtype));
  if (a->dtype == DType::Bool) fail<TypeError>(op, "is not supported for bool tensors");
}

}  // namespace

Tensor mm(const Tensor& a, const Tensor& b) {
  if (a->dim() != 2 || b->dim() != 2)
    fail("mm", "expected 2-D tensors, got shapes ", shape_str(a->shape), " and ",
         shape_str(b->shape));
  if (a->shape[1] != b->shape[0])
    fail("mm", "cannot multiply ", shape_str(a->shape), " by ", shape_str(b->shape));
  check_operands("mm", a, b);
  Tensor out = empty(Dims{a->shape[0], b->shape[1]}, a->dtype);
  mm_into(out, a, b, 1.0, 0.0);
  if (auto n = record<MmBackward>({&a, &b}, out)) {
    if (n->needs(1)) n->a = SavedTensor(a);
    if (n->needs(0)) n->b = SavedTensor(b);
  }
  return out;
}

Tensor bmm(const Tensor& a, const Tensor& b) {
  if (a->dim() != 3 || b->dim() != 3)
    fail("bmm", "expected 3-D tensors, got shapes ", shape_str(a->shape), " and ",
         shape_str(b->shape));
  if (a->shape[0] != b->shape[0] || a->shape[2] != b->shape[1])
    fail("bmm", "cannot multiply ", shape_str(a->shape), " by ", shape_str(b->shape));
  check_operands("bmm", a, b);
  Tensor out = empty(Dims{a->shape[0], a->shape[1], b->shape[2]}, a->dtype);
  bmm_into(out, a, b);
  if (auto n = record<BmmBackward>({&a, &b}, out)) {
    if (n->needs(1)) n->a = SavedTensor(a);
    if (n->needs(0)) n->b = SavedTensor(b);
  }
  return out;
}

namespace {
Tensor matmul_of(const Tensor& a, const Tensor& b);
}  // namespace

Tensor matmul(const Tensor& a, const Tensor& b) {
  Tensor out = matmul_of(a, b);
  // The node PyTorch's matmul ends with for these ranks (dot, mv, a squeezed mm, a folded GEMM)
  const int da = a->dim(), db = b->dim();
  if (!(da == 2 && db == 2))
    show_grad_fn_as(out, da == 1 && db == 1   ? "DotBackward0"
                         : da == 2 && db == 1 ? "MvBackward0"
                         : da == 1 && db == 2 ? "SqueezeBackward4"
                         : da == 2            ? "CloneBackward0"
                                              : "UnsafeViewBackward0");
  // A view of the product made here is the result: nobody else sees that base, so it is no
  // view (PyTorch returns a fresh tensor): in-place ops and detach_ treat it as a plain one.
  if (out->view.base && out->storage != a->storage && out->storage != b->storage) {
    out->is_view = false;
    out->view = ViewOf{};
  }
  return out;
}

namespace {
Tensor matmul_of(const Tensor& a, const Tensor& b) {
  const int da = a->dim(), db = b->dim();
  if (da == 0 || db == 0)
    fail("matmul", "both arguments need at least 1 dimension, got shapes ", shape_str(a->shape),
         " and ", shape_str(b->shape));
  const int64_t ka = a->shape[da - 1], kb = b->shape[db >= 2 ? db - 2 : 0];
  if (ka != kb)
    fail("matmul", "cannot multiply ", shape_str(a->shape), " by ", shape_str(b->shape));
  if (da == 1 && db == 1) return reshape(mm(unsqueeze(a, 0), unsqueeze(b, 1)), Dims{});
  if (da == 2 && db == 1) return squeeze(mm(a, unsqueeze(b, 1)), 1);
  if (da == 1 && db == 2) return squeeze(mm(unsqueeze(a, 0), b), 0);
  if (da == 2 && db == 2) return mm(a, b);
  if (db == 2 || db == 1) {
    // (..., n, k) @ (k, p): fold the batch into the rows of one GEMM.
    Dims out_shape = a->shape;
    Tensor b2 = db == 1 ? unsqueeze(b, 1) : b;
    out_shape[da - 1] = b2->shape[1];
    int64_t rows = 1;
    for (int i = 0; i < da - 1; ++i) rows *= a->shape[i];
    Tensor r = reshape(mm(reshape(a, Dims{rows, ka}), b2), out_shape);
    return db == 1 ? squeeze(r, -1) : r;
  }
  // Batched: broadcast the batch dims, then one GEMM per matrix.
  Tensor a3 = da == 1 ? unsqueeze(a, 0) : a, b3 = b;
  const int ra = a3->dim(), rb = b3->dim();
  Dims ba, bb;
  for (int i = 0; i < ra - 2; ++i) ba.push_back(a3->shape[i]);
  for (int i = 0; i < rb - 2; ++i) bb.push_back(b3->shape[i]);
  Dims batch;
  try {
    batch = broadcast_shapes(ba, bb, "matmul");
  } catch (const RuntimeError&) {
    fail("matmul", "batch dimensions of ", shape_str(a->shape), " and ", shape_str(b->shape),
         " cannot be broadcast together");
  }
  int64_t nb = numel_of(batch, "matmul");
  const int64_t n = a3->shape[ra - 2], p = b3->shape[rb - 1];
  Dims ea = batch, eb = batch;
  ea.push_back(n), ea.push_back(ka);
  eb.push_back(kb), eb.push_back(p);
  Tensor prod =
      bmm(reshape(expand(a3, ea), Dims{nb, n, ka}), reshape(expand(b3, eb), Dims{nb, kb, p}));
  Dims out_shape = batch;
  if (da != 1) out_shape.push_back(n);
  out_shape.push_back(p);
  return reshape(prod, out_shape);
}
}  // namespace

}  // namespace pyag
