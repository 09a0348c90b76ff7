// The machinery of op declarations (see cpp/ops/README.md): each op family lists its ops once
// (an X-macro: PYAG_UNARY_OPS, PYAG_BINARY_OPS, PYAG_REDUCE_OPS) and declares each op as a
// struct deriving the family's Decl<Op>. From the list and the structs come the kernel enums,
// names, kernel dispatch, backward nodes, named C++ functions, Python bindings and the op table.
#pragma once
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <type_traits>

namespace pyag {

// ---- type lists ----
template <class... Ts>
struct TypeList {
  static constexpr size_t size = sizeof...(Ts);
};

template <class T, class List>
struct IndexOf;
template <class T>
struct IndexOf<T, TypeList<>> {
  static constexpr size_t value = 0;
};
template <class T, class Head, class... Tail>
struct IndexOf<T, TypeList<Head, Tail...>> {
  static constexpr size_t value =
      std::is_same_v<T, Head> ? 0 : 1 + IndexOf<T, TypeList<Tail...>>::value;
};
// The position of T in List (List::size when absent).
template <class T, class List>
constexpr size_t index_of = IndexOf<T, List>::value;

// Forward-declares one struct per row of an op list and collects them in `List`.
#define PYAG_FORWARD_DECLARE(op) struct op;
#define PYAG_LIST_ENTRY(op) , op
#define PYAG_DECLARE_LIST(OPS) \
  OPS(PYAG_FORWARD_DECLARE)    \
  struct ListHead;             \
  using List = ListOf<ListHead OPS(PYAG_LIST_ENTRY)>;

template <class Head, class... Ts>
struct ListOfImpl {
  using type = TypeList<Ts...>;
};
template <class Head, class... Ts>
using ListOf = typename ListOfImpl<Head, Ts...>::type;

// ---- scalar parameters ----
// A parameter of an op (leaky_relu's negative_slope, clamp's min and max): its Python name and
// its default value. kRequired: no default; kOptional: may be None (passed as NaN).
struct Param {
  const char* name;
  double default_value;
};
constexpr double kRequired = std::numeric_limits<double>::infinity();
constexpr double kOptional = std::numeric_limits<double>::quiet_NaN();
inline bool is_required(const Param& p) { return p.default_value == kRequired; }
inline bool is_optional(const Param& p) { return std::isnan(p.default_value); }

constexpr int kMaxParams = 4;
// The scalar parameters of one kernel call, as doubles (NaN: an optional one left out).
struct ScalarArgs {
  double v[kMaxParams] = {};
  // What Python gave for each (ScalarKind: bool, int, float), or -1 (None, or a C++ caller):
  // ops declaring promote_params promote their dtype with the given ones (clamp).
  int8_t kind[kMaxParams] = {-1, -1, -1, -1};
  int n = 0;
  double operator[](int i) const { return v[i]; }
  double& operator[](int i) { return v[i]; }
};

// A parameter as the compute type T. For integers, a value in int64's range is converted as
// PyTorch converts a Python int (an int64) to a narrower type: wrapped, two's complement
// (300 into uint8 is 44, -1 is 255); NaN is 0 and values beyond int64 (+-inf) its limits.
// Ops that must refuse what does not fit (clamp's bounds, pow's exponent) check before.
template <class T>
T param_as(double v) {
  if constexpr (std::is_same_v<T, bool>) {
    return v != 0;
  } else if constexpr (std::is_floating_point_v<T>) {
    return static_cast<T>(v);
  } else {
    if (std::isnan(v)) return T(0);
    constexpr double two63 = 9223372036854775808.0;
    if (v >= -two63 && v < two63) return static_cast<T>(static_cast<int64_t>(v));
    return v < 0 ? std::numeric_limits<T>::lowest() : std::numeric_limits<T>::max();
  }
}

// ---- how an op appears in Python (generated bindings) ----
enum PyFlags : uint8_t {
  kPyMethod = 1,      // Tensor.<name>(...), as torch.Tensor.<name>
  kPyFunction = 2,    // pyautograd.<name>(input, ...), as torch.<name>
  kPyInPlace = 4,     // Tensor.<name>_(...)
  kPyFunctional = 8,  // only _core.<name>(input, ...): for pyautograd.nn.functional.<name> of an
                      // op PyTorch has only in torch.nn.functional (leaky_relu, elu, ...)
  kPyNoOut = 16,      // with kPyFunction: no out= argument (torch.isnan has none)
  kPyOutExact = 32,   // with kPyFunction: out= must have the result's dtype (torch.isposinf)
};

// ---- derivatives ----
// Whether an op is differentiable, as PyTorch has it.
enum class Differentiable : uint8_t {
  Yes,
  Zero,  // defined almost nowhere useful: records a node giving a zero gradient (sign, floor)
  No,    // the result never requires grad (comparisons, bitwise ops)
};

}  // namespace pyag
