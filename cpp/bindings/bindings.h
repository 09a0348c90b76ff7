// One init_* per binding file.
#pragma once
#include <pybind11/pybind11.h>

#include "tensor/tensor.h"

namespace py = pybind11;

namespace pyag {

void init_tensor(py::module_& m);
void init_functions(py::module_& m);
void init_autograd(py::module_& m);
void set_requires_grad(const Tensor& a, bool on);
void set_data(const Tensor& a, const Tensor& src);

}  // namespace pyag
