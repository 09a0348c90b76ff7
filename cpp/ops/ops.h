// The public, differentiable operations: validate -> promote/broadcast -> allocate -> kernel ->
// record the backward node. Every error names the op and the shapes or dtypes.
#pragma once
#include <cmath>
#include <optional>
#include <utility>
#include <vector>

#include "kernels/elementwise.h"
#include "tensor/tensor.h"

namespace pyag {

struct Scalar {
  double v = 0;
  ScalarKind kind = ScalarKind::Float;
};

// ---- elementwise (arith.cpp) ----
Tensor binary(BinaryOp op, const Tensor& a, const Tensor& b);
Tensor binary(BinaryOp op, const Tensor& a, Scalar s, bool scalar_first = false);
inline Tensor add(const Tensor& a, const Tensor& b) { return binary(BinaryOp::Add, a, b); }
inline Tensor sub(const Tensor& a, const Tensor& b) { return binary(BinaryOp::Sub, a, b); }
inline Tensor mul(const Tensor& a, const Tensor& b) { return binary(BinaryOp::Mul, a, b); }
inline Tensor div(const Tensor& a, const Tensor& b) { return binary(BinaryOp::Div, a, b); }
Tensor where(const Tensor& cond, const Tensor& a, const Tensor& b);
Tensor cast(const Tensor& a, DType dtype);  // differentiable dtype conversion (`to`)
// The dtype a binary op computes in, and the dtype of its result.
DType compute_dtype(BinaryOp op, DType a, DType b, const char* name);

// ---- unary (unary.cpp) ----
Tensor unary(UnaryOp op, const Tensor& a);
Tensor clamp(const Tensor& a, std::optional<double> lo, std::optional<double> hi);

// ---- reductions (reduce.cpp) ----
Tensor sum(const Tensor& a, const std::vector<int64_t>& dims, bool keepdim);  // dims empty: all
Tensor mean(const Tensor& a, const std::vector<int64_t>& dims, bool keepdim);
Tensor extreme(const Tensor& a, bool is_max);  // max()/min() over everything
std::pair<Tensor, Tensor> extreme_dim(const Tensor& a, int64_t dim, bool keepdim, bool is_max);

// ---- linear algebra (linalg.cpp) ----
Tensor mm(const Tensor& a, const Tensor& b);
Tensor bmm(const Tensor& a, const Tensor& b);
Tensor matmul(const Tensor& a, const Tensor& b);

// ---- shape and views (shape_ops.cpp) ----
Tensor transpose(const Tensor& a, int64_t d0, int64_t d1);
Tensor t(const Tensor& a);
Tensor permute(const Tensor& a, const std::vector<int64_t>& dims);
Tensor view(const Tensor& a, const Dims& shape);
Tensor reshape(const Tensor& a, const Dims& shape);
Tensor expand(const Tensor& a, const Dims& shape);
Tensor squeeze(const Tensor& a, std::optional<int64_t> dim);
Tensor unsqueeze(const Tensor& a, int64_t dim);
Tensor flatten(const Tensor& a);
Tensor contiguous(const Tensor& a);
Tensor clone(const Tensor& a);

// ---- indexing (index.cpp) ----
struct IndexItem {
  enum Kind : uint8_t { Int, Slice, NewAxis, Ellipsis } kind = Int;
  int64_t start = 0;  // Int: the index; Slice: start (kNone when omitted)
  int64_t stop = 0;
  int64_t step = 1;
};
constexpr int64_t kNone = INT64_MIN;
Tensor index(const Tensor& a, const std::vector<IndexItem>& items);
Tensor masked_select(const Tensor& a, const Tensor& mask);
void index_put(const Tensor& a, const std::vector<IndexItem>& items, const Tensor& value);
void index_put(const Tensor& a, const std::vector<IndexItem>& items, Scalar value);
void masked_put(const Tensor& a, const Tensor& mask, const Tensor& value);
void masked_fill(const Tensor& a, const Tensor& mask, Scalar value);

// ---- in-place (inplace.cpp): return the tensor itself ----
const Tensor& binary_(BinaryOp op, const Tensor& self, const Tensor& other);
const Tensor& binary_(BinaryOp op, const Tensor& self, Scalar s);
const Tensor& clamp_(const Tensor& self, std::optional<double> lo, std::optional<double> hi);
const Tensor& fill_(const Tensor& self, Scalar value);
const Tensor& zero_(const Tensor& self);
const Tensor& copy_(const Tensor& self, const Tensor& src);
// Refuses an in-place change that autograd cannot follow (a leaf that requires grad, a view of
// one); true when the change must be recorded in the graph (see commit_inplace).
bool check_inplace(const Tensor& self, bool other_requires_grad, const char* op);
// Writes an out-of-place result (with its history) into self.
const Tensor& commit_inplace(const Tensor& self, const Tensor& result);

// ---- creation (creation.cpp) ----
void manual_seed(uint64_t seed);
Tensor randn(const Dims& shape, DType dtype);
Tensor rand(const Dims& shape, DType dtype);
Tensor arange(double start, double end, double step, DType dtype);
Tensor linspace(double start, double end, int64_t steps, DType dtype);

// Shared helpers of the op files.
Tensor new_view(const Tensor& a, const Dims& shape, const Dims& strides, int64_t offset);
std::vector<int> wrap_dims(const std::vector<int64_t>& dims, int ndim, const char* op);

}  // namespace pyag
