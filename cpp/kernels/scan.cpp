// The kernels of prod, cumsum and cumprod (kernels/scan.h).
#include "kernels/scan.h"

#include <type_traits>
#include <vector>

#include "capture/hooks.h"
#include "kernels/loop.h"

namespace pyag {

void prod_into(const Tensor& out, const Tensor& in) {
  capture::Waist rec;
  if (rec)
    rec->kernel("prod", {capture::RW(out), capture::R(in)},
                [=](const Tensor* t) { prod_into(t[0], t[1]); });
  // The waist: a recorder of kernel calls intercepts here (prod, out, in).
  Loop L = make_loop(in->shape, {&out, &in});
  dispatch(in->dtype, [&](auto v) {
    using T = decltype(v);
    using O = std::conditional_t<std::is_floating_point_v<T>, T, int64_t>;
    if (out->dtype != (std::is_floating_point_v<T> ? in->dtype : DType::Int64))
      fail("prod", "internal: output dtype ", dtype_name(out->dtype));
    L.run([&](char** p, const int64_t* s, int64_t n) {
      for (int64_t i = 0; i < n; ++i)
        *reinterpret_cast<O*>(p[0] + i * s[0]) *=
            static_cast<O>(*reinterpret_cast<const T*>(p[1] + i * s[1]));
    });
  });
}

namespace {

// The step of a running sum or product: acc = init, then acc = step(acc, x) along the dim.
struct SumScan {
  static constexpr int init = 0;
  template <class A>
  static A step(A acc, A x) {
    return acc + x;
  }
};
struct ProdScan {
  static constexpr int init = 1;
  template <class A>
  static A step(A acc, A x) {
    return acc * x;
  }
};

// The one walk of cumsum and cumprod: every line along dim, from its start (or its end when
// reverse), out[j] = acc = step(acc, in[j]). Floats accumulate in double, bool and integers
// in int64 (the output dtype).
template <class Scan>
void scan_into(const char* op, const Tensor& out, const Tensor& in, int dim, bool reverse) {
  if (in->numel == 0) return;
  const int64_t len = in->shape[dim];
  Dims outer = in->shape;
  outer[dim] = 1;
  Tensor ov = make_view(out, outer, out->strides, out->offset);
  Tensor iv = make_view(in, outer, in->strides, in->offset);
  Loop L = make_loop(outer, {&ov, &iv});
  dispatch(in->dtype, [&](auto v) {
    using T = decltype(v);
    using O = std::conditional_t<std::is_floating_point_v<T>, T, int64_t>;
    using A = std::conditional_t<std::is_floating_point_v<T>, double, int64_t>;
    if (out->dtype != (std::is_floating_point_v<T> ? in->dtype : DType::Int64))
      fail(op, "internal: output dtype ", dtype_name(out->dtype));
    const int64_t so = out->strides[dim] * static_cast<int64_t>(sizeof(O));
    const int64_t si = in->strides[dim] * static_cast<int64_t>(sizeof(T));
    L.run([&](char** p, const int64_t* s, int64_t n) {
      for (int64_t i = 0; i < n; ++i) {
        char* po = p[0] + i * s[0];
        const char* pi = p[1] + i * s[1];
        A acc = static_cast<A>(Scan::init);
        for (int64_t k = 0; k < len; ++k) {
          const int64_t j = reverse ? len - 1 - k : k;
          acc = Scan::step(acc, static_cast<A>(*reinterpret_cast<const T*>(pi + j * si)));
          *reinterpret_cast<O*>(po + j * so) = static_cast<O>(acc);
        }
      }
    });
  });
}

}  // namespace

void cumsum_into(const Tensor& out, const Tensor& in, int dim, bool reverse) {
  capture::Waist rec;
  if (rec)
    rec->kernel("cumsum", {capture::W(out), capture::R(in)},
                [=](const Tensor* t) { cumsum_into(t[0], t[1], dim, reverse); });
  // The waist: a recorder of kernel calls intercepts here (cumsum, out, in, dim, reverse).
  scan_into<SumScan>("cumsum", out, in, dim, reverse);
}

void cumprod_into(const Tensor& out, const Tensor& in, int dim) {
  capture::Waist rec;
  if (rec)
    rec->kernel("cumprod", {capture::W(out), capture::R(in)},
                [=](const Tensor* t) { cumprod_into(t[0], t[1], dim); });
  // The waist: a recorder of kernel calls intercepts here (cumprod, out, in, dim).
  scan_into<ProdScan>("cumprod", out, in, dim, false);
}

void cumprod_grad_into(const Tensor& out, const Tensor& g, const Tensor& x, int dim) {
  capture::Waist rec;
  if (rec)
    rec->kernel("cumprod_backward", {capture::W(out), capture::R(g), capture::R(x)},
                [=](const Tensor* t) { cumprod_grad_into(t[0], t[1], t[2], dim); });
  // The waist: a recorder of kernel calls intercepts here (cumprod_grad, out, g, x, dim).
  if (x->numel == 0) return;
  const int64_t len = x->shape[dim];
  Dims outer = x->shape;
  outer[dim] = 1;
  Tensor ov = make_view(out, outer, out->strides, out->offset);
  Tensor gv = make_view(g, outer, g->strides, g->offset);
  Tensor xv = make_view(x, outer, x->strides, x->offset);
  Loop L = make_loop(outer, {&ov, &gv, &xv});
  dispatch_float(x->dtype, [&](auto v) {
    using T = decltype(v);
    const int64_t so = out->strides[dim] * static_cast<int64_t>(sizeof(T));
    const int64_t sg = g->strides[dim] * static_cast<int64_t>(sizeof(T));
    const int64_t sx = x->strides[dim] * static_cast<int64_t>(sizeof(T));
    std::vector<double> suffix(static_cast<size_t>(len));
    L.run([&](char** p, const int64_t* s, int64_t n) {
      for (int64_t i = 0; i < n; ++i) {
        char* po = p[0] + i * s[0];
        const char* pg = p[1] + i * s[1];
        const char* px = p[2] + i * s[2];
        auto at = [](const char* base, int64_t k, int64_t st) {
          return static_cast<double>(*reinterpret_cast<const T*>(base + k * st));
        };
        double acc = 0;
        for (int64_t k = len - 1; k >= 0; --k) {
          acc = at(pg, k, sg) + (k + 1 < len ? at(px, k + 1, sx) * acc : 0.0);
          suffix[static_cast<size_t>(k)] = acc;
        }
        double prefix = 1;
        for (int64_t k = 0; k < len; ++k) {
          *reinterpret_cast<T*>(po + k * so) =
              static_cast<T>(prefix * suffix[static_cast<size_t>(k)]);
          prefix *= at(px, k, sx);
        }
      }
    });
  });
}

}  // namespace pyag
