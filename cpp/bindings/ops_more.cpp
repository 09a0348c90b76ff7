// Bindings of the ops of issue 9 outside the declared families: softmax and log_softmax,
// dot/outer/addmm/baddbmm (the random ops are in random.cpp).
// Conversion only: every rule is in cpp/ops.
#include <pybind11/stl.h>

#include "bindings/bindings.h"
#include "bindings/convert.h"

namespace pyag {

namespace {

Scalar coefficient(py::handle h, const char* op, const char* name) {
  Scalar s;
  if (!to_scalar(h, s))
    fail<TypeError>(op, name, " must be a number, got ",
                    py::str(py::type::of(h).attr("__name__")).cast<std::string>());
  return s;
}

std::optional<DType> dtype_arg(py::handle h, const char* op) {
  return h.is_none() ? std::nullopt : parse_dtype(h, op);
}

}  // namespace

void init_ops_more(TensorClass& c, py::module_& m) {
  // ---- softmax ----
  for (const bool log : {false, true}) {
    const char* name = log ? "log_softmax" : "softmax";
    const char* doc = log ? "log(softmax(input)) along dim, computed stably as x - logsumexp(x); "
                            "dtype= converts the input first."
                          : "exp(x) / sum(exp(x)) along dim, computed stably (exponentials of "
                            "x - max only); dtype= converts the input first.";
    auto fn = [log](const Tensor& x, int64_t dim, py::handle dtype) {
      const char* op = log ? "log_softmax" : "softmax";
      return maybe_nogil(x->numel, [&] {
        return log ? log_softmax(x, dim, dtype_arg(dtype, op))
                   : softmax(x, dim, dtype_arg(dtype, op));
      });
    };
    m.def(name, fn, doc, py::arg("input"), py::arg("dim"), py::kw_only(),
          py::arg("dtype") = py::none());
    c.def(name, fn, doc, py::arg("dim"), py::kw_only(), py::arg("dtype") = py::none());
  }

  // ---- linear algebra ----
  const char* dot_doc = "The inner product of two 1-D tensors of the same length (a 0-d tensor).";
  m.def("dot", &dot, dot_doc, py::arg("input"), py::arg("tensor"));
  c.def("dot", &dot, dot_doc, py::arg("other"));
  const char* outer_doc = "The outer product of two 1-D tensors: input[i] * vec2[j].";
  m.def("outer", &outer, outer_doc, py::arg("input"), py::arg("vec2"));
  c.def("outer", &outer, outer_doc, py::arg("vec2"));
  const char* addmm_doc =
      "beta * input + alpha * (mat1 @ mat2), input broadcast to the product's shape (beta = 0 "
      "ignores input, NaN included).";
  auto addmm_fn = [](const Tensor& in, const Tensor& a, const Tensor& b, py::handle beta,
                     py::handle alpha) {
    return addmm(in, a, b, coefficient(beta, "addmm", "beta"),
                 coefficient(alpha, "addmm", "alpha"));
  };
  m.def("addmm", addmm_fn, addmm_doc, py::arg("input"), py::arg("mat1"), py::arg("mat2"),
        py::kw_only(), py::arg("beta") = 1, py::arg("alpha") = 1);
  c.def("addmm", addmm_fn, addmm_doc, py::arg("mat1"), py::arg("mat2"), py::kw_only(),
        py::arg("beta") = 1, py::arg("alpha") = 1);
  c.def(
      "addmm_",
      [](const Tensor& self, const Tensor& a, const Tensor& b, py::handle beta, py::handle alpha) {
        return addmm_(self, a, b, coefficient(beta, "addmm_", "beta"),
                      coefficient(alpha, "addmm_", "alpha"));
      },
      "In place: self = beta * self + alpha * (mat1 @ mat2).", py::arg("mat1"), py::arg("mat2"),
      py::kw_only(), py::arg("beta") = 1, py::arg("alpha") = 1);
  const char* baddbmm_doc =
      "beta * input + alpha * (batch1 @ batch2) for 3-D batches, input broadcast to the "
      "product's shape (beta = 0 ignores input).";
  auto baddbmm_fn = [](const Tensor& in, const Tensor& a, const Tensor& b, py::handle beta,
                       py::handle alpha) {
    return baddbmm(in, a, b, coefficient(beta, "baddbmm", "beta"),
                   coefficient(alpha, "baddbmm", "alpha"));
  };
  m.def("baddbmm", baddbmm_fn, baddbmm_doc, py::arg("input"), py::arg("batch1"), py::arg("batch2"),
        py::kw_only(), py::arg("beta") = 1, py::arg("alpha") = 1);
  c.def("baddbmm", baddbmm_fn, baddbmm_doc, py::arg("batch1"), py::arg("batch2"), py::kw_only(),
        py::arg("beta") = 1, py::arg("alpha") = 1);
  c.def(
      "baddbmm_",
      [](const Tensor& self, const Tensor& a, const Tensor& b, py::handle beta, py::handle alpha) {
        return baddbmm_(self, a, b, coefficient(beta, "baddbmm_", "beta"),
                        coefficient(alpha, "baddbmm_", "alpha"));
      },
      "In place: self = beta * self + alpha * (batch1 @ batch2).", py::arg("batch1"),
      py::arg("batch2"), py::kw_only(), py::arg("beta") = 1, py::arg("alpha") = 1);
}

}  // namespace pyag
