// Views (transpose, permute, view, reshape, expand, squeeze, unsqueeze) and copies (contiguous,
// clone): forward and derivative.
#include <algorithm>
#include <cstdint>

#include "autograd/node.h"
#include "kernels/elementwise.h"
#include "ops/ops.h"
#include "ops/rules.h"

namespace pyag {
namespace {

struct PermuteBackward : Node {  // permute, transpose, t (PyTorch's node names differ)
  std::vector<int64_t> inverse;
  const char* label;
  explicit PermuteBackward(const char* l) : label(l) {}
  const char* name() const override { return label; }
  bool apply_is_differentiable() const override { return true; }
  std::vector<Tensor> apply(const Tensor& g) override { return {permute(g, inverse)}; }
};

struct ViewBackward : Node {  // view, reshape, squeeze, unsqueeze, flatten
  Dims in_shape;
  const char* label;
  ViewBackward(Dims s, const char* l) : in_shape(s), label(l) {}
  const char* name() const override { return label; }
  bool apply_is_differentiable() const override { return true; }
  std::vector<Tensor> apply(const Tensor& g) override { return {reshape(g, in_shape)}; }
};

struct IdentityBackward : Node {  // expand (the engine sums back), clone, contiguous
  const char* label;
  explicit IdentityBackward(const char* l) : label(l) {}
  const char* name() const override { return label; }
  bool apply_is_differentiable() const override { return true; }
  std::vector<Tensor> apply(const Tensor& g) override { return {g}; }
};

Tensor record_view(const Tensor& a, Tensor out, Dims in_shape, const char* label) {
  record<ViewBackward>({&a}, out, in_shape, label);
  return out;
}

}  // namespace

Tensor new_view(const Tensor& a, const Dims& shape, const Dims& strides, int64_t offset) {
  Tensor v = make_view(a, shape, strides, offset);
  v->is_view = true;
  // The base of a view of a view is the first one's; a view of a view made under no_grad
  // counts as made under no_grad (PyTorch propagates the creation mode).
  const ViewOf& of = a->view;
  v->view.base = of.base ? of.base : a;
  v->view.version = a->storage->version;
  v->view.no_grad = !GradMode::enabled() || (of.base && of.no_grad);
  return v;
}

namespace {

Tensor permute_as(const Tensor& a, const std::vector<int64_t>& dims, const char* label) {
  const int n = a->dim();
  if (static_cast<int>(dims.size()) != n)
    fail("permute", "number of dims don't match: tensor of shape ", shape_str(a->shape), " and ",
         dims.size(), " dims given");
  std::vector<int> w = wrap_dims(dims, n, "permute");
  Dims s, st;
  std::vector<int64_t> inverse(static_cast<size_t>(n));
  for (int i = 0; i < n; ++i) {
    s.push_back(a->shape[w[static_cast<size_t>(i)]]);
    st.push_back(a->strides[w[static_cast<size_t>(i)]]);
    inverse[static_cast<size_t>(w[static_cast<size_t>(i)])] = i;
  }
  Tensor out = new_view(a, s, st, a->offset);
  if (auto node = record<PermuteBackward>({&a}, out, label)) node->inverse = inverse;
  return out;
}

Tensor transpose_as(const Tensor& a, int64_t d0, int64_t d1, const char* label) {
  const int n = a->dim();
  std::vector<int64_t> perm;
  for (int i = 0; i < n; ++i) perm.push_back(i);
  if (n == 0) {
    wrap_dim(d0, 0, "transpose"), wrap_dim(d1, 0, "transpose");
    return permute_as(a, perm, label);
  }
  std::swap(perm[static_cast<size_t>(wrap_dim(d0, n, "transpose"))],
            perm[static_cast<size_t>(wrap_dim(d1, n, "transpose"))]);
  return permute_as(a, perm, label);
}

}  // namespace

Tensor permute(const Tensor& a, const std::vector<int64_t>& dims) {
  return permute_as(a, dims, "PermuteBackward0");
}

Tensor transpose(const Tensor& a, int64_t d0, int64_t d1) {
  return transpose_as(a, d0, d1, "TransposeBackward0");
}

Tensor t(const Tensor& a) {
  if (a->dim() > 2)
    fail("t", "expects a tensor with <= 2 dimensions, but got shape ", shape_str(a->shape));
  return a->dim() < 2 ? permute_as(a, a->dim() ? std::vector<int64_t>{0} : std::vector<int64_t>{},
                                   "TBackward0")
                      : transpose_as(a, 0, 1, "TBackward0");
}

Tensor view(const Tensor& a, const Dims& shape) {
  Dims s = infer_shape(shape, a->shape, "view");
  Dims st;
  if (!view_strides(a->shape, a->strides, s, st))
    fail("view", "view size ", shape_str(s), " is not compatible with input tensor's size ",
         shape_str(a->shape), " and stride ", shape_str(a->strides),
         " (at least one dimension spans across two contiguous subspaces); use .reshape(...)");
  return record_view(a, new_view(a, s, st, a->offset), a->shape, "ViewBackward0");
}

Tensor reshape(const Tensor& a, const Dims& shape) {
  Dims s = infer_shape(shape, a->shape, "reshape");
  Dims st;
  if (view_strides(a->shape, a->strides, s, st))
    return record_view(a, new_view(a, s, st, a->offset), a->shape, "ViewBackward0");
  Tensor c = empty(s, a->dtype);
  copy_into(make_view(c, a->shape, contiguous_strides(a->shape), 0), a);
  return record_view(a, c, a->shape, "UnsafeViewBackward0");  // PyTorch's copy + _unsafe_view
}

Tensor expand(const Tensor& a, const Dims& shape) {
  const int n = shape.size(), lead = n - a->dim();
  if (lead < 0)
    fail("expand", "the number of sizes provided (", n,
         ") must be greater or equal to the number of dimensions in the tensor ",
         shape_str(a->shape));
  Dims s = shape, st = Dims::filled(n, 0);
  for (int i = 0; i < n; ++i) {
    int ai = i - lead;
    int64_t have = ai >= 0 ? a->shape[ai] : 1;
    if (s[i] == -1) {
      if (ai < 0)
        fail("expand", "-1 is not allowed in a leading, new dimension: ", shape_str(shape));
      s[i] = have;
    }
    if (have == s[i])
      st[i] = ai >= 0 ? a->strides[ai] : 0;
    else if (have != 1)
      fail("expand", "the expanded size of the tensor (", s[i], ") must match the existing size (",
           have, ") at non-singleton dimension ", i, "; target sizes ", shape_str(shape),
           ", tensor sizes ", shape_str(a->shape));
  }
  Tensor out = new_view(a, s, st, a->offset);
  record<IdentityBackward>({&a}, out, "ExpandBackward0");
  return out;
}

Tensor squeeze(const Tensor& a, std::optional<int64_t> dim) {
  Dims s, st;
  int only = dim ? wrap_dim(*dim, a->dim(), "squeeze") : -1;
  for (int i = 0; i < a->dim(); ++i) {
    if (a->shape[i] == 1 && (only < 0 || only == i)) continue;
    s.push_back(a->shape[i]);
    st.push_back(a->strides[i]);
  }
  return record_view(a, new_view(a, s, st, a->offset), a->shape,
                     dim ? "SqueezeBackward1" : "SqueezeBackward0");
}

Tensor unsqueeze(const Tensor& a, int64_t dim) {
  int d = wrap_dim(dim, a->dim() + 1, "unsqueeze");
  Dims s = a->shape, st = a->strides;
  int64_t stride = d < a->dim() ? a->shape[d] * a->strides[d] : 1;
  s.insert(d, 1);
  st.insert(d, stride);
  return record_view(a, new_view(a, s, st, a->offset), a->shape, "UnsqueezeBackward0");
}

Tensor flatten(const Tensor& a, int64_t start_dim, int64_t end_dim) {
  if (a->dim() == 0) {
    wrap_dim(start_dim, 0, "flatten"), wrap_dim(end_dim, 0, "flatten");
    return reshape(a, Dims{1});
  }
  const int s = wrap_dim(start_dim, a->dim(), "flatten");
  const int e = wrap_dim(end_dim, a->dim(), "flatten");
  if (s > e) fail("flatten", "start_dim cannot come after end_dim (", s, " > ", e, ")");
  if (s == e) return a;  // as PyTorch: the tensor itself
  Dims shape;
  int64_t merged = 1;
  for (int d = 0; d < a->dim(); ++d) {
    if (d < s || d > e)
      shape.push_back(a->shape[d]);
    else
      merged *= a->shape[d];
    if (d == e) shape.push_back(merged);
  }
  return reshape(a, shape);
}

Tensor contiguous(const Tensor& a) { return a->contiguous() ? a : clone(a); }

Tensor clone(const Tensor& a) {
  Tensor out = empty(a->shape, a->dtype);
  copy_into(out, a);
  record<IdentityBackward>({&a}, out, "CloneBackward0");
  return out;
}

Tensor as_strided_checked(const Tensor& base, const Dims& shape, const Dims& strides,
                          int64_t offset, const char* op) {
  if (shape.size() != strides.size())
    fail<ValueError>(op, "shape ", shape_str(shape), " and strides ", shape_str(strides),
                     " differ in length");
  const auto isz = static_cast<int64_t>(itemsize(base->dtype));
  const auto capacity = static_cast<int64_t>(base->storage->nbytes) / isz;
  if (offset < 0) fail<ValueError>(op, "negative storage offset ", offset);
  int64_t last = offset;
  bool empty_view = false;
  for (int i = 0; i < shape.size(); ++i) {
    if (shape[i] < 0 || strides[i] < 0)
      fail<ValueError>(op, "negative size or stride in shape ", shape_str(shape), ", strides ",
                       shape_str(strides));
    if (shape[i] == 0) empty_view = true;
    if (shape[i] > 0 && strides[i] > 0) {
      if ((shape[i] - 1) > (INT64_MAX - last) / strides[i])
        fail<ValueError>(op, "strides ", shape_str(strides), " overflow");
      last += (shape[i] - 1) * strides[i];
    }
  }
  if (!empty_view && last >= capacity)
    fail<ValueError>(op, "a tensor of shape ", shape_str(shape), ", strides ", shape_str(strides),
                     " and offset ", offset, " does not fit its storage of ", capacity,
                     " elements");
  return make_view(base, shape, strides, offset);
}

}  // namespace pyag
