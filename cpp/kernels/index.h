// Index kernels: gather and scatter along a dim, driven by an int64 index tensor. These are part
// of the kernel waist (cpp/ops/README.md, "The kernel waist"): index_select, gather, take,
// scatter, scatter_add, index_add/copy/fill and advanced indexing reach their loops only here.
//
// The op layer validates shapes and calls index_range first: the loops trust every index.
#pragma once
#include "tensor/tensor.h"

namespace pyag {

// The first index of `index` outside [-size, size) (wrap_negative) or [0, size), in row-major
// order; false when all are in range.
bool index_out_of_range(const Tensor& index, int64_t size, bool wrap_negative, int64_t& bad);

// ---- the waist: indexing ----
// out[i] = src[i with i[dim] replaced by index[i]], over out's shape. `index` has out's shape
// (broadcast views allowed); src's dims other than `dim` are at least out's.
void gather_into(const Tensor& out, const Tensor& src, int dim, const Tensor& index,
                 bool wrap_negative);
// self[i with i[dim] replaced by index[i]] = src[i] (or += when accumulate), over index's
// shape; src has index's shape (broadcast views allowed, e.g. a scalar). Repeated indices:
// the last write wins (accumulate: all are summed), in row-major order.
void scatter_into(const Tensor& self, int dim, const Tensor& index, const Tensor& src,
                  bool accumulate, bool wrap_negative);

// offsets[i] += (index[i] < 0 ? index[i] + size : index[i]) * stride, over offsets' shape
// (index broadcast to it): the element offsets of advanced indexing, one index tensor at a time.
void index_offsets_add(const Tensor& offsets, const Tensor& index, int64_t size, int64_t stride);

}  // namespace pyag
