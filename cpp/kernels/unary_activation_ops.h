// The declarations of the activation functions of torch.nn.functional (softplus leaky_relu elu
// gelu silu hardtanh): parametrised unary ops, bound only as _core.<name> (kPyFunctional), which
// pyautograd.nn.functional wraps with PyTorch's signatures (inplace=, approximate='tanh').
// Part of the unary family: the rows are in PYAG_UNARY_OPS and this file is included at the end
// of kernels/unary_ops.h (include that one, not this).
#pragma once
#include <cmath>

#include "kernels/unary_ops.h"

namespace pyag::unary {

// PyTorch implements these for floating dtypes only.
inline void check_floating(const char* name, DType dt) {
  if (!is_floating(dt)) fail(name, "is only defined for floating tensors, got ", dtype_name(dt));
}

struct softplus : Decl<softplus> {
  static constexpr const char* doc =
      "log(1 + exp(beta * x)) / beta of each element; x itself where beta * x > threshold.";
  static constexpr Rule rule = Rule::Same;
  static constexpr Grad grad = Grad::FromInput;
  static constexpr uint8_t python = kPyFunctional;
  static constexpr std::array<Param, 2> params{{{"beta", 1.0}, {"threshold", 20.0}}};
  static void check(const char* name, DType dt, const ScalarArgs&) { check_floating(name, dt); }
  template <class T>
  static T f(T x, T beta, T threshold) {
    const T bx = x * beta;
    return bx > threshold ? x : std::log1p(std::exp(bx)) / beta;
  }
  template <class T>
  static T df(T g, T x, T beta, T threshold) {
    const T bx = x * beta;
    if (bx > threshold) return g;
    const T z = std::exp(bx);
    return g * z / (z + T(1));
  }
};

struct leaky_relu : Decl<leaky_relu> {
  static constexpr const char* doc = "x where x > 0, else negative_slope * x.";
  static constexpr Rule rule = Rule::Same;
  static constexpr Grad grad = Grad::FromInput;
  static constexpr uint8_t python = kPyFunctional;
  static constexpr std::array<Param, 1> params{{{"negative_slope", 0.01}}};
  static void check(const char* name, DType dt, const ScalarArgs&) { check_floating(name, dt); }
  template <class T>
  static T f(T x, T slope) {
    return x > T(0) ? x : x * slope;
  }
  template <class T>
  static T df(T g, T x, T slope) {
    return x > T(0) ? g : g * slope;
  }
};

struct elu : Decl<elu> {
  static constexpr const char* doc = "x where x > 0, else alpha * (exp(x) - 1).";
  static constexpr Rule rule = Rule::Same;
  static constexpr Grad grad = Grad::FromInput;
  static constexpr uint8_t python = kPyFunctional;
  static constexpr std::array<Param, 1> params{{{"alpha", 1.0}}};
  static void check(const char* name, DType dt, const ScalarArgs&) { check_floating(name, dt); }
  template <class T>
  static T f(T x, T alpha) {
    return x > T(0) ? x : alpha * std::expm1(x);
  }
  template <class T>
  static T df(T g, T x, T alpha) {
    return x <= T(0) ? g * alpha * std::exp(x) : g;  // PyTorch's test: NaN passes g
  }
};

struct gelu : Decl<gelu> {
  static constexpr const char* doc =
      "x * Phi(x), Phi the standard normal CDF; approximate=1 (nn.functional's "
      "approximate='tanh'): 0.5 x (1 + tanh(sqrt(2 / pi) (x + 0.044715 x^3))).";
  static constexpr Rule rule = Rule::Same;
  static constexpr Grad grad = Grad::FromInput;
  static constexpr uint8_t python = kPyFunctional;
  static constexpr std::array<Param, 1> params{{{"approximate", 0.0}}};
  static void check(const char* name, DType dt, const ScalarArgs& p) {
    check_floating(name, dt);
    if (p[0] != 0 && p[0] != 1)
      fail(name, "approximate argument must be either none (0) or tanh (1)");
  }
  static constexpr long double kSqrt1_2 = 0.707106781186547524400844362104849039L;
  static constexpr long double kSqrt2OverPi = 0.797884560802865355879892119868763737L;
  static constexpr long double kInvSqrt2Pi = 0.398942280401432677939946059934381868L;
  static constexpr long double kCubic = 0.044715L;
  template <class T>
  static T f(T x, T approximate) {
    if (approximate != T(0)) {
      const T inner = static_cast<T>(kSqrt2OverPi) * (x + static_cast<T>(kCubic) * x * x * x);
      return T(0.5) * x * (T(1) + std::tanh(inner));
    }
    return T(0.5) * x * (T(1) + std::erf(x * static_cast<T>(kSqrt1_2)));
  }
  template <class T>
  static T df(T g, T x, T approximate) {
    if (approximate != T(0)) {
      const T k = static_cast<T>(kSqrt2OverPi), c = static_cast<T>(kCubic);
      const T t = std::tanh(k * (x + c * x * x * x));
      const T dinner = k * (T(1) + T(3) * c * x * x);
      return g * (T(0.5) * (T(1) + t) + T(0.5) * x * (T(1) - t * t) * dinner);
    }
    const T cdf = T(0.5) * (T(1) + std::erf(x * static_cast<T>(kSqrt1_2)));
    const T pdf = static_cast<T>(kInvSqrt2Pi) * std::exp(T(-0.5) * x * x);
    return g * (cdf + x * pdf);
  }
};

struct silu : Decl<silu> {
  static constexpr const char* doc = "x * sigmoid(x) of each element (also called swish).";
  static constexpr Rule rule = Rule::Same;
  static constexpr Grad grad = Grad::FromInput;
  static constexpr uint8_t python = kPyFunctional;
  static void check(const char* name, DType dt, const ScalarArgs&) { check_floating(name, dt); }
  template <class T>
  static T f(T x) {
    return x / (T(1) + std::exp(-x));
  }
  template <class T>
  static T df(T g, T x) {
    const T s = T(1) / (T(1) + std::exp(-x));
    return g * s * (T(1) + x * (T(1) - s));
  }
};

struct hardtanh : Decl<hardtanh> {
  static constexpr const char* doc =
      "Each element clamped to [min_val, max_val]; the gradient passes only strictly inside "
      "(and at NaN).";
  static constexpr Rule rule = Rule::Same;
  static constexpr Grad grad = Grad::FromInput;
  static constexpr uint8_t python = kPyFunctional;
  static constexpr std::array<Param, 2> params{{{"min_val", -1.0}, {"max_val", 1.0}}};
  static void check(const char* name, DType dt, const ScalarArgs& p) {
    if (dt == DType::Bool) fail(name, "bool inputs are not supported");
    if (p[0] > p[1]) fail<ValueError>(name, "min_val cannot be greater than max_val");
  }
  template <class T>
  static T f(T x, T lo, T hi) {
    const T y = x < lo ? lo : x;
    return y > hi ? hi : y;
  }
  template <class T>
  static T df(T g, T x, T lo, T hi) {  // PyTorch's hardtanh_backward: NaN passes the gradient
    return x <= lo || x >= hi ? T(0) : g;
  }
};

}  // namespace pyag::unary
