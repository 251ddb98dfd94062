// int4 weight-only GEMM on AVX-512 (+VNNI): tiles of MR rows x NV panels of 16 columns, all of
// K per call, following quanta/int4_gemm.h's operation order lane by lane (one column per lane),
// so the float results are the reference's bits.
//
// GEMV (M = 1) streams the weights once: 4 panels at a time give 4 (float path) or 8 (int8
// path: low and high nibbles in separate accumulators) independent chains per 64-byte load,
// enough to hide the FMA / VPDPBUSD latency of 4 cycles; the hardware prefetcher feeds the 4
// streams (software prefetch, 1-32 KiB ahead, into L1 or L2, measured no better and up to 40%
// worse from L2). For M > 1 a 4-row x 2-panel tile (3 panels on the int8 path with groups
// >= 64) reuses each unpacked register across 4 rows; the panels' column slice (K/2 bytes each
// + scales) stays in L2 while the row tiles pass over it. Accumulators are named variables
// (GCC 12 spills arrays of vectors, see the int8 kernel).
#include <immintrin.h>

#include <cstring>

#include "quanta/int4_gemm.h"
#include "quanta/kernels.h"

namespace quanta {

namespace {

#define QUANTA_INT4_EACH(X)                                                                   \
  X(0, 0) X(0, 1) X(0, 2) X(0, 3) X(1, 0) X(1, 1) X(1, 2) X(1, 3) X(2, 0) X(2, 1) X(2, 2)     \
  X(2, 3) X(3, 0) X(3, 1) X(3, 2) X(3, 3)
#define QUANTA_INT4_EACH_V(X) X(0) X(1) X(2) X(3)

inline __mmask16 column_mask(const Int4Layout& w, size_t panel) {
  const size_t first = panel * kInt4Panel;
  const size_t left = w.n > first ? w.n - first : 0;
  return left >= 16 ? __mmask16(0xFFFF) : static_cast<__mmask16>((1u << left) - 1);
}

inline __m512 bias_of(const float* bias, size_t panel, __mmask16 mask) {
  return bias == nullptr ? _mm512_setzero_ps() : _mm512_maskz_loadu_ps(mask, bias + panel * kInt4Panel);
}

// 16 zero points of group g (0..15), as int32 lanes; 8 everywhere when the layout stores none.
inline __m512i zero_points(const Int4Layout& w, const uint8_t* panel, size_t g) {
  if (!w.has_zp) return _mm512_set1_epi32(8);
  return _mm512_cvtepu8_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(panel + w.zp_offset + g * kInt4Panel)));
}

// ---- float32 activations ----
// Not inlined: one call covers all of K, and each tile keeps its own register allocation.
// SYM: every zero point is 8, and a nibble becomes float(u - 8) by one VPERMPS from a 16-entry
// table (it reads only the low 4 bits of each index lane, so no mask is needed): 2 ops instead
// of 3 per 16 weights, the float path's bottleneck.
template <int MR, int NV, bool SYM>
__attribute__((noinline)) void tile_f32(const Int4GemmArgs& a, size_t row0, size_t p0,
                                        size_t step) {
  const Int4Layout& w = *a.w;
  const size_t chunks = w.group / kInt4ChunkK;
  const __m512i low4 = _mm512_set1_epi32(0x0F);
  // (nibble | 0x4B000000) is the float 2^23 + nibble; subtracting 2^23 + z gives nibble - z
  // exactly, in one integer-free step.
  const __m512i magic = _mm512_set1_epi32(0x4B000000);
  const __m512 minus8 = _mm512_setr_ps(-8, -7, -6, -5, -4, -3, -2, -1, 0, 1, 2, 3, 4, 5, 6, 7);
  const uint8_t* pan0 = w.data + p0 * w.panel_stride;
  const uint8_t* pan1 = pan0 + step * w.panel_stride;
  const uint8_t* pan2 = pan1 + step * w.panel_stride;
  const uint8_t* pan3 = pan2 + step * w.panel_stride;
  const float* x0 = a.x + row0 * a.ldx;
  const float* x1 = x0 + a.ldx;
  const float* x2 = x1 + a.ldx;
  const float* x3 = x2 + a.ldx;

  __m512 f00, f01, f02, f03, f10, f11, f12, f13, f20, f21, f22, f23, f30, f31, f32, f33;
#define QUANTA_INT4_ZERO(r, v) if constexpr (r < MR && v < NV) f##r##v = _mm512_setzero_ps();
  QUANTA_INT4_EACH(QUANTA_INT4_ZERO)
#undef QUANTA_INT4_ZERO

  for (size_t g = 0; g < w.groups; ++g) {
    __m512 zf0, zf1, zf2, zf3;
#define QUANTA_INT4_ZF(v) \
  if constexpr (v < NV && !SYM) zf##v = _mm512_castsi512_ps(_mm512_add_epi32(magic, zero_points(w, pan##v, g)));
    QUANTA_INT4_EACH_V(QUANTA_INT4_ZF)
#undef QUANTA_INT4_ZF
    __m512 s00, s01, s02, s03, s10, s11, s12, s13, s20, s21, s22, s23, s30, s31, s32, s33;
#define QUANTA_INT4_ZERO(r, v) if constexpr (r < MR && v < NV) s##r##v = _mm512_setzero_ps();
    QUANTA_INT4_EACH(QUANTA_INT4_ZERO)
#undef QUANTA_INT4_ZERO
    const size_t gk = g * w.group;
    for (size_t c = 0; c < chunks; ++c) {
      const size_t off = g * w.group_bytes + c * kInt4ChunkBytes;
      __m512i w0, w1, w2, w3;
#define QUANTA_INT4_LOAD(v) if constexpr (v < NV) w##v = _mm512_load_si512(pan##v + off);
      QUANTA_INT4_EACH_V(QUANTA_INT4_LOAD)
#undef QUANTA_INT4_LOAD
      const size_t k0 = gk + c * kInt4ChunkK;
#pragma GCC unroll 8
      for (int t = 0; t < 8; ++t) {
        __m512 e0, e1, e2, e3;
        // (w >> 4t) & 0x0F | magic in one ternary-logic op: A & B | C is 0xEA.
#define QUANTA_INT4_UNPACK(v)                                                                                   \
  if constexpr (v < NV && SYM) {                                                                                \
    e##v = _mm512_permutexvar_ps(t == 0 ? w##v : _mm512_srli_epi32(w##v, 4 * t), minus8);                       \
  } else if constexpr (v < NV) {                                                                                \
    e##v = _mm512_sub_ps(                                                                                       \
        _mm512_castsi512_ps(_mm512_ternarylogic_epi32(_mm512_srli_epi32(w##v, 4 * t), low4, magic, 0xEA)), zf##v); \
  }
        QUANTA_INT4_EACH_V(QUANTA_INT4_UNPACK)
#undef QUANTA_INT4_UNPACK
#define QUANTA_INT4_ROW(r)                                                     \
  if constexpr (r < MR) {                                                      \
    const __m512 xb = _mm512_set1_ps(x##r[k0 + t]);                            \
    s##r##0 = _mm512_fmadd_ps(e0, xb, s##r##0);                                \
    if constexpr (NV > 1) s##r##1 = _mm512_fmadd_ps(e1, xb, s##r##1);          \
    if constexpr (NV > 2) s##r##2 = _mm512_fmadd_ps(e2, xb, s##r##2);          \
    if constexpr (NV > 3) s##r##3 = _mm512_fmadd_ps(e3, xb, s##r##3);          \
  }
        QUANTA_INT4_ROW(0)
        QUANTA_INT4_ROW(1)
        QUANTA_INT4_ROW(2)
        QUANTA_INT4_ROW(3)
#undef QUANTA_INT4_ROW
      }
    }
    const size_t soff = g * w.group_bytes + chunks * kInt4ChunkBytes;
#define QUANTA_INT4_SCALE(r, v) \
  if constexpr (r < MR && v < NV) f##r##v = _mm512_fmadd_ps(s##r##v, _mm512_load_ps(reinterpret_cast<const float*>(pan##v + soff)), f##r##v);
    QUANTA_INT4_EACH(QUANTA_INT4_SCALE)
#undef QUANTA_INT4_SCALE
  }

#define QUANTA_INT4_STORE(r, v)                                                                 \
  if constexpr (r < MR && v < NV) {                                                             \
    const size_t panel = p0 + v * step;                                                        \
    const __mmask16 mask = column_mask(w, panel);                                               \
    _mm512_mask_storeu_ps(a.y + (row0 + r) * a.ldy + (panel - a.panel0) * kInt4Panel, mask,     \
                          _mm512_add_ps(f##r##v, bias_of(a.bias, panel, mask)));                \
  }
  QUANTA_INT4_EACH(QUANTA_INT4_STORE)
}

// ---- int8 activations ----
// SYM: every zero point is 8, so the correction z * sum(q) is one scalar per row and group.
// CHUNKS: the group's 64-byte chunks when known at compile time (G = 32, 64, 128), else 0. A
// constant trip count lets GCC unroll the chunk loop whole; with a runtime one it copies every
// accumulator around each iteration.
template <int MR, int NV, bool SYM, int CHUNKS>
__attribute__((noinline)) void tile_s8(const Int4GemmArgs& a, size_t row0, size_t p0,
                                       size_t step) {
  const Int4Layout& w = *a.w;
  const size_t chunks = CHUNKS > 0 ? CHUNKS : w.group / kInt4ChunkK;
  const __m512i low4 = _mm512_set1_epi8(0x0F);
  const __m512i high4 = _mm512_set1_epi8(static_cast<char>(0xF0));
  const uint8_t* pan0 = w.data + p0 * w.panel_stride;
  const uint8_t* pan1 = pan0 + step * w.panel_stride;
  const uint8_t* pan2 = pan1 + step * w.panel_stride;
  const uint8_t* pan3 = pan2 + step * w.panel_stride;
  const int8_t* q0 = a.xq + row0 * a.ldq;
  const int8_t* q1 = q0 + a.ldq;
  const int8_t* q2 = q1 + a.ldq;
  const int8_t* q3 = q2 + a.ldq;

  // With several rows the group sums (up to 8) and the unpacked nibbles fill the registers; the
  // float sums then live in an L1 buffer, touched once per group, so that GCC keeps the K loop
  // free of spills.
  constexpr bool kMemAcc = MR > 1 && (NV > 2 || CHUNKS == 0);
  alignas(64) float facc[kMemAcc ? 4 * 4 * 16 : 16];
  if constexpr (kMemAcc) {
    for (auto& v : facc) v = 0.0f;
  }

  __m512 f00, f01, f02, f03, f10, f11, f12, f13, f20, f21, f22, f23, f30, f31, f32, f33;
#define QUANTA_INT4_ZERO(r, v) if constexpr (r < MR && v < NV) f##r##v = _mm512_setzero_ps();
  QUANTA_INT4_EACH(QUANTA_INT4_ZERO)
#undef QUANTA_INT4_ZERO

  for (size_t g = 0; g < w.groups; ++g) {
    // Low and high nibbles go to separate sums (i, h) when there is one row: twice the
    // independent VPDPBUSD chains, which GEMV needs; with 4 rows there are enough already.
    __m512i i00, i01, i02, i03, i10, i11, i12, i13, i20, i21, i22, i23, i30, i31, i32, i33;
    __m512i h00, h01, h02, h03;
    // Symmetric weights: the sums start at -8 * sum(q) (the zero-point term, one broadcast per
    // row) instead of 0, which spares a subtraction per sum and group; integer addition is exact
    // in any order.
    __m512i start0, start1, start2, start3;
#define QUANTA_INT4_START(r)                                                                                 \
  if constexpr (r < MR) {                                                                                    \
    start##r = SYM ? _mm512_set1_epi32(-8 * a.xsum[(row0 + r) * a.ldg + g]) : _mm512_setzero_si512();        \
  }
    QUANTA_INT4_START(0)
    QUANTA_INT4_START(1)
    QUANTA_INT4_START(2)
    QUANTA_INT4_START(3)
#undef QUANTA_INT4_START
#define QUANTA_INT4_ZERO(r, v) \
  if constexpr (r < MR && v < NV) i##r##v = start##r;
    QUANTA_INT4_EACH(QUANTA_INT4_ZERO)
#undef QUANTA_INT4_ZERO
#define QUANTA_INT4_ZERO(v) if constexpr (MR == 1 && v < NV) h0##v = _mm512_setzero_si512();
    QUANTA_INT4_EACH_V(QUANTA_INT4_ZERO)
#undef QUANTA_INT4_ZERO
    const size_t gk = g * w.group;
    // Unrolled whole when the count is a constant (GCC 12 stopped doing so on its own once the
    // sums started at -8 * sum(q): it then copied them around the back edge and spilled).
#pragma GCC unroll 16
    for (size_t c = 0; c < chunks; ++c) {
      const size_t off = g * w.group_bytes + c * kInt4ChunkBytes;
      __m512i lo0, lo1, lo2, lo3, hi0, hi1, hi2, hi3;
// One row: the high nibbles stay in place (16 * u, masked, no shift) and their sums h are
// divided by 16 once per group, exactly (every term is a multiple of 16): one operation less per
// 64 bytes, in the loop that bounds GEMV from cache.
#define QUANTA_INT4_LOAD(v)                                                                   \
  if constexpr (v < NV) {                                                                     \
    const __m512i raw = _mm512_load_si512(pan##v + off);                                      \
    lo##v = _mm512_and_si512(raw, low4);                                                      \
    if constexpr (MR == 1) hi##v = _mm512_and_si512(raw, high4);                              \
    else hi##v = _mm512_and_si512(_mm512_srli_epi16(raw, 4), low4);                          \
  }
      QUANTA_INT4_EACH_V(QUANTA_INT4_LOAD)
#undef QUANTA_INT4_LOAD
      const size_t k0 = gk + c * kInt4ChunkK;
#define QUANTA_INT4_ROW(r)                                                                          \
  if constexpr (r < MR) {                                                                           \
    int32_t even, odd;                                                                              \
    std::memcpy(&even, q##r + k0, 4);                                                               \
    std::memcpy(&odd, q##r + k0 + 4, 4);                                                            \
    const __m512i xe = _mm512_set1_epi32(even), xo = _mm512_set1_epi32(odd);                        \
    i##r##0 = _mm512_dpbusd_epi32(i##r##0, lo0, xe);                                                \
    if constexpr (NV > 1) i##r##1 = _mm512_dpbusd_epi32(i##r##1, lo1, xe);                          \
    if constexpr (NV > 2) i##r##2 = _mm512_dpbusd_epi32(i##r##2, lo2, xe);                          \
    if constexpr (NV > 3) i##r##3 = _mm512_dpbusd_epi32(i##r##3, lo3, xe);                          \
    if constexpr (MR == 1) {                                                                        \
      h00 = _mm512_dpbusd_epi32(h00, hi0, xo);                                                      \
      if constexpr (NV > 1) h01 = _mm512_dpbusd_epi32(h01, hi1, xo);                                \
      if constexpr (NV > 2) h02 = _mm512_dpbusd_epi32(h02, hi2, xo);                                \
      if constexpr (NV > 3) h03 = _mm512_dpbusd_epi32(h03, hi3, xo);                                \
    } else {                                                                                        \
      i##r##0 = _mm512_dpbusd_epi32(i##r##0, hi0, xo);                                              \
      if constexpr (NV > 1) i##r##1 = _mm512_dpbusd_epi32(i##r##1, hi1, xo);                        \
      if constexpr (NV > 2) i##r##2 = _mm512_dpbusd_epi32(i##r##2, hi2, xo);                        \
      if constexpr (NV > 3) i##r##3 = _mm512_dpbusd_epi32(i##r##3, hi3, xo);                        \
    }                                                                                               \
  }
      QUANTA_INT4_ROW(0)
      QUANTA_INT4_ROW(1)
      QUANTA_INT4_ROW(2)
      QUANTA_INT4_ROW(3)
#undef QUANTA_INT4_ROW
    }
    // D = dot - z * sum(q) (int32, exact), then acc = fma(float(D), s * d, acc).
    const size_t soff = g * w.group_bytes + chunks * kInt4ChunkBytes;
    __m512i z0, z1, z2, z3;
    __m512 sc0, sc1, sc2, sc3;
#define QUANTA_INT4_GROUP_V(v)                                                            \
  if constexpr (v < NV) {                                                                 \
    if constexpr (!SYM) z##v = zero_points(w, pan##v, g);                                 \
    sc##v = _mm512_load_ps(reinterpret_cast<const float*>(pan##v + soff));                \
    if constexpr (MR == 1) i0##v = _mm512_add_epi32(i0##v, _mm512_srai_epi32(h0##v, 4));  \
  }
    QUANTA_INT4_EACH_V(QUANTA_INT4_GROUP_V)
#undef QUANTA_INT4_GROUP_V
#define QUANTA_INT4_FINISH(r, v)                                                                          \
  if constexpr (r < MR && v < NV) {                                                                       \
    const int32_t sum = a.xsum[(row0 + r) * a.ldg + g];                                                   \
    const __m512i dot = SYM ? i##r##v : _mm512_sub_epi32(i##r##v, _mm512_mullo_epi32(z##v, _mm512_set1_epi32(sum))); \
    const __m512 sd = _mm512_mul_ps(sc##v, _mm512_set1_ps(a.xd[(row0 + r) * a.ldg + g]));                 \
    if constexpr (kMemAcc) {                                                                              \
      float* slot = facc + (r * 4 + v) * 16;                                                              \
      _mm512_store_ps(slot, _mm512_fmadd_ps(_mm512_cvtepi32_ps(dot), sd, _mm512_load_ps(slot)));          \
    } else {                                                                                              \
      f##r##v = _mm512_fmadd_ps(_mm512_cvtepi32_ps(dot), sd, f##r##v);                                    \
    }                                                                                                     \
  }
    QUANTA_INT4_EACH(QUANTA_INT4_FINISH)
#undef QUANTA_INT4_FINISH
  }

  if constexpr (kMemAcc) {
#define QUANTA_INT4_RELOAD(r, v) if constexpr (r < MR && v < NV) f##r##v = _mm512_load_ps(facc + (r * 4 + v) * 16);
    QUANTA_INT4_EACH(QUANTA_INT4_RELOAD)
#undef QUANTA_INT4_RELOAD
  }
  QUANTA_INT4_EACH(QUANTA_INT4_STORE)
}

#undef QUANTA_INT4_STORE

// Panels in groups of NV_MAX (the rest one by one), rows in tiles of MR_MAX (the rest in one
// smaller tile); all row tiles pass over one panel group before the next.
template <int MR, int NV, int CHUNKS>
void run_tile_s8(const Int4GemmArgs& a, size_t row0, size_t p, size_t step) {
  if (a.w->has_zp) tile_s8<MR, NV, false, CHUNKS>(a, row0, p, step);
  else tile_s8<MR, NV, true, CHUNKS>(a, row0, p, step);
}

template <bool S8, int MR, int NV>
void run_tile(const Int4GemmArgs& a, size_t row0, size_t p, size_t step = 1) {
  if constexpr (S8) {
    switch (a.w->group) {
      case 32: run_tile_s8<MR, NV, 32 / kInt4ChunkK>(a, row0, p, step); break;
      case 64: run_tile_s8<MR, NV, 64 / kInt4ChunkK>(a, row0, p, step); break;
      case 128: run_tile_s8<MR, NV, 128 / kInt4ChunkK>(a, row0, p, step); break;
      default: run_tile_s8<MR, NV, 0>(a, row0, p, step); break;
    }
  } else if (a.w->has_zp) tile_f32<MR, NV, false>(a, row0, p, step);
  else tile_f32<MR, NV, true>(a, row0, p, step);
}

template <bool S8, int NV>
void rows_of(const Int4GemmArgs& a, size_t p) {
  size_t r = 0;
  for (; r + 4 <= a.m; r += 4) run_tile<S8, 4, NV>(a, r, p);
  switch (a.m - r) {
    case 3: run_tile<S8, 3, NV>(a, r, p); break;
    case 2: run_tile<S8, 2, NV>(a, r, p); break;
    case 1: run_tile<S8, 1, NV>(a, r, p); break;
    default: break;
  }
}

template <bool S8>
void gemm(const Int4GemmArgs& a) {
  const size_t end = a.panel0 + a.panel_count;
  size_t p = a.panel0;
  if (a.m == 1) {
    // GEMV: the 4 panels of a tile come from the 4 quarters of the range, so each of the 4
    // streams runs through a quarter of the weights without a break. Tiles of 4 adjacent panels
    // start 3 new streams per tile, and the hardware prefetcher ramps up on each anew: measured
    // 37-40 GB/s from memory that way, 45-47 GB/s like this (a plain read: 44-54).
    const size_t quarter = (end - p) / 4;
    for (size_t i = 0; i < quarter; ++i) run_tile<S8, 1, 4>(a, 0, p + i, quarter);
    p += 4 * quarter;
  } else {
    // int8 path with groups of 64 or more: 3 panels (12 sums, 24 VPDPBUSD per 8 broadcasts);
    // with groups of 32 the per-group float work of 12 sums costs more than the wider tile saves
    // (measured: 3 panels 820-870 GOPS vs 2 panels 750-790 at G = 128, M = 8-128; at G = 32,
    // 620-700 vs 650-700). G = 32 stays near 75% of the VPDPBUSD peak with every tile tried:
    // 4 x 3, 4 x 4, 6 x 2, a 6 x 3 tile over panels unpacked to bytes once (18 chains, no
    // unpacking in the K loop), low / high sums apart, the float work of a group issued one to
    // three chunks into the next group: all within +-3% of this one. The reason: each 8
    // VPDPBUSD of a sum carry one VMULPS (s * d) and one VFMADD, and on Zen 5 both issue to
    // VPDPBUSD's two pipes (convert, logic, shifts and broadcasts do not), so 80% of the peak is
    // the ceiling of this mix (bench/native/peaks.cc measures it: 79-82%); the tile runs at
    // 80-95% of that ceiling.
    if constexpr (S8) {
      if (a.w->group >= 64) {
        for (; p + 3 <= end; p += 3) rows_of<S8, 3>(a, p);
      }
    }
    for (; p + 2 <= end; p += 2) rows_of<S8, 2>(a, p);
  }
  for (; p < end; ++p) rows_of<S8, 1>(a, p);
}

void int4_gemm_f32_avx512(const Int4GemmArgs& a) { gemm<false>(a); }
void int4_gemm_s8_avx512(const Int4GemmArgs& a) { gemm<true>(a); }

// The reference's per-group quantizer, 16 lanes at a time: the same max, division, reciprocal,
// product and round-half-even conversion, so the codes and scales are the same bits.
void int4_quantize_row_avx512(const float* x, size_t k, size_t group, int8_t* q, float* d, int32_t* sum) {
  // Within each 8: k0+0,2,4,6 then k0+1,3,5,7.
  const __m128i order = _mm_setr_epi8(0, 2, 4, 6, 1, 3, 5, 7, 8, 10, 12, 14, 9, 11, 13, 15);
  const __m512 lo = _mm512_set1_ps(-127.0f), hi = _mm512_set1_ps(127.0f);
  for (size_t g = 0; g * group < k; ++g) {
    const float* xg = x + g * group;
    __m512 amax = _mm512_setzero_ps();
    for (size_t i = 0; i < group; i += 16) amax = _mm512_max_ps(amax, _mm512_abs_ps(_mm512_loadu_ps(xg + i)));
    const float scale = _mm512_reduce_max_ps(amax) / 127.0f;
    const __m512 inv = _mm512_set1_ps(scale != 0.0f ? 1.0f / scale : 0.0f);
    __m512i s = _mm512_setzero_si512();
    for (size_t i = 0; i < group; i += 16) {
      const __m512 r = _mm512_roundscale_ps(_mm512_mul_ps(_mm512_loadu_ps(xg + i), inv), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
      const __m512i c = _mm512_cvttps_epi32(_mm512_min_ps(_mm512_max_ps(r, lo), hi));
      s = _mm512_add_epi32(s, c);
      _mm_storeu_si128(reinterpret_cast<__m128i*>(q + g * group + i), _mm_shuffle_epi8(_mm512_cvtepi32_epi8(c), order));
    }
    d[g] = scale;
    sum[g] = _mm512_reduce_add_epi32(s);
  }
}

#undef QUANTA_INT4_EACH
#undef QUANTA_INT4_EACH_V

}  // namespace

void register_avx512vnni_int4_kernels(KernelTable* t) {
  t->int4_gemm_f32 = int4_gemm_f32_avx512;
  t->int4_gemm_s8 = int4_gemm_s8_avx512;
  t->int4_quantize_row = int4_quantize_row_avx512;
  t->int4_isa = Isa::avx512vnni;
}

}  // namespace quanta
