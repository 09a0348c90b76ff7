// The numbers of PyTorch's CPU random kernels, one element at a time (used by random.cpp).
//
// PyTorch fills a contiguous float32 tensor of 16 or more normals with an AVX2 Box-Muller: the
// logarithm and the sine/cosine of each lane are Cephes-style polynomials (avx_mathfun.h) and
// its compiler fuses each multiply feeding an add into one FMA. vec_logf and vec_sincosf below
// evaluate the same polynomials in the same order with the same fused steps (std::fma), so they
// give its bits exactly (checked against torch 2.13 on 20,000 normals: no difference).
#pragma once
#include <cmath>
#include <cstdint>
#include <cstring>

#include "ops/generator.h"

namespace pyag::rnd {

// PyTorch's uniform_real_distribution: 24 random bits for float, 53 for double, in [0, 1).
inline float uniform_float(Generator& g) {
  return static_cast<float>(g.random() & 0xffffffu) * (1.0f / 16777216.0f);
}
inline double uniform_double(Generator& g) {
  return static_cast<double>(g.random64() & ((uint64_t(1) << 53) - 1)) * (1.0 / 9007199254740992.0);
}
template <class T>
T uniform01(Generator& g) {
  if constexpr (sizeof(T) == sizeof(float))
    return uniform_float(g);
  else
    return uniform_double(g);
}

// The natural log of x > 0, as the AVX2 lanes compute it: x = m * 2^e with m in [sqrt(1/2),
// sqrt(2)), log(m) by a degree-9 polynomial in m - 1, e * log(2) added in two parts.
inline float vec_logf(float x) {
  uint32_t bits;
  std::memcpy(&bits, &x, sizeof bits);
  const float e0 = static_cast<float>(static_cast<int32_t>(bits >> 23) - 0x7f) + 1.0f;
  bits = (bits & 0x807fffffu) | 0x3f000000u;  // mantissa in [0.5, 1)
  float m;
  std::memcpy(&m, &bits, sizeof m);
  const bool small = m < 0.707106781186547524f;
  const float e = small ? e0 - 1.0f : e0;
  const float t = (m - 1.0f) + (small ? m : 0.0f);
  const float z = t * t;
  static constexpr float p[9] = {7.0376836292E-2f,  -1.1514610310E-1f, 1.1676998740E-1f,
                                 -1.2420140846E-1f, 1.4249322787E-1f,  -1.6668057665E-1f,
                                 2.0000714765E-1f,  -2.4999993993E-1f, 3.3333331174E-1f};
  float y = p[0];
  for (int i = 1; i < 9; ++i) y = std::fma(y, t, p[i]);
  y = std::fma(y * t, z, e * -2.12194440e-4f);
  y = std::fma(-z, 0.5f, y);
  return std::fma(e, 0.693359375f, t + y);
}

// sin(x) and cos(x) as the AVX2 lanes compute them: reduce by multiples of pi/4 (in three
// parts), then a polynomial for sin or cos of the remainder, chosen and signed by the octant.
inline void vec_sincosf(float x, float& s, float& c) {
  bool sin_negative = x < 0;
  x = std::fabs(x);
  int32_t j = static_cast<int32_t>(x * 1.27323954473516f);  // x / (pi / 4), truncated
  j = (j + 1) & ~1;
  const float y = static_cast<float>(j);
  const bool swap_sin_sign = (j & 4) != 0;
  const bool sin_from_sin_poly = (j & 2) == 0;
  x = std::fma(y, -0.78515625f, x);
  x = std::fma(y, -2.4187564849853515625e-4f, x);
  x = std::fma(y, -3.77489497744594108e-8f, x);
  const bool cos_negative = ((~(j - 2)) & 4) != 0;
  sin_negative = sin_negative != swap_sin_sign;
  const float z = x * x;
  float yc = std::fma(std::fma(2.443315711809948E-005f, z, -1.388731625493765E-003f), z,
                      4.166664568298827E-002f);
  yc = std::fma(yc * z, z, -(z * 0.5f)) + 1.0f;
  float ys = std::fma(std::fma(-1.9515295891E-4f, z, 8.3321608736E-3f), z, -1.6666654611E-1f);
  ys = std::fma(ys * z, x, x);
  s = sin_from_sin_poly ? ys : yc;
  c = sin_from_sin_poly ? yc : ys;
  if (sin_negative) s = -s;
  if (cos_negative) c = -c;
}

// Box-Muller on 16 uniforms in place: u[j] and u[j + 8] become the pair made from them.
inline void normal16(float* u, float mean, float std) {
  for (int j = 0; j < 8; ++j) {
    const float radius = std::sqrt(-2.0f * vec_logf(1.0f - u[j]));
    const float theta = 6.28318530717958647692f * u[j + 8];
    float s, c;
    vec_sincosf(theta, s, c);
    u[j] = std::fma(radius * c, std, mean);
    u[j + 8] = std::fma(radius * s, std, mean);
  }
}
inline void normal16(double* u, double mean, double std) {
  for (int j = 0; j < 8; ++j) {
    const double radius = std::sqrt(-2.0 * std::log(1.0 - u[j]));
    const double theta = 2.0 * M_PI * u[j + 8];
    u[j] = std::fma(radius * std::cos(theta), std, mean);
    u[j + 8] = std::fma(radius * std::sin(theta), std, mean);
  }
}

// One normal of PyTorch's scalar path (normal_distribution<double>): a Box-Muller pair from two
// double uniforms, the second value kept in the generator for the next call.
inline double scalar_normal(Generator& g, double mean, double std) {
  double v;
  if (g.next_double_normal) {
    v = *g.next_double_normal;
    g.next_double_normal.reset();
  } else {
    const double u1 = uniform_double(g), u2 = uniform_double(g);
    const double r = std::sqrt(-2.0 * std::log1p(-u2));
    const double theta = 2.0 * M_PI * u1;
    g.next_double_normal = r * std::sin(theta);
    v = r * std::cos(theta);
  }
  return std::fma(v, std, mean);
}

}  // namespace pyag::rnd
