// Bindings of the ops of issue 9 outside the declared families: softmax and log_softmax,
// dot/outer/addmm/baddbmm, and the random ops (randint, randperm, normal_, uniform_, bernoulli).
// Conversion only: every rule is in cpp/ops.
#include <pybind11/stl.h>

#include "bindings/bindings.h"
#include "bindings/convert.h"

namespace pyag {

// The random generator of the random ops is the global one; a Generator object is refused.
void check_generator(py::handle generator, const char* op);

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

double number(py::handle h, const char* op, const char* name) { return coefficient(h, op, name).v; }

// The keyword options of a creation function: dtype, device, requires_grad, generator.
struct Creation {
  std::optional<DType> dtype;
  bool requires_grad = false;
};

Creation creation_options(const py::kwargs& kw, const char* op) {
  Creation c;
  for (auto item : kw) {
    const std::string k = py::str(item.first).cast<std::string>();
    if (k == "dtype")
      c.dtype = dtype_arg(item.second, op);
    else if (k == "device")
      check_device(item.second, op);
    else if (k == "generator")
      check_generator(item.second, op);
    else if (k == "requires_grad")
      c.requires_grad = item.second.cast<bool>();
    else if (k != "layout" && k != "pin_memory" && k != "memory_format")
      fail<TypeError>(op, "got an unexpected keyword argument '", k, "'");
  }
  return c;
}

Tensor finish(Tensor t, const Creation& c, const char* op) {
  if (c.requires_grad) set_requires_grad(t, true, op);
  return t;
}

}  // namespace

void check_generator(py::handle generator, const char* op) {
  if (!generator.is_none())
    fail<TypeError>(op,
                    "generator= is not supported: the random ops draw from the global generator "
                    "(seed it with manual_seed)");
}

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

  // ---- random ----
  m.def(
      "randint",
      [](py::args args, py::kwargs kw) {
        if (args.size() < 2 || args.size() > 3)
          fail<TypeError>("randint", "expected (high, size) or (low, high, size), got ",
                          args.size(), " positional arguments");
        const bool with_low = args.size() == 3;
        const int64_t low = with_low ? parse_int(args[0], "randint", "low") : 0;
        const int64_t high = parse_int(args[with_low ? 1 : 0], "randint", "high");
        const Dims shape = parse_shape_obj(args[with_low ? 2 : 1], "randint");
        const Creation o = creation_options(kw, "randint");
        return finish(randint(low, high, shape, o.dtype.value_or(DType::Int64)), o, "randint");
      },
      "Integers drawn uniformly from [low, high) (low defaults to 0): randint(high, size) or "
      "randint(low, high, size); int64 unless dtype= says otherwise.");
  m.def(
      "randperm",
      [](py::handle n, py::kwargs kw) {
        const Creation o = creation_options(kw, "randperm");
        return finish(randperm(parse_int(n, "randperm", "n"), o.dtype.value_or(DType::Int64)), o,
                      "randperm");
      },
      "A random permutation of 0 .. n - 1 (int64 unless dtype= says otherwise).", py::arg("n"));
  c.def(
      "normal_",
      [](const Tensor& self, py::handle mean, py::handle std, py::handle generator) {
        check_generator(generator, "normal_");
        return normal_(self, number(mean, "normal_", "mean"), number(std, "normal_", "std"));
      },
      "Fills self with numbers drawn from the normal distribution N(mean, std^2).",
      py::arg("mean") = 0.0, py::arg("std") = 1.0, py::kw_only(),
      py::arg("generator") = py::none());
  c.def(
      "uniform_",
      [](const Tensor& self, py::handle from, py::handle to, py::handle generator) {
        check_generator(generator, "uniform_");
        return uniform_(self, number(from, "uniform_", "from_"), number(to, "uniform_", "to"));
      },
      "Fills self with numbers drawn uniformly from [from, to).", py::arg("from_") = 0.0,
      py::arg("to") = 1.0, py::kw_only(), py::arg("generator") = py::none());
  const char* bern_doc =
      "1 with probability p (each element of input, or the number p), else 0; input's dtype.";
  auto bern = [](const Tensor& x, py::handle p, py::handle generator) {
    check_generator(generator, "bernoulli");
    if (p.is_none()) return bernoulli(x);
    Tensor r = empty(x->shape, x->dtype);
    bernoulli_(r, number(p, "bernoulli", "p"));
    return r;
  };
  m.def("bernoulli", bern, bern_doc, py::arg("input"), py::arg("p") = py::none(), py::kw_only(),
        py::arg("generator") = py::none());
  c.def("bernoulli", bern, bern_doc, py::arg("p") = py::none(), py::kw_only(),
        py::arg("generator") = py::none());
  c.def(
      "bernoulli_",
      [](const Tensor& self, py::handle p, py::handle generator) -> Tensor {
        check_generator(generator, "bernoulli_");
        if (py::isinstance<TensorImpl>(p)) return bernoulli_(self, p.cast<Tensor>());
        return bernoulli_(self, number(p, "bernoulli_", "p"));
      },
      "Fills self with 1 with probability p (a number or a tensor broadcast to self's shape), "
      "else 0.",
      py::arg("p") = 0.5, py::kw_only(), py::arg("generator") = py::none());
}

}  // namespace pyag
