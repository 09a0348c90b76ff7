// Tensor.register_hook and Tensor.register_post_accumulate_grad_hook (autograd/hooks.h), their
// handles, and the Tensor type's garbage-collector support: a hook's closure often captures the
// tensor it is registered on (tensor -> autograd state -> hook -> closure -> tensor), a cycle
// the collector must see to free it.
#include "autograd/hooks.h"

#include "autograd/node.h"
#include "bindings/bindings.h"

namespace pyag {
namespace {

// A strong reference to a Python callable that may be dropped without the GIL (the engine
// copies hook lists while running without it), and that tp_clear can empty.
struct PyRef {
  PyObject* obj;
  explicit PyRef(py::handle h) : obj(h.inc_ref().ptr()) {}
  PyRef(const PyRef&) = delete;
  PyRef& operator=(const PyRef&) = delete;
  ~PyRef() {
    if (!obj || !Py_IsInitialized()) return;
    py::gil_scoped_acquire gil;
    Py_CLEAR(obj);
  }
};

std::string callable_name(py::handle fn) {
  if (py::hasattr(fn, "__name__")) return py::str(fn.attr("__name__"));
  return py::str(py::type::of(fn).attr("__name__"));
}

struct PyGradHook {
  std::shared_ptr<PyRef> ref;
  std::string name;
  Tensor operator()(const Tensor& g) const {
    py::gil_scoped_acquire gil;
    if (!ref->obj) return nullptr;  // cleared by the collector
    py::object r = py::reinterpret_borrow<py::object>(ref->obj)(g);
    if (r.is_none()) return nullptr;
    if (!py::isinstance<TensorImpl>(r))
      fail<TypeError>("backward", "hook '", name, "' returned ",
                      py::str(py::type::of(r).attr("__name__")).cast<std::string>(),
                      "; expected a Tensor or None");
    return r.cast<Tensor>();
  }
};

struct PyPostHook {
  std::shared_ptr<PyRef> ref;
  void operator()(const Tensor& leaf) const {
    py::gil_scoped_acquire gil;
    if (ref->obj) py::reinterpret_borrow<py::object>(ref->obj)(leaf);
  }
};

PyObject* py_of(const GradHookFn& f) {
  const PyGradHook* h = f.target<PyGradHook>();
  return h ? h->ref->obj : nullptr;
}
PyObject* py_of(const PostAccumulateHookFn& f) {
  const PyPostHook* h = f.target<PyPostHook>();
  return h ? h->ref->obj : nullptr;
}

// The hook lists the tensor held by `self` owns alone: its autograd state's when nothing else
// (a graph's edge) holds that state, its grad_fn's when nothing else holds the node. Hooks
// shared with a live graph are not reported: the graph, not this object, keeps them alive.
std::vector<HookList*> owned_hooks(PyObject* self) {
  std::vector<HookList*> out;
  auto* inst = reinterpret_cast<py::detail::instance*>(self);
  // The collector can run between tp_alloc (the object is tracked, zero-filled) and pybind11's
  // allocate_layout: making a subclass's first instance allocates (pybind11 caches the type's
  // info behind a weak reference). Until the layout exists there is nothing to visit, and
  // value_and_holder would read through its null pointers.
  if (!inst->simple_layout && inst->nonsimple.values_and_holders == nullptr) return out;
  py::detail::value_and_holder vh = inst->get_value_and_holder(nullptr, false);
  if (!vh || !vh.holder_constructed()) return out;
  const Tensor& t = vh.holder<Tensor>();
  if (!t || t.use_count() != 1 || !t->autograd || t->autograd.use_count() != 1) return out;
  AutogradMeta& m = *t->autograd;
  if (m.hooks && m.hooks.use_count() == 1) out.push_back(m.hooks.get());
  if (m.grad_fn && m.grad_fn.use_count() == 1 && m.grad_fn->hooks &&
      m.grad_fn->hooks.use_count() == 1)
    out.push_back(m.grad_fn->hooks.get());
  return out;
}

traverseproc base_traverse = nullptr;
inquiry base_clear = nullptr;

int tensor_traverse(PyObject* self, visitproc visit, void* arg) {
  for (HookList* l : owned_hooks(self)) {
    std::lock_guard<std::mutex> lock(l->mu);
    for (const auto& h : l->grad) Py_VISIT(py_of(h.fn));
    for (const auto& h : l->post) Py_VISIT(py_of(h.fn));
  }
  return base_traverse ? base_traverse(self, visit, arg) : 0;
}

int tensor_clear(PyObject* self) {
  for (HookList* l : owned_hooks(self)) {
    std::vector<HookList::Grad> grad;
    std::vector<HookList::Post> post;
    {
      std::lock_guard<std::mutex> lock(l->mu);
      grad.swap(l->grad);
      post.swap(l->post);
    }
    // grad and post die here, with the GIL held (the collector runs with it).
  }
  return base_clear ? base_clear(self) : 0;
}

}  // namespace

void tensor_type_setup(PyHeapTypeObject* heap) {
  auto* type = &heap->ht_type;
  base_traverse = type->tp_traverse;
  base_clear = type->tp_clear;
  type->tp_flags |= Py_TPFLAGS_HAVE_GC;
  type->tp_traverse = tensor_traverse;
  type->tp_clear = tensor_clear;
}

void init_hooks(TensorClass& c, py::module_& m) {
  py::class_<HookHandle>(m, "RemovableHandle", py::module_local(),
                         "What Tensor.register_hook and register_post_accumulate_grad_hook "
                         "return: remove() (or leaving a with block) unregisters the hook.")
      .def("remove", &HookHandle::remove, "Unregisters the hook (again: no effect).")
      .def_property_readonly("id", &HookHandle::id, "The hook's id.")
      .def("__enter__", [](HookHandle& h) -> HookHandle& { return h; })
      .def("__exit__", [](HookHandle& h, py::args) { h.remove(); });

  c.def(
      "register_hook",
      [](const Tensor& t, py::function fn) {
        return register_hook(t, PyGradHook{std::make_shared<PyRef>(fn), callable_name(fn)},
                             callable_name(fn));
      },
      py::arg("hook"),
      "Registers hook(grad) -> Tensor or None, called with the gradient flowing into this "
      "tensor in each backward pass (before it is accumulated into .grad or passed on); a "
      "returned tensor replaces the gradient. Returns a handle whose remove() unregisters it.");
  c.def(
      "register_post_accumulate_grad_hook",
      [](const Tensor& t, py::function fn) {
        return register_post_accumulate_grad_hook(t, PyPostHook{std::make_shared<PyRef>(fn)});
      },
      py::arg("hook"),
      "Registers hook(tensor), called once this leaf's .grad is final in a backward pass "
      "(not by autograd.grad). Returns a handle whose remove() unregisters it.");
}

}  // namespace pyag
