// The unary kernels, generated from the declarations of kernels/unary_ops.h.
#include <limits>

#include "capture/hooks.h"
#include "kernels/elementwise.h"
#include "kernels/kernel_plan.h"
#include "kernels/map.h"

namespace pyag {
namespace {

using unary::Grad;
using unary::Rule;

// The C++ types an op's kernel is instantiated for (the op layer casts or refuses the others).
template <class Op, class T>
constexpr bool supports() {
  if constexpr (Op::rule == Rule::IntToFloat)
    return std::is_floating_point_v<T>;
  else if constexpr (Op::rule == Rule::Integral)
    return std::is_integral_v<T>;
  else if constexpr (Op::rule == Rule::ToBool)
    return true;
  else
    return !std::is_same_v<T, bool> || Op::bool_input == unary::BoolInput::Keep;
}

template <class Op>
constexpr size_t nparams = std::tuple_size_v<std::decay_t<decltype(Op::params)>>;

// The parameters as the compute type.
template <class T, size_t N>
std::array<T, N> params_as(const ScalarArgs& p) {
  std::array<T, N> r{};
  for (size_t i = 0; i < N; ++i) r[i] = param_as<T>(p[static_cast<int>(i)]);
  return r;
}

template <class Op, class T, size_t... I>
void forward(const Loop& L, const ScalarArgs& p, std::index_sequence<I...>) {
  const auto ps = params_as<T, sizeof...(I)>(p);
  using O = decltype(Op::f(T{}, ps[I]...));
  map1<O, T>(L, [ps](T x) { return Op::f(x, ps[I]...); });
}

template <class Op, class T>
void forward_body(const KernelPlan& P) {
  forward<Op, T>(P.loop, P.p, std::make_index_sequence<nparams<Op>>{});
}

// The derivative over the plan's loop: (out, g), then x and/or y as Op::grad reads them.
template <class Op, class T, size_t... I>
void backward(const Loop& L, const ScalarArgs& p, std::index_sequence<I...>) {
  const auto ps = params_as<T, sizeof...(I)>(p);
  if constexpr (Op::grad == Grad::FromInput || Op::grad == Grad::FromOutput)
    map2<T, T>(L, [ps](T gv, T a) { return Op::df(gv, a, ps[I]...); });
  else if constexpr (Op::grad == Grad::FromBoth)
    map_n<T, T, T, T>(L, [ps](T gv, T a, T b) { return Op::df(gv, a, b, ps[I]...); });
  else if constexpr (Op::grad == Grad::FromGrad)
    map1<T, T>(L, [ps](T gv) { return Op::df(gv, ps[I]...); });
}

template <class Op, class T>
void backward_body(const KernelPlan& P) {
  backward<Op, T>(P.loop, P.p, std::make_index_sequence<nparams<Op>>{});
}

template <class Op, class = void>
struct has_df : std::false_type {};
template <class Op>
struct has_df<Op, std::void_t<decltype(&Op::template df<double>)>> : std::true_type {};

template <class Op>
void make_plan(KernelPlan& P, const Tensor& out, const Tensor& a, const ScalarArgs& p) {
  static_assert(!(Op::grad == Grad::Zero || Op::grad == Grad::None) || !has_df<Op>::value,
                "this op defines df but declares grad = Zero or None: which one is it?");
  P.p = p;
  Op::prepare(P.p);
  dispatch(a->dtype, [&](auto v) {
    using T = decltype(v);
    if constexpr (supports<Op, T>()) {
      P.over(out->shape);
      P.add(out);
      P.add(a);
      P.loop.coalesce();
      P.body = &forward_body<Op, T>;
    } else {
      fail("unary", op_name(unary_id<Op>), " is not defined for ", dtype_name(a->dtype),
           " tensors");
    }
  });
}

template <class Op>
void make_grad_plan(KernelPlan& P, const Tensor& out, const Tensor& g, const Tensor* x,
                    const Tensor* y, const ScalarArgs& p) {
  const char* name = op_name(unary_id<Op>);
  auto need = [name](const Tensor* t, const char* what) -> const Tensor& {
    if (!t) fail(name, "internal: the derivative kernel needs the saved ", what);
    return *t;
  };
  P.p = p;
  Op::prepare(P.p);
  dispatch_float(g->dtype, [&](auto v) {
    using T = decltype(v);
    if constexpr (Op::grad == Grad::Zero || Op::grad == Grad::None) {
      fail(name, "internal: this op has no derivative kernel");
    } else {
      P.over(out->shape);
      P.add(out);
      P.add(g);
      if constexpr (Op::grad == Grad::FromInput || Op::grad == Grad::FromBoth)
        P.add(need(x, "input"));
      if constexpr (Op::grad == Grad::FromOutput || Op::grad == Grad::FromBoth)
        P.add(need(y, "output"));
      P.loop.coalesce();
      P.body = &backward_body<Op, T>;
    }
  });
}

}  // namespace

const char* op_name(UnaryKernel k) {
  static constexpr const char* names[] = {
#define PYAG_X(op) #op,
      PYAG_UNARY_OPS(PYAG_X)
#undef PYAG_X
  };
  static_assert(std::size(names) == kNumUnary);
  return names[static_cast<int>(k)];
}

void plan_unary(KernelPlan& plan, UnaryKernel k, const Tensor& out, const Tensor& a,
                const ScalarArgs& p) {
  capture::refuse("plan_unary",
                  "a kernel plan runs outside the kernel waist (only a replay makes its own)");
  switch (k) {
#define PYAG_X(op)      \
  case UnaryKernel::op: \
    return make_plan<unary::op>(plan, out, a, p);
    PYAG_UNARY_OPS(PYAG_X)
#undef PYAG_X
  }
}

void plan_unary_grad(KernelPlan& plan, UnaryKernel k, const Tensor& out, const Tensor& g,
                     const Tensor* x, const Tensor* y, const ScalarArgs& p) {
  capture::refuse("plan_unary_grad",
                  "a kernel plan runs outside the kernel waist (only a replay makes its own)");
  switch (k) {
#define PYAG_X(op)      \
  case UnaryKernel::op: \
    return make_grad_plan<unary::op>(plan, out, g, x, y, p);
    PYAG_UNARY_OPS(PYAG_X)
#undef PYAG_X
  }
}

void unary_into(UnaryKernel k, const Tensor& out, const Tensor& a, const ScalarArgs& p) {
  // The waist: a recorder of kernel calls intercepts here (k, out, a, p).
  capture::Waist rec;
  if (rec) rec->unary(k, out, a, p);
  KernelPlan plan;
  const std::vector<int> perm = memory_perm(out);
  if (!perm.empty()) {  // a permuted output: the loop walks memory in its order
    Tensor o = permuted_as(out, out->shape, perm), x = permuted_as(a, out->shape, perm);
    plan_unary(plan, k, o, x, p);
    plan.body(plan);
    return;
  }
  plan_unary(plan, k, out, a, p);
  plan.body(plan);
}

void unary_grad_into(UnaryKernel k, const Tensor& out, const Tensor& g, const Tensor* x,
                     const Tensor* y, const ScalarArgs& p) {
  // The waist: a recorder of kernel calls intercepts here (k, out, g, x, y, p).
  capture::Waist rec;
  if (rec) rec->unary_grad(k, out, g, x, y, p);
  KernelPlan plan;
  plan_unary_grad(plan, k, out, g, x, y, p);
  plan.body(plan);
}

}  // namespace pyag
