// neg abs exp log sqrt tanh sigmoid relu clamp: forward and derivative.
#include "autograd/node.h"
#include "ops/ops.h"

namespace pyag {
namespace {

struct UnaryBackward : Node {
  UnaryOp op;
  SavedTensor saved;  // the input (abs, log) or the output (exp, sqrt, tanh, sigmoid, relu)
  explicit UnaryBackward(UnaryOp o) : op(o) {}
  const char* name() const override {
    switch (op) {
      case UnaryOp::Neg:
        return "NegBackward";
      case UnaryOp::Abs:
        return "AbsBackward";
      case UnaryOp::Exp:
        return "ExpBackward";
      case UnaryOp::Log:
        return "LogBackward";
      case UnaryOp::Sqrt:
        return "SqrtBackward";
      case UnaryOp::Tanh:
        return "TanhBackward";
      case UnaryOp::Sigmoid:
        return "SigmoidBackward";
      case UnaryOp::Relu:
        return "ReluBackward";
      case UnaryOp::Sign:
        return "SignBackward";
      case UnaryOp::Square:
        return "PowBackward";
      case UnaryOp::Not:
        return "NotBackward";
    }
    return "UnaryBackward";
  }
  std::vector<Tensor> apply(const Tensor& g) override {
    if (op == UnaryOp::Neg) return {unary(UnaryOp::Neg, g)};
    if (op == UnaryOp::Sign) return {zeros(g->shape, g->dtype)};
    Tensor r = empty(g->shape, g->dtype);
    const Tensor& s = saved.unpack(*this);
    if (op == UnaryOp::Square) {
      pow_backward_into(r, g, s, 2.0);
      return {r};
    }
    UnaryGrad k = UnaryGrad::Exp;
    switch (op) {
      case UnaryOp::Abs:
        k = UnaryGrad::Abs;
        break;
      case UnaryOp::Log:
        k = UnaryGrad::Log;
        break;
      case UnaryOp::Sqrt:
        k = UnaryGrad::Sqrt;
        break;
      case UnaryOp::Tanh:
        k = UnaryGrad::Tanh;
        break;
      case UnaryOp::Sigmoid:
        k = UnaryGrad::Sigmoid;
        break;
      case UnaryOp::Relu:
        k = UnaryGrad::Relu;
        break;
      default:
        break;
    }
    unary_backward_into(k, r, g, s);
    return {r};
  }
  void check() const override { saved.check(*this); }
  void release() override { saved.reset(); }
};

struct ClampBackward : Node {
  SavedTensor x;
  double lo, hi;
  ClampBackward(double l, double h) : lo(l), hi(h) {}
  const char* name() const override { return "ClampBackward"; }
  std::vector<Tensor> apply(const Tensor& g) override {
    Tensor r = empty(g->shape, g->dtype);
    clamp_backward_into(r, g, x.unpack(*this), lo, hi);
    return {r};
  }
  void check() const override { x.check(*this); }
  void release() override { x.reset(); }
};

bool saves_output(UnaryOp op) {
  return op == UnaryOp::Exp || op == UnaryOp::Sqrt || op == UnaryOp::Tanh ||
         op == UnaryOp::Sigmoid || op == UnaryOp::Relu;
}

}  // namespace

Tensor unary(UnaryOp op, const Tensor& a) {
  const char* name = op_name(op);
  DType dt = a->dtype;
  const bool transcendental = op == UnaryOp::Exp || op == UnaryOp::Log || op == UnaryOp::Sqrt ||
                              op == UnaryOp::Tanh || op == UnaryOp::Sigmoid;
  if (transcendental && !is_floating(dt)) dt = default_dtype();  // PyTorch promotes ints
  if (dt == DType::Bool && op != UnaryOp::Abs && op != UnaryOp::Not)
    fail(name, "is not supported for bool tensors");
  if (op == UnaryOp::Not && is_floating(dt))
    fail(name, "is only defined for bool and int64 tensors, got ", dtype_name(dt));
  Tensor ac = cast(a, dt);
  Tensor out = empty(a->shape, dt);
  unary_into(op, out, ac);
  if (op == UnaryOp::Not) return out;
  if (auto n = record<UnaryBackward>({&ac}, out, op)) {
    if (op != UnaryOp::Neg && op != UnaryOp::Sign)
      n->saved = SavedTensor(saves_output(op) ? out : ac);
  }
  return out;
}

Tensor clamp(const Tensor& a, std::optional<double> lo, std::optional<double> hi) {
  if (!lo && !hi) fail("clamp", "at least one of 'min' or 'max' must not be None");
  if (a->dtype == DType::Bool) fail<TypeError>("clamp", "is not supported for bool tensors");
  const double l = lo ? *lo : NAN, h = hi ? *hi : NAN;
  Tensor out = empty(a->shape, a->dtype);
  clamp_into(out, a, l, h);
  if (auto n = record<ClampBackward>({&a}, out, l, h)) n->x = SavedTensor(a);
  return out;
}

}  // namespace pyag
