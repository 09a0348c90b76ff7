#include "tensor/tensor.h"

#include <cstring>

#include "autograd/node.h"
#include "autograd/views.h"
#include "capture/hooks.h"
#include "kernels/elementwise.h"

namespace pyag {

const std::shared_ptr<Node>& TensorImpl::grad_fn() const {
  static const std::shared_ptr<Node> none;
  if (view.base) return view_grad_fn(const_cast<TensorImpl&>(*this));  // a lazily remade cache
  return autograd ? autograd->grad_fn : none;
}

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

Tensor zeros(const Dims& shape, DType dtype) {
  Tensor t = empty(shape, dtype);
  if (capture::active())
    fill(t, 0.0);  // recorded, so that replay zeroes it too
  else
    std::memset(t->storage->data, 0, t->storage->nbytes);
  return t;
}

Tensor full(const Dims& shape, double value, DType dtype) {
  Tensor t = empty(shape, dtype);
  fill(t, value);
  return t;
}

Tensor scalar_tensor(double value, DType dtype) { return full(Dims{}, value, dtype); }

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

double get_double(const Tensor& t, const Dims& index) {
  capture::refuse(".item()/float()/bool()/int()/tolist()/printing of a tensor",
                  "it reads a value into Python, which replay does not run");
  int64_t off = 0;
  for (int i = 0; i < index.size(); ++i) off += index[i] * t->strides[i];
  const char* p = t->data() + off * static_cast<int64_t>(itemsize(t->dtype));
  return dispatch(t->dtype, [&](auto v) {
    using T = decltype(v);
    T x;
    std::memcpy(&x, p, sizeof(T));
    return static_cast<double>(x);
  });
}

std::string describe(const Tensor& t) {
  return cat(dtype_name(t->dtype), " tensor of shape ", shape_str(t->shape));
}

}  // namespace pyag
