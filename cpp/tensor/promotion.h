// PyTorch's type promotion, in one place: every op that combines operands of different dtypes
// (binary ops and their in-place forms, where, clamp) asks ResultType, and pyautograd's
// result_type, promote_types and can_cast expose it.
//
// Operands rank by priority: dimensioned tensors, then 0-d tensors, then Python numbers. A
// lower-priority operand changes the result only when its category (bool < integer < floating)
// is higher: float32 tensor * float64 0-d tensor is float32, int64 tensor * float64 0-d tensor
// is float64, int64 tensor * 2.5 is the default float dtype.
#pragma once
#include <algorithm>

#include "tensor/dtype.h"
#include "tensor/tensor.h"

namespace pyag {

inline DType promote_types(DType a, DType b) { return promote(a, b); }

// Whether a value of dtype `from` may be written into a tensor of dtype `to` by an in-place op
// (PyTorch's can_cast: never floating to integral, never non-bool to bool).
inline bool can_cast(DType from, DType to) {
  if (is_floating(from) && !is_floating(to)) return false;
  if (from != DType::Bool && to == DType::Bool) return false;
  return true;
}

class ResultType {
 public:
  ResultType& dtype(DType d, bool zero_dim) {
    add(zero_dim ? zero_ : dim_, d);
    return *this;
  }
  ResultType& tensor(const Tensor& t) { return dtype(t->dtype, t->dim() == 0); }
  ResultType& number(ScalarKind k) {
    add(number_, scalar_dtype(k));
    return *this;
  }
  DType get() const { return static_cast<DType>(combine(dim_, combine(zero_, number_))); }

 private:
  int dim_ = -1, zero_ = -1, number_ = -1;  // -1: no operand of that priority
  static void add(int& slot, DType d) {
    slot = static_cast<int>(slot < 0 ? d : promote(static_cast<DType>(slot), d));
  }
  // The result of a higher-priority group and a lower one (c10's combine_categories).
  static int combine(int higher, int lower) {
    if (higher < 0) return lower;
    if (lower < 0) return higher;
    const auto h = static_cast<DType>(higher), l = static_cast<DType>(lower);
    if (is_floating(h)) return higher;
    if (h == DType::Bool || is_floating(l)) return static_cast<int>(promote(h, l));
    return higher;
  }
};

inline DType result_type(const Tensor& a, const Tensor& b) {
  return ResultType().tensor(a).tensor(b).get();
}
inline DType result_type(const Tensor& a, ScalarKind b) {
  return ResultType().tensor(a).number(b).get();
}

}  // namespace pyag
