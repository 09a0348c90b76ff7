// Element types and PyTorch's promotion lattice. Every dtype is one row of PYAG_DTYPES; the
// enum, names, sizes, dispatch and the Python/NumPy conversions are generated from it.
#pragma once
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <type_traits>

#include "tensor/error.h"

namespace pyag {

// One row per dtype, in promotion order (a row promotes to any later row):
// X(enum name, C++ type, Python name).  Adding a dtype is a row here, a line in
// pyautograd/_core.pyi and one in pyautograd/__init__.py; the kernels instantiate for it by its
// C++ type's category (bool, integer, floating point).
#define PYAG_DTYPES(X)         \
  X(Bool, bool, "bool")        \
  X(Int64, int64_t, "int64")   \
  X(Float32, float, "float32") \
  X(Float64, double, "float64")

enum class DType : uint8_t {
#define PYAG_X(E, T, N) E,
  PYAG_DTYPES(PYAG_X)
#undef PYAG_X
};

#define PYAG_X(E, T, N) +1
constexpr int kNumDTypes = 0 PYAG_DTYPES(PYAG_X);
#undef PYAG_X

// The C++ type of a dtype, and the dtype of a C++ type.
template <DType D>
struct CType;
template <class T>
struct DTypeOf;
#define PYAG_X(E, T, N)                      \
  template <>                                \
  struct CType<DType::E> {                   \
    using type = T;                          \
  };                                         \
  template <>                                \
  struct DTypeOf<T> {                        \
    static constexpr DType value = DType::E; \
  };
PYAG_DTYPES(PYAG_X)
#undef PYAG_X

// Calls f(T{}) with T the C++ type of dtype d.
template <class F>
decltype(auto) dispatch(DType d, F&& f) {
  switch (d) {
#define PYAG_X(E, T, N) \
  case DType::E:        \
    return f(T{});
    PYAG_DTYPES(PYAG_X)
#undef PYAG_X
  }
  fail("dispatch", "invalid dtype ", static_cast<int>(d));
}

// As dispatch, for the dtypes whose C++ type satisfies Pred (a type trait); the others fail
// with "[op] ... is not defined for <dtype> tensors".
template <template <class> class Pred, class F>
decltype(auto) dispatch_if(DType d, const char* op, F&& f);

inline size_t itemsize(DType d) {
  return dispatch(d, [](auto v) { return sizeof(v); });
}

inline const char* dtype_name(DType d) {
  switch (d) {
#define PYAG_X(E, T, N) \
  case DType::E:        \
    return N;
    PYAG_DTYPES(PYAG_X)
#undef PYAG_X
  }
  return "?";
}

template <class T>
constexpr bool is_floating_type = std::is_floating_point_v<T>;

inline bool is_floating(DType d) {
  return dispatch(d, [](auto v) { return is_floating_type<decltype(v)>; });
}
inline bool is_bool(DType d) { return d == DType::Bool; }
// bool or an integer type
inline bool is_integral(DType d) { return !is_floating(d); }

inline DType promote(DType a, DType b) { return a > b ? a : b; }

// The dtype of Python floats and of float results made from non-float inputs (creation
// functions without dtype=, int / int, int * 2.5): float32 unless set_default_dtype(float64).
inline std::atomic<DType>& default_dtype_slot() {
  static std::atomic<DType> d{DType::Float32};
  return d;
}
inline DType default_dtype() { return default_dtype_slot().load(std::memory_order_relaxed); }

// The dtype of `tensor op python_scalar`: a scalar never widens a tensor of its own category
// (float32 * 2.5 stays float32); it lifts a tensor of a lower category (int64 * 2.5 -> float32).
enum class ScalarKind : uint8_t { Bool, Int, Float };
inline DType promote_scalar(DType t, ScalarKind s) {
  if (s == ScalarKind::Float && !is_floating(t)) return default_dtype();
  if (s == ScalarKind::Int && t == DType::Bool) return DType::Int64;
  return t;
}
// The dtype PyTorch gives a Python number of this kind on its own.
inline DType scalar_dtype(ScalarKind s) {
  switch (s) {
    case ScalarKind::Bool:
      return DType::Bool;
    case ScalarKind::Int:
      return DType::Int64;
    case ScalarKind::Float:
      break;
  }
  return default_dtype();
}

template <template <class> class Pred, class F>
decltype(auto) dispatch_if(DType d, const char* op, F&& f) {
  switch (d) {
#define PYAG_X(E, T, N)                          \
  case DType::E:                                 \
    if constexpr (Pred<T>::value) return f(T{}); \
    break;
    PYAG_DTYPES(PYAG_X)
#undef PYAG_X
  }
  fail(op, "is not defined for ", dtype_name(d), " tensors");
}

template <class F>
decltype(auto) dispatch_float(DType d, F&& f) {
  return dispatch_if<std::is_floating_point>(d, "dispatch", std::forward<F>(f));
}

}  // namespace pyag
