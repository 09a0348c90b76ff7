// The fused optimizer step for pyautograd.optim: one call per parameter group.
#include "ops/optim.h"

#include <pybind11/stl.h>

#include "bindings/bindings.h"
#include "bindings/convert.h"

namespace pyag {
namespace {

OptimKernel parse_kernel(const std::string& k) {
  if (k == "sgd") return OptimKernel::Sgd;
  if (k == "adam") return OptimKernel::Adam;
  if (k == "rmsprop") return OptimKernel::Rmsprop;
  if (k == "adagrad") return OptimKernel::Adagrad;
  fail<ValueError>("optim", "unknown optimizer kernel '", k, "'");
}

using OptTensors = std::vector<std::optional<Tensor>>;

}  // namespace

void init_optim(py::module_& m) {
  m.def(
      "_optim_step",
      [](const std::string& kernel, const std::vector<Tensor>& params,
         const std::vector<Tensor>& grads, const OptTensors& state0, const OptTensors& state1,
         const OptTensors& state2, const OptTensors& steps, const std::vector<bool>& fresh,
         double lr, double weight_decay, double momentum, double dampening, double beta1,
         double beta2, double eps, double lr_decay, bool nesterov, bool maximize, bool amsgrad,
         bool decoupled_weight_decay, bool centered) {
        const OptimKernel k = parse_kernel(kernel);
        const size_t n = params.size();
        for (size_t len : {grads.size(), state0.size(), state1.size(), state2.size(), steps.size(),
                           fresh.size()})
          if (len != n)
            fail<ValueError>(op_name(k), "every list must have one entry per parameter (", n,
                             "), got one of ", len);
        std::vector<OptimParam> ps(n);
        for (size_t i = 0; i < n; ++i) {
          OptimParam& p = ps[i];
          p.param = params[i];
          p.grad = grads[i];
          if (state0[i]) p.state[0] = *state0[i];
          if (state1[i]) p.state[1] = *state1[i];
          if (state2[i]) p.state[2] = *state2[i];
          if (steps[i]) p.step = *steps[i];
          p.fresh = fresh[i];
        }
        OptimHyper h;
        h.lr = lr, h.weight_decay = weight_decay, h.momentum = momentum;
        h.dampening = dampening, h.beta1 = beta1, h.beta2 = beta2, h.eps = eps;
        h.lr_decay = lr_decay, h.nesterov = nesterov, h.maximize = maximize;
        h.amsgrad = amsgrad, h.decoupled_weight_decay = decoupled_weight_decay;
        h.centered = centered;
        py::gil_scoped_release release;
        optim_step(k, ps, h);
      },
      py::arg("kernel"), py::arg("params"), py::arg("grads"), py::arg("state0"), py::arg("state1"),
      py::arg("state2"), py::arg("steps"), py::arg("fresh"), py::arg("lr") = 0.0,
      py::arg("weight_decay") = 0.0, py::arg("momentum") = 0.0, py::arg("dampening") = 0.0,
      py::arg("beta1") = 0.0, py::arg("beta2") = 0.0, py::arg("eps") = 0.0,
      py::arg("lr_decay") = 0.0, py::arg("nesterov") = false, py::arg("maximize") = false,
      py::arg("amsgrad") = false, py::arg("decoupled_weight_decay") = false,
      py::arg("centered") = false,
      "One fused optimizer step (sgd, adam, rmsprop, adagrad) over a group of parameters, "
      "each updated with its state in one pass, without the GIL; see cpp/kernels/optim.h for "
      "the state slots of each kernel.");
}

}  // namespace pyag
