#include "kernels/gemm.h"

#include "capture/hooks.h"
#include "kernels/blas_api.h"
#include "kernels/elementwise.h"
#include "kernels/parallel.h"

namespace pyag {
namespace {

struct MatArg {
  Tensor t;  // the operand, or its contiguous copy when its strides suit no BLAS layout
  bool trans = false;
  int64_t ld = 1;
};

// Finds a BLAS description of a 2-D operand: row-major (ld = row stride) or column-major
// (a transposed row-major matrix: trans, ld = column stride).
bool describe_blas(const Tensor& t, bool& trans, int64_t& ld) {
  const int64_t rows = t->shape[0], cols = t->shape[1];
  const int64_t rs = t->strides[0], cs = t->strides[1];
  if ((cs == 1 || cols == 1) && (rs >= (cols > 1 ? cols : 1) || rows == 1)) {
    trans = false;
    ld = rows == 1 ? (cols > 1 ? cols : 1) : rs;
    if (ld < (cols > 1 ? cols : 1)) ld = cols > 1 ? cols : 1;
    return true;
  }
  if ((rs == 1 || rows == 1) && (cs >= (rows > 1 ? rows : 1) || cols == 1)) {
    trans = true;
    ld = cols == 1 ? (rows > 1 ? rows : 1) : cs;
    if (ld < (rows > 1 ? rows : 1)) ld = rows > 1 ? rows : 1;
    return true;
  }
  return false;
}

MatArg prepare(const Tensor& t) {
  MatArg m{t, false, 1};
  if (!describe_blas(t, m.trans, m.ld)) {
    m.t = empty(t->shape, t->dtype);
    copy_into(m.t, t);
    describe_blas(m.t, m.trans, m.ld);
  }
  return m;
}

// C = alpha * A B + beta * C on any strides (C is not read when beta is 0, as in BLAS).
template <class T>
void naive_mm(const Tensor& out, const Tensor& a, const Tensor& b, T alpha, T beta) {
  const int64_t m = a->shape[0], k = a->shape[1], n = b->shape[1];
  const T* A = a->data_as<T>();
  const T* B = b->data_as<T>();
  T* C = out->data_as<T>();
  const int64_t as0 = a->strides[0], as1 = a->strides[1], bs0 = b->strides[0], bs1 = b->strides[1],
                cs0 = out->strides[0], cs1 = out->strides[1];
  for (int64_t i = 0; i < m; ++i)
    for (int64_t j = 0; j < n; ++j) {
      T acc = 0;
      for (int64_t p = 0; p < k; ++p) acc += A[i * as0 + p * as1] * B[p * bs0 + j * bs1];
      T& c = C[i * cs0 + j * cs1];
      c = static_cast<T>(alpha * acc + (beta == 0 ? T(0) : beta * c));
    }
}

// f(r0, r1) over the rows [0, m) of a product of `work` multiply-adds: split across the
// kernels' threads when the product is large, else one call. The BLAS itself runs one thread
// (parallel.cpp): its own threads spin between calls and wait for every worker, so a busy core
// stalls each product and a spinning one slows the Python and elementwise work in between. Each
// range is one single-threaded BLAS call on rows of the result starting at a multiple of
// kRowAlign rows, a multiple of the BLAS kernels' register blocks, so each row is computed by
// the same kernel as in the whole product: the same bits at any thread count (ctest checks it).
// The pool's caller does not wait for a worker that has not started.
template <class F>
void gemm_rows(int64_t m, int64_t work, F&& f) {
#ifdef PYAG_HAVE_OPENBLAS_THREADS
  constexpr int64_t kParallelGemm = int64_t{1} << 20;  // multiply-adds (~30 us on one core)
  constexpr int64_t kRowAlign = 48;                    // and the fewest rows of a range
  const int threads = num_threads();  // first: the default is read from the BLAS's setting
  // Another user of the same OpenBLAS in this process (a C library, threadpoolctl) may have
  // given it threads again: a global read per product, a store when it changed.
  if (get_blas_threads() != 1) set_blas_threads(1);
  if (threads > 1 && work >= kParallelGemm && m >= 2 * kRowAlign) {
    // One range per thread (each range packs the whole of b: more ranges cost more passes).
    const int64_t parts = std::min<int64_t>(threads, m / kRowAlign);
    const auto bound = [&](int64_t i) {
      return i == parts ? m : (i * m / parts + kRowAlign / 2) / kRowAlign * kRowAlign;
    };
    parallel_for(parts, 1, [&](int64_t b, int64_t e) {
      for (int64_t i = b; i < e; ++i) f(bound(i), bound(i + 1));
    });
    return;
  }
#else
  (void)work;
#endif
  f(int64_t{0}, m);
}

}  // namespace

void mm_into(const Tensor& out, const Tensor& a, const Tensor& b, double alpha, double beta) {
  // The waist: a recorder of kernel calls intercepts here (mm, out, a, b, alpha, beta).
  capture::Waist rec;
  if (rec) rec->mm(out, a, b, alpha, beta);
  const int64_t m = a->shape[0], k = a->shape[1], n = b->shape[1];
  if (m == 0 || n == 0) return;
  if (!is_floating(a->dtype)) {  // integers (bool is refused by the op)
    dispatch(a->dtype, [&](auto v) {
      using T = decltype(v);
      if constexpr (!std::is_same_v<T, bool> && std::is_integral_v<T>)
        naive_mm<T>(out, a, b, static_cast<T>(alpha), static_cast<T>(beta));
    });
    return;
  }
  if (k == 0) {
    if (beta == 0)
      fill(out, 0.0);
    else if (beta != 1)
      binary_into(BinaryKernel::mul, out, out, beta);
    return;
  }
  // Tiny products (a 2x2 step's) cost OpenBLAS's entry (argument checks, buffer allocation,
  // packing) many times their arithmetic: a plain loop is faster there, eager and replayed alike.
  constexpr int64_t kSmallGemm = 256;  // multiply-adds
  if (m * n * k <= kSmallGemm) {
    if (a->dtype == DType::Float32)
      naive_mm<float>(out, a, b, static_cast<float>(alpha), static_cast<float>(beta));
    else
      naive_mm<double>(out, a, b, alpha, beta);
    return;
  }
  constexpr int64_t kBlasMax = 2147483647;
  if (m > kBlasMax || n > kBlasMax || k > kBlasMax)
    fail("mm", "matrix dimensions exceed the BLAS integer range: ", m, "x", k, " by ", k, "x", n);
  MatArg A = prepare(a), B = prepare(b);
  bool ctrans = false;
  int64_t ldc = 1;
  if (!describe_blas(out, ctrans, ldc) || ctrans)
    fail("mm", "internal: output of shape ", shape_str(out->shape), " is not row-major");
  const auto ta = A.trans ? CblasTrans : CblasNoTrans, tb = B.trans ? CblasTrans : CblasNoTrans;
  const auto N = static_cast<blasint>(n), K = static_cast<blasint>(k);
  const auto lda = static_cast<blasint>(A.ld), ldb = static_cast<blasint>(B.ld);
  const auto ldc_ = static_cast<blasint>(ldc);
  // Rows [r0, r1) of out: rows of a, or columns when a is transposed.
  const auto rows_of = [&](auto zero) {
    using T = decltype(zero);
    return [&, alpha_t = static_cast<T>(alpha), beta_t = static_cast<T>(beta)](int64_t r0,
                                                                               int64_t r1) {
      const T* ap = A.t->data_as<T>() + (A.trans ? r0 : r0 * A.ld);
      const T* bp = B.t->data_as<T>();
      T* cp = out->data_as<T>() + r0 * ldc;
      const auto rows = static_cast<blasint>(r1 - r0);
      if constexpr (std::is_same_v<T, float>)
        PYAG_CBLAS(sgemm)(CblasRowMajor, ta, tb, rows, N, K, alpha_t, ap, lda, bp, ldb, beta_t, cp,
                          ldc_);
      else
        PYAG_CBLAS(dgemm)(CblasRowMajor, ta, tb, rows, N, K, alpha_t, ap, lda, bp, ldb, beta_t, cp,
                          ldc_);
    };
  };
  if (a->dtype == DType::Float32)
    gemm_rows(m, m * n * k, rows_of(0.0f));
  else
    gemm_rows(m, m * n * k, rows_of(0.0));
}

#ifdef PYAG_HAVE_OPENBLAS_THREADS
void set_blas_threads(int n) { PYAG_OPENBLAS(set_num_threads)(n); }
int get_blas_threads() { return PYAG_OPENBLAS(get_num_threads)(); }
#else
void set_blas_threads(int) {}
int get_blas_threads() { return 1; }
#endif

const char* blas_name() {
#ifdef PYAG_BLAS_SCIPY_PREFIX
  return "scipy-openblas32";
#else
  return "cblas";
#endif
}

}  // namespace pyag
