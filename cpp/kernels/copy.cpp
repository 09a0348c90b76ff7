// Data movement kernels: fill, copy (with dtype conversion and broadcasting), where.
#include <cstring>

#include "capture/hooks.h"
#include "kernels/elementwise.h"
#include "kernels/kernel_plan.h"
#include "kernels/map.h"

namespace pyag {

namespace {

template <class T>
void fill_zero_body(const KernelPlan& P) {  // zero_(): memset on dense rows
  P.loop.run_parallel([](char** p, const int64_t* s, int64_t n) {
    if (s[0] == static_cast<int64_t>(sizeof(T))) {
      std::memset(p[0], 0, static_cast<size_t>(n) * sizeof(T));
    } else {
      for (int64_t i = 0; i < n; ++i) *reinterpret_cast<T*>(p[0] + i * s[0]) = T{};
    }
  });
}

template <class T>
void fill_body(const KernelPlan& P) {
  map1<T, T>(P.loop, [](T a) { return a; });
}

template <class T>  // T: a type of the dtype's size
void copy_same_body(const KernelPlan& P) {
  constexpr int64_t isz = sizeof(T);
  P.loop.run_parallel([](char** p, const int64_t* s, int64_t n) {
    if (s[0] == isz && s[1] == isz) {
      std::memcpy(p[0], p[1], static_cast<size_t>(n * isz));
    } else {
      for (int64_t i = 0; i < n; ++i)
        std::memcpy(p[0] + i * s[0], p[1] + i * s[1], static_cast<size_t>(isz));
    }
  });
}

template <class O, class A>
void convert_body(const KernelPlan& P) {
  // float -> a narrow integer truncates, then wraps, as PyTorch on x86-64: uint8 through
  // int64 (-2.7 -> 254), int8 and int16 through int32; out of int32's (int64's) range or
  // NaN, int32 (int64) gives its lowest value, int8 and int16 0.
  if constexpr (std::is_floating_point_v<A> && std::is_same_v<O, uint8_t>)
    map1<O, A>(P.loop, [](A x) { return static_cast<O>(static_cast<int64_t>(x)); });
  else if constexpr (std::is_floating_point_v<A> && std::is_integral_v<O> &&
                     !std::is_same_v<O, bool> && sizeof(O) < sizeof(int32_t))
    map1<O, A>(P.loop, [](A x) { return static_cast<O>(static_cast<int32_t>(x)); });
  else
    map1<O, A>(P.loop, [](A x) { return static_cast<O>(x); });
}

template <class T>
void where_body(const KernelPlan& P) {
  map_n<T, bool, T, T>(P.loop, [](bool c, T x, T y) { return c ? x : y; });
}

}  // namespace

void plan_fill(KernelPlan& plan, const Tensor& t, double value) {
  capture::refuse("plan_fill",
                  "a kernel plan runs outside the kernel waist (only a replay makes its own)");
  dispatch(t->dtype, [&](auto v) {
    using T = decltype(v);
    const T x = param_as<T>(value);
    plan.over(t->shape);
    plan.add(t);
    T zero{};
    if (std::memcmp(&x, &zero, sizeof(T)) == 0) {
      plan.loop.coalesce();
      plan.body = &fill_zero_body<T>;
      return;
    }
    plan.loop.coalesce();
    plan.add_scalar<T>(x);  // stride 0 in every (coalesced) dim
    plan.body = &fill_body<T>;
  });
}

void plan_copy(KernelPlan& plan, const Tensor& dst, const Tensor& src) {
  capture::refuse("plan_copy",
                  "a kernel plan runs outside the kernel waist (only a replay makes its own)");
  plan.over(dst->shape);
  plan.add(dst);
  plan.add(src);
  plan.loop.coalesce();
  if (dst->dtype == src->dtype) {
    switch (itemsize(dst->dtype)) {
      case 1:
        plan.body = &copy_same_body<uint8_t>;
        return;
      case 2:
        plan.body = &copy_same_body<uint16_t>;
        return;
      case 4:
        plan.body = &copy_same_body<uint32_t>;
        return;
      case 8:
        plan.body = &copy_same_body<uint64_t>;
        return;
      default:
        break;
    }
  }
  dispatch(dst->dtype, [&](auto o) {
    using O = decltype(o);
    dispatch(src->dtype, [&](auto a) {
      using A = decltype(a);
      if constexpr (std::is_same_v<O, A>) {
        plan.body = &copy_same_body<O>;  // an item size without an unsigned type above
      } else {
        plan.body = &convert_body<O, A>;
      }
    });
  });
}

void plan_where(KernelPlan& plan, const Tensor& out, const Tensor& cond, const Tensor& a,
                const Tensor& b) {
  capture::refuse("plan_where",
                  "a kernel plan runs outside the kernel waist (only a replay makes its own)");
  plan.over(out->shape);
  plan.add(out);
  plan.add(cond);
  plan.add(a);
  plan.add(b);
  plan.loop.coalesce();
  dispatch(a->dtype, [&](auto v) { plan.body = &where_body<decltype(v)>; });
}

void fill(const Tensor& t, double value) {
  capture::Waist rec;
  if (rec) rec->fill(t, value);
  // The waist: a recorder of kernel calls intercepts here (fill, t, value).
  KernelPlan plan;
  plan_fill(plan, t, value);
  plan.body(plan);
}

void copy_into(const Tensor& dst, const Tensor& src) {
  capture::Waist rec;
  if (rec) rec->copy(dst, src);
  // The waist: a recorder of kernel calls intercepts here (copy, dst, src).
  KernelPlan plan;
  plan_copy(plan, dst, src);
  plan.body(plan);
}

void where_into(const Tensor& out, const Tensor& cond, const Tensor& a, const Tensor& b) {
  capture::Waist rec;
  if (rec) rec->where(out, cond, a, b);
  // The waist: a recorder of kernel calls intercepts here (where, out, cond, a, b).
  KernelPlan plan;
  plan_where(plan, out, cond, a, b);
  plan.body(plan);
}

}  // namespace pyag
