// The range family with NEON: min / max scans and histograms of float32 values. Same results as
// kernels/ref/range_ref.cc bit for bit; tails and rare cases go to the reference. FMIN/FMAX
// order -0 below +0 and propagate NaN, so the column kernel selects with compares instead.
#include <arm_neon.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <limits>

#include "kernels/ref/quantize_ref.h"

namespace quanta::neon {

namespace {

constexpr size_t kRangeBlock = 4096;        // values per min/max block (multiple of 16)
constexpr size_t kRowTile = 64;             // rows per pass of the column kernel
constexpr size_t kFlush = size_t{1} << 30;  // values per sub-histogram flush (< 2^32 per counter)

inline uint32x4_t non_finite_mask(float32x4_t v) {
  const uint32x4_t exp = vdupq_n_u32(0x7f800000u);
  return vceqq_u32(vandq_u32(vreinterpretq_u32_f32(v), exp), exp);
}

struct MinMax {
  float32x4_t mn, mx;
  uint32x4_t count;
  // Non-finite lanes become +Inf for the min and -Inf for the max (no effect) and are counted.
  void step(float32x4_t v, float32x4_t pinf, float32x4_t ninf) {
    const uint32x4_t nf = non_finite_mask(v);
    mn = vminq_f32(mn, vbslq_f32(nf, pinf, v));
    mx = vmaxq_f32(mx, vbslq_f32(nf, ninf, v));
    count = vsubq_u32(count, nf);
  }
};

uint64_t range_f32(const float* x, size_t n, float* min, float* max) {
  const float32x4_t pinf = vdupq_n_f32(std::numeric_limits<float>::infinity());
  const float32x4_t ninf = vdupq_n_f32(-std::numeric_limits<float>::infinity());
  uint64_t non_finite = 0;
  const size_t vec_end = n & ~size_t{15};
  size_t i = 0;
  while (i < vec_end) {
    const size_t end = std::min(vec_end, i + kRangeBlock);
    MinMax a{pinf, ninf, vdupq_n_u32(0)}, b = a, c = a, d = a;
    for (size_t j = i; j < end; j += 16) {
      a.step(vld1q_f32(x + j), pinf, ninf);
      b.step(vld1q_f32(x + j + 4), pinf, ninf);
      c.step(vld1q_f32(x + j + 8), pinf, ninf);
      d.step(vld1q_f32(x + j + 12), pinf, ninf);
    }
    const uint32x4_t cnt = vaddq_u32(vaddq_u32(a.count, b.count), vaddq_u32(c.count, d.count));
    non_finite += vaddvq_u32(cnt);
    const float bmin = vminvq_f32(vminq_f32(vminq_f32(a.mn, b.mn), vminq_f32(c.mn, d.mn)));
    const float bmax = vmaxvq_f32(vmaxq_f32(vmaxq_f32(a.mx, b.mx), vmaxq_f32(c.mx, d.mx)));
    ref::range_merge_block(x + i, end - i, bmin, bmax, min, max);
    i = end;
  }
  return non_finite + ref::range_f32(x + i, n - i, min, max);
}

// Column c's state lives in one lane, rows in order; a strict compare and select per lane is
// exactly the sequential loop (ties keep the earlier value, zero signs included).
uint64_t range_columns_f32(const float* x, size_t rows, size_t width, size_t stride, float* mins,
                           float* maxs) {
  const size_t vec_width = width & ~size_t{3};
  uint64_t non_finite = 0;
  for (size_t r0 = 0; r0 < rows; r0 += kRowTile) {
    const size_t r1 = std::min(rows, r0 + kRowTile);
    uint32x4_t count = vdupq_n_u32(0);
    for (size_t c = 0; c < vec_width; c += 4) {
      float32x4_t mn = vld1q_f32(mins + c), mx = vld1q_f32(maxs + c);
      for (size_t r = r0; r < r1; ++r) {
        const float32x4_t v = vld1q_f32(x + r * stride + c);
        const uint32x4_t nf = non_finite_mask(v);
        // NaN compares false; +-Inf are excluded by the mask.
        mn = vbslq_f32(vbicq_u32(vcltq_f32(v, mn), nf), v, mn);
        mx = vbslq_f32(vbicq_u32(vcgtq_f32(v, mx), nf), v, mx);
        count = vsubq_u32(count, nf);
      }
      vst1q_f32(mins + c, mn);
      vst1q_f32(maxs + c, mx);
    }
    non_finite += vaddvq_u32(count);
    if (vec_width < width) {
      non_finite += ref::range_columns_f32(x + r0 * stride + vec_width, r1 - r0, width - vec_width, stride,
                                           mins + vec_width, maxs + vec_width);
    }
  }
  return non_finite;
}

template <bool Abs>
uint64_t histogram_run(const float* x, size_t n, float lo, float inv, uint32_t bins, uint32_t* scratch,
                       uint64_t* counts) {
  const size_t stride = size_t{bins} + 1;
  const float32x4_t vlo = vdupq_n_f32(lo), vinv = vdupq_n_f32(inv);
  const float32x4_t last = vdupq_n_f32(static_cast<float>(bins - 1));
  const float32x4_t zero = vdupq_n_f32(0.0f);
  const uint32x4_t nf_bin = vdupq_n_u32(bins);
  // Element i counts into sub-histogram i % subs (vectors alternate between the two offsets).
  const size_t subs = ref::histogram_subs_used(bins);
  uint32_t lane_offsets[8];
  for (size_t j = 0; j < 8; ++j) lane_offsets[j] = static_cast<uint32_t>((j % subs) * stride);
  const uint32x4_t offsets_lo = vld1q_u32(lane_offsets), offsets_hi = vld1q_u32(lane_offsets + 4);
  auto index = [&](float32x4_t v, uint32x4_t offsets) {
    const uint32x4_t nf = non_finite_mask(v);
    if (Abs) v = vabsq_f32(v);
    const float32x4_t d = vsubq_f32(v, vlo);  // rounded
    float32x4_t t = vmulq_f32(d, vinv);       // rounded: nothing to fuse
    t = vminq_f32(vmaxq_f32(t, zero), last);  // NaN lanes are non-finite inputs, replaced below
    const uint32x4_t bin = vbslq_u32(nf, nf_bin, vcvtq_u32_f32(t));
    return vaddq_u32(bin, offsets);
  };
  uint64_t non_finite = 0;
  const size_t vec_end = n & ~size_t{15};
  size_t i = 0;
  while (i < vec_end) {
    const size_t end = std::min(vec_end, i + kFlush);
    std::memset(scratch, 0, histogram_scratch_size(bins) * sizeof(uint32_t));
    uint32_t idx[16];
    for (; i < end; i += 16) {
      vst1q_u32(idx, index(vld1q_f32(x + i), offsets_lo));
      vst1q_u32(idx + 4, index(vld1q_f32(x + i + 4), offsets_hi));
      vst1q_u32(idx + 8, index(vld1q_f32(x + i + 8), offsets_lo));
      vst1q_u32(idx + 12, index(vld1q_f32(x + i + 12), offsets_hi));
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
  t->range_isa = Isa::neon;
}

}  // namespace quanta::neon
