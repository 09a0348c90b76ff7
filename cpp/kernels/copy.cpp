// Data movement kernels: fill, copy (with dtype conversion and broadcasting), where.
#include <cstring>

#include "capture/hooks.h"
#include "kernels/elementwise.h"
#include "kernels/map.h"

namespace pyag {

void fill(const Tensor& t, double value) {
  capture::Waist rec;
  if (rec) rec->fill(t, value);
  // The waist: a recorder of kernel calls intercepts here (fill, t, value).
  dispatch(t->dtype, [&](auto v) {
    using T = decltype(v);
    const T x = param_as<T>(value);
    Loop L = make_loop(t->shape, {&t});
    T zero{};
    if (std::memcmp(&x, &zero, sizeof(T)) == 0) {  // zero_(): memset on dense rows
      L.run_parallel([](char** p, const int64_t* s, int64_t n) {
        if (s[0] == static_cast<int64_t>(sizeof(T))) {
          std::memset(p[0], 0, static_cast<size_t>(n) * sizeof(T));
        } else {
          for (int64_t i = 0; i < n; ++i) *reinterpret_cast<T*>(p[0] + i * s[0]) = T{};
        }
      });
      return;
    }
    L.add_scalar(&x);
    map1<T, T>(L, [](T a) { return a; });
  });
}

void copy_into(const Tensor& dst, const Tensor& src) {
  capture::Waist rec;
  if (rec) rec->copy(dst, src);
  // The waist: a recorder of kernel calls intercepts here (copy, dst, src).
  Loop L = make_loop(dst->shape, {&dst, &src});
  if (dst->dtype == src->dtype) {
    const int64_t isz = static_cast<int64_t>(itemsize(dst->dtype));
    L.run_parallel([&](char** p, const int64_t* s, int64_t n) {
      if (s[0] == isz && s[1] == isz) {
        std::memcpy(p[0], p[1], static_cast<size_t>(n * isz));
      } else {
        for (int64_t i = 0; i < n; ++i)
          std::memcpy(p[0] + i * s[0], p[1] + i * s[1], static_cast<size_t>(isz));
      }
    });
    return;
  }
  dispatch(dst->dtype, [&](auto o) {
    using O = decltype(o);
    dispatch(src->dtype, [&](auto a) {
      using A = decltype(a);
      // float -> a narrow integer truncates, then wraps, as PyTorch on x86-64: uint8 through
      // int64 (-2.7 -> 254), int8 and int16 through int32; out of int32's (int64's) range or
      // NaN, int32 (int64) gives its lowest value, int8 and int16 0.
      if constexpr (std::is_floating_point_v<A> && std::is_same_v<O, uint8_t>)
        map1<O, A>(L, [](A x) { return static_cast<O>(static_cast<int64_t>(x)); });
      else if constexpr (std::is_floating_point_v<A> && std::is_integral_v<O> &&
                         !std::is_same_v<O, bool> && sizeof(O) < sizeof(int32_t))
        map1<O, A>(L, [](A x) { return static_cast<O>(static_cast<int32_t>(x)); });
      else
        map1<O, A>(L, [](A x) { return static_cast<O>(x); });
    });
  });
}

void where_into(const Tensor& out, const Tensor& cond, const Tensor& a, const Tensor& b) {
  capture::Waist rec;
  if (rec) rec->where(out, cond, a, b);
  // The waist: a recorder of kernel calls intercepts here (where, out, cond, a, b).
  Loop L = make_loop(out->shape, {&out, &cond, &a, &b});
  dispatch(a->dtype, [&](auto v) {
    using T = decltype(v);
    map_n<T, bool, T, T>(L, [](bool c, T x, T y) { return c ? x : y; });
  });
}

}  // namespace pyag
