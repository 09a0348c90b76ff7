#include "autograd/state.h"

#include "autograd/node.h"

namespace pyag {

void set_data(const Tensor& a, const Tensor& src) {
  if (src->storage->data != a->storage->data || src->storage->nbytes != a->storage->nbytes) {
    if (a->requires_grad() && !is_floating(src->dtype))
      fail("data", "cannot assign a ", dtype_name(src->dtype),
           " tensor to the data of a tensor that requires grad");
    a->storage = src->storage;
  }
  a->shape = src->shape, a->strides = src->strides, a->dtype = src->dtype;
  a->offset = src->offset, a->numel = src->numel;
}

void set_grad(const Tensor& a, const Tensor& g) {
  if (g && (g->shape != a->shape || g->dtype != a->dtype))
    fail("grad", "assigned grad has ", describe(g), " but the tensor is ", describe(a));
  if (g || a->autograd) a->meta().grad = g;
}

void set_requires_grad(const Tensor& a, bool on, const char* op) {
  if (!a->is_leaf()) {
    if (!on)
      fail(op,
           "you can only change requires_grad flags of leaf variables; use "
           "detach() to get a tensor that does not require grad");
    return;
  }
  if (on && !is_floating(a->dtype))
    fail(op, "only tensors of floating point dtype can require gradients, got ",
         dtype_name(a->dtype));
  if (on || a->autograd) a->meta().requires_grad = on;
}

void retain_grad(const Tensor& a) {
  if (!a->requires_grad())
    fail("retain_grad", "can't retain_grad on a tensor that has requires_grad=False");
  // PyTorch reads the history a view has now (not remade): a view made under no_grad that has
  // none yet is a leaf here, even when its base has changed since (grad_fn would raise).
  if (a->view.base && a->view.no_grad && !(a->autograd && a->autograd->grad_fn)) return;
  if (a->is_leaf()) return;
  a->autograd->retains_grad = true;
  a->grad_fn()->retained = a->autograd;
}

}  // namespace pyag
