// + - * / pow, comparisons, where, dtype conversion: forward and derivative.
#include "autograd/node.h"
#include "ops/ops.h"

namespace pyag {
namespace {

const char* name_of(BinaryOp op) { return op_name(op); }

struct AddBackward : Node {
  bool subtract;
  explicit AddBackward(bool s) : subtract(s) {}
  const char* name() const override { return subtract ? "SubBackward" : "AddBackward"; }
  std::vector<Tensor> apply(const Tensor& g) override {
    return {needs(0) ? g : nullptr, needs(1) ? (subtract ? unary(UnaryOp::Neg, g) : g) : nullptr};
  }
};

struct MulBackward : Node {
  SavedTensor a, b;
  const char* name() const override { return "MulBackward"; }
  std::vector<Tensor> apply(const Tensor& g) override {
    return {needs(0) ? mul(g, b.unpack(*this)) : nullptr,
            needs(1) ? mul(g, a.unpack(*this)) : nullptr};
  }
  void check() const override { a.check(*this), b.check(*this); }
  void release() override { a.reset(), b.reset(); }
};

struct DivBackward : Node {
  SavedTensor a, b;
  const char* name() const override { return "DivBackward"; }
  std::vector<Tensor> apply(const Tensor& g) override {
    const Tensor& bv = b.unpack(*this);
    Tensor ga = div(g, bv), gb;
    if (needs(1)) gb = unary(UnaryOp::Neg, div(mul(ga, a.unpack(*this)), bv));
    return {needs(0) ? ga : nullptr, gb};
  }
  void check() const override { a.check(*this), b.check(*this); }
  void release() override { a.reset(), b.reset(); }
};

struct PowBackward : Node {  // tensor ** tensor
  SavedTensor a, b, out;
  const char* name() const override { return "PowBackward"; }
  std::vector<Tensor> apply(const Tensor& g) override {
    const Tensor& av = a.unpack(*this);
    const Tensor& bv = b.unpack(*this);
    Tensor ga, gb;
    if (needs(0))
      ga = mul(g, mul(bv, binary(BinaryOp::Pow, av, binary(BinaryOp::Sub, bv, Scalar{1.0}))));
    if (needs(1)) gb = mul(g, mul(out.unpack(*this), unary(UnaryOp::Log, av)));
    return {ga, gb};
  }
  void check() const override { a.check(*this), b.check(*this), out.check(*this); }
  void release() override { a.reset(), b.reset(), out.reset(); }
};

struct ScalarBackward : Node {  // a op s, s op a
  BinaryOp op;
  double s;
  bool scalar_first;
  SavedTensor a, out;
  ScalarBackward(BinaryOp o, double v, bool f) : op(o), s(v), scalar_first(f) {}
  const char* name() const override {
    switch (op) {
      case BinaryOp::Add:
        return "AddBackward";
      case BinaryOp::Sub:
        return scalar_first ? "RsubBackward" : "SubBackward";
      case BinaryOp::Mul:
        return "MulBackward";
      case BinaryOp::Div:
        return scalar_first ? "RdivBackward" : "DivBackward";
      default:
        return "PowBackward";
    }
  }
  std::vector<Tensor> apply(const Tensor& g) override {
    switch (op) {
      case BinaryOp::Add:
        return {g};
      case BinaryOp::Sub:
        return {scalar_first ? unary(UnaryOp::Neg, g) : g};
      case BinaryOp::Mul:
        return {binary(BinaryOp::Mul, g, Scalar{s})};
      case BinaryOp::Div:
        if (!scalar_first) return {binary(BinaryOp::Div, g, Scalar{s})};
        // d(s / a) = -s / a^2 = -out / a
        return {unary(UnaryOp::Neg, div(mul(g, out.unpack(*this)), a.unpack(*this)))};
      default:
        break;
    }
    if (scalar_first)  // d(s ** a) = out * ln(s)
      return {mul(g, binary(BinaryOp::Mul, out.unpack(*this), Scalar{std::log(s)}))};
    Tensor r = empty(g->shape, g->dtype);
    pow_backward_into(r, g, a.unpack(*this), s);
    return {r};
  }
  void check() const override { a.check(*this), out.check(*this); }
  void release() override { a.reset(), out.reset(); }
};

struct ExtremumBackward : Node {  // maximum / minimum: ties share the gradient
  bool is_max;
  SavedTensor a, b;
  explicit ExtremumBackward(bool m) : is_max(m) {}
  const char* name() const override { return is_max ? "MaximumBackward" : "MinimumBackward"; }
  std::vector<Tensor> apply(const Tensor& g) override {
    const Tensor& av = a.unpack(*this);
    const Tensor& bv = b.unpack(*this);
    Tensor half_tie =
        binary(BinaryOp::Mul, cast(binary(BinaryOp::Eq, av, bv), g->dtype), Scalar{0.5});
    auto share = [&](const Tensor& x, const Tensor& y) {  // g where x wins, g/2 on ties
      Tensor wins = cast(binary(is_max ? BinaryOp::Gt : BinaryOp::Lt, x, y), g->dtype);
      return mul(g, add(wins, half_tie));
    };
    return {needs(0) ? share(av, bv) : nullptr, needs(1) ? share(bv, av) : nullptr};
  }
  void check() const override { a.check(*this), b.check(*this); }
  void release() override { a.reset(), b.reset(); }
};

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

DType compute_dtype(BinaryOp op, DType a, DType b, const char* name) {
  DType ct = promote(a, b);
  if (is_bitwise(op) && is_floating(ct))
    fail(name, "is only defined for bool and int64 tensors, got ", dtype_name(a), " and ",
         dtype_name(b));
  if (op == BinaryOp::Div && !is_floating(ct)) return default_dtype();  // true division
  if (ct == DType::Bool && (op == BinaryOp::Sub || op == BinaryOp::Pow))
    fail(name, "is not supported for two bool tensors; convert one with .float() first");
  return ct;
}

Tensor cast(const Tensor& a, DType dtype) {
  if (a->dtype == dtype) return a;
  Tensor out = empty(a->shape, dtype);
  copy_into(out, a);
  if (is_floating(dtype)) record<ToBackward>({&a}, out);
  return out;
}

Tensor binary(BinaryOp op, const Tensor& a, const Tensor& b) {
  const char* name = name_of(op);
  DType ct = compute_dtype(op, a->dtype, b->dtype, name);
  Dims shape = a->shape == b->shape ? a->shape : broadcast_shapes(a->shape, b->shape, name);
  Tensor ac = cast(a, ct), bc = cast(b, ct);
  Tensor out = empty(shape, is_comparison(op) ? DType::Bool : ct);
  binary_into(op, out, ac, bc);
  if (is_comparison(op) || is_bitwise(op) || !needs_grad({&ac, &bc})) return out;
  if (op == BinaryOp::Add || op == BinaryOp::Sub) {
    record<AddBackward>({&ac, &bc}, out, op == BinaryOp::Sub);
  } else if (op == BinaryOp::Mul) {
    auto n = record<MulBackward>({&ac, &bc}, out);
    if (n->needs(1)) n->a = SavedTensor(ac);
    if (n->needs(0)) n->b = SavedTensor(bc);
  } else if (op == BinaryOp::Div) {
    auto n = record<DivBackward>({&ac, &bc}, out);
    if (n->needs(1)) n->a = SavedTensor(ac);
    n->b = SavedTensor(bc);
  } else if (op == BinaryOp::Pow) {
    auto n = record<PowBackward>({&ac, &bc}, out);
    n->a = SavedTensor(ac);
    n->b = SavedTensor(bc);
    if (n->needs(1)) n->out = SavedTensor(out);
  } else if (op == BinaryOp::Maximum || op == BinaryOp::Minimum) {
    auto n = record<ExtremumBackward>({&ac, &bc}, out, op == BinaryOp::Maximum);
    n->a = SavedTensor(ac);
    n->b = SavedTensor(bc);
  }
  return out;
}

Tensor binary(BinaryOp op, const Tensor& a, Scalar s, bool scalar_first) {
  const char* name = name_of(op);
  DType ct = promote_scalar(a->dtype, s.kind);
  if (ct == DType::Bool && s.kind == ScalarKind::Bool)
    ct = compute_dtype(op, DType::Bool, DType::Bool, name);
  if (is_bitwise(op) || op == BinaryOp::Maximum || op == BinaryOp::Minimum)
    return binary(op, a, scalar_tensor(s.v, ct));
  if (op == BinaryOp::Div && !is_floating(ct)) ct = default_dtype();
  if (op == BinaryOp::Pow && ct == DType::Int64 && s.v < 0 && !scalar_first)
    fail(name, "integers to negative integer powers are not allowed");
  Tensor ac = cast(a, ct);
  Tensor out = empty(a->shape, is_comparison(op) ? DType::Bool : ct);
  binary_scalar_into(op, out, ac, s.v, scalar_first);
  if (is_comparison(op) || op == BinaryOp::Maximum || op == BinaryOp::Minimum) return out;
  if (auto n = record<ScalarBackward>({&ac}, out, op, s.v, scalar_first)) {
    bool needs_a = (op == BinaryOp::Div && scalar_first) || (op == BinaryOp::Pow && !scalar_first);
    bool needs_out = (op == BinaryOp::Div || op == BinaryOp::Pow) && scalar_first;
    if (needs_a) n->a = SavedTensor(ac);
    if (needs_out) n->out = SavedTensor(out);
  }
  return out;
}

Tensor where(const Tensor& cond, const Tensor& a, const Tensor& b) {
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
