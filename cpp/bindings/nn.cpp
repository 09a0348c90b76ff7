// The fused nn kernels (losses, layer norm, batch norm) for pyautograd.nn.functional.
#include "ops/nn.h"

#include <pybind11/stl.h>

#include "bindings/bindings.h"
#include "bindings/convert.h"

namespace pyag {
namespace {

Reduction parse_reduction(const std::string& r) {
  if (r == "none") return Reduction::None;
  if (r == "mean") return Reduction::Mean;
  if (r == "sum") return Reduction::Sum;
  fail<ValueError>("loss", r, " is not a valid value for reduction");
}

PointLoss parse_point_loss(const std::string& k) {
  if (k == "mse") return PointLoss::Mse;
  if (k == "smooth_l1") return PointLoss::SmoothL1;
  if (k == "huber") return PointLoss::Huber;
  if (k == "bce") return PointLoss::Bce;
  if (k == "bce_with_logits") return PointLoss::BceWithLogits;
  fail<ValueError>("loss", "unknown elementwise loss '", k, "'");
}

Tensor opt(const std::optional<Tensor>& t) { return t ? *t : Tensor(); }

}  // namespace

void init_nn(py::module_& m) {
  m.def(
      "_point_loss",
      [](const std::string& kind, const Tensor& input, const Tensor& target,
         const std::optional<Tensor>& weight, const std::optional<Tensor>& pos_weight, double param,
         const std::string& reduction) {
        Reduction r = parse_reduction(reduction);
        if (kind == "l1") {
          if (pos_weight) fail<ValueError>("l1_loss", "takes no pos_weight");
          return l1_loss(input, target, opt(weight), r);
        }
        PointLoss k = parse_point_loss(kind);
        return maybe_nogil(input->numel, [&] {
          return point_loss(k, input, target, opt(weight), opt(pos_weight), param, r);
        });
      },
      py::arg("kind"), py::arg("input"), py::arg("target"), py::arg("weight") = py::none(),
      py::arg("pos_weight") = py::none(), py::arg("param") = 0.0, py::arg("reduction") = "mean",
      "An elementwise loss in one fused pass: kind is mse, smooth_l1 (param: beta), huber "
      "(param: delta), bce or bce_with_logits, or l1 (sub, abs and a reduction, as PyTorch); "
      "reduction none, mean or sum.");
  m.def(
      "_cross_entropy",
      [](const Tensor& input, const Tensor& target, const std::optional<Tensor>& weight,
         int64_t ignore_index, double label_smoothing, const std::string& reduction,
         py::handle none_shape) {
        Reduction r = parse_reduction(reduction);
        std::optional<Dims> shape;
        if (!none_shape.is_none()) shape = parse_shape_obj(none_shape, "cross_entropy");
        return maybe_nogil(input->numel, [&] {
          return cross_entropy(input, target, opt(weight), ignore_index, label_smoothing, r, shape);
        });
      },
      py::arg("input"), py::arg("target"), py::arg("weight") = py::none(),
      py::arg("ignore_index") = -100, py::arg("label_smoothing") = 0.0,
      py::arg("reduction") = "mean", py::arg("none_shape") = py::none(),
      "Cross entropy of logits (n, c) with class indices (n,) or class probabilities (n, c): "
      "log-softmax and negative log likelihood fused; 'none' returns the row losses in "
      "none_shape (default (n,)).");
  m.def(
      "_nll_loss",
      [](const Tensor& input, const Tensor& target, const std::optional<Tensor>& weight,
         int64_t ignore_index, const std::string& reduction, py::handle none_shape) {
        Reduction r = parse_reduction(reduction);
        std::optional<Dims> shape;
        if (!none_shape.is_none()) shape = parse_shape_obj(none_shape, "nll_loss");
        return nll_loss(input, target, opt(weight), ignore_index, r, shape);
      },
      py::arg("input"), py::arg("target"), py::arg("weight") = py::none(),
      py::arg("ignore_index") = -100, py::arg("reduction") = "mean",
      py::arg("none_shape") = py::none(),
      "Negative log likelihood of log-probabilities (n, c) and class indices (n,).");
  m.def(
      "_linear",
      [](const Tensor& input, const Tensor& weight, const std::optional<Tensor>& bias) {
        return maybe_nogil(input->numel * weight->shape[0] / 4,
                           [&] { return linear(input, weight, opt(bias)); });
      },
      py::arg("input"), py::arg("weight"), py::arg("bias") = py::none(),
      "input @ weight.T + bias as one GEMM onto the broadcast bias; the backward writes the "
      "weight's gradient in its own layout (no transposed copies).");
  m.def(
      "_layer_norm",
      [](const Tensor& input, py::handle normalized_shape, const std::optional<Tensor>& weight,
         const std::optional<Tensor>& bias, double eps) {
        Dims shape = PyIndex_Check(normalized_shape.ptr())
                         ? Dims{parse_int(normalized_shape, "layer_norm", "normalized_shape")}
                         : parse_shape_obj(normalized_shape, "layer_norm");
        return maybe_nogil(input->numel,
                           [&] { return layer_norm(input, shape, opt(weight), opt(bias), eps); });
      },
      py::arg("input"), py::arg("normalized_shape"), py::arg("weight") = py::none(),
      py::arg("bias") = py::none(), py::arg("eps") = 1e-5,
      "Layer normalization over the trailing normalized_shape dims, fused (one pass forward, "
      "one backward).");
  m.def(
      "_batch_norm",
      [](const Tensor& input, const std::optional<Tensor>& running_mean,
         const std::optional<Tensor>& running_var, const std::optional<Tensor>& weight,
         const std::optional<Tensor>& bias, bool training, double momentum, double eps) {
        return maybe_nogil(input->numel, [&] {
          return batch_norm(input, opt(running_mean), opt(running_var), opt(weight), opt(bias),
                            training, momentum, eps);
        });
      },
      py::arg("input"), py::arg("running_mean"), py::arg("running_var"),
      py::arg("weight") = py::none(), py::arg("bias") = py::none(), py::arg("training") = false,
      py::arg("momentum") = 0.1, py::arg("eps") = 1e-5,
      "Batch normalization of (n, c, ...) per channel; in training, batch statistics (and the "
      "running statistics updated in place), else the running statistics.");
}

}  // namespace pyag
