// Rearranging copies: flip, roll, repeat and tile (new tensors, as in PyTorch), and movedim (a
// view: a permutation of the dims).
#include <algorithm>

#include "autograd/node.h"
#include "kernels/elementwise.h"
#include "ops/ops.h"

namespace pyag {
namespace {

struct FlipBackward : Node {
  std::vector<int64_t> dims;
  const char* name() const override { return "FlipBackward0"; }
  bool apply_is_differentiable() const override { return true; }
  std::vector<Tensor> apply(const Tensor& g) override { return {flip(g, dims)}; }
};

// repeat: the output, seen as (r0, s0, r1, s1, ...), is the input broadcast along the r dims;
// the gradient sums over them.
struct RepeatBackward : Node {
  Dims in_shape, split_shape;
  std::vector<int64_t> repeat_dims;
  const char* name() const override { return "RepeatBackward0"; }
  bool apply_is_differentiable() const override { return true; }
  std::vector<Tensor> apply(const Tensor& g) override {
    return {reshape(sum(reshape(g, split_shape), repeat_dims, false), in_shape)};
  }
};

Tensor roll_one(const Tensor& a, int d, int64_t shift) {
  const int64_t n = a->shape[d];
  const int64_t s = n ? ((shift % n) + n) % n : 0;
  if (s == 0) return clone(a);
  return concat({narrow(a, d, n - s, s), narrow(a, d, 0, n - s)}, d, "roll");
}

}  // namespace

Tensor flip(const Tensor& a, const std::vector<int64_t>& dims) {
  std::vector<int> w = wrap_dims(dims, a->dim(), "flip");
  // The input seen backwards along the flipped dims (negative strides: an internal view that
  // never leaves this function), copied in order.
  Dims st = a->strides;
  int64_t off = a->offset;
  for (int d : w) {
    if (a->shape[d] > 1) off += (a->shape[d] - 1) * a->strides[d];
    st[d] = -st[d];
  }
  Tensor out = empty(a->shape, a->dtype);
  if (a->numel) copy_into(out, make_view(a, a->shape, st, off));
  if (auto n = record<FlipBackward>({&a}, out)) n->dims = dims;
  return out;
}

Tensor roll(const Tensor& a, const std::vector<int64_t>& shifts, const std::vector<int64_t>& dims) {
  if (dims.empty()) {
    if (shifts.size() != 1)
      fail("roll", "without dims, shifts must be a single number, got ", shifts.size(), " shifts");
    return reshape(roll_one(reshape(a, Dims{-1}), 0, shifts[0]), a->shape);
  }
  if (shifts.size() != dims.size())
    fail("roll", "shifts and dims must align: ", shifts.size(), " shifts and ", dims.size(),
         " dims");
  if (a->dim() == 0)
    fail<IndexError>("roll", "dimension specified as ", dims[0],
                     " but the tensor has no dimensions");
  Tensor r = a;
  for (size_t i = 0; i < dims.size(); ++i)
    r = roll_one(r, wrap_dim(dims[i], a->dim(), "roll"), shifts[i]);
  return r;
}

Tensor repeat(const Tensor& a, const Dims& repeats) {
  const int n = repeats.size();
  if (n < a->dim())
    fail("repeat", "the number of repeat dims (", n,
         ") can not be smaller than the number of dimensions of the tensor ", shape_str(a->shape));
  if (2 * n > kMaxDims)
    fail("repeat", "at most ", kMaxDims / 2, " repeat dims are supported, got ", n);
  Dims out_shape, split_shape, src_shape, src_strides;
  std::vector<int64_t> repeat_dims;
  const int lead = n - a->dim();
  for (int i = 0; i < n; ++i) {
    if (repeats[i] < 0) fail("repeat", "repeats must be non-negative, got ", shape_str(repeats));
    const int64_t s = i >= lead ? a->shape[i - lead] : 1;
    out_shape.push_back(repeats[i] * s);
    split_shape.push_back(repeats[i]), split_shape.push_back(s);
    src_shape.push_back(repeats[i]), src_shape.push_back(s);
    src_strides.push_back(0), src_strides.push_back(i >= lead ? a->strides[i - lead] : 0);
    repeat_dims.push_back(2 * i);
  }
  numel_of(out_shape, "repeat");
  Tensor out = empty(out_shape, a->dtype);
  if (out->numel)
    copy_into(make_view(out, split_shape, contiguous_strides(split_shape), 0),
              make_view(a, src_shape, src_strides, a->offset));
  if (auto node = record<RepeatBackward>({&a}, out)) {
    node->in_shape = a->shape;
    node->split_shape = split_shape;
    node->repeat_dims = repeat_dims;
  }
  return out;
}

Tensor tile(const Tensor& a, const Dims& reps) {
  Dims r = reps;
  while (r.size() < a->dim()) r.insert(0, 1);
  return repeat(a, r);
}

Tensor movedim(const Tensor& a, const std::vector<int64_t>& source,
               const std::vector<int64_t>& destination) {
  if (source.size() != destination.size())
    fail("movedim", "source (", source.size(), " dims) and destination (", destination.size(),
         " dims) must have the same number of dims");
  const int n = a->dim();
  std::vector<int> src = wrap_dims(source, n, "movedim");
  std::vector<int> dst = wrap_dims(destination, n, "movedim");
  if (n == 0) return permute(a, {});
  std::vector<int64_t> perm(static_cast<size_t>(n), -1);
  std::vector<bool> used(static_cast<size_t>(n), false);
  for (size_t i = 0; i < src.size(); ++i) {
    perm[static_cast<size_t>(dst[i])] = src[i];
    used[static_cast<size_t>(src[i])] = true;
  }
  int next = 0;
  for (int64_t& p : perm) {
    if (p >= 0) continue;
    while (used[static_cast<size_t>(next)]) ++next;
    p = next++;
  }
  return permute(a, perm);
}

}  // namespace pyag
