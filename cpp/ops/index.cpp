// Indexing: ints, slices, None and Ellipsis give views; a bool mask gives a copy. Writes go
// through the same views (t[i] = v) or through the mask.
#include <cstring>
#include <type_traits>

#include "autograd/grad_mode.h"
#include "autograd/node.h"
#include "capture/hooks.h"
#include "kernels/elementwise.h"
#include "kernels/loop.h"
#include "kernels/reduce.h"
#include "ops/ops.h"
#include "ops/rules.h"

namespace pyag {
namespace {

struct View {
  Dims shape, strides;
  int64_t offset;
};

View apply_items(const Tensor& a, const std::vector<IndexItem>& items) {
  int consumed = 0, ellipses = 0;
  for (const IndexItem& it : items) {
    if (it.kind == IndexItem::Int || it.kind == IndexItem::Slice) ++consumed;
    if (it.kind == IndexItem::Ellipsis) ++ellipses;
  }
  if (ellipses > 1) fail<IndexError>("index", "an index can only have a single ellipsis ('...')");
  if (consumed > a->dim())
    fail<IndexError>("index", "too many indices for tensor of dimension ", a->dim(), " (shape ",
                     shape_str(a->shape), ")");
  View v{{}, {}, a->offset};
  int d = 0;
  for (const IndexItem& it : items) {
    switch (it.kind) {
      case IndexItem::NewAxis:
        v.shape.push_back(1), v.strides.push_back(0);
        break;
      case IndexItem::Ellipsis:
        for (int k = 0; k < a->dim() - consumed; ++k, ++d)
          v.shape.push_back(a->shape[d]), v.strides.push_back(a->strides[d]);
        break;
      case IndexItem::Int: {
        const int64_t size = a->shape[d];
        if (it.start < -size || it.start >= size)
          fail<IndexError>("index", "index ", it.start, " is out of bounds for dimension ", d,
                           " with size ", size);
        v.offset += (it.start < 0 ? it.start + size : it.start) * a->strides[d];
        ++d;
        break;
      }
      case IndexItem::Slice: {
        if (it.step <= 0) fail<ValueError>("index", "slice step must be positive, got ", it.step);
        const int64_t size = a->shape[d];
        auto clampi = [size](int64_t x, int64_t dflt) {
          if (x == kNone) return dflt;
          if (x < 0) x += size;
          return x < 0 ? int64_t{0} : (x > size ? size : x);
        };
        const int64_t start = clampi(it.start, 0), stop = clampi(it.stop, size);
        const int64_t len = stop > start ? (stop - start - 1) / it.step + 1 : 0;
        v.offset += (len ? start : 0) * a->strides[d];
        v.shape.push_back(len), v.strides.push_back(a->strides[d] * it.step);
        ++d;
        break;
      }
    }
  }
  for (; d < a->dim(); ++d) v.shape.push_back(a->shape[d]), v.strides.push_back(a->strides[d]);
  return v;
}

struct IndexBackward : Node {
  Dims in_shape;
  std::vector<IndexItem> items;
  const char* label = "SliceBackward0";
  const char* name() const override { return label; }
  std::vector<Tensor> apply(const Tensor& g) override {
    Tensor r = zeros(in_shape, g->dtype);
    View v = apply_items(r, items);
    copy_into(make_view(r, v.shape, v.strides, v.offset), g);
    return {r};
  }
  std::optional<std::vector<Tensor>> apply_graph(const Tensor& g,
                                                 const std::shared_ptr<Node>&) override {
    std::vector<IndexItem> its = items;
    return std::vector<Tensor>{
        record_linear(apply(g)[0], g, name(), [its](const Tensor& gg) { return index(gg, its); })};
  }
};

// The mask broadcast over a's trailing dims, checked against a's leading dims.
Tensor full_mask(const Tensor& a, const Tensor& mask, const char* op) {
  if (mask->dtype != DType::Bool)
    fail<IndexError>(op, "tensors used as indices must be bool masks, got ",
                     dtype_name(mask->dtype));
  bool ok = mask->dim() <= a->dim();
  for (int i = 0; ok && i < mask->dim(); ++i) ok = mask->shape[i] == a->shape[i];
  if (!ok)
    fail<IndexError>(op, "the shape of the mask ", shape_str(mask->shape),
                     " does not match the shape of the indexed tensor ", shape_str(a->shape));
  Dims st = mask->strides;
  for (int i = mask->dim(); i < a->dim(); ++i) st.push_back(0);
  return make_view(mask, a->shape, st, mask->offset);
}

Dims selected_shape(const Tensor& a, const Tensor& mask, int64_t count) {
  Dims s{count};
  for (int i = mask->dim(); i < a->dim(); ++i) s.push_back(a->shape[i]);
  return s;
}

// Walks the elements of `a` where the (full) mask is true, in row-major order.
template <class F>
void for_masked(const Tensor& a, const Tensor& m, F f) {
  capture::refuse("boolean mask indexing",
                  "its loop is not behind the recorder yet and its shape may depend on the data");
  Loop L = make_loop(a->shape, {&a, &m});
  int64_t k = 0;
  L.run([&](char** p, const int64_t* s, int64_t n) {
    for (int64_t i = 0; i < n; ++i)
      if (*reinterpret_cast<const bool*>(p[1] + i * s[1])) f(p[0] + i * s[0], k++);
  });
}

void masked_gather(const Tensor& out, const Tensor& a, const Tensor& m) {
  const size_t isz = itemsize(a->dtype);
  char* o = out->data();
  for_masked(a, m, [&](char* p, int64_t k) { std::memcpy(o + k * isz, p, isz); });
}

void masked_scatter(const Tensor& a, const Tensor& m, const Tensor& src) {  // src contiguous
  const size_t isz = itemsize(a->dtype);
  const char* s = src->data();
  for_masked(a, m, [&](char* p, int64_t k) { std::memcpy(p, s + k * isz, isz); });
}

struct MaskedSelectBackward : Node {
  Dims in_shape;
  SavedTensor mask;
  const char* name() const override { return "IndexBackward0"; }
  std::vector<Tensor> apply(const Tensor& g) override {
    Tensor r = zeros(in_shape, g->dtype);
    masked_scatter(r, full_mask(r, mask.unpack(*this), "index"), contiguous(g));
    return {r};
  }
  std::optional<std::vector<Tensor>> apply_graph(const Tensor& g,
                                                 const std::shared_ptr<Node>&) override {
    Tensor m = mask.unpack(*this);
    return std::vector<Tensor>{record_linear(
        apply(g)[0], g, name(), [m](const Tensor& gg) { return masked_select(gg, m); })};
  }
  void check() const override { mask.check(*this); }
  void release() override { mask.reset(); }
};

}  // namespace

namespace {

// PyTorch's node for a[items]: that of the last view op its indexing applies (it skips a
// slice over a whole dim, and a lone ellipsis is an alias).
const char* basic_index_label(const Tensor& a, const std::vector<IndexItem>& items) {
  int consumed = 0;
  for (const IndexItem& it : items)
    if (it.kind == IndexItem::Int || it.kind == IndexItem::Slice) ++consumed;
  const char* label = nullptr;
  bool any_slice = false;
  int d = 0;
  for (const IndexItem& it : items) {
    switch (it.kind) {
      case IndexItem::NewAxis:
        label = "UnsqueezeBackward0";
        break;
      case IndexItem::Ellipsis:
        d += a->dim() - consumed;
        break;
      case IndexItem::Int:
        label = "SelectBackward0";
        ++d;
        break;
      case IndexItem::Slice: {
        any_slice = true;
        const int64_t size = d < a->dim() ? a->shape[d] : 0;
        const bool whole = (it.start == kNone || it.start == 0 || it.start <= -size) &&
                           (it.stop == kNone || it.stop >= size) && it.step == 1;
        if (!whole) label = "SliceBackward0";
        ++d;
        break;
      }
    }
  }
  return label ? label : any_slice ? "SliceBackward0" : "AliasBackward0";
}

}  // namespace

Tensor index(const Tensor& a, const std::vector<IndexItem>& items, const char* label) {
  View v = apply_items(a, items);
  Tensor out = new_view(a, v.shape, v.strides, v.offset);
  if (auto n = record<IndexBackward>({&a}, out)) {
    n->in_shape = a->shape;
    n->items = items;
    n->label = label ? label : basic_index_label(a, items);
  }
  return out;
}

bool reads_0d_value(const Tensor& a, const std::vector<IndexItem>& items) {
  return a->dim() == 0 && items.size() == 1 && items[0].kind == IndexItem::Int &&
         (items[0].start == 0 || items[0].start == -1);
}

Tensor index(const Tensor& a, const Tensor& mask) {
  if (mask->dtype == DType::UInt8) {  // as PyTorch reads it, with its warning
    warn("index",
         "indexing with dtype torch.uint8 is now deprecated, please use a dtype torch.bool "
         "instead.");
    return index(a, cast(mask, DType::Bool));
  }
  Tensor m = full_mask(a, mask, "index");
  Tensor out = empty(selected_shape(a, mask, count_true(mask)), a->dtype);
  masked_gather(out, a, m);
  if (auto n = record<MaskedSelectBackward>({&a}, out)) {
    n->in_shape = a->shape;
    n->mask = SavedTensor(mask);
  }
  return out;
}

namespace {
// The part of `a` a basic-index assignment writes, as a view: an in-place write into it that
// autograd records goes into the history of a's base (autograd/views.h: CopySlices).
// Only full slices (start 0 or omitted, stop at or past the end, step 1) and one Ellipsis:
// PyTorch's indexing skips them and writes into the tensor itself, not into a view (no CopySlices).
bool selects_all(const Tensor& a, const std::vector<IndexItem>& items) {
  int before = 0, after = 0;
  bool ellipsis = false;
  for (const IndexItem& it : items) {
    if (it.kind == IndexItem::Int || it.kind == IndexItem::NewAxis) return false;
    if (it.kind == IndexItem::Ellipsis) {
      if (ellipsis) return false;
      ellipsis = true;
    } else {
      ++(ellipsis ? after : before);
    }
  }
  const int n = a->dim();
  if (before + after > n) return false;
  int d = 0;
  for (const IndexItem& it : items) {
    if (it.kind == IndexItem::Ellipsis) {
      d = n - after;
      continue;
    }
    const int64_t len = a->shape[d++];  // PyTorch compares start as given (-9: is a view)
    if (it.step != 1 || (it.start != kNone && it.start != 0) || (it.stop != kNone && it.stop < len))
      return false;
  }
  return true;
}

Tensor writable_part(const Tensor& a, const std::vector<IndexItem>& items, bool value_rg) {
  inplace_needs_graph(a, value_rg, "setitem");  // refuses what PyTorch refuses (a leaf)
  return selects_all(a, items) ? a : index(a, items);
}
}  // namespace

void index_put(const Tensor& a, const std::vector<IndexItem>& items, const Tensor& value) {
  copy_(writable_part(a, items, value->requires_grad()), value);
}

void index_put(const Tensor& a, const std::vector<IndexItem>& items, Scalar value) {
  Tensor part = writable_part(a, items, false);
  check_inplace(part, false, "setitem");  // PyTorch copies the value in: no overlapping part
  fill_(part, value);
}

namespace {
// The gradient of `value` scattered to the mask's positions: the selected part of g.
struct MaskedScatterBackward : Node {
  SavedTensor mask;
  Dims target;
  const char* name() const override { return "MaskedScatterBackward0"; }
  std::vector<Tensor> apply(const Tensor& g) override {
    Tensor r = empty(target, g->dtype);
    masked_gather(r, g, full_mask(g, mask.unpack(*this), "setitem"));
    return {r};
  }
  void check() const override { mask.check(*this); }
  void release() override { mask.reset(); }
};

// `value` (broadcast to the selected shape) at the mask's positions of a tensor of a's shape,
// zeros elsewhere; differentiable in value.
Tensor scattered(const Tensor& a, const Tensor& mask, const Tensor& m, const Tensor& value,
                 const Dims& target) {
  Tensor src = empty(target, a->dtype);
  copy_into(src, value);
  Tensor out = zeros(a->shape, a->dtype);
  masked_scatter(out, m, src);
  if (auto n = record<MaskedScatterBackward>({&value}, out)) {
    n->mask = SavedTensor(mask);
    n->target = target;
  }
  return out;
}
}  // namespace

namespace {
bool has_internal_overlap(const TensorImpl& t);
void write_masked(const Tensor& a, const Tensor& m, const Tensor& v);
}  // namespace

void masked_put(const Tensor& a, const Tensor& mask, const Tensor& value) {
  Tensor m = full_mask(a, mask, "setitem");
  const bool graph = inplace_needs_graph(a, value->requires_grad(), "setitem");
  if (value->numel == 1 && value->dim() <= 1 && !graph) {
    masked_put(a, mask,
               Scalar{get_double(contiguous(value), Dims::filled(value->dim(), 0)),
                      is_floating(value->dtype) ? ScalarKind::Float : ScalarKind::Int});
    return;
  }
  Dims target = selected_shape(a, mask, count_true(mask));
  Dims bshape = broadcast_shapes(target, value->shape, "setitem");
  if (bshape != target)
    fail("setitem", "shape mismatch: value tensor of shape ", shape_str(value->shape),
         " cannot be broadcast to indexing result of shape ", shape_str(target));
  if (graph) {  // a with the masked elements replaced: the old ones get no gradient
    commit_inplace(a, where(m, scattered(a, mask, m, value, target), a));
    // An expanded a: PyTorch writes the masked elements only (as masked_fill below).
    if (value->numel == 1 && has_internal_overlap(*a))
      write_masked(a, m, cast(reshape(value, Dims{}), a->dtype));
    return;
  }
  Tensor src = empty(target, a->dtype);
  copy_into(src, value);
  masked_scatter(a, m, src);
  a->bump_version();
}

namespace {

bool has_internal_overlap(const TensorImpl& t) {
  for (int d = 0; d < t.dim(); ++d)
    if (t.strides[d] == 0 && t.shape[d] > 1) return true;
  return false;
}

// Writes the 0-d v (a's dtype) at the elements where the full-shape mask m is set.
void write_masked(const Tensor& a, const Tensor& m, const Tensor& v) {
  capture::refuse("boolean mask indexing",
                  "its loop is not behind the recorder yet and its shape may depend on the data");
  // Rows whose elements are distinct and dense (a's and the mask's): a bitwise select per
  // element (o = mask ? v : o on the bits), which vectorizes and has no branch to mispredict on
  // a random mask; else element by element.
  dispatch(a->dtype, [&](auto zero) {
    using T = decltype(zero);
    using U = std::conditional_t<
        sizeof(T) == 1, uint8_t,
        std::conditional_t<sizeof(T) == 2, uint16_t,
                           std::conditional_t<sizeof(T) == 4, uint32_t, uint64_t>>>;
    static_assert(sizeof(U) == sizeof(T));
    const T val = *reinterpret_cast<const T*>(v->data());
    U vbits;
    std::memcpy(&vbits, &val, sizeof(U));
    make_loop(a->shape, {&a, &m}).run([&](char** p, const int64_t* s, int64_t n) {
      const bool* mk = reinterpret_cast<const bool*>(p[1]);
      if (s[0] == static_cast<int64_t>(sizeof(T)) && s[1] == 1) {
        U* o = reinterpret_cast<U*>(p[0]);  // a's bytes, read and written as bits
        const uint8_t* mb = reinterpret_cast<const uint8_t*>(mk);
        for (int64_t i = 0; i < n; ++i) {
          const U sel = static_cast<U>(U(0) - static_cast<U>(mb[i] != 0));
          o[i] = static_cast<U>((o[i] & static_cast<U>(~sel)) | (vbits & sel));
        }
      } else {
        for (int64_t i = 0; i < n; ++i)
          if (mk[i * s[1]]) *reinterpret_cast<T*>(p[0] + i * s[0]) = val;
      }
    });
  });
}

}  // namespace

namespace {
void put_value(const Tensor& a, const Tensor& mask, Scalar value, const char* op) {
  check_fits(value, a->dtype, op);
  Tensor m = full_mask(a, mask, op);
  Tensor v = scalar_tensor(element_value(value, a->dtype), a->dtype);
  if (inplace_needs_graph(a, false, op)) {
    commit_inplace(a, where(m, v, a));
    if (has_internal_overlap(*a)) write_masked(a, m, v);  // as in masked_fill_
    return;
  }
  write_masked(a, m, v);
  a->bump_version();
}
}  // namespace

void masked_put(const Tensor& a, const Tensor& mask, Scalar value) {
  put_value(a, mask, value, "setitem");
}

// ---- masked_fill, masked_select: the mask broadcasts (right-aligned), as PyTorch's ----
namespace {

void check_bool_mask(const Tensor& mask, const char* op) {
  if (mask->dtype != DType::Bool)
    fail(op, "only supports boolean masks, but got mask with dtype ", dtype_name(mask->dtype));
}

void check_fill_value(const Tensor& value, const char* op) {
  if (value->dim() != 0)
    fail(op, "only supports a 0-dimensional value tensor, but got tensor with ", value->dim(),
         " dimension(s)");
}

// The mask as a's shape (it broadcasts to it; a's shape does not change in place).
Tensor mask_as(const Tensor& a, const Tensor& mask, const char* op) {
  check_bool_mask(mask, op);
  if (mask->shape == a->shape) return mask;
  const Dims s = broadcast_shapes(a->shape, mask->shape, op);
  if (s != a->shape)
    fail(op, "the mask of shape ", shape_str(mask->shape), " does not broadcast to the shape ",
         shape_str(a->shape), " of the tensor written in place");
  return expand(mask, a->shape);
}

// The 0-d value of masked_fill as the number PyTorch reads from it (item()), checked against
// self's dtype as a number is (NaN or -1.0 into uint8 raises).
Scalar fill_number(const Tensor& a, const Tensor& value, const char* op) {
  const Scalar s{get_double(value, Dims{}), is_floating(value->dtype) ? ScalarKind::Float
                                            : is_bool(value->dtype)   ? ScalarKind::Bool
                                                                      : ScalarKind::Int};
  check_fits(s, a->dtype, op);
  return s;
}

}  // namespace

const Tensor& masked_fill_(const Tensor& a, const Tensor& mask, const Tensor& value) {
  check_fill_value(value, "masked_fill_");
  Tensor m = mask_as(a, mask, "masked_fill_");
  const Scalar s = fill_number(a, value, "masked_fill_");
  if (inplace_needs_graph(a, value->requires_grad(), "masked_fill_")) {
    commit_inplace(a, where(m, cast(value, a->dtype), a));
    // An expanded a: PyTorch writes the masked elements only, so an element whose memory any
    // masked element shares holds the value (the full result copied in leaves the last one).
    if (has_internal_overlap(*a)) write_masked(a, m, scalar_tensor(s.v, a->dtype));
    return a;
  }
  put_value(a, m, s, "masked_fill_");
  return a;
}

const Tensor& masked_fill_(const Tensor& a, const Tensor& mask, Scalar value) {
  put_value(a, mask_as(a, mask, "masked_fill_"), value, "masked_fill_");
  return a;
}

Tensor masked_fill(const Tensor& a, const Tensor& mask, const Tensor& value) {
  check_bool_mask(mask, "masked_fill");
  check_fill_value(value, "masked_fill");
  fill_number(a, value, "masked_fill");
  // The result has self's dtype: an integer one cannot carry the gradient of a value that
  // requires it (PyTorch: "Autograd not support dtype").
  if (value->requires_grad() && GradMode::enabled() && !is_floating(a->dtype))
    fail("masked_fill", "the value requires grad, but the result has dtype ", dtype_name(a->dtype),
         ", which autograd does not support; convert the tensor to a floating dtype first");
  Tensor out = where(mask, cast(value, a->dtype), a);  // self's dtype: the value is cast to it
  show_grad_fn_as(out, "MaskedFillBackward1");
  return out;
}

Tensor masked_fill(const Tensor& a, const Tensor& mask, Scalar value) {
  check_bool_mask(mask, "masked_fill");
  check_fits(value, a->dtype, "masked_fill");
  Tensor out = where(mask, scalar_tensor(element_value(value, a->dtype), a->dtype), a);
  show_grad_fn_as(out, "MaskedFillBackward0");
  return out;
}

Tensor masked_select(const Tensor& a, const Tensor& mask) {
  if (mask->dtype != DType::Bool)
    fail("masked_select", "expected a bool mask, got ", describe(mask));
  const Dims s = broadcast_shapes(a->shape, mask->shape, "masked_select");
  return index(a->shape == s ? a : expand(a, s), mask->shape == s ? mask : expand(mask, s));
}

}  // namespace pyag
