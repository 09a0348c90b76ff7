// The binary ops declared in kernels/binary_ops.h: the forward (promotion, broadcasting,
// allocation, kernel, recording), in place, and the one backward node, driven by each op's
// declaration. A scalar operand (t * 2, 2 - t) goes through the same kernels and derivatives.
#include <algorithm>
#include <array>
#include <cmath>
#include <optional>
#include <string>
#include <vector>

#include "autograd/node.h"
#include "kernels/elementwise.h"
#include "ops/op_names.h"
#include "ops/ops.h"
#include "tensor/promotion.h"

namespace pyag {
namespace {

using binary::Rule;
using binary::Side;

template <class Op, int side>
constexpr Side side_of() {
  if constexpr (!binary::differentiable(Op::rule))
    return binary::pass_grad;  // never used: not differentiable
  else if constexpr (side == 0)
    return Op::grad_a;
  else
    return Op::grad_b;
}

struct Info {
  const char* name;
  Rule rule;
  Side grad[2];
  void (*check)(const char*, DType, DType);
  void (*check_scalar)(const char*, DType, double, bool);
  std::string node, node_reflected, inplace;  // "SubBackward0", "RsubBackward0", "sub_"
};

const Info& info(BinaryKernel k) {
  static const std::array<Info, kNumBinary> table = {{
#define PYAG_X(op)                                                                                \
  Info{#op,                                                                                       \
       binary::op::rule,                                                                          \
       {side_of<binary::op, 0>(), side_of<binary::op, 1>()},                                      \
       &binary::op::check,                                                                        \
       &binary::op::check_scalar,                                                                 \
       backward_name(#op, binary::op::node),                                                      \
       backward_name(#op,                                                                         \
                     binary::op::node_reflected ? binary::op::node_reflected : binary::op::node), \
       #op "_"},
      PYAG_BINARY_OPS(PYAG_X)
#undef PYAG_X
  }};
  return table[static_cast<size_t>(k)];
}

bool differentiable(const Info& in) { return binary::differentiable(in.rule); }
// What the derivatives of the sides that need a gradient read.
uint8_t uses(const Info& in, bool side_a, bool side_b) {
  uint8_t u = 0;
  if (side_a && in.grad[0].kind == Side::Kernel) u |= in.grad[0].uses;
  if (side_b && in.grad[1].kind == Side::Kernel) u |= in.grad[1].uses;
  return u;
}

// An operand as the node keeps it: a saved tensor, or a scalar.
struct SavedArg {
  SavedTensor t;
  double s = 0;
  bool scalar = false;
  bool is_false = false;  // the scalar is Python's False (pow's derivative treats it apart)
};

// x ** 0.5 and x ** -0.5 as PyTorch computes them, sqrt(x) and 1 / sqrt(x): (-inf) ** 0.5 is
// nan and (-0.0) ** -0.5 is -inf there, where std::pow gives inf.
void sqrt_power(const Tensor& out, const Tensor& x, double e) {
  unary_into(UnaryKernel::sqrt, out, x);
  if (e < 0) binary_into(BinaryKernel::div, out, 1.0, out);
}

Tensor side_grad(const Node& owner, BinaryKernel k, int scalar_side, const SavedArg& a,
                 const SavedArg& b, const SavedTensor& out, int side, const Tensor& g);

// The map gg -> (gradient of one side) with the operands held fixed, for create_graph=True
// where that gradient's coefficient is piecewise constant in the operands (maximum, minimum,
// fmod, remainder, copysign): linear in gg and its own adjoint, exact at every order.
struct BinaryGradBackward : Node {
  BinaryKernel k;
  int scalar_side, side;
  SavedArg a, b;
  SavedTensor out;
  std::string label;
  BinaryGradBackward(BinaryKernel kernel, int ss, int sd, const SavedArg& av, const SavedArg& bv,
                     const SavedTensor& o, const char* owner)
      : k(kernel),
        scalar_side(ss),
        side(sd),
        a(av),
        b(bv),
        out(o),
        label(std::string(owner) + "Backward") {}
  const char* name() const override { return label.c_str(); }
  std::vector<Tensor> apply(const Tensor& gg) override;
  bool apply_is_differentiable() const override { return true; }  // apply records
  void check() const override { a.t.check(*this), b.t.check(*this), out.check(*this); }
  void release() override { a.t.reset(), b.t.reset(), out.reset(); }
};

Tensor linear_side_grad(const Node& owner, BinaryKernel k, int scalar_side, const SavedArg& a,
                        const SavedArg& b, const SavedTensor& out, int side, const Tensor& g) {
  Tensor r = side_grad(owner, k, scalar_side, a, b, out, side, g);
  if (r.get() == g.get()) return r;  // a pass-through side
  record<BinaryGradBackward>({&g}, r, k, scalar_side, side, a, b, out, owner.name());
  return r;
}

std::vector<Tensor> BinaryGradBackward::apply(const Tensor& gg) {
  return {linear_side_grad(*this, k, scalar_side, a, b, out, side, gg)};
}

// Whether the gradient of `side` has a piecewise constant coefficient (see BinaryGradBackward).
bool piecewise_side(BinaryKernel k, int side) {
  switch (k) {
    case BinaryKernel::add:
    case BinaryKernel::sub:
    case BinaryKernel::maximum:
    case BinaryKernel::minimum:
    case BinaryKernel::copysign:
      return true;
    case BinaryKernel::fmod:
    case BinaryKernel::remainder:
      return true;  // a: g; b: -g * trunc/floor(a / b)
    default:
      (void)side;
      return false;
  }
}

struct BinaryBackward : Node {
  BinaryKernel k;
  int scalar_side;  // -1: two tensors; 0 or 1: that operand is a scalar (one input edge)
  SavedArg a, b;
  SavedTensor out;
  bool released = false;
  bool unsaved_scalar = false;  // add/sub's alpha (scale_by_alpha): nothing to free
  BinaryBackward(BinaryKernel kernel, int ss) : k(kernel), scalar_side(ss) {}
  const char* name() const override {
    // PyTorch's three pow overloads: tensor ** scalar, tensor ** tensor, scalar ** tensor
    if (k == BinaryKernel::pow)
      return scalar_side == 1 ? "PowBackward0" : scalar_side < 0 ? "PowBackward1" : "PowBackward2";
    return (scalar_side == 0 ? info(k).node_reflected : info(k).node).c_str();
  }
  std::vector<Tensor> apply(const Tensor& g) override {
    if (scalar_side >= 0) return {side_grad(*this, k, scalar_side, a, b, out, 1 - scalar_side, g)};
    return {needs(0) ? side_grad(*this, k, scalar_side, a, b, out, 0, g) : nullptr,
            needs(1) ? side_grad(*this, k, scalar_side, a, b, out, 1, g) : nullptr};
  }
  std::optional<std::vector<Tensor>> apply_graph(const Tensor& g,
                                                 const std::shared_ptr<Node>& self) override {
    std::vector<Tensor> r;
    if (scalar_side >= 0) {
      Tensor t = graph_side(1 - scalar_side, g, self);
      if (!t) return std::nullopt;
      r.push_back(t);
      return r;
    }
    for (int side = 0; side < 2; ++side) {
      Tensor t;
      if (needs(side) && !(t = graph_side(side, g, self))) return std::nullopt;
      r.push_back(t);
    }
    return r;
  }
  void check() const override {
    // A Python number operand is a saved (wrapped-number) tensor in PyTorch when the
    // derivative reads it (t * 2, t / 2): a second pass after release raises there too.
    if (released && scalar_side >= 0 && !unsaved_scalar &&
        (info(k).grad[1 - scalar_side].uses & (scalar_side == 0 ? binary::kA : binary::kB)))
      fail_freed(*this);
    a.t.check(*this), b.t.check(*this), out.check(*this);
  }
  void release() override { a.t.reset(), b.t.reset(), out.reset(), released = true; }

 private:
  // An operand with its history (create_graph=True): a tensor, or the scalar as a number.
  struct Operand {
    Tensor t;
    double s = 0;
  };
  Operand operand(const SavedArg& v, int side) const {
    if (v.scalar) return {nullptr, v.s};
    const Tensor& data = v.t.unpack(*this);
    // the edge of a tensor operand: its own index, or 0 when the other side is a scalar
    return {input_history(*this, scalar_side >= 0 ? 0 : static_cast<size_t>(side), data), 0};
  }
  // The gradient of one side as recorded ops (null: no such form here).
  Tensor graph_side(int side, const Tensor& g, const std::shared_ptr<Node>& self) const {
    using K = BinaryKernel;
    if (piecewise_side(k, side)) return linear_side_grad(*this, k, scalar_side, a, b, out, side, g);
    auto times = [](const Tensor& x, const Operand& o) {
      return o.t ? mul(x, o.t) : mul(x, Scalar{o.s});
    };
    auto divide = [](const Tensor& x, const Operand& o) {
      return o.t ? div(x, o.t) : div(x, Scalar{o.s});
    };
    auto square = [](const Operand& o) { return o.t ? mul(o.t, o.t) : nullptr; };
    switch (k) {
      case K::mul:
        return side == 0 ? times(g, operand(b, 1)) : times(g, operand(a, 0));
      case K::div: {
        const Operand bv = operand(b, 1);
        if (side == 0) return divide(g, bv);
        const Operand av = operand(a, 0);  // -g * a / b^2
        return neg(divide(divide(times(g, av), bv), bv));
      }
      case K::atan2: {
        const Operand av = operand(a, 0), bv = operand(b, 1);
        if (!av.t || !bv.t) return nullptr;
        Tensor denom = add(square(av), square(bv));
        return side == 0 ? div(times(g, bv), denom) : neg(div(times(g, av), denom));
      }
      case K::hypot: {
        const Operand v = side == 0 ? operand(a, 0) : operand(b, 1);
        return div(times(g, v), output_history(self, out.unpack(*this)));
      }
      case K::pow: {
        if (b.is_false) return nullptr;
        const Operand av = operand(a, 0), bv = operand(b, 1);
        if (side == 0) {  // g * b * a ** (b - 1), 0 where b == 0
          if (!bv.t) {
            if (bv.s == 0) return zeros(g->shape, g->dtype);
            return times(g, Operand{mul(pow(av.t, Scalar{bv.s - 1}), Scalar{bv.s}), 0});
          }
          Tensor d = mul(bv.t, av.t ? pow(av.t, sub(bv.t, Scalar{1.0}))
                                    : pow(Scalar{av.s}, sub(bv.t, Scalar{1.0})));
          return where(eq(bv.t, Scalar{0.0}), Scalar{0.0}, mul(g, d));
        }
        // g * out * log(a), 0 where a == 0 and b >= 0
        Tensor o = output_history(self, out.unpack(*this));
        if (!av.t) {
          if (av.s == 0)
            return where(ge(bv.t, Scalar{0.0}), Scalar{0.0}, mul(g, mul(o, Scalar{-INFINITY})));
          return mul(g, mul(o, Scalar{std::log(av.s)}));
        }
        Tensor d = mul(g, mul(o, log(av.t)));
        Tensor zero_base = eq(av.t, Scalar{0.0});
        Tensor mask = bv.t ? logical_and(zero_base, ge(bv.t, Scalar{0.0})) : zero_base;
        return where(mask, Scalar{0.0}, d);
      }
      default:
        return nullptr;
    }
  }
};

Tensor side_grad(const Node& owner, BinaryKernel k, int scalar_side, const SavedArg& a,
                 const SavedArg& b, const SavedTensor& out, int side, const Tensor& g) {
  {
    // x ** 0.5 and x ** 1.5: PyTorch's derivative g * (e * x ** (e - 1)) computes x ** -0.5 and
    // x ** 0.5 as 1 / sqrt(x) and sqrt(x) too (they differ from std::pow at -0.0 and -inf).
    if (k == BinaryKernel::pow && scalar_side == 1 && (b.s == 0.5 || b.s == 1.5)) {
      const Tensor& x = a.t.unpack(owner);
      Tensor p = empty(x->shape, x->dtype);
      sqrt_power(p, x, b.s - 1);
      return mul(g, mul(p, Scalar{b.s}));
    }
    // x ** False: PyTorch's "zero exponent gives zero" test misses a bool zero, so it computes
    // g * (False * x ** -1), NaN at x = 0. Followed: PyTorch is the spec.
    if (k == BinaryKernel::pow && scalar_side == 1 && b.is_false)
      return mul(g, mul(div(Scalar{1.0}, a.t.unpack(owner)), Scalar{0.0}));
    const Side s = info(k).grad[side];
    if (s.kind == Side::Pass) return g;
    // Only what the side declares it reads reaches the kernel; the rest is NaN.
    auto arg = [&](const SavedArg& v, uint8_t bit) -> std::optional<Arg> {
      if (!(s.uses & bit)) return std::nullopt;
      if (v.scalar) return Arg(v.s);
      return Arg(v.t.unpack(owner));
    };
    const std::optional<Arg> av = arg(a, binary::kA), bv = arg(b, binary::kB);
    Tensor r = empty(g->shape, g->dtype);
    binary_grad_into(k, side, r, g, av ? &*av : nullptr, bv ? &*bv : nullptr,
                     s.uses & binary::kOut ? &out.unpack(owner) : nullptr);
    return r;
  }
}

// The dtype op `in` computes in, from its operands' dtypes (a Python number's: bool, int64 or
// the default float) and their promoted dtype ct (tensor/promotion.h).
DType compute_dtype(const Info& in, DType a, DType b, DType ct, const char* name) {
  switch (in.rule) {
    case Rule::Integral:
      if (is_floating(ct))
        fail(name, "is only defined for bool and integer tensors, got ", dtype_name(a), " and ",
             dtype_name(b));
      return ct;
    case Rule::TrueDivide:
      return is_floating(ct) ? ct : default_dtype();
    case Rule::PromoteNoBool:
      if (a == DType::Bool && b == DType::Bool)
        fail(name, "with two bool tensors is not supported; use the ^ operator or logical_xor()");
      if (a == DType::Bool || b == DType::Bool)
        fail(name,
             "with a bool tensor is not supported; to invert a mask, use the ~ operator or "
             "logical_not()");
      return ct;
    case Rule::Promote:
    case Rule::PromoteNoGrad:
    case Rule::ToBool:
      return ct;
  }
  return ct;
}

DType result_dtype(const Info& in, DType ct) { return in.rule == Rule::ToBool ? DType::Bool : ct; }

// The dtype of `tensor op scalar` (either order).
DType scalar_compute_dtype(const Info& in, DType t, Scalar s, const char* name) {
  return compute_dtype(in, t, scalar_dtype(s.kind), promote_scalar(t, s.kind), name);
}

void check_inplace_result(const Info& in, DType ct, const Tensor& self, const char* name) {
  if (in.rule == Rule::ToBool) fail(name, "is not supported in place: the result is a bool tensor");
  if (!can_cast(ct, self->dtype))
    fail(name, "result type ", dtype_name(ct), " can't be cast to the desired output type ",
         dtype_name(self->dtype));
}

// An integer tensor ** number: PyTorch converts the exponent to the tensor's dtype with an
// overflow check (uint8 ** 300 raises); every other scalar operand wraps (uint8 + 300 adds 44).
void check_exponent_fits(BinaryKernel k, DType ct, Scalar s, bool scalar_first, const char* name) {
  if (k == BinaryKernel::pow && !scalar_first && is_integral(ct)) check_fits(s, ct, name);
}

}  // namespace

namespace {

// PyTorch's is_non_overlapping_and_dense: the dims of size >= 2, by stride, tile memory.
bool non_overlapping_dense(const Dims& shape, const Dims& strides) {
  const int n = static_cast<int>(shape.size());
  std::vector<int> ds;
  for (int d = 0; d < n; ++d)
    if (shape[d] >= 2) ds.push_back(d);
  for (int d = 0; d < n; ++d)
    if (shape[d] == 0) return true;
  std::stable_sort(ds.begin(), ds.end(), [&](int a, int b) { return strides[a] < strides[b]; });
  int64_t expect = 1;
  for (int d : ds) {
    if (strides[d] != expect) return false;
    expect *= shape[d];
  }
  return true;
}

Tensor empty_with_strides(const Dims& shape, const Dims& strides, DType dtype) {
  Tensor flat = empty(Dims{numel_of(shape, "empty")}, dtype);
  return make_view(flat, shape, strides, 0);
}

// TensorIterator's reorder_dimensions (and infer_dense_strides, its one-operand form): dense
// strides for `shape` in the order of the operands' strides `bs` (in `shape`, broadcast dims 0):
// an insertion sort of the dims, fastest first, where the first operand that orders two dims
// decides (stride 0 is ambiguous; equal strides put the smaller size first).
Dims dense_in_order(const Dims& shape, const std::vector<Dims>& bs) {
  const int nd = shape.size();
  auto should_swap = [&](int d0, int d1) {
    for (const Dims& b : bs) {
      const int64_t s0 = b[d0], s1 = b[d1];
      if (s0 == 0 || s1 == 0) continue;
      if (s0 < s1) return -1;
      if (s0 > s1) return 1;
      if (shape[d0] > shape[d1]) return 1;
    }
    return 0;
  };
  std::vector<int> perm(static_cast<size_t>(nd));
  for (int j = 0; j < nd; ++j) perm[j] = nd - 1 - j;
  for (int i = 1; i < nd; ++i) {
    int dim1 = i;
    for (int dim0 = i - 1; dim0 >= 0; --dim0) {
      const int c = should_swap(perm[dim0], perm[dim1]);
      if (c > 0) {
        std::swap(perm[dim0], perm[dim1]);
        dim1 = dim0;
      } else if (c < 0) {
        break;
      }
    }
  }
  Dims st = Dims::filled(nd, 0);
  int64_t acc = 1;
  for (int j = 0; j < nd; ++j) {
    st[perm[j]] = acc;
    acc *= shape[perm[j]];
  }
  return st;
}

}  // namespace

Tensor empty_pointwise(const Dims& shape, DType dtype, DType compute,
                       std::initializer_list<const Tensor*> inputs, bool number_operand) {
  bool contig = true;
  for (const Tensor* t : inputs) contig = contig && (*t)->contiguous();
  if (contig) return empty(shape, dtype);  // the common case: nothing more to look at
  if (numel_of(shape, "empty") == 0) return empty(shape, dtype);
  // Each input's strides as TensorIterator sees them: after the CPU cast to `compute`, whose
  // result (_to_copy, preserve_format) is dense in the input's stride order.
  const int nd = shape.size();
  std::vector<Dims> bs;  // broadcast strides in `shape`, right-aligned
  Dims first;
  bool same = !number_operand;
  contig = true;
  for (const Tensor* tp : inputs) {
    const Tensor& t = *tp;
    Dims st = t->strides;
    if (t->dtype != compute && !non_overlapping_dense(t->shape, st))
      st = dense_in_order(t->shape, {st});
    if (bs.empty()) first = st;
    contig = contig && is_contiguous(t->shape, st);
    same = same && t->shape == shape && non_overlapping_dense(t->shape, st) && st == first;
    const int off = nd - t->dim();
    Dims b = Dims::filled(nd, 0);
    for (int i = 0; i < t->dim(); ++i)
      b[off + i] = t->shape[i] == 1 && shape[off + i] != 1 ? 0 : st[i];
    bs.push_back(b);
  }
  if (contig) return empty(shape, dtype);
  if (same) return empty_with_strides(shape, first, dtype);
  return empty_with_strides(shape, dense_in_order(shape, bs), dtype);
}

DType detail::binary_compute_dtype(int op, DType a, DType b) {
  const Info& in = info(static_cast<BinaryKernel>(op));
  return compute_dtype(in, a, b, promote_types(a, b), in.name);
}

Tensor detail::apply_binary(int op, const Tensor& a, const Tensor& b) {
  const auto k = static_cast<BinaryKernel>(op);
  const Info& in = info(k);
  in.check(in.name, a->dtype, b->dtype);
  const DType ct = compute_dtype(in, a->dtype, b->dtype, result_type(a, b), in.name);
  Dims shape = a->shape == b->shape ? a->shape : broadcast_shapes(a->shape, b->shape, in.name);
  Tensor out = empty_pointwise(shape, result_dtype(in, ct), ct, {&a, &b});
  Tensor ac = cast(a, ct), bc = cast(b, ct);
  binary_into(k, out, ac, bc);
  if (!differentiable(in)) return out;
  if (auto n = record<BinaryBackward>({&ac, &bc}, out, k, -1)) {
    const uint8_t u = uses(in, n->needs(0), n->needs(1));
    if (u & binary::kA) n->a.t = SavedTensor(ac);
    if (u & binary::kB) n->b.t = SavedTensor(bc);
    if (u & binary::kOut) n->out = SavedTensor(out);
  }
  return out;
}

Tensor detail::apply_binary(int op, const Tensor& a, Scalar s, bool scalar_first) {
  // s / t as PyTorch computes it, reciprocal(t) * s: its values, and what it saves for
  // backward (1 / t, so that t can be written in place after).
  if (static_cast<BinaryKernel>(op) == BinaryKernel::div && scalar_first)
    return mul(reciprocal(a), s);
  return apply_binary_number_first(op, a, s, scalar_first);
}

Tensor detail::apply_binary_number_first(int op, const Tensor& a, Scalar s, bool scalar_first) {
  const auto k = static_cast<BinaryKernel>(op);
  const Info& in = info(k);
  const DType ct = scalar_compute_dtype(in, a->dtype, s, in.name);
  in.check_scalar(in.name, ct, s.v, scalar_first);
  check_exponent_fits(k, ct, s, scalar_first, in.name);
  Tensor out = empty_pointwise(a->shape, result_dtype(in, ct), ct, {&a}, true);
  Tensor ac = cast(a, ct);
  if (scalar_first)
    binary_into(k, out, s.v, ac);
  else if (k == BinaryKernel::pow && is_floating(ct) && (s.v == 0.5 || s.v == -0.5))
    sqrt_power(out, ac, s.v);
  else
    binary_into(k, out, ac, s.v);
  if (!differentiable(in)) return out;
  const int scalar_side = scalar_first ? 0 : 1;
  if (auto n = record<BinaryBackward>({&ac}, out, k, scalar_side)) {
    SavedArg& t = scalar_first ? n->b : n->a;
    SavedArg& c = scalar_first ? n->a : n->b;
    c.scalar = true;
    c.s = s.v;
    c.is_false = s.kind == ScalarKind::Bool && s.v == 0;
    const uint8_t u = uses(in, !scalar_first, scalar_first);
    if (u & (scalar_first ? binary::kB : binary::kA)) t.t = SavedTensor(ac);
    if (u & binary::kOut) n->out = SavedTensor(out);
  }
  return out;
}

Tensor detail::scale_by_alpha(const Tensor& a, Scalar alpha) {
  Tensor r = apply_binary_number_first(binary_index<binary::mul>, a, alpha, false);
  if (auto* n = dynamic_cast<BinaryBackward*>(r->grad_fn().get())) n->unsaved_scalar = true;
  return r;
}

const Tensor& detail::apply_binary_(int op, const Tensor& self, const Tensor& other) {
  const auto k = static_cast<BinaryKernel>(op);
  const Info& in = info(k);
  const char* name = in.inplace.c_str();
  in.check(name, self->dtype, other->dtype);
  const DType ct = compute_dtype(in, self->dtype, other->dtype, result_type(self, other), name);
  check_inplace_result(in, ct, self, name);
  if (self->shape != other->shape &&
      broadcast_shapes(self->shape, other->shape, name) != self->shape)
    fail(name, "output with shape ", shape_str(self->shape), " doesn't match the broadcast shape ",
         shape_str(broadcast_shapes(self->shape, other->shape, name)));
  if (check_inplace(self, other->requires_grad(), name)) {
    // Computed out of place, then written into self: a derivative that reads self gets a copy.
    const bool reads_self = uses(in, true, true) & binary::kA;
    return commit_inplace(self, apply_binary(op, reads_self ? clone(self) : self, other));
  }
  Tensor o = other->dtype == self->dtype ? other : cast(other, self->dtype);
  if (overlaps(self, o)) o = clone(o);
  binary_into(k, self, self, o);
  self->bump_version();
  return self;
}

const Tensor& detail::apply_binary_(int op, const Tensor& self, Scalar s) {
  const auto k = static_cast<BinaryKernel>(op);
  const Info& in = info(k);
  const char* name = in.inplace.c_str();
  const DType ct = scalar_compute_dtype(in, self->dtype, s, name);
  check_inplace_result(in, ct, self, name);
  in.check_scalar(name, ct, s.v, false);
  check_exponent_fits(k, ct, s, false, name);
  if (check_inplace(self, false, name)) {
    const bool reads_self = uses(in, true, false) & binary::kA;
    return commit_inplace(self, apply_binary(op, reads_self ? clone(self) : self, s, false));
  }
  if (k == BinaryKernel::pow && is_floating(ct) && (s.v == 0.5 || s.v == -0.5))
    sqrt_power(self, self, s.v);
  else
    binary_into(k, self, self, s.v);
  self->bump_version();
  return self;
}

}  // namespace pyag
