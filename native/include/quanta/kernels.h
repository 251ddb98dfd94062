// Signatures of every kernel family and the table that holds one implementation of each.
//
// Every family has a reference in kernels/ref (the specification). An optimized kernel has the
// same signature and the same integer results bit for bit; it may only add speed.
// Kernels trust their arguments: lengths and ranges are checked before they are called.
#pragma once

#include <cstddef>
#include <cstdint>

#include "quanta/binary_gemm.h"
#include "quanta/gemm.h"
#include "quanta/int4_gemm.h"
#include "quanta/isa.h"
#include "quanta/memory_read.h"
#include "quanta/sgemm.h"

namespace quanta {

// ---- quantize: y = saturate(round_half_even(x / scale) + zero_point) (ONNX QuantizeLinear) ----
// The result is clamped to [qmin, qmax], a sub-range of the storage type, so narrow and reduced
// ranges and 4- and 2-bit codes use the same kernels. NaN quantizes to qmin (as onnxruntime
// does); +-Inf saturate.
struct QuantRange {
  int32_t qmin;
  int32_t qmax;
};

// One scale and zero point for the whole run of n values.
using QuantizeF32S8Fn = void (*)(const float* x, size_t n, float scale, int32_t zero_point,
                                 QuantRange range, int8_t* y);
using QuantizeF32U8Fn = void (*)(const float* x, size_t n, float scale, int32_t zero_point,
                                 QuantRange range, uint8_t* y);
// Element i has its own scale[i] and zero_point[i] (per-channel on the innermost axis).
using QuantizeF32S8LanesFn = void (*)(const float* x, size_t n, const float* scale,
                                      const int32_t* zero_point, QuantRange range, int8_t* y);
using QuantizeF32U8LanesFn = void (*)(const float* x, size_t n, const float* scale,
                                      const int32_t* zero_point, QuantRange range, uint8_t* y);

// ---- dequantize: y = (x - zero_point) * scale (ONNX DequantizeLinear), exact on every path ----
using DequantizeS8F32Fn = void (*)(const int8_t* x, size_t n, float scale, int32_t zero_point,
                                   float* y);
using DequantizeU8F32Fn = void (*)(const uint8_t* x, size_t n, float scale, int32_t zero_point,
                                   float* y);
using DequantizeS8F32LanesFn = void (*)(const int8_t* x, size_t n, const float* scale,
                                        const int32_t* zero_point, float* y);
using DequantizeU8F32LanesFn = void (*)(const uint8_t* x, size_t n, const float* scale,
                                        const int32_t* zero_point, float* y);

// ---- requantize int32 accumulators (float multiplier, MLAS / onnxruntime style) ----
// y = saturate(round_half_even(float(acc) * multiplier) + zero_point)
using RequantizeS32S8Fn = void (*)(const int32_t* acc, size_t n, float multiplier,
                                   int32_t zero_point, QuantRange range, int8_t* y);
using RequantizeS32U8Fn = void (*)(const int32_t* acc, size_t n, float multiplier,
                                   int32_t zero_point, QuantRange range, uint8_t* y);
using RequantizeS32S8LanesFn = void (*)(const int32_t* acc, size_t n, const float* multiplier,
                                        const int32_t* zero_point, QuantRange range, int8_t* y);
using RequantizeS32U8LanesFn = void (*)(const int32_t* acc, size_t n, const float* multiplier,
                                        const int32_t* zero_point, QuantRange range, uint8_t* y);

// ---- requantize with a fixed-point multiplier (gemmlowp / TFLite reference semantics) ----
// y = saturate(MultiplyByQuantizedMultiplier(acc, multiplier, shift) + zero_point), where the
// multiplier is a Q31 value in [2^30, 2^31) (or 0) and shift in [-31, 30] (positive = left).
using RequantizeFixedS32S8Fn = void (*)(const int32_t* acc, size_t n, int32_t multiplier,
                                        int32_t shift, int32_t zero_point, QuantRange range,
                                        int8_t* y);
using RequantizeFixedS32U8Fn = void (*)(const int32_t* acc, size_t n, int32_t multiplier,
                                        int32_t shift, int32_t zero_point, QuantRange range,
                                        uint8_t* y);

// ---- kmeans: the hot steps of Lloyd's algorithm on scalars (codebook quantization) ----
// Assignment over sorted centroids: codes[i] = the number of decision boundaries bounds[j] with
// bounds[j] < x[i]. `bounds` holds 2^bounds_log2 - 1 non-decreasing entries (the caller pads with
// +inf), bounds_log2 <= 8. Only comparisons, no arithmetic: every path gives the same codes.
using KmeansAssignF32Fn = void (*)(const float* x, size_t n, const float* bounds,
                                   unsigned bounds_log2, uint8_t* codes);
// Per-cluster sums in a fixed order: for i = 0, 1, ..., n - 1 (in that order)
//   sums[codes[i] * kKmeansLanes + i % kKmeansLanes] += double(x[i]);   counts[codes[i]] += 1
// Every (cluster, lane) slot sees its additions in the same order on every path, so the double
// sums are bit-identical without depending on associativity. Every code is < levels; sums holds
// levels * kKmeansLanes slots and counts `levels` (both added to, not cleared).
constexpr size_t kKmeansLanes = 8;
using KmeansAccumulateF32Fn = void (*)(const float* x, const uint8_t* codes, size_t n,
                                       size_t levels, double* sums, uint64_t* counts);

// ---- range: min / max and histograms of float32 values (calibration observers) ----
// The specification is lib/calibrate/range-kernels.ts. A value v is non-finite when it is NaN or
// +-Inf; those are counted (the return value) and skipped.
// Min / max scan that continues a running state: the result is what the loop
//   for i in order: if finite(v): { if (v < *min) *min = v;  if (v > *max) *max = v; }
// leaves, bit for bit. Ties keep the earlier value, which only shows for -0 and +0: the sign of a
// zero result is the sign of the first zero the loop met (optimized paths find it again).
using RangeF32Fn = uint64_t (*)(const float* x, size_t n, float* min, float* max);
// The same loop per column: x has `rows` rows of `width` values, row r at x + r * stride; column
// c continues the state mins[c] / maxs[c], rows visited in order.
using RangeColumnsF32Fn = uint64_t (*)(const float* x, size_t rows, size_t width, size_t stride,
                                       float* mins, float* maxs);
// Histogram: for each finite v (|v| when abs_mode)
//   t = (v - lo) * inv   (two float32 operations, each rounded: never fused)
//   bin = t < 0 ? 0 : min(bins - 1, trunc(t));   counts[bin] += 1
// 1 <= bins <= kHistogramMaxBins. `scratch` holds histogram_scratch_size(bins) uint32 the kernel
// may use freely (sub-histograms; contents on entry do not matter). counts are added to.
constexpr size_t kHistogramSubs = 8;
constexpr uint32_t kHistogramMaxBins = uint32_t{1} << 24;
constexpr size_t histogram_scratch_size(uint32_t bins) { return kHistogramSubs * (size_t{bins} + 1); }
using HistogramF32Fn = uint64_t (*)(const float* x, size_t n, float lo, float inv, uint32_t bins,
                                    bool abs_mode, uint32_t* scratch, uint64_t* counts);

// The kernels in use, one per family member, with the path each came from.
struct KernelTable {
  QuantizeF32S8Fn quantize_f32_s8;
  QuantizeF32U8Fn quantize_f32_u8;
  QuantizeF32S8LanesFn quantize_f32_s8_lanes;
  QuantizeF32U8LanesFn quantize_f32_u8_lanes;
  DequantizeS8F32Fn dequantize_s8_f32;
  DequantizeU8F32Fn dequantize_u8_f32;
  DequantizeS8F32LanesFn dequantize_s8_f32_lanes;
  DequantizeU8F32LanesFn dequantize_u8_f32_lanes;
  RequantizeS32S8Fn requantize_s32_s8;
  RequantizeS32U8Fn requantize_s32_u8;
  RequantizeS32S8LanesFn requantize_s32_s8_lanes;
  RequantizeS32U8LanesFn requantize_s32_u8_lanes;
  RequantizeFixedS32S8Fn requantize_fixed_s32_s8;
  RequantizeFixedS32U8Fn requantize_fixed_s32_u8;
  KmeansAssignF32Fn kmeans_assign_f32;
  KmeansAccumulateF32Fn kmeans_accumulate_f32;
  RangeF32Fn range_f32;
  RangeColumnsF32Fn range_columns_f32;
  HistogramF32Fn histogram_f32;

  // Which path each family's kernels come from (for the probe and for logs).
  Isa quantize_isa;
  Isa dequantize_isa;
  Isa requantize_isa;
  Isa kmeans_isa;
  Isa range_isa;

  // int8 GEMM block kernel and its GELU epilogue (quanta/gemm.h).
  GemmU8S8Fn gemm_u8s8;
  GeluF32Fn gelu_f32;
  Isa gemm_isa;

  // float32 GEMM block kernel (quanta/sgemm.h).
  SgemmBlockFn sgemm_f32;
  Isa sgemm_isa;
  // int4 weight-only GEMM (quanta/int4_gemm.h): float32 and int8 activations, and the int8
  // path's per-group row quantizer.
  Int4GemmFn int4_gemm_f32;
  Int4GemmFn int4_gemm_s8;
  Int4QuantizeRowFn int4_quantize_row;
  Isa int4_isa;
  // Binary GEMM block kernels (quanta/binary_gemm.h).
  BinaryGemmB1B1Fn binary_gemm_b1b1;
  BinaryGemmB1F32Fn binary_gemm_b1f32;
  Isa binary_b1b1_isa;
  Isa binary_b1f32_isa;
  // The memory-read probe (quanta/memory_read.h).
  ReadSumFn read_sum;
  Isa read_isa;
};

// Each ISA folder fills in what it has; a later path overwrites an earlier one's entries.
void register_ref_kernels(KernelTable* table);
#if defined(__x86_64__) || defined(_M_X64)
void register_avx2_kernels(KernelTable* table);
void register_avxvnni_kernels(KernelTable* table);
void register_avx512vnni_kernels(KernelTable* table);
#endif
#if defined(__aarch64__) || defined(_M_ARM64)
void register_neon_kernels(KernelTable* table);
void register_dotprod_kernels(KernelTable* table);
#endif

}  // namespace quanta
