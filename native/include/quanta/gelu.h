// GELU for the GEMM's float32 epilogue: y = x * Phi(x) = 0.5 x (1 + erf(x / sqrt 2)) (PyTorch's
// default, approximate='none'), computed by one fixed sequence of IEEE operations that every
// path (scalar and SIMD) performs in the same order, so results are bit-identical across paths:
//   z = |x| * (1 / sqrt 2)
//   erf(z) = 1 - t (a1 + t (a2 + t (a3 + t (a4 + t a5)))) exp(-z^2),  t = 1 / (1 + p z)
//            (Abramowitz & Stegun 7.1.26, |error| <= 1.5e-7)
//   exp(v), v = max(-z^2, -87): n = round_half_even(v log2 e), r = v - n ln2 (two fmas, ln2 split
//            in a high and a low part), e^r by its degree-7 Taylor polynomial (Horner, fmas), times
//            2^n built in the exponent bits
//   y = fma(h, s, h), h = 0.5 x, s = erf(z) with x's sign when x < 0
// Every multiply that feeds an add is an explicit fma, so no compiler contraction can change a
// result. Finite x only (the GEMM's outputs are finite). Measured error against the exact GELU in
// double precision: native/test/gemm_epilogue_test.cc.
#pragma once

#include <cmath>
#include <cstdint>
#include <cstring>

namespace quanta::gelu {

inline constexpr float kInvSqrt2 = 0.70710678118654752f;
inline constexpr float kP = 0.3275911f;
inline constexpr float kA1 = 0.254829592f;
inline constexpr float kA2 = -0.284496736f;
inline constexpr float kA3 = 1.421413741f;
inline constexpr float kA4 = -1.453152027f;
inline constexpr float kA5 = 1.061405429f;
inline constexpr float kLog2e = 1.44269504088896341f;
inline constexpr float kLn2Hi = 0.693145751953125f;        // ln 2 to 16 bits: n * kLn2Hi is exact
inline constexpr float kLn2Lo = 1.42860682030941723e-6f;   // ln 2 - kLn2Hi
inline constexpr float kExpMin = -87.0f;                   // 2^n stays a normal number
// 1/k! for k = 7 .. 0
inline constexpr float kE7 = 1.0f / 5040.0f, kE6 = 1.0f / 720.0f, kE5 = 1.0f / 120.0f, kE4 = 1.0f / 24.0f,
                       kE3 = 1.0f / 6.0f, kE2 = 0.5f, kE1 = 1.0f, kE0 = 1.0f;

// The scalar definition (the reference, and the SIMD kernels' tails).
inline float exp_neg(float v) {
  v = v > kExpMin ? v : kExpMin;
  const float n = std::nearbyint(v * kLog2e);
  float r = std::fma(n, -kLn2Hi, v);
  r = std::fma(n, -kLn2Lo, r);
  float p = kE7;
  p = std::fma(p, r, kE6);
  p = std::fma(p, r, kE5);
  p = std::fma(p, r, kE4);
  p = std::fma(p, r, kE3);
  p = std::fma(p, r, kE2);
  p = std::fma(p, r, kE1);
  p = std::fma(p, r, kE0);
  const int32_t bits = (static_cast<int32_t>(n) + 127) * (1 << 23);
  float scale;
  std::memcpy(&scale, &bits, 4);
  return p * scale;
}

inline float apply(float x) {
  const float z = std::fabs(x) * kInvSqrt2;
  const float t = 1.0f / std::fma(kP, z, 1.0f);
  float poly = kA5;
  poly = std::fma(poly, t, kA4);
  poly = std::fma(poly, t, kA3);
  poly = std::fma(poly, t, kA2);
  poly = std::fma(poly, t, kA1);
  poly = poly * t;
  const float e = std::fma(-poly, exp_neg(-(z * z)), 1.0f);
  const float s = x < 0.0f ? -e : e;
  const float h = 0.5f * x;
  return std::fma(h, s, h);
}

}  // namespace quanta::gelu
