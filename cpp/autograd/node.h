// Backward nodes. A node is created by an op whose inputs require grad; it holds one edge per
// input (to the input's node, or to the leaf's autograd state) and a rising sequence number,
// so that creation order is a valid reverse topological order for the engine.
#pragma once
#include <functional>
#include <initializer_list>
#include <memory>
#include <optional>
#include <vector>

#include "autograd/grad_mode.h"
#include "tensor/tensor.h"

namespace pyag {

struct Edge {
  std::shared_ptr<Node> fn;            // the input's node, or
  std::shared_ptr<AutogradMeta> leaf;  // the leaf whose .grad receives the gradient
  Dims shape;                          // the input's shape: gradients are summed back to it
  DType dtype = DType::Float32;
  bool valid() const { return fn || leaf; }
};

// torch.autograd.graph.saved_tensors_hooks (bindings/autograd.cpp): while a pair of hooks is
// set on this thread, a tensor saved for backward is given to pack() and only what it returned
// is kept; backward gives that to unpack() for the tensor. Unset (the usual case) it costs one
// thread-local load per saved tensor. The hooks are not set while they run.
struct SavedTensorHooks {
  virtual ~SavedTensorHooks() = default;
  virtual std::shared_ptr<void> pack(const Tensor& t) = 0;
  virtual Tensor unpack(const std::shared_ptr<void>& packed) = 0;
};
std::shared_ptr<SavedTensorHooks>& saved_tensor_hooks();  // this thread's (null: none)

// A tensor saved for backward, without its autograd state (no cycles through the graph), with
// the version it had when saved so that a later in-place change is detected (not when packed
// by hooks: PyTorch's saved tensors with hooks are not version-checked either).
class SavedTensor {
 public:
  SavedTensor() = default;
  explicit SavedTensor(const Tensor& t);
  const Tensor& unpack(const Node& owner) const;  // throws if freed or modified in place
  void check(const Node& owner) const;
  // The same for a user-defined Function's ctx.saved_tensors (bindings/autograd.cpp), whose
  // node does not exist yet when it saves: `op` names it in the error.
  const Tensor& unpack(const char* op) const;
  void check(const char* op) const;
  void reset() {
    t_.reset();
    packed_.reset();
  }
  bool was_saved() const { return saved_; }

 private:
  const Tensor& unpacked() const;            // t_, or (packed) what the unpack hook gives
  mutable Tensor t_;                         // (filled from packed_ at the first unpack)
  std::shared_ptr<void> packed_;             // what the pack hook returned (t_ then empty)
  std::shared_ptr<SavedTensorHooks> hooks_;  // the hooks that packed it
  uint64_t version_ = 0;
  bool saved_ = false;
  // A non-leaf saved by an op that took it as an input: its autograd state and history then.
  // detach_() of it before backward is PyTorch's "saved tensor that has been detached in-place"
  // error (an op's own output, saved by its node, may be detached).
  std::weak_ptr<AutogradMeta> meta_;
  const Node* fn_ = nullptr;  // identity only (the owner's own output), never dereferenced
};

// What the engine offers a node as it runs it: for an input that is a leaf whose .grad exists
// and matches (shape, dtype, dense), in a pass that writes .grad (not autograd.grad, no hook
// on that leaf), the .grad buffer itself, into which the node may accumulate its gradient
// (GEMM with beta = 1) instead of returning it. The engine bumps the version and records the
// delivery; the node returns an empty tensor for that input.
class AccumulateTargets {
 public:
  virtual Tensor take(size_t input) = 0;  // empty where not offered

 protected:
  ~AccumulateTargets() = default;
};

// Throws PyTorch's "backward through the graph a second time" error for `owner`: for nodes
// that keep, as numbers, values PyTorch saves as tensors (a Python scalar operand) and so raise
// there on a second pass after release.
[[noreturn]] void fail_freed(const Node& owner);
[[noreturn]] void fail_freed(const char* op);  // the same, naming op (a Function's ctx)

struct Node {
  uint64_t seq = 0;
  std::vector<Edge> next;
  std::weak_ptr<AutogradMeta> retained;  // the output's state when it called retain_grad()
  std::shared_ptr<HookList> hooks;       // register_hook on the output (autograd/hooks.h)
  // The name Python shows (grad_fn.name(), the tensor's repr) when it is not name(): the node
  // PyTorch's op ends with, for an op made of several here (var: VarBackward0). Static storage.
  const char* shown = nullptr;

  Node() = default;
  Node(const Node&) = delete;
  Node& operator=(const Node&) = delete;
  virtual ~Node();
  virtual const char* name() const = 0;
  const char* shown_name() const { return shown ? shown : name(); }
  // Gradients for each input (an empty Tensor where none is needed or it was delivered
  // directly); the engine sums them back to each input's shape.
  virtual std::vector<Tensor> apply(const Tensor& grad) = 0;
  // What the engine calls: nodes that can accumulate into a leaf's .grad override it.
  virtual std::vector<Tensor> apply(const Tensor& grad, AccumulateTargets& targets) {
    (void)targets;
    return apply(grad);
  }
  // Frees saved tensors after a backward without retain_graph.
  virtual void release() {}
  // Throws if a saved tensor was freed or modified in place.
  virtual void check() const {}
  // Whether apply() can throw after check() passed (user code: a Python Function).
  virtual bool may_fail() const { return false; }
  // create_graph=True (higher-order gradients): the gradients as differentiable ops, run with
  // grad mode on, on g and on the saved tensors given their history back (input_history,
  // output_history; `self` is this node). A node without this form either declares that
  // apply() is already made of differentiable ops of g and of saved values it reads only
  // through masks or indices (apply_is_differentiable), or gets the engine's fallback: apply()
  // without grad, its results given a node that raises if a second backward reaches it.
  virtual std::optional<std::vector<Tensor>> apply_graph(const Tensor& g,
                                                         const std::shared_ptr<Node>& self) {
    (void)g, (void)self;
    return std::nullopt;
  }
  virtual bool apply_is_differentiable() const { return false; }
  bool needs(size_t i) const { return i < next.size() && next[i].valid(); }
};

// A saved tensor with its history given back, for apply_graph: `data` (the saved value of the
// owner's input i) as a tensor whose history is the one that input had when the op ran (its
// edge), or (output_history) the owner's own output, whose history is the owner itself.
Tensor input_history(const Node& owner, size_t i, const Tensor& data);
Tensor output_history(const std::shared_ptr<Node>& self, const Tensor& data);

// create_graph=True for a node whose gradient r is a linear map L of g alone (its saved values
// are indices or masks): r, computed as apply() does, is recorded as the result of a node
// whose backward is L's adjoint, given as differentiable ops (the forward op itself: slicing
// for the scatter of a slice's gradient). Returns r (a new handle when recorded).
Tensor record_linear(const Tensor& r, const Tensor& g, const char* name,
                     std::function<Tensor(const Tensor&)> adjoint);

// The same for a pair of raw linear maps that are each other's adjoints (a scatter and a
// gather, a pooling and its gradient): a(g), recorded with b as its backward, which is itself
// recorded with a, at any order.
using RawLinear = std::function<Tensor(const Tensor&)>;
Tensor record_adjoint_pair(const Tensor& g, const char* name, RawLinear a, RawLinear b);

// True when grad mode is on and any input requires grad.
bool needs_grad(std::initializer_list<const Tensor*> inputs);
Edge edge_of(const Tensor& t);
// Gives `node` its sequence number and edges, and makes it the grad_fn of `out`.
void attach(const std::shared_ptr<Node>& node, std::initializer_list<const Tensor*> inputs,
            const Tensor& out);
void attach(const std::shared_ptr<Node>& node, const std::vector<Tensor>& inputs,
            const Tensor& out);
// Gives `node` (edges already set) its sequence number and makes it the grad_fn of `out`.
void set_history(TensorImpl& out, const std::shared_ptr<Node>& node);

// Records a node of type N for out (when needed) and returns it for the op to fill in.
template <class N, class... Args>
std::shared_ptr<N> record(std::initializer_list<const Tensor*> inputs, const Tensor& out,
                          Args&&... args) {
  if (!needs_grad(inputs)) return nullptr;
  auto n = std::make_shared<N>(std::forward<Args>(args)...);
  attach(n, inputs, out);
  return n;
}

// Shows t's grad_fn (if any) as `name` (a string with static storage): for an op composed of
// others, the name of the node PyTorch's op records.
void show_grad_fn_as(const Tensor& t, const char* name);

// Tensor.detach_(): the tensor stops requiring grad and loses its history, keeping its .grad
// (PyTorch's rules; a view is refused).
void detach_(const Tensor& t);

// Offers nothing: apply(g) of a node that overrides apply(g, targets).
AccumulateTargets& no_targets();

}  // namespace pyag
