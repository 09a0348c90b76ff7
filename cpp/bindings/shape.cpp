// Joining, splitting and rearranging (ops/join.cpp, ops/rearrange.cpp): torch.cat, stack,
// hstack, vstack, split, chunk, unbind, narrow, flip, roll, tile, movedim and the Tensor methods,
// with PyTorch's argument names; `out=` for the joins.
#include <pybind11/stl.h>

#include <functional>

#include "bindings/bindings.h"
#include "bindings/convert.h"

namespace pyag {
namespace {

std::string type_name(py::handle h) {
  return py::str(py::type::of(h).attr("__name__")).cast<std::string>();
}

std::vector<Tensor> parse_tensors(py::handle h, const char* op) {
  if (py::isinstance<TensorImpl>(h) || !PySequence_Check(h.ptr()) || PyUnicode_Check(h.ptr()))
    fail<TypeError>(op, "argument 'tensors' must be a tuple or list of Tensors, not ",
                    type_name(h));
  std::vector<Tensor> r;
  for (py::object t : py::reinterpret_borrow<py::sequence>(h)) {
    if (!py::isinstance<TensorImpl>(t))
      fail<TypeError>(op, "expected a sequence of Tensors, but element ", r.size(), " is a ",
                      type_name(t));
    r.push_back(t.cast<Tensor>());
  }
  return r;
}

// Whether h is a complex tensor (pyautograd/_complex.py: a Python class over its real view).
bool is_complex_tensor(py::handle h) {
  static PyObject* cls =
      py::object(py::module_::import("pyautograd._complex").attr("ComplexTensor")).release().ptr();
  return PyObject_IsInstance(h.ptr(), cls) == 1;
}

// cat/stack of a sequence holding a complex tensor: pyautograd._complex's (the real core's
// parse refused it; this runs only then, so a real call pays nothing for it).
std::optional<py::object> join_complex(const char* op, py::handle tensors, py::handle dim,
                                       py::handle out) {
  if (!PySequence_Check(tensors.ptr()) || PyUnicode_Check(tensors.ptr())) return std::nullopt;
  bool any = false;
  for (py::handle t : py::reinterpret_borrow<py::sequence>(tensors))
    any = any || is_complex_tensor(t);
  if (!any) return std::nullopt;
  if (!out.is_none()) fail<TypeError>(op, "out= is not supported for complex tensors");
  return py::module_::import("pyautograd._complex").attr(op)(tensors, dim);
}

// An int or a sequence of ints (which may be empty).
std::vector<int64_t> parse_ints(py::handle h, const char* op, const char* what) {
  std::vector<int64_t> r;
  if (PyIndex_Check(h.ptr()) && !PyBool_Check(h.ptr())) {
    r.push_back(parse_int(h, op, what));
    return r;
  }
  if (!PySequence_Check(h.ptr()) || PyUnicode_Check(h.ptr()))
    fail<TypeError>(op, what, " must be an int or a sequence of ints, got ", type_name(h));
  for (py::object x : py::reinterpret_borrow<py::sequence>(h)) r.push_back(parse_int(x, op, what));
  return r;
}

// Varargs sizes (t.flip(0, 1)) or one sequence (t.flip((0, 1))).
std::vector<int64_t> parse_varargs(const py::args& args, const char* op, const char* what) {
  if (args.size() == 1) return parse_ints(args[0], op, what);
  std::vector<int64_t> r;
  for (py::handle x : args) r.push_back(parse_int(x, op, what));
  return r;
}

py::tuple to_tuple(const std::vector<Tensor>& ts) {
  py::tuple t(ts.size());
  for (size_t i = 0; i < ts.size(); ++i) t[i] = py::cast(ts[i]);
  return t;
}

// The result of a join, written into out (ops/out.cpp: PyTorch's out= rules; a dtype the
// result cannot be cast to is a TypeError, as torch.cat's) when out is given.
py::object with_out(py::handle out, const char* op, const std::function<Tensor()>& compute) {
  if (out.is_none()) return py::cast(compute());
  if (!py::isinstance<TensorImpl>(out))
    fail<TypeError>(op, "argument 'out' must be a Tensor, not ", type_name(out));
  write_out(out.cast<Tensor>(), compute(), op, OutDtype::CastTypeError);
  return py::reinterpret_borrow<py::object>(out);
}

py::tuple split_py(const Tensor& a, py::handle size, py::handle dim) {
  const int64_t d = parse_int(dim, "split", "dim");
  if (PyIndex_Check(size.ptr()) && !PyBool_Check(size.ptr()))
    return to_tuple(split(a, parse_int(size, "split", "split_size"), d));
  return to_tuple(split_sizes(a, parse_ints(size, "split", "split_sizes"), d));
}

std::vector<int64_t> roll_dims(py::handle dims) {
  return dims.is_none() ? std::vector<int64_t>{} : parse_ints(dims, "roll", "dims");
}

const char* kCatDoc =
    "cat(tensors, dim=0, *, out=None): the tensors joined along an existing dim (all the same "
    "shape but in that dim; 1-D empty tensors are skipped), in the dtype they promote to.";

}  // namespace

void init_shape(TensorClass& c, py::module_& m) {
  auto cat_fn = [](py::handle tensors, py::handle dim, py::handle out) -> py::object {
    std::vector<Tensor> ts;
    try {
      ts = parse_tensors(tensors, "cat");
    } catch (const TypeError&) {
      if (auto r = join_complex("cat", tensors, dim, out)) return *r;
      throw;
    }
    const int64_t d = parse_int(dim, "cat", "dim");
    return with_out(out, "cat", [&] { return concat(ts, d); });
  };
  m.def("cat", cat_fn, py::arg("tensors"), py::arg("dim") = 0, py::kw_only(),
        py::arg("out") = py::none(), kCatDoc);
  m.def("concat", cat_fn, py::arg("tensors"), py::arg("dim") = 0, py::kw_only(),
        py::arg("out") = py::none(), "Alias of cat.");
  m.def("concatenate", cat_fn, py::arg("tensors"), py::arg("axis") = 0, py::arg("out") = py::none(),
        "Alias of cat (NumPy's name: `axis` for `dim`).");
  m.def(
      "stack",
      [](py::handle tensors, py::handle dim, py::handle out) -> py::object {
        std::vector<Tensor> ts;
        try {
          ts = parse_tensors(tensors, "stack");
        } catch (const TypeError&) {
          if (auto r = join_complex("stack", tensors, dim, out)) return *r;
          throw;
        }
        const int64_t d = parse_int(dim, "stack", "dim");
        return with_out(out, "stack", [&] { return stack(ts, d); });
      },
      py::arg("tensors"), py::arg("dim") = 0, py::kw_only(), py::arg("out") = py::none(),
      "stack(tensors, dim=0, *, out=None): tensors of one shape joined along a new dim.");
  m.def(
      "hstack",
      [](py::handle tensors, py::handle out) {
        std::vector<Tensor> ts = parse_tensors(tensors, "hstack");
        return with_out(out, "hstack", [&] { return hstack(ts); });
      },
      py::arg("tensors"), py::kw_only(), py::arg("out") = py::none(),
      "hstack(tensors, *, out=None): joined column-wise (dim 0 of 1-D inputs, else dim 1).");
  m.def(
      "vstack",
      [](py::handle tensors, py::handle out) {
        std::vector<Tensor> ts = parse_tensors(tensors, "vstack");
        return with_out(out, "vstack", [&] { return vstack(ts); });
      },
      py::arg("tensors"), py::kw_only(), py::arg("out") = py::none(),
      "vstack(tensors, *, out=None): joined row-wise (1-D inputs become rows).");

  const char* split_doc =
      "split(tensor, split_size_or_sections, dim=0): views of pieces of split_size along dim "
      "(the last may be smaller), or of the sizes listed.";
  m.def("split", &split_py, py::arg("tensor"), py::arg("split_size_or_sections"),
        py::arg("dim") = 0, split_doc);
  c.def("split", &split_py, py::arg("split_size"), py::arg("dim") = 0, split_doc);
  const char* chunk_doc =
      "chunk(input, chunks, dim=0): at most `chunks` views of equal size along dim (the last "
      "may be smaller).";
  auto chunk_fn = [](const Tensor& a, py::handle chunks, py::handle dim) {
    return to_tuple(chunk(a, parse_int(chunks, "chunk", "chunks"), parse_int(dim, "chunk", "dim")));
  };
  m.def("chunk", chunk_fn, py::arg("input"), py::arg("chunks"), py::arg("dim") = 0, chunk_doc);
  c.def("chunk", chunk_fn, py::arg("chunks"), py::arg("dim") = 0, chunk_doc);
  const char* unbind_doc = "unbind(input, dim=0): the views of each index along dim, as a tuple.";
  auto unbind_fn = [](const Tensor& a, py::handle dim) {
    return to_tuple(unbind(a, parse_int(dim, "unbind", "dim")));
  };
  m.def("unbind", unbind_fn, py::arg("input"), py::arg("dim") = 0, unbind_doc);
  c.def("unbind", unbind_fn, py::arg("dim") = 0, unbind_doc);
  const char* narrow_doc =
      "narrow(input, dim, start, length): the view of `length` indices from `start` along dim.";
  auto narrow_fn = [](const Tensor& a, py::handle dim, py::handle start, py::handle length) {
    return narrow(a, parse_int(dim, "narrow", "dim"), parse_int(start, "narrow", "start"),
                  parse_int(length, "narrow", "length"));
  };
  m.def("narrow", narrow_fn, py::arg("input"), py::arg("dim"), py::arg("start"), py::arg("length"),
        narrow_doc);
  c.def("narrow", narrow_fn, py::arg("dim"), py::arg("start"), py::arg("length"), narrow_doc);

  const char* flip_doc =
      "flip(input, dims): a copy with the order of elements reversed along dims.";
  m.def(
      "flip",
      [](const Tensor& a, py::handle dims) {
        return maybe_nogil(a->numel,
                           [&, d = parse_ints(dims, "flip", "dims")] { return flip(a, d); });
      },
      py::arg("input"), py::arg("dims"), flip_doc);
  c.def(
      "flip",
      [](const Tensor& a, py::args dims) {
        require_args(dims, "flip", "dims");
        std::vector<int64_t> d = parse_varargs(dims, "flip", "dims");
        return maybe_nogil(a->numel, [&] { return flip(a, d); });
      },
      flip_doc);
  const char* roll_doc =
      "roll(input, shifts, dims=None): a copy with elements shifted along dims (wrapping "
      "around); without dims, over the flattened tensor.";
  auto roll_fn = [](const Tensor& a, py::handle shifts, py::handle dims) {
    return roll(a, parse_ints(shifts, "roll", "shifts"), roll_dims(dims));
  };
  m.def("roll", roll_fn, py::arg("input"), py::arg("shifts"), py::arg("dims") = py::none(),
        roll_doc);
  c.def("roll", roll_fn, py::arg("shifts"), py::arg("dims") = py::none(), roll_doc);
  c.def(
      "repeat",
      [](const Tensor& a, py::args repeats) {
        Dims r(parse_varargs(repeats, "repeat", "repeats"));
        return repeat(a, r);
      },
      "repeat(*repeats): a copy tiled `repeats[i]` times along each dim (leading repeats add "
      "dims).");
  const char* tile_doc = "tile(input, dims): as repeat, with missing leading repeats taken as 1.";
  m.def(
      "tile",
      [](const Tensor& a, py::handle dims) {
        return tile(a, Dims(parse_ints(dims, "tile", "dims")));
      },
      py::arg("input"), py::arg("dims"), tile_doc);
  c.def(
      "tile",
      [](const Tensor& a, py::args dims) {
        require_args(dims, "tile", "dims");
        return tile(a, Dims(parse_varargs(dims, "tile", "dims")));
      },
      tile_doc);
  const char* movedim_doc =
      "movedim(input, source, destination): the view with dims `source` moved to "
      "`destination`, the others in their order.";
  auto movedim_fn = [](const Tensor& a, py::handle src, py::handle dst) {
    return movedim(a, parse_ints(src, "movedim", "source"),
                   parse_ints(dst, "movedim", "destination"));
  };
  for (const char* name : {"movedim", "moveaxis"}) {
    m.def(name, movedim_fn, py::arg("input"), py::arg("source"), py::arg("destination"),
          movedim_doc);
    c.def(name, movedim_fn, py::arg("source"), py::arg("destination"), movedim_doc);
  }
}

}  // namespace pyag
