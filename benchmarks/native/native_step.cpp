// Native baseline: the seed's two-layer network trained by hand on raw float arrays.
//
// Layout is row-major and feature-major like the seed: x is (din, m), w1 is (h, din),
// b1 is (h, 1), w2 is (dout, h), b2 is (dout, 1), y is (dout, m).
// Matrix products go through scipy_cblas_sgemm with transpose flags (no transposed copies);
// everything else is a loop the compiler vectorises without -march=native (checked with
// -fopt-info-vec): reductions keep eight partial sums as the library's do, masks are selects.
//
// Two variants of each step:
//   fused   (native_*_step): what a hand-written C++ loop does. GEMMs write the gradients
//           (beta = 0) with the 1/m scale as alpha, the residual and the relu mask are applied
//           in place, the update is one pass. Every buffer is allocated in native_create.
//   unfused (native_*_step_unfused): the same memory passes as the seed's Python program run
//           by pyautograd (benchlib/steps.py): one pass per tensor operation into a fresh
//           buffer, the same GEMMs with the library's alpha and beta, gradients accumulated
//           into zeroed .grad buffers. The fresh buffers are allocated by the first step and
//           reused by the later ones, so no timed step allocates either.
#include <cblas.h>

#include <algorithm>
#include <array>
#include <cstddef>
#include <limits>
#include <memory>
#include <new>
#include <utility>
#include <vector>

#define NATIVE_API extern "C" __attribute__((visibility("default")))

namespace {

using Buffer = std::vector<float>;

std::size_t count(int rows, int cols) {
  return static_cast<std::size_t>(rows) * static_cast<std::size_t>(cols);
}

// Stands in for the library's allocator in the unfused steps: hands out a buffer for each
// temporary the Python program creates, in the same order every step. The first step allocates
// them; `rewind` at the start of each step gives the later steps the same buffers back.
class Temporaries {
 public:
  void rewind() { next_ = 0; }

  float* take(std::size_t n) {
    if (next_ == buffers_.size()) buffers_.emplace_back(n);
    Buffer& b = buffers_[next_++];
    if (b.size() < n) b.resize(n);
    return b.data();
  }

  unsigned char* take_mask(std::size_t n) {  // a bool tensor (the program's one: z1 < 0)
    if (mask_.size() < n) mask_.resize(n);
    return mask_.data();
  }

 private:
  std::vector<Buffer> buffers_;
  std::vector<unsigned char> mask_;
  std::size_t next_ = 0;
};

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

  // (parameter, gradient) pairs in the seed's order.
  std::array<std::pair<Buffer*, Buffer*>, 4> params() {
    return {{{&w1, &dw1}, {&b1, &db1}, {&w2, &dw2}, {&b2, &db2}}};
  }

  int m, din, h, dout;
  Buffer x, y, w1, b1, w2, b2;  // data and parameters, copied in by native_create
  Buffer z1, a1, z2;            // fused: forward activations; z2 becomes dL/dz2 in place
  Buffer dw1, db1, dw2, db2;    // parameter gradients (the unfused autograd step's .grad)
  Buffer dz1;                   // fused: dL/da1, then dL/dz1 in place
  Temporaries temps;            // unfused: every other buffer
};

// c(m, n) = alpha * op(a) * op(b) + beta * c, with op chosen by the transpose flags.
void gemm(bool trans_a, bool trans_b, int m, int n, int k, float alpha, const float* a,
          const float* b, float beta, float* c) {
  const int lda = trans_a ? m : k;
  const int ldb = trans_b ? k : n;
  scipy_cblas_sgemm(CblasRowMajor, trans_a ? CblasTrans : CblasNoTrans,
                    trans_b ? CblasTrans : CblasNoTrans, m, n, k, alpha, a, lda, b, ldb, beta, c,
                    n);
}

// out(rows, cols) = mat + col(rows, 1), broadcast along each row; out may be mat.
void add_column(const float* mat, const float* col, float* out, int rows, int cols) {
  for (int i = 0; i < rows; ++i) {
    const float* row = mat + count(i, cols);
    float* out_row = out + count(i, cols);
    const float v = col[i];
    for (int j = 0; j < cols; ++j) out_row[j] = row[j] + v;
  }
}

void relu(const float* in, float* out, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) out[i] = in[i] > 0.0f ? in[i] : 0.0f;
}

// Reductions use the library's scheme (cpp/kernels/reduce.cpp, sum_row): eight independent
// double partial sums over contiguous floats, combined pairwise. There is no serial dependency
// chain, so the loop vectorises (and the result rounds as the library's does).
constexpr std::size_t kPartials = 8;

double combine(const double (&acc)[kPartials]) {
  return ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]));
}

double sum(const float* in, std::size_t n) {
  double acc[kPartials] = {};
  std::size_t i = 0;
  for (; i + kPartials <= n; i += kPartials)
    for (std::size_t k = 0; k < kPartials; ++k) acc[k] += static_cast<double>(in[i + k]);
  for (; i < n; ++i) acc[0] += static_cast<double>(in[i]);
  return combine(acc);
}

// Returns sum((z - y)^2) and overwrites z with scale * (z - y), in one pass.
double residual(float* z, const float* y, float scale, std::size_t n) {
  double acc[kPartials] = {};
  std::size_t i = 0;
  for (; i + kPartials <= n; i += kPartials) {
    for (std::size_t k = 0; k < kPartials; ++k) {
      const float r = z[i + k] - y[i + k];
      acc[k] += static_cast<double>(r) * static_cast<double>(r);
      z[i + k] = scale * r;
    }
  }
  for (; i < n; ++i) {
    const float r = z[i] - y[i];
    acc[0] += static_cast<double>(r) * static_cast<double>(r);
    z[i] = scale * r;
  }
  return combine(acc);
}

// out(rows, 1) = alpha * sum over columns of mat(rows, cols).
void row_sum(const float* mat, int rows, int cols, float alpha, float* out) {
  for (int i = 0; i < rows; ++i) {
    const double s = sum(mat + count(i, cols), static_cast<std::size_t>(cols));
    out[i] = alpha * static_cast<float>(s);
  }
}

// Gradient of clamp(min=0): passes where z >= 0 (PyTorch's convention), zero elsewhere.
void relu_mask(const float* z, float* d, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) d[i] = z[i] < 0.0f ? 0.0f : d[i];  // a blend: vectorises
}

void sgd(Buffer& p, const Buffer& g, float lr) {
  const std::size_t n = p.size();
  for (std::size_t i = 0; i < n; ++i) p[i] -= lr * g[i];
}

// The unfused steps' elementwise passes, one per library kernel; out may alias an input.
void add(const float* a, const float* b, float* out, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) out[i] = a[i] + b[i];
}

void sub(const float* a, const float* b, float* out, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) out[i] = a[i] - b[i];
}

void scale(float s, const float* in, float* out, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) out[i] = s * in[i];
}

void square(const float* in, float* out, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) out[i] = in[i] * in[i];
}

// PowBackward for exponent 2: out = 2 * x * g, with g a broadcast scalar (SumBackward's).
void square_backward(const float* x, float g, float* out, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) out[i] = 2.0f * x[i] * g;
}

// ClampBackward for min=0: out = g where z >= 0, else 0.
void relu_backward(const float* g, const float* z, float* out, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) {
    const float gi = g[i];  // read unconditionally: the select vectorises
    out[i] = z[i] >= 0.0f ? gi : 0.0f;
  }
}

void less_than_zero(const float* z, unsigned char* mask, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) mask[i] = z[i] < 0.0f;
}

void masked_zero(const unsigned char* mask, float* d, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) d[i] = mask[i] ? 0.0f : d[i];
}

// The engine's bias gradient: sum g(rows, cols) over the broadcast columns into a fresh
// (rows, 1) buffer, then accumulate that into .grad.
void bias_grad(Temporaries& t, const float* g, int rows, int cols, Buffer& grad) {
  float* column = t.take(count(rows, 1));
  row_sum(g, rows, cols, 1.0f, column);
  add(grad.data(), column, grad.data(), grad.size());
}

// `p.data -= lr * p.grad.data` (or `p -= lr * d_p`): a fresh lr * g, then the subtraction.
void sgd_unfused(Temporaries& t, Buffer& p, const float* g, float lr) {
  float* step = t.take(p.size());
  scale(lr, g, step, p.size());
  sub(p.data(), step, p.data(), p.size());
}

// `1 / m * value`: a fresh buffer.
float* scaled(Temporaries& t, float s, const float* value, std::size_t n) {
  float* out = t.take(n);
  scale(s, value, out, n);
  return out;
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

  float* z1 = n.z1.data();
  float* z2 = n.z2.data();
  gemm(false, false, n.h, n.m, n.din, 1.0f, n.w1.data(), n.x.data(), 0.0f, z1);
  if (kind.use_bias) add_column(z1, n.b1.data(), z1, n.h, n.m);
  relu(z1, n.a1.data(), hidden);
  gemm(false, false, n.dout, n.m, n.h, 1.0f, n.w2.data(), n.a1.data(), 0.0f, z2);
  if (kind.use_bias) add_column(z2, n.b2.data(), z2, n.dout, n.m);
  const double loss = residual(z2, n.y.data(), kind.residual_scale, out);

  const float* dz2 = z2;
  gemm(false, true, n.dout, n.h, n.m, kind.grad_scale, dz2, n.a1.data(), 0.0f, n.dw2.data());
  row_sum(dz2, n.dout, n.m, kind.grad_scale, n.db2.data());
  gemm(true, false, n.h, n.m, n.dout, 1.0f, n.w2.data(), dz2, 0.0f, n.dz1.data());
  relu_mask(z1, n.dz1.data(), hidden);
  gemm(false, true, n.h, n.din, n.m, kind.grad_scale, n.dz1.data(), n.x.data(), 0.0f, n.dw1.data());
  row_sum(n.dz1.data(), n.h, n.m, kind.grad_scale, n.db1.data());

  for (auto [p, g] : n.params()) sgd(*p, *g, lr);
  return loss;
}

// Program 2 as pyautograd runs it (benchlib/steps.py, tensor_autograd_step), op by op.
double autograd_step_unfused(Net& n, float lr) {
  Temporaries& t = n.temps;
  t.rewind();
  const std::size_t hidden = count(n.h, n.m);
  const std::size_t out = count(n.dout, n.m);

  // z1 = w1.mm(x) + b1; a1 = z1.clamp(min=0); z2 = w2.mm(a1) + b2
  float* w1x = t.take(hidden);
  gemm(false, false, n.h, n.m, n.din, 1.0f, n.w1.data(), n.x.data(), 0.0f, w1x);
  float* z1 = t.take(hidden);
  add_column(w1x, n.b1.data(), z1, n.h, n.m);
  float* a1 = t.take(hidden);
  relu(z1, a1, hidden);
  float* w2a1 = t.take(out);
  gemm(false, false, n.dout, n.m, n.h, 1.0f, n.w2.data(), a1, 0.0f, w2a1);
  float* z2 = t.take(out);
  add_column(w2a1, n.b2.data(), z2, n.dout, n.m);
  // loss = (z2 - y).pow(2).sum()
  float* diff = t.take(out);
  sub(z2, n.y.data(), diff, out);
  float* squared = t.take(out);
  square(diff, squared, out);
  const double loss = sum(squared, out);

  // loss.backward(), node by node in the engine's order; the leaves' GEMMs accumulate
  // straight into .grad (beta = 1), the bias gradients are summed then added.
  float* dz2 = t.take(out);
  square_backward(diff, 1.0f, dz2, out);
  bias_grad(t, dz2, n.dout, n.m, n.db2);
  gemm(false, true, n.dout, n.h, n.m, 1.0f, dz2, a1, 1.0f, n.dw2.data());
  float* da1 = t.take(hidden);
  gemm(true, false, n.h, n.m, n.dout, 1.0f, n.w2.data(), dz2, 0.0f, da1);
  float* dz1 = t.take(hidden);
  relu_backward(da1, z1, dz1, hidden);
  bias_grad(t, dz1, n.h, n.m, n.db1);
  gemm(false, true, n.h, n.din, n.m, 1.0f, dz1, n.x.data(), 1.0f, n.dw1.data());

  // for p in params: p.data -= lr * p.grad.data; then for p in params: p.grad.data.zero_()
  for (auto [p, g] : n.params()) sgd_unfused(t, *p, g->data(), lr);
  for (auto [p, g] : n.params()) std::fill(g->begin(), g->end(), 0.0f);
  return loss;
}

// Program 1 as pyautograd runs it (benchlib/steps.py, tensor_manual_step), line by line.
double manual_step_unfused(Net& n, float lr) {
  Temporaries& t = n.temps;
  t.rewind();
  const std::size_t hidden = count(n.h, n.m);
  const std::size_t out = count(n.dout, n.m);
  const float inv_m = 1.0f / static_cast<float>(n.m);

  // z1 = w1.mm(x); a1 = z1.clamp(min=0); y_pred = w2.mm(a1)
  float* z1 = t.take(hidden);
  gemm(false, false, n.h, n.m, n.din, 1.0f, n.w1.data(), n.x.data(), 0.0f, z1);
  float* a1 = t.take(hidden);
  relu(z1, a1, hidden);
  float* y_pred = t.take(out);
  gemm(false, false, n.dout, n.m, n.h, 1.0f, n.w2.data(), a1, 0.0f, y_pred);
  // loss = (y_pred - y).pow(2).sum()
  float* diff = t.take(out);
  sub(y_pred, n.y.data(), diff, out);
  float* squared = t.take(out);
  square(diff, squared, out);
  const double loss = sum(squared, out);

  // d_y_pred = 1 / m * (y_pred - y)
  float* diff_again = t.take(out);
  sub(y_pred, n.y.data(), diff_again, out);
  const float* d_y_pred = scaled(t, inv_m, diff_again, out);
  // d_w2 = 1 / m * d_y_pred.mm(a1.t())
  float* mm_w2 = t.take(n.w2.size());
  gemm(false, true, n.dout, n.h, n.m, 1.0f, d_y_pred, a1, 0.0f, mm_w2);
  const float* d_w2 = scaled(t, inv_m, mm_w2, n.w2.size());
  // d_b2 = 1 / m * torch.sum(d_y_pred, 1, keepdim=True)
  float* sum_b2 = t.take(n.b2.size());
  row_sum(d_y_pred, n.dout, n.m, 1.0f, sum_b2);
  const float* d_b2 = scaled(t, inv_m, sum_b2, n.b2.size());
  // d_a1 = w2.t().mm(d_y_pred); d_z1 = d_a1.clone(); d_z1[z1 < 0] = 0
  float* d_a1 = t.take(hidden);
  gemm(true, false, n.h, n.m, n.dout, 1.0f, n.w2.data(), d_y_pred, 0.0f, d_a1);
  float* d_z1 = t.take(hidden);
  std::copy_n(d_a1, hidden, d_z1);
  unsigned char* negative = t.take_mask(hidden);
  less_than_zero(z1, negative, hidden);
  masked_zero(negative, d_z1, hidden);
  // d_w1 = 1 / m * d_z1.mm(x.t()); d_b1 = 1 / m * torch.sum(d_z1, 1, keepdim=True)
  float* mm_w1 = t.take(n.w1.size());
  gemm(false, true, n.h, n.din, n.m, 1.0f, d_z1, n.x.data(), 0.0f, mm_w1);
  const float* d_w1 = scaled(t, inv_m, mm_w1, n.w1.size());
  float* sum_b1 = t.take(n.b1.size());
  row_sum(d_z1, n.h, n.m, 1.0f, sum_b1);
  const float* d_b1 = scaled(t, inv_m, sum_b1, n.b1.size());

  // params[...] -= lr * d_...
  sgd_unfused(t, n.w1, d_w1, lr);
  sgd_unfused(t, n.w2, d_w2, lr);
  sgd_unfused(t, n.b1, d_b1, lr);
  sgd_unfused(t, n.b2, d_b2, lr);
  return loss;
}

// The BLAS thread count the baseline runs with (native_set_threads). The OpenBLAS is the one
// pyautograd loads in the same process, and pyautograd keeps it at one thread (it splits large
// products across its own pool), so each step sets the baseline's count back first: a global
// store when it changed, once per benchmark block.
int g_threads = 0;  // 0: as the BLAS is configured

void use_threads() {
  if (g_threads > 0 && scipy_openblas_get_num_threads() != g_threads)
    scipy_openblas_set_num_threads(g_threads);
}

// The unfused steps allocate their temporaries on the first call: NaN if that fails.
double guarded(double (*step_fn)(Net&, float), void* net, float lr) {
  use_threads();
  try {
    return step_fn(*static_cast<Net*>(net), lr);
  } catch (const std::bad_alloc&) {
    return std::numeric_limits<double>::quiet_NaN();
  }
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
  use_threads();
  return step(*static_cast<Net*>(net), StepKind{true, 2.0f, 1.0f}, lr);
}

// Program 1's hand-written step, returns the loss before the update.
NATIVE_API double native_manual_step(void* net, float lr) {
  use_threads();
  Net& n = *static_cast<Net*>(net);
  const float inv_m = 1.0f / static_cast<float>(n.m);
  return step(n, StepKind{false, inv_m, inv_m}, lr);
}

// Program 2's step with the Python program's memory passes (see the top of this file).
NATIVE_API double native_autograd_step_unfused(void* net, float lr) {
  return guarded(autograd_step_unfused, net, lr);
}

// Program 1's step with the Python program's memory passes (see the top of this file).
NATIVE_API double native_manual_step_unfused(void* net, float lr) {
  return guarded(manual_step_unfused, net, lr);
}

NATIVE_API void native_set_threads(int n) {
  g_threads = n;
  scipy_openblas_set_num_threads(n);
}

NATIVE_API int native_get_threads() { return scipy_openblas_get_num_threads(); }
