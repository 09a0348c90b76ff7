// One init_* per binding file.
#pragma once
#include <pybind11/pybind11.h>

#include "autograd/state.h"  // set_data, set_grad, set_requires_grad (the bindings' setters)
#include "tensor/tensor.h"

namespace py = pybind11;

namespace pyag {

using TensorClass = py::class_<TensorImpl, Tensor>;

void init_tensor(py::module_& m);
void init_tensor_ops(TensorClass& c);              // called by init_tensor (tensor_ops.cpp)
void init_shape(TensorClass& c, py::module_& m);   // cat, split, flip, ... (shape.cpp)
void init_gather(TensorClass& c, py::module_& m);  // gather, scatter, index_* (gather.cpp)
// Advanced indexing (indexing.cpp): index_put, nonzero, and what t[...] does with index
// tensors and lists.
void init_indexing(TensorClass& c, py::module_& m);
py::object getitem_advanced(const Tensor& a, py::handle idx);
void setitem_advanced(const Tensor& a, py::handle idx, py::handle value);
// After init_tensor: constructors, subclasses, default dtype (tensor_new.cpp).
void init_tensor_new(py::module_& m);
void init_serialization(py::module_& m);  // storage access for save/load (serialization.cpp)
void init_nn(py::module_& m);             // fused losses and normalization (nn.cpp)
void init_optim(py::module_& m);          // fused optimizer steps (optim.cpp)
void init_conv(py::module_& m);           // convolution, pooling, padding (conv.cpp)
// The declared ops' methods, functions and op table (declared.cpp).
void init_declared(TensorClass& c, py::module_& m);
void init_functions(py::module_& m);
// softmax, dot/outer/addmm/baddbmm and the random ops of issue 9 (ops_more.cpp).
void init_ops_more(TensorClass& c, py::module_& m);
// Generator, the global generator and the random ops (random.cpp).
void init_random(TensorClass& c, py::module_& m);
void init_autograd(py::module_& m);
// A backward node as Python sees it: of the Node subclass named after it (autograd.cpp).
py::object node_object(const std::shared_ptr<Node>& n);
// Tensor.register_hook, register_post_accumulate_grad_hook, RemovableHandle (hooks.cpp).
void init_hooks(TensorClass& c, py::module_& m);
// The declared reductions and scans (ops/reduce_ops.h): methods, functions, op table rows
// (reduce.cpp).
void init_reduce(TensorClass& c, py::module_& m);
// Appends a row to _core._op_table() (and the name to _core.__all__ for a kPyFunction op).
void add_op_row(const char* family, const char* name, const char* doc, const char* differentiable,
                uint8_t python, py::list params);
// The Tensor type's tp_traverse/tp_clear, which also see hooks' Python callables (hooks.cpp).
void tensor_type_setup(PyHeapTypeObject* heap);
void init_dlpack(py::module_& m);  // after init_tensor: Tensor.__dlpack__ (dlpack.cpp)
void init_sort(py::module_& m);    // sorting and selection (sort.cpp)
// After init_tensor: CPython slots and descriptors for the hottest calls (fast.cpp).
void init_fast_paths(py::module_& m);
void init_capture(py::module_& m);  // pyautograd.compile's recorder and tapes (capture.cpp)
// After init_tensor: clamp/clip/clamp_min/clamp_max accept tensor bounds (clamp_tensor.cpp).
void init_clamp_tensor(py::module_& m);

// Declared binary op `op` (its index in PYAG_BINARY_OPS) of a and other (a tensor or a number;
// TypeError otherwise); reflected: other op a.
Tensor binary_op(int op, const Tensor& a, py::handle other, bool reflected);
Tensor inplace_op(int op, const Tensor& a, py::handle other);
const char* binary_name(int op);
// Sets the Python error for a C++ exception, as the module's translator does.
void set_python_error(std::exception_ptr e);

}  // namespace pyag
