// float32 GEMM block kernel on zmm (AVX-512F): tiles of up to 8 rows x 48 columns.
//
// Why 8 x 48: each k step issues 8 * 3 = 24 VFMADD231PS (2 per cycle on Zen 5, latency 4: at
// least 8 independent chains are needed; 24 also cover the load-to-use latency) against 3 zmm
// loads of the packed B row and 8 broadcasts of A: 11 loads per 12 cycles, under Zen 5's 2 per
// cycle, and 192 bytes of B per 12 cycles (16 B/cycle), which L2 sustains. 24 accumulators +
// 3 B + 1 A register fit the 32 zmm. The accumulators are named variables: with GCC 12 an array
// of vectors spills around every FMA.
#include <immintrin.h>

#include "quanta/kernels.h"
#include "quanta/sgemm.h"

namespace quanta {

namespace {

#define QUANTA_SGEMM_EACH(X)                                                                    \
  X(0, 0) X(0, 1) X(0, 2) X(1, 0) X(1, 1) X(1, 2) X(2, 0) X(2, 1) X(2, 2) X(3, 0) X(3, 1)      \
  X(3, 2) X(4, 0) X(4, 1) X(4, 2) X(5, 0) X(5, 1) X(5, 2) X(6, 0) X(6, 1) X(6, 2) X(7, 0)      \
  X(7, 1) X(7, 2)

inline __mmask16 column_mask(size_t cols, size_t first) {
  if (cols <= first) return 0;
  const size_t left = cols - first;
  return left >= 16 ? __mmask16(0xFFFF) : static_cast<__mmask16>((1u << left) - 1);
}

// Rows [row0, row0 + MR) x the `cols` (1..48) block columns of panel `panel`.
template <int MR, int NV>
void tile(const SgemmBlock& g, size_t row0, size_t panel, size_t cols) {
  const __mmask16 m0 = column_mask(cols, 0);
  const __mmask16 m1 = column_mask(cols, 16);
  const __mmask16 m2 = column_mask(cols, 32);
  const size_t ldc = g.ldc;
  float* c = g.c + row0 * ldc + panel * kSgemmPanel;

  __m512 c00, c01, c02, c10, c11, c12, c20, c21, c22, c30, c31, c32, c40, c41, c42, c50, c51, c52,
      c60, c61, c62, c70, c71, c72;
#define QUANTA_SGEMM_ZERO(r, v) c##r##v = _mm512_setzero_ps();
  QUANTA_SGEMM_EACH(QUANTA_SGEMM_ZERO)
#undef QUANTA_SGEMM_ZERO

  // The output lines are read (later slices) or written after the K loop: fetch them now, while
  // the loop runs, instead of stalling on up to 24 misses at the end.
#define QUANTA_SGEMM_PREFETCH(r, v) \
  if constexpr (r < MR && v < NV) _mm_prefetch(reinterpret_cast<const char*>(c + r * ldc + 16 * v), _MM_HINT_T0);
  QUANTA_SGEMM_EACH(QUANTA_SGEMM_PREFETCH)
#undef QUANTA_SGEMM_PREFETCH

  const size_t as = g.a_stride;
  const float* a0 = g.a + row0 * as;
  const float* a1 = a0 + as;
  const float* a2 = a1 + as;
  const float* a3 = a2 + as;
  const float* a4 = a3 + as;
  const float* a5 = a4 + as;
  const float* a6 = a5 + as;
  const float* a7 = a6 + as;
  const float* b = g.b + panel * g.b_panel_stride;
  const size_t k = g.k;
  for (size_t t = 0; t < k; ++t, b += kSgemmPanel) {
    const __m512 vb0 = _mm512_load_ps(b);
    const __m512 vb1 = NV > 1 ? _mm512_load_ps(b + 16) : vb0;
    const __m512 vb2 = NV > 2 ? _mm512_load_ps(b + 32) : vb0;
#define QUANTA_SGEMM_ROW(r)                                                \
  if constexpr (r < MR) {                                                  \
    const __m512 va = _mm512_set1_ps(a##r[t]);                             \
    c##r##0 = _mm512_fmadd_ps(va, vb0, c##r##0);                           \
    if constexpr (NV > 1) c##r##1 = _mm512_fmadd_ps(va, vb1, c##r##1);     \
    if constexpr (NV > 2) c##r##2 = _mm512_fmadd_ps(va, vb2, c##r##2);     \
  }
    QUANTA_SGEMM_ROW(0)
    QUANTA_SGEMM_ROW(1)
    QUANTA_SGEMM_ROW(2)
    QUANTA_SGEMM_ROW(3)
    QUANTA_SGEMM_ROW(4)
    QUANTA_SGEMM_ROW(5)
    QUANTA_SGEMM_ROW(6)
    QUANTA_SGEMM_ROW(7)
#undef QUANTA_SGEMM_ROW
  }

  // Later slices: c + acc, one rounding per slice, in slice order (the reference's order).
  if (!g.first) {
#define QUANTA_SGEMM_ADD(r, v) \
  if constexpr (r < MR && v < NV) c##r##v = _mm512_add_ps(_mm512_maskz_loadu_ps(m##v, c + r * ldc + 16 * v), c##r##v);
    QUANTA_SGEMM_EACH(QUANTA_SGEMM_ADD)
#undef QUANTA_SGEMM_ADD
  }
  if (g.last && g.bias != nullptr) {
    const float* bias = g.bias + panel * kSgemmPanel;
    const __m512 bi0 = _mm512_maskz_loadu_ps(m0, bias);
    const __m512 bi1 = NV > 1 ? _mm512_maskz_loadu_ps(m1, bias + 16) : bi0;
    const __m512 bi2 = NV > 2 ? _mm512_maskz_loadu_ps(m2, bias + 32) : bi0;
#define QUANTA_SGEMM_BIAS(r, v) \
  if constexpr (r < MR && v < NV) c##r##v = _mm512_add_ps(c##r##v, bi##v);
    QUANTA_SGEMM_EACH(QUANTA_SGEMM_BIAS)
#undef QUANTA_SGEMM_BIAS
  }
  if (g.last && g.relu) {
    // MAXPS(0, c) = (0 > c) ? 0 : c: NaN and -0 pass through, as in the reference.
    const __m512 zero = _mm512_setzero_ps();
#define QUANTA_SGEMM_RELU(r, v) \
  if constexpr (r < MR && v < NV) c##r##v = _mm512_max_ps(zero, c##r##v);
    QUANTA_SGEMM_EACH(QUANTA_SGEMM_RELU)
#undef QUANTA_SGEMM_RELU
  }
#define QUANTA_SGEMM_STORE(r, v) \
  if constexpr (r < MR && v < NV) _mm512_mask_storeu_ps(c + r * ldc + 16 * v, m##v, c##r##v);
  QUANTA_SGEMM_EACH(QUANTA_SGEMM_STORE)
#undef QUANTA_SGEMM_STORE
}

template <int NV>
void panel_rows(const SgemmBlock& g, size_t panel, size_t cols) {
  size_t r = 0;
  for (; r + 8 <= g.m; r += 8) tile<8, NV>(g, r, panel, cols);
  switch (g.m - r) {
    case 1: tile<1, NV>(g, r, panel, cols); break;
    case 2: tile<2, NV>(g, r, panel, cols); break;
    case 3: tile<3, NV>(g, r, panel, cols); break;
    case 4: tile<4, NV>(g, r, panel, cols); break;
    case 5: tile<5, NV>(g, r, panel, cols); break;
    case 6: tile<6, NV>(g, r, panel, cols); break;
    case 7: tile<7, NV>(g, r, panel, cols); break;
    default: break;
  }
}

// Panels outside, rows inside: the panel's K slice of B (k * 192 bytes) stays in L1 / L2 while
// every row of the block streams past it.
void sgemm_f32_avx512(const SgemmBlock& g) {
  const size_t panels = sgemm_panels(g.n);
  for (size_t p = 0; p < panels; ++p) {
    const size_t cols = g.n - p * kSgemmPanel < kSgemmPanel ? g.n - p * kSgemmPanel : kSgemmPanel;
    if (cols > 32) panel_rows<3>(g, p, cols);
    else if (cols > 16) panel_rows<2>(g, p, cols);
    else panel_rows<1>(g, p, cols);
  }
}

#undef QUANTA_SGEMM_EACH

}  // namespace

void register_avx512_sgemm_kernels(KernelTable* t) {
  t->sgemm_f32 = sgemm_f32_avx512;
  t->sgemm_isa = Isa::avx512vnni;
}

}  // namespace quanta
