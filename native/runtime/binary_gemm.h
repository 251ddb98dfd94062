// The binary (XNOR-Net) GEMM engine: sign-bit weights packed once in both kernel layouts
// (quanta/binary_gemm.h), then binary x binary products (int32 dots or float32 with the
// activation and weight scales) or binary weights x float32 activations, computed in blocks on
// the addon's thread pool. Results are the same for every kernel path and thread count.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "quanta/binary_gemm.h"
#include "quanta/kernels.h"

namespace quanta {

enum class BinaryLayoutB : uint8_t {
  nk,  // [N, K]: PyTorch Linear weight
  kn,  // [K, N]: ONNX MatMul B
};

struct BinaryPackedB {
  size_t n = 0, k = 0, words = 0;
  // binary x binary layout: panels of 8 columns, panel_stride = words * 8 words.
  size_t panels = 0, panel_stride = 0;
  const uint64_t* data = nullptr;
  // binary x float32 layout: panels of 16 columns, mask_panel_stride = k masks.
  size_t mask_panels = 0, mask_panel_stride = 0;
  const uint16_t* masks = nullptr;
  // Weight scales per group of group_size bits along K (0: one group, all of K): group g's
  // scales at scale + g * scale_stride; per column, padded (scale 0, bias 0) to scale_stride, a
  // multiple of 16 entries.
  size_t group_size = 0, groups = 1, scale_stride = 0;
  const float* scale = nullptr;
  const float* bias = nullptr;
  std::shared_ptr<void> storage;
};

// bits: the sign bits of W in the binary format's order (flat element i = bit i % 8 of byte i / 8,
// 1 for +1), W laid out [N, K] or [K, N]; bytes >= ceil(N * K / 8). scale: 1 or N values, or with
// group_size > 0 (a multiple of 64, at most kBinaryMaxGroup) N * ceil(K / group_size) values,
// column n's groups at scale + n * groups; bias: null or N values. Returns "" or what was wrong.
std::string binary_pack_b(const uint8_t* bits, BinaryLayoutB layout, size_t n, size_t k, const float* scale,
                          size_t scale_count, const float* bias, BinaryPackedB* out, size_t group_size = 0);

// XNOR-Net binarization of activation rows: x [m, k] (row stride ldx floats, finite) to sign bits
// (rows of binary_words(k) words at words + r * stride, padding bits 0) and, when scale is not
// null, scale[r] = mean |x[r, :]| summed in float64 in k order, rounded once to float32 (0 for k
// = 0): exactly lib/formats/binary.ts's per-row scale.
void binary_binarize_rows(const float* x, size_t m, size_t k, size_t ldx, uint64_t* words, size_t stride,
                          float* scale);

struct BinaryA {
  const uint64_t* words = nullptr;  // m rows of binary_words(k) words (bits past K: anything)
  size_t m = 0, stride = 0;
  const float* scale = nullptr;  // m values (f32 output), or null for 1
};

// Y [m, n] (row stride ldy elements) = dot or fmaf(float(dot), scale_a[m] * scale_b[n], bias[n]),
// or with group scales the group-by-group float32 sum quanta/binary_gemm.h states.
std::string binary_gemm_b1b1(const KernelTable& kt, const BinaryA& a, const BinaryPackedB& b, BinaryOutKind kind,
                             void* y, size_t ldy);
// Y [m, n] = fmaf(sum_k sign(W[n, k]) * x[m, k] (k in order), scale_b[n], bias[n]); x finite.
// Not for group-scaled weights.
std::string binary_gemm_b1f32(const KernelTable& kt, const float* x, size_t m, size_t ldx, const BinaryPackedB& b,
                              float* y, size_t ldy);

// Blocking (exposed for tests, which sweep around every block size).
// K slice: 128 words = 8192 bits, so the AVX-512 tile's 4 panels of B (32 KiB) stay in L1 while
// the rows of a block pass them.
constexpr size_t kBinaryKcWords = 128;
// Group-scaled products run one group per slice (popcounts never cross groups).
constexpr size_t kBinaryMaxGroup = 64 * kBinaryKcWords;
constexpr size_t kBinaryMc = 256;    // rows per block (a multiple of the 4-row tile)
constexpr size_t kBinaryF32Mc = 96;  // rows per block of the float kernel (a multiple of 6)

}  // namespace quanta
