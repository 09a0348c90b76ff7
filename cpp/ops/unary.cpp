// The unary ops declared in kernels/unary_ops.h: the forward (dtype rule, allocation, kernel,
// recording) and the one backward node, driven by each op's declaration.
#include <array>
#include <optional>
#include <string>

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

// The map g -> df(g, x) with x (and y) held fixed: linear in g and its own adjoint (it is
// elementwise). create_graph=True records it for ops whose derivative is piecewise constant
// (relu, clamp, abs, leaky_relu, ...): their gradient has no derivative in x, only in g, and
// this node gives exactly the first-order values (NaN and infinity included) at every order.
// Where PyTorch's formula reads the input (abs: g * sgn(x); relu, leaky_relu, hardtanh: their
// _backward ops) the result also depends on the input, with a zero derivative (`input`: the
// edge of the first op's input).
Tensor linear_grad(UnaryKernel k, const ScalarArgs& p, const Tensor& g, const Tensor& x,
                   const Tensor& y, const Edge* input);

struct UnaryGradBackward : Node {
  UnaryKernel k;
  ScalarArgs params;
  SavedTensor x, y;
  std::string label;
  UnaryGradBackward(UnaryKernel kernel, const ScalarArgs& p)
      : k(kernel), params(p), label(info(kernel).node + "Backward") {}
  const char* name() const override { return label.c_str(); }
  std::vector<Tensor> apply(const Tensor& gg) override {
    Tensor r0, r1;
    if (needs(0))
      r0 = linear_grad(k, params, gg, x.was_saved() ? x.unpack(*this) : nullptr,
                       y.was_saved() ? y.unpack(*this) : nullptr,
                       next.size() > 1 ? &next[1] : nullptr);
    if (needs(1)) r1 = zeros(next[1].shape, next[1].dtype);
    return {r0, r1};
  }
  bool apply_is_differentiable() const override { return true; }  // linear_grad records
  void check() const override { x.check(*this), y.check(*this); }
  void release() override { x.reset(), y.reset(); }
};

Tensor linear_grad(UnaryKernel k, const ScalarArgs& p, const Tensor& g, const Tensor& x,
                   const Tensor& y, const Edge* input) {
  Tensor r = empty(g->shape, g->dtype);
  unary_grad_into(k, r, g, x ? &x : nullptr, y ? &y : nullptr, p);
  const bool tie = input && input->valid() && GradMode::enabled();
  if (!tie && !needs_grad({&g})) return r;
  auto n = std::make_shared<UnaryGradBackward>(k, p);
  n->next.push_back(edge_of(g));
  if (tie) n->next.push_back(*input);
  if (x) n->x = SavedTensor(x);
  if (y) n->y = SavedTensor(y);
  set_history(*r, n);
  return r;
}

// Whether PyTorch's gradient formula of a piecewise linear op reads its input (linear_grad).
bool grad_reads_input(UnaryKernel k) {
  return k == UnaryKernel::abs || k == UnaryKernel::relu || k == UnaryKernel::leaky_relu ||
         k == UnaryKernel::hardtanh;
}

// f'(x) as recorded ops of x and y = f(x) (both with their history), for create_graph=True;
// null where the op's derivative has no such form here.
Tensor derivative_graph(UnaryKernel k, const Tensor& x, const Tensor& y, const ScalarArgs& p) {
  using K = UnaryKernel;
  const Scalar one{1.0};
  auto one_minus_sq = [&](const Tensor& v) { return sub(one, mul(v, v)); };
  switch (k) {
    case K::exp:
      return y;
    case K::log:
      return reciprocal(x);
    case K::sqrt:
      return reciprocal(mul(y, Scalar{2.0}));
    case K::tanh:
      return one_minus_sq(y);
    case K::sigmoid:
      return mul(y, sub(one, y));
    case K::sin:
      return cos(x);
    case K::cos:
      return neg(sin(x));
    case K::square:
      return mul(x, Scalar{2.0});
    case K::tan:
      return add(mul(y, y), one);
    case K::asin:
      return rsqrt(one_minus_sq(x));
    case K::acos:
      return neg(rsqrt(one_minus_sq(x)));
    case K::atan:
      return reciprocal(add(mul(x, x), one));
    case K::sinh:
      return cosh(x);
    case K::cosh:
      return sinh(x);
    case K::log1p:
      return reciprocal(add(x, one));
    case K::expm1:
      return add(y, one);
    case K::log2:
      return reciprocal(mul(x, Scalar{0.69314718055994530942}));
    case K::log10:
      return reciprocal(mul(x, Scalar{2.30258509299404568402}));
    case K::exp2:
      return mul(y, Scalar{0.69314718055994530942});
    case K::reciprocal:
      return neg(mul(y, y));
    case K::rsqrt:
      return mul(mul(y, mul(y, y)), Scalar{-0.5});
    case K::erf:
      return mul(exp(neg(mul(x, x))), Scalar{1.12837916709551257390});
    case K::erfc:
      return mul(exp(neg(mul(x, x))), Scalar{-1.12837916709551257390});
    case K::asinh:
      return rsqrt(add(mul(x, x), one));
    case K::acosh:
      return rsqrt(sub(mul(x, x), one));
    case K::atanh:
      return reciprocal(one_minus_sq(x));
    case K::silu: {
      Tensor s = sigmoid(x);
      return mul(s, add(mul(x, sub(one, s)), one));
    }
    case K::softplus: {  // p = (beta, threshold): 1 where beta * x > threshold
      Tensor bx = mul(x, Scalar{p[0]});
      return where(gt(bx, Scalar{p[1]}), one, sigmoid(bx));
    }
    case K::elu:  // p = (alpha): alpha * exp(x) where x <= 0, else 1
      return where(le(x, Scalar{0.0}), mul(exp(x), Scalar{p[0]}), one);
    case K::gelu: {
      if (p[0] != 0) {  // approximate='tanh': t = tanh(k (x + c x^3))
        const double kk = 0.79788456080286535588, c = 0.044715;
        Tensor x2 = mul(x, x);
        Tensor t = tanh(mul(mul(x, add(mul(x2, Scalar{c}), one)), Scalar{kk}));
        Tensor dt = mul(sub(one, mul(t, t)), mul(add(mul(x2, Scalar{3 * c}), one), Scalar{kk}));
        return mul(add(add(t, one), mul(x, dt)), Scalar{0.5});
      }
      // Phi(x) + x phi(x)
      Tensor cdf = mul(add(erf(mul(x, Scalar{0.70710678118654752440})), one), Scalar{0.5});
      Tensor pdf = mul(exp(mul(mul(x, x), Scalar{-0.5})), Scalar{0.39894228040143267794});
      return add(cdf, mul(x, pdf));
    }
    default:
      return nullptr;
  }
}

// Ops whose derivative is piecewise constant in x: recorded as the linear map of g.
bool piecewise_linear(UnaryKernel k) {
  using K = UnaryKernel;
  switch (k) {
    case K::neg:
    case K::abs:
    case K::relu:
    case K::clamp:
    case K::clamp_min:
    case K::clamp_max:
    case K::hardtanh:
    case K::leaky_relu:
    case K::deg2rad:
    case K::rad2deg:
    case K::frac:
    case K::nan_to_num:
      return true;
    default:
      return false;
  }
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
  std::optional<std::vector<Tensor>> apply_graph(const Tensor& g,
                                                 const std::shared_ptr<Node>& self) override {
    if (info(k).grad == Grad::Zero) return std::vector<Tensor>{zeros(g->shape, g->dtype)};
    const Tensor xv = x.was_saved() ? x.unpack(*this) : nullptr;
    const Tensor yv = y.was_saved() ? y.unpack(*this) : nullptr;
    if (piecewise_linear(k))
      return std::vector<Tensor>{
          linear_grad(k, params, g, xv, yv, grad_reads_input(k) ? &next[0] : nullptr)};
    Tensor d = derivative_graph(k, xv ? input_history(*this, 0, xv) : nullptr,
                                yv ? output_history(self, yv) : nullptr, params);
    if (!d) return std::nullopt;
    return std::vector<Tensor>{mul(g, d)};
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
  Tensor out = empty_pointwise(a->shape, result_dtype(in, ct), ct, {&a});
  Tensor ac = cast(a, ct);
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
  if (check_inplace(self, false, name)) {  // the derivative must not read the overwritten input
    const Tensor r = apply_unary(op, reads_input(in.grad) ? clone(self) : self, p);
    commit_inplace(self, r);
    // A derivative reading the result reads self, as PyTorch's node saves it: a later
    // in-place write into self is then "modified by an inplace operation" in backward.
    if (reads_output(in.grad))
      if (auto* n = dynamic_cast<UnaryBackward*>(r->grad_fn().get())) n->y = SavedTensor(self);
    return self;
  }
  unary_into(k, self, self, p);
  self->bump_version();
  return self;
}

}  // namespace pyag
