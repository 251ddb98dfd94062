// AVX-512 binary GEMM kernels that run on every AVX512-VNNI CPU: binary x binary with an
// AVX-512BW popcount (VPSHUFB nibble table + VPSADBW, Mula's method; Cascade Lake has VNNI but not
// VPOPCNTDQ, so the VPOPCNTQ variant in binary_gemm_avx512_vpopcnt.cc is registered over this one
// only where the CPU reports it), and binary weights x float32 activations.
#include <immintrin.h>

#include "kernels/x86_avx512vnni/binary_gemm_avx512.h"
#include "quanta/kernels.h"

namespace quanta {

namespace {

struct PopcountNibbleTable {
  static constexpr bool kAsm = false;
  const __m512i table = _mm512_broadcast_i32x4(_mm_setr_epi8(0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4));
  const __m512i low = _mm512_set1_epi8(0x0F);
  __m512i operator()(__m512i x) const {
    const __m512i lo = _mm512_and_si512(x, low);
    const __m512i hi = _mm512_and_si512(_mm512_srli_epi16(x, 4), low);
    const __m512i bytes = _mm512_add_epi8(_mm512_shuffle_epi8(table, lo), _mm512_shuffle_epi8(table, hi));
    return _mm512_sad_epu8(bytes, _mm512_setzero_si512());
  }
};

void binary_gemm_b1b1_avx512bw(const BinaryGemmBlock& g) { avx512_binary::block<PopcountNibbleTable>(g); }

// ---- binary weights x float32 activations ----
// Tile: 6 rows x 2 panels (32 columns), 12 independent add chains (FP add latency 3-4 cycles at
// 2 per cycle needs at least 8). Per k: each panel's 16-bit mask picks +x or -x in one
// VBLENDMPS, then one VADDPS: the reference's order, one rounding per step.
#define QUANTA_BINF_EACH(X) X(0, 0) X(0, 1) X(1, 0) X(1, 1) X(2, 0) X(2, 1) X(3, 0) X(3, 1) X(4, 0) X(4, 1) X(5, 0) X(5, 1)

inline __mmask16 column_mask(size_t left) {
  return left >= 16 ? __mmask16(0xFFFF) : static_cast<__mmask16>((1u << left) - 1);
}

template <int MR, int NV>
void f32_tile(const BinaryF32Block& g, size_t row0, size_t panel0) {
  const size_t col0 = panel0 * kBinaryF32Panel;
  __m512 c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51;
#define QUANTA_BINF_ZERO(r, v) c##r##v = _mm512_setzero_ps();
  QUANTA_BINF_EACH(QUANTA_BINF_ZERO)
#undef QUANTA_BINF_ZERO
  const size_t xs = g.x_stride;
  const float* x0 = g.x + row0 * xs;
  const float* x1 = x0 + xs;
  const float* x2 = x1 + xs;
  const float* x3 = x2 + xs;
  const float* x4 = x3 + xs;
  const float* x5 = x4 + xs;
  const uint16_t* w0 = g.w + panel0 * g.w_panel_stride;
  const uint16_t* w1 = w0 + g.w_panel_stride;
  const __m512 sign = _mm512_set1_ps(-0.0f);
  for (size_t k = 0; k < g.k; ++k) {
    const __mmask16 m0 = w0[k];
    const __mmask16 m1 = NV > 1 ? w1[k] : m0;
#define QUANTA_BINF_ROW(r)                                                          \
  if constexpr (r < MR) {                                                           \
    const __m512 pos = _mm512_set1_ps(x##r[k]);                                     \
    const __m512 neg = _mm512_xor_ps(pos, sign);                                    \
    c##r##0 = _mm512_add_ps(c##r##0, _mm512_mask_blend_ps(m0, neg, pos));           \
    if constexpr (NV > 1) c##r##1 = _mm512_add_ps(c##r##1, _mm512_mask_blend_ps(m1, neg, pos)); \
  }
    QUANTA_BINF_ROW(0)
    QUANTA_BINF_ROW(1)
    QUANTA_BINF_ROW(2)
    QUANTA_BINF_ROW(3)
    QUANTA_BINF_ROW(4)
    QUANTA_BINF_ROW(5)
#undef QUANTA_BINF_ROW
  }
#define QUANTA_BINF_STORE(r, v)                                                                   \
  if constexpr (r < MR && v < NV) {                                                               \
    const size_t c = col0 + 16 * v;                                                               \
    const __m512 y = _mm512_fmadd_ps(c##r##v, _mm512_loadu_ps(g.scale_b + c), _mm512_loadu_ps(g.bias + c)); \
    _mm512_mask_storeu_ps(g.out + (row0 + r) * g.ldc + c, column_mask(g.n - c), y);              \
  }
  QUANTA_BINF_EACH(QUANTA_BINF_STORE)
#undef QUANTA_BINF_STORE
}
#undef QUANTA_BINF_EACH

void binary_gemm_b1f32_avx512(const BinaryF32Block& g) {
  const size_t panels = (g.n + kBinaryF32Panel - 1) / kBinaryF32Panel;
  for (size_t p = 0; p < panels; p += 2) {
    const bool two = panels - p >= 2;
    size_t r = 0;
    for (; r + 6 <= g.m; r += 6) two ? f32_tile<6, 2>(g, r, p) : f32_tile<6, 1>(g, r, p);
    for (; r < g.m; ++r) two ? f32_tile<1, 2>(g, r, p) : f32_tile<1, 1>(g, r, p);
  }
}

}  // namespace

void register_avx512_binary_kernels(KernelTable* t) {
  t->binary_gemm_b1b1 = binary_gemm_b1b1_avx512bw;
  t->binary_gemm_b1f32 = binary_gemm_b1f32_avx512;
  t->binary_b1b1_isa = t->binary_b1f32_isa = Isa::avx512vnni;
}

}  // namespace quanta
