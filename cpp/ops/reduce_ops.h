// The reductions and scans: one declaration each. An op is a row of PYAG_REDUCE_OPS and a struct
// of the same name deriving Decl<op>, with
//   doc             the docstring of its Python method and function
//   differentiable  Differentiable::Yes, or No (the result never requires grad: all, any,
//                   argmax, argmin)
//   args            the Python arguments after the input, in order (keyword-only ones after "*")
// and optionally `python` (PyFlags; default: Tensor.<name> and torch.<name>, no out=).
// The forward and the derivative are the named C++ functions of ops/ops.h (ops/reduce.cpp,
// ops/reduce_more.cpp); the Python binding of each is its specialization of bind_reduction<Op>
// in bindings/reduce.cpp (a declared op without one fails to build); the op table rows
// (_core._op_table(), family "reduction"), which tests/test_op_table.py walks, come from here.
#pragma once
#include <array>

#include "kernels/decl.h"

// clang-format off
#define PYAG_REDUCE_OPS(X) \
  X(sum) X(mean) X(prod) X(all) X(any) X(logsumexp) X(var) X(std) X(norm) X(max) X(min) \
  X(argmax) X(argmin) X(cumsum) X(cumprod)
// clang-format on

namespace pyag::reduce {

PYAG_DECLARE_LIST(PYAG_REDUCE_OPS)

template <class Op>
struct Decl {
  static constexpr uint8_t python = kPyMethod | kPyFunction | kPyNoOut;
};

template <size_t N>
using Args = ::std::array<const char*, N>;  // ::std: reduce::std is an op

struct sum : Decl<sum> {
  static constexpr const char* doc =
      "The sum of all elements, or along dim (keepdim keeps it as size 1; dtype= sets the "
      "accumulation and result type).";
  static constexpr Differentiable differentiable = Differentiable::Yes;
  static constexpr Args<4> args{"dim", "keepdim", "*", "dtype"};
};

struct mean : Decl<mean> {
  static constexpr const char* doc =
      "The mean of all elements, or along dim (keepdim keeps it as size 1).";
  static constexpr Differentiable differentiable = Differentiable::Yes;
  static constexpr Args<4> args{"dim", "keepdim", "*", "dtype"};
};

struct prod : Decl<prod> {
  static constexpr const char* doc =
      "The product of the elements (over dim, an int, when given); bool and integers give "
      "int64.";
  static constexpr Differentiable differentiable = Differentiable::Yes;
  static constexpr Args<4> args{"dim", "keepdim", "*", "dtype"};
};

struct all : Decl<all> {
  static constexpr const char* doc =
      "Whether every element (over dim: an int or a tuple) is non-zero: a bool tensor.";
  static constexpr Differentiable differentiable = Differentiable::No;
  static constexpr Args<2> args{"dim", "keepdim"};
};

struct any : Decl<any> {
  static constexpr const char* doc =
      "Whether any element (over dim: an int or a tuple) is non-zero: a bool tensor.";
  static constexpr Differentiable differentiable = Differentiable::No;
  static constexpr Args<2> args{"dim", "keepdim"};
};

struct logsumexp : Decl<logsumexp> {
  static constexpr const char* doc =
      "log(sum(exp(input))) over dim (an int or a tuple), computed without overflow; integers "
      "give the default float dtype.";
  static constexpr Differentiable differentiable = Differentiable::Yes;
  static constexpr Args<2> args{"dim", "keepdim"};
};

struct var : Decl<var> {
  static constexpr const char* doc =
      "The variance over dim (None: everything), divided by N - correction (default 1; "
      "unbiased=False is correction=0).";
  static constexpr Differentiable differentiable = Differentiable::Yes;
  static constexpr Args<5> args{"dim", "unbiased", "keepdim", "*", "correction"};
};

struct std : Decl<std> {
  static constexpr const char* doc =
      "The standard deviation: the square root of var with the same arguments.";
  static constexpr Differentiable differentiable = Differentiable::Yes;
  static constexpr Args<5> args{"dim", "unbiased", "keepdim", "*", "correction"};
};

struct norm : Decl<norm> {
  static constexpr const char* doc =
      "The vector p-norm over dim (None: everything): p a number, inf, -inf or 'fro' (2); "
      "p = 0 counts the non-zero elements.";
  static constexpr Differentiable differentiable = Differentiable::Yes;
  static constexpr Args<4> args{"p", "dim", "keepdim", "dtype"};
};

struct max : Decl<max> {
  static constexpr const char* doc =
      "The largest element; with dim, a (values, indices) pair along dim; with a tensor, the "
      "elementwise maximum.";
  static constexpr Differentiable differentiable = Differentiable::Yes;
  static constexpr Args<2> args{"dim", "keepdim"};
};

struct min : Decl<min> {
  static constexpr const char* doc =
      "The smallest element; with dim, a (values, indices) pair along dim; with a tensor, the "
      "elementwise minimum.";
  static constexpr Differentiable differentiable = Differentiable::Yes;
  static constexpr Args<2> args{"dim", "keepdim"};
};

struct argmax : Decl<argmax> {
  static constexpr const char* doc =
      "The index of the largest value, of the flattened tensor or along dim (keepdim keeps it as "
      "size 1); the first one among equals.";
  static constexpr Differentiable differentiable = Differentiable::No;
  static constexpr Args<2> args{"dim", "keepdim"};
};

struct argmin : Decl<argmin> {
  static constexpr const char* doc =
      "The index of the smallest value, of the flattened tensor or along dim (keepdim keeps it as "
      "size 1); the first one among equals.";
  static constexpr Differentiable differentiable = Differentiable::No;
  static constexpr Args<2> args{"dim", "keepdim"};
};

struct cumsum : Decl<cumsum> {
  static constexpr const char* doc = "The running sum along dim; bool and integers sum as int64.";
  static constexpr Differentiable differentiable = Differentiable::Yes;
  static constexpr Args<3> args{"dim", "*", "dtype"};
};

struct cumprod : Decl<cumprod> {
  static constexpr const char* doc =
      "The running product along dim; bool and integers multiply as int64.";
  static constexpr Differentiable differentiable = Differentiable::Yes;
  static constexpr Args<3> args{"dim", "*", "dtype"};
};

}  // namespace pyag::reduce
