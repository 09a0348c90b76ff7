// alias(): a new tensor handle on the same elements that stays in the autograd graph (the
// gradient passes through unchanged). Used by as_subclass and the legacy Tensor(t) constructor.
#pragma once
#include "tensor/tensor.h"

namespace pyag {

Tensor alias(const Tensor& a);

}  // namespace pyag
