#include "kernels/elementwise.h"

#include <cmath>
#include <cstring>
#include <limits>
#include <type_traits>

#include "kernels/loop.h"

namespace pyag {
namespace {

// Runs out[i] = f(a[i]) over a loop with operands (out, a).
template <class O, class A, class F>
void map1(const Loop& L, F f) {
  L.run([&](char** p, const int64_t* s, int64_t n) {
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
void map2(const Loop& L, F f) {
  L.run([&](char** p, const int64_t* s, int64_t n) {
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

// out[i] = f(a[i], b[i], c[i]), generic strides.
template <class O, class A, class B, class C, class F>
void map3(const Loop& L, F f) {
  L.run([&](char** p, const int64_t* s, int64_t n) {
    for (int64_t i = 0; i < n; ++i)
      *reinterpret_cast<O*>(p[0] + i * s[0]) = f(*reinterpret_cast<const A*>(p[1] + i * s[1]),
                                                 *reinterpret_cast<const B*>(p[2] + i * s[2]),
                                                 *reinterpret_cast<const C*>(p[3] + i * s[3]));
  });
}

template <class T>
T ipow(T a, T b) {
  if constexpr (std::is_same_v<T, bool>) {
    return a || !b;
  } else if constexpr (std::is_integral_v<T>) {
    if (b < 0) return a == 1 ? 1 : (a == -1 ? ((b & 1) ? -1 : 1) : 0);
    // Unsigned arithmetic wraps (no undefined overflow); square only while bits remain.
    using U = std::make_unsigned_t<T>;
    U r = 1, x = static_cast<U>(a);
    for (T e = b;;) {
      if (e & 1) r *= x;
      e >>= 1;
      if (!e) break;
      x *= x;
    }
    return static_cast<T>(r);
  } else {
    if (b == T(2)) return a * a;
    return std::pow(a, b);
  }
}

template <class T>
T tdiv(T a, T b) {
  if constexpr (std::is_integral_v<T>) {
    // Only reached for floor-free integer paths; true division promotes before this.
    return b == 0 ? 0 : static_cast<T>(a / b);
  } else {
    return a / b;
  }
}

template <class T>
T nan_max(T a, T b) {
  if constexpr (std::is_floating_point_v<T>) {
    if (std::isnan(a) || std::isnan(b)) return std::numeric_limits<T>::quiet_NaN();
  }
  return a > b ? a : b;
}
template <class T>
T nan_min(T a, T b) {
  if constexpr (std::is_floating_point_v<T>) {
    if (std::isnan(a) || std::isnan(b)) return std::numeric_limits<T>::quiet_NaN();
  }
  return a < b ? a : b;
}

template <class T>
void binary_typed(BinaryOp op, const Loop& L) {
  switch (op) {
    case BinaryOp::Add:
      return map2<T, T>(L, [](T a, T b) { return static_cast<T>(a + b); });
    case BinaryOp::Sub:
      return map2<T, T>(L, [](T a, T b) { return static_cast<T>(a - b); });
    case BinaryOp::Mul:
      return map2<T, T>(L, [](T a, T b) { return static_cast<T>(a * b); });
    case BinaryOp::Div:
      return map2<T, T>(L, [](T a, T b) { return tdiv(a, b); });
    case BinaryOp::Pow:
      return map2<T, T>(L, [](T a, T b) { return ipow(a, b); });
    case BinaryOp::Maximum:
      return map2<T, T>(L, [](T a, T b) { return nan_max(a, b); });
    case BinaryOp::Minimum:
      return map2<T, T>(L, [](T a, T b) { return nan_min(a, b); });
    case BinaryOp::And:
    case BinaryOp::Or:
    case BinaryOp::Xor:
      if constexpr (std::is_same_v<T, bool>) {
        if (op == BinaryOp::And) return map2<T, T>(L, [](T a, T b) { return a && b; });
        if (op == BinaryOp::Or) return map2<T, T>(L, [](T a, T b) { return a || b; });
        return map2<T, T>(L, [](T a, T b) { return a != b; });
      } else if constexpr (std::is_integral_v<T>) {
        if (op == BinaryOp::And)
          return map2<T, T>(L, [](T a, T b) { return static_cast<T>(a & b); });
        if (op == BinaryOp::Or)
          return map2<T, T>(L, [](T a, T b) { return static_cast<T>(a | b); });
        return map2<T, T>(L, [](T a, T b) { return static_cast<T>(a ^ b); });
      } else {
        fail(op_name(op), "is only defined for bool and int64 tensors");
      }
    case BinaryOp::Eq:
      return map2<bool, T>(L, [](T a, T b) { return a == b; });
    case BinaryOp::Ne:
      return map2<bool, T>(L, [](T a, T b) { return a != b; });
    case BinaryOp::Lt:
      return map2<bool, T>(L, [](T a, T b) { return a < b; });
    case BinaryOp::Le:
      return map2<bool, T>(L, [](T a, T b) { return a <= b; });
    case BinaryOp::Gt:
      return map2<bool, T>(L, [](T a, T b) { return a > b; });
    case BinaryOp::Ge:
      return map2<bool, T>(L, [](T a, T b) { return a >= b; });
  }
}

template <class T>
T sigmoid(T x) {
  return x >= 0 ? T(1) / (T(1) + std::exp(-x)) : std::exp(x) / (T(1) + std::exp(x));
}

template <class T>
void unary_numeric(UnaryOp op, const Loop& L) {
  switch (op) {
    case UnaryOp::Neg:
      return map1<T, T>(L, [](T a) { return static_cast<T>(-a); });
    case UnaryOp::Abs:
      return map1<T, T>(L, [](T a) { return static_cast<T>(a < 0 ? -a : a); });
    case UnaryOp::Sign:
      return map1<T, T>(L, [](T a) { return static_cast<T>((a > 0) - (a < 0)); });
    case UnaryOp::Square:
      return map1<T, T>(L, [](T a) { return static_cast<T>(a * a); });
    case UnaryOp::Relu:
      return map1<T, T>(L, [](T a) { return a < 0 ? T(0) : a; });  // NaN stays NaN
    default:
      break;
  }
  if constexpr (std::is_integral_v<T>) {
    if (op == UnaryOp::Not) return map1<T, T>(L, [](T a) { return static_cast<T>(~a); });
  }
  if constexpr (std::is_floating_point_v<T>) {
    switch (op) {
      case UnaryOp::Exp:
        return map1<T, T>(L, [](T a) { return std::exp(a); });
      case UnaryOp::Log:
        return map1<T, T>(L, [](T a) { return std::log(a); });
      case UnaryOp::Sqrt:
        return map1<T, T>(L, [](T a) { return std::sqrt(a); });
      case UnaryOp::Tanh:
        return map1<T, T>(L, [](T a) { return std::tanh(a); });
      case UnaryOp::Sigmoid:
        return map1<T, T>(L, [](T a) { return sigmoid(a); });
      default:
        break;
    }
  }
  fail("unary", op_name(op), " is not defined for this dtype");
}

template <class T>
void unary_typed(UnaryOp op, const Loop& L) {
  if constexpr (std::is_same_v<T, bool>) {
    if (op == UnaryOp::Abs) return map1<T, T>(L, [](T a) { return a; });
    if (op == UnaryOp::Not) return map1<T, T>(L, [](T a) { return !a; });
    fail("unary", op_name(op), " is not defined for bool tensors");
  } else {
    unary_numeric<T>(op, L);
  }
}

}  // namespace

const char* op_name(BinaryOp op) {
  static const char* names[] = {"add", "sub", "mul", "div", "pow", "maximum", "minimum", "and",
                                "or",  "xor", "eq",  "ne",  "lt",  "le",      "gt",      "ge"};
  return names[static_cast<int>(op)];
}

const char* op_name(UnaryOp op) {
  static const char* names[] = {"neg",     "abs",  "exp",  "log",    "sqrt",       "tanh",
                                "sigmoid", "relu", "sign", "square", "bitwise_not"};
  return names[static_cast<int>(op)];
}

void fill(const Tensor& t, double value) {
  dispatch(t->dtype, [&](auto v) {
    using T = decltype(v);
    const T x = static_cast<T>(value);
    Loop L = make_loop(t->shape, {&t});
    L.add_scalar(&x);
    map1<T, T>(L, [](T a) { return a; });
  });
}

void copy_into(const Tensor& dst, const Tensor& src) {
  Loop L = make_loop(dst->shape, {&dst, &src});
  if (dst->dtype == src->dtype) {
    const int64_t isz = static_cast<int64_t>(itemsize(dst->dtype));
    L.run([&](char** p, const int64_t* s, int64_t n) {
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
      map1<O, A>(L, [](A x) { return static_cast<O>(x); });
    });
  });
}

void binary_into(BinaryOp op, const Tensor& out, const Tensor& a, const Tensor& b) {
  Loop L = make_loop(out->shape, {&out, &a, &b});
  dispatch(a->dtype, [&](auto v) { binary_typed<decltype(v)>(op, L); });
}

void binary_scalar_into(BinaryOp op, const Tensor& out, const Tensor& a, double s,
                        bool scalar_first) {
  dispatch(a->dtype, [&](auto v) {
    using T = decltype(v);
    const T x = static_cast<T>(s);
    Loop L = Loop::over(out->shape);
    L.add(out);
    if (scalar_first) {
      L.add_scalar(&x);
      L.add(a);
    } else {
      L.add(a);
      L.add_scalar(&x);
    }
    L.coalesce();
    binary_typed<T>(op, L);
  });
}

void unary_into(UnaryOp op, const Tensor& out, const Tensor& a) {
  Loop L = make_loop(out->shape, {&out, &a});
  dispatch(a->dtype, [&](auto v) { unary_typed<decltype(v)>(op, L); });
}

void clamp_into(const Tensor& out, const Tensor& a, double lo, double hi) {
  Loop L = make_loop(out->shape, {&out, &a});
  dispatch(a->dtype, [&](auto v) {
    using T = decltype(v);
    const bool has_lo = !std::isnan(lo), has_hi = !std::isnan(hi);
    const T l = has_lo ? static_cast<T>(lo) : T(0), h = has_hi ? static_cast<T>(hi) : T(0);
    if (has_lo && !has_hi)
      map1<T, T>(L, [l](T x) { return x < l ? l : x; });
    else if (!has_lo && has_hi)
      map1<T, T>(L, [h](T x) { return x > h ? h : x; });
    else
      map1<T, T>(L, [l, h](T x) {  // min(max(x, lo), hi): hi wins when lo > hi; NaN stays
        const T y = x < l ? l : x;
        return y > h ? h : y;
      });
  });
}

void where_into(const Tensor& out, const Tensor& cond, const Tensor& a, const Tensor& b) {
  Loop L = make_loop(out->shape, {&out, &cond, &a, &b});
  dispatch(a->dtype, [&](auto v) {
    using T = decltype(v);
    map3<T, bool, T, T>(L, [](bool c, T x, T y) { return c ? x : y; });
  });
}

void clamp_backward_into(const Tensor& out, const Tensor& g, const Tensor& x, double lo,
                         double hi) {
  Loop L = make_loop(out->shape, {&out, &g, &x});
  dispatch_float(g->dtype, [&](auto v) {
    using T = decltype(v);
    const bool has_lo = !std::isnan(lo), has_hi = !std::isnan(hi);
    const T l = has_lo ? static_cast<T>(lo) : T(0), h = has_hi ? static_cast<T>(hi) : T(0);
    if (has_lo && !has_hi)
      map2<T, T>(L, [l](T gv, T xv) { return xv >= l ? gv : T(0); });
    else if (!has_lo && has_hi)
      map2<T, T>(L, [h](T gv, T xv) { return xv <= h ? gv : T(0); });
    else
      map2<T, T>(L, [l, h](T gv, T xv) { return (xv >= l && xv <= h) ? gv : T(0); });
  });
}

void pow_backward_into(const Tensor& out, const Tensor& g, const Tensor& x, double p) {
  Loop L = make_loop(out->shape, {&out, &g, &x});
  dispatch_float(g->dtype, [&](auto v) {
    using T = decltype(v);
    const T pt = static_cast<T>(p);
    if (p == 2.0)
      map2<T, T>(L, [](T gv, T xv) { return T(2) * xv * gv; });
    else if (p == 0.0)
      map2<T, T>(L, [](T, T) { return T(0); });
    else
      map2<T, T>(L, [pt](T gv, T xv) { return gv * pt * std::pow(xv, pt - T(1)); });
  });
}

void unary_backward_into(UnaryGrad op, const Tensor& out, const Tensor& g, const Tensor& s) {
  Loop L = make_loop(out->shape, {&out, &g, &s});
  dispatch_float(g->dtype, [&](auto v) {
    using T = decltype(v);
    switch (op) {
      case UnaryGrad::Exp:
        return map2<T, T>(L, [](T gv, T y) { return gv * y; });
      case UnaryGrad::Log:
        return map2<T, T>(L, [](T gv, T x) { return gv / x; });
      case UnaryGrad::Sqrt:
        return map2<T, T>(L, [](T gv, T y) { return gv / (T(2) * y); });
      case UnaryGrad::Tanh:
        return map2<T, T>(L, [](T gv, T y) { return gv * (T(1) - y * y); });
      case UnaryGrad::Sigmoid:
        return map2<T, T>(L, [](T gv, T y) { return gv * y * (T(1) - y); });
      case UnaryGrad::Relu:
        return map2<T, T>(L, [](T gv, T y) { return y > 0 ? gv : T(0); });
      case UnaryGrad::Abs:
        return map2<T, T>(L, [](T gv, T x) { return x > 0 ? gv : (x < 0 ? -gv : T(0)); });
    }
  });
}

}  // namespace pyag
