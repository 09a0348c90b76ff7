// Elementwise kernels on raw tensors: no checks beyond what the loop needs, no autograd.
// Inputs are already of the compute dtype; outputs are preallocated in the broadcast shape.
#pragma once
#include "tensor/tensor.h"

namespace pyag {

enum class BinaryOp : uint8_t {
  Add,
  Sub,
  Mul,
  Div,
  Pow,
  Maximum,
  Minimum,
  And,
  Or,
  Xor,  // arithmetic and bitwise
  Eq,
  Ne,
  Lt,
  Le,
  Gt,
  Ge  // comparisons (bool results)
};
enum class UnaryOp : uint8_t { Neg, Abs, Exp, Log, Sqrt, Tanh, Sigmoid, Relu, Sign, Square, Not };

inline bool is_comparison(BinaryOp op) { return op >= BinaryOp::Eq; }
inline bool is_bitwise(BinaryOp op) {
  return op == BinaryOp::And || op == BinaryOp::Or || op == BinaryOp::Xor;
}
const char* op_name(BinaryOp op);
const char* op_name(UnaryOp op);

void fill(const Tensor& t, double value);
// dst[...] = src broadcast to dst's shape, converting dtype.
void copy_into(const Tensor& dst, const Tensor& src);
// out = a op b (a, b of one dtype; out of that dtype, or bool for comparisons).
void binary_into(BinaryOp op, const Tensor& out, const Tensor& a, const Tensor& b);
// out = a op s, or s op a when scalar_first.
void binary_scalar_into(BinaryOp op, const Tensor& out, const Tensor& a, double s,
                        bool scalar_first);
void unary_into(UnaryOp op, const Tensor& out, const Tensor& a);
// out = clamp(a, lo, hi); a missing bound is NaN.
void clamp_into(const Tensor& out, const Tensor& a, double lo, double hi);
// out = cond ? a : b
void where_into(const Tensor& out, const Tensor& cond, const Tensor& a, const Tensor& b);

// Fused backward kernels.
// out = g where lo <= x <= hi (bounds included, missing bound NaN), else 0.
void clamp_backward_into(const Tensor& out, const Tensor& g, const Tensor& x, double lo, double hi);
// out = g * p * x^(p-1)
void pow_backward_into(const Tensor& out, const Tensor& g, const Tensor& x, double p);
// out = g * f'(x) for unary ops whose derivative is a function of the saved input or output.
enum class UnaryGrad : uint8_t { Exp, Log, Sqrt, Tanh, Sigmoid, Relu, Abs };
void unary_backward_into(UnaryGrad op, const Tensor& out, const Tensor& g, const Tensor& saved);

}  // namespace pyag
