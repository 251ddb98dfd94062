// u8 x s8 GEMM block kernel with VPDPBUSD on zmm: tiles of up to 6 rows x 48 columns.
//
// Why 6 x 48: each k4 step issues 6 * 3 = 18 VPDPBUSD (2 per cycle on Zen 5, latency 4, so at
// least 8 independent chains are needed; 18 leave room for load latency) against 3 zmm loads of
// packed B and 6 four-byte broadcasts of A: 9 loads per 9 cycles, half of Zen 5's 2 loads/cycle.
// 18 accumulators + 3 B + 1-2 A registers fit the 32 zmm. MLAS uses the same tile. The
// accumulators are named variables: with GCC 12 an array of __m512i spills around every VPDPBUSD.
#include <immintrin.h>

#include <cstring>

#include "quanta/gemm.h"
#include "quanta/kernels.h"

namespace quanta {

namespace {

#define QUANTA_GEMM_EACH(X)                                                                  \
  X(0, 0) X(0, 1) X(0, 2) X(1, 0) X(1, 1) X(1, 2) X(2, 0) X(2, 1) X(2, 2) X(3, 0) X(3, 1)   \
  X(3, 2) X(4, 0) X(4, 1) X(4, 2) X(5, 0) X(5, 1) X(5, 2)

inline __m512i broadcast_a(const uint8_t* p) {
  int32_t v;
  std::memcpy(&v, p, 4);
  return _mm512_set1_epi32(v);
}

inline __mmask16 column_mask(size_t left) {
  return left >= 16 ? __mmask16(0xFFFF) : static_cast<__mmask16>((1u << left) - 1);
}

// Rows [row0, row0 + MR) x panels [panel0, panel0 + NV) of the block.
template <int MR, int NV>
void tile(const GemmBlock& g, size_t row0, size_t panel0) {
  const size_t col0 = panel0 * kGemmPanel;
  const __mmask16 m0 = column_mask(g.n - col0);
  const __mmask16 m1 = NV > 1 ? column_mask(g.n - col0 - 16) : 0;
  const __mmask16 m2 = NV > 2 ? column_mask(g.n - col0 - 32) : 0;
  // Null only for a requantizing block of one K slice (the sums never leave the registers).
  int32_t* acc = g.acc == nullptr ? nullptr : static_cast<int32_t*>(g.acc) + row0 * g.ldc + col0;
  const size_t ldc = g.ldc;

  __m512i c00, c01, c02, c10, c11, c12, c20, c21, c22, c30, c31, c32, c40, c41, c42, c50, c51, c52;
#define QUANTA_GEMM_ZERO(r, v) c##r##v = _mm512_setzero_si512();
  QUANTA_GEMM_EACH(QUANTA_GEMM_ZERO)
#undef QUANTA_GEMM_ZERO

  // The output lines are read (later slices) and written after the K loop: fetch them now, while
  // the loop runs, instead of stalling on 18 misses at the end (they are in L3 or memory).
#define QUANTA_GEMM_PREFETCH(r, v) \
  if constexpr (r < MR && v < NV) _mm_prefetch(reinterpret_cast<const char*>(acc + r * ldc + 16 * v), _MM_HINT_T0);
  if (g.acc != nullptr) QUANTA_GEMM_EACH(QUANTA_GEMM_PREFETCH)
#undef QUANTA_GEMM_PREFETCH

  const size_t as = g.a_stride;
  const uint8_t* a0 = g.a + row0 * as;
  const uint8_t* a1 = a0 + as;
  const uint8_t* a2 = a1 + as;
  const uint8_t* a3 = a2 + as;
  const uint8_t* a4 = a3 + as;
  const uint8_t* a5 = a4 + as;
  const int8_t* b0 = g.b + panel0 * g.b_panel_stride;
  const int8_t* b1 = b0 + g.b_panel_stride;
  const int8_t* b2 = b1 + g.b_panel_stride;
  const size_t k4 = g.k4;
  for (size_t t = 0; t < k4; ++t) {
    const __m512i vb0 = _mm512_loadu_si512(b0 + t * kGemmStepBytes);
    const __m512i vb1 = NV > 1 ? _mm512_loadu_si512(b1 + t * kGemmStepBytes) : vb0;
    const __m512i vb2 = NV > 2 ? _mm512_loadu_si512(b2 + t * kGemmStepBytes) : vb0;
#define QUANTA_GEMM_ROW(r)                                                    \
  if constexpr (r < MR) {                                                     \
    const __m512i va = broadcast_a(a##r + t * 4);                             \
    c##r##0 = _mm512_dpbusd_epi32(c##r##0, va, vb0);                          \
    if constexpr (NV > 1) c##r##1 = _mm512_dpbusd_epi32(c##r##1, va, vb1);    \
    if constexpr (NV > 2) c##r##2 = _mm512_dpbusd_epi32(c##r##2, va, vb2);    \
  }
    QUANTA_GEMM_ROW(0)
    QUANTA_GEMM_ROW(1)
    QUANTA_GEMM_ROW(2)
    QUANTA_GEMM_ROW(3)
    QUANTA_GEMM_ROW(4)
    QUANTA_GEMM_ROW(5)
#undef QUANTA_GEMM_ROW
  }

  // The running sums (later slices) and the zero-point terms (last slice) are added after the K
  // loop: the loop then starts from zeros, and GCC keeps all 18 accumulators in registers.
  if (!g.first) {
#define QUANTA_GEMM_LOAD(r, v) \
  if constexpr (r < MR && v < NV) c##r##v = _mm512_add_epi32(c##r##v, _mm512_maskz_loadu_epi32(m##v, acc + r * ldc + 16 * v));
    QUANTA_GEMM_EACH(QUANTA_GEMM_LOAD)
#undef QUANTA_GEMM_LOAD
  }
  if (g.last && g.ra != nullptr) {
    const __m512i s0 = _mm512_loadu_si512(g.colsum + col0);
    const __m512i s1 = NV > 1 ? _mm512_loadu_si512(g.colsum + col0 + 16) : s0;
    const __m512i s2 = NV > 2 ? _mm512_loadu_si512(g.colsum + col0 + 32) : s0;
#define QUANTA_GEMM_TERM_A(r, v)                                                                       \
  if constexpr (r < MR && v < NV) {                                                                    \
    c##r##v = _mm512_add_epi32(c##r##v, _mm512_mullo_epi32(s##v, _mm512_set1_epi32(g.ra[row0 + r]))); \
  }
    QUANTA_GEMM_EACH(QUANTA_GEMM_TERM_A)
#undef QUANTA_GEMM_TERM_A
  }
  if (g.last && g.nzb != nullptr) {
    const __m512i z0 = _mm512_loadu_si512(g.nzb + col0);
    const __m512i z1 = NV > 1 ? _mm512_loadu_si512(g.nzb + col0 + 16) : z0;
    const __m512i z2 = NV > 2 ? _mm512_loadu_si512(g.nzb + col0 + 32) : z0;
#define QUANTA_GEMM_TERM_B(r, v)                                                                       \
  if constexpr (r < MR && v < NV) {                                                                    \
    c##r##v = _mm512_add_epi32(c##r##v, _mm512_mullo_epi32(z##v, _mm512_set1_epi32(g.rb[row0 + r]))); \
  }
    QUANTA_GEMM_EACH(QUANTA_GEMM_TERM_B)
#undef QUANTA_GEMM_TERM_B
  }

  if (g.last && g.kind == GemmEpilogueKind::f32) {
    float* out = static_cast<float*>(g.acc) + row0 * g.ldc + col0;
    const __m512 sb0 = _mm512_loadu_ps(g.scale_b + col0);
    const __m512 sb1 = NV > 1 ? _mm512_loadu_ps(g.scale_b + col0 + 16) : sb0;
    const __m512 sb2 = NV > 2 ? _mm512_loadu_ps(g.scale_b + col0 + 32) : sb0;
    const __m512 bi0 = _mm512_loadu_ps(g.bias + col0);
    const __m512 bi1 = NV > 1 ? _mm512_loadu_ps(g.bias + col0 + 16) : bi0;
    const __m512 bi2 = NV > 2 ? _mm512_loadu_ps(g.bias + col0 + 32) : bi0;
    const __m512 zero = _mm512_setzero_ps();
    const bool relu = g.relu;
#define QUANTA_GEMM_F32(r, v)                                                              \
  if constexpr (r < MR && v < NV) {                                                        \
    const __m512 sa = _mm512_set1_ps(g.scale_a[g.scale_a_per_row ? row0 + r : 0]);         \
    __m512 y = _mm512_fmadd_ps(_mm512_cvtepi32_ps(c##r##v), _mm512_mul_ps(sa, sb##v), bi##v); \
    if (relu) y = _mm512_max_ps(y, zero);                                                  \
    _mm512_mask_storeu_ps(out + r * ldc + 16 * v, m##v, y);                                \
  }
    QUANTA_GEMM_EACH(QUANTA_GEMM_F32)
#undef QUANTA_GEMM_F32
  } else if (g.last && g.kind != GemmEpilogueKind::s32) {
    // Requantize: the same float steps as scalar::requantize (multiply, clamp, round half to even
    // under the default MXCSR, add the zero point); the values are in range, so VPMOVDB's
    // truncation stores them exactly, as u8 or s8 alike.
    uint8_t* out = static_cast<uint8_t*>(g.out) + row0 * g.ldo + col0;
    const size_t ldo = g.ldo;
    const __m512 mu0 = _mm512_loadu_ps(g.multiplier + col0);
    const __m512 mu1 = NV > 1 ? _mm512_loadu_ps(g.multiplier + col0 + 16) : mu0;
    const __m512 mu2 = NV > 2 ? _mm512_loadu_ps(g.multiplier + col0 + 32) : mu0;
    const __m512 lo = _mm512_set1_ps(static_cast<float>(g.qmin - g.out_zp));
    const __m512 hi = _mm512_set1_ps(static_cast<float>(g.qmax - g.out_zp));
    const __m512i zp = _mm512_set1_epi32(g.out_zp);
    if (g.col_add != nullptr) {
      const __m512i ca0 = _mm512_loadu_si512(g.col_add + col0);
      const __m512i ca1 = NV > 1 ? _mm512_loadu_si512(g.col_add + col0 + 16) : ca0;
      const __m512i ca2 = NV > 2 ? _mm512_loadu_si512(g.col_add + col0 + 32) : ca0;
#define QUANTA_GEMM_COL_ADD(r, v) \
  if constexpr (r < MR && v < NV) c##r##v = _mm512_add_epi32(c##r##v, ca##v);
      QUANTA_GEMM_EACH(QUANTA_GEMM_COL_ADD)
#undef QUANTA_GEMM_COL_ADD
    }
#define QUANTA_GEMM_REQUANT(r, v)                                                               \
  if constexpr (r < MR && v < NV) {                                                             \
    __m512 y = _mm512_mul_ps(_mm512_cvtepi32_ps(c##r##v), mu##v);                               \
    y = _mm512_min_ps(_mm512_max_ps(y, lo), hi);                                                \
    const __m512i q = _mm512_add_epi32(_mm512_cvtps_epi32(y), zp);                              \
    _mm512_mask_cvtepi32_storeu_epi8(out + r * ldo + 16 * v, m##v, q);                          \
  }
    QUANTA_GEMM_EACH(QUANTA_GEMM_REQUANT)
#undef QUANTA_GEMM_REQUANT
  } else {
#define QUANTA_GEMM_STORE(r, v) \
  if constexpr (r < MR && v < NV) _mm512_mask_storeu_epi32(acc + r * ldc + 16 * v, m##v, c##r##v);
    QUANTA_GEMM_EACH(QUANTA_GEMM_STORE)
#undef QUANTA_GEMM_STORE
  }
}

template <int NV>
void column_group(const GemmBlock& g, size_t panel0) {
  size_t r = 0;
  for (; r + 6 <= g.m; r += 6) tile<6, NV>(g, r, panel0);
  switch (g.m - r) {
    case 1: tile<1, NV>(g, r, panel0); break;
    case 2: tile<2, NV>(g, r, panel0); break;
    case 3: tile<3, NV>(g, r, panel0); break;
    case 4: tile<4, NV>(g, r, panel0); break;
    case 5: tile<5, NV>(g, r, panel0); break;
    default: break;
  }
}

// Column groups outside, rows inside: the 48-column slice of B (k4 * 192 bytes, 96 KiB for a
// 2048-deep K slice, 192 KiB for the deepest, 4096) stays in L2 while every row of the block
// streams past it.
void gemm_u8s8_avx512vnni(const GemmBlock& g) {
  const size_t panels = gemm_panels(g.n);
  size_t p = 0;
  for (; p + 3 <= panels; p += 3) column_group<3>(g, p);
  if (panels - p == 2) column_group<2>(g, p);
  if (panels - p == 1) column_group<1>(g, p);
}

#undef QUANTA_GEMM_EACH

}  // namespace

void register_avx512vnni_gemm_kernels(KernelTable* t) {
  t->gemm_u8s8 = gemm_u8s8_avx512vnni;
  register_avx512_gelu_kernel(t);
  t->gemm_isa = Isa::avx512vnni;
}

void register_avx512_quantize_kernels(KernelTable* t);
void register_avx512_kmeans_kernels(KernelTable* t);
namespace avx512 {
void register_range_kernels(KernelTable* t);  // range_avx512.cc
}  // namespace avx512

// The AVX512-VNNI folder's entry point (kernel_table.cc calls it after the AVX2 one).
void register_avx512vnni_kernels(KernelTable* t) {
  register_avx512_quantize_kernels(t);
  register_avx512_kmeans_kernels(t);
  avx512::register_range_kernels(t);
  register_avx512vnni_gemm_kernels(t);
  register_avx512_sgemm_kernels(t);
  register_avx512vnni_int4_kernels(t);
  register_avx512_binary_kernels(t);
  register_avx512_memory_read_kernels(t);
}

}  // namespace quanta
