// The tensor handle: a shared storage seen through (shape, strides, offset), all in elements,
// plus optional autograd state. Views share the storage; `Tensor` is a shared_ptr so that a
// Python object and the graph can hold the same tensor.
#pragma once
#include <memory>
#include <string>

#include "tensor/dtype.h"
#include "tensor/error.h"
#include "tensor/shape.h"
#include "tensor/storage.h"

namespace pyag {

struct Node;
struct HookList;  // autograd/hooks.h
struct TensorImpl;
using Tensor = std::shared_ptr<TensorImpl>;

struct AutogradMeta {
  bool requires_grad = false;
  bool retains_grad = false;
  Tensor grad;
  std::shared_ptr<Node> grad_fn;
  std::shared_ptr<HookList> hooks;  // a leaf's hooks (a non-leaf's are on its grad_fn)
};

// What a view op's result remembers of its base (PyTorch's differentiable views): the base
// (never itself a view: a view of a view shares its base), whether it was made with grad mode
// off, and the storage version its grad_fn was made for. An in-place change of the base or of
// any of its views bumps the shared version; the view's grad_fn is then remade from the base's
// history (autograd/views.cpp), so the view always differentiates through its current values.
struct ViewOf {
  Tensor base;
  uint64_t version = 0;
  bool no_grad = false;
};

struct TensorImpl {
  std::shared_ptr<Storage> storage;
  Dims shape, strides;
  int64_t offset = 0;
  int64_t numel = 0;
  DType dtype = DType::Float32;
  bool is_view = false;  // made by a view op: shares its storage with a base tensor
  ViewOf view;           // view.base is set with is_view by view ops (ops/shape_ops.cpp:new_view)
  std::shared_ptr<AutogradMeta> autograd;

  int dim() const { return shape.size(); }
  bool contiguous() const { return is_contiguous(shape, strides); }
  char* data() const {
    return static_cast<char*>(storage->data) + offset * static_cast<int64_t>(itemsize(dtype));
  }
  template <class T>
  T* data_as() const {
    return reinterpret_cast<T*>(data());
  }
  // A view requires grad when its base does (even a view made under no_grad).
  bool requires_grad() const {
    return (autograd && autograd->requires_grad) || (view.base && view.base->requires_grad());
  }
  // A view's grad_fn is remade here when its base or another view changed in place. Defined by
  // the autograd layer (autograd/views.cpp), which tensor/ does not include.
  const std::shared_ptr<Node>& grad_fn() const;
  bool is_leaf() const { return !grad_fn(); }
  AutogradMeta& meta();  // creates the autograd state on first use
  void bump_version() { storage->version++; }
};

// A new tensor of uninitialized elements (no autograd). zeros and full run a kernel, and so
// are ops (ops/ops.h).
Tensor empty(const Dims& shape, DType dtype);
// A new tensor on an existing storage.
Tensor make_view(const Tensor& base, const Dims& shape, const Dims& strides, int64_t offset);
// The same elements with no autograd state; shares storage and version counter.
Tensor detach(const Tensor& t);
// The same elements with no autograd state and a version counter of its own (`.data`).
Tensor data_alias(const Tensor& t);

std::string describe(const Tensor& t);  // "float32 tensor of shape (3, 4)"

}  // namespace pyag
