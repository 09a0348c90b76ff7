// clamp with tensor bounds: forward (promotion, broadcasting, NaN as PyTorch) and backward
// (PyTorch's clamp_backward and clamp_backward_min_max).
#include "ops/clamp_tensor.h"

#include "autograd/grad_mode.h"
#include "autograd/node.h"
#include "kernels/elementwise.h"
#include "tensor/promotion.h"

namespace pyag {
namespace {

struct ClampTensorBackward : Node {
  SavedTensor x, lo, hi;  // in the compute dtype; lo/hi only when given
  bool has_lo, has_hi;
  const char* label;
  ClampTensorBackward(bool l, bool h, const char* n) : has_lo(l), has_hi(h), label(n) {}
  const char* name() const override { return label; }
  bool apply_is_differentiable() const override { return true; }
  std::vector<Tensor> apply(const Tensor& g) override {
    const Tensor& xv = x.unpack(*this);
    Tensor lv = has_lo ? lo.unpack(*this) : nullptr, hv = has_hi ? hi.unpack(*this) : nullptr;
    const Tensor zero = scalar_tensor(0.0, g->dtype);
    std::vector<Tensor> out(next.size());
    if (needs(0)) {  // the gradient passes where lo <= x <= hi
      Tensor pass = lv ? ge(xv, lv) : nullptr;
      if (hv) pass = pass ? logical_and(pass, le(xv, hv)) : le(xv, hv);
      out[0] = where(pass, g, zero);
    }
    size_t i = 1;
    if (lv) {  // to min where x < min (and min < max when both are given)
      if (needs(i)) {
        Tensor pick = lt(xv, lv);
        if (hv) pick = logical_and(pick, lt(lv, hv));
        out[i] = where(pick, g, zero);
      }
      ++i;
    }
    if (hv && needs(i)) {  // to max where x > max (or max < min)
      Tensor pick = gt(xv, hv);
      if (lv) pick = logical_or(pick, lt(hv, lv));
      out[i] = where(pick, g, zero);
    }
    return out;
  }
  void check() const override { x.check(*this), lo.check(*this), hi.check(*this); }
  void release() override { x.reset(), lo.reset(), hi.reset(); }
};

DType compute_dtype(const Tensor& x, const ClampBound& lo, const ClampBound& hi, const char* name) {
  if (!lo.given() && !hi.given()) fail(name, "at least one of 'min' or 'max' must not be None");
  ResultType r;
  r.tensor(x);
  for (const ClampBound* b : {&lo, &hi}) {
    if (b->t)
      r.tensor(b->t);
    else if (b->s)
      r.number(b->s->kind);
  }
  const DType ct = r.get();
  if (ct == DType::Bool && lo.given() && hi.given())  // one bound: max or min of bools
    fail(name, "is not supported for bool tensors with both min and max");
  return ct;
}

// The bound as a tensor of the compute dtype (a number: a 0-d tensor), or null.
Tensor bound_tensor(const ClampBound& b, DType ct) {
  if (b.t) return cast(b.t, ct);
  if (b.s) return scalar_tensor(b.s->v, ct);
  return nullptr;
}

}  // namespace

Tensor clamp_tensor(const Tensor& x, const ClampBound& lo, const ClampBound& hi, const char* name) {
  const DType ct = compute_dtype(x, lo, hi, name);
  const Tensor xc = cast(x, ct), lc = bound_tensor(lo, ct), hc = bound_tensor(hi, ct);
  Tensor out;
  {
    GradModeGuard no_grad(false);  // min(max(x, lo), hi): NaN in any operand gives NaN
    out = lc ? maximum(xc, lc) : xc;
    if (hc) out = minimum(out, hc);
  }
  std::vector<Tensor> inputs{xc};
  if (lc) inputs.push_back(lc);
  if (hc) inputs.push_back(hc);
  bool any = false;
  for (const Tensor& t : inputs) any = any || t->requires_grad();
  if (any && GradMode::enabled()) {
    auto n = std::make_shared<ClampTensorBackward>(lc != nullptr, hc != nullptr,
                                                   !lc   ? "ClampMaxBackward0"
                                                   : !hc ? "ClampMinBackward0"
                                                         : "ClampBackward0");
    attach(n, inputs, out);
    n->x = SavedTensor(xc);
    if (lc) n->lo = SavedTensor(lc);
    if (hc) n->hi = SavedTensor(hc);
  }
  return out;
}

const Tensor& clamp_tensor_(const Tensor& self, const ClampBound& lo, const ClampBound& hi,
                            const char* name) {
  const DType ct = compute_dtype(self, lo, hi, name);
  if (!can_cast(ct, self->dtype))
    fail(name, "result type ", dtype_name(ct), " can't be cast to the desired output type ",
         dtype_name(self->dtype));
  Dims shape = self->shape;
  for (const ClampBound* b : {&lo, &hi})
    if (b->t && b->t->shape != shape) shape = broadcast_shapes(shape, b->t->shape, name);
  if (shape != self->shape)
    fail(name, "output with shape ", shape_str(self->shape), " doesn't match the broadcast shape ",
         shape_str(shape));
  const bool bounds_rg = (lo.t && lo.t->requires_grad()) || (hi.t && hi.t->requires_grad());
  if (check_inplace(self, bounds_rg, name))  // the derivative reads self: give it a copy
    return commit_inplace(self, clamp_tensor(clone(self), lo, hi, name));
  Tensor r = clamp_tensor(self, lo, hi, name);
  copy_into(self, r);
  self->bump_version();
  return self;
}

}  // namespace pyag
