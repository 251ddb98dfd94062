// Codebook quantization: a k-means codebook of up to 256 levels per unit (the whole tensor, one
// index of an axis, or one group along an axis; the units of an AxisView's scale layout), fitted
// with Lloyd's algorithm on the kmeans kernels, and the lookup that reads codes back.
//
// Determinism: everything but the two hot steps runs here, in code compiled once without ISA
// flags, and the hot steps are bit-identical on every path; a unit is always fitted whole by one
// thread. So the codebooks and codes never depend on the ISA or the thread count.
#pragma once

#include <cstddef>
#include <cstdint>

#include "quanta/kernels.h"
#include "runtime/linear_ops.h"

namespace quanta {

struct KmeansOptions {
  size_t levels = 16;     // 1..256
  size_t iterations = 25; // Lloyd iterations at most (it stops early once nothing moves)
};

// x: v.size() finite floats. codebooks: v.scale_count() * levels floats, each unit's levels in
// ascending order. codes: v.size() bytes, codes[i] < levels.
void codebook_fit(const KernelTable& k, const AxisView& v, const float* x, const KmeansOptions& o,
                  float* codebooks, uint8_t* codes);

// The k-means fit of one unit of n values (n may be 0). Exposed for the tests.
void kmeans_fit_1d(const KernelTable& k, const float* x, size_t n, const KmeansOptions& o,
                   float* centroids, uint8_t* codes);

// y[i] = codebooks[unit(i) * levels + codes[i]]; every code must be < levels.
void codebook_lookup(const AxisView& v, const uint8_t* codes, const float* codebooks, size_t levels,
                     float* y);

}  // namespace quanta
