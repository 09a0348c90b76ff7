// The declarations of more unary math ops: inverse hyperbolic functions, erfc/erfinv, exp2,
// lgamma/digamma, sinc, deg2rad/rad2deg, logit and signbit, computed as PyTorch's CPU kernels
// compute them. Part of the unary family: the rows are in PYAG_UNARY_OPS and this file is included
// at the end of kernels/unary_ops.h (include that one, not this).
#pragma once
#include <cmath>
#include <limits>

#include "kernels/unary_ops.h"

namespace pyag::unary {

constexpr long double kPi = 3.141592653589793238462643383279502884L;

// PyTorch's calc_digamma (after Cephes): the recurrence up to 10, then the asymptotic series; the
// reflection formula below zero.
template <class T>
T digamma_of(T x) {
  if (x == T(0)) return std::copysign(std::numeric_limits<T>::infinity(), -x);
  if (x < T(0)) {
    if (x == std::trunc(x)) return std::numeric_limits<T>::quiet_NaN();
    T q;
    const T r = std::modf(x, &q);
    return digamma_of(T(1) - x) - static_cast<T>(kPi) / std::tan(static_cast<T>(kPi) * r);
  }
  T result = 0;
  while (x < T(10)) {
    result -= T(1) / x;
    x += T(1);
  }
  if (x == T(10)) return result + static_cast<T>(2.25175258906672110764L);
  constexpr T A[] = {
      static_cast<T>(8.33333333333333333333E-2L), static_cast<T>(-2.10927960927960927961E-2L),
      static_cast<T>(7.57575757575757575758E-3L), static_cast<T>(-4.16666666666666666667E-3L),
      static_cast<T>(3.96825396825396825397E-3L), static_cast<T>(-8.33333333333333333333E-3L),
      static_cast<T>(8.33333333333333333333E-2L),
  };
  T y = 0;
  if (x < T(1.0e17)) {
    const T z = T(1) / (x * x);
    T p = A[0];
    for (int i = 1; i < 7; ++i) p = p * z + A[i];
    y = z * p;
  }
  return result + std::log(x) - (T(0.5) / x) - y;
}

// PyTorch's calc_trigamma: polygamma(1, x), the derivative of digamma.
template <class T>
T trigamma_of(T x) {
  T sign = 1, result = 0;
  if (x < T(0.5)) {
    sign = -1;
    const T s = std::sin(static_cast<T>(kPi) * x);
    result -= static_cast<T>(kPi * kPi) / (s * s);
    x = T(1) - x;
  }
  for (int i = 0; i < 6; ++i) {
    result += T(1) / (x * x);
    x += T(1);
  }
  const T ixx = T(1) / (x * x);
  result += (T(1) + T(1) / (T(2) * x) +
             ixx * (T(1) / T(6) - ixx * (T(1) / T(30) - ixx * (T(1) / T(42))))) /
            x;
  return sign * result;
}

// The inverse error function: Giles' single-precision approximation as a start, then two Newton
// steps on erf in double (so float32 results are correctly rounded but for rare ties).
inline double erfinv_double(double y) {
  if (std::isnan(y) || y < -1 || y > 1) return std::numeric_limits<double>::quiet_NaN();
  if (y == 1) return std::numeric_limits<double>::infinity();
  if (y == -1) return -std::numeric_limits<double>::infinity();
  if (y == 0) return y;  // keeps -0
  double w = -std::log((1.0 - y) * (1.0 + y)), x;
  if (w < 5.0) {
    w -= 2.5;
    double p = 2.81022636e-08;
    p = 3.43273939e-07 + p * w;
    p = -3.5233877e-06 + p * w;
    p = -4.39150654e-06 + p * w;
    p = 0.00021858087 + p * w;
    p = -0.00125372503 + p * w;
    p = -0.00417768164 + p * w;
    p = 0.246640727 + p * w;
    p = 1.50140941 + p * w;
    x = p * y;
  } else {
    w = std::sqrt(w) - 3.0;
    double p = -0.000200214257;
    p = 0.000100950558 + p * w;
    p = 0.00134934322 + p * w;
    p = -0.00367342844 + p * w;
    p = 0.00573950773 + p * w;
    p = -0.0076224613 + p * w;
    p = 0.00943887047 + p * w;
    p = 1.00167406 + p * w;
    p = 2.83297682 + p * w;
    x = p * y;
  }
  constexpr double kSqrtPiOver2 = 0.886226925452758013649083741671;
  for (int i = 0; i < 2; ++i) x -= (std::erf(x) - y) * kSqrtPiOver2 * std::exp(x * x);
  return x;
}

struct asinh : Decl<asinh> {
  static constexpr const char* doc = "The inverse hyperbolic sine of each element.";
  static constexpr Rule rule = Rule::IntToFloat;
  static constexpr Grad grad = Grad::FromInput;
  static constexpr uint8_t python = kPyAll;
  template <class T>
  static T f(T x) {
    return std::asinh(x);
  }
  template <class T>
  static T df(T g, T x) {
    return g * (T(1) / std::sqrt(x * x + T(1)));
  }
};

struct acosh : Decl<acosh> {
  static constexpr const char* doc = "The inverse hyperbolic cosine of each element (NaN below 1).";
  static constexpr Rule rule = Rule::IntToFloat;
  static constexpr Grad grad = Grad::FromInput;
  static constexpr uint8_t python = kPyAll;
  template <class T>
  static T f(T x) {
    return std::acosh(x);
  }
  template <class T>
  static T df(T g, T x) {
    return g * (T(1) / std::sqrt(x * x - T(1)));
  }
};

struct atanh : Decl<atanh> {
  static constexpr const char* doc =
      "The inverse hyperbolic tangent of each element (NaN outside [-1, 1]).";
  static constexpr Rule rule = Rule::IntToFloat;
  static constexpr Grad grad = Grad::FromInput;
  static constexpr uint8_t python = kPyAll;
  template <class T>
  static T f(T x) {
    return std::atanh(x);
  }
  template <class T>
  static T df(T g, T x) {
    return g * (T(1) / (T(1) - x * x));
  }
};

struct erfc : Decl<erfc> {
  static constexpr const char* doc = "The complementary error function 1 - erf(x) of each element.";
  static constexpr Rule rule = Rule::IntToFloat;
  static constexpr Grad grad = Grad::FromInput;
  static constexpr uint8_t python = kPyAll;
  template <class T>
  static T f(T x) {
    return std::erfc(x);
  }
  template <class T>
  static T df(T g, T x) {
    return g * -static_cast<T>(kTwoOverSqrtPi) * std::exp(-x * x);
  }
};

struct erfinv : Decl<erfinv> {
  static constexpr const char* doc =
      "The inverse error function of each element (NaN outside [-1, 1], +-inf at +-1).";
  static constexpr Rule rule = Rule::IntToFloat;
  // PyTorch's formula reads the input (it saves self and recomputes erfinv): a write into the
  // result after the op is no error, a write into the input is.
  static constexpr Grad grad = Grad::FromInput;
  static constexpr uint8_t python = kPyAll;
  template <class T>
  static T f(T x) {
    return static_cast<T>(erfinv_double(static_cast<double>(x)));
  }
  template <class T>
  static T df(T g, T x) {  // PyTorch's 0.5 * sqrt(pi) * exp(erfinv(self)^2) * grad
    const T y = f(x);
    return static_cast<T>(0.886226925452758013649083741671L) * std::exp(y * y) * g;
  }
};

struct exp2 : Decl<exp2> {
  static constexpr const char* doc = "2 to the power of each element.";
  static constexpr Rule rule = Rule::IntToFloat;
  static constexpr Grad grad = Grad::FromOutput;
  static constexpr uint8_t python = kPyAll;
  template <class T>
  static T f(T x) {
    return std::exp2(x);
  }
  template <class T>
  static T df(T g, T y) {
    return g * y * static_cast<T>(kLn2);
  }
};

struct lgamma : Decl<lgamma> {
  static constexpr const char* doc =
      "The natural logarithm of the absolute value of the gamma function of each element.";
  static constexpr Rule rule = Rule::IntToFloat;
  static constexpr Grad grad = Grad::FromInput;
  static constexpr uint8_t python = kPyAll;
  template <class T>
  static T f(T x) {
    return std::lgamma(x);
  }
  template <class T>
  static T df(T g, T x) {
    return g * digamma_of(x);
  }
};

struct digamma : Decl<digamma> {
  static constexpr const char* doc =
      "The logarithmic derivative of the gamma function of each element (-inf/+inf at -0/+0, "
      "NaN at the negative integers).";
  static constexpr Rule rule = Rule::IntToFloat;
  static constexpr Grad grad = Grad::FromInput;
  static constexpr uint8_t python = kPyAll;
  template <class T>
  static T f(T x) {
    return digamma_of(x);
  }
  template <class T>
  static T df(T g, T x) {
    return g * trigamma_of(x);
  }
};

struct sinc : Decl<sinc> {
  static constexpr const char* doc =
      "The normalized sinc function sin(pi x) / (pi x) of each element (1 at 0).";
  static constexpr Rule rule = Rule::IntToFloat;
  static constexpr Grad grad = Grad::FromInput;
  static constexpr uint8_t python = kPyAll;
  template <class T>
  static T f(T x) {
    if (x == T(0)) return T(1);
    const T p = static_cast<T>(kPi) * x;
    return std::sin(p) / p;
  }
  template <class T>
  static T df(T g, T x) {
    if (x == T(0)) return T(0);
    const T p = static_cast<T>(kPi) * x;
    return g * ((p * std::cos(p) - std::sin(p)) / (p * x));
  }
};

struct deg2rad : Decl<deg2rad> {
  static constexpr const char* doc = "Each element converted from degrees to radians.";
  static constexpr Rule rule = Rule::IntToFloat;
  static constexpr Grad grad = Grad::FromGrad;
  static constexpr uint8_t python = kPyAll;
  static constexpr const char* node = "Deg2RadBackward0";  // as PyTorch
  template <class T>
  static T f(T x) {
    return x * static_cast<T>(kPi / 180);
  }
  template <class T>
  static T df(T g) {
    return g * static_cast<T>(kPi / 180);
  }
};

struct rad2deg : Decl<rad2deg> {
  static constexpr const char* doc = "Each element converted from radians to degrees.";
  static constexpr Rule rule = Rule::IntToFloat;
  static constexpr Grad grad = Grad::FromGrad;
  static constexpr uint8_t python = kPyAll;
  static constexpr const char* node = "Rad2DegBackward0";  // as PyTorch
  template <class T>
  static T f(T x) {
    return x * static_cast<T>(180 / kPi);
  }
  template <class T>
  static T df(T g) {
    return g * static_cast<T>(180 / kPi);
  }
};

struct logit : Decl<logit> {
  static constexpr const char* doc =
      "log(x / (1 - x)) of each element, x first clamped to [eps, 1 - eps] when eps is given; "
      "the gradient is 0 outside that range (NaN outside [0, 1] without eps).";
  static constexpr Rule rule = Rule::IntToFloat;
  static constexpr Grad grad = Grad::FromInput;
  static constexpr std::array<Param, 1> params{{{"eps", kOptional}}};
  static constexpr uint8_t python = kPyAll;
  template <class T>
  static T f(T x, T eps) {
    if (!std::isnan(eps)) {
      const T lo = eps, hi = T(1) - eps;
      x = x < lo ? lo : (x > hi ? hi : x);
    }
    return x == T(1) ? std::numeric_limits<T>::infinity() : std::log(x / (T(1) - x));
  }
  template <class T>
  static T df(T g, T x, T eps) {
    if (std::isnan(eps)) {
      if (x < T(0) || x > T(1)) return std::numeric_limits<T>::quiet_NaN();
    } else if (x < eps || x > T(1) - eps) {
      return T(0);
    }
    return x == T(0) || x == T(1) ? g * std::numeric_limits<T>::infinity() : g / (x * (T(1) - x));
  }
};

struct signbit : Decl<signbit> {
  static constexpr uint8_t python = kPyMethod | kPyFunction | kPyOutExact;
  static constexpr const char* doc =
      "True where the sign bit is set (-0.0 included): a bool tensor.";
  static constexpr Rule rule = Rule::ToBool;
  static constexpr Grad grad = Grad::None;
  template <class T>
  static bool f(T x) {
    if constexpr (std::is_floating_point_v<T>) return std::signbit(x);
    if constexpr (std::is_signed_v<T>) return x < T(0);
    return false;
  }
};

}  // namespace pyag::unary
