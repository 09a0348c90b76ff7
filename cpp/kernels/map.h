// The per-row bodies of elementwise kernels over a Loop whose operand 0 is the output: out[i] =
// f(in0[i], in1[i], ...), with fast paths for contiguous rows and rows broadcasting a scalar.
// Each body works on its own copy of f: a closure reached through a reference could alias the
// output (its captured parameters are floats like the elements), so the compiler would reload
// them after every store and not vectorize the loop (clamp ran at a quarter of relu's speed).
#pragma once
#include <utility>

#include "kernels/loop.h"

namespace pyag {

// out[i] = f(a[i]) over a loop with operands (out, a).
template <class O, class A, class F>
void map1(const Loop& L, F fn) {
  L.run_parallel([&fn](char** p, const int64_t* s, int64_t n) {
    F f = fn;
    O* o = reinterpret_cast<O*>(p[0]);
    const A* a = reinterpret_cast<const A*>(p[1]);
    if (s[0] == sizeof(O) && s[1] == sizeof(A)) {
      for (int64_t i = 0; i < n; ++i) o[i] = f(a[i]);
    } else if (s[0] == sizeof(O) && s[1] == 0) {
      const O v = f(*a);
      for (int64_t i = 0; i < n; ++i) o[i] = v;
    } else {
      for (int64_t i = 0; i < n; ++i)
        *reinterpret_cast<O*>(p[0] + i * s[0]) = f(*reinterpret_cast<const A*>(p[1] + i * s[1]));
    }
  });
}

// out[i] = f(a[i], b[i]) with fast paths for contiguous and scalar-broadcast rows.
template <class O, class A, class F>
void map2(const Loop& L, F fn) {
  L.run_parallel([&fn](char** p, const int64_t* s, int64_t n) {
    F f = fn;
    O* o = reinterpret_cast<O*>(p[0]);
    const A* a = reinterpret_cast<const A*>(p[1]);
    const A* b = reinterpret_cast<const A*>(p[2]);
    constexpr int64_t so = sizeof(O), sa = sizeof(A);
    if (s[0] == so && s[1] == sa && s[2] == sa) {
      for (int64_t i = 0; i < n; ++i) o[i] = f(a[i], b[i]);
    } else if (s[0] == so && s[1] == sa && s[2] == 0) {
      const A bv = *b;
      for (int64_t i = 0; i < n; ++i) o[i] = f(a[i], bv);
    } else if (s[0] == so && s[1] == 0 && s[2] == sa) {
      const A av = *a;
      for (int64_t i = 0; i < n; ++i) o[i] = f(av, b[i]);
    } else {
      for (int64_t i = 0; i < n; ++i)
        *reinterpret_cast<O*>(p[0] + i * s[0]) = f(*reinterpret_cast<const A*>(p[1] + i * s[1]),
                                                   *reinterpret_cast<const A*>(p[2] + i * s[2]));
    }
  });
}

namespace detail {
template <class O, class... In, size_t... K, class F>
void map_n_impl(const Loop& L, F& f0, std::index_sequence<K...>) {
  L.run_parallel([&f0](char** p, const int64_t* s, int64_t n) {
    F f = f0;
    if (s[0] == sizeof(O) && ((s[K + 1] == sizeof(In)) && ...)) {
      O* o = reinterpret_cast<O*>(p[0]);
      for (int64_t i = 0; i < n; ++i) o[i] = f(reinterpret_cast<const In*>(p[K + 1])[i]...);
    } else {
      for (int64_t i = 0; i < n; ++i)
        *reinterpret_cast<O*>(p[0] + i * s[0]) =
            f(*reinterpret_cast<const In*>(p[K + 1] + i * s[K + 1])...);
    }
  });
}
}  // namespace detail

// out[i] = f(in0[i], in1[i], ...) over a loop with operands (out, in0, in1, ...).
template <class O, class... In, class F>
void map_n(const Loop& L, F f) {
  detail::map_n_impl<O, In...>(L, f, std::index_sequence_for<In...>{});
}

}  // namespace pyag
