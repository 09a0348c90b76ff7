// diagonal (a view) and diag_embed-style placement of a vector on a diagonal: the two ops that
// diag, trace, eye-like helpers and einsum's repeated indices are made of.
#include "ops/diagonal.h"

#include <algorithm>

#include "autograd/node.h"
#include "kernels/elementwise.h"
#include "ops/ops.h"

namespace pyag {
namespace {

struct Diag {
  Dims shape, strides;
  int64_t offset;
};

// The view of a's diagonal `offset` of dims d1, d2: those dims removed, the diagonal last.
Diag diagonal_geometry(const Dims& shape, const Dims& strides, int64_t base, int64_t offset, int d1,
                       int d2) {
  int64_t n = 0, start = base;
  if (offset >= 0) {
    n = std::max<int64_t>(0, std::min(shape[d1], shape[d2] - offset));
    if (n) start += offset * strides[d2];
  } else {
    n = std::max<int64_t>(0, std::min(shape[d1] + offset, shape[d2]));
    if (n) start -= offset * strides[d1];
  }
  Diag g{{}, {}, start};
  for (int i = 0; i < shape.size(); ++i) {
    if (i == d1 || i == d2) continue;
    g.shape.push_back(shape[i]);
    g.strides.push_back(strides[i]);
  }
  g.shape.push_back(n);
  g.strides.push_back(strides[d1] + strides[d2]);
  return g;
}

struct DiagonalBackward : Node {
  Dims in_shape;
  int64_t offset;
  int d1, d2;
  DiagonalBackward(Dims s, int64_t o, int a, int b) : in_shape(s), offset(o), d1(a), d2(b) {}
  const char* name() const override { return "DiagonalBackward0"; }
  std::vector<Tensor> apply(const Tensor& g) override {
    Tensor r = zeros(in_shape, g->dtype);
    Diag v = diagonal_geometry(r->shape, r->strides, r->offset, offset, d1, d2);
    copy_into(make_view(r, v.shape, v.strides, v.offset), g);
    return {r};
  }
  std::optional<std::vector<Tensor>> apply_graph(const Tensor& g,
                                                 const std::shared_ptr<Node>&) override {
    const int64_t o = offset, a = d1, b = d2;
    return std::vector<Tensor>{record_linear(
        apply(g)[0], g, name(), [o, a, b](const Tensor& gg) { return diagonal(gg, o, a, b); })};
  }
};

struct DiagEmbedBackward : Node {
  int64_t offset;
  int d1, d2;
  DiagEmbedBackward(int64_t o, int a, int b) : offset(o), d1(a), d2(b) {}
  const char* name() const override { return "DiagEmbedBackward0"; }
  std::vector<Tensor> apply(const Tensor& g) override {
    Diag v = diagonal_geometry(g->shape, g->strides, g->offset, offset, d1, d2);
    Tensor r = empty(v.shape, g->dtype);
    copy_into(r, make_view(g, v.shape, v.strides, v.offset));
    return {r};
  }
};

void check_dims(const char* op, int d1, int d2) {
  if (d1 == d2) fail(op, "diagonal dimensions cannot be identical ", d1, ", ", d2);
}

}  // namespace

Tensor diagonal(const Tensor& a, int64_t offset, int64_t dim1, int64_t dim2) {
  if (a->dim() < 2)
    fail("diagonal", "expected a tensor of at least 2 dimensions, got ", describe(a));
  const int d1 = wrap_dim(dim1, a->dim(), "diagonal"), d2 = wrap_dim(dim2, a->dim(), "diagonal");
  check_dims("diagonal", d1, d2);
  Diag v = diagonal_geometry(a->shape, a->strides, a->offset, offset, d1, d2);
  Tensor out = new_view(a, v.shape, v.strides, v.offset);
  record<DiagonalBackward>({&a}, out, a->shape, offset, d1, d2);
  return out;
}

Tensor diag_embed(const Tensor& a, int64_t offset, int64_t dim1, int64_t dim2) {
  if (a->dim() < 1) fail("diag_embed", "expected a tensor of at least 1 dimension, got 0-d");
  const int nd = a->dim() + 1;
  const int d1 = wrap_dim(dim1, nd, "diag_embed"), d2 = wrap_dim(dim2, nd, "diag_embed");
  check_dims("diag_embed", d1, d2);
  const int64_t n = a->shape[a->dim() - 1] + (offset < 0 ? -offset : offset);
  Dims shape;
  for (int i = 0, k = 0; i < nd; ++i) shape.push_back(i == d1 || i == d2 ? n : a->shape[k++]);
  Tensor out = zeros(shape, a->dtype);
  Diag v = diagonal_geometry(out->shape, out->strides, out->offset, offset, d1, d2);
  copy_into(make_view(out, v.shape, v.strides, v.offset), a);
  record<DiagEmbedBackward>({&a}, out, offset, d1, d2);
  return out;
}

}  // namespace pyag
