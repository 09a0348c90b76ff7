#include "autograd/engine.h"

#include <algorithm>
#include <unordered_map>
#include <unordered_set>

#include "autograd/node.h"
#include "kernels/elementwise.h"
#include "kernels/reduce.h"

namespace pyag {
namespace {

thread_local bool tl_direct_ok = false;  // nodes may accumulate straight into leaves' .grad

// The one place where broadcasting is undone: sums g over the dims that `shape` broadcast.
Tensor sum_to(const Tensor& g, const Dims& shape) {
  if (g->shape == shape) return g;
  Dims keep = Dims::filled(g->dim(), 1);
  const int lead = g->dim() - shape.size();
  for (int d = 0; d < shape.size(); ++d) keep[d + lead] = shape[d];
  Tensor out = zeros(keep, g->dtype);
  sum_into(out, g);
  return make_view(out, shape, contiguous_strides(shape), 0);
}

Tensor owned_copy(const Tensor& g) {
  Tensor c = empty(g->shape, g->dtype);
  copy_into(c, g);
  return c;
}

bool is_exclusive(const Tensor& g) {
  return g.use_count() == 1 && g->storage.use_count() == 1 && g->contiguous() && !g->autograd;
}

void accumulate_into(Tensor& slot, Tensor g) {
  if (!slot) {
    slot = is_exclusive(g) ? std::move(g) : owned_copy(g);
    return;
  }
  if (slot->shape != g->shape)
    fail("backward", "gradient of shape ", shape_str(g->shape),
         " cannot be accumulated into .grad of shape ", shape_str(slot->shape));
  binary_into(BinaryKernel::add, slot, slot, g);
  slot->bump_version();
}

// One backward pass. When a node may fail midway (user code), gradients for .grad are held
// back and written only once every node has run, so that a failed pass changes nothing.
struct Pass {
  bool capture = false;
  bool deferred = false;
  std::unordered_map<const void*, size_t> input_index;  // Node* or AutogradMeta* -> input
  std::vector<Tensor> captured;
  std::vector<Node*> nodes;  // reachable nodes, descending sequence order
  std::vector<std::pair<std::shared_ptr<AutogradMeta>, Tensor>> held;  // deferred .grad updates

  void to_grad(const std::shared_ptr<AutogradMeta>& meta, Tensor g) {
    if (!deferred) return accumulate_into(meta->grad, std::move(g));
    for (auto& h : held)
      if (h.first == meta) return accumulate_into(h.second, std::move(g));
    held.emplace_back(meta, nullptr);
    accumulate_into(held.back().second, std::move(g));
  }

  void deliver(const Edge& e, Tensor g) {
    if (g->shape != e.shape) g = sum_to(g, e.shape);
    if (g->dtype != e.dtype) {
      Tensor c = empty(g->shape, e.dtype);
      copy_into(c, g);
      g = std::move(c);
    }
    if (e.fn) {
      Tensor& p = e.fn->pending;
      if (!p) {
        p = std::move(g);
      } else {
        Tensor sum = empty(p->shape, p->dtype);
        binary_into(BinaryKernel::add, sum, p, g);
        p = std::move(sum);
      }
    } else if (capture) {
      auto it = input_index.find(e.leaf.get());
      if (it != input_index.end()) accumulate_into(captured[it->second], std::move(g));
    } else {
      to_grad(e.leaf, std::move(g));
    }
  }

  void collect(const std::vector<Edge>& roots) {
    std::unordered_set<Node*> seen;
    std::vector<Node*> stack;
    for (const Edge& e : roots)
      if (e.fn && seen.insert(e.fn.get()).second) stack.push_back(e.fn.get());
    while (!stack.empty()) {
      Node* n = stack.back();
      stack.pop_back();
      nodes.push_back(n);
      for (const Edge& e : n->next)
        if (e.fn && seen.insert(e.fn.get()).second) stack.push_back(e.fn.get());
    }
    std::sort(nodes.begin(), nodes.end(), [](Node* a, Node* b) { return a->seq > b->seq; });
  }

  void run(const std::vector<Edge>& roots, const std::vector<Tensor>& root_grads) {
    collect(roots);
    for (Node* n : nodes) {
      n->check();  // fail before anything is changed
      deferred = deferred || n->may_fail();
    }
    struct Cleanup {
      std::vector<Node*>& nodes;
      bool prev_direct;
      ~Cleanup() {
        for (Node* n : nodes) n->pending.reset();
        tl_direct_ok = prev_direct;
      }
    } cleanup{nodes, tl_direct_ok};
    tl_direct_ok = !capture && !deferred;  // GEMMs may accumulate straight into .grad
    for (size_t i = 0; i < roots.size(); ++i) deliver(roots[i], root_grads[i]);
    for (Node* n : nodes) {
      if (!n->pending) continue;
      Tensor g = std::move(n->pending);
      if (capture) {
        auto it = input_index.find(n);
        if (it != input_index.end()) accumulate_into(captured[it->second], g);
      } else if (auto m = n->retained.lock()) {
        to_grad(m, g);
      }
      std::vector<Tensor> outs = n->apply(g);
      g.reset();
      for (size_t i = 0; i < outs.size() && i < n->next.size(); ++i)
        if (outs[i] && n->next[i].valid()) deliver(n->next[i], std::move(outs[i]));
    }
    for (auto& h : held) accumulate_into(h.first->grad, std::move(h.second));
  }

  void release() {
    for (Node* n : nodes) n->release();
  }
};

std::vector<Edge> root_edges(const std::vector<Tensor>& roots, const std::vector<Tensor>& grads,
                             std::vector<Tensor>& root_grads) {
  if (!grads.empty() && grads.size() != roots.size())
    fail("backward", "got ", roots.size(), " tensors and ", grads.size(), " gradients");
  std::vector<Edge> edges;
  for (size_t i = 0; i < roots.size(); ++i) {
    const Tensor& r = roots[i];
    if (!r->requires_grad())
      fail("backward", "element ", i,
           " of tensors does not require grad and does not have a "
           "grad_fn");
    Tensor g = grads.empty() ? nullptr : grads[i];
    if (!g) {
      if (r->numel != 1)
        fail("backward", "grad can be implicitly created only for scalar outputs, got shape ",
             shape_str(r->shape));
      g = full(r->shape, 1.0, r->dtype);
    } else if (g->shape != r->shape) {
      fail("backward", "gradient of shape ", shape_str(g->shape),
           " does not match the output's shape ", shape_str(r->shape));
    }
    edges.push_back(edge_of(r));
    root_grads.push_back(g);
  }
  return edges;
}

}  // namespace

Tensor direct_grad_target(const Edge& e) {
  if (!tl_direct_ok || !e.leaf) return nullptr;
  const Tensor& g = e.leaf->grad;
  if (!g || g->shape != e.shape || g->dtype != e.dtype || !g->contiguous()) return nullptr;
  return g;
}

void backward(const std::vector<Tensor>& roots, const std::vector<Tensor>& grads,
              bool retain_graph) {
  GradModeGuard no_grad(false);
  std::vector<Tensor> root_grads;
  std::vector<Edge> edges = root_edges(roots, grads, root_grads);
  Pass pass;
  pass.run(edges, root_grads);
  if (!retain_graph) pass.release();
}

std::vector<Tensor> grad(const std::vector<Tensor>& roots, const std::vector<Tensor>& grads,
                         const std::vector<Tensor>& inputs, bool retain_graph, bool allow_unused) {
  GradModeGuard no_grad(false);
  std::vector<Tensor> root_grads;
  std::vector<Edge> edges = root_edges(roots, grads, root_grads);
  Pass pass;
  pass.capture = true;
  pass.captured.resize(inputs.size());
  for (size_t i = 0; i < inputs.size(); ++i) {
    const Tensor& t = inputs[i];
    if (!t->requires_grad()) fail("grad", "input ", i, " does not require grad");
    const void* key = t->autograd->grad_fn ? static_cast<const void*>(t->autograd->grad_fn.get())
                                           : static_cast<const void*>(t->autograd.get());
    pass.input_index[key] = i;
  }
  pass.run(edges, root_grads);
  for (size_t i = 0; i < inputs.size(); ++i)
    if (!pass.captured[i] && !allow_unused)
      fail("grad", "one of the differentiated tensors (input ", i,
           ") appears to not have been used in the graph; set allow_unused=True if this is the "
           "desired behavior");
  if (!retain_graph) pass.release();
  return pass.captured;
}

}  // namespace pyag
