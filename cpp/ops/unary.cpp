// The unary ops declared in kernels/unary_ops.h: the forward (dtype rule, allocation, kernel,
// recording) and the one backward node, driven by each op's declaration.
#include <array>

#include "autograd/node.h"
#include "kernels/elementwise.h"
#include "ops/op_names.h"
#include "ops/ops.h"
#include "tensor/promotion.h"

namespace pyag {
namespace {

using unary::Grad;
using unary::Rule;

struct Info {
  const char* name;
  Rule rule;
  Grad grad;
  unary::BoolInput bool_input;
  bool promote_params;
  void (*check)(const char*, DType, const ScalarArgs&);
  std::string node, inplace;  // "SinBackward0", "sin_"
};

const Info& info(UnaryKernel k) {
  static const std::array<Info, kNumUnary> table = {{
#define PYAG_X(op)                          \
  Info{#op,                                 \
       unary::op::rule,                     \
       unary::op::grad,                     \
       unary::op::bool_input,               \
       unary::op::promote_params,           \
       &unary::op::check,                   \
       backward_name(#op, unary::op::node), \
       #op "_"},
      PYAG_UNARY_OPS(PYAG_X)
#undef PYAG_X
  }};
  return table[static_cast<size_t>(k)];
}

struct UnaryBackward : Node {
  UnaryKernel k;
  ScalarArgs params;
  SavedTensor x, y;  // what the declaration's df reads
  UnaryBackward(UnaryKernel kernel, const ScalarArgs& p) : k(kernel), params(p) {}
  const char* name() const override { return info(k).node.c_str(); }
  std::vector<Tensor> apply(const Tensor& g) override {
    if (info(k).grad == Grad::Zero) return {zeros(g->shape, g->dtype)};
    Tensor r = empty(g->shape, g->dtype);
    unary_grad_into(k, r, g, x.was_saved() ? &x.unpack(*this) : nullptr,
                    y.was_saved() ? &y.unpack(*this) : nullptr, params);
    return {r};
  }
  void check() const override { x.check(*this), y.check(*this); }
  void release() override { x.reset(), y.reset(); }
};

// The dtype the op computes in (the result's dtype, but for ToBool ops).
DType compute_dtype(const Info& in, DType dt, const ScalarArgs& p, const char* name) {
  if (in.promote_params) {
    ResultType r;
    r.dtype(dt, false);
    for (int i = 0; i < p.n; ++i)
      if (p.kind[i] >= 0) r.number(static_cast<ScalarKind>(p.kind[i]));
    dt = r.get();
  }
  switch (in.rule) {
    case Rule::Same:
      if (dt != DType::Bool) return dt;
      switch (in.bool_input) {
        case unary::BoolInput::Error:
          fail(name, "is not supported for bool tensors");
        case unary::BoolInput::Keep:
          return dt;
        case unary::BoolInput::AsInt64:
          return DType::Int64;
      }
      return dt;
    case Rule::IntToFloat:
      return is_floating(dt) ? dt : default_dtype();  // PyTorch lifts bool and integers
    case Rule::Integral:
      if (is_floating(dt))
        fail(name, "is only defined for bool and integer tensors, got ", dtype_name(dt));
      return dt;
    case Rule::ToBool:
      return dt;
  }
  return dt;
}

DType result_dtype(const Info& in, DType ct) { return in.rule == Rule::ToBool ? DType::Bool : ct; }

// clamp's bounds must fit the dtype it computes in (PyTorch converts them with an overflow
// check: uint8.clamp(300) raises, uint8.clamp(-1) clamps at 255).
void check_params_fit(const Info& in, DType ct, const ScalarArgs& p, const char* name) {
  if (!in.promote_params) return;
  for (int i = 0; i < p.n; ++i)
    if (p.kind[i] >= 0) check_fits(Scalar(p[i], static_cast<ScalarKind>(p.kind[i])), ct, name);
}

bool reads_input(Grad g) { return g == Grad::FromInput || g == Grad::FromBoth; }
bool reads_output(Grad g) { return g == Grad::FromOutput || g == Grad::FromBoth; }

}  // namespace

Tensor detail::apply_unary(int op, const Tensor& a, const ScalarArgs& p) {
  const auto k = static_cast<UnaryKernel>(op);
  const Info& in = info(k);
  in.check(in.name, a->dtype, p);
  const DType ct = compute_dtype(in, a->dtype, p, in.name);
  check_params_fit(in, ct, p, in.name);
  Tensor ac = cast(a, ct);
  Tensor out = empty(a->shape, result_dtype(in, ac->dtype));
  unary_into(k, out, ac, p);
  if (in.grad == Grad::None) return out;
  if (auto n = record<UnaryBackward>({&ac}, out, k, p)) {
    if (reads_input(in.grad)) n->x = SavedTensor(ac);
    if (reads_output(in.grad)) n->y = SavedTensor(out);
  }
  return out;
}

const Tensor& detail::apply_unary_(int op, const Tensor& self, const ScalarArgs& p) {
  const auto k = static_cast<UnaryKernel>(op);
  const Info& in = info(k);
  const char* name = in.inplace.c_str();
  in.check(name, self->dtype, p);
  const DType ct = compute_dtype(in, self->dtype, p, name);
  const DType rt = result_dtype(in, ct);
  if (rt != self->dtype)
    fail(name, "result type ", dtype_name(rt), " can't be cast to the desired output type ",
         dtype_name(self->dtype));
  check_params_fit(in, ct, p, name);
  if (check_inplace(self, false, name))  // the derivative must not read the overwritten input
    return commit_inplace(self, apply_unary(op, reads_input(in.grad) ? clone(self) : self, p));
  unary_into(k, self, self, p);
  self->bump_version();
  return self;
}

}  // namespace pyag
