// The declarations of the unary ops on floating-point classes and bounds: isnan, isinf,
// isfinite, isposinf, isneginf, nan_to_num, clamp_min, clamp_max. Part of the unary family: the
// rows are in PYAG_UNARY_OPS and this file is included at the end of kernels/unary_ops.h (include
// that one, not this).
#pragma once
#include <cmath>
#include <limits>

#include "kernels/unary_ops.h"

namespace pyag::unary {

struct isnan : Decl<isnan> {
  static constexpr uint8_t python = kPyMethod | kPyFunction | kPyNoOut;
  static constexpr const char* doc = "True where the element is NaN: a bool tensor.";
  static constexpr Rule rule = Rule::ToBool;
  static constexpr Grad grad = Grad::None;
  template <class T>
  static bool f(T x) {
    if constexpr (std::is_floating_point_v<T>) return std::isnan(x);
    return false;
  }
};

struct isinf : Decl<isinf> {
  static constexpr uint8_t python = kPyMethod | kPyFunction | kPyNoOut;
  static constexpr const char* doc = "True where the element is +inf or -inf: a bool tensor.";
  static constexpr Rule rule = Rule::ToBool;
  static constexpr Grad grad = Grad::None;
  template <class T>
  static bool f(T x) {
    if constexpr (std::is_floating_point_v<T>) return std::isinf(x);
    return false;
  }
};

struct isfinite : Decl<isfinite> {
  static constexpr uint8_t python = kPyMethod | kPyFunction | kPyNoOut;
  static constexpr const char* doc = "True where the element is neither NaN nor infinite.";
  static constexpr Rule rule = Rule::ToBool;
  static constexpr Grad grad = Grad::None;
  template <class T>
  static bool f(T x) {
    if constexpr (std::is_floating_point_v<T>) return std::isfinite(x);
    return true;
  }
};

struct isposinf : Decl<isposinf> {
  static constexpr uint8_t python = kPyMethod | kPyFunction | kPyOutExact;
  static constexpr const char* doc = "True where the element is +inf: a bool tensor.";
  static constexpr Rule rule = Rule::ToBool;
  static constexpr Grad grad = Grad::None;
  template <class T>
  static bool f(T x) {
    if constexpr (std::is_floating_point_v<T>) return std::isinf(x) && x > 0;
    return false;
  }
};

struct isneginf : Decl<isneginf> {
  static constexpr uint8_t python = kPyMethod | kPyFunction | kPyOutExact;
  static constexpr const char* doc = "True where the element is -inf: a bool tensor.";
  static constexpr Rule rule = Rule::ToBool;
  static constexpr Grad grad = Grad::None;
  template <class T>
  static bool f(T x) {
    if constexpr (std::is_floating_point_v<T>) return std::isinf(x) && x < 0;
    return false;
  }
};

struct nan_to_num : Decl<nan_to_num> {
  static constexpr const char* doc =
      "NaN replaced by nan, +inf by posinf and -inf by neginf (None: the dtype's largest and "
      "lowest finite values); the gradient passes where the element is finite.";
  static constexpr Rule rule = Rule::Same;
  static constexpr Grad grad = Grad::FromInput;
  static constexpr BoolInput bool_input = BoolInput::Keep;
  static constexpr std::array<Param, 3> params{
      {{"nan", 0.0}, {"posinf", kOptional}, {"neginf", kOptional}}};
  static constexpr uint8_t python = kPyMethod | kPyFunction | kPyInPlace;
  template <class T>
  static T f(T x, T nan, T posinf, T neginf) {
    if constexpr (std::is_floating_point_v<T>) {
      if (std::isnan(x)) return nan;
      if (std::isinf(x)) {
        if (x > 0) return std::isnan(posinf) ? std::numeric_limits<T>::max() : posinf;
        return std::isnan(neginf) ? std::numeric_limits<T>::lowest() : neginf;
      }
    }
    return x;
  }
  template <class T>
  static T df(T g, T x, T, T, T) {
    return std::isfinite(x) ? g : T(0);
  }
};

struct clamp_min : Decl<clamp_min> {
  static constexpr const char* doc =
      "Each element at least min (NaN stays NaN); the gradient "
      "passes where x >= min.";
  static constexpr Rule rule = Rule::Same;
  static constexpr bool promote_params = true;  // int64 with a float bound is float32
  static constexpr Grad grad = Grad::FromInput;
  static constexpr std::array<Param, 1> params{{{"min", kRequired}}};
  static constexpr uint8_t python = kPyMethod | kPyFunction | kPyInPlace;
  template <class T>
  static T f(T x, T lo) {  // a NaN bound gives NaN, as PyTorch (a select: the loop vectorizes)
    if constexpr (std::is_floating_point_v<T>) return lo != lo ? lo : x < lo ? lo : x;
    return x < lo ? lo : x;
  }
  template <class T>
  static T df(T g, T x, T lo) {
    return x >= lo ? g : T(0);
  }
};

struct clamp_max : Decl<clamp_max> {
  static constexpr const char* doc =
      "Each element at most max (NaN stays NaN); the gradient "
      "passes where x <= max.";
  static constexpr Rule rule = Rule::Same;
  static constexpr bool promote_params = true;  // int64 with a float bound is float32
  static constexpr Grad grad = Grad::FromInput;
  static constexpr std::array<Param, 1> params{{{"max", kRequired}}};
  static constexpr uint8_t python = kPyMethod | kPyFunction | kPyInPlace;
  template <class T>
  static T f(T x, T hi) {  // a NaN bound gives NaN, as PyTorch (a select: the loop vectorizes)
    if constexpr (std::is_floating_point_v<T>) return hi != hi ? hi : x > hi ? hi : x;
    return x > hi ? hi : x;
  }
  template <class T>
  static T df(T g, T x, T hi) {
    return x <= hi ? g : T(0);
  }
};

}  // namespace pyag::unary
