// The one stride-walking loop. Operands (operand 0 is the output) are viewed in the output's
// shape with byte strides (0 along broadcast dims); adjacent dims that are contiguous in every
// operand are merged, and the innermost dim is handed to a kernel as (pointers, strides, n).
#pragma once
#include <algorithm>
#include <cstdint>
#include <vector>

#include "kernels/parallel.h"
#include "tensor/tensor.h"

namespace pyag {

constexpr int kMaxOperands = 5;

struct Loop {
  int ndim = 0;
  int nops = 0;
  // Only the first ndim dims of the first nops operands are meaningful (and initialized): a
  // loop is made per kernel call, so it does not clear the rest.
  int64_t shape[kMaxDims];
  int64_t strides[kMaxOperands][kMaxDims];  // bytes
  char* ptr[kMaxOperands];

  // A loop over `shape` with no operands yet: add them all, then coalesce().
  static Loop over(const Dims& shape);
  // As over(), in place: this loop restarts over `shape` with no operands.
  void start(const Dims& shape);
  // Adds an operand viewed in `shape` (the loop's shape): right-aligned broadcasting.
  void add(char* p, const Dims& op_shape, const Dims& op_strides, size_t isz);
  void add(const Tensor& t) { add(t->data(), t->shape, t->strides, itemsize(t->dtype)); }
  void add_scalar(const void* p) { add(const_cast<char*>(static_cast<const char*>(p)), {}, {}, 0); }
  void coalesce();
  int64_t numel() const {
    int64_t n = 1;
    for (int d = 0; d < ndim; ++d) n *= shape[d];
    return n;
  }

  // f(char** ptrs, const int64_t* inner_strides, int64_t n), once per innermost row.
  template <class F>
  void run(F&& f) const {
    int64_t n = numel();
    if (n == 0) return;
    char* p[kMaxOperands] = {};
    int64_t s[kMaxOperands] = {};
    for (int k = 0; k < nops; ++k) p[k] = ptr[k], s[k] = ndim ? strides[k][ndim - 1] : 0;
    if (ndim <= 1) {
      f(p, s, ndim ? shape[0] : 1);
      return;
    }
    int64_t idx[kMaxDims] = {};
    const int64_t inner = shape[ndim - 1];
    for (;;) {
      f(p, s, inner);
      int d = ndim - 2;
      for (; d >= 0; --d) {
        for (int k = 0; k < nops; ++k) p[k] += strides[k][d];
        if (++idx[d] < shape[d]) break;
        for (int k = 0; k < nops; ++k) p[k] -= strides[k][d] * shape[d];
        idx[d] = 0;
      }
      if (d < 0) return;
    }
  }

  // As run, over the elements [begin, end) of the loop in row-major order (ndim >= 1): rows
  // cut by the range are handed over in part.
  template <class F>
  void run_range(F&& f, int64_t begin, int64_t end) const {
    int64_t idx[kMaxDims] = {};
    int64_t rest = begin;
    for (int d = ndim - 1; d >= 0; --d) idx[d] = rest % shape[d], rest /= shape[d];
    char* row[kMaxOperands] = {};
    char* p[kMaxOperands] = {};
    int64_t s[kMaxOperands] = {};
    for (int k = 0; k < nops; ++k) {
      row[k] = ptr[k];
      for (int d = 0; d < ndim - 1; ++d) row[k] += idx[d] * strides[k][d];
      s[k] = strides[k][ndim - 1];
    }
    const int64_t inner = shape[ndim - 1];
    int64_t col = idx[ndim - 1], left = end - begin;
    for (;;) {
      const int64_t len = std::min(inner - col, left);
      for (int k = 0; k < nops; ++k) p[k] = row[k] + col * s[k];
      f(p, s, len);
      if ((left -= len) == 0) return;
      col = 0;
      int d = ndim - 2;
      for (; d >= 0; --d) {
        for (int k = 0; k < nops; ++k) row[k] += strides[k][d];
        if (++idx[d] < shape[d]) break;
        for (int k = 0; k < nops; ++k) row[k] -= strides[k][d] * shape[d];
        idx[d] = 0;
      }
    }
  }

  // As run, split across the kernels' threads when the loop is large (parallel.h). Only for
  // kernels whose rows are independent: every output element written once, from inputs that
  // are not written (an elementwise map; in place is fine).
  template <class F>
  void run_parallel(F&& f) const {
    const int64_t n = numel();
    if (n < kParallelMinElements || ndim == 0) return run(f);
    parallel_for(n, kParallelMinElements / 2, [&](int64_t b, int64_t e) { run_range(f, b, e); });
  }
};

// A loop over `shape` with the given tensors as operands, coalesced.
Loop make_loop(const Dims& shape, std::initializer_list<const Tensor*> ops);

// Elementwise entry points visit memory in the output's order: for an output that is dense but
// not row-major (a permuted layout, which pointwise ops keep as PyTorch's TensorIterator does),
// the dims from slowest to fastest in memory; empty when out is row-major already, or has a
// broadcast (stride 0) dim.
inline std::vector<int> memory_perm(const Tensor& out) {
  if (out->numel < 2 || out->contiguous()) return {};
  const int nd = out->dim();
  for (int d = 0; d < nd; ++d)
    if (out->shape[d] > 1 && out->strides[d] == 0) return {};
  std::vector<int> perm(static_cast<size_t>(nd));
  for (int d = 0; d < nd; ++d) perm[static_cast<size_t>(d)] = d;
  std::stable_sort(perm.begin(), perm.end(),
                   [&](int a, int b) { return out->strides[a] > out->strides[b]; });
  return perm;
}
// t viewed in `shape` (right-aligned broadcasting: stride 0 along broadcast dims), its dims taken
// in the order perm: a view of the same elements, for the loop over perm-ordered dims.
inline Tensor permuted_as(const Tensor& t, const Dims& shape, const std::vector<int>& perm) {
  const int nd = shape.size(), off = nd - t->dim();
  Dims sh = Dims::filled(nd, 0), st = Dims::filled(nd, 0);
  for (int j = 0; j < nd; ++j) {
    const int d = perm[static_cast<size_t>(j)], i = d - off;
    sh[j] = shape[d];
    st[j] = i < 0 || (t->shape[i] == 1 && shape[d] != 1) ? 0 : t->strides[i];
  }
  return make_view(t, sh, st, t->offset);
}

}  // namespace pyag
