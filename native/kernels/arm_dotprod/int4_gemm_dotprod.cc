// int4 weight-only GEMM, int8 activations, with SDOT (Armv8.2 dot product): the raw nibbles
// u = 0..15 are valid s8 values, so SDOT multiplies them by the s8 codes directly (4 products
// per 32-bit lane, exact); the zero point comes off as z * sum(q) once per group, and the float
// steps are quanta/int4_gemm.h's, lane by lane, so the results are the reference's bits. One row
// x one panel (four quads of 4 columns) at a time; low and high nibbles in separate sums.
#include <arm_neon.h>

#include <cstring>

#include "quanta/int4_gemm.h"
#include "quanta/kernels.h"

namespace quanta {

namespace {

void store_quad(const Int4GemmArgs& a, size_t r, size_t p, int h, float32x4_t acc) {
  const size_t col = p * kInt4Panel + 4 * h;
  if (col >= a.w->n) return;
  const size_t left = a.w->n - col, count = left < 4 ? left : 4;
  float bias[4] = {0, 0, 0, 0};
  if (a.bias != nullptr) std::memcpy(bias, a.bias + col, 4 * count);
  float out[4];
  vst1q_f32(out, vaddq_f32(acc, vld1q_f32(bias)));
  std::memcpy(a.y + r * a.ldy + (p - a.panel0) * kInt4Panel + 4 * h, out, 4 * count);
}

int32x4_t zero_points(const Int4Layout& w, const uint8_t* panel, size_t g, int h) {
  if (!w.has_zp) return vdupq_n_s32(8);
  const uint8_t* z = panel + w.zp_offset + g * kInt4Panel + 4 * h;
  const int32_t v[4] = {z[0], z[1], z[2], z[3]};
  return vld1q_s32(v);
}

void panel_row_s8(const Int4GemmArgs& a, size_t r, size_t p) {
  const Int4Layout& w = *a.w;
  const size_t chunks = w.group / kInt4ChunkK;
  const uint8x16_t low4 = vdupq_n_u8(0x0F);
  const uint8_t* pan = w.data + p * w.panel_stride;
  const int8_t* q = a.xq + r * a.ldq;
  float32x4_t f0 = vdupq_n_f32(0), f1 = f0, f2 = f0, f3 = f0;
  for (size_t g = 0; g < w.groups; ++g) {
    int32x4_t l0 = vdupq_n_s32(0), l1 = l0, l2 = l0, l3 = l0, h0 = l0, h1 = l0, h2 = l0, h3 = l0;
    for (size_t c = 0; c < chunks; ++c) {
      const uint8_t* chunk = pan + g * w.group_bytes + c * kInt4ChunkBytes;
      const size_t k0 = g * w.group + c * kInt4ChunkK;
      int32_t even, odd;
      std::memcpy(&even, q + k0, 4);
      std::memcpy(&odd, q + k0 + 4, 4);
      const int8x16_t xe = vreinterpretq_s8_s32(vdupq_n_s32(even)), xo = vreinterpretq_s8_s32(vdupq_n_s32(odd));
#define QUANTA_INT4_QUAD(i)                                                        \
  {                                                                                \
    const uint8x16_t raw = vld1q_u8(chunk + 16 * i);                               \
    l##i = vdotq_s32(l##i, vreinterpretq_s8_u8(vandq_u8(raw, low4)), xe);          \
    h##i = vdotq_s32(h##i, vreinterpretq_s8_u8(vshrq_n_u8(raw, 4)), xo);           \
  }
      QUANTA_INT4_QUAD(0)
      QUANTA_INT4_QUAD(1)
      QUANTA_INT4_QUAD(2)
      QUANTA_INT4_QUAD(3)
#undef QUANTA_INT4_QUAD
    }
    const float* sc = reinterpret_cast<const float*>(pan + g * w.group_bytes + chunks * kInt4ChunkBytes);
    const int32x4_t sum = vdupq_n_s32(a.xsum[r * a.ldg + g]);
    const float32x4_t d = vdupq_n_f32(a.xd[r * a.ldg + g]);
#define QUANTA_INT4_FINISH(i)                                                                     \
  {                                                                                               \
    const int32x4_t dot = vsubq_s32(vaddq_s32(l##i, h##i), vmulq_s32(zero_points(w, pan, g, i), sum)); \
    f##i = vfmaq_f32(f##i, vcvtq_f32_s32(dot), vmulq_f32(vld1q_f32(sc + 4 * i), d));              \
  }
    QUANTA_INT4_FINISH(0)
    QUANTA_INT4_FINISH(1)
    QUANTA_INT4_FINISH(2)
    QUANTA_INT4_FINISH(3)
#undef QUANTA_INT4_FINISH
  }
  store_quad(a, r, p, 0, f0);
  store_quad(a, r, p, 1, f1);
  store_quad(a, r, p, 2, f2);
  store_quad(a, r, p, 3, f3);
}

void gemm_s8_dotprod(const Int4GemmArgs& a) {
  for (size_t p = a.panel0; p < a.panel0 + a.panel_count; ++p) {
    for (size_t r = 0; r < a.m; ++r) panel_row_s8(a, r, p);
  }
}

}  // namespace

void register_dotprod_int4_kernels(KernelTable* t) {
  t->int4_gemm_s8 = gemm_s8_dotprod;
  t->int4_isa = Isa::dotprod;
}

}  // namespace quanta
