#include "autograd/hooks.h"

#include <atomic>

#include "autograd/node.h"
#include "capture/hooks.h"

namespace pyag {
namespace {

std::atomic<uint64_t> next_hook_id{1};

std::shared_ptr<HookList>& ensure(std::shared_ptr<HookList>& slot) {
  if (!slot) slot = std::make_shared<HookList>();
  return slot;
}

}  // namespace

void HookHandle::remove() {
  std::shared_ptr<HookList> l = list_.lock();
  if (!l) return;
  std::lock_guard<std::mutex> lock(l->mu);
  for (auto it = l->grad.begin(); it != l->grad.end(); ++it)
    if (it->id == id_) {
      l->grad.erase(it);
      return;
    }
  for (auto it = l->post.begin(); it != l->post.end(); ++it)
    if (it->id == id_) {
      l->post.erase(it);
      return;
    }
}

HookHandle register_hook(const Tensor& t, GradHookFn fn, std::string name) {
  if (!t->requires_grad())
    fail("register_hook", "cannot register a hook on a tensor that doesn't require gradient");
  const std::shared_ptr<Node>& node = t->grad_fn();  // a view's is remade if stale
  std::shared_ptr<HookList>& l = ensure(node ? node->hooks : t->meta().hooks);
  const uint64_t id = next_hook_id.fetch_add(1, std::memory_order_relaxed);
  std::lock_guard<std::mutex> lock(l->mu);
  l->grad.push_back({id, std::move(name), std::move(fn)});
  return HookHandle(l, id);
}

HookHandle register_post_accumulate_grad_hook(const Tensor& t, PostAccumulateHookFn fn) {
  if (!t->requires_grad())
    fail("register_post_accumulate_grad_hook",
         "cannot register a hook on a tensor that doesn't require gradient");
  if (!t->is_leaf())
    fail("register_post_accumulate_grad_hook",
         "post accumulate grad hooks cannot be registered on non-leaf tensors");
  std::shared_ptr<HookList>& l = ensure(t->meta().hooks);
  const uint64_t id = next_hook_id.fetch_add(1, std::memory_order_relaxed);
  std::lock_guard<std::mutex> lock(l->mu);
  l->leaf = t;
  l->post.push_back({id, std::move(fn)});
  return HookHandle(l, id);
}

Tensor run_grad_hooks(HookList& hooks, Tensor g) {
  std::vector<HookList::Grad> list;  // a copy: a hook may remove itself or add others
  {
    std::lock_guard<std::mutex> lock(hooks.mu);
    list = hooks.grad;
  }
  if (!list.empty())
    capture::refuse("a gradient hook (register_hook)", "replay runs no Python; remove the hook");
  for (const HookList::Grad& h : list) {
    Tensor r = h.fn(g);
    if (!r) continue;
    if (r->shape != g->shape)
      fail("backward", "hook '", h.name, "' has changed the size of value (was ",
           shape_str(g->shape), " got ", shape_str(r->shape), ")");
    if (r->dtype != g->dtype)
      fail("backward", "hook '", h.name, "' has changed the type of value (was ",
           dtype_name(g->dtype), " got ", dtype_name(r->dtype), ")");
    g = std::move(r);
  }
  return g;
}

void run_post_hooks(HookList& hooks) {
  std::vector<HookList::Post> list;
  Tensor leaf;
  {
    std::lock_guard<std::mutex> lock(hooks.mu);
    list = hooks.post;
    leaf = hooks.leaf.lock();
  }
  if (!leaf) return;
  if (!list.empty())
    capture::refuse("a post-accumulate-grad hook", "replay runs no Python; remove the hook");
  for (const HookList::Post& h : list) h.fn(leaf);
}

}  // namespace pyag
