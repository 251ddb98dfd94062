// float32 GEMM block kernel on ymm (AVX2 + FMA): tiles of up to 6 rows x 16 columns (a third of a
// packed 48-column panel).
//
// Why 6 x 16: 16 ymm registers hold 12 accumulators + 2 B + 1 broadcast A; each k step issues 12
// FMAs (>= 8 independent chains for latency 4 x 2 pipes) against 2 loads of B and 6 broadcasts.
// The BLIS / OpenBLAS Haswell tile. Named accumulators, as in the AVX-512 kernel.
#include <immintrin.h>

#include "quanta/kernels.h"
#include "quanta/sgemm.h"

namespace quanta {

namespace {

#define QUANTA_SGEMM_EACH(X) \
  X(0, 0) X(0, 1) X(1, 0) X(1, 1) X(2, 0) X(2, 1) X(3, 0) X(3, 1) X(4, 0) X(4, 1) X(5, 0) X(5, 1)

// Lane i is on (all ones) when first + i < cols: VMASKMOVPS reads and writes only those lanes.
inline __m256i column_mask(size_t cols, size_t first) {
  const __m256i lanes = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
  const size_t left = cols <= first ? 0 : cols - first;
  return _mm256_cmpgt_epi32(_mm256_set1_epi32(static_cast<int>(left < 8 ? left : 8)), lanes);
}

// Rows [row0, row0 + MR) x block columns [col0, col0 + min(16, cols)), col0 a multiple of 16.
template <int MR, int NV>
void tile(const SgemmBlock& g, size_t row0, size_t col0, size_t cols) {
  const __m256i m0 = column_mask(cols, 0);
  const __m256i m1 = column_mask(cols, 8);
  const size_t ldc = g.ldc;
  float* c = g.c + row0 * ldc + col0;

  __m256 c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51;
#define QUANTA_SGEMM_ZERO(r, v) c##r##v = _mm256_setzero_ps();
  QUANTA_SGEMM_EACH(QUANTA_SGEMM_ZERO)
#undef QUANTA_SGEMM_ZERO

  const size_t as = g.a_stride;
  const float* a0 = g.a + row0 * as;
  const float* a1 = a0 + as;
  const float* a2 = a1 + as;
  const float* a3 = a2 + as;
  const float* a4 = a3 + as;
  const float* a5 = a4 + as;
  const float* b = g.b + (col0 / kSgemmPanel) * g.b_panel_stride + col0 % kSgemmPanel;
  const size_t k = g.k;
  for (size_t t = 0; t < k; ++t, b += kSgemmPanel) {
    const __m256 vb0 = _mm256_load_ps(b);
    const __m256 vb1 = NV > 1 ? _mm256_load_ps(b + 8) : vb0;
#define QUANTA_SGEMM_ROW(r)                                                \
  if constexpr (r < MR) {                                                  \
    const __m256 va = _mm256_broadcast_ss(a##r + t);                       \
    c##r##0 = _mm256_fmadd_ps(va, vb0, c##r##0);                           \
    if constexpr (NV > 1) c##r##1 = _mm256_fmadd_ps(va, vb1, c##r##1);     \
  }
    QUANTA_SGEMM_ROW(0)
    QUANTA_SGEMM_ROW(1)
    QUANTA_SGEMM_ROW(2)
    QUANTA_SGEMM_ROW(3)
    QUANTA_SGEMM_ROW(4)
    QUANTA_SGEMM_ROW(5)
#undef QUANTA_SGEMM_ROW
  }

  // Later slices: c + acc, one rounding per slice, in slice order (the reference's order).
  if (!g.first) {
#define QUANTA_SGEMM_ADD(r, v) \
  if constexpr (r < MR && v < NV) c##r##v = _mm256_add_ps(_mm256_maskload_ps(c + r * ldc + 8 * v, m##v), c##r##v);
    QUANTA_SGEMM_EACH(QUANTA_SGEMM_ADD)
#undef QUANTA_SGEMM_ADD
  }
  if (g.last && g.bias != nullptr) {
    const __m256 bi0 = _mm256_maskload_ps(g.bias + col0, m0);
    const __m256 bi1 = NV > 1 ? _mm256_maskload_ps(g.bias + col0 + 8, m1) : bi0;
#define QUANTA_SGEMM_BIAS(r, v) \
  if constexpr (r < MR && v < NV) c##r##v = _mm256_add_ps(c##r##v, bi##v);
    QUANTA_SGEMM_EACH(QUANTA_SGEMM_BIAS)
#undef QUANTA_SGEMM_BIAS
  }
  if (g.last && g.relu) {
    // MAXPS(0, c) = (0 > c) ? 0 : c: NaN and -0 pass through, as in the reference.
    const __m256 zero = _mm256_setzero_ps();
#define QUANTA_SGEMM_RELU(r, v) \
  if constexpr (r < MR && v < NV) c##r##v = _mm256_max_ps(zero, c##r##v);
    QUANTA_SGEMM_EACH(QUANTA_SGEMM_RELU)
#undef QUANTA_SGEMM_RELU
  }
#define QUANTA_SGEMM_STORE(r, v) \
  if constexpr (r < MR && v < NV) _mm256_maskstore_ps(c + r * ldc + 8 * v, m##v, c##r##v);
  QUANTA_SGEMM_EACH(QUANTA_SGEMM_STORE)
#undef QUANTA_SGEMM_STORE
}

template <int NV>
void column_rows(const SgemmBlock& g, size_t col0, size_t cols) {
  size_t r = 0;
  for (; r + 6 <= g.m; r += 6) tile<6, NV>(g, r, col0, cols);
  switch (g.m - r) {
    case 1: tile<1, NV>(g, r, col0, cols); break;
    case 2: tile<2, NV>(g, r, col0, cols); break;
    case 3: tile<3, NV>(g, r, col0, cols); break;
    case 4: tile<4, NV>(g, r, col0, cols); break;
    case 5: tile<5, NV>(g, r, col0, cols); break;
    default: break;
  }
}

// 16-column strips outside, rows inside: the strip's K slice of B stays in cache while every
// row of the block streams past it.
void sgemm_f32_avx2(const SgemmBlock& g) {
  for (size_t col0 = 0; col0 < g.n; col0 += 16) {
    const size_t cols = g.n - col0 < 16 ? g.n - col0 : 16;
    if (cols > 8) column_rows<2>(g, col0, cols);
    else column_rows<1>(g, col0, cols);
  }
}

#undef QUANTA_SGEMM_EACH

}  // namespace

void register_avx2_sgemm_kernels(KernelTable* t) {
  t->sgemm_f32 = sgemm_f32_avx2;
  t->sgemm_isa = Isa::avx2;
}

}  // namespace quanta
