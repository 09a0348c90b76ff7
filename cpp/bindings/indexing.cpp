// Advanced indexing from Python (ops/advanced_index.cpp): t[idx], t[[0, 2]], t[:, idx],
// t[i1, i2], masks among them, the writes t[...] = v, Tensor.index_put(_), torch.nonzero.
#include <pybind11/stl.h>

#include "bindings/bindings.h"
#include "bindings/convert.h"
#include "ops/sort.h"

namespace pyag {
namespace {

std::string type_name(py::handle h) {
  return py::str(py::type::of(h).attr("__name__")).cast<std::string>();
}

// A list, range or NumPy array used as an index: an int64 tensor, or a bool mask.
Tensor list_index(py::handle h, const char* op) {
  static py::object asarray = py::module_::import("numpy").attr("asarray");
  py::array arr = asarray(h);
  const char k = arr.dtype().kind();
  if (k == 'b') return copy_numpy(arr, DType::Bool, op);
  if (k == 'i' || k == 'u' || arr.size() == 0) return copy_numpy(arr, DType::Int64, op);
  fail<IndexError>(op,
                   "tensors used as indices must be int64 (long) or bool tensors; a list or array "
                   "of NumPy kind '",
                   std::string(1, k), "' is neither");
}

IndexEntry entry(py::handle h, const char* op) {
  IndexEntry e;
  if (py::isinstance<TensorImpl>(h)) {
    e.tensor = h.cast<Tensor>();
  } else if (PyBool_Check(h.ptr())) {
    e.tensor = scalar_tensor(h.ptr() == Py_True ? 1 : 0, DType::Bool);
  } else if (PyList_Check(h.ptr()) || PyRange_Check(h.ptr()) || py::isinstance<py::array>(h)) {
    e.tensor = list_index(h, op);  // a range too, as PyTorch: t[range(n), targets]
  } else {
    std::vector<IndexItem> one;
    if (!parse_basic_index(h, one) || one.size() != 1)
      fail<IndexError>(op,
                       "only integers, slices (`:`), ellipsis (`...`), None, int64 or bool "
                       "tensors and lists of them are valid indices, got ",
                       type_name(h));
    e.item = one[0];
  }
  return e;
}

std::vector<IndexEntry> parse_entries(py::handle idx, const char* op) {
  std::vector<IndexEntry> r;
  if (PyTuple_Check(idx.ptr())) {
    for (py::handle h : py::reinterpret_borrow<py::tuple>(idx)) r.push_back(entry(h, op));
  } else {
    r.push_back(entry(idx, op));
  }
  return r;
}

bool has_tensor(const std::vector<IndexEntry>& es) {
  for (const IndexEntry& e : es)
    if (e.tensor) return true;
  return false;
}

// Tensor.index_put's indices: a tuple (or list) of tensors, None for a full slice.
std::vector<IndexEntry> parse_indices(py::handle indices, const char* op) {
  if (!PyTuple_Check(indices.ptr()) && !PyList_Check(indices.ptr()))
    fail<TypeError>(op, "indices must be a tuple of tensors, got ", type_name(indices));
  std::vector<IndexEntry> r;
  for (py::handle h : py::reinterpret_borrow<py::sequence>(indices)) {
    IndexEntry e;
    if (h.is_none()) {
      e.item = IndexItem{IndexItem::Slice, kNone, kNone, 1};
    } else if (py::isinstance<TensorImpl>(h)) {
      e.tensor = h.cast<Tensor>();
    } else {
      fail<TypeError>(op, "indices must be tensors (or None), got ", type_name(h));
    }
    r.push_back(e);
  }
  if (!has_tensor(r)) fail<IndexError>(op, "expected at least one index tensor");
  return r;
}

// The values of an assignment: a number (as a's dtype) or a tensor.
Tensor put_values(const Tensor& a, py::handle values, const char* op) {
  Scalar s;
  if (to_scalar(values, s)) {
    check_fits(s, a->dtype, op);
    return scalar_tensor(element_value(s, a->dtype), a->dtype);
  }
  if (!py::isinstance<TensorImpl>(values))
    fail<TypeError>(op, "can only assign a number or a tensor, got ", type_name(values));
  return values.cast<Tensor>();
}

}  // namespace

py::object getitem_advanced(const Tensor& a, py::handle idx) {
  std::vector<IndexEntry> es = parse_entries(idx, "index");
  if (!has_tensor(es)) {  // basic after all (e.g. a tuple holding a NumPy integer)
    std::vector<IndexItem> items;
    for (const IndexEntry& e : es) items.push_back(e.item);
    return py::cast(index(a, items));
  }
  return py::cast(index_advanced(a, es));
}

void setitem_advanced(const Tensor& a, py::handle idx, py::handle value) {
  std::vector<IndexEntry> es = parse_entries(idx, "setitem");
  if (!has_tensor(es)) fail<IndexError>("setitem", "unsupported index of type ", type_name(idx));
  index_put_(a, es, put_values(a, value, "setitem"), false);
}

void init_indexing(TensorClass& c, py::module_& m) {
  const char* put_doc =
      "index_put(input, indices, values, accumulate=False): a copy of input with values "
      "written at the elements the tuple of index tensors picks (accumulate: added, repeated "
      "indices summing; else the last write of a repeated index wins).";
  auto put = [](const Tensor& a, py::handle indices, py::handle values, bool accumulate) {
    return index_put(a, parse_indices(indices, "index_put"), put_values(a, values, "index_put"),
                     accumulate);
  };
  m.def("index_put", put, py::arg("input"), py::arg("indices"), py::arg("values"),
        py::arg("accumulate") = false, put_doc);
  c.def("index_put", put, py::arg("indices"), py::arg("values"), py::arg("accumulate") = false,
        put_doc);
  c.def(
      "index_put_",
      [](const Tensor& a, py::handle indices, py::handle values, bool accumulate) {
        return index_put_(a, parse_indices(indices, "index_put_"),
                          put_values(a, values, "index_put_"), accumulate);
      },
      py::arg("indices"), py::arg("values"), py::arg("accumulate") = false,
      "index_put_(indices, values, accumulate=False): index_put in place.");
  const char* aw_doc = "argwhere(input): nonzero(input) (the coordinates, one row each).";
  m.def("argwhere", [](const Tensor& a) { return nonzero(a); }, py::arg("input"), aw_doc);
  c.def("argwhere", [](const Tensor& a) { return nonzero(a); }, aw_doc);
}

}  // namespace pyag
