// F.pad: constant, reflect, replicate and circular padding of up to three trailing dims, one
// kernel pass forward and one backward (kernels/pool.cpp).
#include "autograd/node.h"
#include "kernels/pool.h"
#include "ops/conv.h"
#include "ops/ops.h"

namespace pyag {
namespace {

struct PadBackward : Node {
  Dims x_shape;
  PadGeom g;
  PadMode mode;
  PadBackward(Dims s, const PadGeom& gg, PadMode m) : x_shape(std::move(s)), g(gg), mode(m) {}
  const char* name() const override {
    switch (mode) {
      case PadMode::Constant:
        return "ConstantPadNdBackward0";
      case PadMode::Reflect:
        return "ReflectionPadBackward0";
      case PadMode::Replicate:
        return "ReplicationPadBackward0";
      case PadMode::Circular:
        return "CircularPadBackward0";
    }
    return "PadBackward0";
  }
  std::vector<Tensor> apply(const Tensor& grad) override {
    Tensor gx = empty(x_shape, grad->dtype);
    pad_backward_into(gx, grad->contiguous() ? grad : contiguous(grad), g, mode);
    return {gx};
  }
  std::optional<std::vector<Tensor>> apply_graph(const Tensor& grad,
                                                 const std::shared_ptr<Node>&) override {
    // The padding's gradient and the padding (of zeros: it is linear) are mutual adjoints.
    const Dims xs = x_shape, os = grad->shape;
    const PadGeom pg = g;
    const PadMode m = mode;
    return std::vector<Tensor>{record_adjoint_pair(
        grad, name(),
        [xs, pg, m](const Tensor& t) {
          Tensor gx = empty(xs, t->dtype);
          pad_backward_into(gx, contiguous(detach(t)), pg, m);
          return gx;
        },
        [os, pg, m](const Tensor& t) {
          Tensor out = empty(os, t->dtype);
          pad_forward_into(out, contiguous(detach(t)), pg, m, 0.0);
          return out;
        })};
  }
};

PadMode parse_mode(const std::string& m) {
  if (m == "constant") return PadMode::Constant;
  if (m == "reflect") return PadMode::Reflect;
  if (m == "replicate") return PadMode::Replicate;
  if (m == "circular") return PadMode::Circular;
  fail<ValueError>("pad", "Unrecognised padding mode ", m,
                   " (expected constant, reflect, replicate or circular)");
}

}  // namespace

Tensor pad(const Tensor& input, const IntList& pads, const std::string& mode_name, double value) {
  const char* op = "pad";
  const PadMode mode = parse_mode(mode_name);
  const int d = input->dim();
  if (pads.size() % 2 != 0) fail(op, "Padding length must be divisible by 2, got ", pads.size());
  const int np = static_cast<int>(pads.size() / 2);
  if (np > d)
    fail(op,
         "Padding length should be less than or equal to two times the input dimension but "
         "got padding length ",
         pads.size(), " and input of dimension ", d);
  if (np > 3) fail(op, "pads at most 3 dimensions, got padding for ", np);
  if (mode != PadMode::Constant) {
    if (!is_floating(input->dtype))
      fail<TypeError>(op, mode_name, " padding expects a floating point input, got ",
                      describe(input));
    if (d < np + 1 || d > np + 2)
      fail(op, mode_name, " padding of ", np, " dims expects a ", np + 1, "D or ", np + 2,
           "D input, got shape ", shape_str(input->shape));
  }
  if (value != 0 && !is_floating(input->dtype) && mode == PadMode::Constant &&
      value != static_cast<double>(static_cast<int64_t>(value)))
    fail(op, "value ", value, " cannot be converted to ", dtype_name(input->dtype));
  PadGeom g;
  Dims out_shape = input->shape;
  g.planes = 1;
  for (int i = 0; i < d - np; ++i) g.planes *= input->shape[i];
  for (int j = 0; j < np; ++j) {  // pads[2j], pads[2j + 1] pad dim d - 1 - j
    const int dim = d - 1 - j;
    const int slot = 2 - j;  // w, h, d
    const int64_t in = input->shape[dim], b = pads[2 * j], a = pads[2 * j + 1];
    if (mode != PadMode::Constant && (b < 0 || a < 0))
      fail(op, mode_name, " padding does not take negative pads, got (", b, ", ", a, ")");
    if (mode == PadMode::Reflect && (b >= in || a >= in))
      fail(op,
           "Padding size should be less than the corresponding input dimension, but got: "
           "padding (",
           b, ", ", a, ") at dimension ", dim, " of input ", shape_str(input->shape));
    if (mode == PadMode::Circular && (b > in || a > in))
      fail(op, "Padding value causes wrapping around more than once: padding (", b, ", ", a,
           ") at dimension ", dim, " of input ", shape_str(input->shape));
    if ((mode == PadMode::Replicate || mode == PadMode::Circular) && in == 0)
      fail(op, mode_name, " padding of an empty dimension ", dim, " of input ",
           shape_str(input->shape));
    const int64_t o = in + b + a;
    if (o < 0)
      fail(op, "The input size ", in, ", plus negative padding ", b, " and ", a,
           " resulted in a negative output size, which is invalid. Check dimension ", dim,
           " of your input.");
    g.in[slot] = in, g.out[slot] = o, g.before[slot] = b;
    out_shape[dim] = o;
  }
  Tensor out = empty(out_shape, input->dtype);
  const Tensor x = input->contiguous() ? input : contiguous(detach(input));
  pad_forward_into(out, x, g, mode, value);
  if (GradMode::enabled() && input->requires_grad()) {
    auto node = std::make_shared<PadBackward>(input->shape, g, mode);
    attach(node, {&input}, out);
  }
  return out;
}

}  // namespace pyag
