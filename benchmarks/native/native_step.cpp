// Native baseline: the seed's two-layer network trained by hand on raw float arrays.
//
// Layout is row-major and feature-major like the seed: x is (din, m), w1 is (h, din),
// b1 is (h, 1), w2 is (dout, h), b2 is (dout, 1), y is (dout, m).
// Every buffer is allocated once in native_create; a step performs no allocation.
// Matrix products go through scipy_cblas_sgemm with transpose flags (no transposed copies);
// everything else is a plain loop.
#include <cblas.h>

#include <cstddef>
#include <memory>
#include <new>
#include <vector>

#define NATIVE_API extern "C" __attribute__((visibility("default")))

namespace {

using Buffer = std::vector<float>;

std::size_t count(int rows, int cols) {
  return static_cast<std::size_t>(rows) * static_cast<std::size_t>(cols);
}

struct Net {
  Net(int m_, int din_, int h_, int dout_)
      : m(m_),
        din(din_),
        h(h_),
        dout(dout_),
        z1(count(h, m)),
        a1(count(h, m)),
        z2(count(dout, m)),
        dw1(count(h, din)),
        db1(count(h, 1)),
        dw2(count(dout, h)),
        db2(count(dout, 1)),
        dz1(count(h, m)) {}

  int m, din, h, dout;
  Buffer x, y, w1, b1, w2, b2;  // data and parameters, copied in by native_create
  Buffer z1, a1, z2;            // forward activations; z2 becomes dL/dz2 in place
  Buffer dw1, db1, dw2, db2;    // parameter gradients
  Buffer dz1;                   // dL/da1, then dL/dz1 in place
};

// c(m, n) = alpha * op(a) * op(b), with op chosen by the transpose flags.
void gemm(bool trans_a, bool trans_b, int m, int n, int k, float alpha, const float* a,
          const float* b, float* c) {
  const int lda = trans_a ? m : k;
  const int ldb = trans_b ? k : n;
  scipy_cblas_sgemm(CblasRowMajor, trans_a ? CblasTrans : CblasNoTrans,
                    trans_b ? CblasTrans : CblasNoTrans, m, n, k, alpha, a, lda, b, ldb, 0.0f, c,
                    n);
}

// mat(rows, cols) += col(rows, 1), broadcast along each row.
void add_column(float* mat, const float* col, int rows, int cols) {
  for (int i = 0; i < rows; ++i) {
    float* row = mat + count(i, cols);
    const float v = col[i];
    for (int j = 0; j < cols; ++j) row[j] += v;
  }
}

void relu(const float* in, float* out, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) out[i] = in[i] > 0.0f ? in[i] : 0.0f;
}

// Returns sum((z - y)^2) and overwrites z with scale * (z - y).
double residual(float* z, const float* y, float scale, std::size_t n) {
  double loss = 0.0;
  for (std::size_t i = 0; i < n; ++i) {
    const float r = z[i] - y[i];
    loss += static_cast<double>(r) * static_cast<double>(r);
    z[i] = scale * r;
  }
  return loss;
}

// out(rows, 1) = alpha * sum over columns of mat(rows, cols).
void row_sum(const float* mat, int rows, int cols, float alpha, float* out) {
  for (int i = 0; i < rows; ++i) {
    const float* row = mat + count(i, cols);
    float s = 0.0f;
    for (int j = 0; j < cols; ++j) s += row[j];
    out[i] = alpha * s;
  }
}

// Gradient of clamp(min=0): passes where z >= 0 (PyTorch's convention), zero elsewhere.
void relu_mask(const float* z, float* d, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) {
    if (z[i] < 0.0f) d[i] = 0.0f;
  }
}

void sgd(Buffer& p, const Buffer& g, float lr) {
  const std::size_t n = p.size();
  for (std::size_t i = 0; i < n; ++i) p[i] -= lr * g[i];
}

// One training step. The seed's two programs differ only in three constants:
//   autograd (program 2): biases in the forward, dL/dz2 = 2 (z2 - y), gradient scale 1;
//   manual   (program 1): biases commented out,  d_y_pred = (z2 - y) / m, gradient scale 1/m.
struct StepKind {
  bool use_bias;
  float residual_scale;
  float grad_scale;
};

double step(Net& n, StepKind kind, float lr) {
  const std::size_t hidden = count(n.h, n.m);
  const std::size_t out = count(n.dout, n.m);

  gemm(false, false, n.h, n.m, n.din, 1.0f, n.w1.data(), n.x.data(), n.z1.data());
  if (kind.use_bias) add_column(n.z1.data(), n.b1.data(), n.h, n.m);
  relu(n.z1.data(), n.a1.data(), hidden);
  gemm(false, false, n.dout, n.m, n.h, 1.0f, n.w2.data(), n.a1.data(), n.z2.data());
  if (kind.use_bias) add_column(n.z2.data(), n.b2.data(), n.dout, n.m);
  const double loss = residual(n.z2.data(), n.y.data(), kind.residual_scale, out);

  const float* dz2 = n.z2.data();
  gemm(false, true, n.dout, n.h, n.m, kind.grad_scale, dz2, n.a1.data(), n.dw2.data());
  row_sum(dz2, n.dout, n.m, kind.grad_scale, n.db2.data());
  gemm(true, false, n.h, n.m, n.dout, 1.0f, n.w2.data(), dz2, n.dz1.data());
  relu_mask(n.z1.data(), n.dz1.data(), hidden);
  gemm(false, true, n.h, n.din, n.m, kind.grad_scale, n.dz1.data(), n.x.data(), n.dw1.data());
  row_sum(n.dz1.data(), n.h, n.m, kind.grad_scale, n.db1.data());

  sgd(n.w1, n.dw1, lr);
  sgd(n.b1, n.db1, lr);
  sgd(n.w2, n.dw2, lr);
  sgd(n.b2, n.db2, lr);
  return loss;
}

}  // namespace

// Copies the initial arrays; returns an opaque handle or nullptr on allocation failure.
NATIVE_API void* native_create(int m, int din, int h, int dout, const float* x, const float* y,
                               const float* w1, const float* b1, const float* w2, const float* b2) {
  try {
    auto net = std::make_unique<Net>(m, din, h, dout);
    net->x.assign(x, x + count(din, m));
    net->y.assign(y, y + count(dout, m));
    net->w1.assign(w1, w1 + count(h, din));
    net->b1.assign(b1, b1 + count(h, 1));
    net->w2.assign(w2, w2 + count(dout, h));
    net->b2.assign(b2, b2 + count(dout, 1));
    return net.release();
  } catch (const std::bad_alloc&) {
    return nullptr;
  }
}

NATIVE_API void native_destroy(void* net) { delete static_cast<Net*>(net); }

// Program 2's step (what autograd computes), returns the loss before the update.
NATIVE_API double native_autograd_step(void* net, float lr) {
  return step(*static_cast<Net*>(net), StepKind{true, 2.0f, 1.0f}, lr);
}

// Program 1's hand-written step, returns the loss before the update.
NATIVE_API double native_manual_step(void* net, float lr) {
  Net& n = *static_cast<Net*>(net);
  const float inv_m = 1.0f / static_cast<float>(n.m);
  return step(n, StepKind{false, inv_m, inv_m}, lr);
}

NATIVE_API void native_set_threads(int n) { scipy_openblas_set_num_threads(n); }

NATIVE_API int native_get_threads() { return scipy_openblas_get_num_threads(); }
