// NEON binary GEMM kernels. binary x binary: EOR + CNT (byte popcounts) + UADALP (pairwise adds
// into u16 lanes), tiles of 4 rows x 1 panel (8 columns as four q registers of 2 column words),
// 16 named accumulators. The u16 lanes gain at most 16 per word, so a slice must stay below 4096
// words; the driver's slices are kBinaryKcWords. binary x float32: 4 rows x 16 columns, each
// panel mask expanded by VTST, BSL picks +x or -x, FADD adds it in the reference's order.
#include <arm_neon.h>

#include "quanta/binary_gemm.h"
#include "quanta/kernels.h"

namespace quanta {

namespace {

#define QUANTA_BINN_EACH(X)                                                                   \
  X(0, 0) X(0, 1) X(0, 2) X(0, 3) X(1, 0) X(1, 1) X(1, 2) X(1, 3) X(2, 0) X(2, 1) X(2, 2)   \
  X(2, 3) X(3, 0) X(3, 1) X(3, 2) X(3, 3)

// Stores the first `left` (at most 4) lanes.
inline void store_lanes(int32_t* out, int32x4_t v, size_t left) {
  if (left >= 4) {
    vst1q_s32(out, v);
    return;
  }
  int32_t tmp[4];
  vst1q_s32(tmp, v);
  for (size_t i = 0; i < left; ++i) out[i] = tmp[i];
}

inline int32x4_t load_lanes(const int32_t* in, size_t left) {
  if (left >= 4) return vld1q_s32(in);
  int32_t tmp[4] = {0, 0, 0, 0};
  for (size_t i = 0; i < left; ++i) tmp[i] = in[i];
  return vld1q_s32(tmp);
}

// Two registers of byte-pair counts (2 columns each) to the 4 columns' counts.
inline int32x4_t column_counts(uint16x8_t lo, uint16x8_t hi) {
  const uint32x2_t a = vmovn_u64(vpaddlq_u32(vpaddlq_u16(lo)));
  const uint32x2_t b = vmovn_u64(vpaddlq_u32(vpaddlq_u16(hi)));
  return vreinterpretq_s32_u32(vcombine_u32(a, b));
}

template <int MR>
void b1b1_tile(const BinaryGemmBlock& g, size_t row0, size_t panel) {
  const size_t col0 = panel * kBinaryPanel;
  uint16x8_t c00, c01, c02, c03, c10, c11, c12, c13, c20, c21, c22, c23, c30, c31, c32, c33;
#define QUANTA_BINN_ZERO(r, v) c##r##v = vdupq_n_u16(0);
  QUANTA_BINN_EACH(QUANTA_BINN_ZERO)
#undef QUANTA_BINN_ZERO
  const size_t as = g.a_stride;
  const uint64_t* a0 = g.a + row0 * as;
  const uint64_t* a1 = a0 + as;
  const uint64_t* a2 = a1 + as;
  const uint64_t* a3 = a2 + as;
  const uint64_t* b = g.b + panel * g.b_panel_stride;
  for (size_t t = 0; t < g.words; ++t) {
    const uint64x2_t valid = vdupq_n_u64(t + 1 == g.words ? g.last_mask : ~uint64_t{0});
    const uint64_t* bt = b + t * kBinaryPanel;
    const uint8x16_t b0 = vreinterpretq_u8_u64(vandq_u64(vld1q_u64(bt), valid));
    const uint8x16_t b1 = vreinterpretq_u8_u64(vandq_u64(vld1q_u64(bt + 2), valid));
    const uint8x16_t b2 = vreinterpretq_u8_u64(vandq_u64(vld1q_u64(bt + 4), valid));
    const uint8x16_t b3 = vreinterpretq_u8_u64(vandq_u64(vld1q_u64(bt + 6), valid));
#define QUANTA_BINN_ROW(r)                                                                         \
  if constexpr (r < MR) {                                                                          \
    const uint8x16_t va = vreinterpretq_u8_u64(vandq_u64(vdupq_n_u64(a##r[t]), valid));           \
    c##r##0 = vpadalq_u8(c##r##0, vcntq_u8(veorq_u8(va, b0)));                                     \
    c##r##1 = vpadalq_u8(c##r##1, vcntq_u8(veorq_u8(va, b1)));                                     \
    c##r##2 = vpadalq_u8(c##r##2, vcntq_u8(veorq_u8(va, b2)));                                     \
    c##r##3 = vpadalq_u8(c##r##3, vcntq_u8(veorq_u8(va, b3)));                                     \
  }
    QUANTA_BINN_ROW(0)
    QUANTA_BINN_ROW(1)
    QUANTA_BINN_ROW(2)
    QUANTA_BINN_ROW(3)
#undef QUANTA_BINN_ROW
  }
  const int32x4_t kk = vdupq_n_s32(static_cast<int32_t>(g.k));
#define QUANTA_BINN_STORE(r, h, lo, hi)                                                                      \
  if constexpr (r < MR) {                                                                              \
    const size_t c = col0 + 4 * h;                                                                     \
    if (g.n > c) {                                                                                     \
      const size_t left = g.n - c;                                                                     \
      int32_t* out = static_cast<int32_t*>(g.out) + (row0 + r) * g.ldc + c;                            \
      int32x4_t count = column_counts(lo, hi);                              \
      if (g.kind == BinaryOutKind::f32_group) {                                                        \
        const int32x4_t dot = vsubq_s32(kk, vaddq_s32(count, count));                                  \
        const float32x4_t s = vmulq_f32(vdupq_n_f32(g.scale_a[row0 + r]), vld1q_f32(g.scale_b + c));   \
        const float32x4_t prev = g.first ? vdupq_n_f32(0.0f) : vreinterpretq_f32_s32(load_lanes(out, left)); \
        float32x4_t y = vfmaq_f32(prev, vcvtq_f32_s32(dot), s);                                        \
        if (g.last) y = vaddq_f32(y, vld1q_f32(g.bias + c));                                           \
        store_lanes(out, vreinterpretq_s32_f32(y), left);                                              \
      } else {                                                                                         \
      if (!g.first) count = vaddq_s32(count, load_lanes(out, left));                                   \
      if (!g.last) {                                                                                   \
        store_lanes(out, count, left);                                                                 \
      } else {                                                                                         \
        const int32x4_t dot = vsubq_s32(kk, vaddq_s32(count, count));                                  \
        if (g.kind == BinaryOutKind::s32) {                                                            \
          store_lanes(out, dot, left);                                                                 \
        } else {                                                                                       \
          const float32x4_t s = vmulq_f32(vdupq_n_f32(g.scale_a[row0 + r]), vld1q_f32(g.scale_b + c)); \
          const float32x4_t y = vfmaq_f32(vld1q_f32(g.bias + c), vcvtq_f32_s32(dot), s);               \
          store_lanes(reinterpret_cast<int32_t*>(out), vreinterpretq_s32_f32(y), left);                \
        }                                                                                              \
      }                                                                                                \
      }                                                                                                \
    }                                                                                                  \
  }
  // Columns 0-3 of the panel are in accumulators 0 and 1, columns 4-7 in 2 and 3.
  QUANTA_BINN_STORE(0, 0, c00, c01) QUANTA_BINN_STORE(0, 1, c02, c03)
  QUANTA_BINN_STORE(1, 0, c10, c11) QUANTA_BINN_STORE(1, 1, c12, c13)
  QUANTA_BINN_STORE(2, 0, c20, c21) QUANTA_BINN_STORE(2, 1, c22, c23)
  QUANTA_BINN_STORE(3, 0, c30, c31) QUANTA_BINN_STORE(3, 1, c32, c33)
#undef QUANTA_BINN_STORE
}

void binary_gemm_b1b1_neon(const BinaryGemmBlock& g) {
  const size_t panels = (g.n + kBinaryPanel - 1) / kBinaryPanel;
  for (size_t p = 0; p < panels; ++p) {
    size_t r = 0;
    for (; r + 4 <= g.m; r += 4) b1b1_tile<4>(g, r, p);
    for (; r < g.m; ++r) b1b1_tile<1>(g, r, p);
  }
}

template <int MR>
void b1f32_tile(const BinaryF32Block& g, size_t row0, size_t panel) {
  const size_t col0 = panel * kBinaryF32Panel;
  float32x4_t c00, c01, c02, c03, c10, c11, c12, c13, c20, c21, c22, c23, c30, c31, c32, c33;
#define QUANTA_BINN_ZERO(r, v) c##r##v = vdupq_n_f32(0.0f);
  QUANTA_BINN_EACH(QUANTA_BINN_ZERO)
#undef QUANTA_BINN_ZERO
  const size_t xs = g.x_stride;
  const float* x0 = g.x + row0 * xs;
  const float* x1 = x0 + xs;
  const float* x2 = x1 + xs;
  const float* x3 = x2 + xs;
  const uint16_t* w = g.w + panel * g.w_panel_stride;
  const uint32_t bit_values[4] = {1, 2, 4, 8};
  const uint32x4_t bits0 = vld1q_u32(bit_values);
  const uint32x4_t bits1 = vshlq_n_u32(bits0, 4);
  const uint32x4_t bits2 = vshlq_n_u32(bits0, 8);
  const uint32x4_t bits3 = vshlq_n_u32(bits0, 12);
  for (size_t k = 0; k < g.k; ++k) {
    const uint32x4_t mask = vdupq_n_u32(w[k]);
    const uint32x4_t s0 = vtstq_u32(mask, bits0);
    const uint32x4_t s1 = vtstq_u32(mask, bits1);
    const uint32x4_t s2 = vtstq_u32(mask, bits2);
    const uint32x4_t s3 = vtstq_u32(mask, bits3);
#define QUANTA_BINN_ROW(r)                                              \
  if constexpr (r < MR) {                                               \
    const float32x4_t pos = vdupq_n_f32(x##r[k]);                       \
    const float32x4_t neg = vnegq_f32(pos);                             \
    c##r##0 = vaddq_f32(c##r##0, vbslq_f32(s0, pos, neg));              \
    c##r##1 = vaddq_f32(c##r##1, vbslq_f32(s1, pos, neg));              \
    c##r##2 = vaddq_f32(c##r##2, vbslq_f32(s2, pos, neg));              \
    c##r##3 = vaddq_f32(c##r##3, vbslq_f32(s3, pos, neg));              \
  }
    QUANTA_BINN_ROW(0)
    QUANTA_BINN_ROW(1)
    QUANTA_BINN_ROW(2)
    QUANTA_BINN_ROW(3)
#undef QUANTA_BINN_ROW
  }
#define QUANTA_BINN_STORE(r, v)                                                                      \
  if constexpr (r < MR) {                                                                            \
    const size_t c = col0 + 4 * v;                                                                   \
    if (g.n > c) {                                                                                   \
      const float32x4_t y = vfmaq_f32(vld1q_f32(g.bias + c), c##r##v, vld1q_f32(g.scale_b + c));     \
      store_lanes(reinterpret_cast<int32_t*>(g.out + (row0 + r) * g.ldc + c), vreinterpretq_s32_f32(y), g.n - c); \
    }                                                                                                \
  }
  QUANTA_BINN_EACH(QUANTA_BINN_STORE)
#undef QUANTA_BINN_STORE
}
#undef QUANTA_BINN_EACH

void binary_gemm_b1f32_neon(const BinaryF32Block& g) {
  const size_t panels = (g.n + kBinaryF32Panel - 1) / kBinaryF32Panel;
  for (size_t p = 0; p < panels; ++p) {
    size_t r = 0;
    for (; r + 4 <= g.m; r += 4) b1f32_tile<4>(g, r, p);
    for (; r < g.m; ++r) b1f32_tile<1>(g, r, p);
  }
}

}  // namespace

void register_neon_binary_kernels(KernelTable* t) {
  t->binary_gemm_b1b1 = binary_gemm_b1b1_neon;
  t->binary_gemm_b1f32 = binary_gemm_b1f32_neon;
  t->binary_b1b1_isa = t->binary_b1f32_isa = Isa::neon;
}

}  // namespace quanta
