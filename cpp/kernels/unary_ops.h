// The unary elementwise ops: one declaration each. An op is a row of PYAG_UNARY_OPS and a struct
// of the same name deriving Decl<op>, with
//   doc    the docstring of its Python binding
//   rule   its dtype rule (Rule below)
//   grad   what its derivative reads (Grad below), which fixes df's signature
//   f      the value of one element:        template <class T> static T f(T x, T params...)
//   df     the gradient of one element (unless grad is Zero or None), e.g. for FromInput
//                                            template <class T> static T df(T g, T x, T params...)
// and optionally `params` (scalar parameters: name and default; they reach f and df as extra
// arguments of type T), `bool_input`, `python` (PyFlags), `node` (the backward node's name;
// default "<Name>Backward"), `prepare` (adjusts parameters before the kernels run) and `check`
// (refuses bad arguments). Enum, names, dispatch, backward node, the named C++ function
// (ops/ops.h), the Python method and function and the op table are generated from this file.
// cpp/ops/README.md walks through adding one.
#pragma once
#include <cmath>
#include <limits>

#include "kernels/decl.h"
#include "tensor/dtype.h"

// clang-format off
#define PYAG_UNARY_OPS(X) \
  X(neg) X(abs) X(exp) X(log) X(sqrt) X(tanh) X(sigmoid) X(relu) X(sign) X(square) \
  X(bitwise_not) X(logical_not) X(clamp) X(sin) X(cos) \
  X(tan) X(asin) X(acos) X(atan) X(sinh) X(cosh) X(log1p) X(expm1) X(log2) X(log10) \
  X(reciprocal) X(rsqrt) X(erf) X(floor) X(ceil) X(round) X(trunc) X(frac) \
  X(softplus) X(leaky_relu) X(elu) X(gelu) X(silu) X(hardtanh) \
  X(isnan) X(isinf) X(isfinite) X(isposinf) X(isneginf) X(nan_to_num) X(clamp_min) X(clamp_max) \
  X(asinh) X(acosh) X(atanh) X(erfc) X(erfinv) X(exp2) X(lgamma) X(digamma) X(sinc) \
  X(deg2rad) X(rad2deg) X(logit) X(signbit)
// clang-format on

namespace pyag::unary {

// What the derivative reads, and so the signature of df.
enum class Grad : uint8_t {
  FromInput,   // df(g, x, params...)        saves the input
  FromOutput,  // df(g, y, params...)        saves the output
  FromBoth,    // df(g, x, y, params...)     saves both
  FromGrad,    // df(g, params...)           saves nothing
  Zero,        // no df: a zero gradient, as PyTorch gives for sign, floor, round
  None,        // no df: not differentiable, the result never requires grad
};

// The dtype an op computes in and returns.
enum class Rule : uint8_t {
  Same,        // the input's dtype; a bool input as bool_input says
  IntToFloat,  // floating dtypes kept; bool and integers are computed as the default
               // floating dtype (float32 unless set_default_dtype)
  Integral,    // bool and integer dtypes only
  ToBool,      // any dtype; the result is bool
};

// What a Same op does with a bool input.
enum class BoolInput : uint8_t {
  Error,    // refuses it (neg, relu, sign)
  Keep,     // computes in bool
  AsInt64,  // computes in int64, as PyTorch's pow(bool, 2) (square)
};

PYAG_DECLARE_LIST(PYAG_UNARY_OPS)

template <class Op>
struct Decl {
  static_assert(index_of<Op, List> < List::size,
                "this unary op has no row in PYAG_UNARY_OPS (cpp/kernels/unary_ops.h)");
  static constexpr std::array<Param, 0> params{};
  static constexpr BoolInput bool_input = BoolInput::Error;
  // The result's dtype is promoted with the Python numbers given as parameters (clamp: int64
  // with a float bound is float32, as result_type says).
  static constexpr bool promote_params = false;
  static constexpr uint8_t python = kPyMethod | kPyFunction;
  static constexpr const char* node = nullptr;
  static void prepare(ScalarArgs&) {}
  static void check(const char*, DType, const ScalarArgs&) {}
};

struct neg : Decl<neg> {
  static constexpr uint8_t python = kPyMethod | kPyFunction | kPyInPlace;
  static constexpr const char* doc = "The negation of each element, -input.";
  static constexpr Rule rule = Rule::Same;
  static constexpr Grad grad = Grad::FromGrad;
  template <class T>
  static T f(T x) {
    return static_cast<T>(-x);
  }
  template <class T>
  static T df(T g) {
    return -g;
  }
};

struct abs : Decl<abs> {
  static constexpr uint8_t python = kPyMethod | kPyFunction | kPyInPlace;
  static constexpr const char* doc = "The absolute value of each element.";
  static constexpr Rule rule = Rule::Same;  // bool is an error, as in PyTorch
  static constexpr Grad grad = Grad::FromInput;
  template <class T>
  static T f(T x) {
    return static_cast<T>(x < 0 ? -x : x);
  }
  template <class T>
  static T df(T g, T x) {  // g * sign(x), sign(0) = sign(nan) = 0: an infinite g gives nan there
    return g * (x > 0 ? T(1) : (x < 0 ? T(-1) : T(0)));
  }
};

struct exp : Decl<exp> {
  static constexpr uint8_t python = kPyMethod | kPyFunction | kPyInPlace;
  static constexpr const char* doc = "e raised to each element.";
  static constexpr Rule rule = Rule::IntToFloat;
  static constexpr Grad grad = Grad::FromOutput;
  template <class T>
  static T f(T x) {
    return std::exp(x);
  }
  template <class T>
  static T df(T g, T y) {
    return g * y;
  }
};

struct log : Decl<log> {
  static constexpr uint8_t python = kPyMethod | kPyFunction | kPyInPlace;
  static constexpr const char* doc = "The natural logarithm of each element.";
  static constexpr Rule rule = Rule::IntToFloat;
  static constexpr Grad grad = Grad::FromInput;
  template <class T>
  static T f(T x) {
    return std::log(x);
  }
  template <class T>
  static T df(T g, T x) {
    return g / x;
  }
};

struct sqrt : Decl<sqrt> {
  static constexpr uint8_t python = kPyMethod | kPyFunction | kPyInPlace;
  static constexpr const char* doc = "The square root of each element.";
  static constexpr Rule rule = Rule::IntToFloat;
  static constexpr Grad grad = Grad::FromOutput;
  template <class T>
  static T f(T x) {
    return std::sqrt(x);
  }
  template <class T>
  static T df(T g, T y) {
    return g / (T(2) * y);
  }
};

struct tanh : Decl<tanh> {
  static constexpr uint8_t python = kPyMethod | kPyFunction | kPyInPlace;
  static constexpr const char* doc = "The hyperbolic tangent of each element.";
  static constexpr Rule rule = Rule::IntToFloat;
  static constexpr Grad grad = Grad::FromOutput;
  template <class T>
  static T f(T x) {
    return std::tanh(x);
  }
  template <class T>
  static T df(T g, T y) {
    return g * (T(1) - y * y);
  }
};

struct sigmoid : Decl<sigmoid> {
  static constexpr uint8_t python = kPyMethod | kPyFunction | kPyInPlace;
  static constexpr const char* doc = "The logistic sigmoid 1 / (1 + exp(-x)) of each element.";
  static constexpr Rule rule = Rule::IntToFloat;
  static constexpr Grad grad = Grad::FromOutput;
  template <class T>
  static T f(T x) {  // exp of a non-positive number only: no overflow
    return x >= 0 ? T(1) / (T(1) + std::exp(-x)) : std::exp(x) / (T(1) + std::exp(x));
  }
  template <class T>
  static T df(T g, T y) {
    return g * y * (T(1) - y);
  }
};

struct relu : Decl<relu> {
  static constexpr uint8_t python = kPyMethod | kPyFunction | kPyInPlace | kPyNoOut;
  static constexpr const char* doc = "max(x, 0) of each element (NaN stays NaN).";
  static constexpr Rule rule = Rule::Same;
  static constexpr Grad grad = Grad::FromOutput;
  template <class T>
  static T f(T x) {
    return x < 0 ? T(0) : x;
  }
  template <class T>
  static T df(T g, T y) {  // PyTorch's threshold_backward: a NaN output passes the gradient
    return y <= T(0) ? T(0) : g;
  }
};

struct sign : Decl<sign> {
  static constexpr uint8_t python = kPyMethod | kPyFunction | kPyInPlace;
  static constexpr const char* doc = "-1, 0 or 1: the sign of each element.";
  static constexpr Rule rule = Rule::Same;
  static constexpr BoolInput bool_input = BoolInput::Keep;  // sign(bool) is bool, as PyTorch
  static constexpr Grad grad = Grad::Zero;
  template <class T>
  static T f(T x) {
    if constexpr (std::is_same_v<T, bool>)
      return x;
    else
      return static_cast<T>((x > 0) - (x < 0));
  }
};

struct square : Decl<square> {
  static constexpr uint8_t python = kPyMethod | kPyFunction | kPyInPlace;
  static constexpr const char* doc = "The square of each element.";
  static constexpr Rule rule = Rule::Same;
  static constexpr Grad grad = Grad::FromInput;
  static constexpr BoolInput bool_input = BoolInput::AsInt64;
  static constexpr const char* node = "PowBackward0";  // as PyTorch
  template <class T>
  static T f(T x) {
    return static_cast<T>(x * x);
  }
  template <class T>
  static T df(T g, T x) {
    return T(2) * x * g;
  }
};

struct bitwise_not : Decl<bitwise_not> {
  static constexpr uint8_t python = kPyMethod | kPyFunction | kPyInPlace;
  static constexpr const char* doc = "Bitwise NOT of each element (logical NOT for bool).";
  static constexpr Rule rule = Rule::Integral;
  static constexpr Grad grad = Grad::None;
  template <class T>
  static T f(T x) {
    if constexpr (std::is_same_v<T, bool>)
      return !x;
    else
      return static_cast<T>(~x);
  }
};

struct logical_not : Decl<logical_not> {
  static constexpr const char* doc = "True where the element is zero: a bool tensor.";
  static constexpr Rule rule = Rule::ToBool;
  static constexpr Grad grad = Grad::None;
  template <class T>
  static bool f(T x) {
    return x == T(0);
  }
};

struct clamp : Decl<clamp> {
  static constexpr const char* doc =
      "Each element limited to [min, max] (either bound may be None; min > max gives max; a "
      "NaN bound gives NaN). The gradient passes where min <= x <= max.";
  static constexpr Rule rule = Rule::Same;
  static constexpr bool promote_params = true;  // bool with int bounds computes in int64
  static constexpr Grad grad = Grad::FromInput;
  static constexpr const char* node = "ClampBackward1";  // as PyTorch (scalar bounds)
  static constexpr std::array<Param, 2> params{{{"min", kOptional}, {"max", kOptional}}};
  static constexpr uint8_t python = kPyMethod | kPyFunction | kPyInPlace;
  // None is NaN with no kind (a C++ caller's NaN is None too); a NaN Python gave is a bound.
  static bool none(const ScalarArgs& p, int i) { return std::isnan(p[i]) && p.kind[i] < 0; }
  static void check(const char* name, DType, const ScalarArgs& p) {
    if (none(p, 0) && none(p, 1)) fail(name, "at least one of 'min' or 'max' must not be None");
  }
  static void prepare(ScalarArgs& p) {  // a missing bound is no bound
    if (none(p, 0)) p[0] = -INFINITY;
    if (none(p, 1)) p[1] = INFINITY;
  }
  template <class T>
  static T f(T x, T lo, T hi) {  // min(max(x, lo), hi); NaN (x or a bound) gives NaN
    const T y = x < lo ? lo : x;
    const T z = y > hi ? hi : y;
    // selects, not an early return, so that the loop vectorizes
    if constexpr (std::is_floating_point_v<T>) return lo != lo ? lo : hi != hi ? hi : z;
    return z;
  }
  template <class T>
  static T df(T g, T x, T lo, T hi) {
    return x >= lo && x <= hi ? g : T(0);
  }
};

struct sin : Decl<sin> {
  static constexpr uint8_t python = kPyMethod | kPyFunction | kPyInPlace;
  static constexpr const char* doc = "The sine of each element (radians).";
  static constexpr Rule rule = Rule::IntToFloat;
  static constexpr Grad grad = Grad::FromInput;
  template <class T>
  static T f(T x) {
    return std::sin(x);
  }
  template <class T>
  static T df(T g, T x) {
    return g * std::cos(x);
  }
};

struct cos : Decl<cos> {
  static constexpr uint8_t python = kPyMethod | kPyFunction | kPyInPlace;
  static constexpr const char* doc = "The cosine of each element (radians).";
  static constexpr Rule rule = Rule::IntToFloat;
  static constexpr Grad grad = Grad::FromInput;
  template <class T>
  static T f(T x) {
    return std::cos(x);
  }
  template <class T>
  static T df(T g, T x) {
    return -g * std::sin(x);
  }
};

}  // namespace pyag::unary

#include "kernels/unary_activation_ops.h"  // IWYU pragma: keep (softplus ... hardtanh)
#include "kernels/unary_float_ops.h"       // IWYU pragma: keep (isnan ... clamp_max)
#include "kernels/unary_math_ops.h"        // IWYU pragma: keep (the rows tan ... frac)
#include "kernels/unary_special_ops.h"     // IWYU pragma: keep (asinh ... signbit)
