// Gradient hooks (PyTorch's Tensor.register_hook and register_post_accumulate_grad_hook).
// A leaf's hooks live in its autograd state; a non-leaf's on its grad_fn, so that they fire
// even once the tensor itself is gone (as PyTorch's do). The engine runs them: grad hooks on the
// gradient summed for this pass, in registration order, each seeing the previous one's result,
// before it is accumulated into .grad, passed on to grad_fn, retained or captured; post-
// accumulate hooks once a leaf's .grad is final for this backward pass.
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "tensor/tensor.h"

namespace pyag {

// Returns the new gradient, or an empty tensor to keep it.
using GradHookFn = std::function<Tensor(const Tensor& grad)>;
// Receives the leaf whose .grad is final.
using PostAccumulateHookFn = std::function<void(const Tensor& leaf)>;

struct HookList {
  struct Grad {
    uint64_t id;
    std::string name;  // for errors: "hook 'name' has changed the size of value"
    GradHookFn fn;
  };
  struct Post {
    uint64_t id;
    PostAccumulateHookFn fn;
  };
  std::mutex mu;
  std::vector<Grad> grad;
  std::vector<Post> post;
  std::weak_ptr<TensorImpl> leaf;  // what post-accumulate hooks receive

  bool has_grad_hooks() {
    std::lock_guard<std::mutex> lock(mu);
    return !grad.empty();
  }
  bool empty() {
    std::lock_guard<std::mutex> lock(mu);
    return grad.empty() && post.empty();
  }
};

// What register_*hook returns: remove() unregisters the hook (again: no effect).
class HookHandle {
 public:
  HookHandle() = default;
  HookHandle(std::weak_ptr<HookList> list, uint64_t id) : list_(std::move(list)), id_(id) {}
  void remove();
  uint64_t id() const { return id_; }

 private:
  std::weak_ptr<HookList> list_;
  uint64_t id_ = 0;
};

// Errors as PyTorch's: the tensor must require grad.
HookHandle register_hook(const Tensor& t, GradHookFn fn, std::string name = "hook");
// Leaves only (a non-leaf is an error, as in PyTorch).
HookHandle register_post_accumulate_grad_hook(const Tensor& t, PostAccumulateHookFn fn);

// The engine's side: runs `hooks`' grad hooks on g (checking that each keeps its shape and
// dtype) and returns the result.
Tensor run_grad_hooks(HookList& hooks, Tensor g);
// Runs the post-accumulate hooks of a leaf (no-op when the tensor is gone).
void run_post_hooks(HookList& hooks);

}  // namespace pyag
