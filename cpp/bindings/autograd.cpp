// The engine, grad mode, backward nodes and user-defined Functions.
#include <pybind11/stl.h>

#include <cstdio>
#include <set>
#include <string>
#include <unordered_map>

#include "autograd/engine.h"
#include "autograd/node.h"
#include "bindings/bindings.h"
#include "bindings/convert.h"

namespace pyag {
namespace {

// A node whose derivative is a Python Function's static backward(ctx, grad).
struct PyFunctionNode : Node {
  std::string label;
  py::object ctx, backward_fn;
  std::vector<Dims> shapes;
  std::vector<int> arg_of_input;  // forward argument position of each tensor input

  ~PyFunctionNode() override {
    if (!Py_IsInitialized()) {  // interpreter gone (exit): nothing left to decref
      ctx.release();
      backward_fn.release();
      return;
    }
    py::gil_scoped_acquire gil;
    ctx = py::object();
    backward_fn = py::object();
  }
  const char* name() const override { return label.c_str(); }
  bool may_fail() const override { return true; }
  // No check of its own after release: as PyTorch's, a second pass fails only where backward
  // reads ctx.saved_tensors (freed); a Function that saved nothing runs again.
  void release() override {
    py::gil_scoped_acquire gil;
    ctx.attr("_free")();
  }
  std::vector<Tensor> apply(const Tensor& g) override {
    py::gil_scoped_acquire gil;
    return run(g);
  }
  // create_graph=True: backward runs with grad mode on (the engine's), and ctx.saved_tensors
  // gives the forward's inputs and output back with their history, as PyTorch's do.
  std::optional<std::vector<Tensor>> apply_graph(const Tensor& g,
                                                 const std::shared_ptr<Node>& self) override {
    py::gil_scoped_acquire gil;
    if (py::hasattr(backward_fn, "_once_differentiable")) return std::nullopt;
    Node* me = this;
    ctx.attr("_unpack_history") = py::cpp_function([me, self](int role, const Tensor& t) -> Tensor {
      return role >= 0 ? input_history(*me, static_cast<size_t>(role), t) : output_history(self, t);
    });
    struct Reset {
      py::object& ctx;
      ~Reset() { ctx.attr("_unpack_history") = py::none(); }  // no cycle through the node
    } reset{ctx};
    return run(g);
  }
  std::vector<Tensor> run(const Tensor& g) {
    py::object r = backward_fn(ctx, g);
    py::tuple grads = py::isinstance<py::tuple>(r) ? py::tuple(r) : py::make_tuple(r);
    std::vector<Tensor> out(next.size());
    for (size_t i = 0; i < next.size(); ++i) {
      const auto pos = static_cast<size_t>(arg_of_input[i]);
      if (pos >= grads.size() || grads[pos].is_none()) continue;
      if (!py::isinstance<TensorImpl>(grads[pos]))
        fail<TypeError>(label.c_str(), "backward must return tensors or None, got ",
                        py::str(py::type::of(grads[pos]).attr("__name__")).cast<std::string>());
      Tensor gi = grads[pos].cast<Tensor>();
      if (gi->shape != shapes[i] &&
          broadcast_shapes(shapes[i], gi->shape, label.c_str()) != gi->shape)
        fail(label.c_str(), "backward returned a gradient of shape ", shape_str(gi->shape),
             " for input ", pos, " of shape ", shape_str(shapes[i]));
      out[i] = gi;
    }
    return out;
  }
};

// The node of a leaf in next_functions (PyTorch's AccumulateGrad): the engine accumulates into
// the leaf's .grad through the edge itself, so this node exists for Python only.
struct AccumulateGradNode : Node {
  const char* name() const override { return "AccumulateGrad"; }
  std::vector<Tensor> apply(const Tensor&) override {
    fail("AccumulateGrad", "is applied by the engine through the leaf's edge, not called");
  }
};

// PyTorch's grad_fn objects are of one class per node name (type(t.grad_fn).__name__ is
// "MulBackward0", its module builtins): a node reaching Python is given the subclass of Node
// named after it, made once per name (a few hundred at most, kept for the process).
py::object node_type(const char* name) {
  static auto* types = new std::unordered_map<std::string, py::object>();
  auto it = types->find(name);
  if (it != types->end()) return it->second;
  // "builtins.<name>": the class's __module__ is builtins (as PyTorch's); Python 3.11 keeps
  // spec->name as tp_name, so it lives as long as the type (never freed).
  auto* spec_name = new std::string(std::string("builtins.") + name);
  static PyType_Slot slots[] = {{0, nullptr}};
  auto* spec = new PyType_Spec{spec_name->c_str(), 0, 0,
                               Py_TPFLAGS_DEFAULT | Py_TPFLAGS_DISALLOW_INSTANTIATION, slots};
  static py::object base = py::module_::import("pyautograd._core").attr("Node");
  PyObject* t = PyType_FromSpecWithBases(spec, py::make_tuple(base).ptr());
  if (!t) throw py::error_already_set();
  return types->emplace(name, py::reinterpret_steal<py::object>(t)).first->second;
}

// A Python object owned from C++ code that may drop it without the GIL (the engine, a node):
// released with the GIL held (leaked once the interpreter is gone).
std::shared_ptr<py::object> owned_with_gil(py::object o) {
  return std::shared_ptr<py::object>(new py::object(std::move(o)), [](py::object* p) {
    if (!Py_IsInitialized()) {
      p->release();
      delete p;
      return;
    }
    py::gil_scoped_acquire gil;
    delete p;
  });
}

// torch.autograd.graph.saved_tensors_hooks: Python's pack and unpack (node.h SavedTensorHooks).
struct PySavedTensorHooks final : SavedTensorHooks {
  py::object pack_hook, unpack_hook;
  PySavedTensorHooks(py::object p, py::object u)
      : pack_hook(std::move(p)), unpack_hook(std::move(u)) {}
  ~PySavedTensorHooks() override {
    if (!Py_IsInitialized()) {
      pack_hook.release();
      unpack_hook.release();
      return;
    }
    py::gil_scoped_acquire gil;
    pack_hook = py::object();
    unpack_hook = py::object();
  }
  std::shared_ptr<void> pack(const Tensor& t) override {
    py::gil_scoped_acquire gil;
    return owned_with_gil(pack_hook(t));
  }
  Tensor unpack(const std::shared_ptr<void>& packed) override {
    py::gil_scoped_acquire gil;
    py::object r = unpack_hook(*static_cast<py::object*>(packed.get()));
    if (!py::isinstance<TensorImpl>(r))
      throw py::type_error(std::string("Output of saved tensor unpack_hook expected to be a "
                                       "Tensor but got result of type ") +
                           py::str(py::type::of(r).attr("__name__")).cast<std::string>());
    return r.cast<Tensor>();
  }
};

}  // namespace

py::object node_object(const std::shared_ptr<Node>& n) {
  if (!n) return py::none();
  py::object o = py::cast(n);
  py::object type = node_type(n->shown_name());
  if (py::handle(reinterpret_cast<PyObject*>(Py_TYPE(o.ptr()))).ptr() != type.ptr())
    py::setattr(o, "__class__", type);
  return o;
}

namespace {

// Tensors from one tensor or a sequence of them; None entries only where allowed (gradients).
std::vector<Tensor> tensor_list(py::handle h, const char* op, bool none_ok) {
  std::vector<Tensor> v;
  if (py::isinstance<TensorImpl>(h)) {
    v.push_back(h.cast<Tensor>());
    return v;
  }
  if (h.is_none()) return v;
  if (!py::isinstance<py::iterable>(h) || py::isinstance<py::str>(h))
    fail<TypeError>(op, "expected a tensor or a sequence of tensors, got ",
                    py::str(py::type::of(h).attr("__name__")).cast<std::string>());
  for (py::handle x : h) {
    if (x.is_none() && none_ok) {
      v.push_back(nullptr);
      continue;
    }
    if (!py::isinstance<TensorImpl>(x))
      fail<TypeError>(op, "expected tensors, got ",
                      py::str(py::type::of(x).attr("__name__")).cast<std::string>());
    v.push_back(x.cast<Tensor>());
  }
  return v;
}

}  // namespace

void init_autograd(py::module_& m) {
  py::class_<Node, std::shared_ptr<Node>>(
      m, "Node", py::module_local(),
      "A backward node (Tensor.grad_fn), of the class named after it (MulBackward0).")
      .def(
          "name", [](const Node& n) { return n.shown_name(); },
          "PyTorch's name of the node (AddmmBackward0).")
      .def_property_readonly(
          "next_functions",
          [](const Node& n) {
            py::list l;
            for (const Edge& e : n.next) {
              if (e.fn)
                l.append(py::make_tuple(node_object(e.fn), 0));
              else if (e.leaf)  // a leaf that requires grad: its AccumulateGrad
                l.append(py::make_tuple(node_object(std::make_shared<AccumulateGradNode>()), 0));
              else
                l.append(py::make_tuple(py::none(), 0));
            }
            return py::tuple(l);
          },
          "((node, 0), ...) for each input: its grad_fn, AccumulateGrad for a leaf that requires "
          "grad, None for an input that does not.")
      .def("__repr__", [](py::handle self) {
        char addr[32];
        std::snprintf(addr, sizeof addr, "%p", static_cast<void*>(self.ptr()));
        return "<" + std::string(self.cast<const Node&>().shown_name()) + " object at " + addr +
               ">";
      });

  m.def(
      "is_grad_enabled", []() { return GradMode::enabled(); },
      "Whether gradient recording is on for this thread.");
  m.def(
      "_set_grad_enabled", [](bool on) { GradMode::set(on); },
      "Turns gradient recording on or off for this thread.");

  m.def(
      "_backward",
      [](py::handle tensors, py::handle grads, bool retain_graph, bool create_graph) {
        std::vector<Tensor> roots = tensor_list(tensors, "backward", false);
        std::vector<Tensor> gs = tensor_list(grads, "backward", true);
        py::gil_scoped_release release;
        backward(roots, gs, retain_graph, create_graph);
      },
      "Runs backward from tensors with the given gradients (autograd.backward).");
  m.def(
      "_grad",
      [](py::handle outputs, py::handle inputs, py::handle grad_outputs, bool retain_graph,
         bool allow_unused, bool create_graph) {
        std::vector<Tensor> roots = tensor_list(outputs, "grad", false);
        std::vector<Tensor> ins = tensor_list(inputs, "grad", false);
        std::vector<Tensor> gs = tensor_list(grad_outputs, "grad", true);
        std::vector<Tensor> r;
        {
          py::gil_scoped_release release;
          r = grad(roots, gs, ins, retain_graph, allow_unused, create_graph);
        }
        py::tuple out(r.size());
        for (size_t i = 0; i < r.size(); ++i) out[i] = r[i] ? py::cast(r[i]) : py::none();
        return out;
      },
      "The gradients of outputs with respect to inputs, without touching any .grad "
      "(autograd.grad).");

  // Records a Python Function's node for `output` (computed under no_grad) when needed.
  m.def(
      "_record_function",
      [](const std::string& name, py::object ctx, py::object backward_fn, py::tuple args,
         const Tensor& output) {
        std::vector<Tensor> inputs;
        std::vector<int> pos;
        for (size_t i = 0; i < args.size(); ++i)
          if (py::isinstance<TensorImpl>(args[i])) {
            inputs.push_back(args[i].cast<Tensor>());
            pos.push_back(static_cast<int>(i));
          }
        bool any = false;
        for (const Tensor& t : inputs) any = any || t->requires_grad();
        if (!any || !GradMode::enabled()) return;
        auto node = std::make_shared<PyFunctionNode>();
        node->label = name;
        node->ctx = ctx;
        node->backward_fn = backward_fn;
        node->arg_of_input = pos;
        for (const Tensor& t : inputs) node->shapes.push_back(t->shape);
        attach(node, inputs, output);
      },
      "Records the backward node of a Python autograd.Function for output, when an input requires "
      "grad.");
  m.def(
      "_show_grad_fn_as",
      [](const Tensor& t, const std::string& name) {
        static auto* names = new std::set<std::string>();  // kept: nodes point into it
        show_grad_fn_as(t, names->insert(name).first->c_str());
        return t;
      },
      "Shows tensor's grad_fn as `name` (the node PyTorch's op records, for an op composed of "
      "others here); returns the tensor.",
      py::arg("tensor"), py::arg("name"));
  m.def(
      "_version", [](const Tensor& t) { return t->storage->version; },
      "The version counter of the tensor's storage (bumped by each in-place change).");
  // A Function's ctx.save_for_backward (pyautograd/autograd.py FunctionCtx): the core's saved
  // tensor, so that Functions and built-in nodes check versions and freeing in one place. The
  // class is reached through _save_tensor only (not a module attribute).
  py::class_<SavedTensor>(m, "_SavedTensor", py::module_local(),
                          "A tensor saved for backward with its version (FunctionCtx).")
      .def(
          "unpack",
          [](const SavedTensor& s, const std::string& op) { return s.unpack(op.c_str()); },
          "The saved tensor (detached); raises RuntimeError naming `op` when it was freed or "
          "modified in place since it was saved.",
          py::arg("op"))
      .def("free", &SavedTensor::reset,
           "Drops the tensor (after a backward pass without retain_graph).");
  new py::object(m.attr("_SavedTensor"));  // the type outlives its module attribute (leaked)
  py::delattr(m, "_SavedTensor");
  m.def(
      "_queue_callback",
      [](py::object fn) {
        std::shared_ptr<py::object> f = owned_with_gil(std::move(fn));
        if (!queue_end_of_pass([f] {
              py::gil_scoped_acquire gil;
              (*f)();
            }))
          throw std::runtime_error("Final callbacks can only be installed during backward pass.");
      },
      "Variable._execution_engine.queue_callback: calls `callback` when the backward pass "
      "running on this thread ends.",
      py::arg("callback"));
  m.def(
      "_set_saved_tensors_hooks",
      [](py::object pack, py::object unpack) {
        if (pack.is_none())
          saved_tensor_hooks().reset();
        else
          saved_tensor_hooks() = std::make_shared<PySavedTensorHooks>(pack, unpack);
      },
      "Sets this thread's saved-tensor hooks (None: unsets them); autograd.graph keeps the "
      "stack of saved_tensors_hooks contexts.",
      py::arg("pack_hook"), py::arg("unpack_hook"));
  m.def(
      "_save_tensor", [](const Tensor& t) { return SavedTensor(t); },
      "Saves `tensor` for backward (ctx.save_for_backward): a detached alias and its version.",
      py::arg("tensor"));
}

}  // namespace pyag
