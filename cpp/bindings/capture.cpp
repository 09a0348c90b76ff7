// Capture and replay of a step (issue 14): the C++ side of pyautograd.compile (_compile.py).
#include <pybind11/stl.h>

#include <mutex>
#include <optional>

#include "autograd/grad_mode.h"
#include "bindings/bindings.h"
#include "capture/tape.h"
#include "kernels/elementwise.h"

namespace pyag {
namespace {

using capture::Tape;

std::vector<Tensor> tensors(const py::list& l, const char* what) {
  std::vector<Tensor> r;
  r.reserve(l.size());
  for (py::handle h : l) {
    if (!py::isinstance<TensorImpl>(h))
      fail<TypeError>("compile", what, " must be tensors, got ",
                      py::str(py::type::of(h).attr("__name__")).cast<std::string>());
    r.push_back(h.cast<Tensor>());
  }
  return r;
}

// The guard program of pyautograd.compile (_compile.py builds it; the ops are its _DICT_IS...).
enum GuardOp {
  kDictIs,
  kDictEq,
  kSeqIs,
  kSeqEq,
  kLen,
  kCellIs,
  kCellEq,
  kCellEmpty,
  kAttrIs,
  kDictFloat
};

struct GuardCheck {
  int op;
  py::object container, key, expected;
};

// x == v with the same type, as Python decides it (numbers, strings, None).
bool same_value(PyObject* x, PyObject* v) {
  if (!x || Py_TYPE(x) != Py_TYPE(v)) return false;
  if (x == v) return true;
  const int eq = PyObject_RichCompareBool(x, v, Py_EQ);
  if (eq < 0) PyErr_Clear();
  return eq == 1;
}

// A borrowed item of a dict, or null (no exception set).
PyObject* dict_item(PyObject* d, PyObject* k) {
  if (!PyDict_Check(d)) return nullptr;
  PyObject* x = PyDict_GetItemWithError(d, k);
  if (!x) PyErr_Clear();
  return x;
}

bool check_holds(const GuardCheck& c) {
  PyObject* cont = c.container.ptr();
  PyObject* v = c.expected.ptr();
  switch (c.op) {
    case kDictIs:
      return dict_item(cont, c.key.ptr()) == v;
    case kDictEq:
      return same_value(dict_item(cont, c.key.ptr()), v);
    case kDictFloat: {
      PyObject* x = dict_item(cont, c.key.ptr());
      return x && PyFloat_CheckExact(x);
    }
    case kLen: {
      const Py_ssize_t n = PyObject_Length(cont);
      if (n < 0) PyErr_Clear();
      return n == PyLong_AsSsize_t(v);
    }
    case kSeqIs:
    case kSeqEq: {
      PyObject* x = PySequence_GetItem(cont, PyLong_AsSsize_t(c.key.ptr()));
      if (!x) {
        PyErr_Clear();
        return false;
      }
      const bool ok = c.op == kSeqIs ? x == v : same_value(x, v);
      Py_DECREF(x);
      return ok;
    }
    case kCellIs:
    case kCellEq:
    case kCellEmpty: {
      if (!PyCell_Check(cont)) return false;
      PyObject* x = PyCell_GET(cont);  // borrowed; null when empty
      if (c.op == kCellEmpty) return x == nullptr;
      return c.op == kCellIs ? x == v : same_value(x, v);
    }
    case kAttrIs: {
      PyObject* x = PyObject_GetAttr(cont, c.key.ptr());
      if (!x) {
        PyErr_Clear();
        return false;
      }
      Py_DECREF(x);
      return x == v;
    }
    default:
      return false;
  }
}

class GuardProgram {
 public:
  explicit GuardProgram(const py::list& checks) {
    for (py::handle h : checks) {
      py::tuple t = py::reinterpret_borrow<py::tuple>(h);
      if (t.size() != 4)
        fail<ValueError>("compile", "a guard check is (op, container, key, value)");
      GuardCheck c{t[0].cast<int>(), t[1], t[2], t[3]};
      if (c.op == kLen) c.expected = py::int_(t[3]);
      checks_.push_back(std::move(c));
    }
  }
  bool holds() const {
    for (const GuardCheck& c : checks_)
      if (!check_holds(c)) return false;
    return true;
  }
  size_t size() const { return checks_.size(); }

 private:
  std::vector<GuardCheck> checks_;
};

}  // namespace

void init_capture(py::module_& m) {
  py::class_<GuardProgram>(m, "_GuardProgram", py::module_local(),
                           "pyautograd.compile's Python guards, checked in C++.")
      .def(py::init<const py::list&>(), py::arg("checks"),
           "From (op, container, key, expected) tuples (see pyautograd/_compile.py).")
      .def("holds", &GuardProgram::holds, "True when every check still holds.")
      .def("__len__", &GuardProgram::size, "The number of checks.");
  new py::object(m.attr("_GuardProgram"));
  py::delattr(m, "_GuardProgram");
  m.def(
      "_guard_program", [](const py::list& checks) { return GuardProgram(checks); },
      py::arg("checks"),
      "Builds the C++ form of pyautograd.compile's guard program from (op, container, key, "
      "expected) tuples.");
  m.def(
      "_capture_begin",
      [](const py::list& args, const py::list& candidates) {
        capture::begin(tensors(args, "arguments"), tensors(candidates, "bound tensors"),
                       GradMode::enabled());
      },
      py::arg("args"), py::arg("candidates"),
      "Starts recording the kernel calls of this thread (pyautograd.compile): args are the "
      "step's tensor arguments (rebound at each replay), candidates the tensors it may reach "
      "otherwise (bound by storage and guarded).");
  m.def("_capture_active", &capture::recording,
        "True while this thread records a step for pyautograd.compile.");
  m.def("_capture_abort", &capture::abort,
        "Stops recording without building a tape (the step raised).");
  m.def(
      "_capture_end",
      [](const py::list& outputs, bool exact) {
        return std::shared_ptr<Tape>(capture::finish(tensors(outputs, "outputs"), exact));
      },
      py::arg("outputs"), py::arg("exact") = true,
      "Stops recording and returns the tape of the step; raises when it cannot be replayed. "
      "exact=False applies the fusions that change rounding.");

  py::class_<Tape, std::shared_ptr<Tape>>(m, "_Tape", py::module_local(),
                                          "A captured step: kernel calls on planned buffers.")
      .def(
          "check",
          [](const Tape& t, const py::list& args) {
            if (t.grad_mode != GradMode::enabled()) return std::string("grad mode changed");
            return t.check(tensors(args, "arguments"));
          },
          py::arg("args"), "'' when the guards hold for these arguments, else the reason.")
      .def(
          "run",
          [](Tape& t, const py::list& args,
             const std::vector<std::pair<size_t, double>>& lrs) -> py::object {
            if (t.grad_mode != GradMode::enabled()) return py::str("grad mode changed");
            std::vector<Tensor> a = tensors(args, "arguments");
            for (const auto& [i, lr] : lrs)
              if (i >= t.calls.size() || !t.calls[i].optim)
                fail("compile", "internal: call ", i, " is not an optimizer step");
            std::string why;
            std::vector<Tensor> out;
            {
              // A small step replays faster than the GIL's release and re-acquisition cost.
              constexpr int64_t kReleaseGilWork = 32768;
              std::optional<py::gil_scoped_release> release;
              if (t.stats.work >= kReleaseGilWork) release.emplace();
              std::lock_guard<std::mutex> lock(t.mu);  // one replay of a tape at a time
              why = t.check(a);
              if (why.empty()) {
                for (const auto& [i, lr] : lrs) t.calls[i].optim->h.lr = lr;
                out = t.replay(a);
              }
            }
            if (!why.empty()) return py::str(why);
            return py::cast(out);
          },
          py::arg("args"), py::arg("lrs") = std::vector<std::pair<size_t, double>>{},
          "Checks the guards and replays the step: its outputs (a list of tensors), or the "
          "reason a guard failed (a str). lrs: (call index, lr) of optimizer steps whose "
          "learning rate is patched for this replay.")
      .def(
          "optim_calls",
          [](const Tape& t) {
            py::list r;
            for (size_t i = 0; i < t.calls.size(); ++i) {
              const capture::Call& c = t.calls[i];
              if (!c.optim) continue;
              py::list ptrs;
              for (const OptimParam& p : c.optim->params)
                ptrs.append(reinterpret_cast<uintptr_t>(p.param->data()));
              r.append(py::make_tuple(i, c.optim->h.lr, ptrs));
            }
            return r;
          },
          "The optimizer steps of the tape: (call index, lr, data pointers of the parameters).")
      .def(
          "outputs_of_capture",
          [](const Tape& t, const py::list& outs) {
            std::vector<Tensor> o = tensors(outs, "outputs");
            if (o.size() != t.outputs.size()) fail("compile", "internal: output count");
            for (size_t i = 0; i < o.size(); ++i)
              if (t.outputs[i].copy) {
                Tensor c = empty(o[i]->shape, o[i]->dtype);
                copy_into(c, o[i]);
                o[i] = c;
              }
            return o;
          },
          py::arg("outputs"),
          "The capture call's results as a replay returns them: those in the step's buffers "
          "copied (a later replay overwrites the buffers).")
      .def("dump", &Tape::dump, "The tape, one kernel call a line.")
      .def(
          "stats",
          [](const Tape& t) {
            py::dict d;
            d["records"] = t.stats.records;
            d["planned_buffers"] = t.stats.internal_buffers;
            d["planned_bytes"] = t.stats.planned_bytes;
            d["bound_tensors"] = t.stats.bound;
            d["tape_replays"] = t.stats.replays;
            d["backward_passes"] = t.stats.backward_passes;
            d["fusions"] = t.stats.fusions;
            return d;
          },
          "Counts of the tape: records, planned buffers and bytes, bound tensors, replays.");
  // Reached only through _capture_end: not a name of the module (the stub declares it for
  // type checkers); the type stays alive through this reference, leaked on purpose.
  new py::object(m.attr("_Tape"));
  py::delattr(m, "_Tape");
}

}  // namespace pyag
