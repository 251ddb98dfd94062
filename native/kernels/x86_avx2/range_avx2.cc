// The range family with AVX2: min / max scans and histograms of float32 values. Same results as
// kernels/ref/range_ref.cc bit for bit; tails and rare cases go to the reference.
#include <immintrin.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <limits>

#include "kernels/ref/quantize_ref.h"

namespace quanta::avx2 {

namespace {

constexpr size_t kRangeBlock = 4096;      // values per min/max block (multiple of 16)
constexpr size_t kRowTile = 64;           // rows per pass of the column kernel
constexpr size_t kFlush = size_t{1} << 30;  // values per sub-histogram flush (< 2^32 per counter)

inline __m256i non_finite_mask(__m256 v) {
  const __m256i exp = _mm256_set1_epi32(0x7f800000);
  return _mm256_cmpeq_epi32(_mm256_and_si256(_mm256_castps_si256(v), exp), exp);
}

inline float hmin(__m256 v) {
  __m128 m = _mm_min_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  m = _mm_min_ps(m, _mm_movehl_ps(m, m));
  m = _mm_min_ss(m, _mm_movehdup_ps(m));
  return _mm_cvtss_f32(m);
}
inline float hmax(__m256 v) {
  __m128 m = _mm_max_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  m = _mm_max_ps(m, _mm_movehl_ps(m, m));
  m = _mm_max_ss(m, _mm_movehdup_ps(m));
  return _mm_cvtss_f32(m);
}
inline uint64_t hsum_epi32(__m256i v) {
  alignas(32) uint32_t a[8];
  _mm256_store_si256(reinterpret_cast<__m256i*>(a), v);
  uint64_t s = 0;
  for (uint32_t e : a) s += e;
  return s;
}

// One vector into the running lane-wise min / max: non-finite lanes become +Inf for the min and
// -Inf for the max (no effect), and are counted (the mask is -1 per such lane).
inline void range_step(__m256 v, __m256& mn, __m256& mx, __m256i& count) {
  const __m256i nf = non_finite_mask(v);
  const __m256 nff = _mm256_castsi256_ps(nf);
  mn = _mm256_min_ps(_mm256_blendv_ps(v, _mm256_set1_ps(std::numeric_limits<float>::infinity()), nff), mn);
  mx = _mm256_max_ps(_mm256_blendv_ps(v, _mm256_set1_ps(-std::numeric_limits<float>::infinity()), nff), mx);
  count = _mm256_sub_epi32(count, nf);
}

uint64_t range_f32(const float* x, size_t n, float* min, float* max) {
  const __m256 pinf = _mm256_set1_ps(std::numeric_limits<float>::infinity());
  const __m256 ninf = _mm256_set1_ps(-std::numeric_limits<float>::infinity());
  uint64_t non_finite = 0;
  const size_t vec_end = n & ~size_t{15};
  size_t i = 0;
  while (i < vec_end) {
    const size_t end = std::min(vec_end, i + kRangeBlock);
    __m256 mn0 = pinf, mn1 = pinf, mx0 = ninf, mx1 = ninf;
    __m256i c0 = _mm256_setzero_si256(), c1 = _mm256_setzero_si256();
    for (size_t j = i; j < end; j += 16) {
      range_step(_mm256_loadu_ps(x + j), mn0, mx0, c0);
      range_step(_mm256_loadu_ps(x + j + 8), mn1, mx1, c1);
    }
    non_finite += hsum_epi32(_mm256_add_epi32(c0, c1));
    ref::range_merge_block(x + i, end - i, hmin(_mm256_min_ps(mn0, mn1)), hmax(_mm256_max_ps(mx0, mx1)),
                           min, max);
    i = end;
  }
  return non_finite + ref::range_f32(x + i, n - i, min, max);
}

// Column c's state lives in one lane, rows in order; MINPS(v, acc) returns acc on ties, so each
// lane is exactly the sequential loop (zero signs included).
uint64_t range_columns_f32(const float* x, size_t rows, size_t width, size_t stride, float* mins,
                           float* maxs) {
  const __m256 pinf = _mm256_set1_ps(std::numeric_limits<float>::infinity());
  const __m256 ninf = _mm256_set1_ps(-std::numeric_limits<float>::infinity());
  const size_t vec_width = width & ~size_t{7};
  uint64_t non_finite = 0;
  for (size_t r0 = 0; r0 < rows; r0 += kRowTile) {
    const size_t r1 = std::min(rows, r0 + kRowTile);
    __m256i count = _mm256_setzero_si256();
    for (size_t c = 0; c < vec_width; c += 8) {
      __m256 mn = _mm256_loadu_ps(mins + c), mx = _mm256_loadu_ps(maxs + c);
      for (size_t r = r0; r < r1; ++r) {
        const __m256 v = _mm256_loadu_ps(x + r * stride + c);
        const __m256i nf = non_finite_mask(v);
        const __m256 nff = _mm256_castsi256_ps(nf);
        mn = _mm256_min_ps(_mm256_blendv_ps(v, pinf, nff), mn);
        mx = _mm256_max_ps(_mm256_blendv_ps(v, ninf, nff), mx);
        count = _mm256_sub_epi32(count, nf);
      }
      _mm256_storeu_ps(mins + c, mn);
      _mm256_storeu_ps(maxs + c, mx);
    }
    non_finite += hsum_epi32(count);
    if (vec_width < width) {
      non_finite += ref::range_columns_f32(x + r0 * stride + vec_width, r1 - r0, width - vec_width, stride,
                                           mins + vec_width, maxs + vec_width);
    }
  }
  return non_finite;
}

// Bin indices of 8 values, already offset to their lane's sub-histogram; non-finite values go to
// the extra counter at index `bins` of their row.
template <bool Abs>
inline __m256i bin_index(__m256 v, __m256 lo, __m256 inv, __m256 last, __m256i nf_bin,
                         __m256i offsets) {
  const __m256i nf = non_finite_mask(v);
  if (Abs) v = _mm256_and_ps(v, _mm256_castsi256_ps(_mm256_set1_epi32(0x7fffffff)));
  const __m256 d = _mm256_sub_ps(v, lo);  // rounded
  __m256 t = _mm256_mul_ps(d, inv);       // rounded: nothing to fuse
  // t < 0 -> 0; min(bins - 1, trunc(t)) == trunc(min(t, bins - 1)) as bins - 1 is an integer.
  t = _mm256_min_ps(_mm256_max_ps(t, _mm256_setzero_ps()), last);
  const __m256i bin = _mm256_blendv_epi8(_mm256_cvttps_epi32(t), nf_bin, nf);
  return _mm256_add_epi32(bin, offsets);
}

template <bool Abs>
uint64_t histogram_run(const float* x, size_t n, float lo, float inv, uint32_t bins, uint32_t* scratch,
                       uint64_t* counts) {
  const size_t stride = size_t{bins} + 1;
  const __m256 vlo = _mm256_set1_ps(lo), vinv = _mm256_set1_ps(inv);
  const __m256 last = _mm256_set1_ps(static_cast<float>(bins - 1));
  const __m256i nf_bin = _mm256_set1_epi32(static_cast<int32_t>(bins));
  // Lane j counts into sub-histogram j % subs.
  const size_t subs = ref::histogram_subs_used(bins);
  alignas(32) int32_t lane_offsets[8];
  for (size_t j = 0; j < 8; ++j) lane_offsets[j] = static_cast<int32_t>((j % subs) * stride);
  const __m256i offsets = _mm256_load_si256(reinterpret_cast<const __m256i*>(lane_offsets));
  uint64_t non_finite = 0;
  const size_t vec_end = n & ~size_t{15};
  size_t i = 0;
  while (i < vec_end) {
    const size_t end = std::min(vec_end, i + kFlush);
    std::memset(scratch, 0, histogram_scratch_size(bins) * sizeof(uint32_t));
    alignas(32) int32_t idx[16];
    for (; i < end; i += 16) {
      _mm256_store_si256(reinterpret_cast<__m256i*>(idx),
                         bin_index<Abs>(_mm256_loadu_ps(x + i), vlo, vinv, last, nf_bin, offsets));
      _mm256_store_si256(reinterpret_cast<__m256i*>(idx + 8),
                         bin_index<Abs>(_mm256_loadu_ps(x + i + 8), vlo, vinv, last, nf_bin, offsets));
#pragma GCC unroll 16
      for (int k = 0; k < 16; ++k) ++scratch[idx[k]];
    }
    non_finite += ref::histogram_flush(scratch, bins, counts);
  }
  return non_finite + ref::histogram_f32(x + i, n - i, lo, inv, bins, Abs, scratch, counts);
}

uint64_t histogram_f32(const float* x, size_t n, float lo, float inv, uint32_t bins, bool abs_mode,
                       uint32_t* scratch, uint64_t* counts) {
  // Clearing and flushing the sub-histograms costs about as much as `bins` values.
  if (n < 64 || n < bins) return ref::histogram_f32(x, n, lo, inv, bins, abs_mode, scratch, counts);
  return abs_mode ? histogram_run<true>(x, n, lo, inv, bins, scratch, counts)
                  : histogram_run<false>(x, n, lo, inv, bins, scratch, counts);
}

}  // namespace

void register_range_kernels(KernelTable* t) {
  t->range_f32 = range_f32;
  t->range_columns_f32 = range_columns_f32;
  t->histogram_f32 = histogram_f32;
  t->range_isa = Isa::avx2;
}

}  // namespace quanta::avx2
