// Convolution, pooling and padding ops for pyautograd.nn.functional (ops/conv.h). Python
// normalizes ints to per-dim lists; the core checks everything else.
#include "ops/conv.h"

#include <pybind11/stl.h>

#include "bindings/bindings.h"
#include "bindings/convert.h"

namespace pyag {
namespace {

Tensor opt(const std::optional<Tensor>& t) { return t ? *t : Tensor(); }

}  // namespace

void init_conv(py::module_& m) {
  m.def(
      "_convolution",
      [](const Tensor& input, const Tensor& weight, const std::optional<Tensor>& bias,
         const IntList& stride, const IntList& padding, const IntList& dilation, int64_t groups,
         bool same, const std::string& op) {
        return maybe_nogil(input->numel * weight->numel / std::max<int64_t>(weight->shape[0], 1),
                           [&] {
                             return convolution(input, weight, opt(bias), stride, padding, dilation,
                                                groups, same, op.c_str());
                           });
      },
      py::arg("input"), py::arg("weight"), py::arg("bias"), py::arg("stride"), py::arg("padding"),
      py::arg("dilation"), py::arg("groups") = 1, py::arg("same") = false, py::arg("op") = "conv2d",
      "Convolution of (n, c, *spatial) or (c, *spatial) with weight (o, c / groups, *kernel) "
      "(1 or 2 spatial dims) by im2col and GEMM; same=True is padding='same'.");
  m.def(
      "_max_pool",
      [](const Tensor& input, const IntList& kernel_size, const IntList& stride,
         const IntList& padding, const IntList& dilation, bool ceil_mode, const std::string& op) {
        return maybe_nogil(input->numel, [&] {
          return max_pool(input, kernel_size, stride, padding, dilation, ceil_mode, op.c_str());
        });
      },
      py::arg("input"), py::arg("kernel_size"), py::arg("stride"), py::arg("padding"),
      py::arg("dilation"), py::arg("ceil_mode") = false, py::arg("op") = "max_pool2d",
      "Max pooling over 1 or 2 trailing dims; returns (output, int64 indices of the maxima, "
      "flat within each input plane).");
  m.def(
      "_avg_pool",
      [](const Tensor& input, const IntList& kernel_size, const IntList& stride,
         const IntList& padding, bool ceil_mode, bool count_include_pad, int64_t divisor_override,
         const std::string& op) {
        return maybe_nogil(input->numel, [&] {
          return avg_pool(input, kernel_size, stride, padding, ceil_mode, count_include_pad,
                          divisor_override, op.c_str());
        });
      },
      py::arg("input"), py::arg("kernel_size"), py::arg("stride"), py::arg("padding"),
      py::arg("ceil_mode") = false, py::arg("count_include_pad") = true,
      py::arg("divisor_override") = 0, py::arg("op") = "avg_pool2d",
      "Average pooling over 1 or 2 trailing dims (divisor_override 0: none).");
  m.def(
      "_adaptive_avg_pool",
      [](const Tensor& input, const IntList& output_size, const std::string& op) {
        return maybe_nogil(input->numel,
                           [&] { return adaptive_avg_pool(input, output_size, op.c_str()); });
      },
      py::arg("input"), py::arg("output_size"), py::arg("op") = "adaptive_avg_pool2d",
      "Adaptive average pooling to output_size over 1 or 2 trailing dims (-1 keeps a size).");
  m.def(
      "_adaptive_max_pool",
      [](const Tensor& input, const IntList& output_size, const std::string& op) {
        return maybe_nogil(input->numel,
                           [&] { return adaptive_max_pool(input, output_size, op.c_str()); });
      },
      py::arg("input"), py::arg("output_size"), py::arg("op") = "adaptive_max_pool2d",
      "Adaptive max pooling to output_size over 1 or 2 trailing dims; returns (output, "
      "indices).");
  m.def(
      "_pad",
      [](const Tensor& input, const IntList& pad_, const std::string& mode, double value) {
        return maybe_nogil(input->numel, [&] { return pad(input, pad_, mode, value); });
      },
      py::arg("input"), py::arg("pad"), py::arg("mode") = "constant", py::arg("value") = 0.0,
      "Pads the trailing dims (pairs before/after from the last dim): constant, reflect, "
      "replicate or circular.");
}

}  // namespace pyag
