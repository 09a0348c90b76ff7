// Element types and PyTorch's promotion lattice: bool < int64 < float32 < float64.
#pragma once
#include <atomic>
#include <cstddef>
#include <cstdint>

namespace pyag {

enum class DType : uint8_t { Bool = 0, Int64 = 1, Float32 = 2, Float64 = 3 };

inline size_t itemsize(DType d) {
  switch (d) {
    case DType::Bool:
      return 1;
    case DType::Int64:
      return 8;
    case DType::Float32:
      return 4;
    case DType::Float64:
      return 8;
  }
  return 0;
}

inline const char* dtype_name(DType d) {
  switch (d) {
    case DType::Bool:
      return "bool";
    case DType::Int64:
      return "int64";
    case DType::Float32:
      return "float32";
    case DType::Float64:
      return "float64";
  }
  return "?";
}

inline bool is_floating(DType d) { return d == DType::Float32 || d == DType::Float64; }

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

// Calls f(T{}) with T the C++ type of dtype d.
template <class F>
decltype(auto) dispatch(DType d, F&& f) {
  switch (d) {
    case DType::Bool:
      return f(bool{});
    case DType::Int64:
      return f(int64_t{});
    case DType::Float32:
      return f(float{});
    case DType::Float64:
      break;
  }
  return f(double{});
}

template <class F>
decltype(auto) dispatch_float(DType d, F&& f) {
  if (d == DType::Float32) return f(float{});
  return f(double{});
}

}  // namespace pyag
