// The last steps of one row of a 16-column GEMM tile with NEON, shared by the NEON and the
// dot-product block kernels: add the running sums (later K slices) and the zero-point terms (last
// slice) modulo 2^32, then write the epilogue. Each step is the vector twin of scalar::gemm_finish
// (kernels/ref/gemm_scalar.h), which still finishes the column tails, so all paths agree bit for
// bit.
//
// Internal linkage on purpose: both ISA folders include this file, each with its own -march. A
// shared inline symbol could be linked from the dot-product object into the NEON path and run on
// a core without the extension; a private copy per object cannot.
#pragma once

#include <arm_neon.h>

#include <cstddef>
#include <cstdint>

#include "kernels/ref/gemm_scalar.h"
#include "quanta/gemm.h"

namespace quanta::arm_gemm {
namespace {

// s0..s3: this slice's sums of A' * B' (wrapped to 32 bits) for columns col0 + [0, 4), [4, 8),
// [8, 12), [12, 16) of `row` of the block.
__attribute__((always_inline)) inline void finish_row16(const GemmBlock& g, size_t row, size_t col0,
                                                        int32x4_t s0, int32x4_t s1, int32x4_t s2,
                                                        int32x4_t s3) {
  const size_t cols = g.n - col0;
  if (cols < 16) {
    // A column tail: the destination ends inside these 16 lanes, so no vector may touch it.
    int32_t sums[16];
    vst1q_s32(sums, s0);
    vst1q_s32(sums + 4, s1);
    vst1q_s32(sums + 8, s2);
    vst1q_s32(sums + 12, s3);
    for (size_t j = 0; j < cols; ++j) scalar::gemm_finish(g, row, col0 + j, sums[j]);
    return;
  }
  // Null only for a requantizing block of one K slice (the sums never leave the registers).
  int32_t* acc = g.acc == nullptr ? nullptr : static_cast<int32_t*>(g.acc) + row * g.ldc + col0;
  if (!g.first) {
    s0 = vaddq_s32(s0, vld1q_s32(acc));
    s1 = vaddq_s32(s1, vld1q_s32(acc + 4));
    s2 = vaddq_s32(s2, vld1q_s32(acc + 8));
    s3 = vaddq_s32(s3, vld1q_s32(acc + 12));
  }
  // MLA wraps modulo 2^32, as the reference's uint32 arithmetic.
  if (g.last && g.ra != nullptr) {
    const int32_t ra = g.ra[row];
    s0 = vmlaq_n_s32(s0, vld1q_s32(g.colsum + col0), ra);
    s1 = vmlaq_n_s32(s1, vld1q_s32(g.colsum + col0 + 4), ra);
    s2 = vmlaq_n_s32(s2, vld1q_s32(g.colsum + col0 + 8), ra);
    s3 = vmlaq_n_s32(s3, vld1q_s32(g.colsum + col0 + 12), ra);
  }
  if (g.last && g.nzb != nullptr) {
    const int32_t rb = g.rb[row];
    s0 = vmlaq_n_s32(s0, vld1q_s32(g.nzb + col0), rb);
    s1 = vmlaq_n_s32(s1, vld1q_s32(g.nzb + col0 + 4), rb);
    s2 = vmlaq_n_s32(s2, vld1q_s32(g.nzb + col0 + 8), rb);
    s3 = vmlaq_n_s32(s3, vld1q_s32(g.nzb + col0 + 12), rb);
  }
  if (!g.last || g.kind == GemmEpilogueKind::s32) {
    vst1q_s32(acc, s0);
    vst1q_s32(acc + 4, s1);
    vst1q_s32(acc + 8, s2);
    vst1q_s32(acc + 12, s3);
    return;
  }
  if (g.kind == GemmEpilogueKind::f32) {
    // fmaf(float(acc), sa * sb, bias): SCVTF rounds to nearest like the scalar conversion, the
    // scale product is rounded first, and FMLA rounds once like std::fma. ReLU selects with a
    // compare, as the reference's (y > 0 ? y : 0) does: FMAX would keep a NaN.
    float* out = static_cast<float*>(g.acc) + row * g.ldc + col0;
    const float32x4_t sa = vdupq_n_f32(g.scale_a[g.scale_a_per_row ? row : 0]);
    const float32x4_t zero = vdupq_n_f32(0.0f);
    const bool relu = g.relu;
    auto dequantize = [&](int32x4_t s, size_t j) {
      const float32x4_t scale = vmulq_f32(sa, vld1q_f32(g.scale_b + col0 + j));
      float32x4_t y = vfmaq_f32(vld1q_f32(g.bias + col0 + j), vcvtq_f32_s32(s), scale);
      if (relu) y = vbslq_f32(vcgtq_f32(y, zero), y, zero);
      vst1q_f32(out + j, y);
    };
    dequantize(s0, 0);
    dequantize(s1, 4);
    dequantize(s2, 8);
    dequantize(s3, 12);
    return;
  }
  // Requantize (u8 / s8), the steps of scalar::requantize: multiply, clamp to the integer bounds,
  // round half to even (FCVTNS, as nearbyint in the default rounding mode), add the zero point.
  // The codes then lie in [qmin, qmax], inside the byte range, so truncating narrows store them
  // exactly as u8 or s8 alike.
  const float32x4_t lo = vdupq_n_f32(static_cast<float>(g.qmin - g.out_zp));
  const float32x4_t hi = vdupq_n_f32(static_cast<float>(g.qmax - g.out_zp));
  const int32x4_t zp = vdupq_n_s32(g.out_zp);
  auto requantize = [&](int32x4_t s, size_t j) {
    if (g.col_add != nullptr) s = vaddq_s32(s, vld1q_s32(g.col_add + col0 + j));  // the int32 bias
    float32x4_t v = vmulq_f32(vcvtq_f32_s32(s), vld1q_f32(g.multiplier + col0 + j));
    v = vminq_f32(vmaxq_f32(v, lo), hi);
    return vmovn_s32(vaddq_s32(vcvtnq_s32_f32(v), zp));
  };
  const int16x8_t q01 = vcombine_s16(requantize(s0, 0), requantize(s1, 4));
  const int16x8_t q23 = vcombine_s16(requantize(s2, 8), requantize(s3, 12));
  uint8_t* out = static_cast<uint8_t*>(g.out) + row * g.ldo + col0;
  vst1q_u8(out, vreinterpretq_u8_s8(vcombine_s8(vmovn_s16(q01), vmovn_s16(q23))));
}

}  // namespace
}  // namespace quanta::arm_gemm
