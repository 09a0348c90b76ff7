// sum mean max min: forward and derivative.
#include "kernels/reduce.h"

#include <algorithm>
#include <cmath>

#include "autograd/node.h"
#include "kernels/elementwise.h"
#include "ops/ops.h"

namespace pyag {
namespace {

// The keepdim shape of reducing `shape` over `dims`.
Dims kept_shape(const Dims& shape, const std::vector<int>& dims) {
  Dims k = shape;
  for (int d : dims) k[d] = 1;
  return k;
}

Dims squeezed_shape(const Dims& shape, const std::vector<int>& dims) {
  Dims out;
  for (int d = 0; d < shape.size(); ++d)
    if (std::find(dims.begin(), dims.end(), d) == dims.end()) out.push_back(shape[d]);
  return out;
}

std::vector<int> all_dims(int n) {
  std::vector<int> v(static_cast<size_t>(n));
  for (int i = 0; i < n; ++i) v[static_cast<size_t>(i)] = i;
  return v;
}

// g (reduced shape) -> the input's shape, as a broadcast view.
Tensor expand_back(const Tensor& g, const Dims& in_shape, const std::vector<int>& dims) {
  Dims kept = kept_shape(in_shape, dims);
  Tensor gk = g->shape == kept ? g : reshape(g, kept);
  return expand(gk, in_shape);
}

struct SumBackward : Node {
  Dims in_shape;
  std::vector<int> dims;
  double count = 1.0;                    // mean: n, the gradient's divisor (PyTorch's)
  bool is_mean = false, by_dim = false;  // PyTorch's overloads: sum() SumBackward0, sum(dim) 1
  const char* name() const override {
    if (is_mean) return by_dim ? "MeanBackward1" : "MeanBackward0";
    return by_dim ? "SumBackward1" : "SumBackward0";
  }
  bool apply_is_differentiable() const override { return true; }
  std::vector<Tensor> apply(const Tensor& g) override {
    Tensor gs = is_mean ? div(g, Scalar{count}) : g;
    return {expand_back(gs, in_shape, dims)};
  }
};

// The gradient is shared evenly among ties, as PyTorch's evenly_distribute_backward: a NaN
// result (max/min propagate NaN) takes it at the NaNs; elsewhere the gradient is 0, not 0 * g
// (so an infinite incoming gradient gives [0, 0, inf], not NaNs).
struct ExtremeAllBackward : Node {
  SavedTensor x, out;
  bool is_max;
  explicit ExtremeAllBackward(bool m) : is_max(m) {}
  const char* name() const override { return is_max ? "MaxBackward1" : "MinBackward1"; }
  bool apply_is_differentiable() const override { return true; }
  std::vector<Tensor> apply(const Tensor& g) override {
    const Tensor& xv = x.unpack(*this);
    const Tensor& ov = out.unpack(*this);
    Tensor mask = std::isnan(get_double(ov, Dims{})) ? ne(xv, xv) : eq(xv, ov);
    Tensor share = div(g, sum(cast(mask, g->dtype), {}, false));
    return {where(mask, share, Scalar{0.0})};
  }
  void check() const override { x.check(*this), out.check(*this); }
  void release() override { x.reset(), out.reset(); }
};

struct ExtremeDimBackward : Node {
  SavedTensor indices;
  Dims in_shape;
  int dim;
  bool keepdim, is_max;
  ExtremeDimBackward(Dims s, int d, bool k, bool m) : in_shape(s), dim(d), keepdim(k), is_max(m) {}
  const char* name() const override { return is_max ? "MaxBackward0" : "MinBackward0"; }
  bool apply_is_differentiable() const override { return true; }
  std::vector<Tensor> apply(const Tensor& g) override {
    if (in_shape.size() == 0) {  // a 0-d input: the indices are saved (as PyTorch) but all 0
      indices.check(*this);
      return {g};
    }
    Dims kept = kept_shape(in_shape, {dim});
    Tensor gk = g->shape == kept ? g : reshape(g, kept);
    Tensor idx = indices.unpack(*this);
    if (idx->shape != kept) idx = reshape(idx, kept);
    // r[..., idx[...], ...] = g[...] along dim: a scatter (its kernel; differentiable in g)
    Tensor r = scatter(zeros(in_shape, g->dtype), dim, idx, gk);
    return {r};
  }
  void check() const override { indices.check(*this); }
  void release() override { indices.reset(); }
};

Tensor reduce_sum(const Tensor& a, const std::vector<int>& dims, bool keepdim) {
  DType odt = is_integral(a->dtype) ? DType::Int64 : a->dtype;  // as PyTorch: int32 sums to int64
  Dims kept = kept_shape(a->shape, dims);
  Tensor out = zeros(kept, odt);
  sum_into(out, a);
  if (!keepdim) {
    Dims sq = squeezed_shape(a->shape, dims);
    out = make_view(out, sq, contiguous_strides(sq), 0);
  }
  return out;
}

}  // namespace

std::vector<int> wrap_dims(const std::vector<int64_t>& dims, int ndim, const char* op) {
  std::vector<int> out;
  bool seen = false;  // a 0-d tensor: dims 0 and -1 name its one (absent) dim
  for (int64_t d : dims) {
    int w = wrap_dim(d, ndim, op);
    if ((ndim == 0 && seen) || std::find(out.begin(), out.end(), w) != out.end())
      fail(op, "dim ", w, " appears multiple times in the list of dims");
    seen = true;
    if (ndim > 0) out.push_back(w);
  }
  return out;
}

Tensor sum(const Tensor& a, const std::vector<int64_t>& dims, bool keepdim) {
  std::vector<int> ds = dims.empty() ? all_dims(a->dim()) : wrap_dims(dims, a->dim(), "sum");
  if (dims.empty()) keepdim = keepdim && a->dim() > 0;
  Tensor out = reduce_sum(a, ds, keepdim);
  if (auto n = record<SumBackward>({&a}, out)) {
    n->in_shape = a->shape;
    n->dims = ds;
    n->by_dim = !dims.empty();
  }
  return out;
}

Tensor mean(const Tensor& a, const std::vector<int64_t>& dims, bool keepdim) {
  if (!is_floating(a->dtype))
    fail("mean", "could not infer output dtype: input dtype is ", dtype_name(a->dtype),
         "; use a floating point tensor");
  std::vector<int> ds = dims.empty() ? all_dims(a->dim()) : wrap_dims(dims, a->dim(), "mean");
  int64_t count = 1;
  for (int d : ds) count *= a->shape[d];
  Tensor out = reduce_sum(a, ds, keepdim && !(dims.empty() && a->dim() == 0));
  // PyTorch's mean: sum / n (a division, not a product with 1 / n: 3 * 0.1f / 3 is 0.1f)
  binary_into(BinaryKernel::div, out, out, static_cast<double>(count));
  if (auto n = record<SumBackward>({&a}, out)) {
    n->in_shape = a->shape;
    n->dims = ds;
    n->count = static_cast<double>(count);
    n->is_mean = true;
    n->by_dim = !dims.empty();
  }
  return out;
}

Tensor extreme(const Tensor& a, bool is_max) {
  const char* name = is_max ? "max" : "min";
  if (a->numel == 0)
    fail(name, "expected a non-empty tensor to reduce over all dimensions, got shape ",
         shape_str(a->shape));
  Tensor out = empty(Dims{}, a->dtype);
  extreme_all_into(out, a, is_max);
  if (auto n = record<ExtremeAllBackward>({&a}, out, is_max)) {
    n->x = SavedTensor(a);
    n->out = SavedTensor(out);
  }
  return out;
}

std::pair<Tensor, Tensor> extreme_dim(const Tensor& a, int64_t dim, bool keepdim, bool is_max) {
  const char* name = is_max ? "max" : "min";
  int d = wrap_dim(dim, a->dim(), name);
  if (a->dim() == 0) {
    Tensor v = empty(Dims{}, a->dtype), indices = zeros(Dims{}, DType::Int64);
    copy_into(v, a);
    if (auto n = record<ExtremeDimBackward>({&a}, v, a->shape, 0, keepdim, is_max))
      n->indices = SavedTensor(indices);
    return {v, indices};
  }
  if (a->shape[d] == 0)
    fail<IndexError>(name, "cannot reduce over dimension ", d, " of size 0 in shape ",
                     shape_str(a->shape));
  Dims kept = kept_shape(a->shape, {d});
  Tensor values = empty(kept, a->dtype), indices = empty(kept, DType::Int64);
  extreme_dim_into(values, indices, a, d, is_max);
  if (!keepdim) {
    Dims sq = squeezed_shape(a->shape, {d});
    values = make_view(values, sq, contiguous_strides(sq), 0);
    indices = make_view(indices, sq, contiguous_strides(sq), 0);
  }
  if (auto n = record<ExtremeDimBackward>({&a}, values, a->shape, d, keepdim, is_max))
    n->indices = SavedTensor(indices);
  return {values, indices};
}

namespace {
Tensor arg_extreme(const Tensor& a, std::optional<int64_t> dim, bool keepdim, bool is_max) {
  if (is_bool(a->dtype)) fail(is_max ? "argmax" : "argmin", "does not support bool input");
  Tensor x = detach(a);  // indices: never differentiable
  if (dim) return extreme_dim(x, *dim, keepdim, is_max).second;
  if (a->numel == 0)
    fail<IndexError>(is_max ? "argmax" : "argmin",
                     "expected a reduction dim to be specified for an empty input of shape ",
                     shape_str(a->shape));
  Tensor r = extreme_dim(reshape(x, Dims{-1}), 0, false, is_max).second;
  return keepdim ? reshape(r, Dims::filled(a->dim(), 1)) : r;
}
}  // namespace

Tensor argmax(const Tensor& a, std::optional<int64_t> dim, bool keepdim) {
  return arg_extreme(a, dim, keepdim, true);
}

Tensor argmin(const Tensor& a, std::optional<int64_t> dim, bool keepdim) {
  return arg_extreme(a, dim, keepdim, false);
}

}  // namespace pyag
