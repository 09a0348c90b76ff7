// Sorting and selection kernels (see sort.h).
#include "kernels/sort.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <numeric>
#include <type_traits>
#include <utility>
#include <vector>

#include "capture/hooks.h"

namespace pyag {
namespace {

// a < b with NaN larger than everything (and equal to itself).
template <class T>
bool nan_less(T a, T b) {
  if constexpr (std::is_floating_point_v<T>) {
    if (std::isnan(a)) return false;
    if (std::isnan(b)) return true;
  }
  return a < b;
}

// Visits every element of t in row-major order: f(pointer to it, its coordinates).
template <class F>
void for_each_element(const Tensor& t, F&& f) {
  if (t->numel == 0) return;
  const int nd = t->dim();
  const int64_t isz = static_cast<int64_t>(itemsize(t->dtype));
  Dims pos = Dims::filled(nd, 0);
  const char* p = t->data();
  for (int64_t i = 0; i < t->numel; ++i) {
    f(p, pos);
    for (int d = nd - 1; d >= 0; --d) {
      p += t->strides[d] * isz;
      if (++pos[d] < t->shape[d]) break;
      p -= t->strides[d] * isz * t->shape[d];
      pos[d] = 0;
    }
  }
}

template <class T>
bool nonzero_value(const char* p) {
  T x;
  std::memcpy(&x, p, sizeof(T));
  return x != T(0);
}

}  // namespace

void sort_rows_into(const Tensor& values, const Tensor& indices, const Tensor& in, bool descending,
                    int64_t k) {
  capture::Waist rec;
  if (rec)
    rec->kernel("sort", {capture::W(values), capture::W(indices), capture::R(in)},
                [=](const Tensor* t) { sort_rows_into(t[0], t[1], t[2], descending, k); });
  // The waist: a recorder of kernel calls intercepts here (sort, values, indices, in, k).
  const int64_t n = in->dim() ? in->shape[in->dim() - 1] : 1;
  const int64_t rows = n ? in->numel / n : 0;
  dispatch(in->dtype, [&](auto z) {
    using T = decltype(z);
    const T* x = in->data_as<T>();
    T* v = values->data_as<T>();
    int64_t* ix = indices->data_as<int64_t>();
    std::vector<int64_t> order(static_cast<size_t>(n));
    for (int64_t r = 0; r < rows; ++r) {
      const T* row = x + r * n;
      std::iota(order.begin(), order.end(), int64_t{0});
      // Ties broken by position: the result of a stable sort, also for a partial one.
      auto before = [&](int64_t a, int64_t b) {
        const T xa = row[a], xb = row[b];
        if (descending ? nan_less(xb, xa) : nan_less(xa, xb)) return true;
        if (descending ? nan_less(xa, xb) : nan_less(xb, xa)) return false;
        return a < b;
      };
      if (k < n)
        std::partial_sort(order.begin(), order.begin() + k, order.end(), before);
      else
        std::sort(order.begin(), order.end(), before);
      for (int64_t j = 0; j < k; ++j) {
        v[r * k + j] = row[order[static_cast<size_t>(j)]];
        ix[r * k + j] = order[static_cast<size_t>(j)];
      }
    }
  });
}

void topk_rows_into(const Tensor& values, const Tensor& indices, const Tensor& in, bool largest,
                    int64_t k) {
  capture::Waist rec;
  if (rec)
    rec->kernel("topk", {capture::W(values), capture::W(indices), capture::R(in)},
                [=](const Tensor* t) { topk_rows_into(t[0], t[1], t[2], largest, k); });
  // The waist: a recorder of kernel calls intercepts here (topk, values, indices, in, k).
  const int64_t n = in->dim() ? in->shape[in->dim() - 1] : 1;
  const int64_t rows = n ? in->numel / n : 0;
  if (k == 0) return;
  dispatch(in->dtype, [&](auto z) {
    using T = decltype(z);
    using Elem = std::pair<T, int64_t>;
    const T* x = in->data_as<T>();
    T* v = values->data_as<T>();
    int64_t* ix = indices->data_as<int64_t>();
    std::vector<Elem> queue(static_cast<size_t>(n));
    auto isnan_ = [](T a) {
      if constexpr (std::is_floating_point_v<T>)
        return std::isnan(a);
      else
        return (static_cast<void>(a), false);
    };
    // PyTorch's TopKComparator
    auto before = [&](const Elem& a, const Elem& b) {
      if (largest) return (isnan_(a.first) && !isnan_(b.first)) || a.first > b.first;
      return (!isnan_(a.first) && isnan_(b.first)) || a.first < b.first;
    };
    for (int64_t r = 0; r < rows; ++r) {
      const T* row = x + r * n;
      for (int64_t j = 0; j < n; ++j) queue[static_cast<size_t>(j)] = Elem(row[j], j);
      if (k * 64 <= n) {
        std::partial_sort(queue.begin(), queue.begin() + k, queue.end(), before);
      } else {
        std::nth_element(queue.begin(), queue.begin() + (k - 1), queue.end(), before);
        std::sort(queue.begin(), queue.begin() + (k - 1), before);
      }
      for (int64_t j = 0; j < k; ++j) {
        v[r * k + j] = queue[static_cast<size_t>(j)].first;
        ix[r * k + j] = queue[static_cast<size_t>(j)].second;
      }
    }
  });
}

void kth_rows_into(const Tensor& values, const Tensor& indices, const Tensor& in, int64_t k,
                   bool nan_propagates) {
  capture::Waist rec;
  if (rec)
    rec->kernel("kthvalue", {capture::W(values), capture::W(indices), capture::R(in)},
                [=](const Tensor* t) { kth_rows_into(t[0], t[1], t[2], k, nan_propagates); });
  // The waist: a recorder of kernel calls intercepts here (kthvalue, values, indices, in, k).
  const int64_t n = in->dim() ? in->shape[in->dim() - 1] : 1;
  const int64_t rows = n ? in->numel / n : 0;
  dispatch(in->dtype, [&](auto z) {
    using T = decltype(z);
    const T* x = in->data_as<T>();
    T* v = values->data_as<T>();
    int64_t* ix = indices->data_as<int64_t>();
    std::vector<int64_t> order(static_cast<size_t>(n));
    for (int64_t r = 0; r < rows; ++r) {
      const T* row = x + r * n;
      if constexpr (std::is_floating_point_v<T>) {
        if (nan_propagates) {
          const T* nan = std::find_if(row, row + n, [](T a) { return std::isnan(a); });
          if (nan != row + n) {
            v[r] = *nan;
            ix[r] = nan - row;
            continue;
          }
        }
      }
      std::iota(order.begin(), order.end(), int64_t{0});
      auto before = [&](int64_t a, int64_t b) {
        if (nan_less(row[a], row[b])) return true;
        if (nan_less(row[b], row[a])) return false;
        return a < b;
      };
      std::nth_element(order.begin(), order.begin() + (k - 1), order.end(), before);
      const int64_t at = order[static_cast<size_t>(k - 1)];
      v[r] = row[at];
      ix[r] = at;
    }
  });
}

void scatter_rows_add_into(const Tensor& out, const Tensor& idx, const Tensor& src) {
  capture::Waist rec;
  if (rec)
    rec->kernel("sort_backward", {capture::RW(out), capture::R(idx), capture::R(src)},
                [=](const Tensor* t) { scatter_rows_add_into(t[0], t[1], t[2]); });
  // The waist: a recorder of kernel calls intercepts here (scatter_rows_add, out, idx, src).
  const int64_t n = out->dim() ? out->shape[out->dim() - 1] : 1;
  const int64_t k = src->dim() ? src->shape[src->dim() - 1] : 1;
  const int64_t rows = k ? src->numel / k : 0;
  dispatch(out->dtype, [&](auto z) {
    using T = decltype(z);
    if constexpr (!std::is_same_v<T, bool>) {
      T* o = out->data_as<T>();
      const T* s = src->data_as<T>();
      const int64_t* ix = idx->data_as<int64_t>();
      for (int64_t r = 0; r < rows; ++r)
        for (int64_t j = 0; j < k; ++j) o[r * n + ix[r * k + j]] += s[r * k + j];
    }
  });
}

int64_t count_nonzero(const Tensor& in) {
  capture::refuse("count_nonzero", "its output shape depends on the data");
  // The waist: a recorder of kernel calls intercepts here (count_nonzero, in).
  int64_t c = 0;
  dispatch(in->dtype, [&](auto z) {
    using T = decltype(z);
    for_each_element(in, [&](const char* p, const Dims&) { c += nonzero_value<T>(p); });
  });
  return c;
}

void nonzero_into(const Tensor& out, const Tensor& in) {
  capture::refuse("nonzero", "its output shape depends on the data");
  // The waist: a recorder of kernel calls intercepts here (nonzero, out, in).
  const int nd = in->dim();
  int64_t* o = out->data_as<int64_t>();
  dispatch(in->dtype, [&](auto z) {
    using T = decltype(z);
    for_each_element(in, [&](const char* p, const Dims& pos) {
      if (!nonzero_value<T>(p)) return;
      for (int d = 0; d < nd; ++d) *o++ = pos[d];
    });
  });
}

int64_t unique_sorted_into(const Tensor& values, const Tensor& group, const Tensor& counts,
                           const Tensor& sorted) {
  capture::refuse("unique", "its output shape depends on the data");
  // The waist: a recorder of kernel calls intercepts here (unique, values, group, counts, sorted).
  const int64_t n = sorted->numel;
  int64_t u = 0;
  dispatch(sorted->dtype, [&](auto z) {
    using T = decltype(z);
    const T* s = sorted->data_as<T>();
    T* v = values->data_as<T>();
    int64_t* g = group->data_as<int64_t>();
    int64_t* c = counts->data_as<int64_t>();
    for (int64_t i = 0; i < n; ++i) {
      bool same = i > 0 && !nan_less(s[i - 1], s[i]) && !nan_less(s[i], s[i - 1]);
      if constexpr (std::is_floating_point_v<T>)  // each NaN is distinct, as PyTorch
        same = same && !std::isnan(s[i]);
      if (!same) {
        v[u] = s[i];
        c[u] = 0;
        ++u;
      }
      g[i] = u - 1;
      ++c[u - 1];
    }
  });
  return u;
}

void scatter_by_perm_into(const Tensor& out, const Tensor& perm, const Tensor& src) {
  capture::refuse("unique", "its kernel is not behind the recorder yet");
  // The waist: a recorder of kernel calls intercepts here (scatter_by_perm, out, perm, src).
  int64_t* o = out->data_as<int64_t>();
  const int64_t* p = perm->data_as<int64_t>();
  const int64_t* s = src->data_as<int64_t>();
  for (int64_t i = 0; i < src->numel; ++i) o[p[i]] = s[i];
}

bool bincount_into(const Tensor& out, const Tensor& in, const Tensor* weights) {
  capture::refuse("bincount", "its output shape depends on the data");
  // The waist: a recorder of kernel calls intercepts here (bincount, out, in, weights).
  bool ok = true;
  dispatch(in->dtype, [&](auto z) {
    using I = decltype(z);
    if constexpr (std::is_integral_v<I>) {
      const I* x = in->data_as<I>();
      for (int64_t i = 0; i < in->numel; ++i) ok = ok && !(x[i] < I(0));
      if (!ok) return;
      dispatch(out->dtype, [&](auto w) {
        using O = decltype(w);
        if constexpr (!std::is_same_v<O, bool>) {
          O* o = out->data_as<O>();
          if (!weights) {
            for (int64_t i = 0; i < in->numel; ++i) o[static_cast<int64_t>(x[i])] += O(1);
          } else {
            dispatch((*weights)->dtype, [&](auto wz) {
              using W = decltype(wz);
              const W* wt = (*weights)->data_as<W>();
              for (int64_t i = 0; i < in->numel; ++i)
                o[static_cast<int64_t>(x[i])] += static_cast<O>(wt[i]);
            });
          }
        }
      });
    }
  });
  return ok;
}

}  // namespace pyag
