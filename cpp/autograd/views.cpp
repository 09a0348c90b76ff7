// Views changed in place (see views.h): the CopySlices and AsStridedBackward nodes, the lazy
// remaking of a view's grad_fn, and PyTorch's refusals.
#include "autograd/views.h"

#include <algorithm>
#include <utility>
#include <vector>

#include "autograd/node.h"
#include "kernels/elementwise.h"
#include "ops/ops.h"

namespace pyag {
namespace {

// A layout in storage elements.
struct Geom {
  Dims shape, strides;
  int64_t offset = 0;
  explicit Geom(const TensorImpl& t) : shape(t.shape), strides(t.strides), offset(t.offset) {}
};

// Elements of storage a layout spans from its first element (strides are never negative).
int64_t span(const Geom& g) {
  int64_t n = 1;
  for (int d = 0; d < g.shape.size(); ++d) {
    if (g.shape[d] == 0) return 0;
    n += (g.shape[d] - 1) * g.strides[d];
  }
  return n;
}

void check_base_layout(const Geom& b, const char* op) {
  for (int d = 0; d < b.shape.size(); ++d)
    if (b.strides[d] == 0 && b.shape[d] > 1)
      fail(op, "cannot differentiate through a view of a tensor whose elements share memory (",
           "shape ", shape_str(b.shape), ", strides ", shape_str(b.strides), "); clone() it first");
}

// A gradient buffer laid out like the base (its first element at 0), and views of it.
struct Layout {
  Geom base, view;
  Tensor as_base(const Tensor& buf) const { return make_view(buf, base.shape, base.strides, 0); }
  Tensor region(const Tensor& buf, const Dims& shape) const {
    return make_view(buf, shape, view.strides, view.offset - base.offset);
  }
  Tensor buffer(DType dtype, bool zeroed) const {
    const Dims s{span(base)};
    return zeroed ? zeros(s, dtype) : empty(s, dtype);
  }
};

Tensor dense(const Tensor& t) { return t->contiguous() ? t : contiguous(t); }

// Whether two elements of a layout may share memory (PyTorch's _maybe_overlapping_memory): with
// the dims of more than one element sorted by stride, each stride must pass the extent of the
// smaller ones.
bool may_overlap(const Dims& shape, const Dims& strides) {
  std::vector<std::pair<int64_t, int64_t>> dims;  // (stride, size)
  for (int d = 0; d < shape.size(); ++d)
    if (shape[d] > 1) dims.emplace_back(strides[d], shape[d]);
  std::sort(dims.begin(), dims.end());
  int64_t extent = 0;
  for (const auto& [stride, size] : dims) {
    if (stride <= extent) return true;
    extent += (size - 1) * stride;
  }
  return false;
}

// The storage element (from the buffer's first) of each element of a layout, row-major.
Tensor storage_indices(int64_t span_elems, const Dims& shape, const Dims& strides, int64_t offset) {
  Tensor all = arange(0, static_cast<double>(span_elems), 1, DType::Int64);
  Tensor idx = contiguous(make_view(all, shape, strides, offset));
  return make_view(idx, Dims{idx->numel}, Dims{1}, 0);
}

// The view as a function of its base's current values: its gradient is scattered into a zero
// gradient of the base's storage (summed over the view's broadcast dims, accumulated where the
// view's elements share memory). When the base's elements share memory (an expanded tensor),
// each storage element's gradient is divided among the base elements that read it, as
// PyTorch's as_strided_backward does.
// A tensor of the view's shape into the view's place of a zero tensor of the base's shape, and
// the reverse (raw maps, mutual adjoints when the view's elements do not share memory).
RawLinear put_region(const Layout& lay) {
  return [lay](const Tensor& c) {
    Tensor buf = lay.buffer(c->dtype, true);
    copy_into(lay.region(buf, lay.view.shape), c);
    return dense(lay.as_base(buf));
  };
}

RawLinear take_region(const Layout& lay) {
  return [lay](const Tensor& t) {
    Tensor buf = lay.buffer(t->dtype, false);
    copy_into(lay.as_base(buf), t);
    Tensor r = empty(lay.view.shape, t->dtype);
    copy_into(r, lay.region(buf, lay.view.shape));
    return r;
  };
}

struct AsStridedBackward : Node {
  Layout l;
  explicit AsStridedBackward(Layout layout) : l(std::move(layout)) {}
  const char* name() const override { return "AsStridedBackward0"; }
  std::vector<Tensor> apply(const Tensor& g) override {
    Tensor buf = l.buffer(g->dtype, true);
    const int64_t n = buf->numel;
    Dims shape = l.view.shape;
    std::vector<int64_t> broadcast;
    for (int d = 0; d < shape.size(); ++d)
      if (l.view.strides[d] == 0 && shape[d] > 1) broadcast.push_back(d), shape[d] = 1;
    const Tensor gv = broadcast.empty() ? g : sum(g, broadcast, true);
    if (!may_overlap(shape, l.view.strides)) {
      copy_into(l.region(buf, shape), gv);
    } else {
      const Tensor idx = storage_indices(n, shape, l.view.strides, l.view.offset - l.base.offset);
      index_add_(buf, 0, idx, make_view(dense(gv), Dims{gv->numel}, Dims{1}, 0));
    }
    if (may_overlap(l.base.shape, l.base.strides)) {
      const Tensor idx = storage_indices(n, l.base.shape, l.base.strides, 0);
      Tensor count = zeros(Dims{n}, g->dtype);
      index_add_(count, 0, idx, full(Dims{idx->numel}, 1.0, g->dtype));
      buf = div(buf, count);  // 0 / 0 where no base element reads: never read below
    }
    return {dense(l.as_base(buf))};
  }
  // create_graph=True, where neither the view's nor the base's elements share memory: g put
  // into the view's place of a zero base, whose adjoint reads that place back.
  std::optional<std::vector<Tensor>> apply_graph(const Tensor& g,
                                                 const std::shared_ptr<Node>&) override {
    if (may_overlap(l.view.shape, l.view.strides) || may_overlap(l.base.shape, l.base.strides))
      return std::nullopt;
    return std::vector<Tensor>{record_adjoint_pair(g, name(), put_region(l), take_region(l))};
  }
};

// The base after an in-place op on one of its views: its old values outside the view, the
// op's result inside it. Inputs: the base's old history, the result's.
struct CopySlices : Node {
  Layout l;
  bool released = false;
  explicit CopySlices(Layout layout) : l(std::move(layout)) {}
  const char* name() const override { return "CopySlices"; }
  // PyTorch's CopySlices drops the op's node it wraps on release: a second pass through a
  // write into a view raises there, whatever the op saved (even a write of no element).
  void check() const override {
    if (released) fail_freed(*this);
  }
  void release() override { released = true; }
  std::vector<Tensor> apply(const Tensor& g) override {
    Tensor buf = l.buffer(g->dtype, false);
    Tensor gb = l.as_base(buf);
    copy_into(gb, g);
    Tensor region = l.region(buf, l.view.shape), gr;
    if (needs(1)) {
      gr = empty(l.view.shape, g->dtype);
      copy_into(gr, region);
    }
    if (!needs(0)) return {nullptr, gr};
    fill(region, 0.0);
    return {dense(gb), gr};
  }
  // create_graph=True: both gradients are linear maps of g, recorded with their adjoints (the
  // zeroing of the view's place is its own; reading the place back is putting it in).
  std::optional<std::vector<Tensor>> apply_graph(const Tensor& g,
                                                 const std::shared_ptr<Node>&) override {
    check();
    const Layout lay = l;
    RawLinear zero_region = [lay](const Tensor& t) {
      Tensor buf = lay.buffer(t->dtype, false);
      copy_into(lay.as_base(buf), t);
      fill(lay.region(buf, lay.view.shape), 0.0);
      return dense(lay.as_base(buf));
    };
    Tensor g0, g1;
    if (needs(0)) g0 = record_adjoint_pair(g, name(), zero_region, zero_region);
    if (needs(1)) g1 = record_adjoint_pair(g, name(), take_region(lay), put_region(lay));
    return std::vector<Tensor>{g0, g1};
  }
};

Layout layout_of(const TensorImpl& view, const char* op, bool overlapping_base_ok) {
  Layout l{Geom(*view.view.base), Geom(view)};
  if (!overlapping_base_ok) check_base_layout(l.base, op);
  return l;
}

void move_retained(TensorImpl& t, const std::shared_ptr<Node>& old) {
  if (!t.autograd || !t.autograd->retains_grad) return;
  if (old) old->retained.reset();
  t.autograd->grad_fn->retained = t.autograd;
}

}  // namespace

const std::shared_ptr<Node>& view_grad_fn(TensorImpl& v) {
  static const std::shared_ptr<Node> none;
  ViewOf& vi = v.view;
  const bool has_fn = v.autograd && v.autograd->grad_fn;
  if (!has_fn && !vi.base->requires_grad()) return none;
  const uint64_t now = v.storage->version;
  if (vi.version != now) {
    if (vi.no_grad)
      fail("view",
           "a view was created in no_grad mode and its base or another view of its base has "
           "been modified in place with grad mode enabled; this use case is ambiguous and "
           "forbidden: take the view and make the in-place change both inside the no_grad "
           "block or both outside it");
    std::shared_ptr<Node> old = has_fn ? v.autograd->grad_fn : nullptr;
    auto fn = std::make_shared<AsStridedBackward>(layout_of(v, "view", true));
    fn->next.push_back(edge_of(vi.base));
    set_history(v, fn);
    move_retained(v, old);
    vi.version = now;
  }
  return v.autograd ? v.autograd->grad_fn : none;
}

const std::shared_ptr<Node>& TensorImpl::grad_fn() const {
  static const std::shared_ptr<Node> none;
  if (view.base) return view_grad_fn(const_cast<TensorImpl&>(*this));  // a lazily remade cache
  return autograd ? autograd->grad_fn : none;
}

void check_view_inplace(const Tensor& self, bool self_requires_grad, const char* op) {
  const ViewOf& vi = self->view;
  if (vi.no_grad)
    fail(op,
         "a view was created in no_grad mode and is being modified in place with grad mode "
         "enabled; this use case is ambiguous and forbidden: take the view and make the "
         "in-place change both inside the no_grad block or both outside it");
  if (self_requires_grad && vi.base->is_leaf())
    fail(op, "a view of a leaf Variable that requires grad is being used in an in-place operation");
}

void rebase_view_history(const Tensor& self, const Tensor& result) {
  const Tensor& base = self->view.base;
  auto n =
      std::make_shared<CopySlices>(layout_of(*self, self->is_view ? "setitem" : "view", false));
  n->next.push_back(edge_of(base));
  n->next.push_back(edge_of(result));
  std::shared_ptr<Node> old = base->autograd ? base->autograd->grad_fn : nullptr;
  set_history(*base, n);
  move_retained(*base, old);
}

}  // namespace pyag
