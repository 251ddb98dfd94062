// AVX2 binary GEMM kernels. binary x binary: popcount by VPSHUFB nibble table + VPSADBW (Mula's
// method; AVX2 has no vector popcount), tiles of 4 rows x 1 panel (8 columns as two ymm of 4
// column words each), 8 named accumulators of qword counts. binary x float32: 4 rows x 16
// columns; each panel mask is expanded to lane masks by AND + compare, then VBLENDVPS picks +x
// or -x and VADDPS adds it in the reference's order.
#include <immintrin.h>

#include "quanta/binary_gemm.h"
#include "quanta/kernels.h"

namespace quanta {

namespace {

#define QUANTA_BIN2_EACH(X) X(0, 0) X(0, 1) X(1, 0) X(1, 1) X(2, 0) X(2, 1) X(3, 0) X(3, 1)

struct Popcount {
  const __m256i table = _mm256_setr_epi8(0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4, 0, 1, 1, 2, 1, 2, 2, 3, 1,
                                         2, 2, 3, 2, 3, 3, 4);
  const __m256i low = _mm256_set1_epi8(0x0F);
  __m256i operator()(__m256i x) const {
    const __m256i lo = _mm256_and_si256(x, low);
    const __m256i hi = _mm256_and_si256(_mm256_srli_epi16(x, 4), low);
    const __m256i bytes = _mm256_add_epi8(_mm256_shuffle_epi8(table, lo), _mm256_shuffle_epi8(table, hi));
    return _mm256_sad_epu8(bytes, _mm256_setzero_si256());
  }
};

// The 4 qword counts of a ymm as 4 int32 (each < 2^31: one slice's count).
inline __m128i narrow(__m256i c) {
  const __m256i packed = _mm256_permutevar8x32_epi32(c, _mm256_setr_epi32(0, 2, 4, 6, 0, 2, 4, 6));
  return _mm256_castsi256_si128(packed);
}

inline __m128i lane_mask4(size_t left) {
  const __m128i idx = _mm_setr_epi32(0, 1, 2, 3);
  const int n = left >= 4 ? 4 : static_cast<int>(left);
  return _mm_cmpgt_epi32(_mm_set1_epi32(n), idx);
}

template <int MR>
void b1b1_tile(const BinaryGemmBlock& g, size_t row0, size_t panel, const Popcount& pop) {
  const size_t col0 = panel * kBinaryPanel;
  __m256i c00, c01, c10, c11, c20, c21, c30, c31;
#define QUANTA_BIN2_ZERO(r, h) c##r##h = _mm256_setzero_si256();
  QUANTA_BIN2_EACH(QUANTA_BIN2_ZERO)
#undef QUANTA_BIN2_ZERO
  const size_t as = g.a_stride;
  const uint64_t* a0 = g.a + row0 * as;
  const uint64_t* a1 = a0 + as;
  const uint64_t* a2 = a1 + as;
  const uint64_t* a3 = a2 + as;
  const uint64_t* b = g.b + panel * g.b_panel_stride;
  for (size_t t = 0; t < g.words; ++t) {
    const long long valid = static_cast<long long>(t + 1 == g.words ? g.last_mask : ~uint64_t{0});
    const __m256i vvalid = _mm256_set1_epi64x(valid);
    const __m256i b0 = _mm256_and_si256(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(b + t * kBinaryPanel)), vvalid);
    const __m256i b1 = _mm256_and_si256(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(b + t * kBinaryPanel + 4)), vvalid);
#define QUANTA_BIN2_ROW(r)                                                                     \
  if constexpr (r < MR) {                                                                      \
    const __m256i va = _mm256_set1_epi64x(static_cast<long long>(a##r[t]) & valid);            \
    c##r##0 = _mm256_add_epi64(c##r##0, pop(_mm256_xor_si256(va, b0)));                        \
    c##r##1 = _mm256_add_epi64(c##r##1, pop(_mm256_xor_si256(va, b1)));                        \
  }
    QUANTA_BIN2_ROW(0)
    QUANTA_BIN2_ROW(1)
    QUANTA_BIN2_ROW(2)
    QUANTA_BIN2_ROW(3)
#undef QUANTA_BIN2_ROW
  }
  const __m128i kk = _mm_set1_epi32(static_cast<int32_t>(g.k));
#define QUANTA_BIN2_STORE(r, h)                                                                      \
  if constexpr (r < MR) {                                                                            \
    if (g.n > col0 + 4 * h) {                                                                        \
      const __m128i lanes = lane_mask4(g.n - col0 - 4 * h);                                          \
      int32_t* out = static_cast<int32_t*>(g.out) + (row0 + r) * g.ldc + col0 + 4 * h;               \
      __m128i count = narrow(c##r##h);                                                               \
      if (g.kind == BinaryOutKind::f32_group) {                                                      \
        float* fout = reinterpret_cast<float*>(out);                                                 \
        const __m128i dot = _mm_sub_epi32(kk, _mm_add_epi32(count, count));                          \
        const __m128 s = _mm_mul_ps(_mm_set1_ps(g.scale_a[row0 + r]), _mm_loadu_ps(g.scale_b + col0 + 4 * h)); \
        const __m128 prev = g.first ? _mm_setzero_ps() : _mm_maskload_ps(fout, lanes);               \
        __m128 y = _mm_fmadd_ps(_mm_cvtepi32_ps(dot), s, prev);                                      \
        if (g.last) y = _mm_add_ps(y, _mm_loadu_ps(g.bias + col0 + 4 * h));                          \
        _mm_maskstore_ps(fout, lanes, y);                                                            \
      } else {                                                                                       \
      if (!g.first) count = _mm_add_epi32(count, _mm_maskload_epi32(out, lanes));                    \
      if (!g.last) {                                                                                 \
        _mm_maskstore_epi32(out, lanes, count);                                                      \
      } else {                                                                                       \
        const __m128i dot = _mm_sub_epi32(kk, _mm_add_epi32(count, count));                          \
        if (g.kind == BinaryOutKind::s32) {                                                          \
          _mm_maskstore_epi32(out, lanes, dot);                                                      \
        } else {                                                                                     \
          const __m128 s = _mm_mul_ps(_mm_set1_ps(g.scale_a[row0 + r]), _mm_loadu_ps(g.scale_b + col0 + 4 * h)); \
          const __m128 y = _mm_fmadd_ps(_mm_cvtepi32_ps(dot), s, _mm_loadu_ps(g.bias + col0 + 4 * h)); \
          _mm_maskstore_ps(reinterpret_cast<float*>(out), lanes, y);                                 \
        }                                                                                            \
      }                                                                                              \
      }                                                                                              \
    }                                                                                                \
  }
  QUANTA_BIN2_EACH(QUANTA_BIN2_STORE)
#undef QUANTA_BIN2_STORE
}

void binary_gemm_b1b1_avx2(const BinaryGemmBlock& g) {
  const Popcount pop;
  const size_t panels = (g.n + kBinaryPanel - 1) / kBinaryPanel;
  for (size_t p = 0; p < panels; ++p) {
    size_t r = 0;
    for (; r + 4 <= g.m; r += 4) b1b1_tile<4>(g, r, p, pop);
    for (; r < g.m; ++r) b1b1_tile<1>(g, r, p, pop);
  }
}

template <int MR>
void b1f32_tile(const BinaryF32Block& g, size_t row0, size_t panel) {
  const size_t col0 = panel * kBinaryF32Panel;
  __m256 c00, c01, c10, c11, c20, c21, c30, c31;
#define QUANTA_BIN2_ZERO(r, h) c##r##h = _mm256_setzero_ps();
  QUANTA_BIN2_EACH(QUANTA_BIN2_ZERO)
#undef QUANTA_BIN2_ZERO
  const size_t xs = g.x_stride;
  const float* x0 = g.x + row0 * xs;
  const float* x1 = x0 + xs;
  const float* x2 = x1 + xs;
  const float* x3 = x2 + xs;
  const uint16_t* w = g.w + panel * g.w_panel_stride;
  const __m256i bits0 = _mm256_setr_epi32(1, 2, 4, 8, 16, 32, 64, 128);
  const __m256i bits1 = _mm256_slli_epi32(bits0, 8);
  const __m256 sign = _mm256_set1_ps(-0.0f);
  for (size_t k = 0; k < g.k; ++k) {
    const __m256i mask = _mm256_set1_epi32(w[k]);
    const __m256 sel0 = _mm256_castsi256_ps(_mm256_cmpeq_epi32(_mm256_and_si256(mask, bits0), bits0));
    const __m256 sel1 = _mm256_castsi256_ps(_mm256_cmpeq_epi32(_mm256_and_si256(mask, bits1), bits1));
#define QUANTA_BIN2_ROW(r)                                                      \
  if constexpr (r < MR) {                                                       \
    const __m256 pos = _mm256_set1_ps(x##r[k]);                                 \
    const __m256 neg = _mm256_xor_ps(pos, sign);                                \
    c##r##0 = _mm256_add_ps(c##r##0, _mm256_blendv_ps(neg, pos, sel0));         \
    c##r##1 = _mm256_add_ps(c##r##1, _mm256_blendv_ps(neg, pos, sel1));         \
  }
    QUANTA_BIN2_ROW(0)
    QUANTA_BIN2_ROW(1)
    QUANTA_BIN2_ROW(2)
    QUANTA_BIN2_ROW(3)
#undef QUANTA_BIN2_ROW
  }
  const __m256i idx = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
#define QUANTA_BIN2_STORE(r, h)                                                                       \
  if constexpr (r < MR) {                                                                             \
    const size_t c = col0 + 8 * h;                                                                    \
    if (g.n > c) {                                                                                    \
      const int left = g.n - c >= 8 ? 8 : static_cast<int>(g.n - c);                                 \
      const __m256i lanes = _mm256_cmpgt_epi32(_mm256_set1_epi32(left), idx);                         \
      const __m256 y = _mm256_fmadd_ps(c##r##h, _mm256_loadu_ps(g.scale_b + c), _mm256_loadu_ps(g.bias + c)); \
      _mm256_maskstore_ps(g.out + (row0 + r) * g.ldc + c, lanes, y);                                  \
    }                                                                                                 \
  }
  QUANTA_BIN2_EACH(QUANTA_BIN2_STORE)
#undef QUANTA_BIN2_STORE
}
#undef QUANTA_BIN2_EACH

void binary_gemm_b1f32_avx2(const BinaryF32Block& g) {
  const size_t panels = (g.n + kBinaryF32Panel - 1) / kBinaryF32Panel;
  for (size_t p = 0; p < panels; ++p) {
    size_t r = 0;
    for (; r + 4 <= g.m; r += 4) b1f32_tile<4>(g, r, p);
    for (; r < g.m; ++r) b1f32_tile<1>(g, r, p);
  }
}

}  // namespace

void register_avx2_binary_kernels(KernelTable* t) {
  t->binary_gemm_b1b1 = binary_gemm_b1b1_avx2;
  t->binary_gemm_b1f32 = binary_gemm_b1f32_avx2;
  t->binary_b1b1_isa = t->binary_b1f32_isa = Isa::avx2;
}

}  // namespace quanta
