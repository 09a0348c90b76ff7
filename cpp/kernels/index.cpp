// Gather and scatter loops along one dim (see kernels/index.h).
#include "kernels/index.h"

#include "capture/hooks.h"
#include "kernels/loop.h"

namespace pyag {
namespace {

// `t` seen in `shape` with its own strides, except 0 along `dim` (the index picks that one).
Tensor along(const Tensor& t, const Dims& shape, int dim) {
  Dims st = Dims::filled(shape.size(), 0);
  for (int d = 0; d < shape.size(); ++d)
    if (d != dim) st[d] = t->strides[d];
  return make_view(t, shape, st, t->offset);
}

inline int64_t load_index(const char* p, int64_t size, bool wrap) {
  int64_t k = *reinterpret_cast<const int64_t*>(p);
  return wrap && k < 0 ? k + size : k;
}

}  // namespace

bool index_out_of_range(const Tensor& index, int64_t size, bool wrap_negative, int64_t& bad) {
  // Under capture the check is recorded: replay repeats it on the new indices and raises
  // (before any kernel reads out of bounds).
  capture::Waist rec;
  if (rec)
    rec->kernel("index_check", {capture::R(index)}, [=](const Tensor* t) {
      int64_t b = 0;
      if (index_out_of_range(t[0], size, wrap_negative, b))
        fail<IndexError>("compile", "replay: index ", b,
                         " is out of bounds for a dimension of size ", size);
    });
  const int64_t lo = wrap_negative ? -size : 0;
  bool found = false;
  Loop L = make_loop(index->shape, {&index});
  L.run([&](char** p, const int64_t* s, int64_t n) {
    if (found) return;
    for (int64_t i = 0; i < n; ++i) {
      const int64_t k = *reinterpret_cast<const int64_t*>(p[0] + i * s[0]);
      if (k < lo || k >= size) {
        bad = k;
        found = true;
        return;
      }
    }
  });
  return found;
}

void gather_into(const Tensor& out, const Tensor& src, int dim, const Tensor& index,
                 bool wrap_negative) {
  capture::Waist rec;
  if (rec)
    rec->kernel("gather", {capture::W(out), capture::R(src), capture::R(index)},
                [=](const Tensor* t) { gather_into(t[0], t[1], dim, t[2], wrap_negative); });
  if (src->dtype != out->dtype)
    fail("gather", "internal: src (", dtype_name(src->dtype), ") must have out's dtype (",
         dtype_name(out->dtype), ")");
  if (out->numel == 0) return;
  const int64_t size = src->shape[dim];
  const int64_t step = src->strides[dim] * static_cast<int64_t>(itemsize(src->dtype));
  Tensor s = along(src, out->shape, dim);
  Loop L = make_loop(out->shape, {&out, &index, &s});
  dispatch(out->dtype, [&](auto v) {
    using T = decltype(v);
    L.run([&](char** p, const int64_t* st, int64_t n) {
      for (int64_t i = 0; i < n; ++i) {
        const int64_t k = load_index(p[1] + i * st[1], size, wrap_negative);
        *reinterpret_cast<T*>(p[0] + i * st[0]) =
            *reinterpret_cast<const T*>(p[2] + i * st[2] + k * step);
      }
    });
  });
}

void scatter_into(const Tensor& self, int dim, const Tensor& index, const Tensor& src,
                  bool accumulate, bool wrap_negative) {
  capture::Waist rec;
  if (rec)
    rec->kernel(
        "scatter", {capture::RW(self), capture::R(index), capture::R(src)},
        [=](const Tensor* t) { scatter_into(t[0], dim, t[1], t[2], accumulate, wrap_negative); });
  if (src->dtype != self->dtype)
    fail("scatter", "internal: src (", dtype_name(src->dtype), ") must have self's dtype (",
         dtype_name(self->dtype), ")");
  if (index->numel == 0) return;
  const int64_t size = self->shape[dim];
  const int64_t step = self->strides[dim] * static_cast<int64_t>(itemsize(self->dtype));
  Tensor d = along(self, index->shape, dim);
  Loop L = make_loop(index->shape, {&d, &index, &src});
  dispatch(self->dtype, [&](auto v) {
    using T = decltype(v);
    L.run([&](char** p, const int64_t* st, int64_t n) {
      for (int64_t i = 0; i < n; ++i) {
        const int64_t k = load_index(p[1] + i * st[1], size, wrap_negative);
        T* o = reinterpret_cast<T*>(p[0] + i * st[0] + k * step);
        const T x = *reinterpret_cast<const T*>(p[2] + i * st[2]);
        if (accumulate) {
          if constexpr (std::is_same_v<T, bool>)
            *o = *o || x;
          else
            *o = static_cast<T>(*o + x);
        } else {
          *o = x;
        }
      }
    });
  });
}

void index_offsets_add(const Tensor& offsets, const Tensor& index, int64_t size, int64_t stride) {
  capture::Waist rec;
  if (rec)
    rec->kernel("index_offsets", {capture::RW(offsets), capture::R(index)},
                [=](const Tensor* t) { index_offsets_add(t[0], t[1], size, stride); });
  Loop L = make_loop(offsets->shape, {&offsets, &index});
  L.run([&](char** p, const int64_t* s, int64_t n) {
    for (int64_t i = 0; i < n; ++i) {
      const int64_t k = load_index(p[1] + i * s[1], size, true);
      *reinterpret_cast<int64_t*>(p[0] + i * s[0]) += k * stride;
    }
  });
}

}  // namespace pyag
