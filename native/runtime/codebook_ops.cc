#include "runtime/codebook_ops.h"

#include <algorithm>
#include <cmath>
#include <iterator>
#include <limits>
#include <vector>

#include "runtime/thread_pool.h"

namespace quanta {

namespace {

// A unit's values are `rows` runs of `run` contiguous elements, run r starting at
// base + r * stride, taken in that order (the order the sums see them in).
struct UnitRuns {
  size_t base = 0, rows = 0, run = 0, stride = 0;
  size_t size() const { return rows * run; }
  bool contiguous() const { return rows <= 1 || run == stride; }
};

UnitRuns unit_runs(const AxisView& v, size_t u) {
  switch (v.layout) {
    case ScaleLayout::per_tensor: return {0, 1, v.size(), 0};
    case ScaleLayout::per_axis: return {u * v.inner, v.outer, v.inner, v.axis * v.inner};
    case ScaleLayout::blocked: {
      const size_t blocks = (v.axis + v.block - 1) / v.block;
      const size_t i = u % v.inner, ob = u / v.inner;
      const size_t blk = ob % blocks, o = ob / blocks;
      const size_t a0 = blk * v.block;
      const size_t len = std::min(v.block, v.axis - a0);
      return {(o * v.axis + a0) * v.inner + i, len, 1, v.inner};
    }
  }
  return {};
}

// The decision boundary between sorted centroids a <= b is their midpoint, computed in double
// and stored as the largest float not above it: for every float x, x > stored <=> x > midpoint.
float boundary(float a, float b) {
  const double m = (static_cast<double>(a) + static_cast<double>(b)) * 0.5;
  float f = static_cast<float>(m);
  if (static_cast<double>(f) > m) f = std::nextafter(f, -std::numeric_limits<float>::infinity());
  return f;
}

void make_bounds(const std::vector<float>& c, std::vector<float>& bounds) {
  std::fill(bounds.begin(), bounds.end(), std::numeric_limits<float>::infinity());
  for (size_t j = 0; j + 1 < c.size(); ++j) bounds[j] = boundary(c[j], c[j + 1]);
}

// Deterministic initialisation (no random numbers): the levels mid-quantiles of the sorted data,
// sorted[floor((2j + 1) n / (2 levels))]. Where repeated values make some of them equal, the
// missing levels are filled with distinct data values not chosen yet, evenly spaced through
// that list. The result is `levels` distinct values in ascending order.
std::vector<float> init_centroids(const std::vector<float>& sorted, const std::vector<float>& distinct,
                                  size_t levels) {
  const size_t n = sorted.size();
  std::vector<float> pick;
  pick.reserve(levels);
  for (size_t j = 0; j < levels; ++j) {
    const float v = sorted[((2 * j + 1) * n) / (2 * levels)];
    if (pick.empty() || v != pick.back()) pick.push_back(v);
  }
  if (pick.size() < levels) {
    std::vector<float> rest;
    std::set_difference(distinct.begin(), distinct.end(), pick.begin(), pick.end(), std::back_inserter(rest));
    const size_t r = levels - pick.size();  // rest.size() >= r since distinct.size() > levels
    for (size_t t = 0; t < r; ++t) pick.push_back(rest[((2 * t + 1) * rest.size()) / (2 * r)]);
    std::sort(pick.begin(), pick.end());
  }
  return pick;
}

}  // namespace

void kmeans_fit_1d(const KernelTable& k, const float* x, size_t n, const KmeansOptions& o,
                   float* centroids, uint8_t* codes) {
  const size_t levels = o.levels;
  if (n == 0) {
    std::fill(centroids, centroids + levels, 0.0f);
    return;
  }
  std::vector<float> sorted(x, x + n);
  std::sort(sorted.begin(), sorted.end());
  std::vector<float> distinct;
  for (float v : sorted) {
    if (distinct.empty() || v != distinct.back()) distinct.push_back(v);
  }

  std::vector<float> c;
  const bool exact = distinct.size() <= levels;
  if (exact) {
    // Every value gets its own level; the spare levels repeat the largest value and stay unused.
    c = distinct;
    c.resize(levels, distinct.back());
  } else {
    c = init_centroids(sorted, distinct, levels);
  }

  unsigned log2 = 0;
  while ((size_t{1} << log2) < levels) ++log2;
  std::vector<float> bounds((size_t{1} << log2) - 1);
  std::vector<double> sums(levels * kKmeansLanes);
  std::vector<uint64_t> counts(levels);
  std::vector<float> next(levels);

  for (size_t it = 0; !exact && it < o.iterations; ++it) {
    make_bounds(c, bounds);
    k.kmeans_assign_f32(x, n, bounds.data(), log2, codes);
    std::fill(sums.begin(), sums.end(), 0.0);
    std::fill(counts.begin(), counts.end(), 0);
    k.kmeans_accumulate_f32(x, codes, n, levels, sums.data(), counts.data());
    for (size_t j = 0; j < levels; ++j) {
      if (counts[j] == 0) {
        next[j] = c[j];  // an empty cluster keeps its centroid
        continue;
      }
      const double* s = &sums[j * kKmeansLanes];
      const double total = ((s[0] + s[1]) + (s[2] + s[3])) + ((s[4] + s[5]) + (s[6] + s[7]));
      next[j] = static_cast<float>(total / static_cast<double>(counts[j]));
    }
    // Means of adjacent intervals stay ordered; sorting only guards the rounding corner cases,
    // so the boundaries are always non-decreasing.
    std::sort(next.begin(), next.end());
    if (next == c) break;
    c.swap(next);
  }
  make_bounds(c, bounds);
  k.kmeans_assign_f32(x, n, bounds.data(), log2, codes);
  std::copy(c.begin(), c.end(), centroids);
}

void codebook_fit(const KernelTable& k, const AxisView& v, const float* x, const KmeansOptions& o,
                  float* codebooks, uint8_t* codes) {
  const size_t units = v.scale_count();
  if (units == 0) return;
  const size_t per_unit = v.size() / units;
  parallel_for(units, (size_t{1} << 16) / (per_unit + 1) + 1, [&](size_t b, size_t e) {
    std::vector<float> xs;
    std::vector<uint8_t> cs;
    for (size_t u = b; u < e; ++u) {
      const UnitRuns r = unit_runs(v, u);
      float* cb = codebooks + u * o.levels;
      if (r.contiguous()) {
        kmeans_fit_1d(k, x + r.base, r.size(), o, cb, codes + r.base);
        continue;
      }
      xs.resize(r.size());
      cs.resize(r.size());
      for (size_t row = 0; row < r.rows; ++row) {
        std::copy_n(x + r.base + row * r.stride, r.run, xs.data() + row * r.run);
      }
      kmeans_fit_1d(k, xs.data(), xs.size(), o, cb, cs.data());
      for (size_t row = 0; row < r.rows; ++row) {
        std::copy_n(cs.data() + row * r.run, r.run, codes + r.base + row * r.stride);
      }
    }
  });
}

void codebook_lookup(const AxisView& v, const uint8_t* codes, const float* codebooks, size_t levels,
                     float* y) {
  const size_t units = v.scale_count();
  if (units == 0) return;
  if (v.layout == ScaleLayout::per_tensor) {
    parallel_for(v.size(), size_t{1} << 18, [&](size_t b, size_t e) {
      for (size_t i = b; i < e; ++i) y[i] = codebooks[codes[i]];
    });
    return;
  }
  const size_t per_unit = v.size() / units;
  parallel_for(units, (size_t{1} << 18) / (per_unit + 1) + 1, [&](size_t b, size_t e) {
    for (size_t u = b; u < e; ++u) {
      const UnitRuns r = unit_runs(v, u);
      const float* cb = codebooks + u * levels;
      for (size_t row = 0; row < r.rows; ++row) {
        const size_t start = r.base + row * r.stride;
        for (size_t i = start; i < start + r.run; ++i) y[i] = cb[codes[i]];
      }
    }
  });
}

}  // namespace quanta
