// u8 x s8 GEMM block kernel with AVX-VNNI (VEX-encoded VPDPBUSD on ymm, no AVX-512): tiles of up
// to 6 rows x 16 columns (one packed panel, read as two ymm per k4 step).
//
// Why 6 x 16: VEX code has only 16 ymm registers; 12 accumulators + 2 B + 1 A broadcast = 15.
// Twelve independent chains cover VPDPBUSD's latency (4) at 2 per cycle. Per k4 step: 2 B loads
// and 6 broadcasts for 12 VPDPBUSD, within 2 loads per cycle. Accumulators are named variables
// (GCC 12 spills arrays of vectors).
//
// Epilogue: full 16-column tiles are stored / dequantized with vectors; column tails and the
// requantizing epilogue go through a small int32 tile and the reference's finishing step
// (kernels/ref/gemm_scalar.h: std::fma, a single rounding like VFMADD), so every path agrees bit
// for bit.
#include <immintrin.h>

#include <cmath>
#include <cstring>

#include "kernels/ref/gemm_scalar.h"
#include "quanta/gemm.h"
#include "quanta/kernels.h"

namespace quanta {

namespace {

#define QUANTA_GEMM_EACH(X) \
  X(0, 0) X(0, 1) X(1, 0) X(1, 1) X(2, 0) X(2, 1) X(3, 0) X(3, 1) X(4, 0) X(4, 1) X(5, 0) X(5, 1)

inline __m256i broadcast_a(const uint8_t* p) {
  int32_t v;
  std::memcpy(&v, p, 4);
  return _mm256_set1_epi32(v);
}

// Rows [row0, row0 + MR) x the 16 columns of panel p.
template <int MR>
void tile(const GemmBlock& g, size_t row0, size_t p) {
  const size_t col0 = p * kGemmPanel;
  const size_t cols = g.n - col0 < 16 ? g.n - col0 : 16;
  __m256i c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51;
#define QUANTA_GEMM_ZERO(r, v) c##r##v = _mm256_setzero_si256();
  QUANTA_GEMM_EACH(QUANTA_GEMM_ZERO)
#undef QUANTA_GEMM_ZERO

  const size_t as = g.a_stride;
  const uint8_t* a0 = g.a + row0 * as;
  const uint8_t* a1 = a0 + as;
  const uint8_t* a2 = a1 + as;
  const uint8_t* a3 = a2 + as;
  const uint8_t* a4 = a3 + as;
  const uint8_t* a5 = a4 + as;
  const int8_t* b = g.b + p * g.b_panel_stride;
  const size_t k4 = g.k4;
  for (size_t t = 0; t < k4; ++t) {
    const __m256i vb0 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(b + t * kGemmStepBytes));
    const __m256i vb1 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(b + t * kGemmStepBytes + 32));
#define QUANTA_GEMM_ROW(r)                                    \
  if constexpr (r < MR) {                                     \
    const __m256i va = broadcast_a(a##r + t * 4);             \
    c##r##0 = _mm256_dpbusd_avx_epi32(c##r##0, va, vb0);      \
    c##r##1 = _mm256_dpbusd_avx_epi32(c##r##1, va, vb1);      \
  }
    QUANTA_GEMM_ROW(0)
    QUANTA_GEMM_ROW(1)
    QUANTA_GEMM_ROW(2)
    QUANTA_GEMM_ROW(3)
    QUANTA_GEMM_ROW(4)
    QUANTA_GEMM_ROW(5)
#undef QUANTA_GEMM_ROW
  }

  const bool vector_epilogue = cols == 16 && (!g.last || g.kind == GemmEpilogueKind::s32 ||
                                              g.kind == GemmEpilogueKind::f32);
  if (!vector_epilogue) {
    alignas(32) int32_t sums[6][16];
#define QUANTA_GEMM_SPILL(r, v) \
  if constexpr (r < MR) _mm256_store_si256(reinterpret_cast<__m256i*>(&sums[r][8 * v]), c##r##v);
    QUANTA_GEMM_EACH(QUANTA_GEMM_SPILL)
#undef QUANTA_GEMM_SPILL
    for (int r = 0; r < MR; ++r) {
      for (size_t j = 0; j < cols; ++j) scalar::gemm_finish(g, row0 + r, col0 + j, sums[r][j]);
    }
    return;
  }

  int32_t* acc = static_cast<int32_t*>(g.acc) + row0 * g.ldc + col0;
  const size_t ldc = g.ldc;
  if (!g.first) {
#define QUANTA_GEMM_LOAD(r, v)                                                                     \
  if constexpr (r < MR)                                                                            \
    c##r##v = _mm256_add_epi32(c##r##v, _mm256_loadu_si256(reinterpret_cast<const __m256i*>(acc + r * ldc + 8 * v)));
    QUANTA_GEMM_EACH(QUANTA_GEMM_LOAD)
#undef QUANTA_GEMM_LOAD
  }
  if (g.last && g.ra != nullptr) {
    const __m256i s0 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(g.colsum + col0));
    const __m256i s1 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(g.colsum + col0 + 8));
#define QUANTA_GEMM_TERM_A(r, v) \
  if constexpr (r < MR) c##r##v = _mm256_add_epi32(c##r##v, _mm256_mullo_epi32(s##v, _mm256_set1_epi32(g.ra[row0 + r])));
    QUANTA_GEMM_EACH(QUANTA_GEMM_TERM_A)
#undef QUANTA_GEMM_TERM_A
  }
  if (g.last && g.nzb != nullptr) {
    const __m256i z0 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(g.nzb + col0));
    const __m256i z1 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(g.nzb + col0 + 8));
#define QUANTA_GEMM_TERM_B(r, v) \
  if constexpr (r < MR) c##r##v = _mm256_add_epi32(c##r##v, _mm256_mullo_epi32(z##v, _mm256_set1_epi32(g.rb[row0 + r])));
    QUANTA_GEMM_EACH(QUANTA_GEMM_TERM_B)
#undef QUANTA_GEMM_TERM_B
  }
  if (g.last && g.kind == GemmEpilogueKind::f32) {
    float* out = static_cast<float*>(g.acc) + row0 * g.ldc + col0;
    const __m256 sb0 = _mm256_loadu_ps(g.scale_b + col0), sb1 = _mm256_loadu_ps(g.scale_b + col0 + 8);
    const __m256 bi0 = _mm256_loadu_ps(g.bias + col0), bi1 = _mm256_loadu_ps(g.bias + col0 + 8);
    const bool relu = g.relu;
#define QUANTA_GEMM_F32(r, v)                                                                   \
  if constexpr (r < MR) {                                                                       \
    const __m256 sa = _mm256_set1_ps(g.scale_a[g.scale_a_per_row ? row0 + r : 0]);              \
    __m256 y = _mm256_fmadd_ps(_mm256_cvtepi32_ps(c##r##v), _mm256_mul_ps(sa, sb##v), bi##v);   \
    if (relu) y = _mm256_max_ps(y, _mm256_setzero_ps());                                        \
    _mm256_storeu_ps(out + r * ldc + 8 * v, y);                                                 \
  }
    QUANTA_GEMM_EACH(QUANTA_GEMM_F32)
#undef QUANTA_GEMM_F32
  } else {
#define QUANTA_GEMM_STORE(r, v) \
  if constexpr (r < MR) _mm256_storeu_si256(reinterpret_cast<__m256i*>(acc + r * ldc + 8 * v), c##r##v);
    QUANTA_GEMM_EACH(QUANTA_GEMM_STORE)
#undef QUANTA_GEMM_STORE
  }
}

// Panels outside, rows inside: the panel's K slice (k4 * 64 bytes) stays in L1 while the rows
// stream past it.
void gemm_u8s8_avxvnni(const GemmBlock& g) {
  const size_t panels = gemm_panels(g.n);
  for (size_t p = 0; p < panels; ++p) {
    size_t r = 0;
    for (; r + 6 <= g.m; r += 6) tile<6>(g, r, p);
    switch (g.m - r) {
      case 1: tile<1>(g, r, p); break;
      case 2: tile<2>(g, r, p); break;
      case 3: tile<3>(g, r, p); break;
      case 4: tile<4>(g, r, p); break;
      case 5: tile<5>(g, r, p); break;
      default: break;
    }
  }
}

#undef QUANTA_GEMM_EACH

}  // namespace

void register_avxvnni_gemm_kernels(KernelTable* t) {
  t->gemm_u8s8 = gemm_u8s8_avxvnni;
  t->gemm_isa = Isa::avxvnni;
}

// The AVX-VNNI folder's entry point (kernel_table.cc calls it after the AVX2 one).
void register_avxvnni_kernels(KernelTable* t) {
  register_avxvnni_gemm_kernels(t);
  register_avxvnni_int4_kernels(t);
}

}  // namespace quanta
