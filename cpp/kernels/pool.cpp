#include "kernels/pool.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "capture/hooks.h"

namespace pyag {
namespace {

template <class T>
void max_forward(const Tensor& out, const Tensor& indices, const Tensor& x, const PoolGeom& g) {
  const T* xp = x->data_as<T>();
  T* op = out->data_as<T>();
  int64_t* ip = indices->data_as<int64_t>();
  for (int64_t p = 0; p < g.planes; ++p) {
    const T* plane = xp + p * g.h * g.w;
    for (int64_t y = 0; y < g.oh; ++y)
      for (int64_t xo = 0; xo < g.ow; ++xo) {
        const int64_t hs = y * g.sh - g.ph, ws = xo * g.sw - g.pw;
        T best = -std::numeric_limits<T>::infinity();
        int64_t bi = -1;
        for (int64_t i = 0; i < g.kh; ++i) {
          const int64_t iy = hs + i * g.dh;
          if (iy < 0 || iy >= g.h) continue;
          for (int64_t j = 0; j < g.kw; ++j) {
            const int64_t ix = ws + j * g.dw;
            if (ix < 0 || ix >= g.w) continue;
            const T v = plane[iy * g.w + ix];
            if (bi < 0 || v > best || std::isnan(v)) best = v, bi = iy * g.w + ix;
          }
        }
        const int64_t o = (p * g.oh + y) * g.ow + xo;
        op[o] = best;
        ip[o] = bi;
      }
  }
}

template <class T>
void max_backward(const Tensor& gx, const Tensor& gout, const Tensor& indices) {
  T* gxp = gx->data_as<T>();
  const T* gp = gout->data_as<T>();
  const int64_t* ip = indices->data_as<int64_t>();
  std::fill(gxp, gxp + gx->numel, T(0));
  const int64_t planes = gx->dim() ? gx->shape[0] : 1;
  if (planes == 0 || gout->numel == 0) return;
  const int64_t in_plane = gx->numel / planes, out_plane = gout->numel / planes;
  for (int64_t p = 0; p < planes; ++p)
    for (int64_t k = 0; k < out_plane; ++k) {
      const int64_t i = ip[p * out_plane + k];
      if (i >= 0) gxp[p * in_plane + i] += gp[p * out_plane + k];
    }
}

// The window of output cell (y, x) clipped to the input, and its divisor.
struct AvgWindow {
  int64_t h0, h1, w0, w1;
  double divisor;
};
AvgWindow avg_window(const PoolGeom& g, int64_t y, int64_t x, bool count_include_pad,
                     int64_t divisor_override) {
  int64_t h0 = y * g.sh - g.ph, w0 = x * g.sw - g.pw;
  int64_t h1 = std::min(h0 + g.kh, g.h + g.ph), w1 = std::min(w0 + g.kw, g.w + g.pw);
  const int64_t pool_size = (h1 - h0) * (w1 - w0);
  h0 = std::max<int64_t>(h0, 0), w0 = std::max<int64_t>(w0, 0);
  h1 = std::min(h1, g.h), w1 = std::min(w1, g.w);
  double div = divisor_override > 0 ? static_cast<double>(divisor_override)
               : count_include_pad  ? static_cast<double>(pool_size)
                                    : static_cast<double>((h1 - h0) * (w1 - w0));
  return {h0, h1, w0, w1, div};
}

template <class T>
void avg_forward(const Tensor& out, const Tensor& x, const PoolGeom& g, bool cip, int64_t dov) {
  const T* xp = x->data_as<T>();
  T* op = out->data_as<T>();
  for (int64_t p = 0; p < g.planes; ++p) {
    const T* plane = xp + p * g.h * g.w;
    for (int64_t y = 0; y < g.oh; ++y)
      for (int64_t xo = 0; xo < g.ow; ++xo) {
        const AvgWindow a = avg_window(g, y, xo, cip, dov);
        T s = 0;
        for (int64_t iy = a.h0; iy < a.h1; ++iy)
          for (int64_t ix = a.w0; ix < a.w1; ++ix) s += plane[iy * g.w + ix];
        const bool empty_window = a.h0 >= a.h1 || a.w0 >= a.w1;
        op[(p * g.oh + y) * g.ow + xo] = empty_window ? T(0) : static_cast<T>(s / a.divisor);
      }
  }
}

template <class T>
void avg_backward(const Tensor& gx, const Tensor& gout, const PoolGeom& g, bool cip, int64_t dov) {
  T* gxp = gx->data_as<T>();
  const T* gp = gout->data_as<T>();
  std::fill(gxp, gxp + gx->numel, T(0));
  for (int64_t p = 0; p < g.planes; ++p) {
    T* plane = gxp + p * g.h * g.w;
    for (int64_t y = 0; y < g.oh; ++y)
      for (int64_t xo = 0; xo < g.ow; ++xo) {
        const AvgWindow a = avg_window(g, y, xo, cip, dov);
        if (a.h0 >= a.h1 || a.w0 >= a.w1) continue;
        const T v = static_cast<T>(gp[(p * g.oh + y) * g.ow + xo] / a.divisor);
        for (int64_t iy = a.h0; iy < a.h1; ++iy)
          for (int64_t ix = a.w0; ix < a.w1; ++ix) plane[iy * g.w + ix] += v;
      }
  }
}

int64_t adaptive_start(int64_t i, int64_t out, int64_t in) { return (i * in) / out; }
int64_t adaptive_end(int64_t i, int64_t out, int64_t in) { return ((i + 1) * in + out - 1) / out; }

// Calls f(o, plane offset, h0, h1, w0, w1) for every output cell o.
template <class F>
void for_adaptive(const PoolGeom& g, F&& f) {
  for (int64_t p = 0; p < g.planes; ++p)
    for (int64_t y = 0; y < g.oh; ++y) {
      const int64_t h0 = adaptive_start(y, g.oh, g.h), h1 = adaptive_end(y, g.oh, g.h);
      for (int64_t xo = 0; xo < g.ow; ++xo) {
        const int64_t w0 = adaptive_start(xo, g.ow, g.w), w1 = adaptive_end(xo, g.ow, g.w);
        f((p * g.oh + y) * g.ow + xo, p * g.h * g.w, h0, h1, w0, w1);
      }
    }
}

template <class T>
void adaptive_avg_forward(const Tensor& out, const Tensor& x, const PoolGeom& g) {
  const T* xp = x->data_as<T>();
  T* op = out->data_as<T>();
  for_adaptive(g, [&](int64_t o, int64_t base, int64_t h0, int64_t h1, int64_t w0, int64_t w1) {
    T s = 0;
    for (int64_t iy = h0; iy < h1; ++iy)
      for (int64_t ix = w0; ix < w1; ++ix) s += xp[base + iy * g.w + ix];
    op[o] = s / static_cast<T>((h1 - h0) * (w1 - w0));
  });
}

template <class T>
void adaptive_avg_backward(const Tensor& gx, const Tensor& gout, const PoolGeom& g) {
  T* gxp = gx->data_as<T>();
  const T* gp = gout->data_as<T>();
  std::fill(gxp, gxp + gx->numel, T(0));
  for_adaptive(g, [&](int64_t o, int64_t base, int64_t h0, int64_t h1, int64_t w0, int64_t w1) {
    const T v = gp[o] / static_cast<T>((h1 - h0) * (w1 - w0));
    for (int64_t iy = h0; iy < h1; ++iy)
      for (int64_t ix = w0; ix < w1; ++ix) gxp[base + iy * g.w + ix] += v;
  });
}

template <class T>
void adaptive_max_forward(const Tensor& out, const Tensor& indices, const Tensor& x,
                          const PoolGeom& g) {
  const T* xp = x->data_as<T>();
  T* op = out->data_as<T>();
  int64_t* ip = indices->data_as<int64_t>();
  for_adaptive(g, [&](int64_t o, int64_t base, int64_t h0, int64_t h1, int64_t w0, int64_t w1) {
    T best = -std::numeric_limits<T>::infinity();
    int64_t bi = h0 * g.w + w0;
    for (int64_t iy = h0; iy < h1; ++iy)
      for (int64_t ix = w0; ix < w1; ++ix) {
        const T v = xp[base + iy * g.w + ix];
        if (v > best || std::isnan(v)) best = v, bi = iy * g.w + ix;
      }
    op[o] = best;
    ip[o] = bi;
  });
}

// For each output position of one dim, the input position it copies (-1: the constant).
std::vector<int64_t> pad_map(int64_t in, int64_t out, int64_t before, PadMode mode) {
  std::vector<int64_t> m(static_cast<size_t>(out));
  for (int64_t o = 0; o < out; ++o) {
    int64_t s = o - before;
    switch (mode) {
      case PadMode::Constant:
        if (s < 0 || s >= in) s = -1;
        break;
      case PadMode::Reflect:
        if (in == 1) {
          s = 0;
          break;
        }
        s = std::abs(s);
        s %= 2 * (in - 1);
        if (s >= in) s = 2 * (in - 1) - s;
        break;
      case PadMode::Replicate:
        s = std::min(std::max<int64_t>(s, 0), in - 1);
        break;
      case PadMode::Circular:
        s = ((s % in) + in) % in;
        break;
    }
    m[static_cast<size_t>(o)] = s;
  }
  return m;
}

template <class T, bool kBackward>
void pad_run(const Tensor& out, const Tensor& x, const PadGeom& g, PadMode mode, double value) {
  const auto md = pad_map(g.in[0], g.out[0], g.before[0], mode);
  const auto mh = pad_map(g.in[1], g.out[1], g.before[1], mode);
  const auto mw = pad_map(g.in[2], g.out[2], g.before[2], mode);
  T* op = out->data_as<T>();  // backward: the output's gradient (read)
  T* xp = x->data_as<T>();    // backward: the input's gradient (accumulated)
  if constexpr (kBackward) std::fill(xp, xp + x->numel, T(0));
  const int64_t in_plane = g.in[0] * g.in[1] * g.in[2];
  const T v = static_cast<T>(value);
  int64_t o = 0;
  for (int64_t p = 0; p < g.planes; ++p)
    for (int64_t d : md)
      for (int64_t h : mh)
        for (int64_t w : mw) {
          const bool inside = d >= 0 && h >= 0 && w >= 0;
          const int64_t s = p * in_plane + (d * g.in[1] + h) * g.in[2] + w;
          if constexpr (kBackward) {
            if (inside) xp[s] += op[o];
          } else {
            op[o] = inside ? xp[s] : v;
          }
          ++o;
        }
}

}  // namespace

void max_pool2d_forward_into(const Tensor& out, const Tensor& indices, const Tensor& x,
                             const PoolGeom& g) {
  capture::Waist rec;
  if (rec)
    rec->kernel("max_pool2d_forward", {capture::W(out), capture::W(indices), capture::R(x)},
                [=](const Tensor* t) { max_pool2d_forward_into(t[0], t[1], t[2], g); });
  dispatch_float(x->dtype, [&](auto v) { max_forward<decltype(v)>(out, indices, x, g); });
}

void max_pool2d_backward_into(const Tensor& gx, const Tensor& gout, const Tensor& indices) {
  capture::Waist rec;
  if (rec)
    rec->kernel("max_pool2d_backward", {capture::W(gx), capture::R(gout), capture::R(indices)},
                [=](const Tensor* t) { max_pool2d_backward_into(t[0], t[1], t[2]); });
  dispatch_float(gx->dtype, [&](auto v) { max_backward<decltype(v)>(gx, gout, indices); });
}

void avg_pool2d_forward_into(const Tensor& out, const Tensor& x, const PoolGeom& g,
                             bool count_include_pad, int64_t divisor_override) {
  capture::Waist rec;
  if (rec)
    rec->kernel("avg_pool2d_forward", {capture::W(out), capture::R(x)}, [=](const Tensor* t) {
      avg_pool2d_forward_into(t[0], t[1], g, count_include_pad, divisor_override);
    });
  dispatch_float(x->dtype, [&](auto v) {
    avg_forward<decltype(v)>(out, x, g, count_include_pad, divisor_override);
  });
}

void avg_pool2d_backward_into(const Tensor& gx, const Tensor& gout, const PoolGeom& g,
                              bool count_include_pad, int64_t divisor_override) {
  capture::Waist rec;
  if (rec)
    rec->kernel("avg_pool2d_backward", {capture::W(gx), capture::R(gout)}, [=](const Tensor* t) {
      avg_pool2d_backward_into(t[0], t[1], g, count_include_pad, divisor_override);
    });
  dispatch_float(gx->dtype, [&](auto v) {
    avg_backward<decltype(v)>(gx, gout, g, count_include_pad, divisor_override);
  });
}

void adaptive_avg_pool2d_forward_into(const Tensor& out, const Tensor& x, const PoolGeom& g) {
  capture::Waist rec;
  if (rec)
    rec->kernel("adaptive_avg_pool2d_forward", {capture::W(out), capture::R(x)},
                [=](const Tensor* t) { adaptive_avg_pool2d_forward_into(t[0], t[1], g); });
  dispatch_float(x->dtype, [&](auto v) { adaptive_avg_forward<decltype(v)>(out, x, g); });
}

void adaptive_avg_pool2d_backward_into(const Tensor& gx, const Tensor& gout, const PoolGeom& g) {
  capture::Waist rec;
  if (rec)
    rec->kernel("adaptive_avg_pool2d_backward", {capture::W(gx), capture::R(gout)},
                [=](const Tensor* t) { adaptive_avg_pool2d_backward_into(t[0], t[1], g); });
  dispatch_float(gx->dtype, [&](auto v) { adaptive_avg_backward<decltype(v)>(gx, gout, g); });
}

void adaptive_max_pool2d_forward_into(const Tensor& out, const Tensor& indices, const Tensor& x,
                                      const PoolGeom& g) {
  capture::Waist rec;
  if (rec)
    rec->kernel("adaptive_max_pool2d_forward",
                {capture::W(out), capture::W(indices), capture::R(x)},
                [=](const Tensor* t) { adaptive_max_pool2d_forward_into(t[0], t[1], t[2], g); });
  dispatch_float(x->dtype, [&](auto v) { adaptive_max_forward<decltype(v)>(out, indices, x, g); });
}

void pad_forward_into(const Tensor& out, const Tensor& x, const PadGeom& g, PadMode mode,
                      double value) {
  capture::Waist rec;
  if (rec)
    rec->kernel("pad_forward", {capture::W(out), capture::R(x)},
                [=](const Tensor* t) { pad_forward_into(t[0], t[1], g, mode, value); });
  dispatch(x->dtype, [&](auto v) { pad_run<decltype(v), false>(out, x, g, mode, value); });
}

void pad_backward_into(const Tensor& gx, const Tensor& gout, const PadGeom& g, PadMode mode) {
  capture::Waist rec;
  if (rec)
    rec->kernel("pad_backward", {capture::W(gx), capture::R(gout)},
                [=](const Tensor* t) { pad_backward_into(t[0], t[1], g, mode); });
  dispatch_float(gx->dtype, [&](auto v) { pad_run<decltype(v), true>(gout, gx, g, mode, 0.0); });
}

}  // namespace pyag
