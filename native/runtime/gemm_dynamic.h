// Dynamic quantization in one call (onnxruntime's DynamicQuantizeMatMul, PyTorch's dynamic Linear):
// float32 activations are quantized to uint8 on the fly, per row or per tensor, with
// DynamicQuantizeLinear's parameters, multiplied by packed int8 weights on the int8 engine, and
// dequantized to float32 in its epilogue (scale_a * scale_b[n], bias, activation).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "quanta/kernels.h"
#include "runtime/gemm.h"

namespace quanta {

struct DynamicQuantParams {
  float scale;
  int32_t zero_point;
};

// onnxruntime's DynamicQuantizeLinear parameters for finite min <= max, in float32:
// range [min(0, min), max(0, max)]; scale = (max - min) / 255, or 1 when max == min;
// zero point = round_half_even(clamp(0 - min / scale, 0, 255)). A scale that underflows to 0
// (a range of a few subnormals) becomes 1 with zero point 0: every code is then the zero point,
// which is within half a step of every value. An overflowing scale is returned as +Inf.
DynamicQuantParams dynamic_uint8_params(float min, float max);

struct GemmDynamicArgs {
  const float* x = nullptr;  // [M, K] row-major
  size_t m = 0;
  bool per_row = true;       // one scale / zero point per row of x, else one for all of x
  float* y = nullptr;        // [M, N] float32
  bool relu = false;
  bool gelu = false;
};

// The largest K gemm_dynamic_f32 accepts with these weights: the int32 bound for the worst
// activation zero point (0 or 255), so whether a call is accepted never depends on the data.
size_t gemm_dynamic_max_k(const GemmPackedB& b);

// Y = dequantize(quantize(X) . B). Returns "" or what was wrong (non-finite x, a range too wide
// for a finite scale); nothing is written then. Same result for every path and thread count.
std::string gemm_dynamic_f32(const KernelTable& kt, const GemmDynamicArgs& args, const GemmPackedB& b);

}  // namespace quanta
