#include "runtime/range_ops.h"

#include <algorithm>
#include <cstring>
#include <limits>
#include <vector>

#include "runtime/thread_pool.h"

namespace quanta {

namespace {

// Below this many values per part, waking another thread costs more than it saves.
constexpr size_t kMinPart = size_t{1} << 18;
constexpr float kInf = std::numeric_limits<float>::infinity();

// How many parts `values` values spread over `units` indivisible units are split into.
size_t part_count(size_t values, size_t units) {
  const size_t by_size = std::max<size_t>(1, values / kMinPart);
  const size_t threads = static_cast<size_t>(std::max(1, num_threads()));
  return std::max<size_t>(1, std::min({threads, by_size, units}));
}

// Units [begin, end) of part p of `parts` over `units`.
inline size_t part_begin(size_t p, size_t parts, size_t units) { return units / parts * p + std::min(p, units % parts); }

// Scratch reused by each thread across calls: fresh pages are expensive on our machines.
uint32_t* thread_scratch(size_t count) {
  thread_local std::vector<uint32_t> scratch;
  if (scratch.size() < count) scratch.resize(count);
  return scratch.data();
}

}  // namespace

uint64_t range_of(const KernelTable& k, const float* x, size_t n, float* min, float* max) {
  const size_t parts = part_count(n, n);
  if (parts <= 1) return k.range_f32(x, n, min, max);
  std::vector<float> mins(parts, kInf), maxs(parts, -kInf);
  std::vector<uint64_t> non_finite(parts, 0);
  parallel_for(parts, 1, [&](size_t b, size_t e) {
    for (size_t p = b; p < e; ++p) {
      const size_t lo = part_begin(p, parts, n), hi = part_begin(p + 1, parts, n);
      non_finite[p] = k.range_f32(x + lo, hi - lo, &mins[p], &maxs[p]);
    }
  });
  uint64_t total = 0;
  for (size_t p = 0; p < parts; ++p) {  // in order: ties keep the earlier part's value
    if (mins[p] < *min) *min = mins[p];
    if (maxs[p] > *max) *max = maxs[p];
    total += non_finite[p];
  }
  return total;
}

uint64_t range_per_channel(const KernelTable& k, const float* x, size_t outer, size_t axis, size_t inner,
                           double* mins, double* maxs) {
  const size_t n = outer * axis * inner;
  if (n == 0) return 0;
  // Units: one row of `axis` values (inner == 1, the column kernel) or one run (o, a) of `inner`.
  const size_t units = inner == 1 ? outer : outer * axis;
  const size_t parts = part_count(n, units);
  std::vector<float> fmins(parts * axis, kInf), fmaxs(parts * axis, -kInf);
  std::vector<uint64_t> non_finite(parts, 0);
  auto run_part = [&](size_t p) {
    const size_t u0 = part_begin(p, parts, units), u1 = part_begin(p + 1, parts, units);
    float* pmin = &fmins[p * axis];
    float* pmax = &fmaxs[p * axis];
    if (inner == 1) {
      non_finite[p] = k.range_columns_f32(x + u0 * axis, u1 - u0, axis, axis, pmin, pmax);
      return;
    }
    uint64_t nf = 0;
    for (size_t u = u0; u < u1; ++u) {
      const size_t a = u % axis;
      nf += k.range_f32(x + u * inner, inner, &pmin[a], &pmax[a]);
    }
    non_finite[p] = nf;
  };
  if (parts == 1) {
    run_part(0);
  } else {
    parallel_for(parts, 1, [&](size_t b, size_t e) {
      for (size_t p = b; p < e; ++p) run_part(p);
    });
  }
  // Fold parts in order into the caller's double state with the loop's strict comparisons.
  uint64_t total = 0;
  for (size_t p = 0; p < parts; ++p) {
    for (size_t a = 0; a < axis; ++a) {
      const double lo = fmins[p * axis + a], hi = fmaxs[p * axis + a];
      if (lo < mins[a]) mins[a] = lo;
      if (hi > maxs[a]) maxs[a] = hi;
    }
    total += non_finite[p];
  }
  return total;
}

uint64_t histogram(const KernelTable& k, const float* x, size_t n, float lo, float inv, uint32_t bins,
                   bool abs_mode, double* counts) {
  const size_t parts = part_count(n, n);
  thread_local std::vector<uint64_t> partial;
  partial.assign(parts * bins, 0);
  std::vector<uint64_t> non_finite(parts, 0);
  uint64_t* part_counts = partial.data();
  auto run_part = [&](size_t p) {
    const size_t b = part_begin(p, parts, n), e = part_begin(p + 1, parts, n);
    uint32_t* scratch = thread_scratch(histogram_scratch_size(bins));
    non_finite[p] = k.histogram_f32(x + b, e - b, lo, inv, bins, abs_mode, scratch, part_counts + p * bins);
  };
  if (parts == 1) {
    run_part(0);
  } else {
    parallel_for(parts, 1, [&](size_t b, size_t e) {
      for (size_t p = b; p < e; ++p) run_part(p);
    });
  }
  uint64_t total = 0;
  for (size_t b = 0; b < bins; ++b) {
    uint64_t sum = 0;
    for (size_t p = 0; p < parts; ++p) sum += part_counts[p * bins + b];
    counts[b] += static_cast<double>(sum);
  }
  for (uint64_t v : non_finite) total += v;
  return total;
}

}  // namespace quanta
