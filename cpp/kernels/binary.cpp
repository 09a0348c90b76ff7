// The binary kernels, generated from the declarations of kernels/binary_ops.h.
#include <iterator>
#include <limits>
#include <string>

#include "capture/hooks.h"
#include "kernels/elementwise.h"
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

// Adds an operand to the loop: a tensor, or a scalar held in `slot` (NaN when missing).
template <class T>
void add_operand(Loop& L, const Arg* a, T& slot) {
  if (a && a->t) return L.add(*a->t);
  slot = a ? param_as<T>(a->s) : std::numeric_limits<T>::quiet_NaN();
  L.add_scalar(&slot);
}

template <class Op>
void run(const Tensor& out, Arg a, Arg b) {
  const DType dt = a.t ? (*a.t)->dtype : (*b.t)->dtype;
  dispatch(dt, [&](auto v) {
    using T = decltype(v);
    if constexpr (supports<Op, T>()) {
      using O = decltype(Op::f(T{}, T{}));
      T sa{}, sb{};
      Loop L = Loop::over(out->shape);
      L.add(out);
      add_operand(L, &a, sa);
      add_operand(L, &b, sb);
      L.coalesce();
      map2<O, T>(L, [](T x, T y) { return Op::f(x, y); });
    } else {
      fail(op_name(binary_id<Op>), "is only defined for ", integral_names(), " tensors, got ",
           dtype_name(dt));
    }
  });
}

template <class Op>
void run_grad(int side, const Tensor& out, const Tensor& g, const Arg* a, const Arg* b,
              const Tensor* y) {
  const char* name = op_name(binary_id<Op>);
  if constexpr (binary::differentiable(Op::rule)) {
    dispatch_float(g->dtype, [&](auto v) {
      using T = decltype(v);
      T sa{}, sb{}, sy = std::numeric_limits<T>::quiet_NaN();
      Loop L = Loop::over(out->shape);
      L.add(out);
      L.add(g);
      add_operand(L, a, sa);
      add_operand(L, b, sb);
      if (y)
        L.add(*y);
      else
        L.add_scalar(&sy);
      L.coalesce();
      if (side == 0) {
        if constexpr (Op::grad_a.kind == Side::Kernel)
          return map_n<T, T, T, T, T>(
              L, [](T gv, T av, T bv, T yv) { return Op::da(gv, av, bv, yv); });
      } else {
        if constexpr (Op::grad_b.kind == Side::Kernel)
          return map_n<T, T, T, T, T>(
              L, [](T gv, T av, T bv, T yv) { return Op::db(gv, av, bv, yv); });
      }
      fail(name, "internal: operand ", side, " has no derivative kernel");
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

void binary_into(BinaryKernel k, const Tensor& out, Arg a, Arg b) {
  capture::Waist rec;
  if (rec) rec->binary(k, out, a, b);
  // The waist: a recorder of kernel calls intercepts here (k, out, a, b).
  switch (k) {
#define PYAG_X(op)       \
  case BinaryKernel::op: \
    return run<binary::op>(out, a, b);
    PYAG_BINARY_OPS(PYAG_X)
#undef PYAG_X
  }
}

void binary_grad_into(BinaryKernel k, int side, const Tensor& out, const Tensor& g, const Arg* a,
                      const Arg* b, const Tensor* y) {
  capture::Waist rec;
  if (rec) rec->binary_grad(k, side, out, g, a, b, y);
  // The waist: a recorder of kernel calls intercepts here (k, side, out, g, a, b, y).
  switch (k) {
#define PYAG_X(op)       \
  case BinaryKernel::op: \
    return run_grad<binary::op>(side, out, g, a, b, y);
    PYAG_BINARY_OPS(PYAG_X)
#undef PYAG_X
  }
}

}  // namespace pyag
