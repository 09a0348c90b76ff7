// Elementwise kernels on raw tensors: no checks beyond what the loop needs, no autograd. Inputs
// are already of the compute dtype; outputs are preallocated in the broadcast shape.
//
// These functions are part of the kernel waist (cpp/ops/README.md, "The kernel waist"): every
// elementwise computation of the library, forward or backward, reaches a kernel through one of
// them, with the kernel's id, its output and input tensors and its scalar parameters.
#pragma once
#include "kernels/binary_ops.h"
#include "kernels/unary_ops.h"
#include "tensor/tensor.h"

namespace pyag {

// One id per row of PYAG_UNARY_OPS / PYAG_BINARY_OPS, in order.
#define PYAG_ENUM_ENTRY(op) op,
enum class UnaryKernel : uint8_t { PYAG_UNARY_OPS(PYAG_ENUM_ENTRY) };
enum class BinaryKernel : uint8_t { PYAG_BINARY_OPS(PYAG_ENUM_ENTRY) };
#undef PYAG_ENUM_ENTRY
constexpr int kNumUnary = static_cast<int>(unary::List::size);
constexpr int kNumBinary = static_cast<int>(binary::List::size);

template <class Op>
constexpr UnaryKernel unary_id = static_cast<UnaryKernel>(index_of<Op, unary::List>);
template <class Op>
constexpr BinaryKernel binary_id = static_cast<BinaryKernel>(index_of<Op, binary::List>);

const char* op_name(UnaryKernel k);
const char* op_name(BinaryKernel k);

// An operand of a binary kernel: a tensor, or a scalar (converted to the compute type).
struct Arg {
  const Tensor* t = nullptr;
  double s = 0;
  Arg(const Tensor& x) : t(&x) {}  // NOLINT: implicit by design
  Arg(double v) : s(v) {}          // NOLINT
};

// ---- the waist: elementwise ----
// out = f(a, params)
void unary_into(UnaryKernel k, const Tensor& out, const Tensor& a, const ScalarArgs& p = {});
// out = df(g, x and/or y, params): the op's derivative; x and y as its declaration reads them.
void unary_grad_into(UnaryKernel k, const Tensor& out, const Tensor& g, const Tensor* x,
                     const Tensor* y, const ScalarArgs& p = {});
// out = f(a, b): a and b tensors of one dtype or scalars (not both); out of that dtype, or bool.
void binary_into(BinaryKernel k, const Tensor& out, Arg a, Arg b);
// out = da (side 0) or db (side 1) of (g, a, b, y); operands the side does not read may be
// missing (nullptr): the kernel passes NaN in their place.
void binary_grad_into(BinaryKernel k, int side, const Tensor& out, const Tensor& g, const Arg* a,
                      const Arg* b, const Tensor* y);
// Every element of t = value.
void fill(const Tensor& t, double value);
// dst[...] = src broadcast to dst's shape, converting dtype.
void copy_into(const Tensor& dst, const Tensor& src);
// out = cond ? a : b
void where_into(const Tensor& out, const Tensor& cond, const Tensor& a, const Tensor& b);

// Conveniences over the entry points above.
inline void binary_scalar_into(BinaryKernel k, const Tensor& out, const Tensor& a, double s,
                               bool scalar_first) {
  scalar_first ? binary_into(k, out, s, a) : binary_into(k, out, a, s);
}
// clamp; a missing bound is NaN.
inline void clamp_into(const Tensor& out, const Tensor& a, double lo, double hi) {
  ScalarArgs p;
  p[0] = lo, p[1] = hi, p.n = 2;
  unary_into(UnaryKernel::clamp, out, a, p);
}
inline void clamp_backward_into(const Tensor& out, const Tensor& g, const Tensor& x, double lo,
                                double hi) {
  ScalarArgs p;
  p[0] = lo, p[1] = hi, p.n = 2;
  unary_grad_into(UnaryKernel::clamp, out, g, &x, nullptr, p);
}

}  // namespace pyag
