#include "tensor/tensor.h"

namespace pyag {

AutogradMeta& TensorImpl::meta() {
  if (!autograd) autograd = std::make_shared<AutogradMeta>();
  return *autograd;
}

Tensor empty(const Dims& shape, DType dtype) {
  auto t = std::make_shared<TensorImpl>();
  t->numel = numel_of(shape, "empty");
  int64_t isz = static_cast<int64_t>(itemsize(dtype));
  if (t->numel > (int64_t{1} << 62) / isz)
    fail<MemoryError>("empty", "cannot allocate a tensor of shape ", shape_str(shape));
  t->storage = Storage::allocate(static_cast<size_t>(t->numel * isz));
  t->shape = shape;
  t->strides = contiguous_strides(shape);
  t->dtype = dtype;
  return t;
}

Tensor make_view(const Tensor& base, const Dims& shape, const Dims& strides, int64_t offset) {
  auto t = std::make_shared<TensorImpl>();
  t->storage = base->storage;
  t->shape = shape;
  t->strides = strides;
  t->offset = offset;
  t->numel = numel_of(shape, "view");
  t->dtype = base->dtype;
  return t;
}

Tensor detach(const Tensor& t) { return make_view(t, t->shape, t->strides, t->offset); }

Tensor data_alias(const Tensor& t) {
  Tensor r = detach(t);
  r->storage = Storage::alias(t->storage);
  return r;
}

std::string describe(const Tensor& t) {
  return cat(dtype_name(t->dtype), " tensor of shape ", shape_str(t->shape));
}

}  // namespace pyag
