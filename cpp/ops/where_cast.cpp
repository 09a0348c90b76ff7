// where and dtype conversion: forward and derivative.
#include "autograd/node.h"
#include "kernels/elementwise.h"
#include "ops/ops.h"

namespace pyag {
namespace {

struct WhereBackward : Node {
  SavedTensor cond;
  const char* name() const override { return "WhereBackward"; }
  std::vector<Tensor> apply(const Tensor& g) override {
    const Tensor& c = cond.unpack(*this);
    Tensor z = scalar_tensor(0.0, g->dtype);
    // next[0] is the condition (never differentiable)
    return {nullptr, needs(1) ? where(c, g, z) : nullptr, needs(2) ? where(c, z, g) : nullptr};
  }
  void check() const override { cond.check(*this); }
  void release() override { cond.reset(); }
};

struct ToBackward : Node {
  const char* name() const override { return "ToCopyBackward"; }
  std::vector<Tensor> apply(const Tensor& g) override { return {g}; }  // the engine casts back
};

}  // namespace

Tensor cast(const Tensor& a, DType dtype) {
  if (a->dtype == dtype) return a;
  Tensor out = empty(a->shape, dtype);
  copy_into(out, a);
  if (is_floating(dtype)) record<ToBackward>({&a}, out);
  return out;
}

Tensor where(const Tensor& cond, const Tensor& a, const Tensor& b) {
  if (cond->dtype == DType::UInt8)  // PyTorch accepts (deprecated) byte masks here
    return where(cast(cond, DType::Bool), a, b);
  if (cond->dtype != DType::Bool)
    fail("where", "condition must be a bool tensor, got ", dtype_name(cond->dtype));
  DType ct = promote(a->dtype, b->dtype);
  Dims shape =
      broadcast_shapes(broadcast_shapes(cond->shape, a->shape, "where"), b->shape, "where");
  Tensor ac = cast(a, ct), bc = cast(b, ct);
  Tensor out = empty(shape, ct);
  where_into(out, cond, ac, bc);
  if (auto n = record<WhereBackward>({&cond, &ac, &bc}, out)) n->cond = SavedTensor(cond);
  return out;
}

}  // namespace pyag
