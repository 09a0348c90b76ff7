// The declarations of the unary math ops of issue 9 (tan ... frac): trigonometric, hyperbolic,
// logarithmic, rounding. Part of the unary family: the rows are in PYAG_UNARY_OPS and this file
// is included at the end of kernels/unary_ops.h (include that one, not this).
#pragma once
#include <cmath>

#include "kernels/unary_ops.h"

namespace pyag::unary {

constexpr uint8_t kPyAll = kPyMethod | kPyFunction | kPyInPlace;
constexpr long double kLn2 = 0.693147180559945309417232121458176568L;
constexpr long double kLn10 = 2.302585092994045684017991454684364208L;
constexpr long double kTwoOverSqrtPi = 1.128379167095512573896158903121545172L;

struct tan : Decl<tan> {
  static constexpr const char* doc = "The tangent of each element (radians).";
  static constexpr Rule rule = Rule::IntToFloat;
  static constexpr Grad grad = Grad::FromOutput;
  static constexpr uint8_t python = kPyAll;
  template <class T>
  static T f(T x) {
    return std::tan(x);
  }
  template <class T>
  static T df(T g, T y) {
    return g * (T(1) + y * y);
  }
};

struct asin : Decl<asin> {
  static constexpr const char* doc = "The arcsine of each element (NaN outside [-1, 1]).";
  static constexpr Rule rule = Rule::IntToFloat;
  static constexpr Grad grad = Grad::FromInput;
  static constexpr uint8_t python = kPyAll;
  template <class T>
  static T f(T x) {
    return std::asin(x);
  }
  template <class T>
  static T df(T g, T x) {
    return g / std::sqrt(T(1) - x * x);
  }
};

struct acos : Decl<acos> {
  static constexpr const char* doc = "The arccosine of each element (NaN outside [-1, 1]).";
  static constexpr Rule rule = Rule::IntToFloat;
  static constexpr Grad grad = Grad::FromInput;
  static constexpr uint8_t python = kPyAll;
  template <class T>
  static T f(T x) {
    return std::acos(x);
  }
  template <class T>
  static T df(T g, T x) {
    return -g / std::sqrt(T(1) - x * x);
  }
};

struct atan : Decl<atan> {
  static constexpr const char* doc = "The arctangent of each element.";
  static constexpr Rule rule = Rule::IntToFloat;
  static constexpr Grad grad = Grad::FromInput;
  static constexpr uint8_t python = kPyAll;
  template <class T>
  static T f(T x) {
    return std::atan(x);
  }
  template <class T>
  static T df(T g, T x) {
    return g / (T(1) + x * x);
  }
};

struct sinh : Decl<sinh> {
  static constexpr const char* doc = "The hyperbolic sine of each element.";
  static constexpr Rule rule = Rule::IntToFloat;
  static constexpr Grad grad = Grad::FromInput;
  static constexpr uint8_t python = kPyAll;
  template <class T>
  static T f(T x) {
    return std::sinh(x);
  }
  template <class T>
  static T df(T g, T x) {
    return g * std::cosh(x);
  }
};

struct cosh : Decl<cosh> {
  static constexpr const char* doc = "The hyperbolic cosine of each element.";
  static constexpr Rule rule = Rule::IntToFloat;
  static constexpr Grad grad = Grad::FromInput;
  static constexpr uint8_t python = kPyAll;
  template <class T>
  static T f(T x) {
    return std::cosh(x);
  }
  template <class T>
  static T df(T g, T x) {
    return g * std::sinh(x);
  }
};

struct log1p : Decl<log1p> {
  static constexpr const char* doc = "log(1 + x) of each element, accurate for small x.";
  static constexpr Rule rule = Rule::IntToFloat;
  static constexpr Grad grad = Grad::FromInput;
  static constexpr const char* node = "Log1PBackward0";  // as PyTorch
  static constexpr uint8_t python = kPyAll;
  template <class T>
  static T f(T x) {
    return std::log1p(x);
  }
  template <class T>
  static T df(T g, T x) {
    return g / (T(1) + x);
  }
};

struct expm1 : Decl<expm1> {
  static constexpr const char* doc = "exp(x) - 1 of each element, accurate for small x.";
  static constexpr Rule rule = Rule::IntToFloat;
  static constexpr Grad grad = Grad::FromOutput;
  static constexpr uint8_t python = kPyAll;
  template <class T>
  static T f(T x) {
    return std::expm1(x);
  }
  template <class T>
  static T df(T g, T y) {
    return g * (y + T(1));
  }
};

struct log2 : Decl<log2> {
  static constexpr const char* doc = "The base-2 logarithm of each element.";
  static constexpr Rule rule = Rule::IntToFloat;
  static constexpr Grad grad = Grad::FromInput;
  static constexpr uint8_t python = kPyAll;
  template <class T>
  static T f(T x) {
    return std::log2(x);
  }
  template <class T>
  static T df(T g, T x) {
    return g / (x * static_cast<T>(kLn2));
  }
};

struct log10 : Decl<log10> {
  static constexpr const char* doc = "The base-10 logarithm of each element.";
  static constexpr Rule rule = Rule::IntToFloat;
  static constexpr Grad grad = Grad::FromInput;
  static constexpr uint8_t python = kPyAll;
  template <class T>
  static T f(T x) {
    return std::log10(x);
  }
  template <class T>
  static T df(T g, T x) {
    return g / (x * static_cast<T>(kLn10));
  }
};

struct reciprocal : Decl<reciprocal> {
  static constexpr const char* doc = "1 / x of each element (integers give floats).";
  static constexpr Rule rule = Rule::IntToFloat;
  static constexpr Grad grad = Grad::FromOutput;
  static constexpr uint8_t python = kPyAll;
  template <class T>
  static T f(T x) {
    return T(1) / x;
  }
  template <class T>
  static T df(T g, T y) {  // PyTorch's -grad * (result * result)
    return -g * (y * y);
  }
};

struct rsqrt : Decl<rsqrt> {
  static constexpr const char* doc = "1 / sqrt(x) of each element.";
  static constexpr Rule rule = Rule::IntToFloat;
  static constexpr Grad grad = Grad::FromOutput;
  static constexpr uint8_t python = kPyAll;
  template <class T>
  static T f(T x) {
    return T(1) / std::sqrt(x);
  }
  template <class T>
  static T df(T g, T y) {
    return T(-0.5) * g * (y * y * y);  // PyTorch's -0.5 * grad * result.pow(3)
  }
};

struct erf : Decl<erf> {
  static constexpr const char* doc = "The error function of each element.";
  static constexpr Rule rule = Rule::IntToFloat;
  static constexpr Grad grad = Grad::FromInput;
  static constexpr uint8_t python = kPyAll;
  template <class T>
  static T f(T x) {
    return std::erf(x);
  }
  template <class T>
  static T df(T g, T x) {
    return g * static_cast<T>(kTwoOverSqrtPi) * std::exp(-x * x);
  }
};

// ---- rounding: integers are kept as they are (and keep their dtype); a zero gradient ----
struct floor : Decl<floor> {
  static constexpr const char* doc =
      "The largest integer not greater than each element (integer tensors are returned as "
      "they are). Its gradient is zero.";
  static constexpr Rule rule = Rule::Same;
  static constexpr Grad grad = Grad::Zero;
  static constexpr uint8_t python = kPyAll;
  template <class T>
  static T f(T x) {
    if constexpr (std::is_floating_point_v<T>)
      return std::floor(x);
    else
      return x;
  }
};

struct ceil : Decl<ceil> {
  static constexpr const char* doc =
      "The smallest integer not less than each element (integer tensors are returned as they "
      "are). Its gradient is zero.";
  static constexpr Rule rule = Rule::Same;
  static constexpr Grad grad = Grad::Zero;
  static constexpr uint8_t python = kPyAll;
  template <class T>
  static T f(T x) {
    if constexpr (std::is_floating_point_v<T>)
      return std::ceil(x);
    else
      return x;
  }
};

struct round : Decl<round> {
  static constexpr const char* doc =
      "Each element rounded to the nearest integer, halves to even (with decimals: to that many "
      "decimal places; negative decimals round to tens, hundreds...). Its gradient is zero.";
  static constexpr Rule rule = Rule::Same;
  static constexpr Grad grad = Grad::Zero;
  static constexpr uint8_t python = kPyAll;
  static constexpr std::array<Param, 1> params{{{"decimals", kOptional}}};
  static void check(const char* name, DType dt, const ScalarArgs& p) {
    if (std::isnan(p[0])) return;
    if (p[0] != std::trunc(p[0]) || std::isinf(p[0]))
      fail<TypeError>(name, "decimals must be an integer, got ", p[0]);
    if (!is_floating(dt))
      fail(name, "with decimals is not implemented for ", dtype_name(dt), " tensors");
  }
  static void prepare(ScalarArgs& p) {
    if (std::isnan(p[0])) p[0] = 0;
  }
  template <class T>
  static T f(T x, T decimals) {
    if constexpr (std::is_floating_point_v<T>) {
      if (decimals == T(0)) return std::nearbyint(x);
      // As PyTorch: scale by 10^|decimals|, round, scale back (in the compute type).
      const T ten = static_cast<T>(std::pow(10.0, std::fabs(static_cast<double>(decimals))));
      return decimals < 0 ? std::nearbyint(x / ten) * ten : std::nearbyint(x * ten) / ten;
    } else {
      return x;
    }
  }
};

struct trunc : Decl<trunc> {
  static constexpr const char* doc =
      "Each element rounded toward zero (integer tensors are returned as they are). Its "
      "gradient is zero.";
  static constexpr Rule rule = Rule::Same;
  static constexpr Grad grad = Grad::Zero;
  static constexpr uint8_t python = kPyAll;
  template <class T>
  static T f(T x) {
    if constexpr (std::is_floating_point_v<T>)
      return std::trunc(x);
    else
      return x;
  }
};

struct frac : Decl<frac> {
  static constexpr const char* doc =
      "The fractional part of each element, x - trunc(x) (floating tensors only).";
  static constexpr Rule rule = Rule::Same;
  static constexpr Grad grad = Grad::FromGrad;
  static constexpr uint8_t python = kPyAll;
  static void check(const char* name, DType dt, const ScalarArgs&) {
    if (!is_floating(dt)) fail(name, "is only defined for floating tensors, got ", dtype_name(dt));
  }
  template <class T>
  static T f(T x) {
    if constexpr (std::is_floating_point_v<T>)
      return x - std::trunc(x);
    else
      return T(0);
  }
  template <class T>
  static T df(T g) {
    return g;
  }
};

}  // namespace pyag::unary
