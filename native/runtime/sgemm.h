// The float32 GEMM engine: weights packed once into quanta/sgemm.h's 48-column panels (with an
// optional per-column bias), then Y = A . B (+ bias, relu) computed in cache blocks on the addon's
// thread pool by the kernel table's sgemm_f32 block kernel. It is the baseline the int8 engine is
// measured against, and the path for layers left in float.
//
// Results are bit-identical for every kernel path and thread count: the K slices depend on K
// only, and each output element is computed by one fixed sequence of roundings (quanta/sgemm.h).
// Accuracy (no overflow or underflow): |Y - exact| <= g(K + S + 1) * (sum_k |A[m, k] B[k, n]| +
// |bias[n]|), g(r) = r u / (1 - r u), u = 2^-24, S the number of K slices: each term passes
// through at most one rounding per fused multiply-add, per slice addition and for the bias.
#pragma once

#include <cstddef>
#include <memory>
#include <string>

#include "quanta/kernels.h"
#include "quanta/sgemm.h"
#include "runtime/gemm.h"

namespace quanta {

struct SgemmPackedB {
  size_t n = 0, k = 0;
  size_t panels = 0, panel_stride = 0;  // panel_stride = sgemm_panel_stride(k) floats
  float* data = nullptr;                // panels * panel_stride floats, 64-byte aligned
  float* bias = nullptr;                // panels * 48 values (zero padded), or null: no bias
  std::shared_ptr<void> storage;
};

// b: float32 in `layout` ([N, K] or [K, N]); bias: null or N values. Returns "" or what was
// wrong.
std::string sgemm_pack_b(const float* b, GemmLayoutB layout, size_t n, size_t k, const float* bias,
                         SgemmPackedB* out);

struct SgemmA {
  const float* data = nullptr;  // [M, K] with row stride lda (floats)
  size_t m = 0, lda = 0;
};

struct SgemmOut {
  float* data = nullptr;  // [M, N] with row stride ldy (floats)
  size_t ldy = 0;
  bool relu = false;
};

// Y = A . B (+ bias) (then relu). Returns "" or what was wrong (nothing is written then).
std::string sgemm_f32(const KernelTable& kt, const SgemmA& a, const SgemmPackedB& b, const SgemmOut& out);

// Blocking (exposed for tests, which sweep around every block size). The block's slice of A
// (192 x 512 floats, 384 KiB) and one panel's slice of B (512 x 48 floats, 96 KiB) stay in the
// 1 MiB L2 while the panels pass; each further K slice sends the partial sums of C to L3 and
// back. Measured on Zen 5, one thread, % of the measured FMA peak (best of 5-7 runs, under load
// from other jobs): Kc x Mc = 256 x 96: 90 / 80 at 1024^3 / 2048^3; 512 x 192: 93 / 87-88;
// 768 x 192 and 768 x 288: 93-94 / 87-89; beyond that the differences drown in the noise.
constexpr size_t kSgemmKc = 512;
// Rows per block: a multiple of 8 (AVX-512 tile) and 6 (AVX2 tile).
constexpr size_t kSgemmMc = 192;

// The K slices: `count` slices of `length` (the last one possibly shorter); K = 0 is one empty
// slice. Depends on K only, so the rounding sequence is the same for every thread count.
struct SgemmSlices {
  size_t count, length;
};
SgemmSlices sgemm_slices(size_t k);

}  // namespace quanta
