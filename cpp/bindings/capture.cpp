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

// kAttrIs on a function's __code__, __defaults__ or __kwdefaults__: read from the function
// itself (PyObject_GetAttr's way costs a type lookup, and an audit event for __code__).
enum FunctionField { kNotFunction, kCode, kDefaults, kKwDefaults };

struct GuardCheck {
  int op;
  py::object container, key, expected;
  FunctionField field = kNotFunction;
  // A dict check's container version when it last held (0: not yet). CPython gives a dict a
  // new, globally unique version at each change (PEP 509), so an unchanged version means the
  // same item, and the check holds again without the lookup. The field is deprecated from
  // Python 3.12: there, every check looks up.
  mutable uint64_t dict_version = 0;
};

// The version of dict d (PEP 509), or 0 when it is not available.
inline uint64_t dict_version(PyObject* d) {
#if PY_VERSION_HEX < 0x030C0000
  return reinterpret_cast<PyDictObject*>(d)->ma_version_tag;
#else
  (void)d;
  return 0;
#endif
}

bool dict_check_holds(const GuardCheck& c);

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
    case kDictEq:
    case kDictFloat: {
      if (!PyDict_Check(cont)) return false;
      const uint64_t version = dict_version(cont);
      if (version && version == c.dict_version) return true;
      const bool ok = dict_check_holds(c);
      c.dict_version = ok ? version : 0;
      return ok;
    }
    default:
      break;
  }
  switch (c.op) {
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
      switch (c.field) {
        case kCode:
          return PyFunction_GET_CODE(cont) == v;
        case kDefaults:
          return (PyFunction_GET_DEFAULTS(cont) ? PyFunction_GET_DEFAULTS(cont) : Py_None) == v;
        case kKwDefaults:
          return (PyFunction_GET_KW_DEFAULTS(cont) ? PyFunction_GET_KW_DEFAULTS(cont) : Py_None) ==
                 v;
        case kNotFunction:
          break;
      }
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

bool dict_check_holds(const GuardCheck& c) {
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
      if (c.op == kAttrIs && PyFunction_Check(c.container.ptr()) && PyUnicode_Check(c.key.ptr())) {
        const std::string k = c.key.cast<std::string>();
        c.field = k == "__code__"         ? kCode
                  : k == "__defaults__"   ? kDefaults
                  : k == "__kwdefaults__" ? kKwDefaults
                                          : kNotFunction;
      }
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

// Checks the guards of a tape and replays it (the GIL released around a large step): "" and the
// outputs, or the reason a guard failed. lrs: (call index, lr) of optimizer steps to patch.
std::string check_and_replay(Tape& t, const std::vector<Tensor>& a,
                             const std::vector<std::pair<size_t, double>>& lrs,
                             std::vector<Tensor>& out, const Tensor* reuse = nullptr) {
  if (t.grad_mode != GradMode::enabled()) return "grad mode changed";
  // A small step replays faster than the GIL's release and re-acquisition cost.
  constexpr int64_t kReleaseGilWork = 32768;
  std::optional<py::gil_scoped_release> release;
  if (t.stats.work >= kReleaseGilWork) release.emplace();
  std::lock_guard<std::mutex> lock(t.mu);  // one replay of a tape at a time
  std::string why = t.check(a);
  if (why.empty()) {
    for (const auto& [i, lr] : lrs) t.calls[i].optim->h.lr = lr;
    out = t.replay(a, reuse);
  }
  return why;
}

// The fast path of a compiled step's call (CompiledStep.__call__ in _compile.py) for its most
// recent tape when the arguments are positional tensors: the Python guards, the tape's guards
// and the replay in one C++ call. Returns None whenever anything does not hold (the arguments'
// structure, a guard, grad mode, a recording in progress): the Python path then decides, with
// the reason, exactly as it would have without this one.
class FastReplay {
 public:
  FastReplay(std::shared_ptr<Tape> tape, py::object program, const py::list& lrs, size_t nargs,
             bool single)
      : tape_(std::move(tape)),
        program_obj_(std::move(program)),
        program_(program_obj_.cast<const GuardProgram*>()),
        nargs_(nargs),
        single_(single) {
    for (py::handle h : lrs) {
      py::tuple t = py::reinterpret_borrow<py::tuple>(h);
      const size_t i = t[0].cast<size_t>();
      if (i >= tape_->calls.size() || !tape_->calls[i].optim)
        fail("compile", "internal: call ", i, " is not an optimizer step");
      lr_calls_.push_back(i);
      groups_.push_back(py::reinterpret_borrow<py::object>(t[1]));
    }
  }

  py::object call(const py::tuple& args) {
    if (capture::recording() || args.size() != nargs_) return py::none();
    std::vector<Tensor> a;
    a.reserve(nargs_);
    static PyTypeObject* tensor_type =
        reinterpret_cast<PyTypeObject*>(py::type::of<TensorImpl>().ptr());
    for (py::handle h : args) {
      if (!PyObject_TypeCheck(h.ptr(), tensor_type)) return py::none();
      auto vh = reinterpret_cast<py::detail::instance*>(h.ptr())->get_value_and_holder();
      if (!vh.holder_constructed()) return py::none();
      a.push_back(vh.holder<Tensor>());
    }
    if (!program_->holds()) return py::none();
    lrs_.clear();
    static PyObject* lr_key = PyUnicode_InternFromString("lr");
    for (size_t j = 0; j < lr_calls_.size(); ++j) {
      PyObject* x = dict_item(groups_[j].ptr(), lr_key);
      if (!x || !PyFloat_CheckExact(x)) return py::none();
      lrs_.emplace_back(lr_calls_[j], PyFloat_AS_DOUBLE(x));
    }
    std::vector<Tensor> out;
    const Tensor* reuse = single_ ? recyclable() : nullptr;
    if (!check_and_replay(*tape_, a, lrs_, out, reuse).empty()) return py::none();
    ++hits_;
    if (!single_) return py::cast(out);
    if (reuse && out[0] == *reuse) return last_;  // the caller's dropped result, refilled
    last_ = py::cast(out[0]);
    return last_;
  }
  int64_t hits() const { return hits_; }
  bool single() const { return single_; }

 private:
  // The tensor of the result this path returned last, when nothing but this path references
  // it any more (the caller dropped it: no other Python reference, weak reference or
  // attribute; no other C++ owner of the tensor or its storage, no autograd state, not a
  // view): the next replay writes its result there instead of making a new tensor and a new
  // Python object (to the caller, the same as a fresh tensor). Else null.
  const Tensor* recyclable() const {
    PyObject* o = last_.ptr();
    if (!o || Py_REFCNT(o) != 1) return nullptr;
    PyTypeObject* tp = Py_TYPE(o);
    if (tp->tp_weaklistoffset < 0 || tp->tp_dictoffset < 0) return nullptr;
    auto slot = [o](Py_ssize_t off) {
      return off > 0 ? *reinterpret_cast<PyObject**>(reinterpret_cast<char*>(o) + off) : nullptr;
    };
    if (slot(tp->tp_weaklistoffset)) return nullptr;
    if (PyObject* d = slot(tp->tp_dictoffset); d && (!PyDict_Check(d) || PyDict_GET_SIZE(d)))
      return nullptr;
    auto vh = reinterpret_cast<py::detail::instance*>(o)->get_value_and_holder();
    if (!vh.holder_constructed()) return nullptr;
    const Tensor& t = vh.holder<Tensor>();
    if (!t || t.use_count() != 1 || t->autograd || t->is_view || t->view.base ||
        t->storage.use_count() != 1 || t->storage->external)
      return nullptr;
    return &t;
  }

  std::shared_ptr<Tape> tape_;
  py::object program_obj_;
  const GuardProgram* program_;
  size_t nargs_;
  bool single_;
  std::vector<size_t> lr_calls_;
  std::vector<py::object> groups_;  // the param groups whose "lr" is patched
  std::vector<std::pair<size_t, double>> lrs_;
  int64_t hits_ = 0;
  py::object last_;  // the single result returned last (see recyclable)
};

// pyautograd.compile's CompiledStep derives this type: its call slot runs the fast path of the
// step's latest tape (FastReplay, set as _fast_replay) straight from CPython's call, without a
// Python frame or pybind11's dispatcher; anything else (keyword arguments, no fast path, a guard
// that does not hold) goes to the Python method _call(args, kwargs).
struct CompiledBase {
  PyObject_HEAD;
  PyObject* fast_obj;  // the _FastReplay, or null
  FastReplay* fast;
};

PyObject* compiled_call(PyObject* self, PyObject* args, PyObject* kwargs) noexcept {
  auto* o = reinterpret_cast<CompiledBase*>(self);
  if (o->fast && (!kwargs || PyDict_GET_SIZE(kwargs) == 0)) {
    PyObject* keep = Py_NewRef(o->fast_obj);  // the step may replace its fast path meanwhile
    PyObject* r = nullptr;
    bool single = false;
    try {
      FastReplay* f = o->fast;
      single = f->single();
      r = f->call(py::reinterpret_borrow<py::tuple>(args)).release().ptr();
    } catch (...) {
      set_python_error(std::current_exception());
    }
    Py_DECREF(keep);
    if (!r) return nullptr;
    if (r != Py_None) {
      if (single) return r;
      static PyObject* unflatten = PyUnicode_InternFromString("_unflatten_fast");
      PyObject* res = PyObject_CallMethodOneArg(self, unflatten, r);
      Py_DECREF(r);
      return res;
    }
    Py_DECREF(r);
  }
  static PyObject* slow = PyUnicode_InternFromString("_call");
  PyObject* kw = kwargs ? Py_NewRef(kwargs) : PyDict_New();
  if (!kw) return nullptr;
  PyObject* res = PyObject_CallMethodObjArgs(self, slow, args, kw, nullptr);
  Py_DECREF(kw);
  return res;
}

void compiled_dealloc(PyObject* self) {
  Py_CLEAR(reinterpret_cast<CompiledBase*>(self)->fast_obj);
  Py_TYPE(self)->tp_free(self);
}

PyObject* get_fast(PyObject* self, void*) {
  PyObject* f = reinterpret_cast<CompiledBase*>(self)->fast_obj;
  return Py_NewRef(f ? f : Py_None);
}

int set_fast(PyObject* self, PyObject* value, void*) {
  auto* o = reinterpret_cast<CompiledBase*>(self);
  FastReplay* f = nullptr;
  if (value && value != Py_None) {
    if (!py::isinstance<FastReplay>(value)) {
      PyErr_SetString(PyExc_TypeError, "[compile] _fast_replay must be a _FastReplay or None");
      return -1;
    }
    f = py::handle(value).cast<FastReplay*>();
  }
  PyObject* old = o->fast_obj;
  o->fast_obj = f ? Py_NewRef(value) : nullptr;
  o->fast = f;
  Py_XDECREF(old);
  return 0;
}

PyGetSetDef compiled_getsets[] = {
    {"_fast_replay", get_fast, set_fast,
     "The fast path of the latest tape (a _FastReplay), or None: calls go to _call.", nullptr},
    {nullptr, nullptr, nullptr, nullptr, nullptr}};

PyType_Slot compiled_slots[] = {
    {Py_tp_doc, const_cast<char*>("The base of pyautograd.compile's CompiledStep: its call runs "
                                  "the latest tape's fast path in C++, else _call(args, kwargs).")},
    {Py_tp_call, reinterpret_cast<void*>(compiled_call)},
    {Py_tp_dealloc, reinterpret_cast<void*>(compiled_dealloc)},
    {Py_tp_getset, compiled_getsets},
    {Py_tp_new, reinterpret_cast<void*>(PyType_GenericNew)},
    {0, nullptr}};

PyType_Spec compiled_spec = {"pyautograd._core._CompiledBase", sizeof(CompiledBase), 0,
                             Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE, compiled_slots};

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
            std::vector<Tensor> a = tensors(args, "arguments");
            for (const auto& [i, lr] : lrs)
              if (i >= t.calls.size() || !t.calls[i].optim)
                fail("compile", "internal: call ", i, " is not an optimizer step");
            std::vector<Tensor> out;
            std::string why = check_and_replay(t, a, lrs, out);
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
            d["prepared_calls"] = t.stats.prepared;
            return d;
          },
          "Counts of the tape: records, planned buffers and bytes, bound tensors, replays.");
  // Reached only through _capture_end: not a name of the module (the stub declares it for
  // type checkers); the type stays alive through this reference, leaked on purpose.
  new py::object(m.attr("_Tape"));
  py::delattr(m, "_Tape");

  py::class_<FastReplay>(m, "_FastReplay", py::module_local(),
                         "The fast path of a compiled step's call (pyautograd.compile).")
      .def("__call__", &FastReplay::call, py::arg("args"),
           "Replays the tape for these positional tensor arguments when every guard holds: "
           "its output (single) or outputs; None when anything does not hold.")
      .def_property_readonly("hits", &FastReplay::hits, "The replays made through this path.");
  new py::object(m.attr("_FastReplay"));
  py::delattr(m, "_FastReplay");
  PyObject* base = PyType_FromSpec(&compiled_spec);
  if (!base) throw py::error_already_set();
  // Reached through _compiled_base() (kept alive here, leaked on purpose), as the other types
  // of this file: _core's names are its public API and the stub's.
  m.def(
      "_compiled_base", [base]() { return py::reinterpret_borrow<py::object>(base); },
      "The base type of pyautograd.compile's CompiledStep (its call slot runs the fast path).");
  m.def(
      "_fast_replay",
      [](std::shared_ptr<Tape> tape, py::object program, const py::list& lrs, size_t nargs,
         bool single) {
        if (!py::isinstance<GuardProgram>(program))
          fail<TypeError>("compile", "program must be a guard program");
        return FastReplay(std::move(tape), std::move(program), lrs, nargs, single);
      },
      py::arg("tape"), py::arg("program"), py::arg("lrs"), py::arg("nargs"), py::arg("single"),
      "The fast path of pyautograd.compile for a tape, its guard program, its patched learning "
      "rates ((call index, param group) pairs) and its number of positional tensor arguments; "
      "single: the step returns one tensor.");
}

}  // namespace pyag
