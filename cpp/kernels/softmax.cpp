// The softmax kernels (kernels/softmax.h): rows along the reduced dimension, vectorised across
// the inner dimension when there is one.
#include "kernels/softmax.h"

#include <cmath>
#include <limits>
#include <vector>

#include "capture/hooks.h"

namespace pyag {
namespace {

struct Geometry {
  int64_t outer = 1, n = 1, inner = 1;
};

Geometry geometry(const Tensor& t, int dim) {
  Geometry g;
  for (int i = 0; i < t->dim(); ++i) {
    if (i < dim)
      g.outer *= t->shape[i];
    else if (i == dim)
      g.n = t->shape[i];
    else
      g.inner *= t->shape[i];
  }
  return g;
}

// One block of `inner` interleaved rows: x[k * inner + j], k < n, for each column j.
template <class T>
void forward_block(bool log, const T* x, T* y, int64_t n, int64_t inner, double* mx, double* sum) {
  for (int64_t j = 0; j < inner; ++j) mx[j] = -std::numeric_limits<double>::infinity(), sum[j] = 0;
  for (int64_t k = 0; k < n; ++k)
    for (int64_t j = 0; j < inner; ++j) {
      const double v = static_cast<double>(x[k * inner + j]);
      if (!(v <= mx[j])) mx[j] = v;  // NaN propagates into the max
    }
  for (int64_t k = 0; k < n; ++k)
    for (int64_t j = 0; j < inner; ++j) {
      const double e = std::exp(static_cast<double>(x[k * inner + j]) - mx[j]);
      sum[j] += e;
      if (!log) y[k * inner + j] = static_cast<T>(e);
    }
  if (log) {
    for (int64_t j = 0; j < inner; ++j) sum[j] = mx[j] + std::log(sum[j]);
    for (int64_t k = 0; k < n; ++k)
      for (int64_t j = 0; j < inner; ++j)
        y[k * inner + j] = static_cast<T>(static_cast<double>(x[k * inner + j]) - sum[j]);
  } else {
    for (int64_t j = 0; j < inner; ++j) sum[j] = 1.0 / sum[j];
    for (int64_t k = 0; k < n; ++k)
      for (int64_t j = 0; j < inner; ++j)
        y[k * inner + j] = static_cast<T>(static_cast<double>(y[k * inner + j]) * sum[j]);
  }
}

template <class T>
void backward_block(bool log, const T* g, const T* y, T* gi, int64_t n, int64_t inner,
                    double* acc) {
  for (int64_t j = 0; j < inner; ++j) acc[j] = 0;
  for (int64_t k = 0; k < n; ++k)
    for (int64_t j = 0; j < inner; ++j) {
      const int64_t i = k * inner + j;
      acc[j] +=
          log ? static_cast<double>(g[i]) : static_cast<double>(g[i]) * static_cast<double>(y[i]);
    }
  for (int64_t k = 0; k < n; ++k)
    for (int64_t j = 0; j < inner; ++j) {
      const int64_t i = k * inner + j;
      const double gv = static_cast<double>(g[i]), yv = static_cast<double>(y[i]);
      gi[i] = static_cast<T>(log ? gv - std::exp(yv) * acc[j] : yv * (gv - acc[j]));
    }
}

void check_contiguous(const char* op, std::initializer_list<const Tensor*> ts) {
  for (const Tensor* t : ts)
    if (!(*t)->contiguous()) fail(op, "internal: the softmax kernels take contiguous tensors");
}

const char* kernel_name(SoftmaxKernel k) {
  switch (k) {
    case SoftmaxKernel::softmax:
      return "softmax";
    case SoftmaxKernel::log_softmax:
      return "log_softmax";
  }
  return "softmax";
}

}  // namespace

void softmax_into(SoftmaxKernel k, const Tensor& out, const Tensor& x, int dim) {
  capture::Waist rec;
  if (rec) rec->softmax(k, out, x, dim);
  // The waist: a recorder of kernel calls intercepts here (k, out, x, dim).
  check_contiguous(kernel_name(k), {&out, &x});
  const Geometry gm = geometry(x, dim);
  const bool log = k == SoftmaxKernel::log_softmax;
  std::vector<double> buf(static_cast<size_t>(2 * gm.inner));
  dispatch_float(x->dtype, [&](auto z) {
    using T = decltype(z);
    const T* xp = x->data_as<T>();
    T* yp = out->data_as<T>();
    const int64_t block = gm.n * gm.inner;
    for (int64_t o = 0; o < gm.outer; ++o)
      forward_block<T>(log, xp + o * block, yp + o * block, gm.n, gm.inner, buf.data(),
                       buf.data() + gm.inner);
  });
}

void softmax_grad_into(SoftmaxKernel k, const Tensor& grad_in, const Tensor& g, const Tensor& y,
                       int dim) {
  capture::Waist rec;
  if (rec) rec->softmax_grad(k, grad_in, g, y, dim);
  // The waist: a recorder of kernel calls intercepts here (k, grad_in, g, y, dim).
  check_contiguous(kernel_name(k), {&grad_in, &g, &y});
  const Geometry gm = geometry(y, dim);
  const bool log = k == SoftmaxKernel::log_softmax;
  std::vector<double> acc(static_cast<size_t>(gm.inner));
  dispatch_float(y->dtype, [&](auto z) {
    using T = decltype(z);
    const int64_t block = gm.n * gm.inner;
    for (int64_t o = 0; o < gm.outer; ++o)
      backward_block<T>(log, g->data_as<T>() + o * block, y->data_as<T>() + o * block,
                        grad_in->data_as<T>() + o * block, gm.n, gm.inner, acc.data());
  });
}

}  // namespace pyag
