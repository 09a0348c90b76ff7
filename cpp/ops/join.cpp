// Joining and splitting along a dim: cat and stack (copies, with PyTorch's type promotion
// across the inputs), narrow, split, chunk and unbind (views sharing the input's storage).
#include <algorithm>
#include <string_view>

#include "autograd/node.h"
#include "kernels/elementwise.h"
#include "ops/ops.h"

namespace pyag {
namespace {

// The gradient of cat: the slice of g that each input filled.
struct CatBackward : Node {
  int dim = 0;
  std::vector<int64_t> sizes;  // each input's size along dim; -1 for a skipped (0,) input
  std::vector<Dims> shapes;
  const char* label = "CatBackward0";  // StackBackward0 for stack (unsqueezed inputs)
  const char* name() const override { return label; }
  bool apply_is_differentiable() const override { return true; }
  std::vector<Tensor> apply(const Tensor& g) override {
    std::vector<Tensor> r;
    int64_t at = 0;
    for (size_t i = 0; i < sizes.size(); ++i) {
      if (!needs(i) || sizes[i] <= 0) {  // an empty input: zeros, not a view of g (PyTorch)
        r.push_back(needs(i) ? zeros(shapes[i], g->dtype) : Tensor{});
      } else {
        r.push_back(narrow(g, dim, at, sizes[i]));
      }
      at += std::max<int64_t>(sizes[i], 0);
    }
    return r;
  }
};

// A legacy empty 1-D tensor of shape (0,): cat skips it whatever the other inputs' shapes.
bool skipped(const Tensor& t) { return t->dim() == 1 && t->shape[0] == 0; }

std::vector<IndexItem> slice_items(int dim, int64_t start, int64_t stop) {
  std::vector<IndexItem> items(static_cast<size_t>(dim) + 1,
                               IndexItem{IndexItem::Slice, kNone, kNone, 1});
  items.back().start = start;
  items.back().stop = stop;
  return items;
}

}  // namespace

Tensor concat(const std::vector<Tensor>& ts, int64_t dim, const char* op) {
  if (ts.empty()) fail<ValueError>(op, "expected a non-empty list of tensors");
  const Tensor* ref = nullptr;
  DType dtype = ts[0]->dtype;
  for (size_t i = 0; i < ts.size(); ++i) {
    if (ts[i]->dim() == 0)
      fail(op, "zero-dimensional tensor (at position ", i, ") cannot be concatenated");
    dtype = promote(dtype, ts[i]->dtype);
    if (!ref && !skipped(ts[i])) ref = &ts[i];
  }
  if (!ref) ref = &ts[0];  // every input is (0,): the result is (0,)
  const int nd = (*ref)->dim();
  const int d = wrap_dim(dim, nd, op);
  Dims shape = (*ref)->shape;
  int64_t total = 0;
  for (size_t i = 0; i < ts.size(); ++i) {
    const Tensor& t = ts[i];
    if (skipped(t) && &t != ref) continue;
    if (t->dim() != nd)
      fail(op, "tensors must have the same number of dimensions: got ", nd, " and ", t->dim(),
           " (shapes ", shape_str((*ref)->shape), " and ", shape_str(t->shape), ")");
    for (int k = 0; k < nd; ++k)
      if (k != d && t->shape[k] != shape[k])
        fail(op, "sizes of tensors must match except in dimension ", d, ". Expected size ",
             shape[k], " but got size ", t->shape[k], " for tensor number ", i,
             " in the list (shapes ", shape_str(shape), " and ", shape_str(t->shape), ")");
    total += t->shape[d];
  }
  shape[d] = total;
  Tensor out = empty(shape, dtype);
  bool rg = false;
  int64_t at = 0;
  for (const Tensor& t : ts) {
    rg = rg || t->requires_grad();
    if (skipped(t) && &t != ref) continue;
    Dims s = shape;
    s[d] = t->shape[d];
    if (t->numel) copy_into(make_view(out, s, out->strides, at * out->strides[d]), t);
    at += t->shape[d];
  }
  if (rg && GradMode::enabled()) {
    auto n = std::make_shared<CatBackward>();
    n->dim = d;
    if (std::string_view(op) == "stack") n->label = "StackBackward0";
    for (const Tensor& t : ts) {
      n->sizes.push_back(skipped(t) && &t != ref ? -1 : t->shape[d]);
      n->shapes.push_back(t->shape);
    }
    attach(n, ts, out);
  }
  return out;
}

Tensor stack(const std::vector<Tensor>& ts, int64_t dim) {
  if (ts.empty()) fail<ValueError>("stack", "expected a non-empty list of tensors");
  for (size_t i = 1; i < ts.size(); ++i)
    if (ts[i]->shape != ts[0]->shape)
      fail("stack", "expects each tensor to be equal size, but got ", shape_str(ts[0]->shape),
           " at entry 0 and ", shape_str(ts[i]->shape), " at entry ", i);
  const int d = wrap_dim(dim, ts[0]->dim() + 1, "stack");
  std::vector<Tensor> u;
  u.reserve(ts.size());
  for (const Tensor& t : ts) u.push_back(unsqueeze(t, d));
  return concat(u, d, "stack");
}

Tensor narrow(const Tensor& a, int64_t dim, int64_t start, int64_t length) {
  if (a->dim() == 0) fail("narrow", "cannot be applied to a 0-dim tensor");
  const int d = wrap_dim(dim, a->dim(), "narrow");
  const int64_t size = a->shape[d];
  if (start < -size || start > size)
    fail<IndexError>("narrow", "start out of range (expected to be in range of [", -size, ", ",
                     size, "], but got ", start, ") for a tensor of shape ", shape_str(a->shape));
  if (start < 0) start += size;
  if (length < 0) fail("narrow", "length must be non-negative, got ", length);
  if (start + length > size)
    fail("narrow", "start (", start, ") + length (", length, ") exceeds dimension size (", size,
         ") of dim ", d, " of a tensor of shape ", shape_str(a->shape));
  return index(a, slice_items(d, start, start + length));
}

namespace {

std::vector<Tensor> split_as(const Tensor& a, const std::vector<int64_t>& sizes, int64_t dim,
                             const char* label) {
  if (a->dim() == 0) fail("split", "cannot split a 0-dim tensor");
  const int d = wrap_dim(dim, a->dim(), "split");
  int64_t sum = 0;
  for (int64_t s : sizes) {
    if (s < 0)
      fail("split", "split_sizes must be non-negative, got ", s, " (shape ", shape_str(a->shape),
           ")");
    sum += s;
  }
  if (sum != a->shape[d])
    fail("split", "split_sizes must sum exactly to ", a->shape[d], " (the size of dim ", d,
         " of a tensor of shape ", shape_str(a->shape), "), but got sizes summing to ", sum);
  std::vector<Tensor> r;
  int64_t at = 0;
  for (int64_t s : sizes) {
    r.push_back(index(a, slice_items(d, at, at + s), label));
    at += s;
  }
  return r;
}

}  // namespace

std::vector<Tensor> split_sizes(const Tensor& a, const std::vector<int64_t>& sizes, int64_t dim) {
  return split_as(a, sizes, dim, "SplitWithSizesBackward0");
}

std::vector<Tensor> split(const Tensor& a, int64_t size, int64_t dim) {
  if (a->dim() == 0) fail("split", "cannot split a 0-dim tensor");
  const int d = wrap_dim(dim, a->dim(), "split");
  const int64_t n = a->shape[d];
  if (size < 0) fail("split", "split_size must be non-negative, got ", size);
  if (size == 0 && n != 0)
    fail("split", "split_size can only be 0 if dimension size is 0, but got dimension size ", n,
         " (shape ", shape_str(a->shape), ")");
  std::vector<int64_t> sizes;
  if (n == 0) sizes.push_back(0);  // PyTorch: one empty piece
  for (int64_t at = 0; at < n; at += size) sizes.push_back(std::min(size, n - at));
  return split_as(a, sizes, d, "SplitBackward0");
}

std::vector<Tensor> chunk(const Tensor& a, int64_t chunks, int64_t dim) {
  if (a->dim() == 0) fail("chunk", "cannot chunk a 0-dim tensor");
  if (chunks <= 0) fail("chunk", "expects `chunks` to be greater than 0, got: ", chunks);
  const int d = wrap_dim(dim, a->dim(), "chunk");
  const int64_t n = a->shape[d];
  const int64_t size = (n + chunks - 1) / chunks;
  if (size == 0) {  // n == 0: `chunks` empty pieces
    return split_as(a, std::vector<int64_t>(static_cast<size_t>(chunks), 0), d, "SplitBackward0");
  }
  return split(a, size, d);
}

std::vector<Tensor> unbind(const Tensor& a, int64_t dim) {
  if (a->dim() == 0)
    fail<IndexError>("unbind", "dimension specified as 0 but tensor has no dimensions");
  const int d = wrap_dim(dim, a->dim(), "unbind");
  std::vector<Tensor> r;
  r.reserve(static_cast<size_t>(a->shape[d]));
  std::vector<IndexItem> items = slice_items(d, 0, 0);
  items.back() = IndexItem{IndexItem::Int, 0, 0, 1};
  for (int64_t i = 0; i < a->shape[d]; ++i) {
    items.back().start = i;
    r.push_back(index(a, items, "UnbindBackward0"));
  }
  return r;
}

namespace {
// A tensor of at least `n` dims: 0-d -> (1,) -> (1, k) (numpy's atleast_1d / atleast_2d).
Tensor at_least(const Tensor& t, int n) {
  if (t->dim() >= n) return t;
  Dims s = t->shape;
  while (s.size() < n) s.insert(0, 1);
  return reshape(t, s);
}
std::vector<Tensor> all_at_least(const std::vector<Tensor>& ts, int n) {
  std::vector<Tensor> r;
  r.reserve(ts.size());
  for (const Tensor& t : ts) r.push_back(at_least(t, n));
  return r;
}
}  // namespace

Tensor hstack(const std::vector<Tensor>& ts) {
  if (ts.empty()) fail<ValueError>("hstack", "expected a non-empty list of tensors");
  std::vector<Tensor> r = all_at_least(ts, 1);
  return concat(r, r[0]->dim() == 1 ? 0 : 1, "hstack");
}

Tensor vstack(const std::vector<Tensor>& ts) {
  if (ts.empty()) fail<ValueError>("vstack", "expected a non-empty list of tensors");
  return concat(all_at_least(ts, 2), 0, "vstack");
}

}  // namespace pyag
