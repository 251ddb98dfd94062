// QuantizeLinear / DequantizeLinear / requantize over a tensor viewed as [outer, axis, inner],
// with one scale, one scale per axis index, or one per block of the axis (ONNX opset 21), run
// on the active kernels and split across the thread pool for big tensors.
#pragma once

#include <cstddef>
#include <cstdint>

#include "quanta/kernels.h"

namespace quanta {

enum class ScaleLayout : uint8_t {
  per_tensor,  // scale[0]
  per_axis,    // scale[a]
  blocked,     // scale[(o * ceil(axis / block) + a / block) * inner + i]
};

struct AxisView {
  size_t outer = 1, axis = 1, inner = 1;
  ScaleLayout layout = ScaleLayout::per_tensor;
  size_t block = 0;  // only for blocked

  size_t size() const { return outer * axis * inner; }
  size_t scale_count() const;
};

// Storage types the integer side may have. Sub-byte codes are quantized into int8/uint8 storage
// with a narrow QuantRange and packed afterwards.
enum class IntType : uint8_t { s8, u8 };

void quantize_linear(const KernelTable& k, const AxisView& v, const float* x, const float* scale,
                     const int32_t* zero_point, QuantRange range, IntType type, void* y);
void dequantize_linear(const KernelTable& k, const AxisView& v, IntType type, const void* x,
                       const float* scale, const int32_t* zero_point, float* y);
void requantize_linear(const KernelTable& k, const AxisView& v, const int32_t* acc,
                       const float* multiplier, const int32_t* zero_point, QuantRange range,
                       IntType type, void* y);
// Fixed-point requantization: per tensor or per axis only (v.layout), with a Q31 multiplier and
// a shift per scale.
void requantize_fixed_linear(const KernelTable& k, const AxisView& v, const int32_t* acc,
                             const int32_t* multiplier, const int32_t* shift,
                             const int32_t* zero_point, QuantRange range, IntType type, void* y);

}  // namespace quanta
