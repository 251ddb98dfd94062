// The ymm helpers of the int4 kernels that work on half panels (8 of a panel's 16 columns), shared
// by the AVX2 and the AVX-VNNI kernels: the column mask, a group's zero points, and the store of
// a finished half row with its bias.
//
// Internal linkage on purpose, as in arm_neon/gemm_neon_epilogue.h: both ISA folders include this
// file, each with its own flags, and a shared inline symbol could be linked from one object into
// the other's path.
#pragma once

#include <immintrin.h>

#include <cstddef>
#include <cstdint>

#include "quanta/int4_gemm.h"

namespace quanta::int4_ymm {
namespace {

// Lanes [8h, 8h + 8) of the panel that exist, as a load / store mask (all ones or zeros per lane).
inline __m256i half_mask(const Int4Layout& w, size_t panel, int h) {
  const size_t first = panel * kInt4Panel + 8 * h;
  const size_t left = w.n > first ? w.n - first : 0;
  alignas(32) int32_t m[8];
  for (size_t i = 0; i < 8; ++i) m[i] = i < left ? -1 : 0;
  return _mm256_load_si256(reinterpret_cast<const __m256i*>(m));
}

// Group g's zero points for half h of the panel, as int32 lanes; 8 when the layout stores none.
inline __m256i zero_points(const Int4Layout& w, const uint8_t* panel, size_t g, int h) {
  if (!w.has_zp) return _mm256_set1_epi32(8);
  return _mm256_cvtepu8_epi32(
      _mm_loadl_epi64(reinterpret_cast<const __m128i*>(panel + w.zp_offset + g * kInt4Panel + 8 * h)));
}

// y[r, half h of panel p] = acc + bias, the columns that exist only.
inline void store(const Int4GemmArgs& a, size_t r, size_t p, int h, __m256 acc) {
  const __m256i mask = half_mask(*a.w, p, h);
  const size_t col = p * kInt4Panel + 8 * h;
  const __m256 bias = a.bias == nullptr ? _mm256_setzero_ps() : _mm256_maskload_ps(a.bias + col, mask);
  _mm256_maskstore_ps(a.y + r * a.ldy + (p - a.panel0) * kInt4Panel + 8 * h, mask, _mm256_add_ps(acc, bias));
}

}  // namespace
}  // namespace quanta::int4_ymm
