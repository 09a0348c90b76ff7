// clamp/clip, clamp_min and clamp_max with tensor bounds (ops/clamp_tensor.h). Wraps the
// declared number-bound bindings (declared.cpp): a call whose bounds are all numbers or None
// goes to them unchanged; one with a tensor bound goes to clamp_tensor.
#include "ops/clamp_tensor.h"

#include <cstring>
#include <string>

#include "bindings/convert.h"
#include "ops/ops.h"

namespace pyag {
namespace {

struct Form {
  const char* name;  // the Python name
  const char* op;    // the op named in errors (clip is clamp)
  bool has_min, has_max;
  bool inplace;
  int unary_op;  // the declared number-bound op (ops/ops.h index)
};

ClampBound bound(py::handle h, const char* op, const char* what) {
  ClampBound b;
  if (h.is_none()) return b;
  if (py::isinstance<TensorImpl>(h)) {
    b.t = h.cast<Tensor>();
    return b;
  }
  Scalar s;
  if (!to_scalar(h, s))
    throw py::type_error(std::string("[") + op + "] " + what + " must be a tensor, a number or " +
                         "None, got " + std::string(py::str(py::type::of(h).attr("__name__"))));
  b.s = s;
  return b;
}

// The number-bound call done here when every argument is plainly one (else nullopt).
std::optional<py::object> number_bounds(const Form& f, const py::args& args, const py::kwargs& kw,
                                        const py::handle* given, size_t nparams) {
  const size_t positional = args.size() - 1;
  for (auto item : kw) {  // only the bounds' names, each not given positionally too
    const std::string k = py::str(item.first);
    const size_t at = k == (f.has_min ? "min" : "max") ? 0 : nparams == 2 && k == "max" ? 1 : 9;
    if (at >= nparams || at < positional) return std::nullopt;
  }
  ScalarArgs p;
  p.n = static_cast<int>(nparams);
  for (size_t i = 0; i < nparams; ++i) {
    Scalar s;
    if (given[i].is_none() && nparams == 2)  // clamp's bounds are optional, clamp_min's not
      p[static_cast<int>(i)] = kOptional;
    else if (to_scalar(given[i], s))
      p[static_cast<int>(i)] = s.v, p.kind[i] = static_cast<int8_t>(s.kind);
    else
      return std::nullopt;
  }
  const Tensor& self = args[0].cast<const Tensor&>();
  if (f.inplace) {
    maybe_nogil(self->numel, [&] { return detail::apply_unary_(f.unary_op, self, p); });
    return py::reinterpret_borrow<py::object>(args[0]);
  }
  return py::cast(
      maybe_nogil(self->numel, [&] { return detail::apply_unary(f.unary_op, self, p); }));
}

py::object call(const Form& f, const py::object& orig, py::args args, py::kwargs kw) {
  const size_t nparams = (f.has_min ? 1 : 0) + (f.has_max ? 1 : 0);
  const char* names[2] = {f.has_min ? "min" : "max", "max"};
  py::handle given[2] = {py::none(), py::none()};
  for (size_t i = 1; i < args.size() && i <= nparams; ++i) given[i - 1] = args[i];
  for (size_t i = 0; i < nparams; ++i)
    if (kw.contains(names[i])) given[i] = kw[names[i]];
  const bool tensor_bound = py::isinstance<TensorImpl>(given[0]) ||
                            (nparams == 2 && py::isinstance<TensorImpl>(given[1]));
  if (!tensor_bound && args.size() >= 1 && args.size() <= nparams + 1 &&
      py::isinstance<TensorImpl>(args[0])) {
    // Numbers or None: the declared op directly (the seed's `clamp(min=0)` is hot; going through
    // the declared binding again cost a second pybind11 dispatch, 3x relu's call). Any call this
    // does not take as it is (out=, an unknown keyword, a bound that is no number) goes there.
    if (auto r = number_bounds(f, args, kw, given, nparams)) return *r;
  }
  if (!tensor_bound || args.size() == 0 || !py::isinstance<TensorImpl>(args[0]))
    return orig(*args, **kw);  // numbers (and any wrong call: its own error)
  if (args.size() > nparams + 1)
    throw py::type_error(std::string("[") + f.op + "] takes at most " + std::to_string(nparams) +
                         " bounds");
  py::handle out = py::none();
  for (auto item : kw) {
    const std::string k = py::str(item.first);
    if (k == "out") out = item.second;
    if (k != "out" && k != names[0] && !(nparams == 2 && k == names[1]))
      throw py::type_error(std::string("[") + f.op + "] got an unexpected keyword argument '" + k +
                           "'");
  }
  const Tensor self = args[0].cast<Tensor>();
  const ClampBound lo = f.has_min ? bound(given[0], f.op, "min") : ClampBound{};
  const ClampBound hi = f.has_max ? bound(given[f.has_min ? 1 : 0], f.op, "max") : ClampBound{};
  if (f.inplace) {
    if (!out.is_none())
      throw py::type_error(std::string("[") + f.name +
                           "] got an unexpected keyword argument 'out'");
    clamp_tensor_(self, lo, hi, f.name);
    return py::reinterpret_borrow<py::object>(args[0]);
  }
  if (out.is_none()) return py::cast(clamp_tensor(self, lo, hi, f.op));
  if (!py::isinstance<TensorImpl>(out))
    throw py::type_error(std::string("[") + f.op + "] out must be a tensor");
  write_out(out.cast<Tensor>(), clamp_tensor(self, lo, hi, f.op), f.op);
  return py::reinterpret_borrow<py::object>(out);
}

std::string doc_of(const py::object& orig) {
  py::object d = orig.attr("__doc__");
  return (d.is_none() ? std::string() : std::string(py::str(d))) +
         "\n\nmin and max may also be tensors (broadcast with the input, promoted with it, and "
         "given gradients), as PyTorch's clamp.Tensor.";
}

}  // namespace

void init_clamp_tensor(py::module_& m) {
  constexpr int clamp = detail::unary_index<unary::clamp>;
  constexpr int clamp_min = detail::unary_index<unary::clamp_min>;
  constexpr int clamp_max = detail::unary_index<unary::clamp_max>;
  static const Form forms[] = {
      {"clamp", "clamp", true, true, false, clamp},
      {"clamp_", "clamp", true, true, true, clamp},
      {"clip", "clip", true, true, false, clamp},
      {"clip_", "clip", true, true, true, clamp},
      {"clamp_min", "clamp_min", true, false, false, clamp_min},
      {"clamp_min_", "clamp_min", true, false, true, clamp_min},
      {"clamp_max", "clamp_max", false, true, false, clamp_max},
      {"clamp_max_", "clamp_max", false, true, true, clamp_max},
  };
  static std::vector<std::string> docs;  // cpp_function keeps a pointer to its docstring
  docs.reserve(2 * std::size(forms));
  py::object cls = m.attr("Tensor");
  for (const Form& f : forms) {
    for (bool method : {true, false}) {
      py::object owner = method ? cls : py::object(m);
      const bool clip_ = method && !std::strcmp(f.name, "clip_");  // the alias of clamp_
      if (!clip_ && !py::hasattr(owner, f.name)) continue;         // in-place ops: methods only
      py::object orig = owner.attr(clip_ ? "clamp_" : f.name);
      docs.push_back(doc_of(orig));
      auto fn = [&f, orig](py::args args, py::kwargs kw) {
        return call(f, orig, std::move(args), std::move(kw));
      };
      if (method)
        cls.attr(f.name) =
            py::cpp_function(fn, py::name(f.name), py::is_method(cls), docs.back().c_str());
      else
        m.attr(f.name) = py::cpp_function(fn, py::name(f.name), py::scope(m), docs.back().c_str());
    }
  }
}

}  // namespace pyag
