// add and sub with alpha (PyTorch's add(input, other, *, alpha)): a +/- alpha * other, with
// PyTorch's rules for alpha's kind.
#include "ops/ops.h"
#include "tensor/promotion.h"

namespace pyag {
namespace {

// alpha * other: a tensor, or (when other is a number) a number in `number`.
Tensor scaled(const char* op, const Tensor& a, const Tensor* other, Scalar other_s, Scalar alpha,
              bool negate, Scalar* number) {
  const bool other_floating =
      other ? is_floating((*other)->dtype) : other_s.kind == ScalarKind::Float;
  const bool other_bool = other ? is_bool((*other)->dtype) : other_s.kind == ScalarKind::Bool;
  if (alpha.kind == ScalarKind::Float && !is_floating(a->dtype) && !other_floating)
    fail(op, "For integral input tensors, argument alpha must not be a floating point number.");
  const bool bool_result = is_bool(a->dtype) && other_bool;
  if (alpha.kind == ScalarKind::Bool && !bool_result)
    fail(op, "Boolean alpha only supported for Boolean results.");
  if (bool_result) alpha = Scalar(alpha.v != 0, ScalarKind::Bool);  // the result stays bool
  // PyTorch converts alpha to the result's dtype with an overflow check (uint8: 300 raises);
  // sub checks -alpha (it adds other * -alpha).
  check_fits(negate ? Scalar(-alpha.v, alpha.kind) : alpha,
             other ? result_type(a, *other) : promote_scalar(a->dtype, other_s.kind), op);
  if (!other) {
    *number = Scalar(other_s.v * alpha.v, alpha.kind > other_s.kind ? alpha.kind : other_s.kind);
    return Tensor();
  }
  if (alpha.v == 1 && alpha.kind != ScalarKind::Float) return *other;
  // other * alpha in the result's dtype: alpha takes no part in the promotion (an int64
  // tensor times 3.0 added to a 0-d float64 tensor is float64, as PyTorch's, not float32)
  const DType rt = result_type(a, *other);
  return detail::scale_by_alpha(is_bool(rt) || (*other)->dtype == rt ? *other : cast(*other, rt),
                                alpha);
}

template <bool kAdd>
Tensor apply(const char* op, const Tensor& a, const Tensor* b, Scalar bs, Scalar alpha) {
  Scalar s;
  // sub refuses bool operands whatever alpha is (alpha * other would not be bool)
  if constexpr (!kAdd)
    if (b || bs.kind == ScalarKind::Bool)
      (void)compute_dtype<binary::sub>(a->dtype, b ? (*b)->dtype : DType::Bool);
  Tensor t = scaled(op, a, b, bs, alpha, !kAdd, &s);
  if constexpr (kAdd)
    return t ? add(a, t) : add(a, s);
  else
    return t ? sub(a, t) : sub(a, s);
}

template <bool kAdd>
const Tensor& apply_(const char* op, const Tensor& a, const Tensor* b, Scalar bs, Scalar alpha) {
  Scalar s;
  // sub refuses bool operands whatever alpha is (alpha * other would not be bool)
  if constexpr (!kAdd)
    if (b || bs.kind == ScalarKind::Bool)
      (void)compute_dtype<binary::sub>(a->dtype, b ? (*b)->dtype : DType::Bool);
  Tensor t = scaled(op, a, b, bs, alpha, !kAdd, &s);
  if constexpr (kAdd)
    return t ? add_(a, t) : add_(a, s);
  else
    return t ? sub_(a, t) : sub_(a, s);
}

// number +/- alpha * b: PyTorch's alpha checks against the result dtype (the number is a
// wrapped scalar: floating when it or b is, bool when both are).
Tensor apply_first(bool is_add, const char* op, Scalar a, const Tensor& b, Scalar alpha) {
  if (alpha.kind == ScalarKind::Float && !is_floating(b->dtype) && a.kind != ScalarKind::Float)
    fail(op, "For integral input tensors, argument alpha must not be a floating point number.");
  const bool bool_result = is_bool(b->dtype) && a.kind == ScalarKind::Bool;
  if (alpha.kind == ScalarKind::Bool && !bool_result)
    fail(op, "Boolean alpha only supported for Boolean results.");
  if (bool_result) alpha = Scalar(alpha.v != 0, ScalarKind::Bool);
  if (!is_add && (is_bool(b->dtype) || a.kind == ScalarKind::Bool))
    (void)compute_dtype<binary::sub>(a.kind == ScalarKind::Bool ? DType::Bool : b->dtype, b->dtype);
  check_fits(is_add ? alpha : Scalar(-alpha.v, alpha.kind), promote_scalar(b->dtype, a.kind), op);
  const Tensor t =
      alpha.v == 1 && alpha.kind != ScalarKind::Float ? b : detail::scale_by_alpha(b, alpha);
  const int id = is_add ? detail::binary_index<binary::add> : detail::binary_index<binary::sub>;
  return detail::apply_binary_number_first(id, t, a, true);
}

}  // namespace

Tensor add(Scalar a, const Tensor& b, Scalar alpha) {
  return apply_first(true, "add", a, b, alpha);
}
Tensor sub(Scalar a, const Tensor& b, Scalar alpha) {
  return apply_first(false, "sub", a, b, alpha);
}

Tensor add(const Tensor& a, const Tensor& b, Scalar alpha) {
  return apply<true>("add", a, &b, {}, alpha);
}
Tensor add(const Tensor& a, Scalar b, Scalar alpha) {
  return apply<true>("add", a, nullptr, b, alpha);
}
Tensor sub(const Tensor& a, const Tensor& b, Scalar alpha) {
  return apply<false>("sub", a, &b, {}, alpha);
}
Tensor sub(const Tensor& a, Scalar b, Scalar alpha) {
  return apply<false>("sub", a, nullptr, b, alpha);
}
const Tensor& add_(const Tensor& self, const Tensor& b, Scalar alpha) {
  return apply_<true>("add_", self, &b, {}, alpha);
}
const Tensor& add_(const Tensor& self, Scalar b, Scalar alpha) {
  return apply_<true>("add_", self, nullptr, b, alpha);
}
const Tensor& sub_(const Tensor& self, const Tensor& b, Scalar alpha) {
  return apply_<false>("sub_", self, &b, {}, alpha);
}
const Tensor& sub_(const Tensor& self, Scalar b, Scalar alpha) {
  return apply_<false>("sub_", self, nullptr, b, alpha);
}

}  // namespace pyag
