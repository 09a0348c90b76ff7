#include "autograd/node.h"

#include <atomic>
#include <string>
#include <utility>

namespace pyag {

namespace {
std::atomic<uint64_t> next_seq{1};
}

std::shared_ptr<SavedTensorHooks>& saved_tensor_hooks() {
  thread_local std::shared_ptr<SavedTensorHooks> hooks;
  return hooks;
}

namespace {
// Unsets this thread's hooks while one of them runs (an op inside pack() saves plainly).
struct HooksOff {
  std::shared_ptr<SavedTensorHooks> was = std::move(saved_tensor_hooks());
  ~HooksOff() { saved_tensor_hooks() = std::move(was); }
};
}  // namespace

SavedTensor::SavedTensor(const Tensor& t)
    : t_(detach(t)), version_(t->storage->version), saved_(true) {
  if (!t->is_view && t->autograd && t->autograd->grad_fn)
    meta_ = t->autograd, fn_ = t->autograd->grad_fn.get();
  if (saved_tensor_hooks()) {
    HooksOff off;
    hooks_ = off.was;
    packed_ = hooks_->pack(t_);
    t_.reset();
  }
}

const Tensor& SavedTensor::unpacked() const {
  if (!packed_) return t_;
  if (!t_) {
    HooksOff off;
    t_ = hooks_->unpack(packed_);
  }
  return t_;
}

void fail_freed(const Node& owner) { fail_freed(owner.name()); }

void fail_freed(const char* op) {
  fail(op,
       "trying to backward through the graph a second time (or to directly access saved "
       "tensors after they have already been freed); saved intermediate values of the graph "
       "are freed when you call .backward() or autograd.grad(); specify retain_graph=True if "
       "you need to backward through the graph a second time");
}

void SavedTensor::check(const Node& owner) const {
  if (hooks_) {  // packed: no version to check
    if (!packed_) fail_freed(owner);
  } else if (saved_ && (!t_ || t_->storage->version != version_)) {
    check(owner.name());  // throws
  }
  if (auto m = meta_.lock(); m && !m->grad_fn && fn_ != &owner)
    fail(owner.name(),
         "trying to use a saved tensor that has been detached in-place, i.e. with .detach_(); "
         "this is not supported, use out-of-place .detach() instead");
}

void SavedTensor::check(const char* op) const {
  if (!saved_) return;
  if (hooks_) {  // packed: no version to check
    if (!packed_) fail_freed(op);
    return;
  }
  if (!t_) fail_freed(op);
  if (t_->storage->version != version_)
    fail(op,
         "one of the variables needed for gradient computation has been modified by an inplace "
         "operation: ",
         describe(t_), " is at version ", t_->storage->version, "; expected version ", version_,
         " instead");
}

const Tensor& SavedTensor::unpack(const Node& owner) const {
  check(owner);
  return unpacked();
}

const Tensor& SavedTensor::unpack(const char* op) const {
  check(op);
  return unpacked();
}

Node::~Node() {
  // Free long chains iteratively: a node that is the last owner of its inputs' nodes hands
  // them to a thread-local stack instead of destroying them recursively.
  thread_local std::vector<std::shared_ptr<Node>> stack;
  thread_local bool draining = false;
  for (Edge& e : next)
    if (e.fn && e.fn.use_count() == 1) stack.push_back(std::move(e.fn));
  if (draining) return;
  draining = true;
  while (!stack.empty()) {
    std::shared_ptr<Node> n = std::move(stack.back());
    stack.pop_back();
    n.reset();
  }
  draining = false;
}

AccumulateTargets& no_targets() {
  struct None final : AccumulateTargets {
    Tensor take(size_t) override { return nullptr; }
  };
  thread_local None none;
  return none;
}

bool needs_grad(std::initializer_list<const Tensor*> inputs) {
  if (!GradMode::enabled()) return false;
  for (const Tensor* t : inputs)
    if ((*t)->requires_grad()) return true;
  return false;
}

namespace {
Tensor with_history(const Tensor& data, const Edge& e) {
  if (!e.valid()) return data;
  Tensor t = detach(data);
  if (e.leaf) {
    t->autograd = e.leaf;  // the leaf itself: its gradient reaches the leaf
  } else {
    t->autograd = std::make_shared<AutogradMeta>();
    t->autograd->requires_grad = true;
    t->autograd->grad_fn = e.fn;
  }
  return t;
}
}  // namespace

Tensor input_history(const Node& owner, size_t i, const Tensor& data) {
  return i < owner.next.size() ? with_history(data, owner.next[i]) : data;
}

Tensor output_history(const std::shared_ptr<Node>& self, const Tensor& data) {
  Edge e;
  e.fn = self;
  return with_history(data, e);
}

namespace {
struct LinearMapBackward : Node {
  std::string label;
  std::function<Tensor(const Tensor&)> adjoint;
  LinearMapBackward(const char* owner, std::function<Tensor(const Tensor&)> a)
      : label(std::string(owner) + "Backward"), adjoint(std::move(a)) {}
  const char* name() const override { return label.c_str(); }
  std::vector<Tensor> apply(const Tensor& gg) override { return {adjoint(gg)}; }
  bool apply_is_differentiable() const override { return true; }
};
}  // namespace

Tensor record_linear(const Tensor& r, const Tensor& g, const char* name,
                     std::function<Tensor(const Tensor&)> adjoint) {
  if (!needs_grad({&g})) return r;
  Tensor out = detach(r);
  attach(std::make_shared<LinearMapBackward>(name, std::move(adjoint)), {&g}, out);
  return out;
}

Tensor record_adjoint_pair(const Tensor& g, const char* name, RawLinear a, RawLinear b) {
  Tensor r = a(g);
  return record_linear(
      r, g, name, [name, a, b](const Tensor& c) { return record_adjoint_pair(c, name, b, a); });
}

Edge edge_of(const Tensor& t) {
  Edge e;
  if (!t->requires_grad()) return e;
  const std::shared_ptr<Node>& fn = t->grad_fn();  // a view's is remade if stale
  if (fn)
    e.fn = fn;
  else if (t->autograd && t->autograd->requires_grad)
    e.leaf = t->autograd;
  else  // a view that requires grad through its base but has no history (made under no_grad)
    return e;
  e.shape = t->shape;
  e.dtype = t->dtype;
  return e;
}

void set_history(TensorImpl& out, const std::shared_ptr<Node>& node) {
  node->seq = next_seq.fetch_add(1, std::memory_order_relaxed);
  AutogradMeta& m = out.meta();
  m.requires_grad = true;
  m.grad_fn = node;
}

namespace {
void finish(const std::shared_ptr<Node>& node, const Tensor& out) { set_history(*out, node); }
}  // namespace

void attach(const std::shared_ptr<Node>& node, std::initializer_list<const Tensor*> inputs,
            const Tensor& out) {
  node->next.reserve(inputs.size());
  for (const Tensor* t : inputs) node->next.push_back(edge_of(*t));
  finish(node, out);
}

void attach(const std::shared_ptr<Node>& node, const std::vector<Tensor>& inputs,
            const Tensor& out) {
  node->next.reserve(inputs.size());
  for (const Tensor& t : inputs) node->next.push_back(edge_of(t));
  finish(node, out);
}

}  // namespace pyag

namespace pyag {

void detach_(const Tensor& t) {
  // PyTorch refuses any view made by a view op (with or without grad): its history is its
  // base's, which an in-place detach cannot cut.
  if (t->is_view)
    fail("detach_", "can't detach views in-place; use detach() instead (", describe(t),
         " is a view)");
  if (!t->autograd) return;
  // The tensor leaves the graph but keeps what it has: .grad, hooks, retain_grad (as PyTorch).
  t->autograd->requires_grad = false;
  t->autograd->grad_fn.reset();
}

}  // namespace pyag

namespace pyag {

void show_grad_fn_as(const Tensor& t, const char* name) {
  if (const std::shared_ptr<Node>& fn = t->grad_fn()) fn->shown = name;
}

}  // namespace pyag
