// The range family's reference: min / max scans and histograms of float32 values, exactly as
// lib/calibrate/range-kernels.ts specifies them.
#include <cmath>
#include <cstdint>

#include "kernels/ref/quantize_ref.h"

namespace quanta::ref {

namespace {

// NaN and +-Inf: the exponent bits all set (the TS spec's `v - v !== 0`).
inline bool finite(float v) { return std::isfinite(v); }

}  // namespace

uint64_t range_f32(const float* x, size_t n, float* min, float* max) {
  uint64_t non_finite = 0;
  float lo = *min, hi = *max;
  for (size_t i = 0; i < n; ++i) {
    const float v = x[i];
    if (!finite(v)) {
      ++non_finite;
      continue;
    }
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  *min = lo;
  *max = hi;
  return non_finite;
}

uint64_t range_columns_f32(const float* x, size_t rows, size_t width, size_t stride, float* mins,
                           float* maxs) {
  uint64_t non_finite = 0;
  for (size_t r = 0; r < rows; ++r) {
    const float* row = x + r * stride;
    for (size_t c = 0; c < width; ++c) {
      const float v = row[c];
      if (!finite(v)) {
        ++non_finite;
        continue;
      }
      if (v < mins[c]) mins[c] = v;
      if (v > maxs[c]) maxs[c] = v;
    }
  }
  return non_finite;
}

uint64_t histogram_f32(const float* x, size_t n, float lo, float inv, uint32_t bins, bool abs_mode,
                       uint32_t* /*scratch*/, uint64_t* counts) {
  uint64_t non_finite = 0;
  const float last = static_cast<float>(bins - 1);  // exact: bins <= 2^24
  for (size_t i = 0; i < n; ++i) {
    float v = x[i];
    if (!finite(v)) {
      ++non_finite;
      continue;
    }
    if (abs_mode) v = std::fabs(v);
    // Two statements, two roundings. (A multiply after a subtract has nothing to fuse anyway.)
    const float d = v - lo;
    const float t = d * inv;
    uint32_t bin;
    if (t < 0.0f) {
      bin = 0;
    } else {
      const float w = std::trunc(t);
      bin = w >= last ? bins - 1 : static_cast<uint32_t>(w);
    }
    ++counts[bin];
  }
  return non_finite;
}

void range_merge_block(const float* x, size_t n, float block_min, float block_max, float* min,
                       float* max) {
  if (block_min < *min) {
    if (block_min == 0.0f) {
      for (size_t i = 0; i < n; ++i) {
        if (x[i] == 0.0f) {
          block_min = x[i];
          break;
        }
      }
    }
    *min = block_min;
  }
  if (block_max > *max) {
    if (block_max == 0.0f) {
      for (size_t i = 0; i < n; ++i) {
        if (x[i] == 0.0f) {
          block_max = x[i];
          break;
        }
      }
    }
    *max = block_max;
  }
}

uint64_t histogram_flush(const uint32_t* scratch, uint32_t bins, uint64_t* counts) {
  const size_t stride = size_t{bins} + 1;
  for (size_t b = 0; b < bins; ++b) {
    uint64_t sum = 0;
    for (size_t s = 0; s < kHistogramSubs; ++s) sum += scratch[s * stride + b];
    counts[b] += sum;
  }
  uint64_t non_finite = 0;
  for (size_t s = 0; s < kHistogramSubs; ++s) non_finite += scratch[s * stride + bins];
  return non_finite;
}

}  // namespace quanta::ref
