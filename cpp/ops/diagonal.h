// Diagonals: diagonal(a, offset, dim1, dim2), a view of a's diagonal (dims dim1 and dim2
// removed, the diagonal appended last), and diag_embed(a, offset, dim1, dim2), a zero tensor
// with a's last dimension placed on that diagonal. Both differentiable.
#pragma once
#include "tensor/tensor.h"

namespace pyag {

Tensor diagonal(const Tensor& a, int64_t offset, int64_t dim1, int64_t dim2);
Tensor diag_embed(const Tensor& a, int64_t offset, int64_t dim1, int64_t dim2);

}  // namespace pyag
