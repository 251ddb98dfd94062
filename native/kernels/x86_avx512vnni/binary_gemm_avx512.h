// The AVX-512 binary x binary block kernel, shared by the two popcount variants (AVX-512BW
// nibble table, VPOPCNTQ) that binary_gemm_avx512.cc and binary_gemm_avx512_vpopcnt.cc build
// from it. Each includer defines the Popcount policy: popcounts of the 8 qwords of a zmm.
//
// Tile: 4 rows x 4 panels (32 columns). Per word of K: 4 panel loads, 4 broadcast words of A
// and 16 XOR + popcount + add, each accumulator holding 8 columns' counts in its qword lanes.
// 16 accumulators + 4 B + 4 A + temporaries fit the 32 zmm; outside the assembly loop they are
// named variables, as in the int8 kernel, because GCC 12 spills arrays of __m512i.
//
// The ceiling: every 512 bit-MACs need three vector ops (XOR, VPOPCNTQ, VPADDQ) and Zen 5 issues
// 4 per cycle with VPOPCNTQ on 2 of its pipes, so at most 4/3 popcounts per cycle, 67% of the
// popcount-only peak. Harley-Seal carry-save trees or AND-based identities also cost 3 ops per
// vector. The loop alone measures 64-67% (L1-resident), the whole GEMM at 4096^3 ~57-61%.
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

// The full 4 x 4 tile's K loop in assembly (VPOPCNTQ only), all words including the masked last
// one; the 16 accumulators leave through `counts`. With intrinsics GCC 12 copies every
// accumulator once per word and spills a B vector (measured: about 40% of the popcount peak);
// here a word costs exactly 4 B loads, 4 broadcasts and 16 x (VPXORQ, VPOPCNTQ, VPADDQ).
#define QUANTA_BIN_ASM(A, B, T, C)                                        \
  "vpxorq %%zmm" #B ", %%zmm" #A ", %%zmm" #T "\n"                        \
  "vpopcntq %%zmm" #T ", %%zmm" #T "\n"                                   \
  "vpaddq %%zmm" #T ", %%zmm" #C ", %%zmm" #C "\n"
#define QUANTA_BIN_ASM_LAST(A, B, T, C)                                   \
  "vmovdqa64 %%zmm" #A ", %%zmm" #T "\n"                                  \
  "vpternlogq $0x28, %%zmm24, %%zmm" #B ", %%zmm" #T "\n"                 \
  "vpopcntq %%zmm" #T ", %%zmm" #T "\n"                                   \
  "vpaddq %%zmm" #T ", %%zmm" #C ", %%zmm" #C "\n"
#define QUANTA_BIN_ASM_WORD(OP)                                           \
  "vmovdqu64 (%[b0],%[bo]), %%zmm16\n"                                    \
  "vmovdqu64 (%[b1],%[bo]), %%zmm17\n"                                    \
  "vmovdqu64 (%[b2],%[bo]), %%zmm18\n"                                    \
  "vmovdqu64 (%[b3],%[bo]), %%zmm19\n"                                    \
  "vpbroadcastq (%[a0],%[t],8), %%zmm20\n"                                \
  "vpbroadcastq (%[a1],%[t],8), %%zmm21\n"                                \
  "vpbroadcastq (%[a2],%[t],8), %%zmm22\n"                                \
  "vpbroadcastq (%[a3],%[t],8), %%zmm23\n"                                \
  OP(20, 16, 25, 0) OP(20, 17, 26, 1) OP(20, 18, 27, 2) OP(20, 19, 28, 3)  \
  OP(21, 16, 29, 4) OP(21, 17, 30, 5) OP(21, 18, 31, 6) OP(21, 19, 25, 7)  \
  OP(22, 16, 26, 8) OP(22, 17, 27, 9) OP(22, 18, 28, 10) OP(22, 19, 29, 11) \
  OP(23, 16, 30, 12) OP(23, 17, 31, 13) OP(23, 18, 25, 14) OP(23, 19, 26, 15)
// The loop body shared by both tails below: zero the 16 accumulators (zmm0-15), run the unmasked
// words, then the masked last word unless K is a multiple of 64.
#define QUANTA_BIN_ASM_LOOP                                                                  \
  "vpxorq %%zmm0, %%zmm0, %%zmm0\n vpxorq %%zmm1, %%zmm1, %%zmm1\n"                          \
  "vpxorq %%zmm2, %%zmm2, %%zmm2\n vpxorq %%zmm3, %%zmm3, %%zmm3\n"                          \
  "vpxorq %%zmm4, %%zmm4, %%zmm4\n vpxorq %%zmm5, %%zmm5, %%zmm5\n"                          \
  "vpxorq %%zmm6, %%zmm6, %%zmm6\n vpxorq %%zmm7, %%zmm7, %%zmm7\n"                          \
  "vpxorq %%zmm8, %%zmm8, %%zmm8\n vpxorq %%zmm9, %%zmm9, %%zmm9\n"                          \
  "vpxorq %%zmm10, %%zmm10, %%zmm10\n vpxorq %%zmm11, %%zmm11, %%zmm11\n"                    \
  "vpxorq %%zmm12, %%zmm12, %%zmm12\n vpxorq %%zmm13, %%zmm13, %%zmm13\n"                    \
  "vpxorq %%zmm14, %%zmm14, %%zmm14\n vpxorq %%zmm15, %%zmm15, %%zmm15\n"                    \
  "cmpq $0, 0(%[p])\n"                                                                       \
  "jz 2f\n"                                                                                  \
  ".p2align 5\n"                                                                             \
  "1:\n"                                                                                     \
  QUANTA_BIN_ASM_WORD(QUANTA_BIN_ASM)                                                        \
  "add $64, %[bo]\n"                                                                         \
  "inc %[t]\n"                                                                               \
  "cmp 0(%[p]), %[t]\n"                                                                      \
  "jb 1b\n"                                                                                  \
  "2:\n"                                                                                     \
  "cmp 8(%[p]), %[t]\n"                                                                      \
  "jae 3f\n"                                                                                 \
  "vpbroadcastq 16(%[p]), %%zmm24\n"                                                         \
  QUANTA_BIN_ASM_WORD(QUANTA_BIN_ASM_LAST)                                                   \
  "3:\n"
// dot = K - 2 * count of accumulator I, narrowed to int32 and stored at row R's pointer + V bytes.
#define QUANTA_BIN_ASM_DOT(I, R, V)                                       \
  "vpaddq %%zmm" #I ", %%zmm" #I ", %%zmm" #I "\n"                        \
  "vpsubq %%zmm" #I ", %%zmm24, %%zmm" #I "\n"                            \
  "mov " #R "(%[rows]), %[t]\n"                                           \
  "vpmovqd %%zmm" #I ", " #V "(%[t])\n"
#define QUANTA_BIN_ASM_CLOBBERS                                                                           \
  "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8", "xmm9", "xmm10", "xmm11", "xmm12", \
      "xmm13", "xmm14", "xmm15", "xmm16", "xmm17", "xmm18", "xmm19", "xmm20", "xmm21", "xmm22", "xmm23",    \
      "xmm24", "xmm25", "xmm26", "xmm27", "xmm28", "xmm29", "xmm30", "xmm31", "cc", "memory"

// The 16 accumulators leave through `counts` (16 zmm), or with rows != null as int32 dots
// K - 2 * count stored straight to the 4 output rows (rows[r] + 8 * v columns): the common
// single-slice int32 case then skips a round trip through memory and the general epilogue.
inline void full_tile_asm(const uint64_t* a0, const uint64_t* a1, const uint64_t* a2, const uint64_t* a3,
                          const uint64_t* b0, const uint64_t* b1, const uint64_t* b2, const uint64_t* b3,
                          size_t words, const uint64_t* last_mask, __m512i* counts, int32_t* const* rows,
                          const uint64_t* k) {
  // The scalars travel through memory: 15 general registers would leave none for the compiler.
  // A last word with every bit valid (K a multiple of 64) runs in the loop, unmasked.
  const uint64_t p[4] = {*last_mask == ~uint64_t{0} ? words : words - 1, words, *last_mask, k == nullptr ? 0 : *k};
  size_t t = 0, b_offset = 0;
  if (rows != nullptr) {
    __asm__ volatile(
        QUANTA_BIN_ASM_LOOP
        "vpbroadcastq 24(%[p]), %%zmm24\n"
        QUANTA_BIN_ASM_DOT(0, 0, 0) QUANTA_BIN_ASM_DOT(1, 0, 32) QUANTA_BIN_ASM_DOT(2, 0, 64) QUANTA_BIN_ASM_DOT(3, 0, 96)
        QUANTA_BIN_ASM_DOT(4, 8, 0) QUANTA_BIN_ASM_DOT(5, 8, 32) QUANTA_BIN_ASM_DOT(6, 8, 64) QUANTA_BIN_ASM_DOT(7, 8, 96)
        QUANTA_BIN_ASM_DOT(8, 16, 0) QUANTA_BIN_ASM_DOT(9, 16, 32) QUANTA_BIN_ASM_DOT(10, 16, 64) QUANTA_BIN_ASM_DOT(11, 16, 96)
        QUANTA_BIN_ASM_DOT(12, 24, 0) QUANTA_BIN_ASM_DOT(13, 24, 32) QUANTA_BIN_ASM_DOT(14, 24, 64) QUANTA_BIN_ASM_DOT(15, 24, 96)
        : [t] "+r"(t), [bo] "+r"(b_offset)
        : [a0] "r"(a0), [a1] "r"(a1), [a2] "r"(a2), [a3] "r"(a3), [b0] "r"(b0), [b1] "r"(b1), [b2] "r"(b2),
          [b3] "r"(b3), [p] "r"(p), [rows] "r"(rows)
        : QUANTA_BIN_ASM_CLOBBERS);
    return;
  }
  __asm__ volatile(
      QUANTA_BIN_ASM_LOOP
      "vmovdqa64 %%zmm0, 0(%[out])\n vmovdqa64 %%zmm1, 64(%[out])\n"
      "vmovdqa64 %%zmm2, 128(%[out])\n vmovdqa64 %%zmm3, 192(%[out])\n"
      "vmovdqa64 %%zmm4, 256(%[out])\n vmovdqa64 %%zmm5, 320(%[out])\n"
      "vmovdqa64 %%zmm6, 384(%[out])\n vmovdqa64 %%zmm7, 448(%[out])\n"
      "vmovdqa64 %%zmm8, 512(%[out])\n vmovdqa64 %%zmm9, 576(%[out])\n"
      "vmovdqa64 %%zmm10, 640(%[out])\n vmovdqa64 %%zmm11, 704(%[out])\n"
      "vmovdqa64 %%zmm12, 768(%[out])\n vmovdqa64 %%zmm13, 832(%[out])\n"
      "vmovdqa64 %%zmm14, 896(%[out])\n vmovdqa64 %%zmm15, 960(%[out])\n"
      : [t] "+r"(t), [bo] "+r"(b_offset)
      : [a0] "r"(a0), [a1] "r"(a1), [a2] "r"(a2), [a3] "r"(a3), [b0] "r"(b0), [b1] "r"(b1), [b2] "r"(b2),
        [b3] "r"(b3), [p] "r"(p), [out] "r"(counts)
      : QUANTA_BIN_ASM_CLOBBERS);
}
#undef QUANTA_BIN_ASM_CLOBBERS
#undef QUANTA_BIN_ASM_DOT
#undef QUANTA_BIN_ASM_LOOP
#undef QUANTA_BIN_ASM_WORD
#undef QUANTA_BIN_ASM_LAST
#undef QUANTA_BIN_ASM

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
  bool done = false;
  if constexpr (MR == 4 && NV == 4 && Popcount::kAsm) {
    // The output lines are written after the K loop (and read first in later slices): fetch
    // them now, while the loop runs, instead of stalling on 8 misses at the end (M x N int32
    // outputs are far larger than the caches).
    for (int r = 0; r < 4; ++r) {
      const int32_t* out = static_cast<const int32_t*>(g.out) + (row0 + r) * g.ldc + col0;
      _mm_prefetch(reinterpret_cast<const char*>(out), _MM_HINT_T0);
      _mm_prefetch(reinterpret_cast<const char*>(out + 16), _MM_HINT_T0);
    }
    if (g.first && g.last && g.kind == BinaryOutKind::s32 && g.n - col0 >= 32) {
      int32_t* out = static_cast<int32_t*>(g.out) + row0 * g.ldc + col0;
      int32_t* const rows[4] = {out, out + g.ldc, out + 2 * g.ldc, out + 3 * g.ldc};
      const uint64_t k = g.k;
      full_tile_asm(a0, a1, a2, a3, b0, b1, b2, b3, g.words, &g.last_mask, nullptr, rows, &k);
      return;
    }
    alignas(64) __m512i counts[16];
    full_tile_asm(a0, a1, a2, a3, b0, b1, b2, b3, g.words, &g.last_mask, counts, nullptr, nullptr);
    c00 = counts[0], c01 = counts[1], c02 = counts[2], c03 = counts[3];
    c10 = counts[4], c11 = counts[5], c12 = counts[6], c13 = counts[7];
    c20 = counts[8], c21 = counts[9], c22 = counts[10], c23 = counts[11];
    c30 = counts[12], c31 = counts[13], c32 = counts[14], c33 = counts[15];
    done = true;
  }
  if (!done) {
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
  }
  // The common case (one K slice, int32 out, all 32 columns present) without the per-lane
  // masks and branches of the general store below (a few % at K = 4096).
  if (MR == 4 && NV == 4 && g.first && g.last && g.kind == BinaryOutKind::s32 && g.n - col0 >= 32) {
    const __m512i k64 = _mm512_set1_epi64(static_cast<long long>(g.k));
#define QUANTA_BIN_STORE_FAST(r, v)                                                                     \
  _mm256_storeu_si256(reinterpret_cast<__m256i*>(static_cast<int32_t*>(g.out) + (row0 + r) * g.ldc + col0 + 8 * v), \
                      _mm512_cvtepi64_epi32(_mm512_sub_epi64(k64, _mm512_add_epi64(c##r##v, c##r##v))));
    QUANTA_BIN_EACH(QUANTA_BIN_STORE_FAST)
#undef QUANTA_BIN_STORE_FAST
    return;
  }
  // Counts of one slice are at most 64 * words < 2^31: narrowing to int32 is exact.
  const __m256i kk = _mm256_set1_epi32(static_cast<int32_t>(g.k));
#define QUANTA_BIN_STORE(r, v)                                                                          \
  if constexpr (r < MR && v < NV) {                                                                     \
    const __mmask8 lanes = lane_mask(g.n - col0 - 8 * v);                                               \
    int32_t* out = static_cast<int32_t*>(g.out) + (row0 + r) * g.ldc + col0 + 8 * v;                    \
    __m256i count = _mm512_cvtepi64_epi32(c##r##v);                                                     \
    if (g.kind == BinaryOutKind::f32_group) {                                                           \
      const __m256i dot = _mm256_sub_epi32(kk, _mm256_add_epi32(count, count));                         \
      const __m256 s = _mm256_mul_ps(_mm256_set1_ps(g.scale_a[row0 + r]),                              \
                                     _mm256_loadu_ps(g.scale_b + col0 + 8 * v));                        \
      const __m256 prev = g.first ? _mm256_setzero_ps() : _mm256_maskz_loadu_ps(lanes, reinterpret_cast<float*>(out)); \
      __m256 y = _mm256_fmadd_ps(_mm256_cvtepi32_ps(dot), s, prev);                                    \
      if (g.last) y = _mm256_add_ps(y, _mm256_loadu_ps(g.bias + col0 + 8 * v));                        \
      _mm256_mask_storeu_ps(reinterpret_cast<float*>(out), lanes, y);                                   \
    } else {                                                                                            \
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
