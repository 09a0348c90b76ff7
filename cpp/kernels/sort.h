// Sorting and selection kernels: raw loops over contiguous rows. The op layer (ops/sort.cpp)
// moves the dimension of interest last and makes it contiguous, so that a tensor of shape
// (..., n) is `rows` rows of n elements. NaN counts as larger than every number (PyTorch's
// order). These are kernel entry points: a recorder of kernel calls intercepts here.
#pragma once
#include <cstdint>

#include "tensor/tensor.h"

namespace pyag {

// values/indices (rows, k): the first k elements of each row of `in` (rows, n) in ascending
// (or descending) order, and their positions in the row; equal elements keep their order.
void sort_rows_into(const Tensor& values, const Tensor& indices, const Tensor& in, bool descending,
                    int64_t k);

// values/indices (rows, k): torch.topk's k largest (smallest) elements of each row, sorted, and
// their positions, with PyTorch's CPU order among equal elements: its (value, position) queue
// through std::partial_sort when k * 64 <= n, else std::nth_element and std::sort of the first
// k - 1 (NaN largest).
void topk_rows_into(const Tensor& values, const Tensor& indices, const Tensor& in, bool largest,
                    int64_t k);

// values/indices (rows): the k-th smallest (1-based) element of each row and its position.
// nan_propagates: a row holding NaN gives NaN and the position of its first NaN (median).
void kth_rows_into(const Tensor& values, const Tensor& indices, const Tensor& in, int64_t k,
                   bool nan_propagates);

// out (rows, n) += src (rows, k) at the positions idx (rows, k) of each row: the gradient of a
// selection along a dimension, accumulating repeated positions.
void scatter_rows_add_into(const Tensor& out, const Tensor& idx, const Tensor& src);

// The number of nonzero elements of `in` (any layout).
int64_t count_nonzero(const Tensor& in);

// out (count, in.dim()) int64: the coordinates of the nonzero elements of `in` in row-major
// order (count from count_nonzero).
void nonzero_into(const Tensor& out, const Tensor& in);

// Given `sorted` (n, contiguous, ascending), writes the distinct values to values[0:u],
// group[i] = the rank of sorted[i] among them, counts[0:u] their multiplicities; returns u.
int64_t unique_sorted_into(const Tensor& values, const Tensor& group, const Tensor& counts,
                           const Tensor& sorted);

// out[perm[i]] = src[i] for 1-d contiguous int64 tensors (the inverse of a permutation).
void scatter_by_perm_into(const Tensor& out, const Tensor& perm, const Tensor& src);

// out (contiguous, zeroed, length m) += 1 (or weights[i]) at in[i], for in 1-d integers in
// [0, m). Returns false (nothing written) when a value is negative.
bool bincount_into(const Tensor& out, const Tensor& in, const Tensor* weights);

}  // namespace pyag
