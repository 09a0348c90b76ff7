#include "kernels/loop.h"

namespace pyag {

void Loop::add(char* p, const Dims& op_shape, const Dims& op_strides, size_t isz) {
  const int k = nops++;
  ptr[k] = p;
  const int lead = ndim - op_shape.size();
  for (int d = 0; d < ndim; ++d) {
    int od = d - lead;
    bool bcast = od < 0 || op_shape[od] == 1;
    strides[k][d] = bcast ? 0 : op_strides[od] * static_cast<int64_t>(isz);
  }
}

void Loop::coalesce() {
  // Drop size-1 dims, then merge an outer dim into its inner neighbour when every operand
  // steps through both as one.
  int out = 0;
  for (int d = 0; d < ndim; ++d) {
    if (shape[d] == 1) continue;
    if (out > 0) {
      bool merge = true;
      for (int k = 0; k < nops && merge; ++k)
        merge = strides[k][out - 1] == strides[k][d] * shape[d];
      if (merge) {
        shape[out - 1] *= shape[d];
        for (int k = 0; k < nops; ++k) strides[k][out - 1] = strides[k][d];
        continue;
      }
    }
    shape[out] = shape[d];
    for (int k = 0; k < nops; ++k) strides[k][out] = strides[k][d];
    ++out;
  }
  ndim = out;
}

void Loop::start(const Dims& dims) {
  nops = 0;
  ndim = dims.size();
  for (int d = 0; d < ndim; ++d) shape[d] = dims[d];
}

Loop Loop::over(const Dims& shape) {
  Loop L;
  L.start(shape);
  return L;
}

Loop make_loop(const Dims& shape, std::initializer_list<const Tensor*> ops) {
  Loop L = Loop::over(shape);
  for (const Tensor* t : ops) L.add(*t);
  L.coalesce();
  return L;
}

}  // namespace pyag
