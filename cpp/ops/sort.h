// Sorting and selection ops: sort, topk, kthvalue, median, nonzero, unique, bincount. The
// values of sort, topk, kthvalue and median are differentiable: their gradient goes back to
// the selected positions.
#pragma once
#include <optional>
#include <utility>

#include "tensor/tensor.h"

namespace pyag {

// (values, indices) along dim, ascending unless descending; equal elements keep their order
// (every sort is stable); NaN sorts as the largest value.
std::pair<Tensor, Tensor> sort(const Tensor& a, int64_t dim, bool descending);
// The k largest (or smallest) along dim, in sorted order.
std::pair<Tensor, Tensor> topk(const Tensor& a, int64_t k, int64_t dim, bool largest);
// The k-th smallest (1-based) along dim.
std::pair<Tensor, Tensor> kthvalue(const Tensor& a, int64_t k, int64_t dim, bool keepdim);
// The lower median along dim (NaN when the slice holds NaN).
std::pair<Tensor, Tensor> median(const Tensor& a, int64_t dim, bool keepdim);
Tensor median(const Tensor& a);  // of all elements (NaN for an empty tensor)
// (count, a.dim()) int64 coordinates of the nonzero elements, row-major.
Tensor nonzero(const Tensor& a);
// The sorted distinct values of a, the index of each element of a among them (a's shape), and
// their counts. Not differentiable.
struct UniqueResult {
  Tensor values, inverse, counts;
};
UniqueResult unique(const Tensor& a);
// Counts of each value of a 1-d non-negative integer tensor (or sums of weights).
Tensor bincount(const Tensor& a, const std::optional<Tensor>& weights, int64_t minlength);

}  // namespace pyag
