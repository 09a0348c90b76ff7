// where and dtype conversion: forward and derivative.
#include "autograd/node.h"
#include "kernels/elementwise.h"
#include "ops/ops.h"
#include "tensor/promotion.h"

namespace pyag {
namespace {

struct WhereBackward : Node {
  SavedTensor cond;
  const char* name() const override { return "WhereBackward0"; }
  bool apply_is_differentiable() const override { return true; }
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
  const char* name() const override { return "ToCopyBackward0"; }
  bool apply_is_differentiable() const override { return true; }
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

namespace {
Tensor where_in(const Tensor& cond, const Tensor& a, const Tensor& b, DType ct) {
  if (cond->dtype == DType::UInt8)  // PyTorch accepts (deprecated) byte masks here
    return where_in(cast(cond, DType::Bool), a, b, ct);
  if (cond->dtype != DType::Bool)
    fail("where", "condition must be a bool tensor, got ", dtype_name(cond->dtype));
  Dims shape =
      broadcast_shapes(broadcast_shapes(cond->shape, a->shape, "where"), b->shape, "where");
  Tensor ac = cast(a, ct), bc = cast(b, ct);
  Tensor out = empty(shape, ct);
  where_into(out, cond, ac, bc);
  if (auto n = record<WhereBackward>({&cond, &ac, &bc}, out)) n->cond = SavedTensor(cond);
  return out;
}
}  // namespace

Tensor where(const Tensor& cond, const Tensor& a, const Tensor& b) {
  return where_in(cond, a, b, result_type(a, b));
}

namespace {
// A number operand of where becomes a tensor of the result's dtype with PyTorch's overflow
// check (uint8: 300 raises, -1 is 255; float32: 1e300 raises).
Tensor where_number(Scalar s, DType ct) {
  check_fits(s, ct, "where");
  return scalar_tensor(element_value(s, ct), ct);
}
}  // namespace

Tensor where(const Tensor& cond, const Tensor& a, Scalar b) {
  const DType ct = result_type(a, b.kind);
  return where_in(cond, a, where_number(b, ct), ct);
}

Tensor where(const Tensor& cond, Scalar a, const Tensor& b) {
  const DType ct = result_type(b, a.kind);
  return where_in(cond, where_number(a, ct), b, ct);
}

Tensor where(const Tensor& cond, Scalar a, Scalar b) {
  const DType ct = ResultType().number(a.kind).number(b.kind).get();
  return where_in(cond, where_number(a, ct), where_number(b, ct), ct);
}

}  // namespace pyag
