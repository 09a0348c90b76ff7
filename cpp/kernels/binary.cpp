// The binary kernels, generated from the declarations of kernels/binary_ops.h.
#include <iterator>
#include <limits>
#include <string>

#include "capture/hooks.h"
#include "kernels/elementwise.h"
#include "kernels/kernel_plan.h"
#include "kernels/map.h"

namespace pyag {
namespace {

using binary::Rule;
using binary::Side;

template <class Op, class T>
constexpr bool supports() {
  if constexpr (Op::rule == Rule::Integral)
    return std::is_integral_v<T>;
  else
    return true;
}

// "bool and int64": the dtypes the bitwise ops accept.
const std::string& integral_names() {
  static const std::string s = [] {
    std::string names;
    int n = 0;
    for (int i = 0; i < kNumDTypes; ++i)
      if (is_integral(static_cast<DType>(i))) ++n;
    for (int i = 0, k = 0; i < kNumDTypes; ++i) {
      const auto d = static_cast<DType>(i);
      if (!is_integral(d)) continue;
      names += k ? (k == n - 1 ? " and " : ", ") : "";
      names += dtype_name(d);
      ++k;
    }
    return names;
  }();
  return s;
}

// Adds an operand to the plan: a tensor, or a scalar held by the plan (NaN when missing).
template <class T>
void add_operand(KernelPlan& P, const Arg* a) {
  if (a && a->t) return P.add(*a->t);
  P.add_scalar<T>(a ? param_as<T>(a->s) : std::numeric_limits<T>::quiet_NaN());
}

template <class Op, class T>
void body(const KernelPlan& P) {
  using O = decltype(Op::f(T{}, T{}));
  map2<O, T>(P.loop, [](T x, T y) { return Op::f(x, y); });
}

template <class Op>
void make_plan(KernelPlan& P, const Tensor& out, Arg a, Arg b) {
  const DType dt = a.t ? (*a.t)->dtype : (*b.t)->dtype;
  dispatch(dt, [&](auto v) {
    using T = decltype(v);
    if constexpr (supports<Op, T>()) {
      P.over(out->shape);
      P.add(out);
      add_operand<T>(P, &a);
      add_operand<T>(P, &b);
      P.loop.coalesce();
      P.body = &body<Op, T>;
    } else {
      fail(op_name(binary_id<Op>), "is only defined for ", integral_names(), " tensors, got ",
           dtype_name(dt));
    }
  });
}

template <class Op, class T>
void grad_body_a(const KernelPlan& P) {
  map_n<T, T, T, T, T>(P.loop, [](T gv, T av, T bv, T yv) { return Op::da(gv, av, bv, yv); });
}
template <class Op, class T>
void grad_body_b(const KernelPlan& P) {
  map_n<T, T, T, T, T>(P.loop, [](T gv, T av, T bv, T yv) { return Op::db(gv, av, bv, yv); });
}

template <class Op>
void plan_grad(KernelPlan& P, int side, const Tensor& out, const Tensor& g, const Arg* a,
               const Arg* b, const Tensor* y) {
  const char* name = op_name(binary_id<Op>);
  if constexpr (binary::differentiable(Op::rule)) {
    dispatch_float(g->dtype, [&](auto v) {
      using T = decltype(v);
      KernelPlan::Body f = nullptr;
      if (side == 0) {
        if constexpr (Op::grad_a.kind == Side::Kernel) f = &grad_body_a<Op, T>;
      } else {
        if constexpr (Op::grad_b.kind == Side::Kernel) f = &grad_body_b<Op, T>;
      }
      if (!f) fail(name, "internal: operand ", side, " has no derivative kernel");
      P.over(out->shape);
      P.add(out);
      P.add(g);
      add_operand<T>(P, a);
      add_operand<T>(P, b);
      if (y)
        P.add(*y);
      else
        P.add_scalar<T>(std::numeric_limits<T>::quiet_NaN());
      P.loop.coalesce();
      P.body = f;
    });
  } else {
    fail(name, "internal: this op is not differentiable");
  }
}

}  // namespace

const char* op_name(BinaryKernel k) {
  static constexpr const char* names[] = {
#define PYAG_X(op) #op,
      PYAG_BINARY_OPS(PYAG_X)
#undef PYAG_X
  };
  static_assert(std::size(names) == kNumBinary);
  return names[static_cast<int>(k)];
}

void plan_binary(KernelPlan& plan, BinaryKernel k, const Tensor& out, Arg a, Arg b) {
  capture::refuse("plan_binary",
                  "a kernel plan runs outside the kernel waist (only a replay makes its own)");
  switch (k) {
#define PYAG_X(op)       \
  case BinaryKernel::op: \
    return make_plan<binary::op>(plan, out, a, b);
    PYAG_BINARY_OPS(PYAG_X)
#undef PYAG_X
  }
}

void plan_binary_grad(KernelPlan& plan, BinaryKernel k, int side, const Tensor& out,
                      const Tensor& g, const Arg* a, const Arg* b, const Tensor* y) {
  capture::refuse("plan_binary_grad",
                  "a kernel plan runs outside the kernel waist (only a replay makes its own)");
  switch (k) {
#define PYAG_X(op)       \
  case BinaryKernel::op: \
    return plan_grad<binary::op>(plan, side, out, g, a, b, y);
    PYAG_BINARY_OPS(PYAG_X)
#undef PYAG_X
  }
}

void binary_into(BinaryKernel k, const Tensor& out, Arg a, Arg b) {
  capture::Waist rec;
  if (rec) rec->binary(k, out, a, b);
  // The waist: a recorder of kernel calls intercepts here (k, out, a, b).
  KernelPlan plan;
  const std::vector<int> perm = memory_perm(out);
  if (!perm.empty()) {  // a permuted output: the loop walks memory in its order
    Tensor o = permuted_as(out, out->shape, perm), ta, tb;
    Arg pa = a, pb = b;
    if (a.t) pa = Arg(ta = permuted_as(*a.t, out->shape, perm));
    if (b.t) pb = Arg(tb = permuted_as(*b.t, out->shape, perm));
    plan_binary(plan, k, o, pa, pb);
    plan.body(plan);
    return;
  }
  plan_binary(plan, k, out, a, b);
  plan.body(plan);
}

void binary_grad_into(BinaryKernel k, int side, const Tensor& out, const Tensor& g, const Arg* a,
                      const Arg* b, const Tensor* y) {
  capture::Waist rec;
  if (rec) rec->binary_grad(k, side, out, g, a, b, y);
  // The waist: a recorder of kernel calls intercepts here (k, side, out, g, a, b, y).
  KernelPlan plan;
  plan_binary_grad(plan, k, side, out, g, a, b, y);
  plan.body(plan);
}

}  // namespace pyag
