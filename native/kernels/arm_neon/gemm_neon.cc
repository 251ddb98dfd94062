// u8 x s8 GEMM block kernel with NEON (Armv8-A, no dot-product extension): exact, on the same
// packed B as every other path. Tiles of up to 4 rows x 16 columns (one packed panel).
//
// Why exact: Armv8-A has no u8 x s8 multiply. A' (0..255) and B' (-128..127) are both exact as
// int16, and SMLAL by element multiplies int16 by int16 into the full 32-bit product (no
// saturation, unlike SQDMLAL or the int16 pair sums of x86's PMADDUBSW) and adds it modulo 2^32,
// which is the reference's wrapped sum. (A single product, at most 255 * 128 = 32640, would even
// fit int16, but no instruction multiplies u8 by s8; widening A first is the cheapest exact way.)
//
// The packed k4 step holds 4 k-values per column (column-major): LD4 de-interleaves its 64 bytes
// into four vectors, one per k, each with the 16 columns in order. Widened to int16 once per step
// (8 registers), they are shared by all rows of the tile; each row's 4 bytes of A give the lane
// that SMLAL / SMLAL2 multiply by. Per step and row: 16 SMLAL for 64 multiply-adds.
//
// Registers: 16 accumulators (4 rows x 4 quarters of 16 columns) + 8 widened B + 1-2 A of the 32.
// The accumulators are named variables (GCC 12 spills arrays of vectors, as on x86).
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

// A row's 4 bytes of one k4 step as int16 (zero-extended), in lanes 0..3.
inline int16x4_t widen_a(const uint8_t* p) {
  uint32_t v;
  std::memcpy(&v, p, 4);
  return vreinterpret_s16_u16(vget_low_u16(vmovl_u8(vcreate_u8(v))));
}

// Rows [row0, row0 + MR) x the 16 columns of panel p.
template <int MR>
void tile(const GemmBlock& g, size_t row0, size_t p) {
  int32x4_t c00, c01, c02, c03, c10, c11, c12, c13, c20, c21, c22, c23, c30, c31, c32, c33;
#define QUANTA_GEMM_ZERO(r, q) c##r##q = vdupq_n_s32(0);
  QUANTA_GEMM_EACH(QUANTA_GEMM_ZERO)
#undef QUANTA_GEMM_ZERO

  const size_t as = g.a_stride;
  const uint8_t* a0 = g.a + row0 * as;
  const uint8_t* a1 = a0 + as;
  const uint8_t* a2 = a1 + as;
  const uint8_t* a3 = a2 + as;
  const int8_t* b = g.b + p * g.b_panel_stride;
  const size_t k4 = g.k4;
  for (size_t t = 0; t < k4; ++t) {
    // bK = B'[4t + K, columns 0..15] as int16: bKl columns 0..7, bKh columns 8..15.
    const int8x16x4_t step = vld4q_s8(b + t * kGemmStepBytes);
    const int16x8_t b0l = vmovl_s8(vget_low_s8(step.val[0])), b0h = vmovl_high_s8(step.val[0]);
    const int16x8_t b1l = vmovl_s8(vget_low_s8(step.val[1])), b1h = vmovl_high_s8(step.val[1]);
    const int16x8_t b2l = vmovl_s8(vget_low_s8(step.val[2])), b2h = vmovl_high_s8(step.val[2]);
    const int16x8_t b3l = vmovl_s8(vget_low_s8(step.val[3])), b3h = vmovl_high_s8(step.val[3]);
#define QUANTA_GEMM_K(r, k)                                                \
  c##r##0 = vmlal_lane_s16(c##r##0, vget_low_s16(b##k##l), va, k);         \
  c##r##1 = vmlal_high_lane_s16(c##r##1, b##k##l, va, k);                  \
  c##r##2 = vmlal_lane_s16(c##r##2, vget_low_s16(b##k##h), va, k);         \
  c##r##3 = vmlal_high_lane_s16(c##r##3, b##k##h, va, k);
#define QUANTA_GEMM_ROW(r)                                                 \
  if constexpr (r < MR) {                                                  \
    const int16x4_t va = widen_a(a##r + t * kGemmK4);                      \
    QUANTA_GEMM_K(r, 0) QUANTA_GEMM_K(r, 1) QUANTA_GEMM_K(r, 2) QUANTA_GEMM_K(r, 3) \
  }
    QUANTA_GEMM_ROW(0)
    QUANTA_GEMM_ROW(1)
    QUANTA_GEMM_ROW(2)
    QUANTA_GEMM_ROW(3)
#undef QUANTA_GEMM_ROW
#undef QUANTA_GEMM_K
  }

  const size_t col0 = p * kGemmPanel;
#define QUANTA_GEMM_FINISH(r) \
  if constexpr (r < MR) arm_gemm::finish_row16(g, row0 + r, col0, c##r##0, c##r##1, c##r##2, c##r##3);
  QUANTA_GEMM_FINISH(0)
  QUANTA_GEMM_FINISH(1)
  QUANTA_GEMM_FINISH(2)
  QUANTA_GEMM_FINISH(3)
#undef QUANTA_GEMM_FINISH
}

// Panels outside, rows inside: the panel's K slice (k4 * 64 bytes, 64 KiB for a 4096-deep slice)
// stays in L1 while the rows stream past it.
void gemm_u8s8_neon(const GemmBlock& g) {
  const size_t panels = gemm_panels(g.n);
  for (size_t p = 0; p < panels; ++p) {
    size_t r = 0;
    for (; r + 4 <= g.m; r += 4) tile<4>(g, r, p);
    switch (g.m - r) {
      case 1: tile<1>(g, r, p); break;
      case 2: tile<2>(g, r, p); break;
      case 3: tile<3>(g, r, p); break;
      default: break;
    }
  }
}

#undef QUANTA_GEMM_EACH

}  // namespace

void register_neon_gemm_kernels(KernelTable* t) {
  t->gemm_u8s8 = gemm_u8s8_neon;
  t->gemm_isa = Isa::neon;
}

}  // namespace quanta
