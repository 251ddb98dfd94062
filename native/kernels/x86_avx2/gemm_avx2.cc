// u8 x s8 GEMM block kernel for AVX2 without VNNI: exact, on the same packed B as the VNNI paths.
//
// VPMADDUBSW is not used: its int16 pair sums saturate (255 * 127 * 2 = 64770 > 32767), which
// would make results depend on the path. Instead both operands are widened to int16 (A zero-,
// B sign-extended) and multiplied with VPMADDWD, whose pair sums go to int32 and cannot
// saturate (at most 2 * 255 * 128 = 65280). That costs about twice VPMADDUBSW's instructions
// (the approach of MLAS's exact U8U8 AVX2 kernel) but gives the reference's result bit for bit.
//
// Tile: 4 rows x 8 columns (half a packed panel). One k4 step of 8 columns is 32 bytes of B,
// widened to two ymm of 4 columns x 4 k as int16; A's 4 bytes per row are widened once and
// repeated. VPMADDWD leaves, per column, two int32 partial sums (k0 + k1, k2 + k3) side by side;
// they are added pairwise after the K loop. 8 accumulators + 2 B + 1 A of the 16 ymm.
#include <immintrin.h>

#include <cstring>

#include "kernels/ref/gemm_scalar.h"
#include "quanta/gemm.h"
#include "quanta/kernels.h"

namespace quanta {

namespace {

inline __m256i widen_a(const uint8_t* p) {
  int32_t v;
  std::memcpy(&v, p, 4);
  return _mm256_cvtepu8_epi16(_mm_set1_epi32(v));  // a0 a1 a2 a3 repeated, as int16
}

// Rows [row0, row0 + MR) x columns [col0, col0 + 8) (col0 a multiple of 8).
template <int MR>
void tile(const GemmBlock& g, size_t row0, size_t col0) {
  __m256i c00 = _mm256_setzero_si256(), c01 = _mm256_setzero_si256(), c10 = _mm256_setzero_si256(),
          c11 = _mm256_setzero_si256(), c20 = _mm256_setzero_si256(), c21 = _mm256_setzero_si256(),
          c30 = _mm256_setzero_si256(), c31 = _mm256_setzero_si256();
  const size_t as = g.a_stride;
  const uint8_t* a0 = g.a + row0 * as;
  const uint8_t* a1 = a0 + as;
  const uint8_t* a2 = a1 + as;
  const uint8_t* a3 = a2 + as;
  const int8_t* b = g.b + (col0 / kGemmPanel) * g.b_panel_stride + (col0 % kGemmPanel) * kGemmK4;
  const size_t k4 = g.k4;
  for (size_t t = 0; t < k4; ++t) {
    const int8_t* step = b + t * kGemmStepBytes;
    const __m256i vb0 = _mm256_cvtepi8_epi16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(step)));
    const __m256i vb1 = _mm256_cvtepi8_epi16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(step + 16)));
#define QUANTA_GEMM_ROW(r)                                                     \
  if constexpr (r < MR) {                                                      \
    const __m256i va = widen_a(a##r + t * 4);                                  \
    c##r##0 = _mm256_add_epi32(c##r##0, _mm256_madd_epi16(va, vb0));           \
    c##r##1 = _mm256_add_epi32(c##r##1, _mm256_madd_epi16(va, vb1));           \
  }
    QUANTA_GEMM_ROW(0)
    QUANTA_GEMM_ROW(1)
    QUANTA_GEMM_ROW(2)
    QUANTA_GEMM_ROW(3)
#undef QUANTA_GEMM_ROW
  }
  // Pairwise sums: hadd gives c0 c1 c4 c5 | c2 c3 c6 c7; the permute restores column order.
  alignas(32) int32_t sums[4][8];
#define QUANTA_GEMM_REDUCE(r)                                                                   \
  if constexpr (r < MR) {                                                                       \
    const __m256i h = _mm256_permute4x64_epi64(_mm256_hadd_epi32(c##r##0, c##r##1), 0xD8);      \
    _mm256_store_si256(reinterpret_cast<__m256i*>(sums[r]), h);                                 \
  }
  QUANTA_GEMM_REDUCE(0)
  QUANTA_GEMM_REDUCE(1)
  QUANTA_GEMM_REDUCE(2)
  QUANTA_GEMM_REDUCE(3)
#undef QUANTA_GEMM_REDUCE
  const size_t cols = g.n - col0 < 8 ? g.n - col0 : 8;
  for (int r = 0; r < MR; ++r) {
    for (size_t j = 0; j < cols; ++j) scalar::gemm_finish(g, row0 + r, col0 + j, sums[r][j]);
  }
}

void gemm_u8s8_avx2(const GemmBlock& g) {
  for (size_t col0 = 0; col0 < g.n; col0 += 8) {
    size_t r = 0;
    for (; r + 4 <= g.m; r += 4) tile<4>(g, r, col0);
    switch (g.m - r) {
      case 1: tile<1>(g, r, col0); break;
      case 2: tile<2>(g, r, col0); break;
      case 3: tile<3>(g, r, col0); break;
      default: break;
    }
  }
}

}  // namespace

void register_avx2_gemm_kernels(KernelTable* t) {
  register_avx2_gelu_kernel(t);
  t->gemm_u8s8 = gemm_u8s8_avx2;
  t->gemm_isa = Isa::avx2;
}

}  // namespace quanta
