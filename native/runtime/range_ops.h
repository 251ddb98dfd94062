// The range operations behind lib/calibrate/range-kernels.ts: min / max of a tensor, per channel,
// and histograms, split across the thread pool.
//
// Determinism: each part of a split computes the exact result of the sequential loop over its
// values, and parts are merged in index order with the same strict comparisons (min / max) or
// integer sums (counts), which gives the sequential loop's result over the whole input. So results
// never depend on the ISA, the number of parts or the thread count.
#pragma once

#include <cstddef>
#include <cstdint>

#include "quanta/kernels.h"

namespace quanta {

// Min / max of the finite values of x continuing *min / *max (the sequential loop's semantics,
// see RangeF32Fn); returns the count of non-finite values.
uint64_t range_of(const KernelTable& k, const float* x, size_t n, float* min, float* max);

// x viewed as [outer, axis, inner]; channel a covers every (o, a, i), visited in that order.
// mins / maxs (axis entries, doubles) are updated in place. Returns the non-finite count.
uint64_t range_per_channel(const KernelTable& k, const float* x, size_t outer, size_t axis, size_t inner,
                           double* mins, double* maxs);

// Adds the histogram of x (see HistogramF32Fn) to counts (bins doubles, exact integers below
// 2^53). 1 <= bins <= kHistogramMaxBins. Returns the non-finite count.
uint64_t histogram(const KernelTable& k, const float* x, size_t n, float lo, float inv, uint32_t bins,
                   bool abs_mode, double* counts);

}  // namespace quanta
