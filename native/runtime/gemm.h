// The int8 GEMM engine: weights packed once (quanta/gemm.h's N16K4 layout, with column sums,
// zero points, scales and bias beside them), then Y = (A - za)(B - zb) as int32, or dequantized
// to float32, computed in cache blocks on the addon's thread pool by the kernel table's
// gemm_u8s8 block kernel.
//
// Bound: results are exact when K * max|A - za| * max|B - zb| <= 2^31 - 1, the maxima taken over
// the type's whole range (u8 A with za = 0 and s8 B with zb = 0: K <= 65793; s8 x s8 symmetric:
// K <= 131071; the worst zero points, 255 * 255: K <= 33025). gemm_u8s8 refuses larger K.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "quanta/gemm.h"
#include "quanta/kernels.h"

namespace quanta {

enum class GemmLayoutB : uint8_t {
  nk,  // [N, K]: PyTorch Linear weight
  kn,  // [K, N]: ONNX MatMul B
};

struct GemmPackedB {
  size_t n = 0, k = 0;
  size_t panels = 0, panel_stride = 0;  // panel_stride = gemm_panel_stride(k) bytes
  bool b_signed = true;
  bool zb_zero = true;   // every B' zero point is 0: the rb term vanishes
  int64_t max_dev = 0;   // max over columns of max |B' - zb'| over the type's range
  // Per column, padded with zeros (scale: 0) to panels * 16 entries.
  int32_t* colsum = nullptr;  // sum_k B'[k, n]
  int32_t* nzb = nullptr;     // -zb'[n]
  float* scale = nullptr;     // scale_b[n] (1 when none was given)
  float* bias = nullptr;      // bias[n] (0 when none was given)
  int8_t* data = nullptr;     // panels * panel_stride bytes, 64-byte aligned
  std::shared_ptr<void> storage;
};

// Allocates the zeroed, 64-byte aligned storage of packed B for N x K and points the fields into
// it (false: out of memory). For gemm_pack_b and for loading saved weights.
bool gemm_allocate_packed(size_t n, size_t k, GemmPackedB* out);
// max |B' - zb'| over B' in [-128, 127].
int64_t gemm_max_dev(int32_t zb);

// b: int8 (b_signed) or uint8 bytes in `layout`. zp: 1 or N values (in the type's range);
// scale: 0 (none), 1 or N values; bias: null or N values. Returns "" or what was wrong.
std::string gemm_pack_b(const uint8_t* b, bool b_signed, GemmLayoutB layout, size_t n, size_t k,
                        const int32_t* zp, size_t zp_count, const float* scale, size_t scale_count,
                        const float* bias, GemmPackedB* out);

struct GemmA {
  const uint8_t* data = nullptr;  // [M, K] with row stride lda (bytes)
  size_t m = 0, lda = 0;
  bool is_signed = false;
  const int32_t* zp = nullptr;  // 1 or M values
  size_t zp_count = 1;
};

struct GemmOut {
  GemmEpilogueKind kind = GemmEpilogueKind::s32;
  void* data = nullptr;  // [M, N] int32 or float32 with row stride ldy (elements)
  size_t ldy = 0;
  const float* scale_a = nullptr;  // f32: 1 or M values; u8 / s8: 1 value
  size_t scale_a_count = 1;
  bool relu = false;
  bool gelu = false;  // f32: GELU after the bias (quanta/gelu.h); not with relu
  // u8 / s8 (QLinearMatMul): y = requantize(acc + bias_q[n], scale_a * scale_b[n] / out_scale,
  // out_zp) clamped to [qmin, qmax], where bias_q[n] = round_half_even(bias[n] / (scale_a *
  // scale_b[n])) in int32 (onnxruntime's quantized bias: its QGemm / QLinearConv add it to the
  // sums). ldy counts bytes then.
  float out_scale = 1.0f;
  int32_t out_zp = 0, qmin = 0, qmax = 255;
};

// The largest K gemm_u8s8 accepts for these operands.
size_t gemm_max_k(const GemmA& a, const GemmPackedB& b);

// Y = epilogue((A - za)(B - zb)). Returns "" or what was wrong (nothing is written then). The
// result is the same for every kernel path and thread count.
std::string gemm_u8s8(const KernelTable& kt, const GemmA& a, const GemmPackedB& b,
                      const GemmOut& out);

// Blocking (exposed for tests, which sweep around every block size).
// K slice: 1024 k4 steps = 4096 of K. Each further slice sends the int32 partial sums of C to L3
// and back. Measured on Zen 5, one thread, % of the VPDPBUSD peak at 2048^3: 512-deep slices 85,
// 1024-deep 85-89, 2048-deep 92-94 (1024^3: 90-94 in every case; B's 48-column panel is then
// read from L2, which keeps up at 192 bytes per 9 cycles). 4096-deep against 2048-deep: BERT's
// 128 x 3072 x 768 with dynamic quantization 844-901 -> 909-914 GOPS, 1024 x 4096 x 4096 940 ->
// 962 GOPS, 2048^3 unchanged (one slice either way).
constexpr size_t kGemmKcSteps = 1024;
constexpr size_t kGemmSmallM = 6;    // up to one tile of rows: K is not sliced
constexpr size_t kGemmMc = 192;       // rows per block (a multiple of 6)

}  // namespace quanta
