// Matrix products through CBLAS (float32/float64) and a plain loop for int64. Operands are
// described by (pointer, row stride, column stride); a transposed view becomes a transpose
// flag, never a copy.
#pragma once
#include "tensor/tensor.h"

namespace pyag {

// out (m, n) = alpha * a (m, k) @ b (k, n) + beta * out. 2-D tensors of one dtype; out must be
// contiguous or a BLAS-compatible strided matrix. Copies an operand only when neither of its
// strides is 1.
void mm_into(const Tensor& out, const Tensor& a, const Tensor& b, double alpha, double beta);

void set_blas_threads(int n);
int get_blas_threads();
const char* blas_name();

}  // namespace pyag
