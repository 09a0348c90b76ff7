// A tensor's autograd state as a user changes it: `.data = `, `.grad = `, requires_grad_ and
// retain_grad (detach_ is in autograd/node.h), with PyTorch's rules (leaves only, floating dtypes
// only, ...). The Python bindings only convert their arguments and call these.
#pragma once
#include "tensor/tensor.h"

namespace pyag {

// `a.data = src`: a takes src's elements (its storage, layout and dtype). Keeps a's own storage,
// version counter included, when src views the same buffer (`p.data -= u` assigns back the alias
// it read). A tensor that requires grad cannot take a non-floating dtype.
void set_data(const Tensor& a, const Tensor& src);
// `a.grad = g`; an empty g clears it (`a.grad = None`). g must have a's shape and dtype.
void set_grad(const Tensor& a, const Tensor& g);
// `a.requires_grad_(on)` (`op` names the caller in errors): only a leaf's flag can change, and
// only a floating point tensor can require grad. A non-leaf already requires grad: on = true is
// a no-op there, on = false an error.
void set_requires_grad(const Tensor& a, bool on, const char* op = "requires_grad_");
// `a.retain_grad()`: a non-leaf keeps its .grad after backward; a no-op on a leaf, an error on
// a tensor that does not require grad.
void retain_grad(const Tensor& a);

}  // namespace pyag
