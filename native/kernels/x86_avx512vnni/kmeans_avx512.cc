// kmeans hot steps with AVX-512 (F, BW, VL). Same results as kernels/ref/kmeans_ref.cc bit for
// bit: assignment is comparisons only (the same lower-bound search, 16 values at a time), and
// accumulation performs the reference's double additions slot by slot in the same order. There
// is no multiply here, so -mfma cannot contract anything.
#include <immintrin.h>

#include <cstring>
#include <limits>

#include "quanta/kernels.h"

namespace quanta::avx512 {

namespace {

inline __mmask16 tail_mask16(size_t count) { return static_cast<__mmask16>((1u << count) - 1u); }

// One lower-bound step for 16 values: pos += step where entry (pos + step - 1) < v.
inline __m512i step_permute(__m512i pos, __m512 v, __m512 table, unsigned shift, unsigned step) {
  // Index into the table of every 2^shift-th bound: ((pos + step) >> shift) - 1.
  const __m512i idx = _mm512_sub_epi32(
      _mm512_srli_epi32(_mm512_add_epi32(pos, _mm512_set1_epi32(static_cast<int>(step))), shift),
      _mm512_set1_epi32(1));
  const __mmask16 below = _mm512_cmp_ps_mask(_mm512_permutexvar_ps(idx, table), v, _CMP_LT_OQ);
  return _mm512_mask_add_epi32(pos, below, pos, _mm512_set1_epi32(static_cast<int>(step)));
}

inline __m512i step_gather(__m512i pos, __m512 v, const float* bounds, unsigned step) {
  const __m512i idx = _mm512_add_epi32(pos, _mm512_set1_epi32(static_cast<int>(step) - 1));
  const __mmask16 below = _mm512_cmp_ps_mask(_mm512_i32gather_ps(idx, bounds, 4), v, _CMP_LT_OQ);
  return _mm512_mask_add_epi32(pos, below, pos, _mm512_set1_epi32(static_cast<int>(step)));
}

// The first (up to four) steps of the search only read every 2^shift-th bound, shift = L - 4:
// those 15 entries live in one register and are picked with a permute. The remaining L - 4
// steps gather from the full table (the index never exceeds 2^L - 2).
struct Search {
  __m512 top;
  unsigned log2, shift;
  const float* bounds;

  Search(const float* b, unsigned L) : log2(L), shift(L > 4 ? L - 4 : 0), bounds(b) {
    alignas(64) float t[16];
    for (float& e : t) e = std::numeric_limits<float>::infinity();
    const unsigned top_count = (1u << (L - shift)) - 1;  // 2^min(L, 4) - 1
    for (unsigned j = 0; j < top_count; ++j) t[j] = b[((j + 1) << shift) - 1];
    top = _mm512_load_ps(t);
  }

  inline __m512i codes(__m512 v) const {
    __m512i pos = _mm512_setzero_si512();
    unsigned step = (1u << log2) >> 1;
    for (; step >= (1u << shift) && step != 0; step >>= 1) pos = step_permute(pos, v, top, shift, step);
    for (; step != 0; step >>= 1) pos = step_gather(pos, v, bounds, step);
    return pos;
  }
};

void kmeans_assign_f32_avx512(const float* x, size_t n, const float* bounds, unsigned bounds_log2,
                              uint8_t* codes) {
  if (bounds_log2 == 0) {
    std::memset(codes, 0, n);
    return;
  }
  const Search s(bounds, bounds_log2);
  size_t i = 0;
  for (; i + 32 <= n; i += 32) {
    // Two independent searches in flight hide the permute / gather latency.
    const __m512i c0 = s.codes(_mm512_loadu_ps(x + i));
    const __m512i c1 = s.codes(_mm512_loadu_ps(x + i + 16));
    _mm_storeu_si128(reinterpret_cast<__m128i*>(codes + i), _mm512_cvtepi32_epi8(c0));
    _mm_storeu_si128(reinterpret_cast<__m128i*>(codes + i + 16), _mm512_cvtepi32_epi8(c1));
  }
  for (; i < n; i += 16) {
    const __mmask16 m = n - i >= 16 ? static_cast<__mmask16>(0xFFFF) : tail_mask16(n - i);
    // Masked-off lanes search for 0.0f and are not stored.
    _mm512_mask_cvtepi32_storeu_epi8(codes + i, m, s.codes(_mm512_maskz_loadu_ps(m, x + i)));
  }
}

// Up to K clusters: the sums of cluster j for lanes 0..7 are one zmm register, and 8 values at a
// time (element i + l in lane l, i a multiple of 8) are added to it under the mask codes == j.
// A masked add leaves the other lanes untouched, so each slot sees exactly the reference's adds.
// Only the first `levels` slots of sums exist; codes never reach the others.
template <int K>
void accumulate_registers(const float* x, const uint8_t* codes, size_t n, size_t levels, double* sums) {
  __m512d acc[K];
#pragma GCC unroll 16
  for (int j = 0; j < K; ++j) {
    acc[j] = size_t(j) < levels ? _mm512_loadu_pd(sums + j * kKmeansLanes) : _mm512_setzero_pd();
  }
  for (size_t i = 0; i < n; i += 8) {
    const __mmask8 live = n - i >= 8 ? static_cast<__mmask8>(0xFF) : static_cast<__mmask8>((1u << (n - i)) - 1u);
    const __m512d v = _mm512_cvtps_pd(_mm256_maskz_loadu_ps(live, x + i));
    const __m512i c = _mm512_cvtepu8_epi64(_mm_maskz_loadu_epi8(live, codes + i));
#pragma GCC unroll 16
    for (int j = 0; j < K; ++j) {
      const __mmask8 m = _mm512_mask_cmpeq_epi64_mask(live, c, _mm512_set1_epi64(j));
      acc[j] = _mm512_mask_add_pd(acc[j], m, acc[j], v);
    }
  }
#pragma GCC unroll 16
  for (int j = 0; j < K; ++j) {
    if (size_t(j) < levels) _mm512_storeu_pd(sums + j * kKmeansLanes, acc[j]);
  }
}

void kmeans_accumulate_f32_avx512(const float* x, const uint8_t* codes, size_t n, size_t levels,
                                  double* sums, uint64_t* counts) {
  // Counts are integers: any order gives the same totals. Four sub-histograms avoid the
  // store-to-load stall of runs of one code.
  uint32_t h[4][256] = {};
  size_t i = 0;
  for (; i + 4 <= n; i += 4) {
    ++h[0][codes[i]];
    ++h[1][codes[i + 1]];
    ++h[2][codes[i + 2]];
    ++h[3][codes[i + 3]];
  }
  for (; i < n; ++i) ++h[0][codes[i]];
  for (size_t j = 0; j < levels; ++j) counts[j] += uint64_t{h[0][j]} + h[1][j] + h[2][j] + h[3][j];

  if (levels <= 4) return accumulate_registers<4>(x, codes, n, levels, sums);
  if (levels <= 8) return accumulate_registers<8>(x, codes, n, levels, sums);
  if (levels <= 16) return accumulate_registers<16>(x, codes, n, levels, sums);
  // More clusters than registers: a gather / scatter round trip per 8 values loses to the scalar
  // loop, whose 8 lane slots already give 8 independent dependency chains.
  for (i = 0; i < n; ++i) sums[size_t{codes[i]} * kKmeansLanes + i % kKmeansLanes] += static_cast<double>(x[i]);
}

}  // namespace

}  // namespace quanta::avx512

namespace quanta {

void register_avx512_kmeans_kernels(KernelTable* t) {
  t->kmeans_assign_f32 = avx512::kmeans_assign_f32_avx512;
  t->kmeans_accumulate_f32 = avx512::kmeans_accumulate_f32_avx512;
  t->kmeans_isa = Isa::avx512vnni;
}

}  // namespace quanta
