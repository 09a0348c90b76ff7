// PyTorch's model of views changed in place. Every view op's result remembers its base
// (tensor/tensor.h: ViewOf) and the storage version counter is shared by the base and all its
// views. An in-place op on a view that autograd records is written into the base's history as
// one CopySlices node (the base's old history outside the view, the op's result inside it); an
// in-place op on the base or on any view bumps the shared version, and a view whose version is
// stale gets a fresh AsStridedBackward node from its base's current history the next time its
// grad_fn is read. So a view always differentiates through the values it holds now.
#pragma once
#include <memory>

#include "tensor/tensor.h"

namespace pyag {

struct Node;

// The grad_fn of a view (TensorImpl::grad_fn for tensors with a ViewOf): remade from the base
// when the shared version moved since it was made. Throws for a view made under no_grad whose
// memory was changed in place since (PyTorch's rule: that case is ambiguous).
const std::shared_ptr<Node>& view_grad_fn(TensorImpl& v);

// Refuses an in-place change of view `self` that autograd must record where PyTorch does (a
// view made under no_grad, a view of a leaf that requires grad).
void check_view_inplace(const Tensor& self, bool self_requires_grad, const char* op);

// Records that view `self` was overwritten by `result` (same shape, already written): the
// base's grad_fn becomes a CopySlices node; self's grad_fn is remade from it when next read.
void rebase_view_history(const Tensor& self, const Tensor& result);

}  // namespace pyag
