// Sorting and selection (ops/sort.h) and diagonals (ops/diagonal.h) as private _core functions;
// pyautograd/_sorting.py and _matrix.py give them PyTorch's signatures and return types
// (torch.return_types.sort, ...).
#include "ops/sort.h"

#include <pybind11/stl.h>

#include "bindings/bindings.h"
#include "bindings/convert.h"
#include "ops/diagonal.h"

namespace pyag {

void init_sort(py::module_& m) {
  m.def(
      "_sort",
      [](const Tensor& a, int64_t dim, bool descending) { return sort(a, dim, descending); },
      "(values, indices) of input sorted along dim (stable; NaN largest).", py::arg("input"),
      py::arg("dim"), py::arg("descending"));
  m.def(
      "_topk",
      [](const Tensor& a, int64_t k, int64_t dim, bool largest) {
        return topk(a, k, dim, largest);
      },
      "(values, indices) of the k largest (or smallest) elements along dim, sorted.",
      py::arg("input"), py::arg("k"), py::arg("dim"), py::arg("largest"));
  m.def(
      "_kthvalue",
      [](const Tensor& a, int64_t k, int64_t dim, bool keepdim) {
        return kthvalue(a, k, dim, keepdim);
      },
      "(values, indices) of the k-th smallest element along dim.", py::arg("input"), py::arg("k"),
      py::arg("dim"), py::arg("keepdim"));
  m.def(
      "_median_dim",
      [](const Tensor& a, int64_t dim, bool keepdim) { return median(a, dim, keepdim); },
      "(values, indices) of the lower median along dim.", py::arg("input"), py::arg("dim"),
      py::arg("keepdim"));
  m.def(
      "_median", [](const Tensor& a) { return median(a); },
      "The lower median of all elements (NaN if any is NaN).", py::arg("input"));
  m.def(
      "_nonzero", [](const Tensor& a) { return nonzero(a); },
      "The (count, input.dim()) int64 coordinates of the nonzero elements.", py::arg("input"));
  m.def(
      "_unique",
      [](const Tensor& a) {
        UniqueResult r = unique(a);
        return py::make_tuple(r.values, r.inverse, r.counts);
      },
      "(sorted distinct values, inverse indices, counts) of input's elements.", py::arg("input"));
  m.def(
      "_bincount",
      [](const Tensor& a, std::optional<Tensor> weights, int64_t minlength) {
        return bincount(a, weights, minlength);
      },
      "Counts (or summed weights) of each value of a 1-d non-negative integer tensor.",
      py::arg("input"), py::arg("weights"), py::arg("minlength"));
  m.def(
      "_diagonal",
      [](const Tensor& a, int64_t offset, int64_t dim1, int64_t dim2) {
        return diagonal(a, offset, dim1, dim2);
      },
      "A view of the diagonal `offset` of dims dim1, dim2 (removed; the diagonal is last).",
      py::arg("input"), py::arg("offset"), py::arg("dim1"), py::arg("dim2"));
  m.def(
      "_diag_embed",
      [](const Tensor& a, int64_t offset, int64_t dim1, int64_t dim2) {
        return diag_embed(a, offset, dim1, dim2);
      },
      "A zero tensor with input's last dimension on the diagonal `offset` of dims dim1, dim2.",
      py::arg("input"), py::arg("offset"), py::arg("dim1"), py::arg("dim2"));
}

}  // namespace pyag
