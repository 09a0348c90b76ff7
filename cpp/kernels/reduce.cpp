#include "kernels/reduce.h"

#include <algorithm>
#include <cmath>
#include <type_traits>
#include <vector>

#include "capture/hooks.h"
#include "kernels/kernel_plan.h"
#include "kernels/loop.h"

namespace pyag {
namespace {

template <class T>
using acc_t = std::conditional_t<std::is_floating_point_v<T>, double, int64_t>;

template <class T>
bool better(T a, T b, bool is_max) {  // is a strictly better than b (NaN wins)
  if constexpr (std::is_floating_point_v<T>) {
    if (std::isnan(a)) return !std::isnan(b);
    if (std::isnan(b)) return false;
  }
  return is_max ? a > b : a < b;
}

// Sum of a contiguous row in eight independent partial sums: no serial dependency chain
// (the loop vectorizes), and a pairwise final combination.
template <class A, class T>
A sum_row(const T* a, int64_t n) {
  A acc[8] = {};
  int64_t i = 0;
  for (; i + 8 <= n; i += 8)
    for (int k = 0; k < 8; ++k) acc[k] += static_cast<A>(a[i + k]);
  for (; i < n; ++i) acc[0] += static_cast<A>(a[i]);
  return ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]));
}

template <class T>
void sum_body(const KernelPlan& P) {
  using O = std::conditional_t<std::is_integral_v<T>, int64_t, T>;  // integers sum to int64
  using A = acc_t<T>;
  P.loop.run([&](char** p, const int64_t* s, int64_t n) {
    if (s[0] == 0) {  // reduce the row into one output element
      A acc = 0;
      if (s[1] == sizeof(T)) {
        acc = sum_row<A>(reinterpret_cast<const T*>(p[1]), n);
      } else {
        for (int64_t i = 0; i < n; ++i)
          acc += static_cast<A>(*reinterpret_cast<const T*>(p[1] + i * s[1]));
      }
      *reinterpret_cast<O*>(p[0]) += static_cast<O>(acc);
    } else if (s[0] == sizeof(O) && s[1] == sizeof(T)) {
      O* o = reinterpret_cast<O*>(p[0]);
      const T* a = reinterpret_cast<const T*>(p[1]);
      for (int64_t i = 0; i < n; ++i) o[i] += static_cast<O>(a[i]);
    } else {
      for (int64_t i = 0; i < n; ++i)
        *reinterpret_cast<O*>(p[0] + i * s[0]) +=
            static_cast<O>(*reinterpret_cast<const T*>(p[1] + i * s[1]));
    }
  });
}

}  // namespace

void plan_sum(KernelPlan& plan, const Tensor& out, const Tensor& in) {
  capture::refuse("plan_sum",
                  "a kernel plan runs outside the kernel waist (only a replay makes its own)");
  // Out is viewed in in's shape with stride 0 along the reduced dims.
  plan.over(in->shape);
  plan.add(out);
  plan.add(in);
  plan.loop.coalesce();
  dispatch(in->dtype, [&](auto v) { plan.body = &sum_body<decltype(v)>; });
}

void sum_into(const Tensor& out, const Tensor& in) {
  capture::Waist rec;
  if (rec) rec->sum(out, in);
  KernelPlan plan;
  plan_sum(plan, out, in);
  plan.body(plan);
}

void extreme_all_into(const Tensor& out, const Tensor& in, bool is_max) {
  capture::Waist rec;
  if (rec) rec->extreme_all(out, in, is_max);
  Loop L = make_loop(in->shape, {&in});
  dispatch(in->dtype, [&](auto v) {
    using T = decltype(v);
    bool first = true;
    T best{};
    L.run([&](char** p, const int64_t* s, int64_t n) {
      for (int64_t i = 0; i < n; ++i) {
        T x = *reinterpret_cast<const T*>(p[0] + i * s[0]);
        if (first || better(x, best, is_max)) best = x, first = false;
      }
    });
    *out->data_as<T>() = best;
  });
}

void extreme_dim_into(const Tensor& values, const Tensor& indices, const Tensor& in, int dim,
                      bool is_max) {
  capture::Waist rec;
  if (rec) rec->extreme_dim(values, indices, in, dim, is_max);
  // Loop over the output positions; for each, scan `in` along dim.
  Dims outer_shape = in->shape;
  outer_shape[dim] = 1;
  Loop L = Loop::over(outer_shape);
  L.add(values);
  L.add(indices);
  L.add(in->data(), outer_shape, in->strides, itemsize(in->dtype));
  L.coalesce();
  const int64_t len = in->shape[dim];
  const int64_t step = in->strides[dim] * static_cast<int64_t>(itemsize(in->dtype));
  dispatch(in->dtype, [&](auto v) {
    using T = decltype(v);
    L.run([&](char** p, const int64_t* s, int64_t n) {
      for (int64_t i = 0; i < n; ++i) {
        const char* base = p[2] + i * s[2];
        T best = *reinterpret_cast<const T*>(base);
        int64_t arg = 0;
        for (int64_t j = 1; j < len; ++j) {
          T x = *reinterpret_cast<const T*>(base + j * step);
          if (better(x, best, is_max)) best = x, arg = j;
        }
        *reinterpret_cast<T*>(p[0] + i * s[0]) = best;
        *reinterpret_cast<int64_t*>(p[1] + i * s[1]) = arg;
      }
    });
  });
}

namespace {

// var_into and var_about_into: mean null for Welford.
void spread_into(const Tensor& out, const Tensor& in, const Tensor* mean, double correction,
                 bool take_sqrt) {
  // Loop over the output positions; for each, walk the reduced dims of `in` (row-major).
  const int nd = in->dim();
  Dims outer_shape = in->shape;
  std::vector<int64_t> rsize, rstride;  // reduced dims: sizes, byte strides (innermost last)
  const int64_t isz = static_cast<int64_t>(itemsize(in->dtype));
  int64_t count = 1;
  for (int d = 0; d < nd; ++d) {
    if (out->shape[d] == 1 && in->shape[d] != 1) {
      rsize.push_back(in->shape[d]);
      rstride.push_back(in->strides[d] * isz);
      count *= in->shape[d];
      outer_shape[d] = 1;
    }
  }
  if (out->numel == 0) return;
  const double dof = std::max(0.0, static_cast<double>(count) - correction);
  Loop L = Loop::over(outer_shape);
  L.add(out);
  L.add(in->data(), outer_shape, in->strides, itemsize(in->dtype));
  L.coalesce();
  const size_t nr = rsize.size();
  dispatch_float(in->dtype, [&](auto v) {
    using T = decltype(v);
    const bool has_mean = mean != nullptr;
    const double m0 = has_mean ? static_cast<double>(*(*mean)->template data_as<T>()) : 0.0;
    std::vector<int64_t> idx(nr);
    L.run([&](char** p, const int64_t* s, int64_t n) {
      for (int64_t i = 0; i < n; ++i) {
        const char* ptr = p[1] + i * s[1];
        std::fill(idx.begin(), idx.end(), 0);
        double wmean = 0, m2 = 0, k = 0;
        for (int64_t e = 0; e < count; ++e) {
          const double x = static_cast<double>(*reinterpret_cast<const T*>(ptr));
          if (has_mean) {
            const double dx = x - m0;
            m2 += dx * dx;
          } else {  // PyTorch's WelfordOps::reduce
            k += 1;
            const double delta = x - wmean;
            wmean += delta / k;
            m2 += delta * (x - wmean);
          }
          for (size_t d = nr; d-- > 0;) {  // odometer over the reduced dims
            ptr += rstride[d];
            if (++idx[d] < rsize[d]) break;
            ptr -= rstride[d] * rsize[d];
            idx[d] = 0;
          }
        }
        const double var = m2 / dof;
        *reinterpret_cast<T*>(p[0] + i * s[0]) = static_cast<T>(take_sqrt ? std::sqrt(var) : var);
      }
    });
  });
}

}  // namespace

void var_into(const Tensor& out, const Tensor& in, double correction, bool take_sqrt) {
  capture::Waist rec;
  if (rec)
    rec->kernel("var", {capture::W(out), capture::R(in)},
                [=](const Tensor* t) { var_into(t[0], t[1], correction, take_sqrt); });
  spread_into(out, in, nullptr, correction, take_sqrt);
}

void var_about_into(const Tensor& out, const Tensor& in, const Tensor& mean, double correction,
                    bool take_sqrt) {
  capture::Waist rec;
  if (rec)
    rec->kernel("var_about", {capture::W(out), capture::R(in), capture::R(mean)},
                [=](const Tensor* t) { var_about_into(t[0], t[1], t[2], correction, take_sqrt); });
  spread_into(out, in, &mean, correction, take_sqrt);
}

int64_t count_true(const Tensor& mask) {
  capture::refuse("count_true",
                  "its result (a count) is read into the host: a data-dependent shape "
                  "(masked_select, nonzero, boolean indexing)");
  int64_t c = 0;
  Loop L = make_loop(mask->shape, {&mask});
  L.run([&](char** p, const int64_t* s, int64_t n) {
    for (int64_t i = 0; i < n; ++i) c += *reinterpret_cast<const bool*>(p[0] + i * s[0]);
  });
  return c;
}

}  // namespace pyag
