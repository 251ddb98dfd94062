// u8 x s8 GEMM block kernel with SDOT (Armv8.2 dot-product extension): tiles of up to 4 rows x 16
// columns (one packed panel), on the same packed B as every other path.
//
// SDOT multiplies s8 by s8 only, and A' is u8. A'' = A' xor 0x80 = A' - 128 is exact as s8, and
//   sum_k A' B' = sum_k A'' B' + 128 * sum_k B'
// modulo 2^32 (SDOT's int32 lanes wrap like the reference's sum). The second term is 128 times the
// column sums of B' over this K slice: the packer's colsum when the slice is all of K, else
// summed here with SDOT against ones, once per panel (1/m of the tile work). So the running sums
// left in acc between slices are the plain sums of A' B', equal to the reference kernel's. K
// padding is zero in A' and B': A'' is -128 there, times B' = 0, adds nothing.
//
// The packed k4 step is exactly SDOT's layout: 16 bytes = 4 columns x 4 k, one int32 lane per
// column. A row's 8 bytes of A'' cover 2 k4 steps; SDOT by element takes step j from lane j.
// Per step: 4 loads of B for 4 * MR SDOT.
//
// Why 4 x 16 (XNNPACK's 4x16c4 aarch64 neondot ld64 tile): 16 accumulators + 4 A + 8 B (two steps, which GCC
// loads ahead) + the 0x80 mask = 29 of the 32 vector registers. 8 x 16 or 4 x 32 would need 32
// accumulators alone; 16-byte A loads (4 steps) made GCC 12 hoist 16 B loads and spill 5
// accumulators. Sixteen independent chains cover SDOT's latency at 2 per cycle. Accumulators are
// named variables (GCC 12 spills arrays of vectors).
#include <arm_neon.h>

#include <cstring>

#include "kernels/arm_neon/gemm_neon_epilogue.h"
#include "quanta/gemm.h"
#include "quanta/kernels.h"

namespace quanta {

namespace {

#define QUANTA_GEMM_EACH(X)                                                                   \
  X(0, 0) X(0, 1) X(0, 2) X(0, 3) X(1, 0) X(1, 1) X(1, 2) X(1, 3) X(2, 0) X(2, 1) X(2, 2) X(2, 3) \
  X(3, 0) X(3, 1) X(3, 2) X(3, 3)

// 8 bytes of A' (2 k4 steps) as A''.
inline int8x8_t load_a8(const uint8_t* p, uint8x8_t flip) {
  return vreinterpret_s8_u8(veor_u8(vld1_u8(p), flip));
}

// One k4 step of A' (4 bytes) as A'', in lane 0.
inline int8x8_t load_a4(const uint8_t* p, uint8x8_t flip) {
  uint32_t v;
  std::memcpy(&v, p, 4);
  return vreinterpret_s8_u8(veor_u8(vcreate_u8(v), flip));
}

// 128 * (column sums of B' over the slice) for the 16 columns of panel p, modulo 2^32.
void shift_correction(const GemmBlock& g, size_t p, int32_t out[16]) {
  const size_t col0 = p * kGemmPanel;
  int32x4_t s0, s1, s2, s3;
  if (g.first && g.last) {
    s0 = vld1q_s32(g.colsum + col0);
    s1 = vld1q_s32(g.colsum + col0 + 4);
    s2 = vld1q_s32(g.colsum + col0 + 8);
    s3 = vld1q_s32(g.colsum + col0 + 12);
  } else {
    const int8x16_t ones = vdupq_n_s8(1);
    s0 = s1 = s2 = s3 = vdupq_n_s32(0);
    const int8_t* b = g.b + p * g.b_panel_stride;
    for (size_t t = 0; t < g.k4; ++t) {
      const int8_t* step = b + t * kGemmStepBytes;
      s0 = vdotq_s32(s0, vld1q_s8(step), ones);
      s1 = vdotq_s32(s1, vld1q_s8(step + 16), ones);
      s2 = vdotq_s32(s2, vld1q_s8(step + 32), ones);
      s3 = vdotq_s32(s3, vld1q_s8(step + 48), ones);
    }
  }
  // SHL wraps modulo 2^32, as 128 * colsum does in the reference's uint32 arithmetic.
  vst1q_s32(out, vshlq_n_s32(s0, 7));
  vst1q_s32(out + 4, vshlq_n_s32(s1, 7));
  vst1q_s32(out + 8, vshlq_n_s32(s2, 7));
  vst1q_s32(out + 12, vshlq_n_s32(s3, 7));
}

// Rows [row0, row0 + MR) x the 16 columns of panel p; `correction` from shift_correction.
template <int MR>
void tile(const GemmBlock& g, size_t row0, size_t p, const int32_t* correction) {
  int32x4_t c00, c01, c02, c03, c10, c11, c12, c13, c20, c21, c22, c23, c30, c31, c32, c33;
#define QUANTA_GEMM_ZERO(r, q) c##r##q = vdupq_n_s32(0);
  QUANTA_GEMM_EACH(QUANTA_GEMM_ZERO)
#undef QUANTA_GEMM_ZERO

  const uint8x8_t flip = vdup_n_u8(0x80);
  const size_t as = g.a_stride;
  const uint8_t* a0 = g.a + row0 * as;
  const uint8_t* a1 = a0 + as;
  const uint8_t* a2 = a1 + as;
  const uint8_t* a3 = a2 + as;
  const int8_t* b = g.b + p * g.b_panel_stride;
  const size_t k4 = g.k4;

  // Step t + j of the panel against lane `lane` of each row's A'' vector va0..va3.
#define QUANTA_GEMM_ROW(r, lane)                                         \
  if constexpr (r < MR) {                                                \
    c##r##0 = vdotq_lane_s32(c##r##0, vb0, va##r, lane);                 \
    c##r##1 = vdotq_lane_s32(c##r##1, vb1, va##r, lane);                 \
    c##r##2 = vdotq_lane_s32(c##r##2, vb2, va##r, lane);                 \
    c##r##3 = vdotq_lane_s32(c##r##3, vb3, va##r, lane);                 \
  }
#define QUANTA_GEMM_STEP(j, lane)                                        \
  {                                                                      \
    const int8_t* step = b + (t + j) * kGemmStepBytes;                   \
    const int8x16_t vb0 = vld1q_s8(step), vb1 = vld1q_s8(step + 16);     \
    const int8x16_t vb2 = vld1q_s8(step + 32), vb3 = vld1q_s8(step + 48); \
    QUANTA_GEMM_ROW(0, lane)                                             \
    QUANTA_GEMM_ROW(1, lane)                                             \
    QUANTA_GEMM_ROW(2, lane)                                             \
    QUANTA_GEMM_ROW(3, lane)                                             \
  }
  size_t t = 0;
  for (; t + 2 <= k4; t += 2) {
    const size_t o = t * kGemmK4;
    const int8x8_t va0 = load_a8(a0 + o, flip);
    const int8x8_t va1 = MR > 1 ? load_a8(a1 + o, flip) : va0;
    const int8x8_t va2 = MR > 2 ? load_a8(a2 + o, flip) : va0;
    const int8x8_t va3 = MR > 3 ? load_a8(a3 + o, flip) : va0;
    QUANTA_GEMM_STEP(0, 0)
    QUANTA_GEMM_STEP(1, 1)
  }
  // An odd last step: A' rows end there (the block promises only k4 * 4 bytes per row).
  if (t < k4) {
    const size_t o = t * kGemmK4;
    const int8x8_t va0 = load_a4(a0 + o, flip);
    const int8x8_t va1 = MR > 1 ? load_a4(a1 + o, flip) : va0;
    const int8x8_t va2 = MR > 2 ? load_a4(a2 + o, flip) : va0;
    const int8x8_t va3 = MR > 3 ? load_a4(a3 + o, flip) : va0;
    QUANTA_GEMM_STEP(0, 0)
  }
#undef QUANTA_GEMM_STEP
#undef QUANTA_GEMM_ROW

  const int32x4_t k0 = vld1q_s32(correction), k1 = vld1q_s32(correction + 4);
  const int32x4_t k2 = vld1q_s32(correction + 8), k3 = vld1q_s32(correction + 12);
  const size_t col0 = p * kGemmPanel;
#define QUANTA_GEMM_FINISH(r)                                                                  \
  if constexpr (r < MR) {                                                                      \
    arm_gemm::finish_row16(g, row0 + r, col0, vaddq_s32(c##r##0, k0), vaddq_s32(c##r##1, k1),   \
                           vaddq_s32(c##r##2, k2), vaddq_s32(c##r##3, k3));                    \
  }
  QUANTA_GEMM_FINISH(0)
  QUANTA_GEMM_FINISH(1)
  QUANTA_GEMM_FINISH(2)
  QUANTA_GEMM_FINISH(3)
#undef QUANTA_GEMM_FINISH
}

// Panels outside, rows inside: the panel's K slice (k4 * 64 bytes, 64 KiB for a 4096-deep slice)
// stays in L1 while the rows stream past it.
void gemm_u8s8_dotprod(const GemmBlock& g) {
  const size_t panels = gemm_panels(g.n);
  for (size_t p = 0; p < panels; ++p) {
    int32_t correction[16];
    shift_correction(g, p, correction);
    size_t r = 0;
    for (; r + 4 <= g.m; r += 4) tile<4>(g, r, p, correction);
    switch (g.m - r) {
      case 1: tile<1>(g, r, p, correction); break;
      case 2: tile<2>(g, r, p, correction); break;
      case 3: tile<3>(g, r, p, correction); break;
      default: break;
    }
  }
}

#undef QUANTA_GEMM_EACH

}  // namespace

void register_dotprod_gemm_kernels(KernelTable* t) {
  t->gemm_u8s8 = gemm_u8s8_dotprod;
  t->gemm_isa = Isa::dotprod;
}

// The dot-product folder's entry point (kernel_table.cc calls it after the NEON one).
void register_dotprod_kernels(KernelTable* t) {
  register_dotprod_gemm_kernels(t);
  register_dotprod_int4_kernels(t);
}

}  // namespace quanta
