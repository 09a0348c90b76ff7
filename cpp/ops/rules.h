// Rules the Python bindings used to decide, for the ops that need them (indexing, scatter,
// serialization's load, Tensor.backward's options). Kept out of ops/ops.h so that only the files
// using them see them.
#pragma once
#include <string>
#include <vector>

#include "ops/ops.h"

namespace pyag {

// The legacy Variable API's loss.data[0]: true when items are [0] or [-1] on a 0-d tensor, which
// then reads as its value (PyTorch raises; pyautograd keeps the old programs running).
bool reads_0d_value(const Tensor& a, const std::vector<IndexItem>& items);

// scatter with reduce="add": repeated indices sum into a's values.
Tensor scatter(const Tensor& a, int64_t dim, const Tensor& index, const Tensor& src,
               bool accumulate);
Tensor scatter(const Tensor& a, int64_t dim, const Tensor& index, Scalar value, bool accumulate);
// scatter's reduce= argument: "add" accumulates; the others (multiply, ...) are refused.
bool scatter_accumulates(const std::string& reduce, const char* op);
// A value= given as a tensor (scatter, index_fill): its number, when it is 0-d and does not
// require grad.
Scalar value_number(const Tensor& value, const char* op);

// A view of base's storage with this layout, checked to lie within the storage (for a layout
// read from a file: serialization's load).
Tensor as_strided_checked(const Tensor& base, const Dims& shape, const Dims& strides,
                          int64_t offset, const char* op);

// Tensor.backward(gradient, retain_graph, create_graph, inputs): create_graph=True
// (higher-order gradients) and inputs= (use autograd.grad) are refused, then the pass runs.
void tensor_backward(const Tensor& root, const std::vector<Tensor>& grads, bool retain_graph,
                     bool create_graph, bool inputs_given);

}  // namespace pyag
