// Scalar arithmetic of one element, shared by the reference kernels and by the tails of the
// optimized ones, so both round, clamp and treat NaN the same way.
#pragma once

#include <cmath>
#include <cstdint>

#include "quanta/kernels.h"

namespace quanta::scalar {

// ONNX QuantizeLinear on one value. Clamping before rounding gives the same result as rounding
// first, because both bounds are integers; it also keeps the float-to-int conversion in range.
// nearbyint rounds half to even in the default floating-point environment, as cvtps2dq does.
// NaN gives the lowest code of the range, as onnxruntime's QuantizeLinear and PyTorch's fake
// quantization do (ONNX leaves it undefined).
inline int32_t quantize(float x, float scale, int32_t zero_point, QuantRange range) {
  float v = x / scale;
  if (std::isnan(v)) return range.qmin;
  const float lo = static_cast<float>(range.qmin - zero_point);
  const float hi = static_cast<float>(range.qmax - zero_point);
  v = v < lo ? lo : (v > hi ? hi : v);
  return static_cast<int32_t>(std::nearbyint(v)) + zero_point;
}

inline float dequantize(int32_t q, float scale, int32_t zero_point) {
  return static_cast<float>(q - zero_point) * scale;
}

// Float-multiplier requantization (onnxruntime MlasRequantizeOutput): acc is converted to float
// first (rounding half to even above 2^24), then scaled, rounded and clamped like quantize.
inline int32_t requantize(int32_t acc, float multiplier, int32_t zero_point, QuantRange range) {
  float v = static_cast<float>(acc) * multiplier;
  const float lo = static_cast<float>(range.qmin - zero_point);
  const float hi = static_cast<float>(range.qmax - zero_point);
  v = v < lo ? lo : (v > hi ? hi : v);
  return static_cast<int32_t>(std::nearbyint(v)) + zero_point;
}

// gemmlowp SaturatingRoundingDoublingHighMul: round(a * b / 2^31), ties away from zero.
inline int32_t saturating_rounding_doubling_high_mul(int32_t a, int32_t b) {
  if (a == INT32_MIN && b == INT32_MIN) return INT32_MAX;
  const int64_t ab = static_cast<int64_t>(a) * b;
  const int64_t nudge = ab >= 0 ? (int64_t{1} << 30) : (1 - (int64_t{1} << 30));
  return static_cast<int32_t>((ab + nudge) / (int64_t{1} << 31));
}

// gemmlowp RoundingDivideByPOT: x / 2^exponent, rounding half away from zero.
inline int32_t rounding_divide_by_pot(int32_t x, int exponent) {
  const int32_t mask = static_cast<int32_t>((int64_t{1} << exponent) - 1);
  const int32_t remainder = x & mask;
  const int32_t threshold = (mask >> 1) + (x < 0 ? 1 : 0);
  return (x >> exponent) + (remainder > threshold ? 1 : 0);
}

// TFLite MultiplyByQuantizedMultiplier. The left shift wraps in two's complement, as the TFLite
// reference does on every compiler in practice (here without undefined behaviour).
inline int32_t multiply_by_quantized_multiplier(int32_t x, int32_t multiplier, int32_t shift) {
  const int left = shift > 0 ? shift : 0;
  const int right = shift > 0 ? 0 : -shift;
  const int32_t shifted = static_cast<int32_t>(static_cast<uint32_t>(x) << left);
  return rounding_divide_by_pot(saturating_rounding_doubling_high_mul(shifted, multiplier), right);
}

inline int32_t requantize_fixed(int32_t acc, int32_t multiplier, int32_t shift,
                                int32_t zero_point, QuantRange range) {
  // The sum is formed in 64 bits: a scaled value near INT32_MAX plus a zero point must saturate,
  // not wrap.
  const int64_t v = int64_t{multiply_by_quantized_multiplier(acc, multiplier, shift)} + zero_point;
  return static_cast<int32_t>(v < range.qmin ? range.qmin : (v > range.qmax ? range.qmax : v));
}

}  // namespace quanta::scalar
