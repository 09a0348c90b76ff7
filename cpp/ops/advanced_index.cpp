// Advanced indexing: index expressions holding int64 index tensors and bool masks among ints,
// slices, None and Ellipsis, for reads (a copy) and writes (index_put, with or without
// accumulation), with PyTorch's (NumPy's) placement of the broadcast index dims.
//
// The basic items are applied first, as a view V of the input (so ints select, as in PyTorch);
// each mask becomes the index tensors of its true elements' coordinates. The index tensors,
// broadcast together to shape B, pick elements of V along their dims D: the result has B in
// place of D when D are adjacent, else B first. The element offsets within V are computed once
// (kernels/index.h: index_offsets_add), then one gather or scatter along a synthetic dim reads
// or writes them all.
#include <algorithm>

#include "autograd/node.h"
#include "kernels/elementwise.h"
#include "kernels/index.h"
#include "kernels/reduce.h"
#include "kernels/sort.h"
#include "ops/ops.h"

namespace pyag {
namespace {

// An advanced index resolved against a tensor's shape.
struct Plan {
  std::vector<IndexItem> basic;  // the view V (advanced entries replaced by full slices)
  bool trivial = true;           // V is the input itself
  Dims vshape;                   // V's shape
  std::vector<int> dims;         // D: V's dims the index tensors pick along
  std::vector<Tensor> idx;       // int64 index tensors, one per dim of D
  Dims bshape;                   // B
  int pos = 0;                   // where B goes in the result
  Dims rshape;                   // the result: V's other dims with B at pos
  Dims fshape;                   // the result with B flattened to one dim (at pos)
};

Tensor nonzero_coords(const Tensor& mask) {
  Tensor out = empty(Dims{count_true(mask), static_cast<int64_t>(mask->dim())}, DType::Int64);
  nonzero_into(out, mask);
  return out;
}

Plan make_plan(const Tensor& a, const std::vector<IndexEntry>& entries, const char* op) {
  Plan p;
  int consumed = 0, ellipses = 0;
  for (const IndexEntry& e : entries) {
    if (e.tensor) {
      consumed += e.tensor->dtype == DType::Bool ? e.tensor->dim() : 1;
    } else if (e.item.kind == IndexItem::Int || e.item.kind == IndexItem::Slice) {
      ++consumed;
    } else if (e.item.kind == IndexItem::Ellipsis) {
      ++ellipses;
    }
  }
  if (ellipses > 1) fail<IndexError>(op, "an index can only have a single ellipsis ('...')");
  if (consumed > a->dim())
    fail<IndexError>(op, "too many indices for tensor of dimension ", a->dim(), " (shape ",
                     shape_str(a->shape), ")");
  const IndexItem full{IndexItem::Slice, kNone, kNone, 1};
  int adim = 0, vdim = 0;
  for (const IndexEntry& e : entries) {
    if (!e.tensor) {
      const IndexItem& it = e.item;
      p.basic.push_back(it);
      if (it.kind == IndexItem::Ellipsis) {
        const int n = a->dim() - consumed;
        adim += n, vdim += n;
      } else if (it.kind == IndexItem::NewAxis) {
        ++vdim, p.trivial = false;
      } else if (it.kind == IndexItem::Int) {
        ++adim, p.trivial = false;
      } else {
        p.trivial = p.trivial && it.start == kNone && it.stop == kNone && it.step == 1;
        ++adim, ++vdim;
      }
      continue;
    }
    const Tensor& t = e.tensor;
    if (t->dtype == DType::Bool) {
      if (t->dim() == 0) {  // x[True]: a new dim of size 1 (or 0 for False)
        p.basic.push_back(IndexItem{IndexItem::NewAxis, 0, 0, 1});
        p.trivial = false;
        Tensor z = zeros(Dims{get_double(t, Dims{}) != 0 ? 1 : 0}, DType::Int64);
        p.dims.push_back(vdim++), p.idx.push_back(z);
        continue;
      }
      for (int k = 0; k < t->dim(); ++k)
        if (t->shape[k] != a->shape[adim + k])
          fail<IndexError>(op, "the shape of the mask ", shape_str(t->shape), " at index ", adim,
                           " does not match the shape of the indexed tensor ", shape_str(a->shape));
      Tensor coords = nonzero_coords(t);
      for (int k = 0; k < t->dim(); ++k) {
        p.basic.push_back(full);
        p.dims.push_back(vdim++), ++adim;
        p.idx.push_back(make_view(coords, Dims{coords->shape[0]}, Dims{coords->strides[0]},
                                  coords->offset + k * coords->strides[1]));
      }
      continue;
    }
    if (t->dtype != DType::Int64)
      fail<IndexError>(op, "tensors used as indices must be int64 (long) or bool tensors, got ",
                       describe(t));
    p.basic.push_back(full);
    p.dims.push_back(vdim++), ++adim;
    p.idx.push_back(t);
  }
  // V's shape: the basic items applied to a's shape (no data touched).
  Tensor probe = make_view(a, a->shape, a->strides, a->offset);
  p.vshape = p.trivial ? a->shape : index(detach(probe), p.basic)->shape;
  // Bounds, then the broadcast shape of the index tensors.
  for (size_t k = 0; k < p.idx.size(); ++k) {
    const int d = p.dims[k];
    int64_t bad = 0;
    if (index_out_of_range(p.idx[k], p.vshape[d], true, bad))
      fail<IndexRangeError>(op, "index ", bad, " is out of bounds for dimension ", d, " with size ",
                            p.vshape[d]);
    if (k == 0) {
      p.bshape = p.idx[0]->shape;
    } else {
      Dims b = p.bshape;
      try {
        b = broadcast_shapes(p.bshape, p.idx[k]->shape, op);
      } catch (const RuntimeError&) {
        fail<IndexError>(op,
                         "shape mismatch: indexing tensors could not be broadcast together "
                         "with shapes ",
                         shape_str(p.bshape), " and ", shape_str(p.idx[k]->shape));
      }
      p.bshape = b;
    }
  }
  bool adjacent = true;
  for (size_t k = 1; k < p.dims.size(); ++k) adjacent = adjacent && p.dims[k] == p.dims[k - 1] + 1;
  p.pos = adjacent ? p.dims[0] : 0;
  const int64_t nb = numel_of(p.bshape, op);
  Dims rest;
  for (int d = 0; d < p.vshape.size(); ++d)
    if (std::find(p.dims.begin(), p.dims.end(), d) == p.dims.end()) rest.push_back(p.vshape[d]);
  for (int i = 0; i <= rest.size(); ++i) {
    if (i == p.pos) {
      for (int64_t s : p.bshape) p.rshape.push_back(s);
      p.fshape.push_back(nb);
    }
    if (i < rest.size()) p.rshape.push_back(rest[i]), p.fshape.push_back(rest[i]);
  }
  return p;
}

// t's view V (t of the input's shape), as the plan's basic items make it.
Tensor view_of(const Tensor& t, const Plan& p) { return p.trivial ? t : index(detach(t), p.basic); }

// The offsets within V (of strides V's) of the picked elements, contiguous of shape B.
Tensor offsets(const Tensor& v, const Plan& p) {
  Tensor o = zeros(p.bshape, DType::Int64);
  for (size_t k = 0; k < p.idx.size(); ++k)
    index_offsets_add(o, p.idx[k], v->shape[p.dims[k]], v->strides[p.dims[k]]);
  return o;
}

// V with the picked dims replaced by one dim (size 1, stride 1 element) at pos: a gather or
// scatter along it at offsets O reaches V's picked elements.
Tensor synthetic(const Tensor& v, const Plan& p) {
  Dims s, st;
  for (int d = 0, k = 0; d <= v->dim(); ++d) {
    if (k == 0 && s.size() == p.pos) {
      s.push_back(1), st.push_back(1);
      k = 1;
    }
    if (d == v->dim()) break;
    if (std::find(p.dims.begin(), p.dims.end(), d) != p.dims.end()) continue;
    s.push_back(v->shape[d]), st.push_back(v->strides[d]);
  }
  return make_view(v, s, st, v->offset);
}

// O (shape B) seen in the flat result shape: stride 1 along pos, 0 elsewhere.
Tensor offsets_view(const Tensor& o, const Plan& p) {
  Dims st = Dims::filled(p.fshape.size(), 0);
  st[p.pos] = 1;
  return make_view(o, p.fshape, st, o->offset);
}

// t (contiguous, of the result's shape) seen flat.
Tensor flat(const Tensor& t, const Plan& p) {
  return make_view(t, p.fshape, contiguous_strides(p.fshape), t->offset);
}

void gather_plan(const Tensor& out, const Tensor& v, const Plan& p, const Tensor& o) {
  gather_into(flat(out, p), synthetic(v, p), p.pos, offsets_view(o, p), false);
}

void scatter_plan(const Tensor& v, const Plan& p, const Tensor& o, const Tensor& src, bool acc) {
  scatter_into(synthetic(v, p), p.pos, offsets_view(o, p), src->dim() ? flat(src, p) : src, acc,
               false);
}

Tensor copy_of(const Tensor& a) {
  Tensor out = empty(a->shape, a->dtype);
  copy_into(out, a);
  return out;
}

struct AdvancedIndexBackward : Node {
  Plan plan;
  Dims vshape;
  Tensor offs;  // offsets within a contiguous tensor of V's shape
  const char* name() const override { return "IndexBackward0"; }
  std::vector<Tensor> apply(const Tensor& g) override {
    Tensor r = zeros(vshape, g->dtype);
    scatter_plan(r, plan, offs, contiguous(detach(g)), true);
    return {r};
  }
  std::optional<std::vector<Tensor>> apply_graph(const Tensor& g,
                                                 const std::shared_ptr<Node>&) override {
    check();
    // The scatter of g into V and the gather of V's picked elements: mutual adjoints.
    const Plan p = plan;
    const Dims vs = vshape;
    const Tensor o = offs;
    return std::vector<Tensor>{record_adjoint_pair(
        g, name(),
        [p, vs, o](const Tensor& t) {
          Tensor r = zeros(vs, t->dtype);
          scatter_plan(r, p, o, contiguous(detach(t)), true);
          return r;
        },
        [p, o](const Tensor& t) {
          Tensor r = empty(p.rshape, t->dtype);
          if (r->numel) gather_plan(r, contiguous(detach(t)), p, o);
          return r;
        })};
  }
  // PyTorch saves the indices: a second backward after release raises there too.
  void check() const override {
    if (!offs) fail_freed(*this);
  }
  void release() override { offs.reset(); }
};

// index_put: grad of the input is g with the written elements zeroed (or g itself when
// accumulating); grad of the values is g at the written elements.
struct IndexPutBackward : Node {
  Plan plan;
  Tensor offs;  // offsets within V of a contiguous tensor of the input's shape
  bool accumulate = false;
  const char* name() const override { return "IndexPutBackward0"; }
  std::vector<Tensor> apply(const Tensor& g) override {
    std::vector<Tensor> r(next.size());
    Tensor gc = contiguous(detach(g));
    if (needs(1)) {
      Tensor gv = empty(plan.rshape, g->dtype);
      gather_plan(gv, view_of(gc, plan), plan, offs);
      r[1] = gv;
    }
    if (needs(0)) {
      if (accumulate) {
        r[0] = g;
      } else {
        Tensor z = copy_of(g);  // a fresh buffer: g may be shared
        scatter_plan(view_of(z, plan), plan, offs, scalar_tensor(0, g->dtype), false);
        r[0] = z;
      }
    }
    return r;
  }
  void check() const override {  // as IndexBackward's
    if (!offs) fail_freed(*this);
  }
  void release() override { offs.reset(); }
};

// values broadcast to the result's shape in a's dtype (a contiguous copy).
Tensor values_for(const Tensor& a, const Plan& p, const Tensor& values, const char* op) {
  if (values->dim() > p.rshape.size() || broadcast_shapes(p.rshape, values->shape, op) != p.rshape)
    fail(op, "shape mismatch: value tensor of shape ", shape_str(values->shape),
         " cannot be broadcast to indexing result of shape ", shape_str(p.rshape));
  if (values->numel == 1 && values->dim() <= p.rshape.size()) {
    Tensor s = empty(Dims{}, a->dtype);
    copy_into(s, make_view(values, Dims{}, Dims{}, values->offset));
    return s;  // a 0-d value: the kernel broadcasts it
  }
  Tensor v = empty(p.rshape, a->dtype);
  copy_into(v, values);
  return v;
}

}  // namespace

Tensor index_advanced(const Tensor& a, const std::vector<IndexEntry>& entries) {
  Plan p = make_plan(a, entries, "index");
  Tensor v = p.trivial ? a : index(a, p.basic);
  Tensor out = empty(p.rshape, a->dtype);
  if (out->numel) gather_plan(out, v, p, offsets(v, p));
  if (auto n = record<AdvancedIndexBackward>({&v}, out)) {
    n->vshape = v->shape;
    Tensor probe = make_view(out, v->shape, contiguous_strides(v->shape), 0);
    n->offs = offsets(probe, p);
    p.idx.clear();  // the offsets say it all
    n->plan = std::move(p);
  }
  return out;
}

namespace {
void check_same_dtype(const Tensor& a, const Tensor& values, const char* op) {
  if (values->dtype != a->dtype)
    fail(op, "index_put requires the source and destination dtypes to match, got ",
         dtype_name(a->dtype), " for the destination and ", dtype_name(values->dtype),
         " for the source");
}
}  // namespace

Tensor index_put(const Tensor& a, const std::vector<IndexEntry>& entries, const Tensor& values,
                 bool accumulate) {
  check_same_dtype(a, values, "index_put");
  Plan p = make_plan(a, entries, "index_put");
  Tensor src = values_for(a, p, values, "index_put");
  Tensor out = copy_of(a);
  Tensor o = offsets(view_of(out, p), p);
  if (numel_of(p.rshape, "index_put")) scatter_plan(view_of(out, p), p, o, src, accumulate);
  if (auto n = record<IndexPutBackward>({&a, &values}, out)) {
    n->offs = o;
    n->accumulate = accumulate;
    p.idx.clear();
    n->plan = std::move(p);
  }
  return out;
}

const Tensor& index_put_(const Tensor& a, const std::vector<IndexEntry>& entries,
                         const Tensor& values, bool accumulate) {
  check_same_dtype(a, values, "index_put_");
  // PyTorch writes into an expanded tensor here (it only warns that this is deprecated).
  if (inplace_needs_graph(a, values->requires_grad(), "index_put_"))
    return commit_inplace(a, index_put(a, entries, values, accumulate));
  Plan p = make_plan(a, entries, "index_put_");
  Tensor src = values_for(a, p, values, "index_put_");  // a copy: values may alias a
  Tensor v = view_of(a, p);
  if (numel_of(p.rshape, "index_put_")) scatter_plan(v, p, offsets(v, p), src, accumulate);
  a->bump_version();
  return a;
}

}  // namespace pyag
