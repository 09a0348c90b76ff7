// The binary elementwise ops: one declaration each. An op is a row of PYAG_BINARY_OPS and a
// struct of the same name deriving Decl<op>, with
//   doc      the docstring of its Python binding
//   rule     its dtype rule (Rule below)
//   f        the value of one element:  template <class T> static auto f(T a, T b)
// and, when the rule is differentiable (Promote, PromoteNoBool, TrueDivide):
//   grad_a, grad_b   how the gradient of each operand is made (Side below)
//   da, db           for a kernel side, the gradient of one element:
//                    template <class T> static T da(T g, T a, T b, T out)
//                    reading only what the side declares it uses (the others are NaN).
// Optional: `python` (PyFlags), `other` (the Python name of b; default "other"), `check`
// (refuses bad tensor operand dtypes), `node` and
// `node_reflected` (backward node names; default
// "<Name>Backward"), `check_scalar` (refuses bad tensor-scalar arguments). A scalar operand
// (t * 2, 2 - t) goes through the same kernels and derivatives as a tensor one.
#pragma once
#include <cmath>
#include <limits>

#include "kernels/decl.h"
#include "tensor/dtype.h"

// clang-format off
#define PYAG_BINARY_OPS(X) \
  X(add) X(sub) X(mul) X(div) X(pow) X(maximum) X(minimum) \
  X(bitwise_and) X(bitwise_or) X(bitwise_xor) X(logical_and) X(logical_or) X(logical_xor) \
  X(eq) X(ne) X(lt) X(le) X(gt) X(ge) \
  X(atan2) X(fmod) X(remainder) X(hypot) X(copysign) X(floor_divide)
// clang-format on

namespace pyag::binary {

// The dtype an op computes in and returns.
enum class Rule : uint8_t {
  Promote,        // the promoted dtype of the operands
  PromoteNoBool,  // as Promote; a bool operand (tensor or Python bool) is an error (sub)
  TrueDivide,     // as Promote, except that bool and integers are computed as the default
                  // floating dtype (float32 unless set_default_dtype)
  Integral,       // bool and integer dtypes only; not differentiable
  ToBool,         // computed in the promoted dtype, the result is bool; not differentiable
  PromoteNoGrad,  // as Promote, not differentiable: the result never requires grad
                  // (floor_divide: PyTorch has no derivative for it either)
};
constexpr bool differentiable(Rule r) {
  return r != Rule::Integral && r != Rule::ToBool && r != Rule::PromoteNoGrad;
}

// What a derivative reads.
enum Uses : uint8_t { kNothing = 0, kA = 1, kB = 2, kOut = 4 };
// How the gradient of one operand is made.
struct Side {
  enum Kind : uint8_t { Pass, Kernel } kind;  // Pass: the incoming gradient itself
  uint8_t uses;                               // Kernel: what da/db reads (Uses)
};
constexpr Side pass_grad{Side::Pass, kNothing};
constexpr Side grad_kernel(uint8_t uses) { return Side{Side::Kernel, uses}; }

PYAG_DECLARE_LIST(PYAG_BINARY_OPS)

template <class Op>
struct Decl {
  static_assert(index_of<Op, List> < List::size,
                "this binary op has no row in PYAG_BINARY_OPS (cpp/kernels/binary_ops.h)");
  static constexpr uint8_t python = kPyMethod | kPyFunction;
  static constexpr const char* other = "other";  // the Python name of the second operand
  static constexpr const char* node = nullptr;
  static constexpr const char* node_reflected = nullptr;  // scalar first: 2 - t
  static void check(const char*, DType, DType) {}
  static void check_scalar(const char*, DType, double, bool) {}
};

template <class T>
T nan_max(T a, T b) {
  if constexpr (std::is_floating_point_v<T>)
    if (std::isnan(a) || std::isnan(b)) return std::numeric_limits<T>::quiet_NaN();
  return a > b ? a : b;
}
template <class T>
T nan_min(T a, T b) {
  if constexpr (std::is_floating_point_v<T>)
    if (std::isnan(a) || std::isnan(b)) return std::numeric_limits<T>::quiet_NaN();
  return a < b ? a : b;
}

struct add : Decl<add> {
  static constexpr const char* doc = "input + other, elementwise with broadcasting.";
  static constexpr Rule rule = Rule::Promote;
  static constexpr uint8_t python = kPyMethod | kPyFunction | kPyInPlace;
  template <class T>
  static T f(T a, T b) {
    if constexpr (std::is_same_v<T, bool>)
      return a || b;
    else
      return static_cast<T>(a + b);
  }
  static constexpr Side grad_a = pass_grad, grad_b = pass_grad;
};

struct sub : Decl<sub> {
  static constexpr const char* doc = "input - other, elementwise with broadcasting.";
  static constexpr Rule rule = Rule::PromoteNoBool;
  static constexpr uint8_t python = kPyMethod | kPyFunction | kPyInPlace;
  static constexpr const char* node_reflected = "RsubBackward1";
  template <class T>
  static T f(T a, T b) {
    return static_cast<T>(a - b);
  }
  static constexpr Side grad_a = pass_grad, grad_b = grad_kernel(kNothing);
  template <class T>
  static T db(T g, T, T, T) {
    return -g;
  }
};

struct mul : Decl<mul> {
  static constexpr const char* doc = "input * other, elementwise with broadcasting.";
  static constexpr Rule rule = Rule::Promote;
  static constexpr uint8_t python = kPyMethod | kPyFunction | kPyInPlace;
  template <class T>
  static T f(T a, T b) {
    if constexpr (std::is_same_v<T, bool>)
      return a && b;
    else
      return static_cast<T>(a * b);
  }
  static constexpr Side grad_a = grad_kernel(kB), grad_b = grad_kernel(kA);
  template <class T>
  static T da(T g, T, T b, T) {
    return g * b;
  }
  template <class T>
  static T db(T g, T a, T, T) {
    return g * a;
  }
};

struct div : Decl<div> {
  static constexpr const char* doc =
      "input / other (true division: integers give float32), elementwise with broadcasting.";
  static constexpr Rule rule = Rule::TrueDivide;
  static constexpr uint8_t python = kPyMethod | kPyFunction | kPyInPlace;
  template <class T>
  static T f(T a, T b) {  // the ops compute integers as float32; the kernel truncates them
    if constexpr (std::is_integral_v<T>)
      return b == 0 ? T(0) : static_cast<T>(a / b);
    else
      return a / b;
  }
  static constexpr Side grad_a = grad_kernel(kB), grad_b = grad_kernel(kA | kB);
  template <class T>
  static T da(T g, T, T b, T) {
    return g / b;
  }
  template <class T>
  static T db(T g, T a, T b, T) {  // PyTorch's div_tensor_other_backward
    return -g * ((a / b) / b);
  }
};

struct pow : Decl<pow> {
  static constexpr const char* doc =
      "input ** exponent, elementwise with broadcasting (integers to negative integer powers "
      "are an error).";
  static constexpr Rule rule = Rule::Promote;
  static constexpr uint8_t python = kPyMethod | kPyFunction | kPyInPlace;
  static constexpr const char* other = "exponent";
  static void check(const char* name, DType a, DType b) {  // bool ** True is fine
    if (a == DType::Bool && b == DType::Bool)
      fail(name, "is not supported for two bool tensors; convert one with .float() first");
  }
  static void check_scalar(const char* name, DType ct, double s, bool scalar_first) {
    if (scalar_first && ct == DType::Bool)  // True ** t, as PyTorch
      fail(name, "is not supported for a bool base and a bool tensor");
    if (!scalar_first && ct != DType::Bool && !is_floating(ct) && s < 0)
      fail(name, "integers to negative integer powers are not allowed");
  }
  template <class T>
  static T f(T a, T b) {
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
  // PyTorch's formulas, in its order: a zero exponent gives a zero gradient (even at a = 0,
  // whatever g is); the exponent's is g * where(a == 0 and b >= 0, 0, y * log(a)), so that an
  // infinite g there gives NaN as in PyTorch.
  static constexpr Side grad_a = grad_kernel(kA | kB), grad_b = grad_kernel(kA | kB | kOut);
  template <class T>
  static T da(T g, T a, T b, T) {
    if (b == T(2)) return T(2) * a * g;
    if (b == T(0)) return T(0);
    return g * (b * std::pow(a, b - T(1)));
  }
  template <class T>
  static T db(T g, T a, T b, T y) {
    return g * (a == T(0) && b >= T(0) ? T(0) : y * std::log(a));
  }
};

struct maximum : Decl<maximum> {
  static constexpr const char* doc =
      "The larger of input and other, elementwise (NaN wins; ties share the gradient).";
  static constexpr Rule rule = Rule::Promote;
  template <class T>
  static T f(T a, T b) {
    return nan_max(a, b);
  }
  static constexpr Side grad_a = grad_kernel(kA | kB), grad_b = grad_kernel(kA | kB);
  template <class T>
  static T da(T g, T a, T b, T) {  // PyTorch's: a NaN on either side passes g to both
    return a == b ? g / T(2) : (a < b ? T(0) : g);
  }
  template <class T>
  static T db(T g, T a, T b, T) {
    return a == b ? g / T(2) : (a > b ? T(0) : g);
  }
};

struct minimum : Decl<minimum> {
  static constexpr const char* doc =
      "The smaller of input and other, elementwise (NaN wins; ties share the gradient).";
  static constexpr Rule rule = Rule::Promote;
  template <class T>
  static T f(T a, T b) {
    return nan_min(a, b);
  }
  static constexpr Side grad_a = grad_kernel(kA | kB), grad_b = grad_kernel(kA | kB);
  template <class T>
  static T da(T g, T a, T b, T) {  // PyTorch's: a NaN on either side passes g to both
    return a == b ? g / T(2) : (a > b ? T(0) : g);
  }
  template <class T>
  static T db(T g, T a, T b, T) {
    return a == b ? g / T(2) : (a < b ? T(0) : g);
  }
};

struct bitwise_and : Decl<bitwise_and> {
  static constexpr const char* doc = "Bitwise AND (logical for bool), elementwise.";
  static constexpr Rule rule = Rule::Integral;
  static constexpr uint8_t python = kPyMethod | kPyFunction | kPyInPlace;
  template <class T>
  static T f(T a, T b) {
    return static_cast<T>(a & b);
  }
};

struct bitwise_or : Decl<bitwise_or> {
  static constexpr const char* doc = "Bitwise OR (logical for bool), elementwise.";
  static constexpr Rule rule = Rule::Integral;
  static constexpr uint8_t python = kPyMethod | kPyFunction | kPyInPlace;
  template <class T>
  static T f(T a, T b) {
    return static_cast<T>(a | b);
  }
};

struct bitwise_xor : Decl<bitwise_xor> {
  static constexpr const char* doc = "Bitwise XOR (logical for bool), elementwise.";
  static constexpr Rule rule = Rule::Integral;
  static constexpr uint8_t python = kPyMethod | kPyFunction | kPyInPlace;
  template <class T>
  static T f(T a, T b) {
    return static_cast<T>(a ^ b);
  }
};

struct logical_and : Decl<logical_and> {
  static constexpr const char* doc = "True where both elements are nonzero: a bool tensor.";
  static constexpr Rule rule = Rule::ToBool;
  template <class T>
  static bool f(T a, T b) {
    return a != T(0) && b != T(0);
  }
};

struct logical_or : Decl<logical_or> {
  static constexpr const char* doc = "True where either element is nonzero: a bool tensor.";
  static constexpr Rule rule = Rule::ToBool;
  template <class T>
  static bool f(T a, T b) {
    return a != T(0) || b != T(0);
  }
};

struct logical_xor : Decl<logical_xor> {
  static constexpr const char* doc = "True where exactly one element is nonzero: a bool tensor.";
  static constexpr Rule rule = Rule::ToBool;
  template <class T>
  static bool f(T a, T b) {
    return (a != T(0)) != (b != T(0));
  }
};

struct eq : Decl<eq> {
  static constexpr const char* doc = "input == other, elementwise: a bool tensor.";
  static constexpr Rule rule = Rule::ToBool;
  template <class T>
  static bool f(T a, T b) {
    return a == b;
  }
};

struct ne : Decl<ne> {
  static constexpr const char* doc = "input != other, elementwise: a bool tensor.";
  static constexpr Rule rule = Rule::ToBool;
  template <class T>
  static bool f(T a, T b) {
    return a != b;
  }
};

struct lt : Decl<lt> {
  static constexpr const char* doc = "input < other, elementwise: a bool tensor.";
  static constexpr Rule rule = Rule::ToBool;
  template <class T>
  static bool f(T a, T b) {
    return a < b;
  }
};

struct le : Decl<le> {
  static constexpr const char* doc = "input <= other, elementwise: a bool tensor.";
  static constexpr Rule rule = Rule::ToBool;
  template <class T>
  static bool f(T a, T b) {
    return a <= b;
  }
};

struct gt : Decl<gt> {
  static constexpr const char* doc = "input > other, elementwise: a bool tensor.";
  static constexpr Rule rule = Rule::ToBool;
  template <class T>
  static bool f(T a, T b) {
    return a > b;
  }
};

struct ge : Decl<ge> {
  static constexpr const char* doc = "input >= other, elementwise: a bool tensor.";
  static constexpr Rule rule = Rule::ToBool;
  template <class T>
  static bool f(T a, T b) {
    return a >= b;
  }
};

}  // namespace pyag::binary

#include "kernels/binary_math_ops.h"  // IWYU pragma: keep (atan2 ... copysign)
