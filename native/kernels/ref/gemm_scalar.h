// The last steps of one GEMM output element, shared by the reference block kernel and by the
// scalar tails of the optimized ones, so every path finishes an element the same way: add the
// running sum (later K slices) and the zero-point terms (last slice), all modulo 2^32, then write
// the epilogue.
#pragma once

#include <cmath>
#include <cstring>

#include "kernels/ref/scalar.h"
#include "quanta/gemm.h"

namespace quanta::scalar {

// `sum` is this slice's sum of products for (row, col) of the block, wrapped to 32 bits.
inline void gemm_finish(const GemmBlock& g, size_t row, size_t col, int32_t sum) {
  uint32_t v = static_cast<uint32_t>(sum);
  char* slot = g.acc == nullptr ? nullptr : static_cast<char*>(g.acc) + (row * g.ldc + col) * 4;
  if (!g.first) {
    int32_t prev;
    std::memcpy(&prev, slot, 4);
    v += static_cast<uint32_t>(prev);
  }
  if (g.last && g.ra != nullptr) v += static_cast<uint32_t>(g.colsum[col]) * static_cast<uint32_t>(g.ra[row]);
  if (g.last && g.nzb != nullptr) v += static_cast<uint32_t>(g.nzb[col]) * static_cast<uint32_t>(g.rb[row]);
  const bool requant = g.kind == GemmEpilogueKind::u8 || g.kind == GemmEpilogueKind::s8;
  if (g.last && requant && g.col_add != nullptr) v += static_cast<uint32_t>(g.col_add[col]);
  const int32_t s = static_cast<int32_t>(v);
  if (g.last && requant) {
    const int32_t q = requantize(s, g.multiplier[col], g.out_zp, QuantRange{g.qmin, g.qmax});
    static_cast<uint8_t*>(g.out)[row * g.ldo + col] = static_cast<uint8_t>(q);
  } else if (g.last && g.kind == GemmEpilogueKind::f32) {
    // One rounding (fmaf), as VFMADD does; the scale product is rounded first on every path.
    const float sa = g.scale_a[g.scale_a_per_row ? row : 0];
    float y = std::fma(static_cast<float>(s), sa * g.scale_b[col], g.bias[col]);
    if (g.relu) y = y > 0.0f ? y : 0.0f;
    std::memcpy(slot, &y, 4);
  } else {
    std::memcpy(slot, &s, 4);
  }
}

}  // namespace quanta::scalar
