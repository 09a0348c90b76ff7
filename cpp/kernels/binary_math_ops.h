// The declarations of the binary math ops atan2, fmod, remainder (%), hypot, copysign,
// floor_divide (//). Part of
// the binary family: the rows are in PYAG_BINARY_OPS and this file is included at the end of
// kernels/binary_ops.h (include that one, not this).
#pragma once
#include <cmath>

#include "kernels/binary_ops.h"

namespace pyag::binary {

// Integer division by zero is an error (PyTorch's ZeroDivisionError); floats give NaN/inf.
template <class T>
void check_divisor(const char* op, T b) {
  if constexpr (std::is_integral_v<T>)
    if (b == T(0)) fail(op, "ZeroDivisionError: integer division by zero");
}
inline void refuse_two_bools(const char* name, DType a, DType b) {
  if (a == DType::Bool && b == DType::Bool)
    fail(name, "is not supported for two bool tensors; convert one with .long() first");
}
// A bool tensor with a bool number computes in bool: not implemented there, as PyTorch.
inline void refuse_bool_compute(const char* name, DType ct, double, bool) {
  if (ct == DType::Bool)
    fail(name,
         "is not implemented for bool (a bool tensor with a bool number); convert one "
         "with .long() first");
}

struct atan2 : Decl<atan2> {
  static constexpr const char* doc =
      "The angle (radians, in [-pi, pi]) of the point (other, input), elementwise with "
      "broadcasting (integers give float32).";
  static constexpr Rule rule = Rule::TrueDivide;
  template <class T>
  static T f(T a, T b) {
    return static_cast<T>(std::atan2(static_cast<double>(a), static_cast<double>(b)));
  }
  static constexpr Side grad_a = grad_kernel(kA | kB), grad_b = grad_kernel(kA | kB);
  template <class T>
  static T da(T g, T a, T b, T) {
    return g * b / (a * a + b * b);
  }
  template <class T>
  static T db(T g, T a, T b, T) {
    return -g * a / (a * a + b * b);
  }
};

struct fmod : Decl<fmod> {
  static constexpr const char* doc =
      "The remainder of input / other with the sign of input (C's fmod), elementwise with "
      "broadcasting; an integer division by zero raises.";
  static constexpr Rule rule = Rule::Promote;
  static constexpr uint8_t python = kPyMethod | kPyFunction | kPyInPlace;
  static void check(const char* name, DType a, DType b) { refuse_two_bools(name, a, b); }
  static void check_scalar(const char* name, DType ct, double s, bool first) {
    refuse_bool_compute(name, ct, s, first);
  }
  template <class T>
  static T f(T a, T b) {
    if constexpr (std::is_same_v<T, bool>) {
      return a;
    } else if constexpr (std::is_integral_v<T>) {
      check_divisor("fmod", b);
      return std::is_signed_v<T> && b == T(-1) ? T(0) : static_cast<T>(a % b);
    } else {
      return std::fmod(a, b);
    }
  }
  static constexpr Side grad_a = pass_grad, grad_b = grad_kernel(kA | kB);
  template <class T>
  static T db(T g, T a, T b, T) {
    return -g * std::trunc(a / b);
  }
};

struct remainder : Decl<remainder> {
  static constexpr const char* doc =
      "The remainder of input / other with the sign of other (Python's %), elementwise with "
      "broadcasting; an integer division by zero raises.";
  static constexpr Rule rule = Rule::Promote;
  static constexpr uint8_t python = kPyMethod | kPyFunction | kPyInPlace;
  static void check(const char* name, DType a, DType b) { refuse_two_bools(name, a, b); }
  static void check_scalar(const char* name, DType ct, double s, bool first) {
    refuse_bool_compute(name, ct, s, first);
  }
  template <class T>
  static T f(T a, T b) {
    if constexpr (std::is_same_v<T, bool>) {
      return a;
    } else if constexpr (std::is_integral_v<T>) {
      check_divisor("remainder", b);
      if (std::is_signed_v<T> && b == T(-1)) return T(0);
      T r = static_cast<T>(a % b);
      return r != T(0) && ((r < T(0)) != (b < T(0))) ? static_cast<T>(r + b) : r;
    } else {
      T r = std::fmod(a, b);
      return r != T(0) && ((r < T(0)) != (b < T(0))) ? r + b : r;
    }
  }
  static constexpr Side grad_a = pass_grad, grad_b = grad_kernel(kA | kB);
  template <class T>
  static T db(T g, T a, T b, T) {
    return -g * std::floor(a / b);
  }
};

struct hypot : Decl<hypot> {
  static constexpr const char* doc =
      "sqrt(input**2 + other**2) without overflow, elementwise with broadcasting.";
  static constexpr Rule rule = Rule::TrueDivide;
  template <class T>
  static T f(T a, T b) {
    return static_cast<T>(std::hypot(static_cast<double>(a), static_cast<double>(b)));
  }
  static constexpr Side grad_a = grad_kernel(kA | kOut), grad_b = grad_kernel(kB | kOut);
  template <class T>
  static T da(T g, T a, T, T out) {
    return g * a / out;
  }
  template <class T>
  static T db(T g, T, T b, T out) {
    return g * b / out;
  }
};

struct copysign : Decl<copysign> {
  static constexpr const char* doc =
      "The magnitude of input with the sign of other, elementwise with broadcasting (integers "
      "give float32).";
  static constexpr Rule rule = Rule::TrueDivide;
  template <class T>
  static T f(T a, T b) {
    if constexpr (std::is_floating_point_v<T>)
      return std::copysign(a, b);
    else
      return static_cast<T>(std::copysign(static_cast<double>(a), static_cast<double>(b)));
  }
  static constexpr Side grad_a = grad_kernel(kA | kOut), grad_b = grad_kernel(kNothing);
  template <class T>
  static T da(T g, T a, T, T out) {
    return a == T(0) ? T(0) : g * (out / a);
  }
  template <class T>
  static T db(T, T, T, T) {
    return T(0);
  }
};

struct floor_divide : Decl<floor_divide> {
  static constexpr const char* doc =
      "input / other rounded down (Python's //), elementwise with broadcasting; an integer "
      "division by zero raises. Not differentiable.";
  static constexpr Rule rule = Rule::PromoteNoGrad;
  static constexpr uint8_t python = kPyMethod | kPyFunction | kPyInPlace;
  static void check(const char* name, DType a, DType b) { refuse_two_bools(name, a, b); }
  static void check_scalar(const char* name, DType ct, double s, bool first) {
    refuse_bool_compute(name, ct, s, first);
  }
  template <class T>
  static T f(T a, T b) {
    if constexpr (std::is_same_v<T, bool>) {
      return a;
    } else if constexpr (std::is_integral_v<T>) {
      check_divisor("floor_divide", b);
      if (std::is_signed_v<T> && b == T(-1))  // no overflow trap at the lowest value
        return static_cast<T>(T(0) - a);
      const T q = static_cast<T>(a / b);
      return (a % b != 0 && ((a < 0) != (b < 0))) ? static_cast<T>(q - 1) : q;
    } else {  // Python's float floor division, as PyTorch computes it
      if (b == T(0)) return a / b;
      const T mod = std::fmod(a, b);
      T div = (a - mod) / b;
      if (mod != T(0) && ((b < T(0)) != (mod < T(0)))) div -= T(1);
      if (div == T(0)) return std::copysign(T(0), a / b);
      T fl = std::floor(div);
      if (div - fl > T(0.5)) fl += T(1);
      return fl;
    }
  }
};

}  // namespace pyag::binary
