#include "autograd/engine.h"

#include <algorithm>
#include <unordered_map>
#include <unordered_set>

#include "autograd/hooks.h"
#include "autograd/node.h"
#include "capture/hooks.h"
#include "kernels/elementwise.h"
#include "kernels/reduce.h"
#include "ops/alias.h"
#include "ops/ops.h"
#include "ops/rules.h"

namespace pyag {
namespace {

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

// create_graph=True: the same, as differentiable ops (the sum is recorded).
Tensor sum_to_graph(const Tensor& g, const Dims& shape) {
  const int lead = g->dim() - shape.size();
  std::vector<int64_t> dims;
  for (int d = 0; d < g->dim(); ++d)
    if (d < lead || (shape[d - lead] == 1 && g->shape[d] != 1)) dims.push_back(d);
  Tensor s = dims.empty() ? g : sum(g, dims, true);
  return s->shape == shape ? s : reshape(s, shape);
}

// A gradient taken as it is (with its history, create_graph=True) when nothing else holds it.
bool is_exclusive_graph(const Tensor& g) {
  return g.use_count() == 1 && g->storage.use_count() == 1 && g->contiguous() && !g->is_view;
}

void accumulate_graph(Tensor& slot, Tensor g, bool take) {
  if (!slot)
    slot = take || is_exclusive_graph(g) ? std::move(g) : clone(g);
  else
    slot = add(slot, g);  // out of place: the sum is recorded
}

// The result of a node that has no differentiable form (create_graph=True): a second backward
// that reaches it raises, before anything is changed (check()).
struct NotTwiceDifferentiable : Node {
  std::string label;
  explicit NotTwiceDifferentiable(std::string l) : label(std::move(l)) {}
  const char* name() const override { return "NotImplemented"; }
  void check() const override {
    fail("backward", "the derivative of ", label,
         " is not implemented for create_graph=True (a gradient of its gradient)");
  }
  std::vector<Tensor> apply(const Tensor&) override {
    check();
    return {};
  }
};

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

// One backward pass. All of its state (the gradients summed for each node, the leaves'
// counts) lives here, not on the nodes, so that two passes over one retained graph (in two
// threads) do not share any. When a node may fail midway (user code), gradients for .grad are
// held back and written only once every node has run, so that a failed pass changes nothing.
//
// Leaves with hooks are tracked: the pass counts the edges into each from the nodes it will
// run (and the roots), so it knows when the leaf's last contribution has arrived. A leaf with
// grad hooks has its gradient summed in the pass, then the hooks run on the sum, then it is
// accumulated (PyTorch's order); its post-accumulate hooks fire once .grad is final.
struct Pass {
  struct Leaf {
    std::shared_ptr<AutogradMeta> meta;
    int remaining = 0;      // edges still to be processed
    bool buffered = false;  // grad hooks: sum here, run them, then accumulate
    bool got = false;       // a gradient arrived in this pass
    Tensor sum;
  };
  bool capture = false;  // autograd.grad: gradients of the inputs, .grad untouched
  bool graph = false;    // create_graph=True: gradients are computed by recorded ops
  std::unordered_map<const Node*, std::shared_ptr<Node>> owners;  // graph: each node's owner
  bool deferred = false;                                // .grad writes wait for the end of the pass
  std::unordered_map<const void*, size_t> input_index;  // Node* or AutogradMeta* -> input
  std::vector<Tensor> captured;
  std::vector<Node*> nodes;                          // to run, descending sequence order
  std::unordered_map<const Node*, size_t> position;  // in nodes
  std::vector<Tensor> pending;                       // the gradient summed for each node
  std::vector<char> captured_only;                   // autograd.grad: an input's node, not run
  std::vector<std::pair<std::shared_ptr<AutogradMeta>, Tensor>> held;  // deferred .grad updates
  std::unordered_map<const AutogradMeta*, size_t> leaf_index;          // leaves with hooks
  std::vector<Leaf> leaves;
  std::vector<size_t> post_held;  // deferred: leaves whose post hooks run after the writes

  void accumulate(Tensor& slot, Tensor g, bool take = false) {
    if (graph) return accumulate_graph(slot, std::move(g), take);
    accumulate_into(slot, std::move(g));
  }

  void to_grad(const std::shared_ptr<AutogradMeta>& meta, Tensor g) {
    if (!deferred) return accumulate(meta->grad, std::move(g));
    for (auto& h : held)
      if (h.first == meta) return accumulate(h.second, std::move(g));
    held.emplace_back(meta, nullptr);
    accumulate(held.back().second, std::move(g));
  }

  Leaf* tracked(const AutogradMeta* m) {
    if (leaves.empty()) return nullptr;
    auto it = leaf_index.find(m);
    return it == leaf_index.end() ? nullptr : &leaves[it->second];
  }

  // A leaf switched to requires_grad=False after the forward pass takes no gradient
  // (PyTorch's AccumulateGrad returns early); its hooks still see it.
  void to_leaf(const std::shared_ptr<AutogradMeta>& meta, Tensor g) {
    Leaf* l = tracked(meta.get());
    if (l) {
      l->got = true;
      if (l->buffered) return accumulate(l->sum, std::move(g), true);
    }
    if (capture) {
      auto it = input_index.find(meta.get());
      if (it != input_index.end()) accumulate(captured[it->second], std::move(g), true);
    } else if (meta->requires_grad) {
      to_grad(meta, std::move(g));
    }
  }

  // The leaf's last contribution has arrived.
  void finish_leaf(size_t i) {
    Leaf& l = leaves[i];
    if (!l.got) return;
    if (l.buffered) {
      Tensor g = run_grad_hooks(*l.meta->hooks, std::move(l.sum));
      if (capture) {
        auto it = input_index.find(l.meta.get());
        if (it != input_index.end()) accumulate(captured[it->second], std::move(g), true);
        return;
      }
      if (l.meta->requires_grad) to_grad(l.meta, std::move(g));
    }
    if (capture || !l.meta->requires_grad) return;
    if (deferred)
      post_held.push_back(i);
    else
      run_post_hooks(*l.meta->hooks);
  }

  void edge_done(const Edge& e) {
    if (!e.leaf || leaves.empty()) return;
    auto it = leaf_index.find(e.leaf.get());
    if (it != leaf_index.end() && --leaves[it->second].remaining == 0) finish_leaf(it->second);
  }

  void deliver(const Edge& e, Tensor g) {
    size_t pos = 0;
    if (e.fn) {
      auto it = position.find(e.fn.get());
      if (it == position.end()) return;  // pruned (autograd.grad): leads to no input
      pos = it->second;
    } else if (capture && !input_index.count(e.leaf.get())) {
      return;
    }
    if (g->shape != e.shape) g = graph ? sum_to_graph(g, e.shape) : sum_to(g, e.shape);
    if (g->dtype != e.dtype) {
      if (graph) {
        g = cast(g, e.dtype);
      } else {
        Tensor c = empty(g->shape, e.dtype);
        copy_into(c, g);
        g = std::move(c);
      }
    }
    if (!e.fn) return to_leaf(e.leaf, std::move(g));
    Tensor& p = pending[pos];
    if (!p) {
      p = std::move(g);
    } else if (graph) {
      p = add(p, g);
    } else {
      Tensor sum = empty(p->shape, p->dtype);
      binary_into(BinaryKernel::add, sum, p, g);
      p = std::move(sum);
    }
  }

  // The .grad buffers offered to the node being run (see AccumulateTargets).
  struct Targets final : AccumulateTargets {
    Pass& pass;
    Node& node;
    std::vector<size_t> taken;
    Targets(Pass& p, Node& n) : pass(p), node(n) {}
    Tensor take(size_t i) override {
      if (pass.capture || pass.deferred || pass.graph || i >= node.next.size()) return nullptr;
      const Edge& e = node.next[i];
      if (!e.leaf || !e.leaf->requires_grad) return nullptr;
      if (Leaf* l = pass.tracked(e.leaf.get()); l && l->buffered) return nullptr;  // hooks first
      const Tensor& g = e.leaf->grad;
      if (!g || g->shape != e.shape || g->dtype != e.dtype || !g->contiguous()) return nullptr;
      taken.push_back(i);
      return g;
    }
    // The node has accumulated into the buffers it took.
    void delivered() {
      for (size_t i : taken) {
        const Edge& e = node.next[i];
        e.leaf->grad->bump_version();
        if (Leaf* l = pass.tracked(e.leaf.get())) l->got = true;
      }
    }
  };

  void track(const Edge& e) {
    if (!e.leaf || !e.leaf->hooks || e.leaf->hooks->empty()) return;
    if (capture && !input_index.count(e.leaf.get())) return;  // autograd.grad: inputs only
    auto [it, fresh] = leaf_index.emplace(e.leaf.get(), leaves.size());
    if (fresh) leaves.push_back({e.leaf, 0, e.leaf->hooks->has_grad_hooks(), false, nullptr});
    leaves[it->second].remaining++;
  }

  void collect(const std::vector<Edge>& roots) {
    std::unordered_set<Node*> seen;
    std::vector<Node*> stack;
    for (const Edge& e : roots)
      if (e.fn && seen.insert(e.fn.get()).second) {
        stack.push_back(e.fn.get());
        if (graph) owners.emplace(e.fn.get(), e.fn);
      }
    while (!stack.empty()) {
      Node* n = stack.back();
      stack.pop_back();
      nodes.push_back(n);
      for (const Edge& e : n->next)
        if (e.fn && seen.insert(e.fn.get()).second) {
          stack.push_back(e.fn.get());
          if (graph) owners.emplace(e.fn.get(), e.fn);
        }
    }
    std::sort(nodes.begin(), nodes.end(), [](Node* a, Node* b) { return a->seq > b->seq; });
    if (capture) prune();
    position.reserve(nodes.size());
    for (size_t i = 0; i < nodes.size(); ++i) position.emplace(nodes[i], i);
    pending.resize(nodes.size());
    captured_only.resize(nodes.size(), 0);
    for (const Edge& e : roots) track(e);
    for (Node* n : nodes)
      for (const Edge& e : n->next) track(e);
  }

  // autograd.grad runs only the nodes through which an input is reached (as PyTorch does);
  // in ascending sequence order, a node's inputs are decided before the node.
  void prune() {
    std::unordered_set<const Node*> needed, last;
    for (auto it = nodes.rbegin(); it != nodes.rend(); ++it) {
      Node* n = *it;
      bool below = false;
      for (const Edge& e : n->next)
        below = below || (e.fn && needed.count(e.fn.get())) ||
                (e.leaf && input_index.count(e.leaf.get()));
      if (below || input_index.count(n)) needed.insert(n);
      if (!below && input_index.count(n)) last.insert(n);
    }
    nodes.erase(
        std::remove_if(nodes.begin(), nodes.end(), [&](Node* n) { return !needed.count(n); }),
        nodes.end());
    captured_only.assign(nodes.size(), 0);
    for (size_t i = 0; i < nodes.size(); ++i) captured_only[i] = last.count(nodes[i]) ? 1 : 0;
  }

  void run(const std::vector<Edge>& roots, const std::vector<Tensor>& root_grads) {
    collect(roots);
    for (size_t k = 0; k < nodes.size(); ++k) {
      if (captured_only[k]) continue;
      nodes[k]->check();  // fail before anything is changed
      deferred = deferred || nodes[k]->may_fail();
    }
    for (size_t i = 0; i < roots.size(); ++i) deliver(roots[i], root_grads[i]);
    for (const Edge& e : roots) edge_done(e);
    for (size_t k = 0; k < nodes.size(); ++k) {
      Node* n = nodes[k];
      if (pending[k]) {
        Tensor g = std::move(pending[k]);
        if (n->hooks) g = run_grad_hooks(*n->hooks, std::move(g));
        if (capture) {
          auto it = input_index.find(n);
          if (it != input_index.end()) accumulate(captured[it->second], g, true);
        }
        if (auto m = n->retained.lock()) to_grad(m, g);  // autograd.grad fills it too
        if (!captured_only[k] && graph) {
          std::vector<Tensor> outs = apply_graph(*n, g);
          g.reset();
          for (size_t i = 0; i < outs.size() && i < n->next.size(); ++i)
            if (outs[i] && n->next[i].valid()) deliver(n->next[i], std::move(outs[i]));
        } else if (!captured_only[k]) {
          Targets targets(*this, *n);
          std::vector<Tensor> outs = n->apply(g, targets);
          g.reset();
          targets.delivered();
          for (size_t i = 0; i < outs.size() && i < n->next.size(); ++i)
            if (outs[i] && n->next[i].valid()) deliver(n->next[i], std::move(outs[i]));
        }
      }
      for (const Edge& e : n->next) edge_done(e);
    }
    for (auto& h : held) accumulate(h.first->grad, std::move(h.second));
    for (size_t i : post_held) run_post_hooks(*leaves[i].meta->hooks);
  }

  // create_graph=True: node n's gradients as recorded ops (Node::apply_graph).
  std::vector<Tensor> apply_graph(Node& n, const Tensor& g) {
    if (auto r = n.apply_graph(g, owners.at(&n))) return std::move(*r);
    if (n.apply_is_differentiable()) return n.apply(g);
    std::vector<Tensor> outs;
    {
      GradModeGuard off(false);
      outs = n.apply(g);
    }
    for (Tensor& o : outs) {
      if (!o) continue;
      auto stop = std::make_shared<NotTwiceDifferentiable>(n.shown_name());
      stop->next.push_back(edge_of(g));
      for (const Edge& e : n.next) stop->next.push_back(e);
      o = detach(o);  // never g itself, nor a tensor another output shares
      set_history(*o, stop);
    }
    return outs;
  }

  void release() {
    for (size_t k = 0; k < nodes.size(); ++k)
      if (!captured_only[k]) nodes[k]->release();
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
    if (!edges.back().valid())  // a view made under no_grad requires grad but has no history
      fail("backward", "element ", i, " of tensors does not require grad and does not have a ",
           "grad_fn");
    root_grads.push_back(g);
  }
  return edges;
}

// The callbacks queued during each pass running on this thread (innermost last).
thread_local std::vector<std::vector<std::function<void()>>> end_of_pass;

struct EndOfPass {
  EndOfPass() { end_of_pass.emplace_back(); }
  ~EndOfPass() { end_of_pass.pop_back(); }  // (a failed pass: dropped)
  EndOfPass(const EndOfPass&) = delete;
  EndOfPass& operator=(const EndOfPass&) = delete;
  void run() {
    for (size_t i = 0; i < end_of_pass.back().size(); ++i) {
      std::function<void()> fn = end_of_pass.back()[i];  // (the vector may grow meanwhile)
      fn();
    }
  }
};

}  // namespace

bool queue_end_of_pass(std::function<void()> fn) {
  if (end_of_pass.empty()) return false;
  end_of_pass.back().push_back(std::move(fn));
  return true;
}

void backward(const std::vector<Tensor>& roots, const std::vector<Tensor>& grads, bool retain_graph,
              bool create_graph) {
  EndOfPass callbacks;
  GradModeGuard mode(create_graph);
  std::vector<Tensor> root_grads;
  std::vector<Edge> edges = root_edges(roots, grads, root_grads);
  if (capture::Recorder* r = capture::active()) {
    if (create_graph) fail("backward", "create_graph=True cannot be captured (compile)");
    r->backward();
  }
  Pass pass;
  pass.graph = create_graph;
  pass.run(edges, root_grads);
  if (!retain_graph) pass.release();
  callbacks.run();
}

std::vector<Tensor> grad(const std::vector<Tensor>& roots, const std::vector<Tensor>& grads,
                         const std::vector<Tensor>& inputs, bool retain_graph, bool allow_unused,
                         bool create_graph) {
  EndOfPass callbacks;
  GradModeGuard mode(create_graph);
  std::vector<Tensor> root_grads;
  std::vector<Edge> edges = root_edges(roots, grads, root_grads);
  if (create_graph && capture::active())
    fail("grad", "create_graph=True cannot be captured (compile)");
  Pass pass;
  pass.capture = true;
  pass.graph = create_graph;
  pass.captured.resize(inputs.size());
  std::vector<size_t> first(inputs.size());  // a tensor given twice gets one gradient, twice
  for (size_t i = 0; i < inputs.size(); ++i) {
    const Tensor& t = inputs[i];
    if (!t->requires_grad()) fail("grad", "input ", i, " does not require grad");
    const std::shared_ptr<Node>& fn = t->grad_fn();
    const void* key =
        fn ? static_cast<const void*>(fn.get()) : static_cast<const void*>(t->autograd.get());
    first[i] = pass.input_index.emplace(key, i).first->second;
  }
  pass.run(edges, root_grads);
  for (size_t i = 0; i < inputs.size(); ++i)
    if (first[i] != i) pass.captured[i] = pass.captured[first[i]];
  // Released before the unused-input error, as PyTorch (its engine frees the graph as it runs):
  // a later backward through it raises there too.
  if (!retain_graph) pass.release();
  callbacks.run();
  for (size_t i = 0; i < inputs.size(); ++i)
    if (!pass.captured[i] && !allow_unused)
      fail("grad", "one of the differentiated tensors (input ", i,
           ") appears to not have been used in the graph; set allow_unused=True if this is the "
           "desired behavior");
  return pass.captured;
}

std::vector<Tensor> grad_by_recompute(const std::function<Tensor(const std::vector<Tensor>&)>& f,
                                      const std::vector<Tensor>& inputs, const Tensor& g) {
  GradModeGuard on(true);
  std::vector<Tensor> args(inputs.size()), wrt;
  std::vector<size_t> at;
  for (size_t i = 0; i < inputs.size(); ++i) {
    if (inputs[i] && inputs[i]->requires_grad()) {
      args[i] = alias(inputs[i]);  // a node of its own, at which the pass below stops
      at.push_back(i), wrt.push_back(args[i]);
    } else {
      args[i] = inputs[i];
    }
  }
  std::vector<Tensor> out(inputs.size());
  if (wrt.empty()) return out;
  std::vector<Tensor> r = grad({f(args)}, {g}, wrt, true, true, true);
  for (size_t k = 0; k < at.size(); ++k) out[at[k]] = r[k];
  return out;
}

void tensor_backward(const Tensor& root, const std::vector<Tensor>& grads, bool retain_graph,
                     bool create_graph, bool inputs_given) {
  if (inputs_given) fail("backward", "the inputs= argument is not supported; use autograd.grad");
  backward({root}, grads, retain_graph, create_graph);
}

}  // namespace pyag
