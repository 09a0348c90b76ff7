// dot, outer, addmm, baddbmm (and addmm_, baddbmm_): compositions of mm, bmm and the elementwise
// ops, so their gradients come from those ops' nodes. Each checks its operands first, so that
// errors name it and the shapes.
#include "autograd/node.h"
#include "kernels/elementwise.h"
#include "ops/ops.h"

namespace pyag {
namespace {

void same_dtype(const char* op, const Tensor& a, const Tensor& b) {
  if (a->dtype != b->dtype)
    fail(op, "expected both operands to have the same dtype, got ", dtype_name(a->dtype), " and ",
         dtype_name(b->dtype));
  if (a->dtype == DType::Bool) fail(op, "is not supported for bool tensors");
}

void check_coefficient(const char* op, const char* name, Scalar s, DType dt) {
  if (!is_floating(dt) && s.kind == ScalarKind::Float)
    fail<TypeError>(op, "for integral input tensors, argument ", name,
                    " must not be a floating point number");
}

// beta * input + alpha * prod, input broadcast to prod's shape (beta = 0: input's values are
// ignored, NaN included, as PyTorch; its gradient is 0 * g).
Tensor combine(const char* op, const Tensor& input, const Tensor& prod, Scalar beta, Scalar alpha) {
  if (input->dtype != prod->dtype)
    fail(op, "expected input to have the dtype of the product, ", dtype_name(prod->dtype), ", got ",
         dtype_name(input->dtype));
  check_coefficient(op, "alpha", alpha, prod->dtype);
  check_coefficient(op, "beta", beta, prod->dtype);
  bool fits = input->dim() <= prod->dim();
  for (int i = 1; fits && i <= input->dim(); ++i) {
    const int64_t s = input->shape[input->dim() - i], t = prod->shape[prod->dim() - i];
    fits = s == t || s == 1;
  }
  if (!fits)
    fail(op, "input of shape ", shape_str(input->shape),
         " cannot be broadcast to the product's shape ", shape_str(prod->shape));
  const Tensor p = alpha.v == 1 ? prod : mul(prod, alpha);
  if (beta.v == 0) {
    if (!input->requires_grad()) return p;
    // PyTorch's gradient for input is still g * beta (zeros; NaN where g is not finite): the
    // graph is the composite's, the values p's (input's NaN ignored); add's node saves nothing.
    Tensor out = add(mul(input, beta), p);
    copy_into(out, detach(p));
    return out;
  }
  return add(beta.v == 1 ? input : mul(input, beta), p);
}

}  // namespace

Tensor dot(const Tensor& a, const Tensor& b) {
  if (a->dim() != 1 || b->dim() != 1)
    fail("dot", "expected 1-D tensors, got shapes ", shape_str(a->shape), " and ",
         shape_str(b->shape));
  if (a->numel != b->numel)
    fail("dot", "inconsistent tensor size: shapes ", shape_str(a->shape), " and ",
         shape_str(b->shape), " have different numbers of elements");
  same_dtype("dot", a, b);
  return matmul(a, b);
}

Tensor outer(const Tensor& a, const Tensor& b) {
  if (a->dim() != 1 || b->dim() != 1)
    fail("outer", "expected 1-D tensors, got shapes ", shape_str(a->shape), " and ",
         shape_str(b->shape));
  return mul(unsqueeze(a, 1), unsqueeze(b, 0));
}

Tensor addmm(const Tensor& input, const Tensor& mat1, const Tensor& mat2, Scalar beta,
             Scalar alpha) {
  if (mat1->dim() != 2 || mat2->dim() != 2)
    fail("addmm", "mat1 and mat2 must be matrices, got shapes ", shape_str(mat1->shape), " and ",
         shape_str(mat2->shape));
  if (mat1->shape[1] != mat2->shape[0])
    fail("addmm", "mat1 and mat2 shapes cannot be multiplied: ", shape_str(mat1->shape), " and ",
         shape_str(mat2->shape));
  same_dtype("addmm", mat1, mat2);
  Tensor out = combine("addmm", input, mm(mat1, mat2), beta, alpha);
  if (alpha.v == 0) {
    // PyTorch's GEMM skips the product when alpha is 0: the value is beta * input (0 for beta
    // 0; -0 kept), with no NaN or inf from mat1 or mat2. The graph (and so the gradients,
    // mm(g, mat2^T) * 0 and so on) stays the composite's: only the fresh result's values are
    // replaced, which no node saved.
    if (beta.v == 0)
      fill(out, 0.0);
    else
      copy_into(out, beta.v == 1 ? detach(input) : mul(detach(input), beta));
  }
  show_grad_fn_as(out, "AddmmBackward0");
  return out;
}

Tensor baddbmm(const Tensor& input, const Tensor& batch1, const Tensor& batch2, Scalar beta,
               Scalar alpha) {
  if (batch1->dim() != 3 || batch2->dim() != 3)
    fail("baddbmm", "batch1 and batch2 must be 3-D tensors, got shapes ", shape_str(batch1->shape),
         " and ", shape_str(batch2->shape));
  if (batch1->shape[0] != batch2->shape[0] || batch1->shape[2] != batch2->shape[1])
    fail("baddbmm", "batch1 and batch2 shapes cannot be multiplied: ", shape_str(batch1->shape),
         " and ", shape_str(batch2->shape));
  same_dtype("baddbmm", batch1, batch2);
  Tensor out = combine("baddbmm", input, bmm(batch1, batch2), beta, alpha);
  show_grad_fn_as(out, "BaddbmmBackward0");
  return out;
}

const Tensor& addmm_(const Tensor& self, const Tensor& mat1, const Tensor& mat2, Scalar beta,
                     Scalar alpha) {
  Tensor r = addmm(self, mat1, mat2, beta, alpha);
  if (r->shape != self->shape)
    fail("addmm_", "the result's shape ", shape_str(r->shape), " differs from self's ",
         shape_str(self->shape));
  return copy_(self, r);
}

const Tensor& baddbmm_(const Tensor& self, const Tensor& batch1, const Tensor& batch2, Scalar beta,
                       Scalar alpha) {
  Tensor r = baddbmm(self, batch1, batch2, beta, alpha);
  if (r->shape != self->shape)
    fail("baddbmm_", "the result's shape ", shape_str(r->shape), " differs from self's ",
         shape_str(self->shape));
  return copy_(self, r);
}

}  // namespace pyag
