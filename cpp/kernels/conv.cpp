#include "kernels/conv.h"

#include <algorithm>
#include <cstring>

#include "capture/hooks.h"
#include "kernels/blas_api.h"

namespace pyag {
namespace {

// Row-major GEMM: c (m, n) = alpha * op(a) @ op(b) + beta * c.
void gemm(bool ta, bool tb, int64_t m, int64_t n, int64_t k, float alpha, const float* a,
          int64_t lda, const float* b, int64_t ldb, float beta, float* c, int64_t ldc) {
  PYAG_CBLAS(sgemm)
  (CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans,
   static_cast<int>(m), static_cast<int>(n), static_cast<int>(k), alpha, a, static_cast<int>(lda),
   b, static_cast<int>(ldb), beta, c, static_cast<int>(ldc));
}
void gemm(bool ta, bool tb, int64_t m, int64_t n, int64_t k, double alpha, const double* a,
          int64_t lda, const double* b, int64_t ldb, double beta, double* c, int64_t ldc) {
  PYAG_CBLAS(dgemm)
  (CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans,
   static_cast<int>(m), static_cast<int>(n), static_cast<int>(k), alpha, a, static_cast<int>(lda),
   b, static_cast<int>(ldb), beta, c, static_cast<int>(ldc));
}

// A 1x1 convolution with stride 1 and no padding reads the input planes as they are.
bool is_pointwise(const ConvGeom& g) {
  return g.kh == 1 && g.kw == 1 && g.sh == 1 && g.sw == 1 && g.pt == 0 && g.pl == 0 &&
         g.oh == g.h && g.ow == g.w;
}

// col (cg * kh * kw, oh * ow) from the cg planes of x at xp (each h * w).
template <class T>
void im2col(T* col, const T* xp, int64_t cg, const ConvGeom& g) {
  const int64_t L = g.oh * g.ow;
  for (int64_t ci = 0; ci < cg; ++ci)
    for (int64_t i = 0; i < g.kh; ++i)
      for (int64_t j = 0; j < g.kw; ++j) {
        T* row = col + ((ci * g.kh + i) * g.kw + j) * L;
        const T* plane = xp + ci * g.h * g.w;
        const int64_t dx = j * g.dw - g.pl;
        for (int64_t y = 0; y < g.oh; ++y) {
          T* r = row + y * g.ow;
          const int64_t iy = y * g.sh - g.pt + i * g.dh;
          if (iy < 0 || iy >= g.h) {
            std::fill(r, r + g.ow, T(0));
            continue;
          }
          const T* src = plane + iy * g.w;
          if (g.sw == 1) {
            // ix = x + dx: the valid x are [max(0, -dx), min(ow, w - dx)).
            const int64_t x0 = std::min(g.ow, std::max<int64_t>(0, -dx));
            const int64_t x1 = std::max(x0, std::min(g.ow, g.w - dx));
            std::fill(r, r + x0, T(0));
            if (x1 > x0) std::memcpy(r + x0, src + x0 + dx, sizeof(T) * (x1 - x0));
            std::fill(r + x1, r + g.ow, T(0));
          } else {
            for (int64_t x = 0; x < g.ow; ++x) {
              const int64_t ix = x * g.sw + dx;
              r[x] = (ix >= 0 && ix < g.w) ? src[ix] : T(0);
            }
          }
        }
      }
}

// Adds col (cg * kh * kw, oh * ow) back into the cg planes at gxp (the adjoint of im2col).
template <class T>
void col2im_add(T* gxp, const T* col, int64_t cg, const ConvGeom& g) {
  const int64_t L = g.oh * g.ow;
  for (int64_t ci = 0; ci < cg; ++ci)
    for (int64_t i = 0; i < g.kh; ++i)
      for (int64_t j = 0; j < g.kw; ++j) {
        const T* row = col + ((ci * g.kh + i) * g.kw + j) * L;
        T* plane = gxp + ci * g.h * g.w;
        const int64_t dx = j * g.dw - g.pl;
        for (int64_t y = 0; y < g.oh; ++y) {
          const int64_t iy = y * g.sh - g.pt + i * g.dh;
          if (iy < 0 || iy >= g.h) continue;
          const T* r = row + y * g.ow;
          T* dst = plane + iy * g.w;
          const int64_t x0 = g.sw == 1 ? std::min(g.ow, std::max<int64_t>(0, -dx)) : 0;
          for (int64_t x = x0; x < g.ow; ++x) {
            const int64_t ix = x * g.sw + dx;
            if (ix >= g.w) break;
            if (ix >= 0) dst[ix] += r[x];
          }
        }
      }
}

template <class T>
void conv_forward(const Tensor& out, const Tensor& x, const Tensor& weight, const Tensor& bias,
                  const ConvGeom& g) {
  const int64_t cg = g.c / g.groups, og = g.o / g.groups;
  const int64_t K = cg * g.kh * g.kw, L = g.oh * g.ow;
  const T* xp = x->data_as<T>();
  const T* wp = weight->data_as<T>();
  const T* bp = bias ? bias->data_as<T>() : nullptr;
  T* op = out->data_as<T>();
  if (out->numel == 0) return;
  const bool pointwise = is_pointwise(g);
  Tensor colbuf = pointwise ? Tensor() : empty(Dims{K * L}, x->dtype);
  for (int64_t s = 0; s < g.n; ++s) {
    T* os = op + s * g.o * L;
    if (bp)
      for (int64_t oc = 0; oc < g.o; ++oc) std::fill(os + oc * L, os + (oc + 1) * L, bp[oc]);
    for (int64_t gi = 0; gi < g.groups; ++gi) {
      const T* xg = xp + (s * g.c + gi * cg) * g.h * g.w;
      const T* col = xg;
      if (!pointwise) {
        im2col(colbuf->data_as<T>(), xg, cg, g);
        col = colbuf->data_as<T>();
      }
      if (K == 0) {
        if (!bp) std::fill(os + gi * og * L, os + (gi + 1) * og * L, T(0));
        continue;
      }
      gemm(false, false, og, L, K, T(1), wp + gi * og * K, K, col, L, bp ? T(1) : T(0),
           os + gi * og * L, L);
    }
  }
}

template <class T>
void conv_backward(const Tensor& gx, const Tensor& gw, const Tensor& gb, const Tensor& gout,
                   const Tensor& x, const Tensor& weight, const ConvGeom& g) {
  const int64_t cg = g.c / g.groups, og = g.o / g.groups;
  const int64_t K = cg * g.kh * g.kw, L = g.oh * g.ow;
  const T* xp = x->data_as<T>();
  const T* wp = weight->data_as<T>();
  const T* gp = gout->data_as<T>();
  if (gb) {
    T* gbp = gb->data_as<T>();
    for (int64_t oc = 0; oc < g.o; ++oc) {
      double acc = 0;
      for (int64_t s = 0; s < g.n; ++s) {
        const T* r = gp + (s * g.o + oc) * L;
        for (int64_t k = 0; k < L; ++k) acc += r[k];
      }
      gbp[oc] = static_cast<T>(acc);
    }
  }
  if (gw) std::fill(gw->data_as<T>(), gw->data_as<T>() + gw->numel, T(0));
  if (gx) std::fill(gx->data_as<T>(), gx->data_as<T>() + gx->numel, T(0));
  if ((!gw && !gx) || L == 0 || K == 0 || og == 0) return;
  const bool pointwise = is_pointwise(g);
  Tensor colbuf = pointwise || !gw ? Tensor() : empty(Dims{K * L}, x->dtype);
  Tensor gcolbuf = pointwise || !gx ? Tensor() : empty(Dims{K * L}, x->dtype);
  for (int64_t s = 0; s < g.n; ++s)
    for (int64_t gi = 0; gi < g.groups; ++gi) {
      const T* go = gp + (s * g.o + gi * og) * L;
      const T* wg = wp + gi * og * K;
      const int64_t plane_off = (s * g.c + gi * cg) * g.h * g.w;
      if (gw) {
        const T* col = xp + plane_off;
        if (!pointwise) {
          im2col(colbuf->data_as<T>(), xp + plane_off, cg, g);
          col = colbuf->data_as<T>();
        }
        gemm(false, true, og, K, L, T(1), go, L, col, L, T(1), gw->data_as<T>() + gi * og * K, K);
      }
      if (gx) {
        T* gxg = gx->data_as<T>() + plane_off;
        if (pointwise) {
          gemm(true, false, K, L, og, T(1), wg, K, go, L, T(0), gxg, L);
        } else {
          T* gcol = gcolbuf->data_as<T>();
          gemm(true, false, K, L, og, T(1), wg, K, go, L, T(0), gcol, L);
          col2im_add(gxg, gcol, cg, g);
        }
      }
    }
}

}  // namespace

void conv2d_forward_into(const Tensor& out, const Tensor& x, const Tensor& weight,
                         const Tensor& bias, const ConvGeom& g) {
  capture::Waist rec;
  if (rec)
    rec->kernel("conv2d_forward",
                {capture::W(out), capture::R(x), capture::R(weight), capture::R(bias)},
                [=](const Tensor* t) { conv2d_forward_into(t[0], t[1], t[2], t[3], g); });
  dispatch_float(x->dtype, [&](auto v) { conv_forward<decltype(v)>(out, x, weight, bias, g); });
}

void conv2d_backward_into(const Tensor& gx, const Tensor& gweight, const Tensor& gbias,
                          const Tensor& gout, const Tensor& x, const Tensor& weight,
                          const ConvGeom& g) {
  capture::Waist rec;
  if (rec)
    rec->kernel(
        "conv2d_backward",
        {capture::W(gx), capture::W(gweight), capture::W(gbias), capture::R(gout), capture::R(x),
         capture::R(weight)},
        [=](const Tensor* t) { conv2d_backward_into(t[0], t[1], t[2], t[3], t[4], t[5], g); });
  dispatch_float(x->dtype, [&](auto v) {
    conv_backward<decltype(v)>(gx, gweight, gbias, gout, x, weight, g);
  });
}

}  // namespace pyag
