// Reference kmeans kernels (codebook quantization): the specification of the family.
//
// Assignment is a lower-bound search over sorted decision boundaries (comparisons only);
// accumulation adds each value in double to the slot of its cluster and lane i % kKmeansLanes,
// in index order. Optimized paths must reproduce both exactly.
#include "kernels/ref/quantize_ref.h"

namespace quanta::ref {

void kmeans_assign_f32(const float* x, size_t n, const float* bounds, unsigned bounds_log2,
                       uint8_t* codes) {
  for (size_t i = 0; i < n; ++i) {
    const float v = x[i];
    // Branchless lower bound over 2^L - 1 sorted entries: after the loop `pos` is the number of
    // entries below v (the +inf padding is never below a finite or infinite v).
    unsigned pos = 0;
    for (unsigned step = (1u << bounds_log2) >> 1; step != 0; step >>= 1) {
      if (bounds[pos + step - 1] < v) pos += step;
    }
    codes[i] = static_cast<uint8_t>(pos);
  }
}

void kmeans_accumulate_f32(const float* x, const uint8_t* codes, size_t n, size_t /*levels*/,
                           double* sums, uint64_t* counts) {
  for (size_t i = 0; i < n; ++i) {
    sums[size_t{codes[i]} * kKmeansLanes + i % kKmeansLanes] += static_cast<double>(x[i]);
    counts[codes[i]] += 1;
  }
}

}  // namespace quanta::ref
