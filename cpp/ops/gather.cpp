// Indexing along one dim by an int64 index tensor: gather, scatter, scatter_add, index_select,
// index_add, index_copy, index_fill, take; out of place and in place, with their derivatives
// (gather's is a scatter_add, index_select's an index_add, ...). Loops: kernels/index.h.
#include "autograd/node.h"
#include "kernels/elementwise.h"
#include "kernels/index.h"
#include "ops/ops.h"
#include "ops/rules.h"

namespace pyag {
namespace {

void check_index_dtype(const Tensor& index, const char* op) {
  if (index->dtype != DType::Int64)
    fail(op, "expected an int64 index tensor, got ", describe(index));
}

// Refuses an index outside [0, size) (or [-size, size) when negative indices wrap).
void check_range(const Tensor& index, int64_t size, int dim, bool wrap, const char* op) {
  int64_t bad = 0;
  if (index_out_of_range(index, size, wrap, bad))
    fail<IndexRangeError>(op, "index ", bad, " is out of bounds for dimension ", dim, " with size ",
                          size);
}

// gather/scatter: index has self's number of dims and fits in self (and src) outside `dim`.
int check_along(const Tensor& self, int64_t dim, const Tensor& index, const Tensor* src,
                const char* op) {
  check_index_dtype(index, op);
  const int d = wrap_dim(dim, self->dim(), op);
  if (index->dim() != self->dim() && !(self->dim() == 0 && index->numel <= 1 && index->dim() <= 1))
    fail(op, "index tensor must have the same number of dimensions as the input: index ",
         shape_str(index->shape), ", input ", shape_str(self->shape));
  if (src && (*src)->dim() != index->dim() && !((*src)->dim() == 0 && index->numel <= 1))
    fail(op, "index and src must have the same number of dimensions: index ",
         shape_str(index->shape), ", src ", shape_str((*src)->shape));
  for (int k = 0; k < index->dim() && self->dim() > 0; ++k) {
    if (k != d && index->shape[k] > self->shape[k])
      fail(op, "index ", shape_str(index->shape), " must be no larger than the input ",
           shape_str(self->shape), " apart from dimension ", d);
    if (src && (*src)->dim() > 0 && index->shape[k] > (*src)->shape[k])
      fail(op, "index ", shape_str(index->shape), " must be no larger than src ",
           shape_str((*src)->shape));
  }
  if (index->numel) check_range(index, self->dim() ? self->shape[d] : 1, d, false, op);
  return d;
}

// A 0-d tensor seen as 1-D (gather/scatter treat a scalar as one element).
Tensor as_1d(const Tensor& t) { return t->dim() ? t : make_view(t, Dims{1}, Dims{0}, t->offset); }

// src restricted to index's shape (scatter reads only that corner of it).
Tensor src_view(const Tensor& src, const Tensor& index) {
  Tensor s = as_1d(src);
  return make_view(s, index->shape, s->strides, s->offset);
}

// index_*: a 0-d or 1-D index along `dim`, seen in `shape` (the shape of the selection).
Tensor index_view(const Tensor& index, const Dims& shape, int dim) {
  Dims st = Dims::filled(shape.size(), 0);
  if (shape.size()) st[dim] = index->dim() ? index->strides[0] : 0;
  return make_view(index, shape, st, index->offset);
}

// write_kind: index_add (0), index_copy (1), index_fill (2), which (as PyTorch's) do not
// bound-check the index of an empty self: they write nothing. (index_copy/index_fill along a
// dim of size 0 raise there, PyTorch with an internal error; index_select always checks.)
int check_index_vector(const Tensor& self, int64_t dim, const Tensor& index, const char* op,
                       int write_kind = -1) {
  check_index_dtype(index, op);
  if (index->dim() > 1)
    fail<IndexError>(op, "index is supposed to be a vector (0-d or 1-D), got shape ",
                     shape_str(index->shape));
  const int d = wrap_dim(dim, self->dim(), op);
  const int64_t size = self->dim() ? self->shape[d] : 1;
  const bool unchecked = write_kind >= 0 && self->numel == 0 && (write_kind == 0 || size != 0);
  if (!unchecked) check_range(index, size, d, false, op);
  return d;
}

// The shape of self's selection by a vector index along d.
Dims selection_shape(const Tensor& self, int d, const Tensor& index) {
  Dims s = self->shape;
  if (s.size()) s[d] = index->numel;
  return s;
}

void check_source(const Tensor& self, int d, const Tensor& index, const Tensor& src,
                  const char* op) {
  if (src->dtype != self->dtype)
    fail(op, "self (", dtype_name(self->dtype), ") and source (", dtype_name(src->dtype),
         ") must have the same dtype");
  Dims want = selection_shape(self, d, index);
  if (src->shape != want && !(src->numel == want.size() && src->numel <= 1 &&
                              numel_of(want, op) == src->numel && src->dim() <= 1))
    fail(op, "source of shape ", shape_str(src->shape), " does not match ", shape_str(want),
         " (the input ", shape_str(self->shape), " with dim ", d, " of size ", index->numel, ")");
}

Tensor copy_of(const Tensor& a) {
  Tensor out = empty(a->shape, a->dtype);
  copy_into(out, a);
  return out;
}

// src, unless it shares memory with self (then a copy: the kernel reads while it writes).
Tensor unaliased(const Tensor& self, const Tensor& src) {
  return src->storage == self->storage ? copy_of(src) : src;
}

struct GatherBackward : Node {
  int dim = 0;
  Dims in_shape;
  SavedTensor index;
  const char* name() const override { return "GatherBackward0"; }
  bool apply_is_differentiable() const override { return true; }
  std::vector<Tensor> apply(const Tensor& g) override {
    return {scatter_add(zeros(in_shape, g->dtype), dim, index.unpack(*this), g)};
  }
  void check() const override { index.check(*this); }
  void release() override { index.reset(); }
};

struct ScatterBackward : Node {  // scatter (assign) and scatter_add; also index_put's model
  int dim = 0;
  bool accumulate = false;
  Dims src_shape;
  SavedTensor index;
  const char* name() const override {
    return accumulate ? "ScatterAddBackward0" : "ScatterBackward0";
  }
  std::vector<Tensor> apply(const Tensor& g) override {
    const Tensor& idx = index.unpack(*this);
    std::vector<Tensor> r(next.size());
    if (needs(0)) r[0] = accumulate ? g : scatter(g, dim, idx, Scalar{0.0});
    if (needs(1)) {
      r[1] = gather(g, dim, idx);
      if (r[1]->shape != src_shape && src_shape.size()) {  // src larger than index: its corner
        Tensor full = zeros(src_shape, g->dtype);
        copy_into(make_view(full, r[1]->shape, full->strides, 0), r[1]);
        r[1] = full;
      }
    }
    return r;
  }
  // create_graph=True (the third derivative through gather, max/min along a dim, ...): both
  // gradients are linear maps of g; their adjoints are the masking scatter itself and
  // scatter_add of the index-shaped corner.
  std::optional<std::vector<Tensor>> apply_graph(const Tensor& g,
                                                 const std::shared_ptr<Node>&) override {
    std::vector<Tensor> r = apply(g);
    const Tensor ix = index.unpack(*this);
    const int d = dim;
    if (r.size() > 0 && r[0] && !accumulate)
      r[0] = record_linear(r[0], g, name(),
                           [ix, d](const Tensor& gg) { return scatter(gg, d, ix, Scalar{0.0}); });
    if (r.size() > 1 && r[1]) {
      const Dims out_shape = g->shape;
      r[1] = record_linear(r[1], g, name(), [ix, d, out_shape](const Tensor& gg) {
        Tensor c = gg;
        if (c->shape != ix->shape) {
          if (c->dim() == 0) {
            c = reshape(c, ix->shape);
          } else {
            for (int k = 0; k < c->dim(); ++k) c = narrow(c, k, 0, ix->shape[k]);
          }
        }
        return scatter_add(zeros(out_shape, gg->dtype), d, ix, c);
      });
    }
    return r;
  }
  void check() const override { index.check(*this); }
  void release() override { index.reset(); }
};

struct IndexSelectBackward : Node {
  int dim = 0;
  Dims in_shape;
  SavedTensor index;
  const char* name() const override { return "IndexSelectBackward0"; }
  bool apply_is_differentiable() const override { return true; }
  std::vector<Tensor> apply(const Tensor& g) override {
    return {index_add(zeros(in_shape, g->dtype), dim, index.unpack(*this), g)};
  }
  void check() const override { index.check(*this); }
  void release() override { index.reset(); }
};

// index_add (kind 0), index_copy (1), index_fill (2).
struct IndexWriteBackward : Node {
  int dim = 0, kind = 0;
  double alpha = 1;
  SavedTensor index;
  const char* name() const override {
    return kind == 0   ? "IndexAddBackward0"
           : kind == 1 ? "IndexCopyBackward0"
                       : "IndexFillBackward0";
  }
  bool apply_is_differentiable() const override { return true; }
  std::vector<Tensor> apply(const Tensor& g) override {
    std::vector<Tensor> r(next.size());
    if (kind == 0 && !needs(1)) {  // index_add's self: g, nothing saved (as PyTorch's)
      if (needs(0)) r[0] = g;
      return r;
    }
    const Tensor& idx = index.unpack(*this);
    if (needs(0)) r[0] = kind == 0 ? g : index_fill(g, dim, idx, Scalar{0.0});
    if (needs(1)) {
      r[1] = index_select(g, dim, idx);
      if (alpha != 1) r[1] = mul(r[1], Scalar{alpha});
    }
    return r;
  }
  void check() const override { index.check(*this); }
  void release() override { index.reset(); }
};

// Runs `write` on self in place, or, when autograd must follow the change, commits the
// out-of-place result (which records the node). overlap_ok: PyTorch writes into an expanded
// self (index_fill_; it only warns that this is deprecated).
template <class W, class R>
const Tensor& write_inplace(const Tensor& self, bool other_rg, const char* op, W write, R result,
                            bool overlap_ok = false) {
  const bool graph =
      overlap_ok ? inplace_needs_graph(self, other_rg, op) : check_inplace(self, other_rg, op);
  if (graph) return commit_inplace(self, result());
  write();
  self->bump_version();
  return self;
}

}  // namespace

// ---- gather / scatter ----
Tensor gather(const Tensor& a, int64_t dim, const Tensor& index) {
  const int d = check_along(a, dim, index, nullptr, "gather");
  Tensor out = empty(index->shape, a->dtype);
  gather_into(out, as_1d(a), d, as_1d(index), false);
  if (auto n = record<GatherBackward>({&a}, out)) {
    n->dim = d;
    n->in_shape = a->shape;
    n->index = SavedTensor(index);
  }
  return out;
}

namespace {
Tensor scatter_impl(const Tensor& a, int64_t dim, const Tensor& index, const Tensor& src,
                    bool accumulate, bool value, const char* op) {
  const int d = check_along(a, dim, index, value ? nullptr : &src, op);
  if (!value && src->dtype != a->dtype)
    fail(op, "expected self.dtype to be equal to src.dtype: ", dtype_name(a->dtype), " and ",
         dtype_name(src->dtype));
  Tensor out = copy_of(a);
  scatter_into(as_1d(out), d, as_1d(index), value ? src : src_view(src, index), accumulate, false);
  if (auto n =
          value ? record<ScatterBackward>({&a}, out) : record<ScatterBackward>({&a, &src}, out)) {
    n->dim = d;
    n->accumulate = accumulate;
    if (!value) n->src_shape = src->shape;
    n->index = SavedTensor(index);
  }
  return out;
}

const Tensor& scatter_inplace(const Tensor& self, int64_t dim, const Tensor& index,
                              const Tensor& src, bool accumulate, bool value, const char* op) {
  return write_inplace(
      self, !value && src->requires_grad(), op,
      [&] {
        const int d = check_along(self, dim, index, value ? nullptr : &src, op);
        if (!value && src->dtype != self->dtype)
          fail(op, "expected self.dtype to be equal to src.dtype: ", dtype_name(self->dtype),
               " and ", dtype_name(src->dtype));
        Tensor s = value ? src : src_view(unaliased(self, src), index);
        scatter_into(as_1d(self), d, as_1d(unaliased(self, index)), s, accumulate, false);
      },
      [&] { return scatter_impl(self, dim, index, src, accumulate, value, op); });
}
}  // namespace

Tensor scatter(const Tensor& a, int64_t dim, const Tensor& index, const Tensor& src) {
  return scatter_impl(a, dim, index, src, false, false, "scatter");
}
Tensor scatter(const Tensor& a, int64_t dim, const Tensor& index, Scalar value) {
  return scatter_impl(a, dim, index, scalar_tensor(value.v, a->dtype), false, true, "scatter");
}
Tensor scatter(const Tensor& a, int64_t dim, const Tensor& index, const Tensor& src,
               bool accumulate) {
  return accumulate ? scatter_add(a, dim, index, src) : scatter(a, dim, index, src);
}
Tensor scatter(const Tensor& a, int64_t dim, const Tensor& index, Scalar value, bool accumulate) {
  if (accumulate) return scatter_add(a, dim, index, full(index->shape, value.v, a->dtype));
  return scatter(a, dim, index, value);
}
bool scatter_accumulates(const std::string& reduce, const char* op) {
  if (reduce == "add") return true;
  fail(op, "reduce='", reduce, "' is not supported (only 'add'); use scatter_add");
}
Scalar value_number(const Tensor& value, const char* op) {
  if (value->numel != 1 || value->dim() > 0)
    fail(op, "value must be a number or a 0-d tensor, got ", describe(value));
  if (value->requires_grad())
    fail(op, "a value tensor that requires grad is not supported; pass a number");
  return Scalar{get_double(value, Dims{}), is_floating(value->dtype)     ? ScalarKind::Float
                                           : value->dtype == DType::Bool ? ScalarKind::Bool
                                                                         : ScalarKind::Int};
}
Tensor scatter_add(const Tensor& a, int64_t dim, const Tensor& index, const Tensor& src) {
  return scatter_impl(a, dim, index, src, true, false, "scatter_add");
}
const Tensor& scatter_(const Tensor& self, int64_t dim, const Tensor& index, const Tensor& src,
                       bool accumulate) {
  return scatter_inplace(self, dim, index, src, accumulate, false,
                         accumulate ? "scatter_add_" : "scatter_");
}
const Tensor& scatter_(const Tensor& self, int64_t dim, const Tensor& index, Scalar value,
                       bool accumulate) {
  return scatter_inplace(self, dim, index, scalar_tensor(value.v, self->dtype), accumulate, true,
                         "scatter_");
}

// ---- index_select and the index_* writes ----
Tensor index_select(const Tensor& a, int64_t dim, const Tensor& index) {
  const int d = check_index_vector(a, dim, index, "index_select");
  Dims shape = selection_shape(a, d, index);
  Tensor out = empty(shape, a->dtype);
  if (a->dim() == 0) {
    copy_into(out, a);
  } else {
    gather_into(out, a, d, index_view(index, shape, d), false);
  }
  if (auto n = record<IndexSelectBackward>({&a}, out)) {
    n->dim = d;
    n->in_shape = a->shape;
    n->index = SavedTensor(index);
  }
  return out;
}

namespace {
// The fill value in self's dtype (a float value truncates into an integer tensor, as in
// PyTorch).
Tensor fill_value(const Tensor& self, Scalar value) { return scalar_tensor(value.v, self->dtype); }

// alpha * src in src's dtype (an integer tensor takes alpha truncated, as in PyTorch).
Tensor scaled(const Tensor& src, double alpha) {
  if (is_floating(src->dtype)) return mul(detach(src), Scalar{alpha});
  return mul(detach(src), Scalar{std::trunc(alpha), ScalarKind::Int});
}

// kind: 0 index_add, 1 index_copy, 2 index_fill (src: the 0-d value)
void index_write_kernel(const Tensor& self, int d, const Tensor& index, const Tensor& src,
                        int kind) {
  if (self->numel == 0) return;  // (its index unchecked, as PyTorch's)
  if (self->dim() == 0) {
    if (index->numel == 0) return;
    Tensor s = kind == 2 ? src : reshape(detach(src), Dims{});
    if (kind == 0) {
      binary_into(BinaryKernel::add, self, self, s);
    } else {
      copy_into(self, s);
    }
    return;
  }
  Dims shape = selection_shape(self, d, index);
  Tensor s = kind == 2
                 ? src
                 : make_view(src, shape, src->dim() ? src->strides : Dims::filled(shape.size(), 0),
                             src->offset);
  scatter_into(self, d, index_view(index, shape, d), s, kind == 0, false);
}

Tensor index_write(const Tensor& a, int64_t dim, const Tensor& index, const Tensor& src,
                   double alpha, int kind, const char* op) {
  const int d = check_index_vector(a, dim, index, op, kind);
  if (kind != 2) check_source(a, d, index, src, op);
  Tensor out = copy_of(a);
  Tensor s = alpha != 1 ? scaled(src, alpha) : src;
  index_write_kernel(out, d, index, s, kind);
  auto n = kind == 2 ? record<IndexWriteBackward>({&a}, out)
                     : record<IndexWriteBackward>({&a, &src}, out);
  if (n) {
    n->dim = d;
    n->kind = kind;
    n->alpha = alpha;
    // index_add's self gradient is g: the index is saved only for source's (PyTorch's
    // node saves what the needed gradients read, so a second pass needing none runs)
    if (kind != 0 || n->needs(1)) n->index = SavedTensor(index);
  }
  return out;
}

const Tensor& index_write_(const Tensor& self, int64_t dim, const Tensor& index, const Tensor& src,
                           double alpha, int kind, const char* op) {
  return write_inplace(
      self, kind != 2 && src->requires_grad(), op,
      [&] {
        const int d = check_index_vector(self, dim, index, op, kind);
        if (kind != 2) check_source(self, d, index, src, op);
        Tensor s = alpha != 1 ? scaled(src, alpha) : unaliased(self, src);
        index_write_kernel(self, d, unaliased(self, index), s, kind);
      },
      [&] { return index_write(self, dim, index, src, alpha, kind, op); }, kind == 2);
}

}  // namespace

Tensor index_add(const Tensor& a, int64_t dim, const Tensor& index, const Tensor& src,
                 Scalar alpha) {
  return index_write(a, dim, index, src, alpha.v, 0, "index_add");
}
Tensor index_copy(const Tensor& a, int64_t dim, const Tensor& index, const Tensor& src) {
  return index_write(a, dim, index, src, 1, 1, "index_copy");
}
Tensor index_fill(const Tensor& a, int64_t dim, const Tensor& index, Scalar value) {
  check_fits(value, a->dtype, "index_fill");
  return index_write(a, dim, index, fill_value(a, value), 1, 2, "index_fill");
}
const Tensor& index_add_(const Tensor& self, int64_t dim, const Tensor& index, const Tensor& src,
                         Scalar alpha) {
  return index_write_(self, dim, index, src, alpha.v, 0, "index_add_");
}
const Tensor& index_copy_(const Tensor& self, int64_t dim, const Tensor& index, const Tensor& src) {
  return index_write_(self, dim, index, src, 1, 1, "index_copy_");
}
const Tensor& index_fill_(const Tensor& self, int64_t dim, const Tensor& index, Scalar value) {
  check_fits(value, self->dtype, "index_fill_");
  return index_write_(self, dim, index, fill_value(self, value), 1, 2, "index_fill_");
}

Tensor take(const Tensor& a, const Tensor& index) {
  check_index_dtype(index, "take");
  int64_t bad = 0;
  if (index_out_of_range(index, a->numel, true, bad))
    fail<IndexRangeError>("take", "out of range: tried to access index ", bad, " on a tensor of ",
                          a->numel, " elements (shape ", shape_str(a->shape), ")");
  Tensor flat = reshape(a, Dims{-1});
  Tensor idx = reshape(index, Dims{-1});
  // Negative indices count from the end (PyTorch's take allows them).
  Tensor out = empty(idx->shape, a->dtype);
  gather_into(out, flat, 0, idx, true);
  if (auto n = record<GatherBackward>({&flat}, out)) {
    n->dim = 0;
    n->in_shape = flat->shape;
    n->index =
        SavedTensor(where(lt(idx, Scalar{0.0, ScalarKind::Int}),
                          add(idx, Scalar{static_cast<double>(a->numel), ScalarKind::Int}), idx));
  }
  // a tensor of its own, as PyTorch's (not a view: detach_ and no_grad writes need that)
  return index->shape == out->shape ? out : reshape(out, index->shape);
}

}  // namespace pyag
