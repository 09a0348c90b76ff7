// Capture and replay of a step (issue 14): the C++ side of pyautograd.compile (_compile.py).
#include <pybind11/stl.h>

#include <mutex>

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

}  // namespace

void init_capture(py::module_& m) {
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
      [](const py::list& outputs) {
        return std::shared_ptr<Tape>(capture::finish(tensors(outputs, "outputs")));
      },
      py::arg("outputs"),
      "Stops recording and returns the tape of the step; raises when it cannot be replayed.");

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
              py::gil_scoped_release release;
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
            return d;
          },
          "Counts of the tape: records, planned buffers and bytes, bound tensors, replays.");
  // Reached only through _capture_end: not a name of the module (the stub declares it for
  // type checkers); the type stays alive through this reference, leaked on purpose.
  new py::object(m.attr("_Tape"));
  py::delattr(m, "_Tape");
}

}  // namespace pyag
