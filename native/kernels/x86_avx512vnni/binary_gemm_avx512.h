// The AVX-512 binary x binary block kernel, shared by the two popcount variants (AVX-512BW
// nibble table, VPOPCNTQ) that binary_gemm_avx512.cc and binary_gemm_avx512_vpopcnt.cc build
// from it. Each includer defines the Popcount policy: popcounts of the 8 qwords of a zmm.
//
// Tile: 4 rows x 4 panels (32 columns). Per word of K: 4 panel loads, 4 broadcast words of A
// (folded into VPXORQ as {1to8} memory operands) and 16 XOR + popcount + add, each accumulator
// holding 8 columns' counts in its qword lanes. 16 accumulators + 4 B + temporaries fit the 32
// zmm; as in the int8 kernel they are named variables, because GCC 12 spills arrays of __m512i.
#pragma once

#include <immintrin.h>

#include "quanta/binary_gemm.h"

namespace quanta::avx512_binary {

#define QUANTA_BIN_EACH(X)                                                                    \
  X(0, 0) X(0, 1) X(0, 2) X(0, 3) X(1, 0) X(1, 1) X(1, 2) X(1, 3) X(2, 0) X(2, 1) X(2, 2)   \
  X(2, 3) X(3, 0) X(3, 1) X(3, 2) X(3, 3)

inline __mmask8 lane_mask(size_t left) {
  return left >= 8 ? __mmask8(0xFF) : static_cast<__mmask8>((1u << left) - 1);
}

// Rows [row0, row0 + MR) x panels [panel0, panel0 + NV) of the block.
template <class Popcount, int MR, int NV>
void tile(const BinaryGemmBlock& g, size_t row0, size_t panel0, const Popcount& pop) {
  const size_t col0 = panel0 * kBinaryPanel;
  __m512i c00, c01, c02, c03, c10, c11, c12, c13, c20, c21, c22, c23, c30, c31, c32, c33;
#define QUANTA_BIN_ZERO(r, v) c##r##v = _mm512_setzero_si512();
  QUANTA_BIN_EACH(QUANTA_BIN_ZERO)
#undef QUANTA_BIN_ZERO

  const size_t as = g.a_stride;
  const uint64_t* a0 = g.a + row0 * as;
  const uint64_t* a1 = a0 + as;
  const uint64_t* a2 = a1 + as;
  const uint64_t* a3 = a2 + as;
  const uint64_t* b0 = g.b + panel0 * g.b_panel_stride;
  const uint64_t* b1 = b0 + g.b_panel_stride;
  const uint64_t* b2 = b1 + g.b_panel_stride;
  const uint64_t* b3 = b2 + g.b_panel_stride;
  const size_t full = g.words - 1;
  // All words but the last: no masking.
  for (size_t t = 0; t < full; ++t) {
    const __m512i vb0 = _mm512_loadu_si512(b0 + t * kBinaryPanel);
    const __m512i vb1 = NV > 1 ? _mm512_loadu_si512(b1 + t * kBinaryPanel) : vb0;
    const __m512i vb2 = NV > 2 ? _mm512_loadu_si512(b2 + t * kBinaryPanel) : vb0;
    const __m512i vb3 = NV > 3 ? _mm512_loadu_si512(b3 + t * kBinaryPanel) : vb0;
#define QUANTA_BIN_ROW(r)                                                                        \
  if constexpr (r < MR) {                                                                        \
    const __m512i va = _mm512_set1_epi64(static_cast<long long>(a##r[t]));                       \
    c##r##0 = _mm512_add_epi64(c##r##0, pop(_mm512_xor_si512(va, vb0)));                         \
    if constexpr (NV > 1) c##r##1 = _mm512_add_epi64(c##r##1, pop(_mm512_xor_si512(va, vb1)));   \
    if constexpr (NV > 2) c##r##2 = _mm512_add_epi64(c##r##2, pop(_mm512_xor_si512(va, vb2)));   \
    if constexpr (NV > 3) c##r##3 = _mm512_add_epi64(c##r##3, pop(_mm512_xor_si512(va, vb3)));   \
  }
    QUANTA_BIN_ROW(0)
    QUANTA_BIN_ROW(1)
    QUANTA_BIN_ROW(2)
    QUANTA_BIN_ROW(3)
#undef QUANTA_BIN_ROW
  }
  // The last word: (a XOR b) AND valid in one VPTERNLOGQ (0x28), so padding bits of either
  // operand never count.
  {
    const size_t t = full;
    const __m512i valid = _mm512_set1_epi64(static_cast<long long>(g.last_mask));
    const __m512i vb0 = _mm512_loadu_si512(b0 + t * kBinaryPanel);
    const __m512i vb1 = NV > 1 ? _mm512_loadu_si512(b1 + t * kBinaryPanel) : vb0;
    const __m512i vb2 = NV > 2 ? _mm512_loadu_si512(b2 + t * kBinaryPanel) : vb0;
    const __m512i vb3 = NV > 3 ? _mm512_loadu_si512(b3 + t * kBinaryPanel) : vb0;
#define QUANTA_BIN_LAST(r, v)                                                                          \
  if constexpr (r < MR && v < NV) {                                                                    \
    const __m512i va = _mm512_set1_epi64(static_cast<long long>(a##r[t]));                             \
    c##r##v = _mm512_add_epi64(c##r##v, pop(_mm512_ternarylogic_epi64(va, vb##v, valid, 0x28)));       \
  }
    QUANTA_BIN_EACH(QUANTA_BIN_LAST)
#undef QUANTA_BIN_LAST
  }

  // Counts of one slice are at most 64 * words < 2^31: narrowing to int32 is exact.
  const __m256i kk = _mm256_set1_epi32(static_cast<int32_t>(g.k));
#define QUANTA_BIN_STORE(r, v)                                                                          \
  if constexpr (r < MR && v < NV) {                                                                     \
    const __mmask8 lanes = lane_mask(g.n - col0 - 8 * v);                                               \
    int32_t* out = static_cast<int32_t*>(g.out) + (row0 + r) * g.ldc + col0 + 8 * v;                    \
    __m256i count = _mm512_cvtepi64_epi32(c##r##v);                                                     \
    if (!g.first) count = _mm256_add_epi32(count, _mm256_maskz_loadu_epi32(lanes, out));                \
    if (!g.last) {                                                                                      \
      _mm256_mask_storeu_epi32(out, lanes, count);                                                      \
    } else {                                                                                            \
      const __m256i dot = _mm256_sub_epi32(kk, _mm256_add_epi32(count, count));                         \
      if (g.kind == BinaryOutKind::s32) {                                                               \
        _mm256_mask_storeu_epi32(out, lanes, dot);                                                      \
      } else {                                                                                          \
        const __m256 s = _mm256_mul_ps(_mm256_set1_ps(g.scale_a[row0 + r]),                            \
                                       _mm256_loadu_ps(g.scale_b + col0 + 8 * v));                      \
        const __m256 y = _mm256_fmadd_ps(_mm256_cvtepi32_ps(dot), s, _mm256_loadu_ps(g.bias + col0 + 8 * v)); \
        _mm256_mask_storeu_ps(reinterpret_cast<float*>(out), lanes, y);                                 \
      }                                                                                                 \
    }                                                                                                   \
  }
  QUANTA_BIN_EACH(QUANTA_BIN_STORE)
#undef QUANTA_BIN_STORE
}

// Column tiles outside, row tiles inside: a tile's 4 panels of B (4 KiB per 128 words) stay in
// L1 while every row of the block passes them.
template <class Popcount>
void block(const BinaryGemmBlock& g) {
  const Popcount pop;
  const size_t panels = (g.n + kBinaryPanel - 1) / kBinaryPanel;
  for (size_t p = 0; p < panels; p += 4) {
    const size_t nv = panels - p < 4 ? panels - p : 4;
    size_t r = 0;
    for (; r + 4 <= g.m; r += 4) {
      switch (nv) {
        case 1: tile<Popcount, 4, 1>(g, r, p, pop); break;
        case 2: tile<Popcount, 4, 2>(g, r, p, pop); break;
        case 3: tile<Popcount, 4, 3>(g, r, p, pop); break;
        default: tile<Popcount, 4, 4>(g, r, p, pop); break;
      }
    }
    for (; r < g.m; ++r) {
      switch (nv) {
        case 1: tile<Popcount, 1, 1>(g, r, p, pop); break;
        case 2: tile<Popcount, 1, 2>(g, r, p, pop); break;
        case 3: tile<Popcount, 1, 3>(g, r, p, pop); break;
        default: tile<Popcount, 1, 4>(g, r, p, pop); break;
      }
    }
  }
}

#undef QUANTA_BIN_EACH

}  // namespace quanta::avx512_binary
