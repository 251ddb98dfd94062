// The range family with AVX-512 (F, DQ): min / max scans and histograms of float32 values. Same
// results as kernels/ref/range_ref.cc bit for bit; tails and rare cases go to the reference.
#include <immintrin.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <limits>

#include "kernels/ref/quantize_ref.h"

namespace quanta::avx512 {

namespace {

constexpr size_t kRangeBlock = 4096;        // values per min/max block (multiple of 32)
constexpr size_t kRowTile = 64;             // rows per pass of the column kernel
constexpr size_t kFlush = size_t{1} << 30;  // values per sub-histogram flush (< 2^32 per counter)

// QNaN | +Inf | -Inf | SNaN
inline __mmask16 non_finite_mask(__m512 v) { return _mm512_fpclass_ps_mask(v, 0x01 | 0x08 | 0x10 | 0x80); }

uint64_t range_f32(const float* x, size_t n, float* min, float* max) {
  const __m512 pinf = _mm512_set1_ps(std::numeric_limits<float>::infinity());
  const __m512 ninf = _mm512_set1_ps(-std::numeric_limits<float>::infinity());
  uint64_t non_finite = 0;
  const size_t vec_end = n & ~size_t{31};
  size_t i = 0;
  while (i < vec_end) {
    const size_t end = std::min(vec_end, i + kRangeBlock);
    __m512 mn0 = pinf, mn1 = pinf, mx0 = ninf, mx1 = ninf;
    for (size_t j = i; j < end; j += 32) {
      const __m512 a = _mm512_loadu_ps(x + j), b = _mm512_loadu_ps(x + j + 16);
      const __mmask16 fa = non_finite_mask(a), fb = non_finite_mask(b);
      // Finite lanes only (merge-masking keeps the accumulator elsewhere).
      mn0 = _mm512_mask_min_ps(mn0, static_cast<__mmask16>(~fa), a, mn0);
      mx0 = _mm512_mask_max_ps(mx0, static_cast<__mmask16>(~fa), a, mx0);
      mn1 = _mm512_mask_min_ps(mn1, static_cast<__mmask16>(~fb), b, mn1);
      mx1 = _mm512_mask_max_ps(mx1, static_cast<__mmask16>(~fb), b, mx1);
      non_finite += static_cast<uint64_t>(__builtin_popcount(fa) + __builtin_popcount(fb));
    }
    ref::range_merge_block(x + i, end - i, _mm512_reduce_min_ps(_mm512_min_ps(mn0, mn1)),
                           _mm512_reduce_max_ps(_mm512_max_ps(mx0, mx1)), min, max);
    i = end;
  }
  return non_finite + ref::range_f32(x + i, n - i, min, max);
}

// Column c's state lives in one lane, rows in order; VMINPS(v, acc) returns acc on ties, so each
// lane is exactly the sequential loop (zero signs included). Column tails use masked loads.
uint64_t range_columns_f32(const float* x, size_t rows, size_t width, size_t stride, float* mins,
                           float* maxs) {
  uint64_t non_finite = 0;
  for (size_t r0 = 0; r0 < rows; r0 += kRowTile) {
    const size_t r1 = std::min(rows, r0 + kRowTile);
    for (size_t c = 0; c < width; c += 16) {
      const __mmask16 cols = width - c >= 16 ? static_cast<__mmask16>(0xffff)
                                             : static_cast<__mmask16>((1u << (width - c)) - 1u);
      __m512 mn = _mm512_maskz_loadu_ps(cols, mins + c), mx = _mm512_maskz_loadu_ps(cols, maxs + c);
      for (size_t r = r0; r < r1; ++r) {
        const __m512 v = _mm512_maskz_loadu_ps(cols, x + r * stride + c);
        const __mmask16 nf = non_finite_mask(v) & cols;
        const __mmask16 fin = static_cast<__mmask16>(~nf & cols);
        mn = _mm512_mask_min_ps(mn, fin, v, mn);
        mx = _mm512_mask_max_ps(mx, fin, v, mx);
        non_finite += static_cast<uint64_t>(__builtin_popcount(nf));
      }
      _mm512_mask_storeu_ps(mins + c, cols, mn);
      _mm512_mask_storeu_ps(maxs + c, cols, mx);
    }
  }
  return non_finite;
}

template <bool Abs>
uint64_t histogram_run(const float* x, size_t n, float lo, float inv, uint32_t bins, uint32_t* scratch,
                       uint64_t* counts) {
  const size_t stride = size_t{bins} + 1;
  const __m512 vlo = _mm512_set1_ps(lo), vinv = _mm512_set1_ps(inv);
  const __m512 last = _mm512_set1_ps(static_cast<float>(bins - 1));
  const __m512 zero = _mm512_setzero_ps();
  const __m512i nf_bin = _mm512_set1_epi32(static_cast<int32_t>(bins));
  // Lane j counts into sub-histogram j % subs.
  const size_t subs = ref::histogram_subs_used(bins);
  alignas(64) int32_t lane_offsets[16];
  for (size_t j = 0; j < 16; ++j) lane_offsets[j] = static_cast<int32_t>((j % subs) * stride);
  const __m512i offsets = _mm512_load_si512(lane_offsets);
  auto index = [&](__m512 v) {
    const __mmask16 nf = non_finite_mask(v);
    if (Abs) v = _mm512_abs_ps(v);
    const __m512 d = _mm512_sub_ps(v, vlo);  // rounded
    __m512 t = _mm512_mul_ps(d, vinv);       // rounded: nothing to fuse
    t = _mm512_min_ps(_mm512_max_ps(t, zero), last);
    const __m512i bin = _mm512_mask_mov_epi32(_mm512_cvttps_epi32(t), nf, nf_bin);
    return _mm512_add_epi32(bin, offsets);
  };
  uint64_t non_finite = 0;
  const size_t vec_end = n & ~size_t{31};
  size_t i = 0;
  while (i < vec_end) {
    const size_t end = std::min(vec_end, i + kFlush);
    std::memset(scratch, 0, histogram_scratch_size(bins) * sizeof(uint32_t));
    alignas(64) int32_t idx[32];
    for (; i < end; i += 32) {
      _mm512_store_si512(idx, index(_mm512_loadu_ps(x + i)));
      _mm512_store_si512(idx + 16, index(_mm512_loadu_ps(x + i + 16)));
#pragma GCC unroll 32
      for (int k = 0; k < 32; ++k) ++scratch[idx[k]];
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
  t->range_isa = Isa::avx512vnni;
}

}  // namespace quanta::avx512
