// int4 weight-only GEMM, float32 activations, on NEON: one row x one panel (four quads of 4
// columns) at a time, in quanta/int4_gemm.h's operation order lane by lane (exact u - z in
// int32, converted exactly, one FMLA chain per column), so the float results are the
// reference's bits. The int8-activation path needs SDOT (arm_dotprod); plain NEON keeps the
// reference's.
#include <arm_neon.h>

#include <cstring>

#include "quanta/int4_gemm.h"
#include "quanta/kernels.h"

namespace quanta {

namespace {

// Writes quad h (columns 4h..4h+3) of panel p for row r plus bias, only the columns that exist.
void store_quad(const Int4GemmArgs& a, size_t r, size_t p, int h, float32x4_t acc) {
  const size_t col = p * kInt4Panel + 4 * h;
  if (col >= a.w->n) return;
  const size_t left = a.w->n - col;
  float bias[4] = {0, 0, 0, 0};
  if (a.bias != nullptr) std::memcpy(bias, a.bias + col, 4 * (left < 4 ? left : 4));
  float out[4];
  vst1q_f32(out, vaddq_f32(acc, vld1q_f32(bias)));
  std::memcpy(a.y + r * a.ldy + (p - a.panel0) * kInt4Panel + 4 * h, out, 4 * (left < 4 ? left : 4));
}

int32x4_t zero_points(const Int4Layout& w, const uint8_t* panel, size_t g, int h) {
  if (!w.has_zp) return vdupq_n_s32(8);
  const uint8_t* z = panel + w.zp_offset + g * kInt4Panel + 4 * h;
  const int32_t v[4] = {z[0], z[1], z[2], z[3]};
  return vld1q_s32(v);
}

template <int T>
inline float32x4_t weight(uint32x4_t v, int32x4_t z) {
  const uint32x4_t u = vandq_u32(T == 0 ? v : vshrq_n_u32(v, T == 0 ? 1 : 4 * T), vdupq_n_u32(0x0F));
  return vcvtq_f32_s32(vsubq_s32(vreinterpretq_s32_u32(u), z));
}

void panel_row_f32(const Int4GemmArgs& a, size_t r, size_t p) {
  const Int4Layout& w = *a.w;
  const size_t chunks = w.group / kInt4ChunkK;
  const uint8_t* pan = w.data + p * w.panel_stride;
  const float* x = a.x + r * a.ldx;
  float32x4_t f0 = vdupq_n_f32(0), f1 = f0, f2 = f0, f3 = f0;
  for (size_t g = 0; g < w.groups; ++g) {
    const int32x4_t z0 = zero_points(w, pan, g, 0), z1 = zero_points(w, pan, g, 1);
    const int32x4_t z2 = zero_points(w, pan, g, 2), z3 = zero_points(w, pan, g, 3);
    float32x4_t s0 = vdupq_n_f32(0), s1 = s0, s2 = s0, s3 = s0;
    for (size_t c = 0; c < chunks; ++c) {
      const uint32_t* chunk = reinterpret_cast<const uint32_t*>(pan + g * w.group_bytes + c * kInt4ChunkBytes);
      const uint32x4_t w0 = vld1q_u32(chunk), w1 = vld1q_u32(chunk + 4), w2 = vld1q_u32(chunk + 8), w3 = vld1q_u32(chunk + 12);
      const float* xk = x + g * w.group + c * kInt4ChunkK;
#define QUANTA_INT4_STEP(T)                                   \
  {                                                           \
    const float32x4_t xb = vdupq_n_f32(xk[T]);                \
    s0 = vfmaq_f32(s0, weight<T>(w0, z0), xb);                \
    s1 = vfmaq_f32(s1, weight<T>(w1, z1), xb);                \
    s2 = vfmaq_f32(s2, weight<T>(w2, z2), xb);                \
    s3 = vfmaq_f32(s3, weight<T>(w3, z3), xb);                \
  }
      QUANTA_INT4_STEP(0)
      QUANTA_INT4_STEP(1)
      QUANTA_INT4_STEP(2)
      QUANTA_INT4_STEP(3)
      QUANTA_INT4_STEP(4)
      QUANTA_INT4_STEP(5)
      QUANTA_INT4_STEP(6)
      QUANTA_INT4_STEP(7)
#undef QUANTA_INT4_STEP
    }
    const float* sc = reinterpret_cast<const float*>(pan + g * w.group_bytes + chunks * kInt4ChunkBytes);
    f0 = vfmaq_f32(f0, s0, vld1q_f32(sc));
    f1 = vfmaq_f32(f1, s1, vld1q_f32(sc + 4));
    f2 = vfmaq_f32(f2, s2, vld1q_f32(sc + 8));
    f3 = vfmaq_f32(f3, s3, vld1q_f32(sc + 12));
  }
  store_quad(a, r, p, 0, f0);
  store_quad(a, r, p, 1, f1);
  store_quad(a, r, p, 2, f2);
  store_quad(a, r, p, 3, f3);
}

void gemm_f32_neon(const Int4GemmArgs& a) {
  for (size_t p = a.panel0; p < a.panel0 + a.panel_count; ++p) {
    for (size_t r = 0; r < a.m; ++r) panel_row_f32(a, r, p);
  }
}

}  // namespace

void register_neon_int4_kernels(KernelTable* t) {
  t->int4_gemm_f32 = gemm_f32_neon;
  t->int4_isa = Isa::neon;
}

}  // namespace quanta
