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
  X(UInt8, uint8_t, "uint8")   \
  X(Int8, int8_t, "int8")      \
  X(Int16, int16_t, "int16")   \
  X(Int32, int32_t, "int32")   \
  X(Int64, int64_t, "int64")   \
  X(Float32, float, "float32") \
  X(Float64, double, "float64")

// dtypes that exist as names (torch.float16) but hold no tensor: making or casting to one fails
// with an error naming it. X(enum name, Python name).
#define PYAG_UNSUPPORTED_DTYPES(X) \
  X(Float16, "float16")            \
  X(BFloat16, "bfloat16")

enum class DType : uint8_t {
#define PYAG_X(E, T, N) E,
  PYAG_DTYPES(PYAG_X)
#undef PYAG_X
#define PYAG_X(E, N) E,
      PYAG_UNSUPPORTED_DTYPES(PYAG_X)
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

inline bool is_supported(DType d) { return static_cast<int>(d) < kNumDTypes; }
// Refuses a dtype that has a name but no tensors (float16): the one error every path to
// allocating, casting or computing in it ends in.
[[noreturn]] inline void fail_unsupported_dtype(DType d, const char* op = "dtype");

// Calls f(T{}) with T the C++ type of dtype d.
template <class F>
decltype(auto) dispatch(DType d, F&& f) {
  switch (d) {
#define PYAG_X(E, T, N) \
  case DType::E:        \
    return f(T{});
    PYAG_DTYPES(PYAG_X)
#undef PYAG_X
#define PYAG_X(E, N) case DType::E:
    PYAG_UNSUPPORTED_DTYPES(PYAG_X)
#undef PYAG_X
    break;
  }
  fail_unsupported_dtype(d);
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
#define PYAG_X(E, N) \
  case DType::E:     \
    return N;
    PYAG_UNSUPPORTED_DTYPES(PYAG_X)
#undef PYAG_X
  }
  return "?";
}

inline void fail_unsupported_dtype(DType d, const char* op) {
  fail(op, dtype_name(d),
       " tensors are not supported: pyautograd has bool, uint8, int8, int16, int32, int64, "
       "float32 and float64");
}

template <class T>
constexpr bool is_floating_type = std::is_floating_point_v<T>;

inline bool is_floating(DType d) {
  if (!is_supported(d)) return true;  // float16, bfloat16
  return dispatch(d, [](auto v) { return is_floating_type<decltype(v)>; });
}
inline bool is_bool(DType d) { return d == DType::Bool; }
// bool or an integer type
inline bool is_integral(DType d) { return !is_floating(d); }
inline bool is_signed_integral(DType d) {
  return is_integral(d) && d != DType::Bool && d != DType::UInt8;
}

// PyTorch's promotion of two dtypes: the later row of PYAG_DTYPES, except that uint8 and int8
// meet in int16 (neither holds the other) and float16 and bfloat16 in float32.
inline DType promote(DType a, DType b) {
  auto rank = [](DType d) {  // float16 and bfloat16 sit between int64 and float32
    return is_supported(d) ? 2 * static_cast<int>(d) - (is_floating(d) ? 0 : 1)
                           : 2 * static_cast<int>(DType::Float32) - 1;
  };
  if (a == b) return a;
  if ((a == DType::UInt8 && b == DType::Int8) || (a == DType::Int8 && b == DType::UInt8))
    return DType::Int16;
  if (!is_supported(a) && !is_supported(b)) return DType::Float32;
  return rank(a) >= rank(b) ? a : b;
}

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
#define PYAG_X(E, N) case DType::E:
    PYAG_UNSUPPORTED_DTYPES(PYAG_X)
#undef PYAG_X
    fail_unsupported_dtype(d);
  }
  fail(op, "is not defined for ", dtype_name(d), " tensors");
}

template <class F>
decltype(auto) dispatch_float(DType d, F&& f) {
  return dispatch_if<std::is_floating_point>(d, "dispatch", std::forward<F>(f));
}

}  // namespace pyag
