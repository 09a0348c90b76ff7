// sort topk kthvalue median nonzero unique bincount: the ops. The kernels (kernels/sort.h) work
// on contiguous rows, so each op moves the dimension of interest last, makes it contiguous,
// runs the kernel and moves it back.
#include "ops/sort.h"

#include <limits>

#include "autograd/node.h"
#include "kernels/sort.h"
#include "ops/ops.h"

namespace pyag {
namespace {

// a with dim moved last, contiguous (a 0-d tensor becomes one row of one element).
Tensor rows_last(const Tensor& a, int dim) {
  if (a->dim() == 0) return contiguous(reshape(a, Dims{1}));
  return contiguous(transpose(a, dim, a->dim() - 1));
}

// t (dim last) back to the layout with dim at `dim`, contiguous; 0-d when `scalar`.
Tensor from_rows_last(const Tensor& t, int dim, bool scalar) {
  if (scalar) return reshape(t, Dims{});
  return contiguous(transpose(t, dim, t->dim() - 1));
}

// The gradient of values selected along a dimension: g goes back to the selected positions.
struct SelectBackward : Node {
  const char* op;
  SavedTensor idx;  // (..., k) with the dimension last, contiguous
  Dims in_shape;    // the input's shape
  int dim;
  bool squeezed;  // the values lost the dimension (keepdim=False)
  SelectBackward(const char* o, Dims s, int d, bool sq)
      : op(o), in_shape(s), dim(d), squeezed(sq) {}
  const char* name() const override { return op; }
  std::vector<Tensor> apply(const Tensor& g) override {
    const bool scalar = in_shape.size() == 0;
    Tensor gk = squeezed && !scalar ? unsqueeze(g, dim) : g;
    Tensor src = rows_last(gk, dim);
    Dims last = in_shape;
    if (!scalar) std::swap(last[dim], last[last.size() - 1]);
    Tensor r = zeros(scalar ? Dims{1} : last, g->dtype);
    scatter_rows_add_into(r, idx.unpack(*this), src);
    return {from_rows_last(r, dim, scalar)};
  }
  // Linear in g; the adjoint gathers the selected positions (idx back in dim's place).
  std::optional<std::vector<Tensor>> apply_graph(const Tensor& g,
                                                 const std::shared_ptr<Node>&) override {
    const Tensor ix = idx.unpack(*this);
    const int d = dim;
    const bool sq = squeezed, scalar = in_shape.size() == 0;
    return std::vector<Tensor>{
        record_linear(apply(g)[0], g, name(), [ix, d, sq, scalar](const Tensor& gg) {
          if (scalar) return reshape(gg, Dims{});
          Tensor v = gather(gg, d, transpose(ix, d, ix->dim() - 1));
          return sq ? squeeze(v, d) : v;
        })};
  }
  void check() const override { idx.check(*this); }
  void release() override { idx.reset(); }
};

struct Selected {
  Tensor values, indices;  // in the caller's layout
  Tensor row_indices;      // (..., k), dimension last: what the backward needs
};

// The kernel's outputs for `a` of k elements per row along d, in a's layout.
Selected select_rows(const Tensor& a, int d, int64_t k, bool keepdim, bool kth, int64_t kth_k,
                     bool descending, bool nan_propagates, bool topk = false) {
  const bool scalar = a->dim() == 0;
  Tensor x = rows_last(a, d);
  Dims shape = x->shape;
  shape[shape.size() - 1] = k;
  Tensor v = empty(shape, a->dtype), i = empty(shape, DType::Int64);
  if (kth)
    kth_rows_into(v, i, x, kth_k, nan_propagates);
  else if (topk)
    topk_rows_into(v, i, x, descending, k);
  else
    sort_rows_into(v, i, x, descending, k);
  Selected s{from_rows_last(v, d, scalar), from_rows_last(i, d, scalar), i};
  if (kth && !keepdim && !scalar) {
    s.values = squeeze(s.values, d);
    s.indices = squeeze(s.indices, d);
  }
  return s;
}

std::pair<Tensor, Tensor> finish(const Tensor& a, Selected s, const char* node, int d,
                                 bool squeezed) {
  // the outputs are new tensors, not views: the reshapes and squeezes above ran under
  // no_grad, and a view made there refuses in-place writes with grad mode on (PyTorch's sort
  // values take them)
  s.values = detach(s.values);
  s.indices = detach(s.indices);
  if (auto n = record<SelectBackward>({&a}, s.values, node, a->shape, d, squeezed))
    n->idx = SavedTensor(s.row_indices);
  return {s.values, s.indices};
}

int64_t dim_size(const Tensor& a, int d) { return a->dim() ? a->shape[d] : 1; }

}  // namespace

std::pair<Tensor, Tensor> sort(const Tensor& a, int64_t dim, bool descending) {
  const int d = wrap_dim(dim, a->dim() ? a->dim() : 1, "sort");
  Selected s;
  {
    GradModeGuard off(false);
    s = select_rows(a, d, dim_size(a, d), true, false, 0, descending, false);
  }
  return finish(a, s, "SortBackward0", d, false);
}

std::pair<Tensor, Tensor> topk(const Tensor& a, int64_t k, int64_t dim, bool largest) {
  const int d = wrap_dim(dim, a->dim() ? a->dim() : 1, "topk");
  if (k < 0 || k > dim_size(a, d))
    fail<IndexError>("topk", "selected index k = ", k, " out of range for dimension ", d,
                     " of size ", dim_size(a, d));
  if (a->dim() == 0) k = 1;  // PyTorch: a 0-d input gives its element for k = 0 too
  Selected s;
  {
    GradModeGuard off(false);
    s = select_rows(a, d, k, true, false, 0, largest, false, true);
  }
  return finish(a, s, "TopkBackward0", d, false);
}

namespace {
std::pair<Tensor, Tensor> kth(const char* op, const char* node, const Tensor& a, int64_t k,
                              int64_t dim, bool keepdim, bool nan_propagates) {
  const int d = wrap_dim(dim, a->dim() ? a->dim() : 1, op);
  const int64_t n = dim_size(a, d);
  if (n == 0)
    fail<IndexError>(op, "cannot select from dimension ", d, " of size 0 in shape ",
                     shape_str(a->shape));
  if (k < 1 || k > n)
    fail<IndexError>(op, "selected number k = ", k, " out of range for dimension ", d, " of size ",
                     n);
  Selected s;
  {
    GradModeGuard off(false);
    s = select_rows(a, d, 1, keepdim, true, k, false, nan_propagates);
  }
  return finish(a, s, node, d, !keepdim);
}
}  // namespace

std::pair<Tensor, Tensor> kthvalue(const Tensor& a, int64_t k, int64_t dim, bool keepdim) {
  if (a->dtype == DType::Bool) fail<TypeError>("kthvalue", "is not supported for bool tensors");
  return kth("kthvalue", "KthvalueBackward0", a, k, dim, keepdim, false);
}

std::pair<Tensor, Tensor> median(const Tensor& a, int64_t dim, bool keepdim) {
  if (a->dtype == DType::Bool) fail<TypeError>("median", "is not supported for bool tensors");
  const int d = wrap_dim(dim, a->dim() ? a->dim() : 1, "median");
  return kth("median", "MedianBackward1", a, (dim_size(a, d) + 1) / 2, dim, keepdim, true);
}

Tensor median(const Tensor& a) {
  if (a->dtype == DType::Bool) fail<TypeError>("median", "is not supported for bool tensors");
  if (a->numel == 0) {
    if (!is_floating(a->dtype))
      fail("median", "cannot take the median of an empty ", dtype_name(a->dtype), " tensor");
    return full(Dims{}, std::numeric_limits<double>::quiet_NaN(), a->dtype);
  }
  return kth("median", "MedianBackward0", reshape(a, Dims{a->numel}), (a->numel + 1) / 2, 0, false,
             true)
      .first;
}

Tensor nonzero(const Tensor& a) {
  const int64_t c = count_nonzero(a);
  Tensor out = empty(Dims{c, a->dim()}, DType::Int64);
  nonzero_into(out, a);
  return out;
}

UniqueResult unique(const Tensor& a) {
  GradModeGuard off(false);
  const int64_t n = a->numel;
  Tensor flat = contiguous(reshape(a, Dims{n}));
  Tensor sorted = empty(Dims{n}, a->dtype), perm = empty(Dims{n}, DType::Int64);
  sort_rows_into(sorted, perm, flat, false, n);
  Tensor values = empty(Dims{n}, a->dtype), group = empty(Dims{n}, DType::Int64);
  Tensor counts = empty(Dims{n}, DType::Int64);
  const int64_t u = unique_sorted_into(values, group, counts, sorted);
  Tensor inverse = empty(Dims{n}, DType::Int64);
  scatter_by_perm_into(inverse, perm, group);
  return {contiguous(new_view(values, Dims{u}, Dims{1}, 0)), reshape(inverse, a->shape),
          contiguous(new_view(counts, Dims{u}, Dims{1}, 0))};
}

Tensor bincount(const Tensor& a, const std::optional<Tensor>& weights, int64_t minlength) {
  if (a->dim() != 1 || !is_integral(a->dtype) || a->dtype == DType::Bool)
    fail("bincount", "only supports 1-d non-negative integral inputs, got ", describe(a));
  if (minlength < 0) fail("bincount", "minlength should be >= 0, got ", minlength);
  Tensor x = contiguous(a), w;
  DType odt = DType::Int64;
  if (weights) {
    if ((*weights)->dim() != 1 || (*weights)->shape[0] != a->shape[0])
      fail("bincount", "weights should be 1-d and have the same length as input, got ",
           describe(*weights), " for ", describe(a));
    w = contiguous(*weights);
    odt = w->dtype == DType::Float32 ? DType::Float32 : DType::Float64;
  }
  int64_t m = minlength;
  if (x->numel) {
    Tensor mx = extreme(x, true);
    m = std::max<int64_t>(m, static_cast<int64_t>(get_double(mx, Dims{})) + 1);
  }
  Tensor out = zeros(Dims{m}, odt);
  if (!bincount_into(out, x, weights ? &w : nullptr))
    fail("bincount", "only supports 1-d non-negative integral inputs, got a negative value");
  return out;
}

}  // namespace pyag
